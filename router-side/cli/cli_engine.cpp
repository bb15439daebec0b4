#include "cli_engine.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "cli_text.h"
#include "completer.h"
#include "export_writer.h"
#include "line_resolver.h"
#include "print_formatter.h"
#include "schema_values.h"

namespace mr::cli {
namespace {

std::string joined(const std::vector<std::string>& names)
{
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

const std::string* findValue(const wire::Object& object, const std::string& property)
{
    auto it = object.properties().find(property);
    return it == object.properties().end() ? nullptr : &it->second;
}

}  // namespace

CliEngine::CliEngine(CliBackend& backend) : backend_(backend), tree_(backend.schema()) {}

void CliEngine::reloadSchema()
{
    tree_ = MenuTree(backend_.schema());
    numbers_.clear();
    if (!tree_.exists(path_))
        path_ = "/";
}

std::string CliEngine::prompt() const
{
    return "[" + backend_.user() + "@" + backend_.identity() + "] " + (path_ == "/" ? "" : text::displayPath(path_)) +
           "> ";
}

Error CliEngine::syntax(const std::string& message, const Token& token) const
{
    return LineResolver::syntax(message, line_, token.column());
}

Error CliEngine::failure(const std::string& message)
{
    return Error::failed("failure: " + message);
}

Error CliEngine::failure(const Error& backendError)
{
    Error e = backendError;
    e.message = "failure: " + backendError.text();
    return e;
}

// ------------------------------------------------------------------ lines

Outcome CliEngine::execute(std::string_view line)
{
    line_ = 1;
    Outcome out;
    runLine(line, out);
    return out;
}

Outcome CliEngine::runScript(std::string_view script, std::size_t offset, std::size_t lineNo)
{
    Outcome out;
    std::size_t pos = offset;
    while (pos < script.size() && out.ok && !out.quit && !out.attach) {
        // A line ending in '\' goes on, as in RouterOS exports.
        std::string logical;
        const std::size_t firstLine = lineNo + 1;
        while (pos < script.size()) {
            std::size_t nl = script.find('\n', pos);
            if (nl == std::string_view::npos)
                nl = script.size();
            std::string piece(script.substr(pos, nl - pos));
            pos = nl + 1;
            ++lineNo;
            if (!piece.empty() && piece.back() == '\r')
                piece.pop_back();
            if (!piece.empty() && piece.back() == '\\') {
                piece.pop_back();
                logical += piece;
                continue;
            }
            logical += piece;
            break;
        }
        line_ = firstLine;
        runLine(logical, out);
    }
    if (out.attach) {
        out.resumeOffset = std::min(pos, script.size());
        out.resumeLine = lineNo;
    }
    return out;
}

void CliEngine::runLine(std::string_view line, Outcome& out)
{
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#')
        return;
    const auto lexed = CommandLexer::lex(line);
    if (lexed.openQuote) {
        out.ok = false;
        out.error = LineResolver::syntax("expected closing quote", line_, lexed.errorAt + 1).message;
        return;
    }
    const auto& tokens = lexed.tokens;
    std::size_t from = 0;
    for (std::size_t i = 0; i <= tokens.size(); ++i) {
        if (i < tokens.size() && tokens[i].kind != Token::Kind::Separator)
            continue;
        if (i > from) {
            Status s = runCommand(tokens, from, i, out);
            if (!s) {
                out.ok = false;
                out.error = s.error().message;
                return;
            }
            if (out.quit || out.attach)
                return;
        }
        from = i + 1;
    }
}

Status CliEngine::runCommand(const std::vector<Token>& tokens, std::size_t from, std::size_t to, Outcome& out)
{
    auto resolved = LineResolver(tree_, line_).resolve(path_, tokens, from, to);
    if (!resolved)
        return resolved.error();
    const auto& r = *resolved;
    if (r.command.empty()) {
        path_ = r.path;
        return {};
    }
    Args args;
    for (std::size_t i = r.firstArg; i < to; ++i)
        args.push_back(&tokens[i]);

    const std::string& c = r.command;
    if (c == "quit") {
        out.quit = true;
        return {};
    }
    if (c == "export")
        return exportConfig(r.path, args, out);
    const wire::MenuSchema* menu = tree_.menu(r.path);
    if (!menu)
        return failure("no such command");
    // The schema's commands come first: a menu may define its own print.
    if (const auto* schemaCommand = protocol::findCommand(*menu, c))
        return menuCommand(r.path, *schemaCommand, args, out);
    if (c == "print")
        return print(r.path, args, out);
    if (c == "add")
        return add(r.path, args);
    if (c == "set")
        return set(r.path, args);
    if (c == "remove")
        return removeItems(r.path, args);
    if (c == "enable" || c == "disable")
        return enable(r.path, args, c == "enable");
    if (c == "comment")
        return comment(r.path, args);
    return failure("no such command: " + c);
}

// ------------------------------------------------------------------ arguments

Result<const wire::PropertySchema*> CliEngine::property(const wire::MenuSchema& menu, const Token& token,
                                                        const std::string& name, Purpose purpose) const
{
    std::vector<std::string> names;
    for (const auto& p : menu.properties()) {
        const bool allowed = purpose == Purpose::Any ||
                             (!p.read_only() && (purpose == Purpose::Add || !p.add_only()));
        if (allowed)
            names.push_back(p.name());
    }
    const auto m = LineResolver::match(names, name);
    if (!m.ambiguous.empty())
        return syntax("ambiguous property name " + name + " (" + joined(m.ambiguous) + ")", token);
    if (!m.name.empty())
        return protocol::findProperty(menu, m.name);
    if (const auto* p = protocol::findProperty(menu, name)) {
        if (p->read_only())
            return syntax("property " + name + " is read-only", token);
        if (p->add_only())
            return syntax("property " + name + " can only be given to add", token);
    }
    return syntax("unknown property " + name, token);
}

Result<std::string> CliEngine::value(const wire::PropertySchema& p, const std::string& input) const
{
    // Enum values may be abbreviated like commands.
    if (p.type() == wire::TYPE_ENUM && !input.empty()) {
        std::vector<std::string> values(p.enum_values().begin(), p.enum_values().end());
        const auto m = LineResolver::match(values, input);
        if (!m.name.empty())
            return protocol::parseValue(p, m.name);
    }
    auto v = protocol::parseValue(p, input);
    if (!v)
        return failure(v.error());
    return v;
}

Result<CliEngine::Assignments> CliEngine::assignments(const wire::MenuSchema& menu, const Args& args,
                                                      bool adding) const
{
    Assignments a;
    for (const Token* t : args) {
        if (t->negated) {
            if (adding)
                return syntax("expected end of command", *t);
            auto p = property(menu, *t, t->name, Purpose::Set);
            if (!p)
                return p.error();
            a.unset.push_back((*p)->name());
            continue;
        }
        if (!t->hasValue) {
            a.unnamed.push_back(t);
            continue;
        }
        if (t->notEqual)
            return syntax("expected end of command", *t);
        if (!adding && t->name == "numbers" && !protocol::findProperty(menu, "numbers")) {
            a.numbers = t;
            continue;
        }
        auto p = property(menu, *t, t->name, adding ? Purpose::Add : Purpose::Set);
        if (!p)
            return p.error();
        // copy-from names an object the way targets do; the engine copies it.
        if (adding && (*p)->name() == "copy-from") {
            a.copyFrom = t;
            continue;
        }
        auto v = value(**p, t->value);
        if (!v)
            return v.error();
        a.values[(*p)->name()] = *v;
    }
    return a;
}

Result<std::vector<std::string>> CliEngine::targets(const std::string& path, const Token& token)
{
    auto objects = backend_.get(path);
    if (!objects)
        return failure(objects.error());
    const wire::MenuSchema* menu = tree_.menu(path);
    const std::string key = menu ? menu->key_property() : std::string();
    auto numbered = numbers_.find(path);
    std::vector<std::string> ids;
    const std::string& list = token.hasValue ? token.value : token.text;
    std::size_t pos = 0;
    while (pos <= list.size()) {
        std::size_t comma = list.find(',', pos);
        if (comma == std::string::npos)
            comma = list.size();
        const std::string item = list.substr(pos, comma - pos);
        pos = comma + 1;
        if (item.empty())
            continue;
        std::string id;
        if (text::allDigits(item)) {
            std::size_t n = 0;
            if (std::from_chars(item.data(), item.data() + item.size(), n).ec != std::errc())
                n = std::numeric_limits<std::size_t>::max();
            if (numbered != numbers_.end()) {
                if (n < numbered->second.size())
                    id = numbered->second[n];
            } else if (n < objects->size()) {
                id = (*objects)[n].id();
            }
        } else if (item.front() == '*') {
            // Ids are hex; "*a" and "*A" are the same object.
            for (const auto& o : *objects)
                if (o.id().size() == item.size() &&
                    std::equal(item.begin(), item.end(), o.id().begin(), [](char a, char b) {
                        return std::toupper(static_cast<unsigned char>(a)) == std::toupper(static_cast<unsigned char>(b));
                    }))
                    id = o.id();
        } else if (!key.empty()) {
            // By key, then by current name: a NIC keyed by default-name
            // (ether1) is still found as what it was renamed to.
            for (const std::string& by : {key, std::string("name")}) {
                for (const auto& o : *objects) {
                    const std::string* v = findValue(o, by);
                    if (v && *v == item) {
                        id = o.id();
                        break;
                    }
                }
                if (!id.empty())
                    break;
            }
        }
        const bool exists = !id.empty() && std::any_of(objects->begin(), objects->end(),
                                                       [&](const wire::Object& o) { return o.id() == id; });
        if (!exists)
            return Error::notFound("no such item (" + item + ")");
        if (std::find(ids.begin(), ids.end(), id) == ids.end())
            ids.push_back(id);
    }
    if (ids.empty())
        return Error::notFound("no such item");
    return ids;
}

Result<std::vector<std::string>> CliEngine::singleTargetList(const std::string& path, const Args& unnamed,
                                                             const Token* numbers, const std::string& command)
{
    const Token* target = numbers;
    if (!unnamed.empty()) {
        if (target || unnamed.size() > 1)
            return syntax("expected end of command", *unnamed[target ? 0 : 1]);
        target = unnamed.front();
    }
    if (!target)
        return failure(command + " needs items: numbers from print, *ids or names");
    return targets(path, *target);
}

// ------------------------------------------------------------------ commands

Status CliEngine::print(const std::string& path, const Args& args, Outcome& out)
{
    const wire::MenuSchema& menu = *tree_.menu(path);
    bool detail = menu.print_detail_default();
    bool countOnly = false;
    struct Filter {
        const wire::PropertySchema* property;
        std::string value;
        bool notEqual;
    };
    std::vector<Filter> filters;
    bool inWhere = false;
    for (const Token* t : args) {
        if (!inWhere && !t->hasValue && !t->negated) {
            static const std::vector<std::string> keywords{"brief", "count-only", "detail", "where",
                                                           "without-paging"};
            const auto m = LineResolver::match(keywords, t->text);
            if (m.name.empty())
                return syntax("expected end of command", *t);
            if (m.name == "detail")
                detail = true;
            else if (m.name == "brief")
                detail = false;
            else if (m.name == "count-only")
                countOnly = true;
            else if (m.name == "where")
                inWhere = true;
            continue;
        }
        if (!inWhere)
            return syntax("expected end of command", *t);
        if (!t->hasValue && !t->negated && t->text == "and")
            continue;
        const std::string name = t->hasValue || t->negated ? t->name : t->text;
        auto p = property(menu, *t, name, Purpose::Any);
        if (!p)
            return p.error();
        Filter f{*p, "yes", t->negated || t->notEqual};
        if (t->hasValue) {
            auto v = protocol::parseValue(**p, t->value);
            f.value = v ? *v : t->value;
        }
        filters.push_back(std::move(f));
    }

    auto objects = backend_.get(path);
    if (!objects)
        return failure(objects.error());
    std::vector<std::string> ids;
    std::vector<PrintFormatter::Row> rows;
    for (std::size_t i = 0; i < objects->size(); ++i) {
        const auto& o = (*objects)[i];
        ids.push_back(o.id());
        const bool keep = std::all_of(filters.begin(), filters.end(), [&](const Filter& f) {
            const std::string* v = findValue(o, f.property->name());
            const bool equal = (v ? *v : std::string()) == f.value;
            return equal != f.notEqual;
        });
        if (keep)
            rows.push_back({&o, i});
    }
    numbers_[path] = std::move(ids);

    if (countOnly) {
        out.output += std::to_string(rows.size()) + "\n";
        return {};
    }
    PrintFormatter formatter(menu, width_);
    if (menu.singleton()) {
        if (!rows.empty())
            out.output += formatter.singleton(*rows.front().object);
        return {};
    }
    // A menu without columns has no table to show.
    detail = detail || menu.columns().empty();
    out.output += detail ? formatter.detail(rows, objects->size()) : formatter.table(rows, objects->size());
    return {};
}

Status CliEngine::add(const std::string& path, const Args& args)
{
    const wire::MenuSchema& menu = *tree_.menu(path);
    auto a = assignments(menu, args, true);
    if (!a)
        return a.error();
    if (!a->unnamed.empty())
        return syntax("expected end of command", *a->unnamed.front());
    if (a->copyFrom) {
        auto source = targets(path, *a->copyFrom);
        if (!source)
            return source.error();
        auto objects = backend_.get(path);
        if (!objects)
            return failure(objects.error());
        for (const auto& o : *objects) {
            if (o.id() != source->front())
                continue;
            for (const auto& p : menu.properties()) {
                const std::string* v = findValue(o, p.name());
                if (v && !p.read_only() && !p.add_only() && !p.unique() && !a->values.count(p.name()))
                    a->values[p.name()] = *v;
            }
        }
    }
    for (const auto& p : menu.properties())
        if (p.required() && !a->values.count(p.name()))
            return Error::invalid(p.name(), "failure: " + p.name() + " must be specified");
    auto id = backend_.add(path, a->values);
    if (!id)
        return failure(id.error());
    return {};
}

Status CliEngine::set(const std::string& path, const Args& args)
{
    const wire::MenuSchema& menu = *tree_.menu(path);
    auto a = assignments(menu, args, false);
    if (!a)
        return a.error();
    std::vector<std::string> ids;
    if (menu.singleton()) {
        if (!a->unnamed.empty())
            return syntax("expected end of command", *a->unnamed.front());
        auto objects = backend_.get(path);
        if (!objects)
            return failure(objects.error());
        ids.push_back(objects->empty() ? std::string() : objects->front().id());
    } else {
        auto t = singleTargetList(path, a->unnamed, a->numbers, "set");
        if (!t)
            return t.error();
        ids = std::move(*t);
    }
    for (const auto& id : ids)
        if (Status s = backend_.set(path, id, a->values, a->unset); !s)
            return failure(s.error());
    return {};
}

Status CliEngine::removeItems(const std::string& path, const Args& args)
{
    const wire::MenuSchema& menu = *tree_.menu(path);
    auto a = assignments(menu, args, false);
    if (!a)
        return a.error();
    if (!a->values.empty() || !a->unset.empty())
        return syntax("expected end of command", *args.front());
    auto ids = singleTargetList(path, a->unnamed, a->numbers, "remove");
    if (!ids)
        return ids.error();
    for (const auto& id : *ids)
        if (Status s = backend_.remove(path, id); !s)
            return failure(s.error());
    return {};
}

Status CliEngine::enable(const std::string& path, const Args& args, bool enabled)
{
    Args unnamed;
    const Token* numbers = nullptr;
    for (const Token* t : args) {
        if (t->hasValue && t->name == "numbers")
            numbers = t;
        else if (t->hasValue || t->negated)
            return syntax("expected end of command", *t);
        else
            unnamed.push_back(t);
    }
    auto ids = singleTargetList(path, unnamed, numbers, enabled ? "enable" : "disable");
    if (!ids)
        return ids.error();
    for (const auto& id : *ids)
        if (Status s = backend_.set(path, id, {{"disabled", enabled ? "no" : "yes"}}, {}); !s)
            return failure(s.error());
    return {};
}

Status CliEngine::comment(const std::string& path, const Args& args)
{
    const wire::MenuSchema& menu = *tree_.menu(path);
    auto a = assignments(menu, args, false);
    if (!a)
        return a.error();
    if (!a->unset.empty() || std::any_of(a->values.begin(), a->values.end(),
                                         [](const auto& kv) { return kv.first != "comment"; }))
        return failure("comment sets only comment=");
    auto ids = singleTargetList(path, a->unnamed, a->numbers, "comment");
    if (!ids)
        return ids.error();
    Properties values{{"comment", a->values.count("comment") ? a->values["comment"] : std::string()}};
    for (const auto& id : *ids)
        if (Status s = backend_.set(path, id, values, {}); !s)
            return failure(s.error());
    return {};
}

Status CliEngine::exportConfig(const std::string& path, const Args& args, Outcome& out)
{
    bool verbose = false;
    for (const Token* t : args) {
        if (!t->hasValue && !t->negated && (t->text == "verbose" || t->text == "compact")) {
            verbose = t->text == "verbose";
            continue;
        }
        return syntax("expected end of command", *t);
    }
    ExportWriter writer(verbose);
    for (const auto* menu : tree_.menusUnder(path)) {
        auto objects = backend_.get(menu->path());
        if (!objects) {
            // A menu this user may not read is left out rather than failing the whole export.
            if (objects.error().code == wire::ERROR_PERMISSION_DENIED)
                continue;
            return failure(objects.error());
        }
        writer.addMenu(*menu, *objects);
    }
    out.output += writer.text();
    return {};
}

Status CliEngine::menuCommand(const std::string& path, const wire::CommandSchema& command, const Args& args,
                              Outcome& out)
{
    const wire::MenuSchema& menu = *tree_.menu(path);
    Properties arguments;
    const Token* target = nullptr;
    std::vector<const wire::ArgumentSchema*> positional;
    for (const auto& a : command.arguments())
        if (a.unnamed())
            positional.push_back(&a);
    std::size_t nextPositional = 0;
    std::vector<std::string> names;
    for (const auto& a : command.arguments())
        names.push_back(a.name());

    for (const Token* t : args) {
        const wire::ArgumentSchema* arg = nullptr;
        std::string input;
        if (!t->hasValue && !t->negated) {
            if (command.targets_object() && !target) {
                target = t;
                continue;
            }
            if (nextPositional >= positional.size())
                return syntax("expected end of command", *t);
            arg = positional[nextPositional++];
            input = t->text;
        } else {
            if (t->negated || t->notEqual)
                return syntax("expected end of command", *t);
            if (command.targets_object() && t->name == "numbers" && !target) {
                target = t;
                continue;
            }
            const auto m = LineResolver::match(names, t->name);
            if (!m.ambiguous.empty())
                return syntax("ambiguous argument name " + t->name + " (" + joined(m.ambiguous) + ")", *t);
            if (m.name.empty())
                return syntax("unknown argument " + t->name, *t);
            for (const auto& a : command.arguments())
                if (a.name() == m.name)
                    arg = &a;
            input = t->value;
        }
        auto v = protocol::parseArgument(*arg, input);
        if (!v)
            return failure(v.error());
        arguments[arg->name()] = *v;
    }
    for (const auto& a : command.arguments()) {
        if (arguments.count(a.name()))
            continue;
        if (a.required())
            return Error::invalid(a.name(), "failure: " + a.name() + " must be specified");
        if (!a.default_value().empty())
            arguments[a.name()] = a.default_value();
    }

    std::vector<std::string> ids;
    if (command.targets_object()) {
        if (!target)
            return failure(command.name() + " needs an item: a number from print, an *id or a name");
        auto t = targets(path, *target);
        if (!t)
            return t.error();
        ids = std::move(*t);
    } else {
        ids.emplace_back();
    }

    if (command.streams() || command.long_running()) {
        if (ids.size() != 1)
            return failure(command.name() + " takes one item");
        AttachRequest attach{path, command.name(), ids.front(), ids.front(), arguments, command.long_running()};
        if (!ids.front().empty() && !menu.key_property().empty()) {
            auto objects = backend_.get(path);
            if (objects)
                for (const auto& o : *objects)
                    if (o.id() == ids.front())
                        if (const std::string* key = findValue(o, menu.key_property()))
                            attach.target = *key;
        }
        out.attach = std::move(attach);
        return {};
    }
    for (const auto& id : ids) {
        auto result = backend_.command(path, command.name(), id, arguments);
        if (!result)
            return failure(result.error());
        out.output += *result;
        if (!result->empty() && result->back() != '\n')
            out.output += '\n';
    }
    return {};
}

// ------------------------------------------------------------------ interactive help

Completion CliEngine::complete(std::string_view line, std::size_t cursor)
{
    return Completer(tree_, backend_, path_).complete(line, cursor);
}

std::string CliEngine::help(std::string_view line, std::size_t cursor)
{
    return Completer(tree_, backend_, path_).help(line, cursor, width_);
}

}  // namespace mr::cli
