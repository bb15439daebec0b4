#include "completer.h"

#include <algorithm>
#include <optional>
#include <set>

#include "candidate_layout.h"
#include "cli_text.h"
#include "command_lexer.h"
#include "line_resolver.h"
#include "schema_values.h"

namespace mr::cli {
namespace {

// Arguments of menu commands are shown and completed like properties.
wire::PropertySchema asProperty(const wire::ArgumentSchema& a)
{
    wire::PropertySchema p;
    p.set_name(a.name());
    p.set_type(a.type());
    p.set_required(a.required());
    p.set_default_value(a.default_value());
    *p.mutable_enum_values() = a.enum_values();
    p.set_min(a.min());
    p.set_max(a.max());
    p.set_description(a.description());
    return p;
}

bool needsTarget(const wire::MenuSchema* menu, const std::string& command)
{
    if (!menu)
        return false;
    if (const auto* c = protocol::findCommand(*menu, command))
        return c->targets_object();
    if (command == "set")
        return !menu->singleton();
    return command == "remove" || command == "enable" || command == "disable" || command == "comment";
}

const std::vector<std::string>& printKeywords()
{
    static const std::vector<std::string> words{"brief", "count-only", "detail", "where"};
    return words;
}

}  // namespace

std::string Completer::syntaxOf(const wire::PropertySchema& p)
{
    std::string s;
    const bool hasRange = p.min() != 0 || p.max() != 0;
    switch (p.type()) {
    case wire::TYPE_STRING: s = "string"; break;
    case wire::TYPE_INTEGER:
        s = hasRange ? std::to_string(p.min()) + ".." + std::to_string(p.max()) : "integer";
        break;
    case wire::TYPE_BOOL: s = "yes | no"; break;
    case wire::TYPE_ENUM:
        for (const auto& v : p.enum_values())
            s += (s.empty() ? "" : " | ") + v;
        break;
    case wire::TYPE_MAC: s = "MAC address"; break;
    case wire::TYPE_IP_PREFIX: s = "address/prefix"; break;
    case wire::TYPE_IP: s = "IP address"; break;
    case wire::TYPE_DURATION:
        s = hasRange ? protocol::formatDuration(p.min()) + ".." + protocol::formatDuration(p.max()) : "time";
        break;
    case wire::TYPE_REFERENCE: s = "name in " + text::displayPath(p.reference_menu()); break;
    case wire::TYPE_SIZE:
        s = (hasRange ? std::to_string(p.min()) + ".." + std::to_string(p.max()) : "integer") + p.unit();
        if (!p.special_zero().empty())
            s += " | " + p.special_zero();
        break;
    default: s = "value"; break;
    }
    if (p.nullable())
        s += " | none";
    if (!p.default_value().empty())
        s += "; default: " + protocol::formatValue(p, p.default_value());
    if (p.read_only())
        s += "; read-only";
    return s;
}

Completer::Context Completer::analyse(std::string_view line, std::size_t cursor) const
{
    Context ctx;
    cursor = std::min(cursor, line.size());
    auto lexed = CommandLexer::lex(line.substr(0, cursor));
    auto& tokens = lexed.tokens;
    std::size_t start = 0;
    for (std::size_t i = 0; i < tokens.size(); ++i)
        if (tokens[i].kind == Token::Kind::Separator)
            start = i + 1;
    std::optional<Token> partial;
    if (tokens.size() > start && tokens.back().end == cursor) {
        partial = tokens.back();
        tokens.pop_back();
    }
    ctx.word = partial ? partial->raw : std::string();
    ctx.wordStart = partial ? partial->begin : cursor;

    auto resolved = LineResolver(tree_, 1).resolve(current_, tokens, start, tokens.size());
    if (!resolved) {
        ctx.error = resolved.error().message;
        return ctx;
    }
    ctx.path = resolved->path;
    ctx.command = resolved->command;
    if (ctx.command.empty()) {
        if (partial && (partial->hasValue || partial->negated || partial->quoted)) {
            ctx.error = "bad command name " + partial->raw;
            return ctx;
        }
        ctx.kind = Context::Kind::Command;
        // "/interface/br" completes the last level of the path typed so far.
        std::string word = ctx.word;
        if (!word.empty() && word.front() == '/')
            ctx.path = "/";
        const auto slash = word.rfind('/');
        if (slash != std::string::npos) {
            for (const auto& part : text::splitPath(word.substr(0, slash))) {
                if (part == "..") {
                    ctx.path = MenuTree::parent(ctx.path);
                    continue;
                }
                const auto m = LineResolver::match(tree_.children(ctx.path), part);
                if (m.name.empty()) {
                    ctx.kind = Context::Kind::Invalid;
                    ctx.error = "bad command name " + part;
                    return ctx;
                }
                ctx.path = MenuTree::child(ctx.path, m.name);
            }
            ctx.word = word.substr(slash + 1);
            ctx.wordStart += slash + 1;
        }
        return ctx;
    }

    ctx.kind = Context::Kind::Argument;
    bool haveTarget = false;
    for (std::size_t i = resolved->firstArg; i < tokens.size(); ++i) {
        const Token& t = tokens[i];
        if (ctx.command == "print") {
            if (!t.hasValue && t.text == "where")
                ctx.inWhere = true;
            continue;
        }
        if ((!t.hasValue && !t.negated) || (t.hasValue && t.name == "numbers"))
            haveTarget = true;
    }
    ctx.wantsTarget = !haveTarget && needsTarget(tree_.menu(ctx.path), ctx.command);
    if (partial && partial->hasValue) {
        ctx.kind = Context::Kind::Value;
        ctx.property = partial->name;
        const auto eq = partial->raw.find('=');
        ctx.word = partial->raw.substr(eq + 1);
        if (!ctx.word.empty() && ctx.word.front() == '"')
            ctx.word.erase(0, 1), ++ctx.wordStart;
        ctx.wordStart += eq + 1;
    } else if (partial && partial->negated) {
        ctx.word = partial->name;
        ctx.wordStart += 1;
    }
    return ctx;
}

std::string Completer::commandDescription(const std::string& path, const std::string& command) const
{
    if (const auto* menu = tree_.menu(path))
        if (const auto* c = protocol::findCommand(*menu, command))
            return c->description();
    return MenuTree::builtinDescription(command);
}

std::vector<Completer::Candidate> Completer::commandWords(const std::string& path) const
{
    std::vector<Candidate> out;
    for (const auto& child : tree_.children(path)) {
        const auto* m = tree_.menu(MenuTree::child(path, child));
        out.push_back({child, m ? m->description() : std::string(), ' '});
    }
    auto commands = tree_.commands(path);
    for (const auto& g : LineResolver::globalCommands())
        commands.push_back(g);
    for (const auto& c : commands)
        out.push_back({c, commandDescription(path, c), ' '});
    return out;
}

std::vector<Completer::Candidate> Completer::itemNames(const std::string& menuPath)
{
    std::vector<Candidate> out;
    const auto* menu = tree_.menu(menuPath);
    if (!menu || menu->key_property().empty())
        return out;
    auto objects = backend_.get(menuPath);
    if (!objects)
        return out;
    for (const auto& o : *objects) {
        auto it = o.properties().find(menu->key_property());
        if (it != o.properties().end() && !it->second.empty())
            out.push_back({it->second, {}, ' '});
    }
    return out;
}

std::vector<Completer::Candidate> Completer::argumentWords(const Context& ctx)
{
    std::vector<Candidate> out;
    const auto* menu = tree_.menu(ctx.path);
    if (ctx.wantsTarget)
        out = itemNames(ctx.path);
    if (!menu) {
        if (ctx.command == "export")
            out.push_back({"verbose", "Include default values", ' '});
        return out;
    }
    const std::string& c = ctx.command;
    if (const auto* command = protocol::findCommand(*menu, c)) {
        for (const auto& a : command->arguments())
            out.push_back({a.name(), a.description() + " (" + syntaxOf(asProperty(a)) + ")", '='});
        return out;
    }
    if (c == "print") {
        if (ctx.inWhere) {
            for (const auto& p : menu->properties())
                out.push_back({p.name(), p.description(), '='});
        } else {
            for (const auto& k : printKeywords())
                out.push_back({k, {}, ' '});
        }
        return out;
    }
    if (c == "export") {
        out.push_back({"verbose", "Include default values", ' '});
        return out;
    }
    if (c == "add" || c == "set" || (c == "comment" && !ctx.wantsTarget)) {
        for (const auto& p : menu->properties()) {
            if (p.read_only() || (c != "add" && p.add_only()) || (c == "comment" && p.name() != "comment"))
                continue;
            std::string d = p.description();
            out.push_back({p.name(), (d.empty() ? "" : d + " ") + "(" + syntaxOf(p) + ")", '='});
        }
    }
    return out;
}

std::vector<Completer::Candidate> Completer::valueWords(const Context& ctx)
{
    std::vector<Candidate> out;
    const auto* menu = tree_.menu(ctx.path);
    if (!menu)
        return out;
    wire::PropertySchema p;
    if (const auto* command = protocol::findCommand(*menu, ctx.command)) {
        std::vector<std::string> names;
        for (const auto& a : command->arguments())
            names.push_back(a.name());
        const auto m = LineResolver::match(names, ctx.property);
        for (const auto& a : command->arguments())
            if (a.name() == m.name)
                p = asProperty(a);
        if (m.name.empty())
            return out;
    } else {
        std::vector<std::string> names;
        for (const auto& q : menu->properties())
            names.push_back(q.name());
        const auto m = LineResolver::match(names, ctx.property);
        const auto* found = m.name.empty() ? nullptr : protocol::findProperty(*menu, m.name);
        if (!found)
            return out;
        p = *found;
        if (ctx.command == "add" && p.name() == "copy-from")
            return itemNames(ctx.path);
    }
    switch (p.type()) {
    case wire::TYPE_BOOL:
        out.push_back({"no", {}, ' '});
        out.push_back({"yes", {}, ' '});
        break;
    case wire::TYPE_ENUM:
        for (const auto& v : p.enum_values())
            out.push_back({v, {}, ' '});
        break;
    case wire::TYPE_REFERENCE:
        out = itemNames(p.reference_menu());
        break;
    default:
        break;
    }
    if (!p.special_zero().empty())
        out.push_back({p.special_zero(), {}, ' '});
    if (p.nullable())
        out.push_back({"none", {}, ' '});
    return out;
}

std::vector<Completer::Candidate> Completer::candidates(const Context& ctx)
{
    std::vector<Candidate> all;
    switch (ctx.kind) {
    case Context::Kind::Command: all = commandWords(ctx.path); break;
    case Context::Kind::Argument: all = argumentWords(ctx); break;
    case Context::Kind::Value: all = valueWords(ctx); break;
    case Context::Kind::Invalid: break;
    }
    std::vector<Candidate> out;
    std::set<std::string> seen;
    for (auto& c : all)
        if (text::startsWith(c.name, ctx.word) && seen.insert(c.name).second)
            out.push_back(std::move(c));
    std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.name < b.name; });
    return out;
}

Completion Completer::complete(std::string_view line, std::size_t cursor)
{
    Completion result;
    const Context ctx = analyse(line, cursor);
    result.wordStart = ctx.wordStart;
    result.word = ctx.word;
    if (ctx.kind == Context::Kind::Invalid)
        return result;
    const auto found = candidates(ctx);
    if (found.empty())
        return result;
    for (const auto& c : found)
        result.candidates.push_back(c.name);
    std::string common = found.front().name;
    for (const auto& c : found) {
        std::size_t n = 0;
        while (n < common.size() && n < c.name.size() && common[n] == c.name[n])
            ++n;
        common.resize(n);
    }
    if (common.size() >= ctx.word.size())
        result.insertion = common.substr(ctx.word.size());
    if (found.size() == 1) {
        const Candidate& only = found.front();
        if (ctx.word.empty() && ctx.kind == Context::Kind::Value && text::needsQuotes(only.name))
            result.insertion = text::quoted(only.name);
        result.insertion += only.suffix;
    }
    return result;
}

std::string Completer::help(std::string_view line, std::size_t cursor, std::size_t width)
{
    const Context ctx = analyse(line, cursor);
    if (ctx.kind == Context::Kind::Invalid)
        return ctx.error + "\n";
    std::string out;
    const auto* menu = tree_.menu(ctx.path);
    if (ctx.kind == Context::Kind::Value) {
        const std::string name = ctx.property;
        const wire::PropertySchema* p = nullptr;
        wire::PropertySchema argument;
        if (menu) {
            if (const auto* command = protocol::findCommand(*menu, ctx.command)) {
                for (const auto& a : command->arguments())
                    if (text::startsWith(a.name(), name) && !p)
                        p = &(argument = asProperty(a));
            } else {
                std::vector<std::string> names;
                for (const auto& q : menu->properties())
                    names.push_back(q.name());
                const auto m = LineResolver::match(names, name);
                p = m.name.empty() ? nullptr : protocol::findProperty(*menu, m.name);
            }
        }
        if (!p)
            return "unknown property " + name + "\n";
        out += p->name() + " -- " + (p->description().empty() ? "" : p->description() + " ") + "(" + syntaxOf(*p) +
               ")\n";
        std::vector<std::string> values;
        for (const auto& c : candidates(ctx))
            values.push_back(c.name);
        out += CandidateLayout::format(values, width);
        return out;
    }

    std::vector<Candidate> items = candidates(ctx);
    if (ctx.kind == Context::Kind::Command) {
        if (menu && !menu->description().empty())
            out += menu->description() + "\n\n";
        // Levels first, then commands, as a directory listing would.
        const auto children = tree_.children(ctx.path);
        std::stable_partition(items.begin(), items.end(), [&](const Candidate& c) {
            return std::find(children.begin(), children.end(), c.name) != children.end();
        });
        if (ctx.path != "/" && text::startsWith("..", ctx.word))
            items.insert(items.begin(), {"..", MenuTree::builtinDescription(".."), ' '});
    } else {
        const std::string d = commandDescription(ctx.path, ctx.command);
        if (!d.empty())
            out += d + "\n\n";
        if (ctx.wantsTarget)
            out += "Items: a number from print, an *id" +
                   std::string(menu && !menu->key_property().empty() ? " or a " + menu->key_property() : "") +
                   "; several separated by commas\n";
        // Item names are for Tab; help lists what the arguments mean.
        if (ctx.wantsTarget && menu)
            items.erase(std::remove_if(items.begin(), items.end(),
                                       [](const Candidate& c) { return c.suffix == ' ' && c.description.empty(); }),
                        items.end());
    }
    std::size_t nameW = 0;
    for (const auto& c : items)
        nameW = std::max(nameW, text::displayWidth(c.name));
    for (const auto& c : items)
        out += text::padLeft(c.name, nameW + 2) + (c.description.empty() ? "" : " -- " + c.description) + "\n";
    return text::trimLineEnds(out);
}

}  // namespace mr::cli
