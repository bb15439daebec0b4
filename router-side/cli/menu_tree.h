#pragma once
// The navigable menu hierarchy derived from the schema: every prefix of a
// menu path is a level one can enter (/ip holds /ip/address even though
// /ip itself has no objects), and each level knows its built-in and
// menu-specific commands.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "metarouter.pb.h"

namespace mr::cli {

class MenuTree {
public:
    MenuTree() = default;
    explicit MenuTree(const wire::Schema& schema);

    bool exists(const std::string& path) const { return children_.count(path) > 0; }
    // nullptr for levels without objects ("/", "/ip").
    const wire::MenuSchema* menu(const std::string& path) const;
    // Names of the sub-levels, sorted.
    std::vector<std::string> children(const std::string& path) const;
    // Commands one can type at this level, sorted.
    std::vector<std::string> commands(const std::string& path) const;
    bool hasCommand(const std::string& path, const std::string& command) const;
    // Menus at or below `path`, in schema order (export's scope).
    std::vector<const wire::MenuSchema*> menusUnder(const std::string& path) const;

    static std::string parent(const std::string& path);
    static std::string child(const std::string& path, const std::string& name);

    // What help says about a built-in command.
    static std::string builtinDescription(const std::string& command);

private:
    std::map<std::string, std::set<std::string>> children_;
    std::map<std::string, const wire::MenuSchema*> menus_;
    std::vector<const wire::MenuSchema*> order_;
};

}  // namespace mr::cli
