#pragma once
// The RouterOS-syntax command line: walks menus, runs print/add/set/remove/
// enable/disable/comment/export and the schema's own commands through a
// CliBackend, validating input against the schema first. One engine per
// session: it holds the current menu and the numbers of the last print.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cli_backend.h"
#include "command_lexer.h"
#include "menu_tree.h"
#include "outcome.h"

namespace mr::cli {

class CliEngine {
public:
    explicit CliEngine(CliBackend& backend);

    // One line as typed; may hold several commands separated by ';'.
    Outcome execute(std::string_view line);
    // Lines in order (a trailing '\' continues a line), stopping at the first
    // error; errors name the script line. For `mrcli COMMAND` and stdin.
    // Stops at a command that must be handed over (attach); the outcome then
    // says where to resume with the same script.
    Outcome runScript(std::string_view script, std::size_t offset = 0, std::size_t lineNo = 0);

    // "[admin@MikroTik] /interface bridge> "
    std::string prompt() const;
    // Current menu, "/interface/bridge"; "/" at the root.
    const std::string& path() const { return path_; }

    // Tab: the word ending at `cursor`.
    Completion complete(std::string_view line, std::size_t cursor);
    // '?': what may come at `cursor`.
    std::string help(std::string_view line, std::size_t cursor);

    // Terminal width: print detail, legends and candidate lists wrap to it.
    void setWidth(std::size_t columns) { width_ = columns < 20 ? 20 : columns; }
    std::size_t width() const { return width_; }

    // The backend's schema changed: rebuild the menu tree; a menu that is
    // gone takes the session back to the root.
    void reloadSchema();

private:
    using Args = std::vector<const Token*>;
    enum class Purpose { Add, Set, Any };

    struct Assignments {
        Properties values;
        std::vector<std::string> unset;
        Args unnamed;
        const Token* numbers = nullptr;  // numbers=0,1 instead of a bare target
        const Token* copyFrom = nullptr;
    };

    void runLine(std::string_view line, Outcome& out);
    Status runCommand(const std::vector<Token>& tokens, std::size_t from, std::size_t to, Outcome& out);

    Status print(const std::string& path, const Args& args, Outcome& out);
    Status add(const std::string& path, const Args& args);
    Status set(const std::string& path, const Args& args);
    Status removeItems(const std::string& path, const Args& args);
    Status enable(const std::string& path, const Args& args, bool enabled);
    Status comment(const std::string& path, const Args& args);
    Status exportConfig(const std::string& path, const Args& args, Outcome& out);
    Status menuCommand(const std::string& path, const wire::CommandSchema& command, const Args& args, Outcome& out);

    Result<const wire::PropertySchema*> property(const wire::MenuSchema& menu, const Token& token,
                                                 const std::string& name, Purpose purpose) const;
    Result<std::string> value(const wire::PropertySchema& property, const std::string& input) const;
    Result<Assignments> assignments(const wire::MenuSchema& menu, const Args& args, bool adding) const;
    // Objects named by "0,1", "*3" or key values; numbers from the last print.
    Result<std::vector<std::string>> targets(const std::string& path, const Token& token);
    Result<std::vector<std::string>> singleTargetList(const std::string& path, const Args& unnamed,
                                                      const Token* numbers, const std::string& command);

    Error syntax(const std::string& message, const Token& token) const;
    static Error failure(const std::string& message);
    static Error failure(const Error& backendError);

    CliBackend& backend_;
    MenuTree tree_;
    std::string path_ = "/";
    std::size_t width_ = 80;
    std::size_t line_ = 1;  // line number for syntax errors (scripts)
    // Per menu: ids in the order of the last print, so "set 0" means what
    // the user saw even after someone else added objects.
    std::map<std::string, std::vector<std::string>> numbers_;
};

}  // namespace mr::cli
