#pragma once
// The provider of /interface, /interface/bridge, /interface/bridge/port,
// /interface/vlan and /ip/address: makes configured objects real through
// netlink, publishes the kernel's links and addresses as observed objects,
// and follows changes made outside the daemon (ip link / ip address).

#include <QObject>
#include <QTimer>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kernel_state.h"
#include "link_monitor.h"
#include "menu_provider.h"
#include "netlink.h"

namespace mr::agent {
class ObjectStore;
}

namespace mr::net {

class Rollback;

class NetProvider final : public QObject, public agent::MenuProvider {
    Q_OBJECT
public:
    // refreshMs: how often link counters are re-read (0: never, for tests).
    explicit NetProvider(int refreshMs = 1000, QObject* parent = nullptr);
    ~NetProvider() override;

    std::vector<wire::MenuSchema> menus() const override;
    bool persists(const std::string& menu) const override;
    void start(agent::ObjectStore& store) override;
    Status prepare(agent::Mutation& mutation) override;
    Status apply(const agent::Mutation& mutation) override;
    void revert(const agent::Mutation& mutation) override;

    // Whether start() could open netlink (the daemon exits if not).
    const Status& startStatus() const { return startStatus_; }
    // Reads pending kernel events and publishes them now; the event loop
    // does it otherwise.
    void sync();

private:
    using Props = Properties;
    using Mutation = agent::Mutation;

    // helpers over the store's configured (non-observed) objects
    std::string value(const std::string& menu, const Props& p, const std::string& key) const;
    bool flag(const std::string& menu, const Props& p, const std::string& key) const;
    std::vector<std::pair<std::string, Props>> configured(const std::string& menu) const;
    bool nameTaken(const std::string& name, const std::string& selfMenu, const std::string& selfId,
                   int selfIndex) const;
    bool interfaceKnown(const std::string& name) const;
    std::string generateName(const std::string& base) const;
    void updateIfChanged(const std::string& menu, const std::string& id, const Props& props);

    // prepare
    Status prepareInterface(Mutation& m);
    Status prepareBridge(Mutation& m);
    Status preparePort(Mutation& m);
    Status prepareVlan(Mutation& m);
    Status prepareAddress(Mutation& m);
    Status checkName(const Mutation& m, const std::string& property) const;

    // apply
    Status applyInterface(const Mutation& m);
    // Add (made with ensure, undone on failure) or Remove of a bridge/vlan link.
    Status addOrRemoveLink(const Mutation& m, const std::function<Status(const Props&, Rollback&)>& ensure);
    Status applyBridge(const Mutation& m);
    Status applyPort(const Mutation& m);
    Status applyVlan(const Mutation& m);
    Status applyAddress(const Mutation& m);

    // kernel steps shared by apply, start and reconcile; each registers its undo
    Status ensureBridge(const Props& p, Rollback& rb, bool adopt);
    Status ensureVlan(const Props& p, Rollback& rb, bool adopt);
    Status attachPort(const Props& p, Rollback& rb);
    Status detachPort(const Props& p, Rollback& rb);
    Status addAddress(const Props& p, Rollback& rb);
    Status removeAddress(const Props& p, Rollback& rb);
    Status setCommonLink(int index, const Props& before, const Props& after, const std::string& menu,
                         Rollback& rb);

    // observation
    void onMonitorChanged(bool structural);
    void publish(bool structural);
    void followRenames(const KernelState& next);
    void publishInterfaces(const KernelState& next);
    void publishConfigStatus(const KernelState& next);
    void publishDynamicPorts(const KernelState& next);
    void publishDynamicAddresses(const KernelState& next);
    void reconcile(const KernelState& next);
    void reportOnce(const std::string& key, const Status& status);

    agent::ObjectStore* store_ = nullptr;
    Netlink netlink_;
    LinkMonitor monitor_;
    int refreshMs_;
    Status startStatus_;
    KernelState state_;
    std::map<int, std::string> linkIds_;           // ifindex -> /interface id
    std::map<int, std::string> dynamicPorts_;      // port ifindex -> /interface/bridge/port id
    std::map<std::string, std::string> dynamicAddresses_;  // address key -> /ip/address id
    std::map<std::string, std::string> reported_;  // reconcile errors already logged
    bool publishing_ = false;
    // Kernel events arrive in bursts (one per address added): publishing is
    // O(configured objects), so a burst is published once, kCoalesceMs later.
    static constexpr int kCoalesceMs = 50;
    QTimer coalesce_;
    bool pendingStructural_ = false;
};

}  // namespace mr::net
