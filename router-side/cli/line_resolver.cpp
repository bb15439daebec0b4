#include "line_resolver.h"

#include <algorithm>

#include "cli_text.h"

namespace mr::cli {

LineResolver::Match LineResolver::match(const std::vector<std::string>& names, const std::string& word)
{
    Match m;
    if (std::find(names.begin(), names.end(), word) != names.end()) {
        m.name = word;
        return m;
    }
    for (const auto& n : names)
        if (text::startsWith(n, word) && std::find(m.ambiguous.begin(), m.ambiguous.end(), n) == m.ambiguous.end())
            m.ambiguous.push_back(n);
    if (m.ambiguous.size() == 1) {
        m.name = m.ambiguous.front();
        m.ambiguous.clear();
    }
    return m;
}

Error LineResolver::syntax(const std::string& message, std::size_t line, std::size_t column)
{
    return Error::invalid({}, message + " (line " + std::to_string(line) + " column " + std::to_string(column) + ")");
}

const std::vector<std::string>& LineResolver::globalCommands()
{
    static const std::vector<std::string> commands{"quit"};
    return commands;
}

Result<LineResolver::Resolved> LineResolver::resolve(const std::string& current, const std::vector<Token>& tokens,
                                                     std::size_t from, std::size_t to) const
{
    Resolved r;
    r.path = current;
    std::size_t i = from;
    for (; i < to; ++i) {
        const Token& t = tokens[i];
        if (t.hasValue || t.negated || t.quoted || t.text.empty())
            break;
        // "/interface/bridge" and "interface bridge" walk alike.
        std::string word = t.text;
        if (word.front() == '/') {
            r.path = "/";
            word.erase(0, 1);
        }
        const auto parts = text::splitPath(word);
        bool isCommand = false;
        for (std::size_t k = 0; k < parts.size(); ++k) {
            const std::string& part = parts[k];
            if (part == "..") {
                r.path = MenuTree::parent(r.path);
                continue;
            }
            const auto children = tree_.children(r.path);
            auto commands = tree_.commands(r.path);
            if (k + 1 == parts.size())
                for (const auto& g : globalCommands())
                    commands.push_back(g);
            // A menu level wins over a command of the same name.
            if (std::find(children.begin(), children.end(), part) != children.end()) {
                r.path = MenuTree::child(r.path, part);
                continue;
            }
            std::vector<std::string> names = children;
            names.insert(names.end(), commands.begin(), commands.end());
            const Match m = match(names, part);
            if (!m.ambiguous.empty()) {
                std::string list;
                for (const auto& a : m.ambiguous)
                    list += (list.empty() ? "" : ", ") + a;
                return syntax("ambiguous command name " + part + " (" + list + ")", line_, t.column());
            }
            if (m.name.empty())
                return syntax("bad command name " + part, line_, t.column());
            if (std::find(children.begin(), children.end(), m.name) != children.end()) {
                r.path = MenuTree::child(r.path, m.name);
                continue;
            }
            if (k + 1 != parts.size())
                return syntax("bad command name " + part, line_, t.column());
            r.command = m.name;
            r.commandColumn = t.column();
            isCommand = true;
        }
        if (isCommand) {
            ++i;
            break;
        }
    }
    r.firstArg = i;
    if (r.command.empty() && i < to)
        return syntax("bad command name " + tokens[i].text, line_, tokens[i].column());
    return r;
}

}  // namespace mr::cli
