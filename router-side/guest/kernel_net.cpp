#include "kernel_net.h"

#include <arpa/inet.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include <cctype>
#include <cstdint>
#include <cstring>
#include <memory>

namespace mr::guest {
namespace {

struct CacheFree {
    void operator()(nl_cache* c) const { nl_cache_free(c); }
};
struct AddrPut {
    void operator()(nl_addr* a) const { nl_addr_put(a); }
};
using CachePtr = std::unique_ptr<nl_cache, CacheFree>;
using AddrPtr = std::unique_ptr<nl_addr, AddrPut>;

Error nlError(const std::string& what, int err)
{
    return Error::failed(what + ": " + nl_geterror(err));
}

std::string ipv4(const nl_addr* a)
{
    if (!a || nl_addr_get_family(a) != AF_INET || nl_addr_get_len(a) != 4)
        return "0.0.0.0";
    char buf[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, nl_addr_get_binary_addr(a), buf, sizeof buf);
    return buf;
}

Result<AddrPtr> parse(const std::string& text)
{
    nl_addr* a = nullptr;
    if (int err = nl_addr_parse(text.c_str(), AF_INET, &a); err < 0)
        return nlError("invalid address " + text, err);
    return AddrPtr(a);
}

}  // namespace

KernelNet::KernelNet() = default;

KernelNet::~KernelNet()
{
    if (sock_)
        nl_socket_free(sock_);
}

Status KernelNet::connect()
{
    if (sock_)
        return {};
    sock_ = nl_socket_alloc();
    if (!sock_)
        return Error::failed("netlink: out of memory");
    if (int err = nl_connect(sock_, NETLINK_ROUTE); err < 0) {
        nl_socket_free(sock_);
        sock_ = nullptr;
        return nlError("netlink", err);
    }
    return {};
}

Result<std::vector<KernelNet::Link>> KernelNet::links()
{
    if (Status s = connect(); !s)
        return s.error();
    nl_cache* raw = nullptr;
    if (int err = rtnl_link_alloc_cache(sock_, AF_UNSPEC, &raw); err < 0)
        return nlError("cannot list links", err);
    CachePtr cache(raw);
    std::vector<Link> out;
    for (nl_object* o = nl_cache_get_first(raw); o; o = nl_cache_get_next(o)) {
        auto* l = reinterpret_cast<rtnl_link*>(o);
        Link k;
        k.index = rtnl_link_get_ifindex(l);
        k.name = rtnl_link_get_name(l) ? rtnl_link_get_name(l) : "";
        k.kind = rtnl_link_get_type(l) ? rtnl_link_get_type(l) : "";
        k.mtu = rtnl_link_get_mtu(l);
        const unsigned flags = rtnl_link_get_flags(l);
        k.up = flags & IFF_UP;
        k.running = (flags & IFF_UP) && (flags & IFF_RUNNING);
        k.noarp = flags & IFF_NOARP;
        k.slave = rtnl_link_get_master(l) > 0;
        k.ethernet = rtnl_link_get_arptype(l) == ARPHRD_ETHER;
        if (nl_addr* a = rtnl_link_get_addr(l); a && nl_addr_get_len(a) == 6) {
            char buf[32];
            nl_addr2str(a, buf, sizeof buf);
            k.mac = buf;
            for (char& c : k.mac)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        out.push_back(std::move(k));
    }
    return out;
}

Status KernelNet::changeLink(int index, const LinkChange& change)
{
    if (Status s = connect(); !s)
        return s.error();
    nl_cache* raw = nullptr;
    if (int err = rtnl_link_alloc_cache(sock_, AF_UNSPEC, &raw); err < 0)
        return nlError("cannot list links", err);
    CachePtr cache(raw);
    rtnl_link* orig = rtnl_link_get(raw, index);
    if (!orig)
        return Error::notFound("no such interface");
    std::unique_ptr<rtnl_link, void (*)(rtnl_link*)> origRef(orig, rtnl_link_put);
    const bool wasUp = rtnl_link_get_flags(orig) & IFF_UP;
    const std::string oldName = rtnl_link_get_name(orig) ? rtnl_link_get_name(orig) : "";

    auto apply = [&](auto&& fill) -> Status {
        std::unique_ptr<rtnl_link, void (*)(rtnl_link*)> c(rtnl_link_alloc(), rtnl_link_put);
        fill(c.get());
        if (int err = rtnl_link_change(sock_, orig, c.get(), 0); err < 0)
            return nlError("cannot change " + oldName, err);
        return {};
    };
    // Sets or clears one interface flag (IFF_UP, IFF_NOARP) on its own request.
    auto setFlag = [&](unsigned flag, bool on) -> Status {
        return apply([&](rtnl_link* c) {
            if (on)
                rtnl_link_set_flags(c, flag);
            else
                rtnl_link_unset_flags(c, flag);
        });
    };

    // Linux renames only links that are down.
    const bool renaming = !change.name.empty() && change.name != oldName;
    if (renaming) {
        if (wasUp)
            if (Status s = setFlag(IFF_UP, false); !s)
                return s;
        Status s = apply([&](rtnl_link* c) { rtnl_link_set_name(c, change.name.c_str()); });
        if (!s) {
            if (wasUp)
                (void)setFlag(IFF_UP, true);
            return s;
        }
        if (wasUp && change.up != 0)
            if (Status u = setFlag(IFF_UP, true); !u)
                return u;
    }
    if (change.mtu)
        if (Status s = apply([&](rtnl_link* c) { rtnl_link_set_mtu(c, change.mtu); }); !s)
            return s;
    if (change.arp >= 0)
        if (Status s = setFlag(IFF_NOARP, !change.arp); !s)
            return s;
    if (change.up >= 0)
        if (Status s = setFlag(IFF_UP, change.up != 0); !s)
            return s;
    return {};
}

Result<std::vector<KernelNet::Address>> KernelNet::addresses()
{
    if (Status s = connect(); !s)
        return s.error();
    nl_cache* raw = nullptr;
    if (int err = rtnl_addr_alloc_cache(sock_, &raw); err < 0)
        return nlError("cannot list addresses", err);
    CachePtr cache(raw);
    std::vector<Address> out;
    for (nl_object* o = nl_cache_get_first(raw); o; o = nl_cache_get_next(o)) {
        auto* a = reinterpret_cast<rtnl_addr*>(o);
        if (rtnl_addr_get_family(a) != AF_INET)
            continue;
        out.push_back({rtnl_addr_get_ifindex(a),
                       ipv4(rtnl_addr_get_local(a)) + "/" + std::to_string(rtnl_addr_get_prefixlen(a))});
    }
    return out;
}

namespace {
rtnl_addr* makeAddr(int index, const nl_addr* local, bool withBroadcast)
{
    rtnl_addr* a = rtnl_addr_alloc();
    rtnl_addr_set_ifindex(a, index);
    rtnl_addr_set_family(a, AF_INET);
    rtnl_addr_set_local(a, const_cast<nl_addr*>(local));
    rtnl_addr_set_prefixlen(a, static_cast<int>(nl_addr_get_prefixlen(local)));
    const unsigned plen = nl_addr_get_prefixlen(local);
    if (withBroadcast && plen < 31) {
        in_addr_t v;
        std::memcpy(&v, nl_addr_get_binary_addr(local), 4);
        const std::uint32_t mask = plen ? ~std::uint32_t(0) << (32 - plen) : 0;
        const std::uint32_t b = htonl((ntohl(v) & mask) | ~mask);
        if (nl_addr* bc = nl_addr_build(AF_INET, &b, 4)) {
            rtnl_addr_set_broadcast(a, bc);
            nl_addr_put(bc);
        }
    }
    return a;
}
}  // namespace

Status KernelNet::addAddress(int index, const std::string& prefix)
{
    if (Status s = connect(); !s)
        return s.error();
    auto local = parse(prefix);
    if (!local)
        return local.error();
    std::unique_ptr<rtnl_addr, void (*)(rtnl_addr*)> a(makeAddr(index, local->get(), true), rtnl_addr_put);
    if (int err = rtnl_addr_add(sock_, a.get(), 0); err < 0 && err != -NLE_EXIST)
        return nlError("cannot add " + prefix, err);
    return {};
}

Status KernelNet::removeAddress(int index, const std::string& prefix)
{
    if (Status s = connect(); !s)
        return s.error();
    auto local = parse(prefix);
    if (!local)
        return local.error();
    std::unique_ptr<rtnl_addr, void (*)(rtnl_addr*)> a(makeAddr(index, local->get(), false), rtnl_addr_put);
    if (int err = rtnl_addr_delete(sock_, a.get(), 0); err < 0 && err != -NLE_NOADDR && err != -NLE_OBJ_NOTFOUND)
        return nlError("cannot remove " + prefix, err);
    return {};
}

Result<std::vector<KernelNet::Route>> KernelNet::routes()
{
    if (Status s = connect(); !s)
        return s.error();
    nl_cache* raw = nullptr;
    if (int err = rtnl_route_alloc_cache(sock_, AF_INET, 0, &raw); err < 0)
        return nlError("cannot list routes", err);
    CachePtr cache(raw);
    std::vector<Route> out;
    for (nl_object* o = nl_cache_get_first(raw); o; o = nl_cache_get_next(o)) {
        auto* r = reinterpret_cast<rtnl_route*>(o);
        if (rtnl_route_get_table(r) != RT_TABLE_MAIN || rtnl_route_get_type(r) != RTN_UNICAST)
            continue;
        Route k;
        const nl_addr* dst = rtnl_route_get_dst(r);
        k.dst = (dst && nl_addr_get_len(dst) == 4 ? ipv4(dst) : std::string("0.0.0.0")) + "/" +
                std::to_string(dst ? nl_addr_get_prefixlen(dst) : 0);
        if (const nl_addr* ps = rtnl_route_get_pref_src(r))
            k.prefSrc = ipv4(ps);
        k.metric = rtnl_route_get_priority(r);
        k.protocol = rtnl_route_get_protocol(r);
        if (rtnl_route_get_nnexthops(r) > 0) {
            rtnl_nexthop* nh = rtnl_route_nexthop_n(r, 0);
            k.oif = rtnl_route_nh_get_ifindex(nh);
            if (const nl_addr* gw = rtnl_route_nh_get_gateway(nh))
                k.gateway = ipv4(gw);
        }
        out.push_back(std::move(k));
    }
    return out;
}

namespace {
Result<rtnl_route*> makeRoute(const std::string& dst, const std::string& gateway, int oif, unsigned metric)
{
    auto d = parse(dst);
    if (!d)
        return d.error();
    rtnl_route* r = rtnl_route_alloc();
    rtnl_route_set_family(r, AF_INET);
    rtnl_route_set_table(r, RT_TABLE_MAIN);
    rtnl_route_set_dst(r, d->get());
    rtnl_route_set_priority(r, metric);
    rtnl_route_set_protocol(r, RTPROT_STATIC);
    rtnl_route_set_type(r, RTN_UNICAST);
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    if (!gateway.empty()) {
        auto g = parse(gateway);
        if (!g) {
            rtnl_route_nh_free(nh);
            rtnl_route_put(r);
            return g.error();
        }
        rtnl_route_nh_set_gateway(nh, g->get());
        rtnl_route_set_scope(r, RT_SCOPE_UNIVERSE);
    } else {
        rtnl_route_set_scope(r, RT_SCOPE_LINK);
    }
    if (oif > 0)
        rtnl_route_nh_set_ifindex(nh, oif);
    rtnl_route_add_nexthop(r, nh);
    return r;
}
}  // namespace

Status KernelNet::addRoute(const std::string& dst, const std::string& gateway, int oif, unsigned metric)
{
    if (Status s = connect(); !s)
        return s.error();
    auto r = makeRoute(dst, gateway, oif, metric);
    if (!r)
        return r.error();
    std::unique_ptr<rtnl_route, void (*)(rtnl_route*)> route(*r, rtnl_route_put);
    if (int err = rtnl_route_add(sock_, route.get(), NLM_F_EXCL); err < 0 && err != -NLE_EXIST)
        return nlError("cannot add route to " + dst, err);
    return {};
}

Status KernelNet::removeRoute(const std::string& dst, const std::string& gateway, int oif, unsigned metric)
{
    if (Status s = connect(); !s)
        return s.error();
    auto r = makeRoute(dst, gateway, oif, metric);
    if (!r)
        return r.error();
    std::unique_ptr<rtnl_route, void (*)(rtnl_route*)> route(*r, rtnl_route_put);
    rtnl_route_set_scope(route.get(), RT_SCOPE_NOWHERE);
    if (int err = rtnl_route_delete(sock_, route.get(), 0); err < 0 && err != -NLE_OBJ_NOTFOUND)
        return nlError("cannot remove route to " + dst, err);
    return {};
}

}  // namespace mr::guest
