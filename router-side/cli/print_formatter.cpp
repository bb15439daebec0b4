#include "print_formatter.h"

#include <algorithm>

#include "cli_text.h"
#include "schema_values.h"

namespace mr::cli {
namespace {

const std::string* findValue(const wire::Object& object, const std::string& property)
{
    auto it = object.properties().find(property);
    return it == object.properties().end() ? nullptr : &it->second;
}

std::size_t numberWidth(std::size_t total)
{
    const std::size_t last = total ? total - 1 : 0;
    return std::max<std::size_t>(2, std::to_string(last).size());
}

}  // namespace

PrintFormatter::PrintFormatter(const wire::MenuSchema& menu, std::size_t width)
    : menu_(menu), width_(width ? width : 80)
{
}

std::string PrintFormatter::legend() const
{
    if (menu_.flags().empty())
        return {};
    std::string out = "Flags: ";
    std::size_t lineLen = out.size();
    for (int i = 0; i < menu_.flags_size(); ++i) {
        const auto& f = menu_.flags(i);
        std::string item = f.letter() + " - " + f.description();
        const bool last = i + 1 == menu_.flags_size();
        if (!last)
            item += ",";
        if (i > 0) {
            if (lineLen + 1 + item.size() > width_) {
                out += "\n";
                lineLen = 0;
            } else {
                out += " ";
                ++lineLen;
            }
        }
        out += item;
        lineLen += item.size();
    }
    return out + "\n";
}

std::vector<std::vector<const wire::Flag*>> PrintFormatter::slots(bool shared) const
{
    std::vector<std::vector<const wire::Flag*>> out;
    for (const auto& f : menu_.flags()) {
        const bool joinPrevious = shared && !out.empty() && out.back().size() == 1 &&
                                  out.back().front()->property() == "disabled" && !out.back().front()->inverted() &&
                                  f.property() != "dynamic";
        if (joinPrevious)
            out.back().push_back(&f);
        else
            out.push_back({&f});
    }
    return out;
}

std::string PrintFormatter::flagText(const wire::Object& object, bool shared) const
{
    std::string out;
    for (const auto& slot : slots(shared)) {
        char c = ' ';
        for (const auto* f : slot) {
            const std::string* v = findValue(object, f->property());
            const bool yes = v && *v == "yes";
            if (yes != f->inverted()) {
                c = f->letter().empty() ? '?' : f->letter()[0];
                break;
            }
        }
        out += c;
    }
    return out;
}

bool PrintFormatter::isFlagProperty(const std::string& property) const
{
    return std::any_of(menu_.flags().begin(), menu_.flags().end(),
                       [&](const wire::Flag& f) { return f.property() == property; });
}

std::string PrintFormatter::cell(const std::string& property, const wire::Object& object) const
{
    const std::string* v = findValue(object, property);
    const auto* p = protocol::findProperty(menu_, property);
    if (!p)
        return v ? *v : std::string();
    if (!v)
        return {};
    return protocol::formatValue(*p, *v);
}

std::string PrintFormatter::table(const std::vector<Row>& rows, std::size_t total) const
{
    const std::size_t numW = numberWidth(total);
    const std::size_t flagW = slots(true).size();
    const std::string blankPrefix(numW + 1 + flagW + (flagW ? 1 : 0), ' ');

    // Cells first: a column grows to fit its widest value.
    std::vector<std::size_t> widths;
    for (const auto& c : menu_.columns())
        widths.push_back(std::max<std::size_t>(c.width(), text::displayWidth(c.title())));
    std::vector<std::vector<std::string>> cells;
    cells.reserve(rows.size());
    for (const auto& r : rows) {
        std::vector<std::string> line;
        for (int i = 0; i < menu_.columns_size(); ++i) {
            line.push_back(cell(menu_.columns(i).property(), *r.object));
            widths[i] = std::max(widths[i], text::displayWidth(line.back()));
        }
        cells.push_back(std::move(line));
    }
    auto joinCells = [&](const std::vector<std::string>& values) {
        std::string out;
        for (std::size_t i = 0; i < values.size(); ++i)
            out += (i ? " " : "") + (i + 1 < values.size() ? text::padRight(values[i], widths[i]) : values[i]);
        return out;
    };

    std::string out = legend();
    std::vector<std::string> titles;
    for (const auto& c : menu_.columns())
        titles.push_back(c.title());
    out += text::padLeft("#", numW) + " " + std::string(flagW, ' ') + (flagW ? " " : "") + joinCells(titles) + "\n";

    const bool hasComment = protocol::findProperty(menu_, "comment") != nullptr;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& o = *rows[i].object;
        std::string prefix = text::padLeft(std::to_string(rows[i].number), numW) + " " + flagText(o, true) +
                             (flagW ? " " : "");
        const std::string* comment = hasComment ? findValue(o, "comment") : nullptr;
        if (comment && !comment->empty()) {
            out += prefix + ";;; " + *comment + "\n";
            prefix = blankPrefix;
        }
        out += prefix + joinCells(cells[i]) + "\n";
    }
    return text::trimLineEnds(out);
}

std::string PrintFormatter::detail(const std::vector<Row>& rows, std::size_t total) const
{
    const std::size_t numW = numberWidth(total);
    const std::size_t flagW = slots(false).size();
    const std::string indent(numW + 1 + flagW + (flagW ? 1 : 0), ' ');

    std::string out = legend();
    for (const auto& r : rows) {
        const auto& o = *r.object;
        std::string line = text::padLeft(std::to_string(r.number), numW) + " " + flagText(o, false) +
                           (flagW ? " " : "");
        const std::string* comment = findValue(o, "comment");
        if (comment && !comment->empty() && protocol::findProperty(menu_, "comment")) {
            out += line + ";;; " + *comment + "\n";
            line = indent;
        }
        bool first = true;
        for (const auto& p : menu_.properties()) {
            if (p.name() == "comment" || isFlagProperty(p.name()) || p.add_only())
                continue;
            const std::string* v = findValue(o, p.name());
            if (!v || (v->empty() && !p.nullable()))
                continue;
            const std::string shown = protocol::formatValue(p, *v);
            const std::string item =
                p.name() + "=" + (p.type() == wire::TYPE_STRING ? text::quoted(shown) : shown);
            if (first) {
                line += item;
                first = false;
            } else if (text::displayWidth(line) + 1 + text::displayWidth(item) > width_) {
                out += line + "\n";
                line = indent + item;
            } else {
                line += " " + item;
            }
        }
        out += line + "\n\n";
    }
    return text::trimLineEnds(out);
}

std::string PrintFormatter::singleton(const wire::Object& object) const
{
    std::vector<std::pair<std::string, std::string>> lines;
    std::size_t nameW = 0;
    for (const auto& p : menu_.properties()) {
        const std::string* v = findValue(object, p.name());
        if (!v || p.add_only())
            continue;
        lines.emplace_back(p.name(), protocol::formatValue(p, *v));
        nameW = std::max(nameW, p.name().size());
    }
    std::string out;
    for (const auto& [name, value] : lines)
        out += text::padLeft(name, nameW + 2) + ": " + value + "\n";
    return text::trimLineEnds(out);
}

}  // namespace mr::cli
