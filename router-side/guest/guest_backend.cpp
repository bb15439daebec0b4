#include "guest_backend.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/rtnetlink.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <sstream>

#include "guest_menus.h"
#include "process_runner.h"

namespace mr::guest {

using namespace menus;

namespace {

wire::Object object(const std::string& id, const Properties& properties)
{
    wire::Object o;
    o.set_id(id);
    for (const auto& [k, v] : properties)
        if (!v.empty())
            (*o.mutable_properties())[k] = v;
    return o;
}

std::string value(const Properties& p, const std::string& key, const std::string& fallback = {})
{
    auto it = p.find(key);
    return it == p.end() ? fallback : it->second;
}

bool parseIpv4(const std::string& text, std::uint32_t& out)
{
    in_addr a{};
    if (inet_pton(AF_INET, text.c_str(), &a) != 1)
        return false;
    out = ntohl(a.s_addr);
    return true;
}

std::string ipv4(std::uint32_t v)
{
    in_addr a{htonl(v)};
    char buf[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &a, buf, sizeof buf);
    return buf;
}

// "10.0.0.2/24" -> address, prefix length.
bool parsePrefix(const std::string& text, std::uint32_t& address, unsigned& length)
{
    const auto slash = text.find('/');
    length = 32;
    if (slash != std::string::npos) {
        const std::string l = text.substr(slash + 1);
        if (l.empty() || l.size() > 2 || !std::all_of(l.begin(), l.end(), ::isdigit))
            return false;
        length = static_cast<unsigned>(std::stoul(l));
        if (length > 32)
            return false;
    }
    return parseIpv4(text.substr(0, slash), address);
}

std::uint32_t mask(unsigned length)
{
    return length ? ~std::uint32_t(0) << (32 - length) : 0;
}

std::string networkOf(const std::string& prefix)
{
    std::uint32_t a = 0;
    unsigned l = 0;
    return parsePrefix(prefix, a, l) ? ipv4(a & mask(l)) + "/" + std::to_string(l) : prefix;
}

// Ids for what the kernel has but the configuration does not (dynamic):
// long hex numbers that configuration ids never reach.
std::string dynamicId(unsigned base, const std::string& key)
{
    return "*" + GuestConfig::hex((static_cast<unsigned long long>(base) << 24) | (std::hash<std::string>{}(key) & 0xFFFFFF));
}

// ether2 < ether10.
bool naturalLess(const std::string& a, const std::string& b)
{
    auto split = [](const std::string& s) {
        std::size_t i = s.size();
        while (i > 0 && std::isdigit(static_cast<unsigned char>(s[i - 1])))
            --i;
        return std::make_pair(s.substr(0, i), i < s.size() && s.size() - i < 9 ? std::stol(s.substr(i)) : -1L);
    };
    return split(a) < split(b);
}

// "1.1.1.1,8.8.8.8" -> the same, normalized; at most 3 (resolv.conf's limit).
Result<std::string> parseServers(const std::string& text)
{
    if (text.empty())
        return std::string();
    std::string out;
    std::size_t pos = 0, count = 0;
    while (true) {
        const std::size_t comma = text.find(',', pos);
        const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        std::uint32_t a = 0;
        if (!parseIpv4(item, a))
            return Error::invalid("servers", "invalid value for servers: '" + item + "' is not an IPv4 address");
        if (++count > 3)
            return Error::invalid("servers", "at most 3 DNS servers");
        out += (out.empty() ? "" : ",") + ipv4(a);
        if (comma == std::string::npos)
            break;
        pos = comma + 1;
    }
    return out;
}

const std::string kNoInterface = "input does not match any value of interface";

// "established,related" -> the same, checked and without repeats.
Result<std::string> connectionStates(const std::string& text)
{
    static const std::vector<std::string> known{"established", "related", "new", "invalid"};
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t comma = text.find(',', pos);
        if (comma == std::string::npos)
            comma = text.size();
        const std::string item = text.substr(pos, comma - pos);
        if (std::find(known.begin(), known.end(), item) == known.end())
            return Error::invalid("connection-state", "invalid value for connection-state: '" + item +
                                                          "' (expected established, related, new, invalid)");
        if (("," + out + ",").find("," + item + ",") == std::string::npos)
            out += (out.empty() ? "" : ",") + item;
        pos = comma + 1;
    }
    if (!text.empty() && text.back() == ',')
        return Error::invalid("connection-state", "invalid value for connection-state: '' (expected established, related, new, invalid)");
    return out;
}

}  // namespace

GuestBackend::GuestBackend(Options options)
    : options_(std::move(options)), schema_(menus::schema()), config_(options_.configPath)
{
}

Status GuestBackend::load()
{
    if (!options_.interfaceMap.empty()) {
        std::ifstream in(options_.interfaceMap);
        int index = 0;
        std::string name;
        while (in >> index >> name)
            ifmap_[index] = name;
    }
    return config_.load();
}

Status GuestBackend::save()
{
    return config_.save();
}

std::string GuestBackend::identity() const
{
    auto& self = const_cast<GuestConfig&>(config_);
    return value(self.singleton(kIdentity), "name", "MikroTik");
}

// ------------------------------------------------------------------ links

bool GuestBackend::isEther(const KernelNet::Link& l) const
{
    // Hardware NICs have no link kind; veth stands in for them in tests.
    return l.ethernet && (l.kind.empty() || l.kind == "veth") && l.name != "lo";
}

std::string GuestBackend::defaultName(const KernelNet::Link& l) const
{
    auto it = ifmap_.find(l.index);
    return it == ifmap_.end() ? l.name : it->second;
}

Result<GuestBackend::Links> GuestBackend::links()
{
    auto list = net_.links();
    if (!list)
        return list.error();
    bool changed = false;
    std::map<int, std::string> seen;
    for (const auto& l : *list) {
        if (!isEther(l))
            continue;
        auto it = ifmap_.find(l.index);
        seen[l.index] = it == ifmap_.end() ? l.name : it->second;
        changed = changed || it == ifmap_.end();
    }
    changed = changed || seen.size() != ifmap_.size();
    ifmap_ = std::move(seen);
    if (changed && !options_.interfaceMap.empty()) {
        std::ofstream out(options_.interfaceMap, std::ios::trunc);
        for (const auto& [index, name] : ifmap_)
            out << index << ' ' << name << '\n';
    }
    std::sort(list->begin(), list->end(), [&](const auto& a, const auto& b) {
        const bool ea = isEther(a), eb = isEther(b);
        if (ea != eb)
            return ea;
        return ea ? naturalLess(defaultName(a), defaultName(b)) : a.index < b.index;
    });
    return list;
}

Result<std::string> GuestBackend::stableName(const std::string& current, const std::string& field)
{
    auto list = links();
    if (!list)
        return list.error();
    for (const auto& l : *list)
        if (l.name == current && l.name != "lo")
            return defaultName(l);
    return Error::invalid(field, kNoInterface);
}

Status GuestBackend::keepByStableName(Properties& p, const std::string& key)
{
    auto stable = stableName(value(p, key), key);
    if (!stable)
        return stable.error();
    p[key] = *stable;
    return {};
}

std::string GuestBackend::currentName(const std::string& stable, const Links& links) const
{
    const auto* l = linkByStable(stable, links);
    return l ? l->name : stable;
}

const KernelNet::Link* GuestBackend::linkByStable(const std::string& stable, const Links& links) const
{
    for (const auto& l : links)
        if (defaultName(l) == stable)
            return &l;
    return nullptr;
}

Result<std::vector<wire::Object>> GuestBackend::getLinks(bool ethernetOnly)
{
    auto list = links();
    if (!list)
        return list.error();
    std::vector<wire::Object> out;
    for (const auto& l : *list) {
        if (l.name == "lo" || (ethernetOnly && !isEther(l)))
            continue;
        const auto* rec = config_.find(kInterface, defaultName(l));
        Properties p{{"name", l.name},
                     {"default-name", isEther(l) ? defaultName(l) : std::string()},
                     {"type", isEther(l) ? std::string("ether") : l.kind},
                     {"mtu", std::to_string(l.mtu)},
                     {"mac-address", l.mac},
                     {"arp", l.noarp ? "disabled" : "enabled"},
                     {"running", l.running ? "yes" : "no"},
                     {"disabled", l.up ? "no" : "yes"},
                     {"slave", l.slave ? "yes" : "no"},
                     {"comment", rec ? value(rec->properties, "comment") : std::string()}};
        out.push_back(object("*" + GuestConfig::hex(static_cast<unsigned>(l.index)), p));
    }
    return out;
}

Status GuestBackend::applyLink(const KernelNet::Link& link, const Properties& desired, bool rename)
{
    KernelNet::LinkChange c;
    if (rename && desired.count("name") && desired.at("name") != link.name)
        c.name = desired.at("name");
    if (desired.count("mtu")) {
        const unsigned mtu = static_cast<unsigned>(std::stoul(desired.at("mtu")));
        if (mtu != link.mtu)
            c.mtu = mtu;
    }
    if (desired.count("disabled"))
        c.up = desired.at("disabled") == "yes" ? 0 : 1;
    if (desired.count("arp"))
        c.arp = desired.at("arp") == "disabled" ? 0 : 1;
    return net_.changeLink(link.index, c);
}

Status GuestBackend::setLink(const std::string& id, const Properties& properties,
                             const std::vector<std::string>& unset)
{
    auto list = links();
    if (!list)
        return list.error();
    const KernelNet::Link* link = nullptr;
    for (const auto& l : *list)
        if ("*" + GuestConfig::hex(static_cast<unsigned>(l.index)) == id)
            link = &l;
    if (!link)
        return Error::notFound("no such item");
    const std::string stable = defaultName(*link);
    Properties desired = properties;
    for (const auto& u : unset) {
        if (u == "mtu")
            desired["mtu"] = "1500";
        else if (u == "disabled")
            desired["disabled"] = "no";
        else if (u == "arp")
            desired["arp"] = "enabled";
        else if (u == "name")
            desired["name"] = stable;
        else
            desired[u] = "";
    }
    if (desired.count("name")) {
        const std::string& name = desired["name"];
        if (name.empty())
            return Error::invalid("name", "name must not be empty");
        if (name.find_first_of(" /:") != std::string::npos)
            return Error::invalid("name", "invalid interface name: " + name);
        for (const auto& l : *list)
            if (l.name == name && l.index != link->index)
                return Error::exists("name", "already have interface with such name");
    }
    if (Status s = applyLink(*link, desired, true); !s)
        return s;
    auto* rec = config_.find(kInterface, stable);
    if (!rec) {
        config_.records(kInterface).push_back({stable, {}});
        rec = &config_.records(kInterface).back();
    }
    for (const auto& [k, v] : desired) {
        const bool isDefault = v.empty() || (k == "name" && v == stable) || (k == "disabled" && v == "no") ||
                               (k == "arp" && v == "enabled");
        if (isDefault)
            rec->properties.erase(k);
        else
            rec->properties[k] = v;
    }
    if (Status s = save(); !s)
        return s;
    retryRoutes();
    if (desired.count("name") && desired.at("name") != link->name)
        for (const auto& r : config_.records(kDhcpClient))
            if (value(r.properties, "interface") == stable && value(r.properties, "disabled") != "yes") {
                // udhcpc knows the interface by its old name: restart it.
                stopDhcp(stable);
                (void)startDhcp(stable);
            }
    if (!config_.records(kNat).empty() || !config_.records(kFilter).empty() || firewallApplied_)
        return applyFirewall();
    return {};
}

// ------------------------------------------------------------------ addresses

Result<Properties> GuestBackend::checkAddress(Properties p, const std::string& selfId)
{
    std::uint32_t a = 0;
    unsigned l = 0;
    if (!parsePrefix(value(p, "address"), a, l))
        return Error::invalid("address", "invalid value for address");
    if (l == 0 || (l < 31 && ((a & ~mask(l)) == 0 || (a | mask(l)) == ~std::uint32_t(0))))
        return Error::invalid("address", "address " + value(p, "address") + " is its network or broadcast address");
    for (const auto& r : config_.records(kAddress))
        if (r.id != selfId && value(r.properties, "address") == value(p, "address") &&
            value(r.properties, "interface") == value(p, "interface"))
            return Error::exists("address", "already have such address");
    return p;
}

Status GuestBackend::applyAddress(const Properties& p, bool add)
{
    auto list = links();
    if (!list)
        return list.error();
    const auto* link = linkByStable(value(p, "interface"), *list);
    if (!link)
        return add ? Status(Error::invalid("interface", kNoInterface)) : Status();
    return add ? net_.addAddress(link->index, value(p, "address")) : net_.removeAddress(link->index, value(p, "address"));
}

Result<std::vector<wire::Object>> GuestBackend::getAddresses()
{
    auto list = links();
    if (!list)
        return list.error();
    auto kernel = net_.addresses();
    if (!kernel)
        return kernel.error();
    std::vector<wire::Object> out;
    std::vector<std::pair<int, std::string>> configured;
    auto fill = [](Properties& p) {
        std::uint32_t a = 0;
        unsigned l = 0;
        if (parsePrefix(p["address"], a, l)) {
            p["network"] = ipv4(a & mask(l));
            p["broadcast"] = l < 31 ? ipv4(a | ~mask(l)) : std::string();
        }
    };
    for (const auto& r : config_.records(kAddress)) {
        Properties p = r.properties;
        const auto* link = linkByStable(value(p, "interface"), *list);
        p["interface"] = currentName(value(p, "interface"), *list);
        p["invalid"] = link ? "no" : "yes";
        fill(p);
        if (link && value(p, "disabled") != "yes")
            configured.emplace_back(link->index, value(p, "address"));
        out.push_back(object(r.id, p));
    }
    for (const auto& k : *kernel) {
        if (std::find(configured.begin(), configured.end(), std::make_pair(k.index, k.prefix)) != configured.end())
            continue;
        std::string name;
        for (const auto& l : *list)
            if (l.index == k.index)
                name = l.name;
        if (name == "lo")
            continue;
        Properties p{{"address", k.prefix}, {"interface", name}, {"dynamic", "yes"}};
        fill(p);
        out.push_back(object(dynamicId(0xA1, k.prefix + "@" + std::to_string(k.index)), p));
    }
    return out;
}

// ------------------------------------------------------------------ routes

Result<Properties> GuestBackend::checkRoute(Properties p)
{
    if (value(p, "dst-address").empty())
        p["dst-address"] = "0.0.0.0/0";
    p["dst-address"] = networkOf(p["dst-address"]);
    if (value(p, "distance").empty())
        p["distance"] = "1";
    std::uint32_t gw = 0;
    const std::string g = value(p, "gateway");
    if (!g.empty() && g.front() == '%')
        return p;  // already an interface, kept by default name
    if (!parseIpv4(g, gw)) {
        auto stable = stableName(g);
        if (!stable)
            return Error::invalid("gateway", "invalid value for gateway: neither an IPv4 address nor an interface");
        p["gateway"] = "%" + *stable;  // marks an interface
    }
    return p;
}

Status GuestBackend::applyRoute(const Properties& p, bool add)
{
    auto list = links();
    if (!list)
        return list.error();
    std::string gw = value(p, "gateway");
    int oif = 0;
    if (!gw.empty() && gw.front() == '%') {
        const auto* link = linkByStable(gw.substr(1), *list);
        if (!link)
            return Error::invalid("gateway", kNoInterface);
        oif = link->index;
        gw.clear();
    }
    const unsigned metric = static_cast<unsigned>(std::stoul(value(p, "distance", "1")));
    return add ? net_.addRoute(value(p, "dst-address"), gw, oif, metric)
               : net_.removeRoute(value(p, "dst-address"), gw, oif, metric);
}

void GuestBackend::retryRoutes()
{
    // A gateway becomes reachable when an address or a link comes up.
    for (const auto& r : config_.records(kRoute))
        if (value(r.properties, "disabled") != "yes")
            (void)applyRoute(r.properties, true);
}

Result<std::vector<wire::Object>> GuestBackend::getRoutes()
{
    auto list = links();
    if (!list)
        return list.error();
    auto kernel = net_.routes();
    if (!kernel)
        return kernel.error();
    auto nameOf = [&](int index) {
        for (const auto& l : *list)
            if (l.index == index)
                return l.name;
        return std::string();
    };
    std::vector<bool> used(kernel->size());
    std::vector<wire::Object> out;
    for (const auto& r : config_.records(kRoute)) {
        Properties p = r.properties;
        std::string gw = value(p, "gateway");
        int oif = 0;
        if (!gw.empty() && gw.front() == '%') {
            const auto* link = linkByStable(gw.substr(1), *list);
            oif = link ? link->index : -1;
            p["gateway"] = currentName(gw.substr(1), *list);
            gw.clear();
        }
        p["static"] = "yes";
        p["active"] = "no";
        if (value(p, "disabled") != "yes")
            for (std::size_t i = 0; i < kernel->size(); ++i) {
                const auto& k = (*kernel)[i];
                if (used[i] || k.dst != value(p, "dst-address") || std::to_string(k.metric) != value(p, "distance") ||
                    k.gateway != gw || (oif && k.oif != oif))
                    continue;
                used[i] = true;
                p["active"] = "yes";
                p["interface"] = nameOf(k.oif);
                break;
            }
        out.push_back(object(r.id, p));
    }
    for (std::size_t i = 0; i < kernel->size(); ++i) {
        if (used[i])
            continue;
        const auto& k = (*kernel)[i];
        const bool connected = k.protocol == RTPROT_KERNEL;
        Properties p{{"dst-address", k.dst},
                     {"gateway", k.gateway},
                     {"pref-src", k.prefSrc},
                     {"distance", std::to_string(k.metric)},
                     {"interface", nameOf(k.oif)},
                     {"active", "yes"},
                     {"dynamic", "yes"},
                     {"connect", connected ? "yes" : "no"}};
        out.push_back(object(dynamicId(0xB1, k.dst + "@" + k.gateway + "@" + std::to_string(k.oif) + "@" +
                                                  std::to_string(k.metric)),
                             p));
    }
    return out;
}

// ------------------------------------------------------------------ firewall

// The matchers NAT and filter rules share, in nft syntax.
Status GuestBackend::matchRule(const Properties& p, const Links& links, std::string& rule) const
{
    const std::string proto = value(p, "protocol");
    auto iface = [&](const char* key, const char* match) -> Status {
        const std::string v = value(p, key);
        if (v.empty())
            return {};
        const auto* link = linkByStable(v, links);
        if (!link)
            return Error::invalid(key, std::string(key) + ": no such interface " + v);
        rule += std::string(match) + " \"" + link->name + "\" ";
        return {};
    };
    if (Status s = iface("in-interface", "iifname"); !s)
        return s;
    if (Status s = iface("out-interface", "oifname"); !s)
        return s;
    if (!value(p, "src-address").empty())
        rule += "ip saddr " + networkOf(value(p, "src-address")) + " ";
    if (!value(p, "dst-address").empty())
        rule += "ip daddr " + networkOf(value(p, "dst-address")) + " ";
    const bool ports = proto == "tcp" || proto == "udp";
    if (!proto.empty())
        rule += "ip protocol " + proto + " ";
    for (const char* key : {"src-port", "dst-port"}) {
        if (value(p, key).empty())
            continue;
        if (!ports)
            return Error::invalid(key, std::string(key) + " needs protocol=tcp or protocol=udp");
        rule += proto + (key[0] == 's' ? " sport " : " dport ") + value(p, key) + " ";
    }
    if (const std::string states = value(p, "connection-state"); !states.empty())
        rule += "ct state " + states + " ";
    return {};
}

Result<std::string> GuestBackend::natRule(const Properties& p, const Links& links) const
{
    const std::string chain = value(p, "chain");
    const std::string action = value(p, "action", "accept");
    const std::string proto = value(p, "protocol");
    std::string rule;
    if (chain == "srcnat" && !value(p, "in-interface").empty())
        return Error::invalid("in-interface", "incoming interface matching not possible in srcnat chain");
    if (chain == "dstnat" && !value(p, "out-interface").empty())
        return Error::invalid("out-interface", "outgoing interface matching not possible in dstnat chain");
    if (Status s = matchRule(p, links, rule); !s)
        return s.error();
    const bool ports = proto == "tcp" || proto == "udp";
    const std::string to = value(p, "to-addresses");
    const std::string toPorts = value(p, "to-ports");
    if (!toPorts.empty() && !ports)
        return Error::invalid("to-ports", "to-ports needs protocol=tcp or protocol=udp");
    if (action == "accept") {
        rule += "accept";
    } else if (action == "masquerade") {
        if (chain != "srcnat")
            return Error::invalid("action", "masquerade works in the srcnat chain only");
        rule += "masquerade" + (toPorts.empty() ? std::string() : " to :" + toPorts);
    } else if (action == "src-nat" || action == "dst-nat") {
        if ((action == "src-nat") != (chain == "srcnat"))
            return Error::invalid("action", action + " does not work in the " + chain + " chain");
        if (to.empty() && (action == "src-nat" || toPorts.empty()))
            return Error::invalid("to-addresses", action + " needs to-addresses");
        if (to.empty())
            rule += "redirect to :" + toPorts;
        else
            rule += (action == "src-nat" ? "snat to " : "dnat to ") + to + (toPorts.empty() ? "" : ":" + toPorts);
    } else if (action == "redirect") {
        if (chain != "dstnat" || toPorts.empty())
            return Error::invalid("to-ports", "redirect needs chain=dstnat and to-ports");
        rule += "redirect to :" + toPorts;
    } else {
        return Error::invalid("action", "unsupported action " + action);
    }
    return rule;
}

Result<std::string> GuestBackend::filterRule(const Properties& p, const Links& links) const
{
    const std::string chain = value(p, "chain");
    const std::string action = value(p, "action", "accept");
    if (chain == "input" && !value(p, "out-interface").empty())
        return Error::invalid("out-interface", "outgoing interface matching not possible in input chain");
    if (chain == "output" && !value(p, "in-interface").empty())
        return Error::invalid("in-interface", "incoming interface matching not possible in output chain");
    std::string rule;
    if (Status s = matchRule(p, links, rule); !s)
        return s.error();
    if (action != "accept" && action != "drop" && action != "reject")
        return Error::invalid("action", "unsupported action " + action);
    return rule + action;
}

Result<std::string> GuestBackend::firewallRule(const std::string& menu, const Properties& p, const Links& links) const
{
    return menu == kNat ? natRule(p, links) : filterRule(p, links);
}

Status GuestBackend::applyFirewall()
{
    auto list = links();
    if (!list)
        return list.error();
    std::map<std::string, std::string> chains;
    for (const char* menu : {kFilter, kNat})
        for (const auto& r : config_.records(menu)) {
            if (value(r.properties, "disabled") == "yes")
                continue;
            auto rule = firewallRule(menu, r.properties, *list);
            if (!rule)
                continue;  // shown as invalid
            chains[value(r.properties, "chain")] += "    " + *rule + "\n";
        }
    auto chain = [&](const std::string& name, const std::string& hook) {
        return "  chain " + name + " {\n    " + hook + "; policy accept;\n" + chains[name] + "  }\n";
    };
    // One transaction: the old table goes and the new one comes, or nothing changes.
    const std::string ruleset = "table ip mikrotik\ndelete table ip mikrotik\ntable ip mikrotik {\n" +
                                chain("input", "type filter hook input priority 0") +
                                chain("forward", "type filter hook forward priority 0") +
                                chain("output", "type filter hook output priority 0") +
                                chain("srcnat", "type nat hook postrouting priority 100") +
                                chain("dstnat", "type nat hook prerouting priority -100") + "}\n";
    if (!firewallApplied_) {
        // The guest kernel does not autoload nfnetlink's subsystems; a
        // missing modprobe (tests on a host) is fine, the host has them.
        // libcrc32c (for nf_tables) has only a soft dependency on crc32c, which busybox ignores.
        (void)ProcessRunner::run({options_.modprobe, "-a", "-q", "crc32c_generic", "nf_tables", "nft_chain_nat",
                                  "nft_nat", "nft_masq", "nft_redir", "nft_ct", "nft_reject_ipv4"});
    }
    auto r = ProcessRunner::run({options_.nft, "-f", "-"}, ruleset);
    if (!r)
        return r.error();
    if (r->exitCode != 0) {
        std::string first = r->text.substr(0, r->text.find('\n'));
        return Error::failed("nftables: " + (first.empty() ? "exit " + std::to_string(r->exitCode) : first));
    }
    firewallApplied_ = true;
    return {};
}

Result<std::vector<wire::Object>> GuestBackend::getFirewall(const std::string& menu)
{
    auto list = links();
    if (!list)
        return list.error();
    std::vector<wire::Object> out;
    for (const auto& r : config_.records(menu)) {
        Properties p = r.properties;
        p["invalid"] = firewallRule(menu, p, *list) ? "no" : "yes";
        p["action"] = value(p, "action", "accept");  // shown even when left at its default
        for (const char* key : {"in-interface", "out-interface"})
            if (!value(p, key).empty())
                p[key] = currentName(p[key], *list);
        out.push_back(object(r.id, p));
    }
    return out;
}

// ------------------------------------------------------------------ DHCP client

Result<Properties> GuestBackend::checkDhcpClient(Properties p, const std::string& selfId)
{
    for (const auto& r : config_.records(kDhcpClient))
        if (r.id != selfId && value(r.properties, "interface") == value(p, "interface"))
            return Error::exists("interface", "dhcp-client on that interface already exists");
    return p;
}

Properties GuestBackend::lease(const std::string& stable) const
{
    Properties p;
    std::ifstream in(options_.dhcpDir + "/" + stable + ".lease");
    for (std::string line; std::getline(in, line);)
        if (const auto eq = line.find('='); eq != std::string::npos)
            p[line.substr(0, eq)] = line.substr(eq + 1);
    return p;
}

// The lease's address and default route out of the kernel, the lease file gone.
void GuestBackend::dropLease(const std::string& stable)
{
    const Properties l = lease(stable);
    const int index = std::atoi(value(l, "ifindex", "0").c_str());
    if (index > 0 && !value(l, "address").empty())
        (void)net_.removeAddress(index, value(l, "address"));
    if (index > 0 && !value(l, "route-gateway").empty())
        (void)net_.removeRoute("0.0.0.0/0", value(l, "route-gateway"), index, 1);
    ::unlink((options_.dhcpDir + "/" + stable + ".lease").c_str());
}

Status GuestBackend::startDhcp(const std::string& stable)
{
    auto list = links();
    if (!list)
        return list.error();
    const auto* link = linkByStable(stable, *list);
    if (!link)
        return Error::invalid("interface", kNoInterface);
    const std::string pidFile = options_.dhcpDir + "/" + stable + ".pid";
    {
        // Already running (a second login's shell, or boot twice)?
        int pid = 0;
        std::ifstream(pidFile) >> pid;
        std::string comm;
        std::ifstream("/proc/" + std::to_string(pid) + "/cmdline") >> comm;
        if (pid > 0 && comm.find("udhcpc") != std::string::npos)
            return {};
    }
    ::mkdir(options_.dhcpDir.c_str(), 0755);
    // udhcpc in the foreground of a process of its own (setsid, twice
    // forked): it outlives this shell and the login, and is stopped through
    // its pid file. -R releases the lease when it is stopped.
    const std::vector<std::string> argv{options_.udhcpc, "-f", "-R", "-t", "3", "-T", "2", "-A", "5",
                                        "-i", link->name, "-s", options_.dhcpScript, "-p", pidFile};
    const pid_t child = ::fork();
    if (child < 0)
        return Error::failed("cannot start udhcpc: fork failed");
    if (child == 0) {
        if (::fork() != 0)
            ::_exit(0);
        ::setsid();
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::setenv("MR_SHELL", options_.selfCommand.c_str(), 1);
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return {};
}

void GuestBackend::stopDhcp(const std::string& stable)
{
    const std::string pidFile = options_.dhcpDir + "/" + stable + ".pid";
    int pid = 0;
    std::ifstream(pidFile) >> pid;
    std::string comm;
    std::ifstream("/proc/" + std::to_string(pid) + "/cmdline") >> comm;
    if (pid > 0 && comm.find("udhcpc") != std::string::npos) {
        ::kill(pid, SIGTERM);
        // It releases the lease and runs its script (deconfig) before it exits.
        for (int i = 0; i < 50 && ::kill(pid, 0) == 0; ++i) {
            std::string state;
            std::ifstream("/proc/" + std::to_string(pid) + "/stat") >> state >> state >> state;
            if (state == "Z")
                break;
            ::usleep(100 * 1000);
        }
    }
    ::unlink(pidFile.c_str());
    dropLease(stable);
    (void)refreshResolvConf();
}

Result<std::vector<wire::Object>> GuestBackend::getDhcpClients()
{
    auto list = links();
    if (!list)
        return list.error();
    std::vector<wire::Object> out;
    for (const auto& r : config_.records(kDhcpClient)) {
        Properties p = r.properties;
        const std::string stable = value(p, "interface");
        const bool present = linkByStable(stable, *list) != nullptr;
        p["interface"] = currentName(stable, *list);
        p["invalid"] = present ? "no" : "yes";
        for (const char* key : {"add-default-route", "use-peer-dns"})
            p[key] = value(p, key, "yes");
        if (value(p, "disabled") == "yes") {
            p["status"] = "stopped";
        } else {
            const Properties l = lease(stable);
            p["status"] = value(l, "status", "searching...");
            if (p["status"] == "bound") {
                p["address"] = value(l, "address");
                p["gateway"] = value(l, "gateway");
                p["primary-dns"] = value(l, "dns").substr(0, value(l, "dns").find(','));
                const long long left = std::atoll(value(l, "expires", "0").c_str()) - static_cast<long long>(::time(nullptr));
                p["expires-after"] = std::to_string(std::max(0LL, left));
            }
        }
        out.push_back(object(r.id, p));
    }
    return out;
}

Status GuestBackend::dhcpEvent(const std::string& event, const Properties& env)
{
    const std::string iface = value(env, "interface");
    auto list = links();
    if (!list)
        return list.error();
    std::string stable;
    int index = 0;
    for (const auto& l : *list)
        if (l.name == iface) {
            stable = defaultName(l);
            index = l.index;
        }
    if (stable.empty())
        return Error::invalid("interface", "udhcpc: no interface " + iface);
    const GuestConfig::Record* client = nullptr;
    for (const auto& r : config_.records(kDhcpClient))
        if (value(r.properties, "interface") == stable)
            client = &r;
    const Properties old = lease(stable);
    auto writeLease = [&](const Properties& l) -> Status {
        ::mkdir(options_.dhcpDir.c_str(), 0755);
        const std::string path = options_.dhcpDir + "/" + stable + ".lease";
        {
            std::ofstream out(path + ".new", std::ios::trunc);
            for (const auto& [k, v] : l)
                out << k << '=' << v << '\n';
            if (!out.flush())
                return Error::failed("cannot write " + path);
        }
        if (::rename((path + ".new").c_str(), path.c_str()) != 0)
            return Error::failed("cannot write " + path);
        return {};
    };
    if (event == "bound" || event == "renew") {
        std::uint32_t ip = 0, subnet = 0;
        if (!parseIpv4(value(env, "ip"), ip))
            return Error::invalid("ip", "udhcpc: no address in the lease");
        if (!parseIpv4(value(env, "subnet", "255.255.255.255"), subnet))
            subnet = ~std::uint32_t(0);
        unsigned length = 0;
        while (length < 32 && (subnet & (0x80000000u >> length)))
            ++length;
        const std::string address = ipv4(ip) + "/" + std::to_string(length);
        std::string gateway = value(env, "router");
        gateway = gateway.substr(0, gateway.find(' '));
        std::string dns = value(env, "dns");
        std::replace(dns.begin(), dns.end(), ' ', ',');
        while (!dns.empty() && dns.back() == ',')
            dns.pop_back();
        if (!client || value(client->properties, "disabled") == "yes") {
            dropLease(stable);
            return {};  // removed or disabled meanwhile: this lease is not wanted
        }
        if (value(old, "address") != address || std::atoi(value(old, "ifindex", "0").c_str()) != index)
            dropLease(stable);
        if (Status s = net_.addAddress(index, address); !s && value(old, "address") != address)
            return s;
        Properties l{{"status", "bound"},
                     {"address", address},
                     {"gateway", gateway},
                     {"dns", dns},
                     {"ifindex", std::to_string(index)},
                     {"expires", std::to_string(static_cast<long long>(::time(nullptr)) +
                                                std::atoll(value(env, "lease", "0").c_str()))}};
        std::uint32_t gw = 0;
        if (value(client->properties, "add-default-route") != "no" && parseIpv4(gateway, gw)) {
            // A default route of the same distance (static, or another
            // lease's) stays: the kernel takes one route per metric.
            bool taken = false;
            if (auto routes = net_.routes())
                for (const auto& r : *routes)
                    taken = taken || (r.dst == "0.0.0.0/0" && r.metric == 1 &&
                                      !(r.gateway == value(old, "route-gateway") && r.oif == index));
            if (!taken && net_.addRoute("0.0.0.0/0", gateway, index, 1))
                l["route-gateway"] = gateway;
        }
        if (value(client->properties, "use-peer-dns") == "no")
            l.erase("dns");
        if (Status s = writeLease(l); !s)
            return s;
        retryRoutes();  // a static route through the new subnet
        return refreshResolvConf();
    }
    if (event == "deconfig") {
        // No lease (udhcpc starting, the lease lost or released).
        dropLease(stable);
        if (Status s = writeLease({{"status", "searching..."}}); !s)
            return s;
        return refreshResolvConf();
    }
    if ((event == "leasefail" || event == "nak") && value(old, "status") != "bound")
        return writeLease({{"status", "searching..."}});
    return {};  // other events change nothing
}

// ------------------------------------------------------------------ system

wire::Object GuestBackend::resource() const
{
    auto meminfo = [](const std::string& key) {
        std::ifstream in("/proc/meminfo");
        std::string name, unit;
        long long value = 0;
        while (in >> name >> value >> unit)
            if (name == key + ":")
                return value;
        return 0LL;
    };
    double up = 0;
    std::ifstream("/proc/uptime") >> up;
    std::string cpu = "unknown";
    {
        std::ifstream in("/proc/cpuinfo");
        for (std::string line; std::getline(in, line);)
            if (line.rfind("model name", 0) == 0) {
                cpu = line.substr(line.find(':') + 2);
                break;
            }
    }
    struct statvfs fs{};
    statvfs(options_.diskPath.c_str(), &fs);
    utsname u{};
    uname(&u);
    return object("*0", {{"uptime", std::to_string(static_cast<long long>(up))},
                         {"version", std::string(MR_VERSION) + " (MetaRouter guest, Linux " + u.release + ")"},
                         {"free-memory", std::to_string(meminfo("MemAvailable"))},
                         {"total-memory", std::to_string(meminfo("MemTotal"))},
                         {"cpu", cpu},
                         {"cpu-count", std::to_string(sysconf(_SC_NPROCESSORS_ONLN))},
                         {"free-hdd-space", std::to_string(static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize / 1024)},
                         {"total-hdd-space", std::to_string(static_cast<unsigned long long>(fs.f_blocks) * fs.f_frsize / 1024)},
                         {"architecture-name", u.machine},
                         {"board-name", "MetaRouter"},
                         {"platform", "MikroTik"}});
}

// ------------------------------------------------------------------ dns, user, ping

Status GuestBackend::writeResolvConf(const std::string& servers) const
{
    if (options_.resolvConf.empty())
        return {};
    std::string text = "# written by mr-shell from /ip dns\n";
    std::size_t pos = 0;
    while (pos < servers.size()) {
        std::size_t comma = servers.find(',', pos);
        if (comma == std::string::npos)
            comma = servers.size();
        text += "nameserver " + servers.substr(pos, comma - pos) + "\n";
        pos = comma + 1;
    }
    const std::string tmp = options_.resolvConf + ".new";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text;
        if (!out.flush())
            return Error::failed("cannot write " + options_.resolvConf);
    }
    if (::rename(tmp.c_str(), options_.resolvConf.c_str()) != 0)
        return Error::failed("cannot write " + options_.resolvConf);
    return {};
}

// Servers from bound leases of clients with use-peer-dns (their lease files).
std::string GuestBackend::dynamicServers() const
{
    std::string out;
    auto& self = const_cast<GuestConfig&>(config_);
    for (const auto& r : self.records(kDhcpClient)) {
        if (value(r.properties, "disabled") == "yes" || value(r.properties, "use-peer-dns") == "no")
            continue;
        const Properties l = lease(value(r.properties, "interface"));
        if (value(l, "status") == "bound" && !value(l, "dns").empty())
            out += (out.empty() ? "" : ",") + value(l, "dns");
    }
    return out;
}

// resolv.conf: the static servers, then the leases' (at most 3 in all).
Status GuestBackend::refreshResolvConf() const
{
    auto& self = const_cast<GuestConfig&>(config_);
    const std::string all = value(self.singleton(kDns), "servers") + "," + dynamicServers();
    std::vector<std::string> servers;
    std::size_t pos = 0;
    while (pos <= all.size()) {
        std::size_t comma = all.find(',', pos);
        if (comma == std::string::npos)
            comma = all.size();
        const std::string item = all.substr(pos, comma - pos);
        if (!item.empty() && servers.size() < 3 && std::find(servers.begin(), servers.end(), item) == servers.end())
            servers.push_back(item);
        pos = comma + 1;
    }
    std::string joined;
    for (const auto& sv : servers)
        joined += (joined.empty() ? "" : ",") + sv;
    return writeResolvConf(joined);
}

Status GuestBackend::setDns(const Properties& properties, const std::vector<std::string>& unset)
{
    std::string servers = value(config_.singleton(kDns), "servers");
    if (properties.count("servers")) {
        auto parsed = parseServers(properties.at("servers"));
        if (!parsed)
            return parsed.error();
        servers = *parsed;
    }
    if (std::find(unset.begin(), unset.end(), "servers") != unset.end())
        servers.clear();
    Properties& p = config_.singleton(kDns);
    const std::string before = value(p, "servers");
    if (servers.empty())
        p.erase("servers");
    else
        p["servers"] = servers;
    if (Status s = refreshResolvConf(); !s) {
        p["servers"] = before;
        return s;
    }
    return save();
}

Status GuestBackend::setPassword(const std::string& password)
{
    Properties& p = config_.singleton(kUser);
    if (password.empty()) {
        p.erase("password-hash");
        return save();
    }
    // SHA-512 crypt with a random salt (libxcrypt reads getrandom).
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!crypt_gensalt_rn("$6$", 0, nullptr, 0, salt, sizeof salt))
        return Error::failed("cannot make a password salt");
    crypt_data data{};
    const char* hash = crypt_r(password.c_str(), salt, &data);
    if (!hash || hash[0] != '$')
        return Error::failed("cannot hash the password");
    p["password-hash"] = hash;
    return save();
}

bool GuestBackend::checkPassword(const std::string& password) const
{
    auto& self = const_cast<GuestConfig&>(config_);
    const std::string stored = value(self.singleton(kUser), "password-hash");
    if (stored.empty())
        return password.empty();
    crypt_data data{};
    const char* hash = crypt_r(password.c_str(), stored.c_str(), &data);
    if (!hash || hash[0] != '$')
        return false;
    const std::string h(hash);
    if (h.size() != stored.size())
        return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < h.size(); ++i)
        diff |= static_cast<unsigned char>(h[i] ^ stored[i]);
    return diff == 0;
}

Result<std::string> GuestBackend::ping(const Properties& arguments)
{
    std::uint32_t a = 0;
    const std::string address = value(arguments, "address");
    if (!parseIpv4(address, a))
        return Error::invalid("address", "invalid value for argument address");
    const std::string count = value(arguments, "count", "4");
    // -w: a deadline, so that an unreachable address does not hang the console.
    const std::string deadline = std::to_string(std::stoi(count) + 2);
    auto r = ProcessRunner::run({options_.ping, "-c", count, "-w", deadline, ipv4(a)});
    if (!r)
        return Error::failed("ping: " + r.error().text());
    if (r->text.empty() && r->exitCode != 0)
        return Error::failed("ping failed (exit " + std::to_string(r->exitCode) + ")");
    return r->text;
}

// ------------------------------------------------------------------ CliBackend

Result<std::vector<wire::Object>> GuestBackend::get(const std::string& menu)
{
    if (menu == kIdentity)
        return std::vector<wire::Object>{object("*0", {{"name", identity()}})};
    if (menu == kResource)
        return std::vector<wire::Object>{resource()};
    if (menu == kInterface || menu == kEthernet)
        return getLinks(menu == kEthernet);
    if (menu == kAddress)
        return getAddresses();
    if (menu == kRoute)
        return getRoutes();
    if (menu == kNat || menu == kFilter)
        return getFirewall(menu);
    if (menu == kDhcpClient)
        return getDhcpClients();
    if (menu == kDns) {
        wire::Object o = object("*0", {{"dynamic-servers", dynamicServers()}});
        (*o.mutable_properties())["servers"] = value(config_.singleton(kDns), "servers");  // shown even when empty
        return std::vector<wire::Object>{o};
    }
    if (menu == kUser)
        return std::vector<wire::Object>{object("*1", {{"name", options_.user}, {"group", "full"}})};
    return std::vector<wire::Object>{};
}

Result<std::string> GuestBackend::add(const std::string& menu, const Properties& properties)
{
    Properties p = properties;
    if (menu == kAddress) {
        if (Status s = keepByStableName(p, "interface"); !s)
            return s.error();
        auto checked = checkAddress(p, {});
        if (!checked)
            return checked.error();
        if (value(p, "disabled") != "yes")
            if (Status s = applyAddress(p, true); !s)
                return s.error();
        const std::string id = config_.nextId();
        config_.records(kAddress).push_back({id, p});
        if (Status s = save(); !s)
            return s.error();
        retryRoutes();
        return id;
    }
    if (menu == kRoute) {
        auto checked = checkRoute(p);
        if (!checked)
            return checked.error();
        p = *checked;
        for (const auto& r : config_.records(kRoute))
            if (value(r.properties, "dst-address") == p["dst-address"] && value(r.properties, "gateway") == p["gateway"] &&
                value(r.properties, "distance") == p["distance"])
                return Error::exists("gateway", "already have such route");
        const std::string id = config_.nextId();
        config_.records(kRoute).push_back({id, p});
        if (Status s = save(); !s)
            return s.error();
        retryRoutes();  // an unreachable gateway stays inactive, as in RouterOS
        return id;
    }
    if (menu == kDhcpClient) {
        if (Status s = keepByStableName(p, "interface"); !s)
            return s.error();
        auto checked = checkDhcpClient(p, {});
        if (!checked)
            return checked.error();
        const std::string id = config_.nextId();
        config_.records(kDhcpClient).push_back({id, p});
        if (Status s = save(); !s) {
            config_.records(kDhcpClient).pop_back();
            return s.error();
        }
        if (value(p, "disabled") != "yes")
            if (Status s = startDhcp(value(p, "interface")); !s)
                return s.error();
        return id;
    }
    if (menu == kNat || menu == kFilter) {
        if (menu == kFilter) {
            auto states = connectionStates(value(p, "connection-state"));
            if (!states)
                return states.error();
            if (states->empty())
                p.erase("connection-state");
            else
                p["connection-state"] = *states;
        }
        for (const char* key : {"in-interface", "out-interface"})
            if (!value(p, key).empty())
                if (Status s = keepByStableName(p, key); !s)
                    return s.error();
        auto list = links();
        if (!list)
            return list.error();
        if (auto rule = firewallRule(menu, p, *list); !rule)
            return rule.error();
        const std::string id = config_.nextId();
        config_.records(menu).push_back({id, p});
        if (Status s = applyFirewall(); !s) {
            config_.records(menu).pop_back();
            (void)applyFirewall();
            return s.error();
        }
        if (Status s = save(); !s)
            return s.error();
        return id;
    }
    return Error::failed("cannot add here");
}

Status GuestBackend::set(const std::string& menu, const std::string& id, const Properties& properties,
                         const std::vector<std::string>& unset)
{
    if (menu == kIdentity) {
        Properties& p = config_.singleton(kIdentity);
        if (properties.count("name")) {
            if (properties.at("name").empty())
                return Error::invalid("name", "identity name must not be empty");
            p["name"] = properties.at("name");
        }
        if (std::find(unset.begin(), unset.end(), "name") != unset.end())
            p.erase("name");
        return save();
    }
    if (menu == kInterface || menu == kEthernet)
        return setLink(id, properties, unset);
    if (menu == kDns)
        return setDns(properties, unset);
    if (menu == kUser) {
        if (id != "*1")
            return Error::notFound("no such item");
        if (properties.count("password"))
            return setPassword(properties.at("password"));
        if (std::find(unset.begin(), unset.end(), "password") != unset.end())
            return setPassword({});
        return {};
    }
    if (menu != kAddress && menu != kRoute && menu != kNat && menu != kFilter && menu != kDhcpClient)
        return Error::failed("cannot set here");
    auto* rec = config_.find(menu, id);
    if (!rec)
        return Error::notFound("no such item (dynamic items cannot be changed)");
    const Properties before = rec->properties;
    Properties p = before;
    for (const auto& [k, v] : properties)
        p[k] = v;
    for (const auto& u : unset)
        p.erase(u);
    if (menu == kFilter && properties.count("connection-state")) {
        auto states = connectionStates(properties.at("connection-state"));
        if (!states)
            return states.error();
        if (states->empty())
            p.erase("connection-state");
        else
            p["connection-state"] = *states;
    }
    for (const char* key : {"interface", "in-interface", "out-interface"})
        if (properties.count(key) && !properties.at(key).empty())
            if (Status s = keepByStableName(p, key); !s)
                return s;
    const bool wasOn = value(before, "disabled") != "yes";
    const bool isOn = value(p, "disabled") != "yes";
    if (menu == kAddress) {
        auto checked = checkAddress(p, id);
        if (!checked)
            return checked.error();
        if (wasOn)
            (void)applyAddress(before, false);
        if (isOn)
            if (Status s = applyAddress(p, true); !s) {
                if (wasOn)
                    (void)applyAddress(before, true);
                return s;
            }
        rec->properties = p;
        Status s = save();
        retryRoutes();
        return s;
    }
    if (menu == kRoute) {
        auto checked = checkRoute(p);
        if (!checked)
            return checked.error();
        p = *checked;
        if (wasOn)
            (void)applyRoute(before, false);
        rec->properties = p;
        Status s = save();
        retryRoutes();
        return s;
    }
    if (menu == kDhcpClient) {
        auto checked = checkDhcpClient(p, id);
        if (!checked)
            return checked.error();
        rec->properties = p;
        if (Status s = save(); !s) {
            rec->properties = before;
            return s;
        }
        const std::string oldIf = value(before, "interface"), newIf = value(p, "interface");
        if (wasOn && (!isOn || oldIf != newIf))
            stopDhcp(oldIf);
        if (isOn && (!wasOn || oldIf != newIf))
            return startDhcp(newIf);
        if (isOn && value(before, "use-peer-dns") != value(p, "use-peer-dns")) {
            // The next lease event brings the servers; dropping them is now.
            if (value(p, "use-peer-dns") == "no") {
                Properties l = lease(newIf);
                l.erase("dns");
                std::ofstream out(options_.dhcpDir + "/" + newIf + ".lease", std::ios::trunc);
                for (const auto& [k, v] : l)
                    out << k << '=' << v << '\n';
            }
            return refreshResolvConf();
        }
        return {};
    }
    // NAT, filter
    auto list = links();
    if (!list)
        return list.error();
    if (auto rule = firewallRule(menu, p, *list); !rule)
        return rule.error();
    rec->properties = p;
    if (Status s = applyFirewall(); !s) {
        config_.find(menu, id)->properties = before;
        (void)applyFirewall();
        return s;
    }
    return save();
}

Status GuestBackend::remove(const std::string& menu, const std::string& id)
{
    if (menu != kAddress && menu != kRoute && menu != kNat && menu != kFilter && menu != kDhcpClient)
        return Error::failed("cannot remove here");
    auto& list = config_.records(menu);
    auto it = std::find_if(list.begin(), list.end(), [&](const auto& r) { return r.id == id; });
    if (it == list.end())
        return Error::notFound("no such item (dynamic items cannot be removed)");
    const Properties p = it->properties;
    const auto at = it - list.begin();
    list.erase(it);
    const bool on = value(p, "disabled") != "yes";
    if (menu == kAddress && on)
        (void)applyAddress(p, false);
    if (menu == kRoute && on)
        (void)applyRoute(p, false);
    if (menu == kNat || menu == kFilter)
        if (Status s = applyFirewall(); !s) {
            list.insert(list.begin() + at, {id, p});
            (void)applyFirewall();
            return s;
        }
    if (menu == kDhcpClient && on)
        stopDhcp(value(p, "interface"));
    return save();
}

Result<std::string> GuestBackend::command(const std::string& menu, const std::string& command, const std::string&,
                                          const Properties& arguments)
{
    if (menu == kRoot && command == "ping")
        return ping(arguments);
    if (menu == kSystem && command == "reboot") {
        power_ = Power::Reboot;
        return std::string("Rebooting...");
    }
    if (menu == kSystem && command == "shutdown") {
        power_ = Power::Shutdown;
        return std::string("Shutting down...");
    }
    return Error::failed("no such command");
}

// ------------------------------------------------------------------ boot

std::string GuestBackend::applyAll()
{
    std::string errors;
    auto note = [&](const std::string& what, const Status& s) {
        if (!s)
            errors += what + ": " + s.error().text() + "\n";
    };
    auto list = links();
    if (!list)
        return list.error().text() + "\n";
    for (const auto& r : config_.records(kInterface))
        if (const auto* link = linkByStable(r.id, *list))
            note("interface " + r.id, applyLink(*link, r.properties, true));
    for (const auto& r : config_.records(kAddress))
        if (value(r.properties, "disabled") != "yes")
            note("address " + value(r.properties, "address"), applyAddress(r.properties, true));
    for (const auto& r : config_.records(kRoute))
        if (value(r.properties, "disabled") != "yes")
            (void)applyRoute(r.properties, true);
    if (!config_.records(kNat).empty() || !config_.records(kFilter).empty())
        note("firewall", applyFirewall());
    if (const std::string servers = value(config_.singleton(kDns), "servers"); !servers.empty())
        note("dns", refreshResolvConf());
    for (const auto& r : config_.records(kDhcpClient))
        if (value(r.properties, "disabled") != "yes")
            note("dhcp-client " + value(r.properties, "interface"), startDhcp(value(r.properties, "interface")));
    return errors;
}

}  // namespace mr::guest
