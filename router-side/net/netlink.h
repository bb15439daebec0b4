#pragma once
// Synchronous changes to the kernel's links and addresses through libnl-route,
// each one acknowledged by the kernel and reported as an mr::Error on refusal.

#include <optional>
#include <string>

#include "error.h"
#include "kernel_state.h"

struct nl_sock;
struct nl_msg;
struct rtnl_link;

namespace mr::net {

class Ipv4Prefix;

// Bridge attributes in kernel units where they differ from RouterOS (seconds here).
struct BridgeParams {
    int mtu = 1500;
    bool stp = false;
    int priority = 0x8000;
    int ageingTime = 300;
    int forwardDelay = 15;
    int maxAge = 20;
    std::string adminMac;  // empty: the kernel picks (auto-mac=yes)
};

// What /interface/bridge arp= maps to on Linux.
enum class ArpMode { Enabled, Disabled, ProxyArp, LocalProxyArp };

// Bridge port attributes in Linux terms.
struct PortParams {
    int priority = 32;  // 0..63
    int cost = 10;      // 1..65535
    bool isolated = false;
};

// One NETLINK_ROUTE socket used for requests (not for events).
class Netlink {
public:
    Netlink();
    ~Netlink();
    Netlink(const Netlink&) = delete;
    Netlink& operator=(const Netlink&) = delete;

    Status open();
    nl_sock* socket() const { return sock_; }

    // Fresh from the kernel, not from a cache: nullopt when absent.
    std::optional<LinkState> link(const std::string& name) const;
    std::optional<LinkState> link(int index) const;
    int indexOf(const std::string& name) const;

    Status createBridge(const std::string& name, const BridgeParams& params, bool up);
    Status changeBridge(int index, const BridgeParams& params);
    Status createVlan(const std::string& name, int parent, int vlanId, int mtu, bool up);
    Status deleteLink(int index);

    Status setUp(int index, bool up);
    // Linux refuses to rename a link that is up; this takes it down and back.
    Status rename(int index, const std::string& name);
    Status setMtu(int index, int mtu);
    // Sets the MTU so that a bridge keeps it when ports join (the kernel only
    // marks a bridge MTU as the user's when it really changes).
    Status pinMtu(int index, int mtu);
    Status setAlias(int index, const std::string& alias);
    Status setArp(int index, ArpMode mode);

    // master 0 releases the link from its bridge.
    Status setMaster(int index, int master);
    Status setPortParams(int index, const PortParams& params);

    // true if added, false if the kernel already had it (adopted).
    Result<bool> addAddress(int index, const Ipv4Prefix& prefix);
    // true if removed, false if the kernel did not have it.
    Result<bool> deleteAddress(int index, const Ipv4Prefix& prefix);

    static LinkState toState(rtnl_link* link);

private:
    Status send(nl_msg* msg, const std::string& what);

    nl_sock* sock_ = nullptr;
};

}  // namespace mr::net
