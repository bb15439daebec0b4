#pragma once
// The guest command line's backend: the guest's own menus applied to its own
// kernel (links, addresses, routes over netlink; NAT and filter through nft;
// DHCP clients through busybox udhcpc) and kept in a GuestConfig that boot
// re-applies.

#include <map>
#include <string>
#include <vector>

#include "cli_backend.h"
#include "guest_config.h"
#include "kernel_net.h"

namespace mr::guest {

class GuestBackend : public cli::CliBackend {
public:
    struct Options {
        std::string configPath;      // "" keeps nothing
        std::string interfaceMap;    // ifindex -> default name, for this boot
        std::string nft = "/usr/sbin/nft";
        std::string modprobe = "/bin/modprobe";
        std::string diskPath = "/";  // for free-hdd-space
        std::string user = "admin";
        std::string resolvConf = "/etc/resolv.conf";  // /ip dns writes it
        std::string ping = "/bin/ping";               // busybox ping
        std::string udhcpc = "/bin/udhcpc";           // busybox udhcpc
        std::string dhcpScript = "/sbin/mr-dhcp-event";  // udhcpc's -s: runs `mr-shell --dhcp-event`
        std::string dhcpDir = "/run/mr-dhcp";         // leases (STABLE.lease) and udhcpc pid files
        // mr-shell with these options, for the DHCP script (MR_SHELL in udhcpc's environment).
        std::string selfCommand;
    };
    enum class Power { None, Reboot, Shutdown };

    explicit GuestBackend(Options options);

    Status load();
    // Boot: every saved setting to the kernel; errors are listed, not fatal.
    std::string applyAll();

    const wire::Schema& schema() const override { return schema_; }
    std::string user() const override { return options_.user; }
    std::string identity() const override;

    Result<std::vector<wire::Object>> get(const std::string& menu) override;
    Result<std::string> add(const std::string& menu, const Properties& properties) override;
    Status set(const std::string& menu, const std::string& id, const Properties& properties,
               const std::vector<std::string>& unset) override;
    Status remove(const std::string& menu, const std::string& id) override;
    Result<std::string> command(const std::string& menu, const std::string& command, const std::string& id,
                                const Properties& arguments) override;

    // udhcpc's script (deconfig, bound, renew, leasefail, nak) with its
    // environment (interface, ip, subnet, router, dns, lease): the lease to
    // the kernel as a dynamic address and route, and to the lease file.
    Status dhcpEvent(const std::string& event, const Properties& env);

    // The login's check: true when `password` is admin's (empty by default).
    bool checkPassword(const std::string& password) const;

    // What /system reboot or shutdown asked for; the caller powers off.
    Power pendingPower() const { return power_; }

private:
    using Links = std::vector<KernelNet::Link>;

    Result<Links> links();
    bool isEther(const KernelNet::Link& l) const;
    std::string defaultName(const KernelNet::Link& l) const;
    // References are kept by default name, so a rename does not break them.
    Result<std::string> stableName(const std::string& current, const std::string& field = "interface");
    // Replaces the link named by p[key] with its stable name; an unknown link
    // is refused as a bad value of key.
    Status keepByStableName(Properties& p, const std::string& key);
    std::string currentName(const std::string& stable, const Links& links) const;
    const KernelNet::Link* linkByStable(const std::string& stable, const Links& links) const;

    Result<std::vector<wire::Object>> getLinks(bool ethernetOnly);
    Result<std::vector<wire::Object>> getAddresses();
    Result<std::vector<wire::Object>> getRoutes();
    Result<std::vector<wire::Object>> getFirewall(const std::string& menu);
    Result<std::vector<wire::Object>> getDhcpClients();
    wire::Object resource() const;

    Status setLink(const std::string& id, const Properties& properties, const std::vector<std::string>& unset);
    Status applyLink(const KernelNet::Link& link, const Properties& desired, bool rename);
    Status applyAddress(const Properties& p, bool add);
    Status applyRoute(const Properties& p, bool add);
    // NAT and filter rules in one nft transaction: all of them or no change.
    Status applyFirewall();
    void retryRoutes();
    Result<Properties> checkAddress(Properties p, const std::string& selfId);
    Result<Properties> checkRoute(Properties p);
    Status matchRule(const Properties& p, const Links& links, std::string& rule) const;
    Result<std::string> natRule(const Properties& p, const Links& links) const;
    Result<std::string> filterRule(const Properties& p, const Links& links) const;
    Result<std::string> firewallRule(const std::string& menu, const Properties& p, const Links& links) const;
    Result<Properties> checkDhcpClient(Properties p, const std::string& selfId);
    Status startDhcp(const std::string& stable);
    void stopDhcp(const std::string& stable);
    Properties lease(const std::string& stable) const;
    void dropLease(const std::string& stable);
    std::string dynamicServers() const;
    Status refreshResolvConf() const;
    Status save();
    Status setDns(const Properties& properties, const std::vector<std::string>& unset);
    Status writeResolvConf(const std::string& servers) const;
    Status setPassword(const std::string& password);
    Result<std::string> ping(const Properties& arguments);

    Options options_;
    wire::Schema schema_;
    GuestConfig config_;
    KernelNet net_;
    std::map<int, std::string> ifmap_;
    Power power_ = Power::None;
    bool firewallApplied_ = false;
};

}  // namespace mr::guest
