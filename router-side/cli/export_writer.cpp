#include "export_writer.h"

#include "cli_text.h"
#include "schema_values.h"

namespace mr::cli {
namespace {

bool isDefault(const wire::PropertySchema& p, const std::string& value)
{
    if (p.default_value().empty())
        return value.empty();
    if (value == p.default_value())
        return true;
    // Defaults are written by people ("0x8000", "5m"), values are canonical.
    auto canonical = protocol::parseValue(p, p.default_value());
    return canonical.ok() && *canonical == value;
}

// An item keyed by a read-only name (a NIC's default-name) has that name
// until it is renamed: name=ether2 on ether2 is a default.
bool isDefaultName(const wire::MenuSchema& menu, const wire::Object& object, const wire::PropertySchema& p,
                   const std::string& value)
{
    if (p.name() != "name" || menu.key_property().empty() || menu.key_property() == p.name())
        return false;
    const auto* key = protocol::findProperty(menu, menu.key_property());
    if (!key || !key->read_only())
        return false;
    auto it = object.properties().find(menu.key_property());
    return it != object.properties().end() && !it->second.empty() && it->second == value;
}

}  // namespace

std::string ExportWriter::assignments(const wire::MenuSchema& menu, const wire::Object& object, bool skipKey) const
{
    std::string out;
    for (const auto& p : menu.properties()) {
        if (p.read_only() || p.add_only() || (skipKey && p.name() == menu.key_property()))
            continue;
        auto it = object.properties().find(p.name());
        if (it == object.properties().end())
            continue;
        if ((isDefault(p, it->second) || isDefaultName(menu, object, p, it->second)) &&
            !(verbose_ && !it->second.empty()))
            continue;
        out += " " + p.name() + "=" + text::quotedIfNeeded(protocol::formatValue(p, it->second));
    }
    return out;
}

void ExportWriter::addMenu(const wire::MenuSchema& menu, const std::vector<wire::Object>& objects)
{
    if (menu.export_elsewhere())
        return;
    const bool asAdd = menu.can_add() && !menu.singleton();
    std::string lines;
    for (const auto& o : objects) {
        auto dyn = o.properties().find("dynamic");
        if (dyn != o.properties().end() && dyn->second == "yes")
            continue;
        if (asAdd) {
            lines += "add" + assignments(menu, o, false) + "\n";
            continue;
        }
        if (!menu.can_set())
            continue;
        if (menu.singleton()) {
            const std::string a = assignments(menu, o, false);
            if (!a.empty())
                lines += "set" + a + "\n";
            continue;
        }
        auto key = o.properties().find(menu.key_property());
        if (key == o.properties().end() || key->second.empty())
            continue;
        const std::string a = assignments(menu, o, true);
        if (!a.empty())
            lines += "set " + text::quotedIfNeeded(key->second) + a + "\n";
    }
    if (lines.empty())
        return;
    const auto* key = menu.key_property().empty() ? nullptr : protocol::findProperty(menu, menu.key_property());
    std::string& section = asAdd || menu.singleton() ? adds_ : key && key->read_only() ? early_ : sets_;
    section += text::displayPath(menu.path()) + "\n" + lines;
}

}  // namespace mr::cli
