#include "netlink.h"

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vlan.h>
#include <netlink/socket.h>

#include <cstdio>

#include "ipv4_prefix.h"

namespace mr::net {
namespace {

constexpr int kUserHz = 100;  // IFLA_BR_* times are clock_t in USER_HZ

// RAII for libnl objects.
struct LinkPtr {
    rtnl_link* p = nullptr;
    ~LinkPtr() { if (p) rtnl_link_put(p); }
};

std::string macText(nl_addr* a)
{
    if (!a || nl_addr_get_len(a) != 6)
        return {};
    const auto* b = static_cast<const unsigned char*>(nl_addr_get_binary_addr(a));
    char out[18];
    std::snprintf(out, sizeof out, "%02X:%02X:%02X:%02X:%02X:%02X", b[0], b[1], b[2], b[3], b[4], b[5]);
    return out;
}

bool parseMac(const std::string& text, unsigned char out[6])
{
    unsigned b[6];
    if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
        return false;
    for (int i = 0; i < 6; ++i)
        out[i] = static_cast<unsigned char>(b[i]);
    return true;
}

nl_msg* linkMessage(int nlflags, int index, unsigned flags = 0, unsigned change = 0)
{
    nl_msg* msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | nlflags);
    if (!msg)
        return nullptr;
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = index;
    ifi.ifi_flags = flags;
    ifi.ifi_change = change;
    if (nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0) {
        nlmsg_free(msg);
        return nullptr;
    }
    return msg;
}

// Puts the IFLA_LINKINFO nest of a bridge; false if the message is full.
bool putBridgeInfo(nl_msg* msg, const BridgeParams& p)
{
    nlattr* info = nla_nest_start(msg, IFLA_LINKINFO);
    if (!info || nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0)
        return false;
    nlattr* data = nla_nest_start(msg, IFLA_INFO_DATA);
    if (!data)
        return false;
    // Times before STP so that the kernel checks them against the new mode.
    if (nla_put_u32(msg, IFLA_BR_FORWARD_DELAY, static_cast<uint32_t>(p.forwardDelay * kUserHz)) < 0 ||
        nla_put_u32(msg, IFLA_BR_MAX_AGE, static_cast<uint32_t>(p.maxAge * kUserHz)) < 0 ||
        nla_put_u32(msg, IFLA_BR_AGEING_TIME, static_cast<uint32_t>(p.ageingTime * kUserHz)) < 0 ||
        nla_put_u32(msg, IFLA_BR_STP_STATE, p.stp ? 1 : 0) < 0 ||
        nla_put_u16(msg, IFLA_BR_PRIORITY, static_cast<uint16_t>(p.priority)) < 0)
        return false;
    nla_nest_end(msg, data);
    nla_nest_end(msg, info);
    return true;
}

}  // namespace

Netlink::Netlink() = default;

Netlink::~Netlink()
{
    if (sock_)
        nl_socket_free(sock_);
}

Status Netlink::open()
{
    if (sock_)
        return {};
    sock_ = nl_socket_alloc();
    if (!sock_)
        return Error::failed("cannot allocate a netlink socket");
    if (int err = nl_connect(sock_, NETLINK_ROUTE); err < 0) {
        nl_socket_free(sock_);
        sock_ = nullptr;
        return Error::failed(std::string("cannot open rtnetlink: ") + nl_geterror(err));
    }
    return {};
}

Status Netlink::send(nl_msg* msg, const std::string& what)
{
    if (!msg)
        return Error::failed(what + ": out of memory building the netlink request");
    const int err = nl_send_sync(sock_, msg);  // frees msg
    if (err < 0)
        return Error::failed(what + ": " + nl_geterror(err));
    return {};
}

LinkState Netlink::toState(rtnl_link* l)
{
    LinkState s;
    s.index = rtnl_link_get_ifindex(l);
    if (const char* n = rtnl_link_get_name(l))
        s.name = n;
    if (const char* t = rtnl_link_get_type(l))
        s.kind = t;
    s.mac = macText(rtnl_link_get_addr(l));
    if (const char* a = rtnl_link_get_ifalias(l))
        s.alias = a;
    s.flags = rtnl_link_get_flags(l);
    s.arpType = rtnl_link_get_arptype(l);
    s.mtu = static_cast<int>(rtnl_link_get_mtu(l));
    s.master = rtnl_link_get_master(l);
    s.parent = rtnl_link_get_link(l);
    if (s.kind == "vlan")
        s.vlanId = rtnl_link_vlan_get_id(l);
    s.rxBytes = rtnl_link_get_stat(l, RTNL_LINK_RX_BYTES);
    s.txBytes = rtnl_link_get_stat(l, RTNL_LINK_TX_BYTES);
    s.rxPackets = rtnl_link_get_stat(l, RTNL_LINK_RX_PACKETS);
    s.txPackets = rtnl_link_get_stat(l, RTNL_LINK_TX_PACKETS);
    s.rxDrops = rtnl_link_get_stat(l, RTNL_LINK_RX_DROPPED);
    s.txDrops = rtnl_link_get_stat(l, RTNL_LINK_TX_DROPPED);
    s.rxErrors = rtnl_link_get_stat(l, RTNL_LINK_RX_ERRORS);
    s.txErrors = rtnl_link_get_stat(l, RTNL_LINK_TX_ERRORS);
    return s;
}

std::optional<LinkState> Netlink::link(const std::string& name) const
{
    if (name.empty() || name.size() >= IFNAMSIZ)
        return std::nullopt;
    LinkPtr l;
    if (rtnl_link_get_kernel(sock_, 0, name.c_str(), &l.p) < 0 || !l.p)
        return std::nullopt;
    return toState(l.p);
}

std::optional<LinkState> Netlink::link(int index) const
{
    if (index <= 0)
        return std::nullopt;
    LinkPtr l;
    if (rtnl_link_get_kernel(sock_, index, nullptr, &l.p) < 0 || !l.p)
        return std::nullopt;
    return toState(l.p);
}

int Netlink::indexOf(const std::string& name) const
{
    auto l = link(name);
    return l ? l->index : 0;
}

Status Netlink::createBridge(const std::string& name, const BridgeParams& p, bool up)
{
    const std::string what = "cannot create bridge " + name;
    nl_msg* msg = linkMessage(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, 0, up ? IFF_UP : 0, IFF_UP);
    unsigned char mac[6];
    bool ok = msg && nla_put_string(msg, IFLA_IFNAME, name.c_str()) >= 0 &&
              nla_put_u32(msg, IFLA_MTU, static_cast<uint32_t>(p.mtu)) >= 0 && putBridgeInfo(msg, p);
    if (ok && !p.adminMac.empty())
        ok = parseMac(p.adminMac, mac) && nla_put(msg, IFLA_ADDRESS, 6, mac) >= 0;
    if (msg && !ok) {
        nlmsg_free(msg);
        return Error::failed(what + ": cannot build the request");
    }
    return send(msg, what);
}

Status Netlink::changeBridge(int index, const BridgeParams& p)
{
    const std::string what = "cannot change bridge settings";
    nl_msg* msg = linkMessage(NLM_F_ACK, index);
    unsigned char mac[6];
    bool ok = msg && nla_put_u32(msg, IFLA_MTU, static_cast<uint32_t>(p.mtu)) >= 0 && putBridgeInfo(msg, p);
    if (ok && !p.adminMac.empty())
        ok = parseMac(p.adminMac, mac) && nla_put(msg, IFLA_ADDRESS, 6, mac) >= 0;
    if (msg && !ok) {
        nlmsg_free(msg);
        return Error::failed(what + ": cannot build the request");
    }
    return send(msg, what);
}

Status Netlink::createVlan(const std::string& name, int parent, int vlanId, int mtu, bool up)
{
    const std::string what = "cannot create vlan " + name;
    nl_msg* msg = linkMessage(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, 0, up ? IFF_UP : 0, IFF_UP);
    bool ok = msg && nla_put_string(msg, IFLA_IFNAME, name.c_str()) >= 0 &&
              nla_put_u32(msg, IFLA_LINK, static_cast<uint32_t>(parent)) >= 0 &&
              nla_put_u32(msg, IFLA_MTU, static_cast<uint32_t>(mtu)) >= 0;
    if (ok) {
        nlattr* info = nla_nest_start(msg, IFLA_LINKINFO);
        ok = info && nla_put_string(msg, IFLA_INFO_KIND, "vlan") >= 0;
        nlattr* data = ok ? nla_nest_start(msg, IFLA_INFO_DATA) : nullptr;
        ok = data && nla_put_u16(msg, IFLA_VLAN_ID, static_cast<uint16_t>(vlanId)) >= 0;
        if (ok) {
            nla_nest_end(msg, data);
            nla_nest_end(msg, info);
        }
    }
    if (msg && !ok) {
        nlmsg_free(msg);
        return Error::failed(what + ": cannot build the request");
    }
    return send(msg, what);
}

Status Netlink::deleteLink(int index)
{
    nl_msg* msg = nlmsg_alloc_simple(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
    ifinfomsg ifi{};
    ifi.ifi_index = index;
    if (msg && nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0) {
        nlmsg_free(msg);
        msg = nullptr;
    }
    return send(msg, "cannot delete link");
}

Status Netlink::setUp(int index, bool up)
{
    return send(linkMessage(NLM_F_ACK, index, up ? IFF_UP : 0, IFF_UP),
                up ? "cannot enable interface" : "cannot disable interface");
}

Status Netlink::rename(int index, const std::string& name)
{
    auto current = link(index);
    if (!current)
        return Error::notFound("interface to rename has vanished");
    if (current->name == name)
        return {};
    const bool wasUp = current->up();
    if (wasUp)
        if (auto s = setUp(index, false); !s)
            return s;
    nl_msg* msg = linkMessage(NLM_F_ACK, index);
    if (msg && nla_put_string(msg, IFLA_IFNAME, name.c_str()) < 0) {
        nlmsg_free(msg);
        msg = nullptr;
    }
    Status s = send(msg, "cannot rename " + current->name + " to " + name);
    if (wasUp)
        (void)setUp(index, true);
    return s;
}

Status Netlink::setMtu(int index, int mtu)
{
    nl_msg* msg = linkMessage(NLM_F_ACK, index);
    if (msg && nla_put_u32(msg, IFLA_MTU, static_cast<uint32_t>(mtu)) < 0) {
        nlmsg_free(msg);
        msg = nullptr;
    }
    return send(msg, "cannot set mtu " + std::to_string(mtu));
}

Status Netlink::pinMtu(int index, int mtu)
{
    if (auto s = setMtu(index, mtu == 68 ? 69 : mtu - 1); !s)
        return s;
    return setMtu(index, mtu);
}

Status Netlink::setAlias(int index, const std::string& alias)
{
    nl_msg* msg = linkMessage(NLM_F_ACK, index);
    if (msg && nla_put(msg, IFLA_IFALIAS, static_cast<int>(alias.size()), alias.data()) < 0) {
        nlmsg_free(msg);
        msg = nullptr;
    }
    return send(msg, "cannot set comment");
}

Status Netlink::setArp(int index, ArpMode mode)
{
    const bool noarp = mode == ArpMode::Disabled;
    nl_msg* msg = linkMessage(NLM_F_ACK, index, noarp ? IFF_NOARP : 0, IFF_NOARP);
    bool ok = msg != nullptr;
    if (ok) {
        nlattr* spec = nla_nest_start(msg, IFLA_AF_SPEC);
        nlattr* inet = spec ? nla_nest_start(msg, AF_INET) : nullptr;
        nlattr* conf = inet ? nla_nest_start(msg, IFLA_INET_CONF) : nullptr;
        ok = conf && nla_put_u32(msg, IPV4_DEVCONF_PROXY_ARP, mode == ArpMode::ProxyArp ? 1 : 0) >= 0 &&
             nla_put_u32(msg, IPV4_DEVCONF_PROXY_ARP_PVLAN, mode == ArpMode::LocalProxyArp ? 1 : 0) >= 0;
        if (ok) {
            nla_nest_end(msg, conf);
            nla_nest_end(msg, inet);
            nla_nest_end(msg, spec);
        } else {
            nlmsg_free(msg);
            msg = nullptr;
        }
    }
    return send(msg, "cannot set arp mode");
}

Status Netlink::setMaster(int index, int master)
{
    nl_msg* msg = linkMessage(NLM_F_ACK, index);
    if (msg && nla_put_u32(msg, IFLA_MASTER, static_cast<uint32_t>(master)) < 0) {
        nlmsg_free(msg);
        msg = nullptr;
    }
    return send(msg, master ? "cannot add the port to the bridge" : "cannot release the port from its bridge");
}

Status Netlink::setPortParams(int index, const PortParams& p)
{
    nl_msg* msg = linkMessage(NLM_F_ACK, index);
    bool ok = msg != nullptr;
    if (ok) {
        nlattr* info = nla_nest_start(msg, IFLA_LINKINFO);
        ok = info && nla_put_string(msg, IFLA_INFO_SLAVE_KIND, "bridge") >= 0;
        nlattr* data = ok ? nla_nest_start(msg, IFLA_INFO_SLAVE_DATA) : nullptr;
        ok = data && nla_put_u16(msg, IFLA_BRPORT_PRIORITY, static_cast<uint16_t>(p.priority)) >= 0 &&
             nla_put_u32(msg, IFLA_BRPORT_COST, static_cast<uint32_t>(p.cost)) >= 0 &&
             nla_put_u8(msg, IFLA_BRPORT_ISOLATED, p.isolated ? 1 : 0) >= 0;
        if (ok) {
            nla_nest_end(msg, data);
            nla_nest_end(msg, info);
        } else {
            nlmsg_free(msg);
            msg = nullptr;
        }
    }
    return send(msg, "cannot set bridge port settings");
}

namespace {

struct AddrPtr {
    rtnl_addr* p = rtnl_addr_alloc();
    ~AddrPtr() { if (p) rtnl_addr_put(p); }
};

bool buildAddress(rtnl_addr* a, int index, const Ipv4Prefix& prefix)
{
    const uint32_t local = htonl(prefix.address());
    nl_addr* l = nl_addr_build(AF_INET, &local, 4);
    if (!l)
        return false;
    nl_addr_set_prefixlen(l, prefix.length());
    rtnl_addr_set_ifindex(a, index);
    rtnl_addr_set_family(a, AF_INET);
    const int err = rtnl_addr_set_local(a, l);
    nl_addr_put(l);
    if (err < 0)
        return false;
    if (auto b = prefix.broadcast()) {
        const uint32_t bc = htonl(*b);
        nl_addr* ba = nl_addr_build(AF_INET, &bc, 4);
        if (!ba)
            return false;
        rtnl_addr_set_broadcast(a, ba);
        nl_addr_put(ba);
    }
    return true;
}

}  // namespace

Result<bool> Netlink::addAddress(int index, const Ipv4Prefix& prefix)
{
    AddrPtr a;
    if (!a.p || !buildAddress(a.p, index, prefix))
        return Error::failed("cannot build address " + prefix.text());
    const int err = rtnl_addr_add(sock_, a.p, 0);
    if (err == -NLE_EXIST)
        return false;
    if (err < 0)
        return Error::failed("cannot add address " + prefix.text() + ": " + nl_geterror(err));
    return true;
}

Result<bool> Netlink::deleteAddress(int index, const Ipv4Prefix& prefix)
{
    AddrPtr a;
    if (!a.p || !buildAddress(a.p, index, prefix))
        return Error::failed("cannot build address " + prefix.text());
    const int err = rtnl_addr_delete(sock_, a.p, 0);
    if (err == -NLE_NOADDR || err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV)
        return false;
    if (err < 0)
        return Error::failed("cannot remove address " + prefix.text() + ": " + nl_geterror(err));
    return true;
}

}  // namespace mr::net
