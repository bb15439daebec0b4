#pragma once
// The provider of /metarouter, /metarouter/interface and
// /metarouter/settings: each metarouter is a QEMU virtual machine
// (VmInstance) with a qcow2 disk and a runtime directory under
// <state>/metarouters/<name>/, its interfaces are host taps (vif1, ...)
// hot-plugged into it, and it is the daemon's ConsoleRegistry.

#include <QObject>
#include <QString>
#include <QTimer>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "accel_probe.h"
#include "console_registry.h"
#include "image_store.h"
#include "menu_provider.h"
#include "metarouter_settings.h"
#include "netlink.h"
#include "vm_spec.h"

namespace mr::agent {
class ObjectStore;
class SystemProvider;
}  // namespace mr::agent

namespace mr::hv {

class ImageImporter;
class VmInstance;

class MetarouterProvider final : public QObject, public agent::MenuProvider, public ConsoleRegistry {
    Q_OBJECT
public:
    enum class AccelMode { Auto, Kvm, Tcg };

    struct Options {
        QString stateDir;              // metarouters/ and images/ live here
        QString defaultImageDir;       // the built-in guest image
        QString filesDir;              // where import-image finds file-name (/file)
        QString qemuUser = QStringLiteral("nobody");
        AccelMode accel = AccelMode::Auto;  // Auto: AccelProbe once at start
        int pollMs = 2000;
    };

    // system may be null (no /system/resource to tell the accelerator to).
    MetarouterProvider(Options options, agent::SystemProvider* system, QObject* parent = nullptr);
    ~MetarouterProvider() override;

    std::vector<wire::MenuSchema> menus() const override;
    bool persists(const std::string& menu) const override;
    void start(agent::ObjectStore& store) override;
    Status prepare(agent::Mutation& mutation) override;
    Status apply(const agent::Mutation& mutation) override;
    void revert(const agent::Mutation& mutation) override;
    Result<std::string> command(const std::string& menu, const std::string& command, const std::string& id,
                                const Properties& arguments) override;
    void commandAsync(const std::string& menu, const std::string& command, const std::string& id,
                      const Properties& arguments, agent::CommandJob job) override;

    ConsoleMux* console(const std::string& metarouterName) override;

    // For a daemon whose network namespace goes away with it (--sandbox):
    // powers every metarouter off, hard-stops what is left after timeoutMs.
    void stopAll(int timeoutMs);

private:
    struct Nic {
        std::string vmId;     // /metarouter id
        std::string tap;      // host tap
        std::string bridge;   // private bridge of a static interface
        bool plugged = false; // in the running QEMU
    };

    // lookups
    Properties props(const std::string& menu, const std::string& id) const;
    MetarouterSettings settings() const;
    std::string vmIdByName(const std::string& name) const;
    QString runtimeDir(const std::string& name) const;
    QString diskPath(const std::string& name) const;
    VmInstance* instance(const std::string& vmId) const;
    std::vector<std::string> interfacesOf(const std::string& vmId) const;

    // /metarouter
    Status prepareMetarouter(agent::Mutation& m);
    Status applyMetarouter(const agent::Mutation& m);
    Status checkMemory(const std::string& selfId, int memoryMiB) const;
    Result<GuestImage> imageOf(const Properties& p) const;
    Status createDisk(const Properties& p);
    VmInstance& ensureInstance(const std::string& vmId, const std::string& name);
    Status startVm(const std::string& vmId);
    Status launch(const std::string& vmId);
    void onAccelChosen(const AccelChoice& choice);
    void onStopped(const std::string& vmId, const QString& reason, bool unexpected);
    void reconcileNics(const std::string& vmId);
    void destroyVm(const std::string& vmId, const std::string& name);

    // /metarouter/interface
    Status prepareInterface(agent::Mutation& m);
    Status applyInterface(const agent::Mutation& m);
    std::string freeVifName(const std::string& selfId) const;
    Status setUpHost(const std::string& ifaceId, const Properties& p);
    void tearDownHost(const std::string& ifaceId, const Properties& p);
    Status attachToBridge(const std::string& tap, const std::string& bridge);
    NicSpec nicSpec(const std::string& ifaceId, const Properties& p) const;
    void plug(const std::string& ifaceId);
    void unplugThen(const std::string& ifaceId, std::function<void()> then);

    // observed state
    void schedulePublish();
    void publish();
    // guest-identity, guest-interfaces, ... of what vm's guest last reported.
    void addGuestReport(VmInstance* vm, Properties& status);
    void poll();

    Options options_;
    agent::SystemProvider* system_;
    agent::ObjectStore* store_ = nullptr;
    std::string settingsId_;
    ImageStore images_;
    std::unique_ptr<ImageImporter> importer_;
    net::Netlink netlink_;
    uid_t qemuUid_ = 65534;
    gid_t qemuGid_ = 65534;

    std::unique_ptr<AccelProbe> probe_;
    bool accelKnown_ = false;
    Accel accel_ = Accel::Tcg;
    std::set<std::string> waitingForAccel_;
    std::set<std::string> startAfterStop_;  // enabled or started while shutting down

    std::map<std::string, std::unique_ptr<VmInstance>> vms_;  // by /metarouter id
    std::map<std::string, Nic> nics_;                         // by /metarouter/interface id
    QTimer pollTimer_;
    bool publishScheduled_ = false;
};

}  // namespace mr::hv
