#pragma once
// The guest kernel's links, IPv4 addresses and main-table routes over
// rtnetlink (libnl-route-3), in whatever network namespace the process runs.

#include <string>
#include <vector>

#include "error.h"

struct nl_sock;

namespace mr::guest {

class KernelNet {
public:
    struct Link {
        int index = 0;
        std::string name;
        std::string kind;  // "" for hardware NICs, "veth", "bridge", ...
        unsigned mtu = 0;
        std::string mac;   // upper case
        bool up = false;
        bool running = false;
        bool noarp = false;
        bool slave = false;
        bool ethernet = false;  // ARPHRD_ETHER
    };
    struct Address {
        int index = 0;
        std::string prefix;  // "10.0.0.2/24"
    };
    struct Route {
        std::string dst;      // "0.0.0.0/0"
        std::string gateway;  // "" for on-link routes
        std::string prefSrc;
        int oif = 0;
        unsigned metric = 0;
        int protocol = 0;     // RTPROT_*
    };
    struct LinkChange {
        std::string name;  // "" keeps it
        unsigned mtu = 0;  // 0 keeps it
        int up = -1;       // -1 keeps it
        int arp = -1;
    };

    KernelNet();
    ~KernelNet();
    KernelNet(const KernelNet&) = delete;
    KernelNet& operator=(const KernelNet&) = delete;

    Result<std::vector<Link>> links();
    Status changeLink(int index, const LinkChange& change);
    Result<std::vector<Address>> addresses();
    Status addAddress(int index, const std::string& prefix);
    Status removeAddress(int index, const std::string& prefix);
    Result<std::vector<Route>> routes();
    // gateway: an IPv4 address, or "" with oif for a route through a link.
    Status addRoute(const std::string& dst, const std::string& gateway, int oif, unsigned metric);
    Status removeRoute(const std::string& dst, const std::string& gateway, int oif, unsigned metric);

private:
    Status connect();
    nl_sock* sock_ = nullptr;
};

}  // namespace mr::guest
