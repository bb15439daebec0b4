#include "menu_tree.h"

#include <algorithm>

#include "cli_text.h"
#include "schema_values.h"

namespace mr::cli {

MenuTree::MenuTree(const wire::Schema& schema)
{
    children_["/"];
    for (const auto& m : schema.menus()) {
        const auto parts = text::splitPath(m.path());
        std::string path = "/";
        for (const auto& part : parts) {
            children_[path].insert(part);
            path = child(path, part);
            children_[path];
        }
        menus_[path] = &m;
        order_.push_back(&m);
    }
}

const wire::MenuSchema* MenuTree::menu(const std::string& path) const
{
    auto it = menus_.find(path);
    return it == menus_.end() ? nullptr : it->second;
}

std::vector<std::string> MenuTree::children(const std::string& path) const
{
    auto it = children_.find(path);
    if (it == children_.end())
        return {};
    return {it->second.begin(), it->second.end()};
}

std::vector<std::string> MenuTree::commands(const std::string& path) const
{
    std::vector<std::string> out{"export"};
    if (const auto* m = menu(path)) {
        // A menu of commands only (the root's /ping) has nothing to print.
        if (m->properties_size() > 0)
            out.push_back("print");
        if (m->can_add() && !m->singleton())
            out.push_back("add");
        if (m->can_set())
            out.push_back("set");
        if (m->can_remove() && !m->singleton())
            out.push_back("remove");
        const auto* disabled = protocol::findProperty(*m, "disabled");
        if (m->can_set() && !m->singleton() && disabled && !disabled->read_only()) {
            out.push_back("enable");
            out.push_back("disable");
        }
        const auto* comment = protocol::findProperty(*m, "comment");
        if (m->can_set() && !m->singleton() && comment && !comment->read_only())
            out.push_back("comment");
        for (const auto& c : m->commands())
            if (std::find(out.begin(), out.end(), c.name()) == out.end())
                out.push_back(c.name());
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool MenuTree::hasCommand(const std::string& path, const std::string& command) const
{
    const auto all = commands(path);
    return std::find(all.begin(), all.end(), command) != all.end();
}

std::vector<const wire::MenuSchema*> MenuTree::menusUnder(const std::string& path) const
{
    std::vector<const wire::MenuSchema*> out;
    for (const auto* m : order_)
        if (path == "/" || m->path() == path || text::startsWith(m->path(), path + "/"))
            out.push_back(m);
    return out;
}

std::string MenuTree::parent(const std::string& path)
{
    const auto slash = path.rfind('/');
    if (slash == 0 || slash == std::string::npos)
        return "/";
    return path.substr(0, slash);
}

std::string MenuTree::child(const std::string& path, const std::string& name)
{
    return path == "/" ? "/" + name : path + "/" + name;
}

std::string MenuTree::builtinDescription(const std::string& command)
{
    static const std::map<std::string, std::string> descriptions = {
        {"add", "Create a new item"},
        {"comment", "Set comment for items"},
        {"disable", "Disable items"},
        {"enable", "Enable items"},
        {"export", "Print a script that recreates the configuration"},
        {"print", "Print values of item properties"},
        {"remove", "Remove items"},
        {"set", "Change item properties"},
        {"quit", "Log out"},
        {"..", "Go up one level"},
        {"/", "Go to the root menu"},
    };
    auto it = descriptions.find(command);
    return it == descriptions.end() ? std::string() : it->second;
}

}  // namespace mr::cli
