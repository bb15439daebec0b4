#pragma once
// Plain snapshots of kernel objects, copied out of libnl caches so that the
// provider can diff one sync against the previous one.

#include <cstdint>
#include <map>
#include <string>

namespace mr::net {

// One network link as the kernel reports it.
struct LinkState {
    int index = 0;
    std::string name;
    std::string kind;  // IFLA_INFO_KIND: "bridge", "vlan", "veth", "tun", "" for hardware
    std::string mac;   // XX:XX:XX:XX:XX:XX
    std::string alias; // ifalias, shown as comment
    unsigned flags = 0;
    unsigned arpType = 0;
    int mtu = 0;
    int master = 0;    // bridge (or bond) this link is enslaved to
    int parent = 0;    // IFLA_LINK: a vlan's lower link
    int vlanId = 0;
    std::uint64_t rxBytes = 0, txBytes = 0, rxPackets = 0, txPackets = 0;
    std::uint64_t rxDrops = 0, txDrops = 0, rxErrors = 0, txErrors = 0;

    bool up() const;
    bool running() const;

    // Everything but the counters: a change here can need reconciling.
    bool sameStructure(const LinkState& o) const
    {
        return name == o.name && kind == o.kind && mac == o.mac && alias == o.alias && flags == o.flags &&
               mtu == o.mtu && master == o.master && parent == o.parent && vlanId == o.vlanId;
    }
};

// One IPv4 address; key is "ifindex address/len".
struct AddressState {
    int index = 0;
    std::string prefix;  // "10.0.0.1/24"
    bool operator==(const AddressState&) const = default;
};

// Links by ifindex, addresses by key.
struct KernelState {
    std::map<int, LinkState> links;
    std::map<std::string, AddressState> addresses;

    const LinkState* link(int index) const;
    const LinkState* linkByName(const std::string& name) const;
    static std::string addressKey(int index, const std::string& prefix);
    bool hasAddress(int index, const std::string& prefix) const { return addresses.count(addressKey(index, prefix)) != 0; }
};

}  // namespace mr::net
