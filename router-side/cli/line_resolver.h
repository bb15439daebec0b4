#pragma once
// Finds what the leading words of a command line name: the menu levels it
// walks (absolute or relative, "..", unique abbreviations like "/sys
// identity") and the command, leaving the arguments for the engine.

#include <string>
#include <vector>

#include "command_lexer.h"
#include "error.h"
#include "menu_tree.h"

namespace mr::cli {

class LineResolver {
public:
    struct Resolved {
        std::string path;          // where the command runs, or the new current menu
        std::string command;       // empty: the words only navigate
        std::size_t firstArg = 0;  // index of the first argument token
        std::size_t commandColumn = 0;
    };

    // An exact name, else the only name `word` abbreviates.
    struct Match {
        std::string name;
        std::vector<std::string> ambiguous;  // several names start with word
    };
    static Match match(const std::vector<std::string>& names, const std::string& word);

    // "message (line L column C)", RouterOS's syntax error form.
    static Error syntax(const std::string& message, std::size_t line, std::size_t column);

    LineResolver(const MenuTree& tree, std::size_t line) : tree_(tree), line_(line) {}

    // Tokens [from, to) of a line typed in menu `current`.
    Result<Resolved> resolve(const std::string& current, const std::vector<Token>& tokens, std::size_t from,
                             std::size_t to) const;

    // Commands available everywhere, beside the menu's own.
    static const std::vector<std::string>& globalCommands();

private:
    const MenuTree& tree_;
    std::size_t line_;
};

}  // namespace mr::cli
