#include "link_monitor.h"

#include <QSocketNotifier>

#include <arpa/inet.h>
#include <cstring>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "ipv4_prefix.h"
#include "netlink.h"

namespace mr::net {

void LinkMonitor::onCacheChange(nl_cache*, nl_object*, int, void* self)
{
    static_cast<LinkMonitor*>(self)->eventSeen_ = true;
}

LinkMonitor::LinkMonitor(QObject* parent) : QObject(parent)
{
    connect(&timer_, &QTimer::timeout, this, [this] {
        refresh();
        emit changed(false);
    });
}

LinkMonitor::~LinkMonitor()
{
    notifier_.reset();
    if (mngr_)
        nl_cache_mngr_free(mngr_);  // frees the managed caches too
    if (linkDump_)
        nl_cache_free(linkDump_);
    if (refreshSock_)
        nl_socket_free(refreshSock_);
}

Status LinkMonitor::start(int refreshMs)
{
    if (mngr_)
        return {};
    if (int err = nl_cache_mngr_alloc(nullptr, NETLINK_ROUTE, NL_AUTO_PROVIDE, &mngr_); err < 0)
        return Error::failed(std::string("cannot watch netlink: ") + nl_geterror(err));
    if (int err = nl_cache_mngr_add(mngr_, "route/link", onCacheChange, this, &links_); err < 0)
        return Error::failed(std::string("cannot watch links: ") + nl_geterror(err));
    if (int err = nl_cache_mngr_add(mngr_, "route/addr", onCacheChange, this, &addresses_); err < 0)
        return Error::failed(std::string("cannot watch addresses: ") + nl_geterror(err));
    refreshSock_ = nl_socket_alloc();
    if (!refreshSock_ || nl_connect(refreshSock_, NETLINK_ROUTE) < 0)
        return Error::failed("cannot open the netlink refresh socket");
    if (int err = rtnl_link_alloc_cache(refreshSock_, AF_UNSPEC, &linkDump_); err < 0)
        return Error::failed(std::string("cannot read links: ") + nl_geterror(err));
    notifier_ = std::make_unique<QSocketNotifier>(nl_cache_mngr_get_fd(mngr_), QSocketNotifier::Read);
    connect(notifier_.get(), &QSocketNotifier::activated, this, &LinkMonitor::onReadable);
    if (refreshMs > 0)
        timer_.start(refreshMs);
    return {};
}

void LinkMonitor::poll()
{
    if (!mngr_)
        return;
    const int err = nl_cache_mngr_data_ready(mngr_);
    if (err < 0) {
        // Lost events (socket overrun): re-read everything.
        refresh();
        eventSeen_ = true;
    } else if (eventSeen_) {
        nl_cache_refill(refreshSock_, linkDump_);
    }
}

void LinkMonitor::onReadable()
{
    poll();
    if (eventSeen_) {
        eventSeen_ = false;
        emit changed(true);
    }
}

void LinkMonitor::refresh()
{
    if (!mngr_)
        return;
    nl_cache_refill(refreshSock_, linkDump_);
    nl_cache_refill(refreshSock_, addresses_);
}

KernelState LinkMonitor::snapshot() const
{
    KernelState s;
    if (!mngr_)
        return s;
    // Links come from a dump of our own rather than the managed cache: libnl
    // merges AF_BRIDGE notifications (sent for bridges and their ports) into
    // the managed link objects and a rename can then be missed.
    for (nl_object* o = nl_cache_get_first(linkDump_); o; o = nl_cache_get_next(o)) {
        auto* l = reinterpret_cast<rtnl_link*>(o);
        LinkState ls = Netlink::toState(l);
        if (rtnl_link_get_family(l) != AF_UNSPEC && s.links.count(ls.index))
            continue;
        s.links[ls.index] = std::move(ls);
    }
    for (nl_object* o = nl_cache_get_first(addresses_); o; o = nl_cache_get_next(o)) {
        auto* a = reinterpret_cast<rtnl_addr*>(o);
        if (rtnl_addr_get_family(a) != AF_INET)
            continue;
        nl_addr* local = rtnl_addr_get_local(a);
        if (!local || nl_addr_get_len(local) != 4)
            continue;
        uint32_t be = 0;
        std::memcpy(&be, nl_addr_get_binary_addr(local), 4);
        AddressState as;
        as.index = rtnl_addr_get_ifindex(a);
        as.prefix = Ipv4Prefix(ntohl(be), rtnl_addr_get_prefixlen(a)).text();
        s.addresses[KernelState::addressKey(as.index, as.prefix)] = as;
    }
    return s;
}

}  // namespace mr::net
