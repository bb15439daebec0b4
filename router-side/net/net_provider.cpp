#include "net_provider.h"

#include <QLoggingCategory>

#include <linux/if_arp.h>

#include <algorithm>
#include <cstdio>
#include <regex>
#include <set>

#include "ipv4_prefix.h"
#include "net_menus.h"
#include "object_store.h"
#include "rollback.h"

Q_LOGGING_CATEGORY(lcNet, "mr.net")

namespace mr::net {

using agent::Mutation;
using namespace menus;

namespace {

int toInt(const std::string& s, int fallback = 0)
{
    try {
        return s.empty() ? fallback : std::stoi(s, nullptr, 0);
    } catch (...) {
        return fallback;
    }
}

std::string get(const Properties& p, const std::string& key)
{
    auto it = p.find(key);
    return it == p.end() ? std::string() : it->second;
}

bool changed(const Mutation& m, const std::string& key)
{
    return get(m.before, key) != get(m.after, key);
}

std::string interfaceType(const LinkState& l)
{
    static const std::regex vif("vif[0-9]+");
    if (l.arpType == ARPHRD_LOOPBACK)
        return "loopback";
    if (std::regex_match(l.name, vif))
        return "vif";
    if (l.kind == "bridge" || l.kind == "vlan")
        return l.kind;
    if (l.kind == "veth" || (l.kind.empty() && l.arpType == ARPHRD_ETHER))
        return "ether";
    if (!l.kind.empty())
        return l.kind;
    return "unknown";
}

Status validName(const std::string& property, const std::string& name)
{
    if (name.empty() || name.size() > 15)
        return Error::invalid(property, property + " must be 1 to 15 characters long");
    if (name == "." || name == "..")
        return Error::invalid(property, property + " cannot be '" + name + "'");
    for (char c : name)
        if (c == '/' || c == ':' || c == ' ' || c == '\t')
            return Error::invalid(property, property + " cannot contain '/', ':' or spaces");
    return {};
}

Result<ArpMode> arpMode(const std::string& v)
{
    if (v.empty() || v == "enabled")
        return ArpMode::Enabled;
    if (v == "disabled")
        return ArpMode::Disabled;
    if (v == "proxy-arp")
        return ArpMode::ProxyArp;
    if (v == "local-proxy-arp")
        return ArpMode::LocalProxyArp;
    return Error::invalid("arp", "arp=" + v +
                                     " is not supported on Linux: it cannot answer ARP while never sending "
                                     "requests; use enabled, disabled, proxy-arp or local-proxy-arp");
}

std::string yesNo(bool b)
{
    return b ? "yes" : "no";
}

}  // namespace

NetProvider::NetProvider(int refreshMs, QObject* parent) : QObject(parent), refreshMs_(refreshMs)
{
    connect(&monitor_, &LinkMonitor::changed, this, &NetProvider::onMonitorChanged);
    coalesce_.setSingleShot(true);
    coalesce_.setInterval(kCoalesceMs);
    connect(&coalesce_, &QTimer::timeout, this, [this] {
        const bool structural = pendingStructural_;
        pendingStructural_ = false;
        publish(structural);
    });
}

NetProvider::~NetProvider() = default;

std::vector<wire::MenuSchema> NetProvider::menus() const
{
    return menus::all();
}

bool NetProvider::persists(const std::string& menu) const
{
    return menu != kInterface;
}

// ------------------------------------------------------------------ helpers

std::string NetProvider::value(const std::string& menu, const Props& p, const std::string& key) const
{
    auto it = p.find(key);
    if (it != p.end())
        return it->second;
    return defaultValue(menu, key);
}

bool NetProvider::flag(const std::string& menu, const Props& p, const std::string& key) const
{
    return value(menu, p, key) == "yes";
}

std::vector<std::pair<std::string, Properties>> NetProvider::configured(const std::string& menu) const
{
    std::vector<std::pair<std::string, Props>> out;
    if (!store_)
        return out;
    for (const auto& id : store_->ids(menu)) {
        if (store_->isObserved(menu, id))
            continue;
        if (const Props* p = store_->find(menu, id))
            out.emplace_back(id, *p);
    }
    return out;
}

bool NetProvider::nameTaken(const std::string& name, const std::string& selfMenu, const std::string& selfId,
                            int selfIndex) const
{
    if (auto l = netlink_.link(name); l && l->index != selfIndex)
        return true;
    for (const auto& menu : {kBridge, kVlan})
        for (const auto& [id, p] : configured(menu))
            if (!(menu == selfMenu && id == selfId) && get(p, "name") == name)
                return true;
    return false;
}

bool NetProvider::interfaceKnown(const std::string& name) const
{
    if (netlink_.link(name))
        return true;
    for (const auto& menu : {kBridge, kVlan})
        for (const auto& [id, p] : configured(menu))
            if (get(p, "name") == name)
                return true;
    return false;
}

std::string NetProvider::generateName(const std::string& base) const
{
    for (int n = 1;; ++n) {
        const std::string name = base + std::to_string(n);
        if (!nameTaken(name, {}, {}, 0))
            return name;
    }
}

void NetProvider::updateIfChanged(const std::string& menu, const std::string& id, const Props& props)
{
    const Props* current = store_->find(menu, id);
    if (!current)
        return;
    Props delta;
    for (const auto& [k, v] : props) {
        auto it = current->find(k);
        if (it == current->end() || it->second != v)
            delta[k] = v;
    }
    if (!delta.empty())
        store_->update(menu, id, delta);
}

void NetProvider::reportOnce(const std::string& key, const Status& status)
{
    if (status) {
        reported_.erase(key);
        return;
    }
    auto& last = reported_[key];
    if (last == status.error().text())
        return;
    last = status.error().text();
    qCWarning(lcNet, "%s: %s", key.c_str(), last.c_str());
}

// ------------------------------------------------------------------ start

void NetProvider::start(agent::ObjectStore& store)
{
    store_ = &store;
    if (startStatus_ = netlink_.open(); !startStatus_) {
        qCCritical(lcNet, "%s", startStatus_.error().text().c_str());
        return;
    }
    // Re-apply the configuration over whatever the kernel has: after a
    // restart or kill -9 the bridges may exist already and are adopted.
    for (const auto& [id, p] : configured(kBridge)) {
        Rollback rb;
        Status s = ensureBridge(p, rb, true);
        reportOnce(kBridge + " " + get(p, "name"), s);
        rb.commit();
    }
    for (const auto& [id, p] : configured(kVlan)) {
        Rollback rb;
        reportOnce(kVlan + " " + get(p, "name"), ensureVlan(p, rb, true));
        rb.commit();
    }
    for (const auto& [id, p] : configured(kPort)) {
        Rollback rb;
        const bool disabled = flag(kPort, p, "disabled");
        reportOnce(kPort + " " + get(p, "interface"), disabled ? detachPort(p, rb) : attachPort(p, rb));
        rb.commit();
    }
    for (const auto& [id, p] : configured(kAddress)) {
        Rollback rb;
        const bool disabled = flag(kAddress, p, "disabled");
        reportOnce(kAddress + " " + get(p, "address"), disabled ? removeAddress(p, rb) : addAddress(p, rb));
        rb.commit();
    }
    if (startStatus_ = monitor_.start(refreshMs_); !startStatus_) {
        qCCritical(lcNet, "%s", startStatus_.error().text().c_str());
        return;
    }
    publish(true);
}

void NetProvider::sync()
{
    monitor_.poll();
    publish(true);
}

// ------------------------------------------------------------------ prepare

Status NetProvider::prepare(Mutation& m)
{
    if (!store_)
        return Error::failed("the network provider has not started");
    if (m.menu == kInterface)
        return prepareInterface(m);
    if (m.menu == kBridge)
        return prepareBridge(m);
    if (m.menu == kPort)
        return preparePort(m);
    if (m.menu == kVlan)
        return prepareVlan(m);
    if (m.menu == kAddress)
        return prepareAddress(m);
    return Error::notFound("no such menu: " + m.menu);
}

Status NetProvider::checkName(const Mutation& m, const std::string& property) const
{
    const std::string name = get(m.after, property);
    if (auto s = validName(property, name); !s)
        return s;
    const int self = m.kind == Mutation::Kind::Add ? 0 : netlink_.indexOf(get(m.before, property));
    if ((m.kind == Mutation::Kind::Add || changed(m, property)) && nameTaken(name, m.menu, m.id, self))
        return Error::exists(property, "an interface named " + name + " already exists");
    return {};
}

Status NetProvider::prepareInterface(Mutation& m)
{
    if (m.kind != Mutation::Kind::Set)
        return Error::invalid({}, "interfaces are added and removed through their own menus");
    if (!netlink_.link(get(m.before, "name")))
        return Error::notFound("interface " + get(m.before, "name") + " no longer exists");
    if (changed(m, "name"))
        if (auto s = checkName(m, "name"); !s)
            return s;
    for (const auto& key : {"type", "mac-address", "dynamic", "slave", "running"})
        if (changed(m, key))
            return Error::invalid(key, std::string(key) + " is read-only");
    return {};
}

Status NetProvider::prepareBridge(Mutation& m)
{
    if (m.kind == Mutation::Kind::Remove)
        return {};
    if (get(m.after, "name").empty())
        m.after["name"] = generateName("bridge");
    if (auto s = checkName(m, "name"); !s)
        return s;
    if (auto a = arpMode(value(kBridge, m.after, "arp")); !a)
        return a.error();
    if (!flag(kBridge, m.after, "auto-mac")) {
        const std::string mac = value(kBridge, m.after, "admin-mac");
        unsigned first = 0;
        if (mac.empty() || mac == "00:00:00:00:00:00" || std::sscanf(mac.c_str(), "%2x", &first) != 1 ||
            (first & 1))
            return Error::invalid("admin-mac", "admin-mac must be a unicast, non-zero MAC address when auto-mac=no");
    }
    m.after["transmit-hold-count"] = "6";
    if (m.kind == Mutation::Kind::Add) {
        m.after["running"] = "no";
        m.after["mac-address"] = "00:00:00:00:00:00";
    }
    return {};
}

Status NetProvider::preparePort(Mutation& m)
{
    const bool observed = m.kind != Mutation::Kind::Add && store_->isObserved(m.menu, m.id);
    if (m.kind == Mutation::Kind::Remove)
        return {};
    if (observed)
        return Error::invalid({}, "a dynamic port cannot be changed; add a static port for the interface instead");
    const std::string iface = get(m.after, "interface");
    const std::string bridge = get(m.after, "bridge");
    if (m.kind == Mutation::Kind::Add || changed(m, "interface")) {
        if (!interfaceKnown(iface))
            return Error::notFound("no such interface: " + iface, "interface");
        auto l = netlink_.link(iface);
        if ((l && (l->kind == "bridge" || l->arpType == ARPHRD_LOOPBACK)) || store_->findBy(kBridge, "name", iface) != "")
            return Error::invalid("interface", iface + " cannot be a bridge port");
    }
    if (m.kind == Mutation::Kind::Add || changed(m, "bridge")) {
        bool found = false;
        for (const auto& [id, p] : configured(kBridge))
            found = found || get(p, "name") == bridge;
        if (!found)
            return Error::notFound("no such bridge: " + bridge, "bridge");
    }
    if (iface == bridge)
        return Error::invalid("interface", "a bridge cannot be its own port");
    const std::string horizon = get(m.after, "horizon");
    for (const auto& [id, p] : configured(kPort)) {
        if (id == m.id)
            continue;
        if (get(p, "interface") == iface)
            return Error::exists("interface", iface + " is already a port of " + get(p, "bridge"));
        if (!horizon.empty() && get(p, "bridge") == bridge && !get(p, "horizon").empty() &&
            get(p, "horizon") != horizon)
            return Error::invalid("horizon", "ports of " + bridge + " already use horizon " + get(p, "horizon") +
                                                 ": Linux isolates all ports with a horizon as one group, so a "
                                                 "bridge can have only one horizon value");
    }
    m.after["dynamic"] = "no";
    if (m.kind == Mutation::Kind::Add)
        m.after["inactive"] = "no";
    return {};
}

Status NetProvider::prepareVlan(Mutation& m)
{
    if (m.kind == Mutation::Kind::Remove)
        return {};
    if (get(m.after, "name").empty())
        m.after["name"] = generateName("vlan");
    if (auto s = checkName(m, "name"); !s)
        return s;
    const std::string iface = get(m.after, "interface");
    const int vid = toInt(get(m.after, "vlan-id"));
    if (vid < 1 || vid > 4094)
        return Error::invalid("vlan-id", "vlan-id must be between 1 and 4094");
    if (m.kind == Mutation::Kind::Add || changed(m, "interface")) {
        if (!interfaceKnown(iface))
            return Error::notFound("no such interface: " + iface, "interface");
        if (iface == get(m.after, "name"))
            return Error::invalid("interface", "a vlan cannot sit on itself");
    }
    for (const auto& [id, p] : configured(kVlan))
        if (id != m.id && get(p, "interface") == iface && toInt(get(p, "vlan-id")) == vid)
            return Error::exists("vlan-id", "vlan " + std::to_string(vid) + " on " + iface + " already exists (" +
                                                get(p, "name") + ")");
    const int mtu = toInt(value(kVlan, m.after, "mtu"), 1500);
    if (auto l = netlink_.link(iface); l && mtu > l->mtu)
        return Error::invalid("mtu", "mtu " + std::to_string(mtu) + " is larger than the mtu of " + iface + " (" +
                                         std::to_string(l->mtu) + ")");
    if (m.kind == Mutation::Kind::Add) {
        m.after["running"] = "no";
        m.after["mac-address"] = "00:00:00:00:00:00";
    }
    return {};
}

Status NetProvider::prepareAddress(Mutation& m)
{
    const bool observed = m.kind != Mutation::Kind::Add && store_->isObserved(m.menu, m.id);
    if (m.kind == Mutation::Kind::Remove)
        return {};
    if (observed)
        return Error::invalid({}, "a dynamic address cannot be changed; remove it or add a static one");
    auto prefix = Ipv4Prefix::parse(get(m.after, "address"));
    if (!prefix)
        return Error::invalid("address", "address must be A.B.C.D/LEN");
    const std::string iface = get(m.after, "interface");
    if ((m.kind == Mutation::Kind::Add || changed(m, "interface")) && !interfaceKnown(iface))
        return Error::notFound("no such interface: " + iface, "interface");
    // In place, without copying every address: this runs on each add.
    const Props* self = m.kind == Mutation::Kind::Add ? nullptr : store_->find(m.menu, m.id);
    const std::string text = prefix->text();
    auto is = [](const Props& p, const char* key, const std::string& v) {
        auto it = p.find(key);
        return it != p.end() && it->second == v;
    };
    if (!store_->findIf(
             kAddress, [&](const Props& p) { return &p != self && is(p, "address", text) && is(p, "interface", iface); },
             false)
             .empty())
        return Error::exists("address", "address " + text + " on " + iface + " already exists");
    m.after["address"] = prefix->text();
    m.after["network"] = prefix->networkText();
    m.after["broadcast"] = prefix->broadcastText();
    m.after["dynamic"] = "no";
    if (m.kind == Mutation::Kind::Add)
        m.after["invalid"] = "no";
    return {};
}

// ------------------------------------------------------------------ apply

Status NetProvider::apply(const Mutation& m)
{
    if (!store_ || !startStatus_)
        return Error::failed("the network provider is not running");
    Status s;
    if (m.menu == kInterface)
        s = applyInterface(m);
    else if (m.menu == kBridge)
        s = applyBridge(m);
    else if (m.menu == kPort)
        s = applyPort(m);
    else if (m.menu == kVlan)
        s = applyVlan(m);
    else if (m.menu == kAddress)
        s = applyAddress(m);
    else
        s = Error::notFound("no such menu: " + m.menu);
    return s;
}

void NetProvider::revert(const Mutation& m)
{
    Mutation inverse = m;
    std::swap(inverse.before, inverse.after);
    if (m.kind == Mutation::Kind::Add)
        inverse.kind = Mutation::Kind::Remove;
    else if (m.kind == Mutation::Kind::Remove)
        inverse.kind = Mutation::Kind::Add;
    if (Status s = apply(inverse); !s)
        qCWarning(lcNet, "could not revert a change in %s: %s", m.menu.c_str(), s.error().text().c_str());
}

namespace {

BridgeParams bridgeParams(const Properties& p)
{
    auto v = [&](const char* k) {
        auto it = p.find(k);
        return it == p.end() ? defaultValue(kBridge, k) : it->second;
    };
    BridgeParams b;
    b.mtu = toInt(v("mtu"), 1500);
    b.stp = v("protocol-mode") != "none";
    b.priority = toInt(v("priority"), 0x8000);
    b.ageingTime = toInt(v("ageing-time"), 300);
    b.forwardDelay = toInt(v("forward-delay"), 15);
    b.maxAge = toInt(v("max-message-age"), 20);
    if (v("auto-mac") == "no")
        b.adminMac = v("admin-mac");
    return b;
}

}  // namespace

Status NetProvider::setCommonLink(int index, const Props& before, const Props& after, const std::string& menu,
                                  Rollback& rb)
{
    const std::string oldName = value(menu, before, "name"), newName = value(menu, after, "name");
    if (!before.empty() && oldName != newName) {
        if (auto s = netlink_.rename(index, newName); !s)
            return s;
        rb.add([this, index, oldName] { (void)netlink_.rename(index, oldName); });
    }
    const int oldMtu = toInt(value(menu, before, "mtu")), newMtu = toInt(value(menu, after, "mtu"));
    if (newMtu > 0 && oldMtu != newMtu) {
        if (auto s = menu == kBridge ? netlink_.pinMtu(index, newMtu) : netlink_.setMtu(index, newMtu); !s)
            return s;
        if (oldMtu > 0)
            rb.add([this, index, oldMtu] { (void)netlink_.setMtu(index, oldMtu); });
    }
    const std::string oldComment = get(before, "comment"), newComment = get(after, "comment");
    if (oldComment != newComment) {
        if (auto s = netlink_.setAlias(index, newComment); !s)
            return s;
        rb.add([this, index, oldComment] { (void)netlink_.setAlias(index, oldComment); });
    }
    const bool wasDisabled = flag(menu, before, "disabled"), disabled = flag(menu, after, "disabled");
    if (before.empty() || wasDisabled != disabled) {
        if (auto s = netlink_.setUp(index, !disabled); !s)
            return s;
        rb.add([this, index, wasDisabled] { (void)netlink_.setUp(index, !wasDisabled); });
    }
    return {};
}

Status NetProvider::applyInterface(const Mutation& m)
{
    auto link = netlink_.link(get(m.before, "name"));
    if (!link)
        return Error::notFound("interface " + get(m.before, "name") + " no longer exists");
    Rollback rb;
    if (auto s = setCommonLink(link->index, m.before, m.after, kInterface, rb); !s)
        return s;
    // A configured bridge or vlan changed from /interface keeps its
    // configuration in step (persisted by the store).
    for (const auto& menu : {kBridge, kVlan}) {
        const std::string id = store_->findBy(menu, "name", get(m.before, "name"));
        if (id.empty())
            continue;
        Props delta;
        for (const auto& key : {"name", "mtu", "disabled", "comment"})
            if (changed(m, key))
                delta[key] = get(m.after, key);
        if (!delta.empty())
            store_->update(menu, id, delta);
    }
    rb.commit();
    return {};
}

Status NetProvider::ensureBridge(const Props& p, Rollback& rb, bool adopt)
{
    const std::string name = value(kBridge, p, "name");
    const BridgeParams params = bridgeParams(p);
    auto arp = arpMode(value(kBridge, p, "arp"));
    if (!arp)
        return arp.error();
    if (value(kBridge, p, "protocol-mode") == "rstp")
        qCInfo(lcNet, "%s: protocol-mode=rstp runs as Linux kernel STP (802.1D)", name.c_str());
    const bool up = !flag(kBridge, p, "disabled");
    auto existing = netlink_.link(name);
    if (existing && !adopt)
        return Error::exists("name", "an interface named " + name + " already exists");
    if (existing && existing->kind != "bridge")
        return Error::exists("name", name + " exists in the kernel and is not a bridge");
    int index = 0;
    if (existing) {
        index = existing->index;
        if (auto s = netlink_.changeBridge(index, params); !s)
            return s;
    } else {
        if (auto s = netlink_.createBridge(name, params, false); !s)
            return s;
        index = netlink_.indexOf(name);
        rb.add([this, index] { (void)netlink_.deleteLink(index); });
    }
    if (auto s = netlink_.pinMtu(index, params.mtu); !s)
        return s;
    if (auto s = netlink_.setArp(index, *arp); !s)
        return s;
    if (auto s = netlink_.setAlias(index, get(p, "comment")); !s)
        return s;
    return netlink_.setUp(index, up);
}

Status NetProvider::addOrRemoveLink(const Mutation& m,
                                    const std::function<Status(const Props&, Rollback&)>& ensure)
{
    if (m.kind == Mutation::Kind::Add) {
        Rollback rb;
        if (auto s = ensure(m.after, rb); !s)
            return s;
        rb.commit();
        return {};
    }
    if (auto link = netlink_.link(get(m.before, "name")))
        return netlink_.deleteLink(link->index);
    return {};  // already gone from the kernel
}

Status NetProvider::applyBridge(const Mutation& m)
{
    if (m.kind != Mutation::Kind::Set)
        return addOrRemoveLink(m, [this](const Props& p, Rollback& rb) { return ensureBridge(p, rb, false); });
    Rollback rb;
    auto link = netlink_.link(get(m.before, "name"));
    if (!link || link->kind != "bridge") {  // vanished meanwhile: make it again
        if (auto s = ensureBridge(m.after, rb, false); !s)
            return s;
        rb.commit();
        return {};
    }
    const int index = link->index;
    const BridgeParams oldParams = bridgeParams(m.before), newParams = bridgeParams(m.after);
    if (value(kBridge, m.after, "protocol-mode") == "rstp" && changed(m, "protocol-mode"))
        qCInfo(lcNet, "%s: protocol-mode=rstp runs as Linux kernel STP (802.1D)", get(m.after, "name").c_str());
    if (changed(m, "auto-mac") && flag(kBridge, m.after, "auto-mac"))
        qCInfo(lcNet, "%s: auto-mac=yes keeps the current MAC until the bridge is re-created (Linux cannot "
                      "forget an assigned bridge address)", get(m.after, "name").c_str());
    if (oldParams.stp != newParams.stp || oldParams.priority != newParams.priority ||
        oldParams.ageingTime != newParams.ageingTime || oldParams.forwardDelay != newParams.forwardDelay ||
        oldParams.maxAge != newParams.maxAge || oldParams.adminMac != newParams.adminMac) {
        BridgeParams step = newParams;
        step.mtu = link->mtu;  // the mtu is set (pinned) below
        if (auto s = netlink_.changeBridge(index, step); !s)
            return s;
        BridgeParams undo = oldParams;
        undo.mtu = link->mtu;
        if (undo.adminMac.empty() && !newParams.adminMac.empty())
            undo.adminMac = link->mac;
        rb.add([this, index, undo] { (void)netlink_.changeBridge(index, undo); });
    }
    if (changed(m, "arp")) {
        auto oldArp = arpMode(value(kBridge, m.before, "arp"));
        auto newArp = arpMode(value(kBridge, m.after, "arp"));
        if (!newArp)
            return newArp.error();
        if (auto s = netlink_.setArp(index, *newArp); !s)
            return s;
        const ArpMode undo = oldArp ? *oldArp : ArpMode::Enabled;
        rb.add([this, index, undo] { (void)netlink_.setArp(index, undo); });
    }
    if (auto s = setCommonLink(index, m.before, m.after, kBridge, rb); !s)
        return s;
    rb.commit();
    return {};
}

Status NetProvider::attachPort(const Props& p, Rollback& rb)
{
    auto iface = netlink_.link(get(p, "interface"));
    auto bridge = netlink_.link(get(p, "bridge"));
    if (!iface || !bridge || bridge->kind != "bridge")
        return {};  // inactive until both exist
    PortParams params;
    params.priority = toInt(value(kPort, p, "priority"), 128) / 4;
    params.cost = toInt(value(kPort, p, "path-cost"), 10);
    params.isolated = !get(p, "horizon").empty();
    const int index = iface->index, previous = iface->master;
    if (previous != bridge->index) {
        if (auto s = netlink_.setMaster(index, bridge->index); !s)
            return s;
        rb.add([this, index, previous] { (void)netlink_.setMaster(index, previous); });
    }
    return netlink_.setPortParams(index, params);
}

Status NetProvider::detachPort(const Props& p, Rollback& rb)
{
    auto iface = netlink_.link(get(p, "interface"));
    auto bridge = netlink_.link(get(p, "bridge"));
    if (!iface || !bridge || iface->master != bridge->index)
        return {};
    const int index = iface->index, master = bridge->index;
    if (auto s = netlink_.setMaster(index, 0); !s)
        return s;
    rb.add([this, index, master, p] {
        Rollback none;
        if (netlink_.setMaster(index, master))
            (void)attachPort(p, none);
        none.commit();
    });
    return {};
}

Status NetProvider::applyPort(const Mutation& m)
{
    Rollback rb;
    const bool wasActive = m.kind != Mutation::Kind::Add && !flag(kPort, m.before, "disabled");
    const bool active = m.kind != Mutation::Kind::Remove && !flag(kPort, m.after, "disabled");
    const bool moved = changed(m, "interface") || changed(m, "bridge");
    if (wasActive && (!active || moved))
        if (auto s = detachPort(m.before, rb); !s)
            return s;
    if (active)
        if (auto s = attachPort(m.after, rb); !s)
            return s;
    rb.commit();
    return {};
}

Status NetProvider::ensureVlan(const Props& p, Rollback& rb, bool adopt)
{
    const std::string name = value(kVlan, p, "name");
    const int vid = toInt(get(p, "vlan-id"));
    const int mtu = toInt(value(kVlan, p, "mtu"), 1500);
    const bool up = !flag(kVlan, p, "disabled");
    auto parent = netlink_.link(get(p, "interface"));
    auto existing = netlink_.link(name);
    if (existing && !adopt)
        return Error::exists("name", "an interface named " + name + " already exists");
    if (existing && existing->kind != "vlan")
        return Error::exists("name", name + " exists in the kernel and is not a vlan");
    if (existing && (!parent || existing->parent != parent->index || existing->vlanId != vid)) {
        if (auto s = netlink_.deleteLink(existing->index); !s)
            return s;
        existing.reset();
    }
    if (!parent)
        return {};  // made when the interface appears
    int index = 0;
    if (existing) {
        index = existing->index;
        if (existing->mtu != mtu)
            if (auto s = netlink_.setMtu(index, mtu); !s)
                return s;
    } else {
        if (auto s = netlink_.createVlan(name, parent->index, vid, mtu, false); !s)
            return s;
        index = netlink_.indexOf(name);
        rb.add([this, index] { (void)netlink_.deleteLink(index); });
    }
    if (auto s = netlink_.setAlias(index, get(p, "comment")); !s)
        return s;
    return netlink_.setUp(index, up);
}

Status NetProvider::applyVlan(const Mutation& m)
{
    if (m.kind != Mutation::Kind::Set)
        return addOrRemoveLink(m, [this](const Props& p, Rollback& rb) { return ensureVlan(p, rb, false); });
    Rollback rb;
    auto link = netlink_.link(get(m.before, "name"));
    if (!link || changed(m, "vlan-id") || changed(m, "interface")) {
        // Linux cannot change a vlan's id or lower link: make it anew.
        if (link) {
            if (auto s = netlink_.deleteLink(link->index); !s)
                return s;
            const Props before = m.before;
            rb.add([this, before] {
                Rollback none;
                (void)ensureVlan(before, none, true);
                none.commit();
            });
        }
        if (auto s = ensureVlan(m.after, rb, false); !s)
            return s;
        rb.commit();
        return {};
    }
    if (auto s = setCommonLink(link->index, m.before, m.after, kVlan, rb); !s)
        return s;
    rb.commit();
    return {};
}

Status NetProvider::addAddress(const Props& p, Rollback& rb)
{
    auto prefix = Ipv4Prefix::parse(get(p, "address"));
    if (!prefix)
        return Error::invalid("address", "address must be A.B.C.D/LEN");
    const int index = netlink_.indexOf(get(p, "interface"));
    if (!index)
        return {};  // invalid until the interface exists
    auto added = netlink_.addAddress(index, *prefix);
    if (!added)
        return added.error();
    if (*added)
        rb.add([this, index, pr = *prefix] { (void)netlink_.deleteAddress(index, pr); });
    return {};
}

Status NetProvider::removeAddress(const Props& p, Rollback& rb)
{
    auto prefix = Ipv4Prefix::parse(get(p, "address"));
    const int index = netlink_.indexOf(get(p, "interface"));
    if (!prefix || !index)
        return {};
    auto removed = netlink_.deleteAddress(index, *prefix);
    if (!removed)
        return removed.error();
    if (*removed)
        rb.add([this, index, pr = *prefix] { (void)netlink_.addAddress(index, pr); });
    return {};
}

Status NetProvider::applyAddress(const Mutation& m)
{
    Rollback rb;
    const bool wasActive = m.kind != Mutation::Kind::Add && !flag(kAddress, m.before, "disabled");
    const bool active = m.kind != Mutation::Kind::Remove && !flag(kAddress, m.after, "disabled");
    const bool moved = changed(m, "address") || changed(m, "interface");
    if (wasActive && (!active || moved))
        if (auto s = removeAddress(m.before, rb); !s)
            return s;
    if (active && (!wasActive || moved))
        if (auto s = addAddress(m.after, rb); !s)
            return s;
    rb.commit();
    return {};
}

// ------------------------------------------------------------------ observation

void NetProvider::onMonitorChanged(bool structural)
{
    pendingStructural_ = pendingStructural_ || structural;
    if (!coalesce_.isActive())
        coalesce_.start();
}

void NetProvider::publish(bool structural)
{
    if (!store_ || publishing_)
        return;
    publishing_ = true;
    KernelState next = monitor_.snapshot();
    // A counter refresh may have picked up a change before its event was
    // read (libnl then reports no change): decide by comparing snapshots.
    if (!structural) {
        structural = next.addresses != state_.addresses || next.links.size() != state_.links.size();
        for (auto it = next.links.begin(); !structural && it != next.links.end(); ++it) {
            const LinkState* old = state_.link(it->first);
            structural = !old || !old->sameStructure(it->second);
        }
    }
    if (structural)
        followRenames(next);
    publishInterfaces(next);
    if (structural) {
        publishConfigStatus(next);
        publishDynamicPorts(next);
        publishDynamicAddresses(next);
        reconcile(next);
    }
    state_ = std::move(next);
    publishing_ = false;
}

void NetProvider::followRenames(const KernelState& next)
{
    for (const auto& [index, old] : state_.links) {
        const LinkState* now = next.link(index);
        if (!now || now->name == old.name)
            continue;
        const std::string& from = old.name;
        const std::string& to = now->name;
        qCInfo(lcNet, "interface %s was renamed to %s", from.c_str(), to.c_str());
        for (const auto& menu : {kBridge, kVlan})
            for (const auto& [id, p] : configured(menu))
                if (get(p, "name") == from)
                    store_->update(menu, id, {{"name", to}});
        for (const auto& [id, p] : configured(kPort)) {
            if (get(p, "interface") == from)
                store_->update(kPort, id, {{"interface", to}});
            if (get(p, "bridge") == from)
                store_->update(kPort, id, {{"bridge", to}});
        }
        for (const auto& menu : {kVlan, kAddress})
            for (const auto& [id, p] : configured(menu))
                if (get(p, "interface") == from)
                    store_->update(menu, id, {{"interface", to}});
    }
}

void NetProvider::publishInterfaces(const KernelState& next)
{
    for (const auto& [index, l] : next.links) {
        Props p{
            {"name", l.name},
            {"type", interfaceType(l)},
            {"mtu", std::to_string(l.mtu)},
            {"mac-address", l.mac},
            {"running", yesNo(l.running())},
            {"disabled", yesNo(!l.up())},
            {"dynamic", yesNo(interfaceType(l) == "vif")},
            {"slave", yesNo(l.master != 0)},
            {"comment", l.alias},
            {"rx-byte", std::to_string(l.rxBytes)},
            {"tx-byte", std::to_string(l.txBytes)},
            {"rx-packet", std::to_string(l.rxPackets)},
            {"tx-packet", std::to_string(l.txPackets)},
            {"rx-drop", std::to_string(l.rxDrops)},
            {"tx-drop", std::to_string(l.txDrops)},
            {"rx-error", std::to_string(l.rxErrors)},
            {"tx-error", std::to_string(l.txErrors)},
        };
        auto it = linkIds_.find(index);
        if (it != linkIds_.end() && store_->find(kInterface, it->second))
            updateIfChanged(kInterface, it->second, p);
        else
            linkIds_[index] = store_->addObserved(kInterface, p);
    }
    for (auto it = linkIds_.begin(); it != linkIds_.end();) {
        if (next.links.count(it->first)) {
            ++it;
            continue;
        }
        store_->removeObserved(kInterface, it->second);
        it = linkIds_.erase(it);
    }
}

void NetProvider::publishConfigStatus(const KernelState& next)
{
    for (const auto& menu : {kBridge, kVlan}) {
        for (const auto& [id, p] : configured(menu)) {
            const LinkState* l = next.linkByName(get(p, "name"));
            Props status{{"running", yesNo(l && l->running())}};
            if (l) {
                status["mac-address"] = l->mac;
                // Follow mtu and comment changed outside (ip link set mtu/alias).
                status["mtu"] = std::to_string(l->mtu);
                status["comment"] = l->alias;
            }
            updateIfChanged(menu, id, status);
        }
    }
    for (const auto& [id, p] : configured(kPort)) {
        const LinkState* iface = next.linkByName(get(p, "interface"));
        const LinkState* bridge = next.linkByName(get(p, "bridge"));
        const bool active = iface && bridge && iface->master == bridge->index;
        updateIfChanged(kPort, id, {{"inactive", yesNo(!flag(kPort, p, "disabled") && !active)}});
    }
    for (const auto& [id, p] : configured(kAddress)) {
        const LinkState* iface = next.linkByName(get(p, "interface"));
        Props status{{"invalid", yesNo(!flag(kAddress, p, "disabled") && !iface)}};
        if (auto prefix = Ipv4Prefix::parse(get(p, "address"))) {
            status["network"] = prefix->networkText();
            status["broadcast"] = prefix->broadcastText();
        }
        updateIfChanged(kAddress, id, status);
    }
}

void NetProvider::publishDynamicPorts(const KernelState& next)
{
    const auto ports = configured(kPort);
    std::map<int, Props> wanted;
    for (const auto& [index, l] : next.links) {
        const LinkState* master = next.link(l.master);
        if (!master || master->kind != "bridge")
            continue;
        const bool configuredPort = std::any_of(ports.begin(), ports.end(), [&](const auto& e) {
            return get(e.second, "interface") == l.name && get(e.second, "bridge") == master->name &&
                   !flag(kPort, e.second, "disabled");
        });
        if (!configuredPort)
            wanted[index] = {{"interface", l.name}, {"bridge", master->name}, {"dynamic", "yes"},
                             {"disabled", "no"},    {"inactive", "no"},       {"priority", ""},
                             {"path-cost", ""},     {"horizon", ""}};
    }
    for (auto it = dynamicPorts_.begin(); it != dynamicPorts_.end();) {
        if (wanted.count(it->first) && store_->find(kPort, it->second)) {
            ++it;
            continue;
        }
        if (store_->find(kPort, it->second))
            store_->removeObserved(kPort, it->second);
        it = dynamicPorts_.erase(it);
    }
    for (const auto& [index, p] : wanted) {
        auto it = dynamicPorts_.find(index);
        if (it != dynamicPorts_.end())
            updateIfChanged(kPort, it->second, p);
        else
            dynamicPorts_[index] = store_->addObserved(kPort, p);
    }
}

void NetProvider::publishDynamicAddresses(const KernelState& next)
{
    // Enabled configured addresses as (address, interface): one lookup per
    // kernel address rather than a scan of all configured ones.
    std::set<std::pair<std::string, std::string>> own;
    for (const auto& [id, p] : configured(kAddress))
        if (!flag(kAddress, p, "disabled"))
            own.emplace(get(p, "address"), get(p, "interface"));
    std::map<std::string, Props> wanted;
    for (const auto& [key, a] : next.addresses) {
        const LinkState* l = next.link(a.index);
        if (!l)
            continue;
        if (own.count({a.prefix, l->name}))
            continue;
        auto prefix = Ipv4Prefix::parse(a.prefix);
        wanted[key] = {{"address", a.prefix},
                       {"network", prefix ? prefix->networkText() : ""},
                       {"broadcast", prefix ? prefix->broadcastText() : ""},
                       {"interface", l->name},
                       {"dynamic", "yes"},
                       {"disabled", "no"},
                       {"invalid", "no"}};
    }
    for (auto it = dynamicAddresses_.begin(); it != dynamicAddresses_.end();) {
        if (wanted.count(it->first) && store_->find(kAddress, it->second)) {
            ++it;
            continue;
        }
        if (store_->find(kAddress, it->second))
            store_->removeObserved(kAddress, it->second);
        it = dynamicAddresses_.erase(it);
    }
    for (const auto& [key, p] : wanted) {
        auto it = dynamicAddresses_.find(key);
        if (it != dynamicAddresses_.end())
            updateIfChanged(kAddress, it->second, p);
        else
            dynamicAddresses_[key] = store_->addObserved(kAddress, p);
    }
}

void NetProvider::reconcile(const KernelState& next)
{
    // The daemon owns what it configured: links deleted or ports released
    // outside come back, and dependents follow an interface that (re)appears.
    for (const auto& [id, p] : configured(kBridge)) {
        if (next.linkByName(get(p, "name")))
            continue;
        Rollback rb;
        reportOnce(kBridge + " " + get(p, "name"), ensureBridge(p, rb, true));
        rb.commit();
    }
    for (const auto& [id, p] : configured(kVlan)) {
        if (next.linkByName(get(p, "name")) || !next.linkByName(get(p, "interface")))
            continue;
        Rollback rb;
        reportOnce(kVlan + " " + get(p, "name"), ensureVlan(p, rb, true));
        rb.commit();
    }
    for (const auto& [id, p] : configured(kPort)) {
        const LinkState* iface = next.linkByName(get(p, "interface"));
        const LinkState* bridge = next.linkByName(get(p, "bridge"));
        if (flag(kPort, p, "disabled") || !iface || !bridge || iface->master == bridge->index)
            continue;
        Rollback rb;
        reportOnce(kPort + " " + get(p, "interface"), attachPort(p, rb));
        rb.commit();
    }
    for (const auto& [id, p] : configured(kAddress)) {
        const LinkState* iface = next.linkByName(get(p, "interface"));
        if (flag(kAddress, p, "disabled") || !iface || next.hasAddress(iface->index, get(p, "address")))
            continue;
        Rollback rb;
        reportOnce(kAddress + " " + get(p, "address"), addAddress(p, rb));
        rb.commit();
    }
}

}  // namespace mr::net
