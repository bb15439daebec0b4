#pragma once
// Terse construction of menu schemas by the providers that own the menus:
//   MenuBuilder("/interface/bridge").addable().removable()
//       .property(text("name").unique()).column("name", "NAME", 20)...

#include <initializer_list>
#include <string>
#include <utility>

#include "metarouter.pb.h"

namespace mr::protocol {

// One property's schema, built fluently.
class PropertyBuilder {
public:
    PropertyBuilder(std::string name, wire::PropertyType type)
    {
        p_.set_name(std::move(name));
        p_.set_type(type);
    }
    PropertyBuilder& readOnly() { p_.set_read_only(true); return *this; }
    PropertyBuilder& required() { p_.set_required(true); return *this; }
    PropertyBuilder& unique() { p_.set_unique(true); return *this; }
    PropertyBuilder& addOnly() { p_.set_add_only(true); return *this; }
    PropertyBuilder& nullable() { p_.set_nullable(true); return *this; }
    PropertyBuilder& hex() { p_.set_hex(true); return *this; }
    PropertyBuilder& def(std::string v) { p_.set_default_value(std::move(v)); return *this; }
    PropertyBuilder& range(long long min, long long max) { p_.set_min(min); p_.set_max(max); return *this; }
    PropertyBuilder& unit(std::string u) { p_.set_unit(std::move(u)); return *this; }
    PropertyBuilder& specialZero(std::string s) { p_.set_special_zero(std::move(s)); return *this; }
    PropertyBuilder& references(std::string menu) { p_.set_reference_menu(std::move(menu)); return *this; }
    PropertyBuilder& describe(std::string d) { p_.set_description(std::move(d)); return *this; }
    PropertyBuilder& values(std::initializer_list<const char*> vs)
    {
        for (const char* v : vs)
            p_.add_enum_values(v);
        return *this;
    }
    const wire::PropertySchema& schema() const { return p_; }

private:
    wire::PropertySchema p_;
};

inline PropertyBuilder text(std::string n) { return {std::move(n), wire::TYPE_STRING}; }
inline PropertyBuilder integer(std::string n) { return {std::move(n), wire::TYPE_INTEGER}; }
inline PropertyBuilder boolean(std::string n) { return {std::move(n), wire::TYPE_BOOL}; }
inline PropertyBuilder enumeration(std::string n) { return {std::move(n), wire::TYPE_ENUM}; }
inline PropertyBuilder mac(std::string n) { return {std::move(n), wire::TYPE_MAC}; }
inline PropertyBuilder ipPrefix(std::string n) { return {std::move(n), wire::TYPE_IP_PREFIX}; }
inline PropertyBuilder ip(std::string n) { return {std::move(n), wire::TYPE_IP}; }
inline PropertyBuilder duration(std::string n) { return {std::move(n), wire::TYPE_DURATION}; }
inline PropertyBuilder size(std::string n, std::string unit)
{
    PropertyBuilder b{std::move(n), wire::TYPE_SIZE};
    b.unit(std::move(unit));
    return b;
}
inline PropertyBuilder reference(std::string n, std::string menu)
{
    PropertyBuilder b{std::move(n), wire::TYPE_REFERENCE};
    b.references(std::move(menu));
    return b;
}

// One command's schema.
class CommandBuilder {
public:
    explicit CommandBuilder(std::string name) { c_.set_name(std::move(name)); }
    CommandBuilder& describe(std::string d) { c_.set_description(std::move(d)); return *this; }
    CommandBuilder& targetsObject() { c_.set_targets_object(true); return *this; }
    CommandBuilder& readOnly() { c_.set_read_only(true); return *this; }
    CommandBuilder& tenant() { c_.set_tenant(true); return *this; }
    CommandBuilder& streams() { c_.set_streams(true); return *this; }
    CommandBuilder& longRunning() { c_.set_long_running(true); return *this; }
    CommandBuilder& argument(std::string name, wire::PropertyType type, bool required = false,
                             std::string description = {})
    {
        auto* a = c_.add_arguments();
        a->set_name(std::move(name));
        a->set_type(type);
        a->set_required(required);
        a->set_description(std::move(description));
        return *this;
    }
    // An argument that may be typed without its name ("console mr1").
    CommandBuilder& unnamedArgument(std::string name, wire::PropertyType type, bool required = false,
                                    std::string description = {})
    {
        argument(std::move(name), type, required, std::move(description));
        c_.mutable_arguments()->rbegin()->set_unnamed(true);
        return *this;
    }
    // Limits an argument added last (integers, sizes).
    CommandBuilder& range(long long min, long long max)
    {
        auto* a = &*c_.mutable_arguments()->rbegin();
        a->set_min(min);
        a->set_max(max);
        return *this;
    }
    const wire::CommandSchema& schema() const { return c_; }

private:
    wire::CommandSchema c_;
};

// One menu's schema.
class MenuBuilder {
public:
    explicit MenuBuilder(std::string path) { m_.set_path(std::move(path)); }
    MenuBuilder& describe(std::string d) { m_.set_description(std::move(d)); return *this; }
    MenuBuilder& addable() { m_.set_can_add(true); return *this; }
    MenuBuilder& removable() { m_.set_can_remove(true); return *this; }
    MenuBuilder& settable() { m_.set_can_set(true); return *this; }
    MenuBuilder& singleton() { m_.set_singleton(true); return *this; }
    MenuBuilder& key(std::string property) { m_.set_key_property(std::move(property)); return *this; }
    MenuBuilder& detailByDefault() { m_.set_print_detail_default(true); return *this; }
    // The menu only shows objects that another menu exports: export skips it.
    MenuBuilder& exportedElsewhere() { m_.set_export_elsewhere(true); return *this; }
    MenuBuilder& property(const PropertyBuilder& p) { *m_.add_properties() = p.schema(); return *this; }
    MenuBuilder& command(const CommandBuilder& c) { *m_.add_commands() = c.schema(); return *this; }
    MenuBuilder& column(std::string property, std::string title, unsigned width)
    {
        auto* c = m_.add_columns();
        c->set_property(std::move(property));
        c->set_title(std::move(title));
        c->set_width(width);
        return *this;
    }
    MenuBuilder& flag(std::string letter, std::string description, std::string property, bool inverted = false)
    {
        auto* f = m_.add_flags();
        f->set_letter(std::move(letter));
        f->set_description(std::move(description));
        f->set_property(std::move(property));
        f->set_inverted(inverted);
        return *this;
    }
    // Adds a group that several menus share: add(*this, args...).
    template <typename F, typename... Args>
    MenuBuilder& with(F&& add, Args&&... args)
    {
        std::forward<F>(add)(*this, std::forward<Args>(args)...);
        return *this;
    }
    wire::MenuSchema build() const { return m_; }
    operator wire::MenuSchema() const { return m_; }  // NOLINT(google-explicit-constructor)

private:
    wire::MenuSchema m_;
};

}  // namespace mr::protocol
