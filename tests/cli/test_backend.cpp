#include "test_backend.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

#include "manual_schema.h"
#include "schema_values.h"

namespace mr::cli::test {
namespace {

std::string value(const wire::Object& o, const std::string& key)
{
    auto it = o.properties().find(key);
    return it == o.properties().end() ? std::string() : it->second;
}

// network and broadcast of "a.b.c.d/len".
std::pair<std::string, std::string> derive(const std::string& prefix)
{
    const auto slash = prefix.find('/');
    in_addr a{};
    inet_pton(AF_INET, prefix.substr(0, slash).c_str(), &a);
    const int len = std::stoi(prefix.substr(slash + 1));
    const uint32_t mask = len == 0 ? 0 : ~uint32_t(0) << (32 - len);
    const uint32_t host = ntohl(a.s_addr);
    char buf[INET_ADDRSTRLEN];
    in_addr n{htonl(host & mask)};
    inet_ntop(AF_INET, &n, buf, sizeof buf);
    std::string network = buf;
    in_addr b{htonl((host & mask) | ~mask)};
    inet_ntop(AF_INET, &b, buf, sizeof buf);
    return {network, buf};
}

}  // namespace

TestBackend::TestBackend() : TestBackend(manualSchema())
{
    for (int i = 1; i <= 4; ++i)
        observe("/interface", {{"name", "ether" + std::to_string(i)},
                               {"type", "ether"},
                               {"mtu", "1500"},
                               {"mac-address", "02:00:00:00:01:0" + std::to_string(i)},
                               {"running", "yes"},
                               {"disabled", "no"},
                               {"dynamic", "no"}});
    observe("/system/identity", {{"name", "MikroTik"}});
}

TestBackend::TestBackend(wire::Schema schema) : schema_(std::move(schema)) {}

std::string TestBackend::identity() const
{
    auto it = objects_.find("/system/identity");
    if (it == objects_.end() || it->second.empty())
        return "MikroTik";
    return value(it->second.front(), "name");
}

const wire::Object* TestBackend::find(const std::string& menu, const std::string& id) const
{
    auto it = objects_.find(menu);
    if (it == objects_.end())
        return nullptr;
    for (const auto& o : it->second)
        if (o.id() == id)
            return &o;
    return nullptr;
}

wire::Object* TestBackend::findMutable(const std::string& menu, const std::string& id)
{
    return const_cast<wire::Object*>(find(menu, id));
}

const wire::Object* TestBackend::findByKey(const std::string& menu, const std::string& v) const
{
    const auto* m = protocol::findMenu(schema_, menu);
    auto it = objects_.find(menu);
    if (!m || it == objects_.end())
        return nullptr;
    for (const auto& o : it->second)
        if (o.id() == v || (!m->key_property().empty() && value(o, m->key_property()) == v))
            return &o;
    return nullptr;
}

std::string TestBackend::nextId(const std::string& menu)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "*%X", ++counters_[menu]);
    return buf;
}

std::string TestBackend::nextName(const std::string& menu, const std::string& stem) const
{
    for (int n = 1;; ++n) {
        const std::string name = stem + std::to_string(n);
        if (!findByKey(menu, name))
            return name;
    }
}

std::string TestBackend::observe(const std::string& menu, const Properties& properties)
{
    wire::Object o;
    o.set_id(nextId(menu));
    for (const auto& [k, v] : properties)
        (*o.mutable_properties())[k] = v;
    objects_[menu].push_back(o);
    return o.id();
}

bool TestBackend::update(const std::string& menu, const std::string& which, const Properties& properties)
{
    const auto* found = findByKey(menu, which);
    if (!found)
        return false;
    auto* o = const_cast<wire::Object*>(found);
    for (const auto& [k, v] : properties)
        (*o->mutable_properties())[k] = v;
    return true;
}

Status TestBackend::validate(const wire::MenuSchema& menu, const std::string& id, Properties& values,
                             bool adding) const
{
    for (auto& [name, v] : values) {
        const auto* p = protocol::findProperty(menu, name);
        if (!p)
            return Error::notFound("no such property " + name, name);
        if (p->read_only())
            return Error::invalid(name, name + " is read-only");
        if (p->add_only() && !adding)
            return Error::invalid(name, name + " can only be given on add");
        auto canonical = protocol::parseValue(*p, v);
        if (!canonical)
            return canonical.error();
        v = *canonical;
        if (p->type() == wire::TYPE_REFERENCE && !v.empty() && !findByKey(p->reference_menu(), v))
            return Error::invalid(name, "no such item " + v + " for " + name);
        if (p->unique())
            for (const auto& o : objects_.at(menu.path()))
                if (o.id() != id && value(o, name) == v)
                    return Error::exists(name, name + " " + v + " already exists");
    }
    return {};
}

Result<std::vector<wire::Object>> TestBackend::get(const std::string& menu)
{
    calls_.push_back("get " + menu);
    if (!protocol::findMenu(schema_, menu))
        return Error::notFound("no such menu " + menu);
    return objects_[menu];
}

Result<std::string> TestBackend::add(const std::string& menu, const Properties& properties)
{
    calls_.push_back("add " + menu);
    const auto* m = protocol::findMenu(schema_, menu);
    if (!m || !m->can_add())
        return Error::notFound("cannot add to " + menu);
    objects_[menu];
    Properties values = properties;
    if (Status s = validate(*m, {}, values, true); !s)
        return s.error();
    for (const auto& p : m->properties()) {
        if (p.required() && !values.count(p.name()))
            return Error::invalid(p.name(), p.name() + " is required");
        if (!values.count(p.name()) && !p.default_value().empty()) {
            auto d = protocol::parseValue(p, p.default_value());
            values[p.name()] = d ? *d : p.default_value();
        }
    }
    wire::Object o;
    o.set_id(nextId(menu));
    for (const auto& [k, v] : values)
        (*o.mutable_properties())[k] = v;
    afterAdd(menu, o);
    objects_[menu].push_back(o);
    return o.id();
}

void TestBackend::afterAdd(const std::string& menu, wire::Object& o)
{
    auto& p = *o.mutable_properties();
    auto nextMac = [this] {
        char buf[18];
        std::snprintf(buf, sizeof buf, "02:00:00:00:02:%02X", ++macCounter_);
        return std::string(buf);
    };
    if (menu == "/interface/bridge") {
        if (p["name"].empty())
            p["name"] = nextName("/interface", "bridge");
        p["mac-address"] = "00:00:00:00:00:00";
        p["running"] = p["disabled"] == "yes" ? "no" : "yes";
        observe("/interface", {{"name", p["name"]}, {"type", "bridge"}, {"mtu", p["mtu"]}, {"running", p["running"]},
                               {"disabled", p["disabled"]}, {"dynamic", "no"}});
    } else if (menu == "/metarouter") {
        if (p["name"].empty())
            p["name"] = nextName("/metarouter", "mr");
        p["state"] = p["disabled"] == "yes" ? "disabled" : "running";
        p["used-disk"] = "0";
    } else if (menu == "/metarouter/interface") {
        if (p["vm-mac-address"].empty())
            p["vm-mac-address"] = nextMac();
        p["active"] = "yes";
        if (p["type"] == "dynamic") {
            if (p["dynamic-mac-address"].empty())
                p["dynamic-mac-address"] = nextMac();
            p["interface"] = nextName("/interface", "vif");
            observe("/interface", {{"name", p["interface"]}, {"type", "vif"}, {"mtu", "1500"}, {"running", "yes"},
                                   {"disabled", "no"}, {"dynamic", "yes"}});
        }
    } else if (menu == "/ip/address") {
        const auto [network, broadcast] = derive(p["address"]);
        p["network"] = network;
        p["broadcast"] = broadcast;
    } else if (menu == "/interface/bridge/port") {
        p["horizon"];
    }
}

Status TestBackend::set(const std::string& menu, const std::string& id, const Properties& properties,
                        const std::vector<std::string>& unset)
{
    calls_.push_back("set " + menu + " " + id);
    const auto* m = protocol::findMenu(schema_, menu);
    auto* o = findMutable(menu, id);
    if (!m || !o)
        return Error::notFound("no such item " + id);
    Properties values = properties;
    if (Status s = validate(*m, id, values, false); !s)
        return s;
    for (const auto& name : unset) {
        const auto* p = protocol::findProperty(*m, name);
        if (!p || p->read_only())
            return Error::invalid(name, "cannot unset " + name);
        auto d = protocol::parseValue(*p, p->default_value());
        values[name] = p->default_value().empty() ? std::string() : (d ? *d : p->default_value());
    }
    for (const auto& [k, v] : values)
        (*o->mutable_properties())[k] = v;
    if (menu == "/metarouter" && values.count("disabled"))
        (*o->mutable_properties())["state"] = values["disabled"] == "yes" ? "disabled" : "running";
    if (menu == "/interface/bridge" && values.count("disabled"))
        (*o->mutable_properties())["running"] = values["disabled"] == "yes" ? "no" : "yes";
    return {};
}

Status TestBackend::remove(const std::string& menu, const std::string& id)
{
    calls_.push_back("remove " + menu + " " + id);
    auto* o = findMutable(menu, id);
    if (!o)
        return Error::notFound("no such item " + id);
    if (value(*o, "dynamic") == "yes")
        return Error::failed("can not remove dynamic item");
    auto& list = objects_[menu];
    list.erase(std::remove_if(list.begin(), list.end(), [&](const wire::Object& x) { return x.id() == id; }),
               list.end());
    return {};
}

Result<std::string> TestBackend::command(const std::string& menu, const std::string& command, const std::string& id,
                                         const Properties& arguments)
{
    std::string call = "command " + menu + " " + command + " " + id;
    for (const auto& [k, v] : arguments)
        call += " " + k + "=" + v;
    calls_.push_back(call);
    if (menu != "/metarouter")
        return Error::notFound("no such command " + command);
    if (command == "import-image")
        return std::string(" imported: 100%\n");
    auto* o = findMutable(menu, id);
    if (!o)
        return Error::notFound("no such item " + id);
    auto& state = (*o->mutable_properties())["state"];
    if (command == "start")
        state = "running";
    else if (command == "shut-down")
        state = "stopped";
    else if (command == "reboot")
        state = "rebooting";
    else
        return Error::notFound("no such command " + command);
    return std::string();
}

}  // namespace mr::cli::test
