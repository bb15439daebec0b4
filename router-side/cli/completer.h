#pragma once
// Tab completion and '?' help for a half-typed line: works out what the
// word at the cursor can be (menu, command, property, value, item) from the
// schema, and for references and items from the backend's objects.

#include <string>
#include <string_view>
#include <vector>

#include "cli_backend.h"
#include "menu_tree.h"
#include "outcome.h"

namespace mr::cli {

class Completer {
public:
    Completer(const MenuTree& tree, CliBackend& backend, std::string current)
        : tree_(tree), backend_(backend), current_(std::move(current))
    {
    }

    Completion complete(std::string_view line, std::size_t cursor);
    std::string help(std::string_view line, std::size_t cursor, std::size_t width);

    // "68..65535; default: 1500" and the like, for help and dialogs.
    static std::string syntaxOf(const wire::PropertySchema& property);

private:
    struct Context {
        enum class Kind { Invalid, Command, Argument, Value };
        Kind kind = Kind::Invalid;
        std::string path;      // menu of the command, or where command words are looked up
        std::string command;
        std::string property;  // Value: the property or argument name as typed
        std::string word;      // the partial word
        std::size_t wordStart = 0;
        bool wantsTarget = false;
        bool inWhere = false;
        std::string error;     // Invalid: why
    };
    struct Candidate {
        std::string name;
        std::string description;
        char suffix = ' ';
    };

    Context analyse(std::string_view line, std::size_t cursor) const;
    std::vector<Candidate> candidates(const Context& context);
    std::vector<Candidate> commandWords(const std::string& path) const;
    std::vector<Candidate> argumentWords(const Context& context);
    std::vector<Candidate> valueWords(const Context& context);
    std::vector<Candidate> itemNames(const std::string& menuPath);
    std::string commandDescription(const std::string& path, const std::string& command) const;

    const MenuTree& tree_;
    CliBackend& backend_;
    std::string current_;
};

}  // namespace mr::cli
