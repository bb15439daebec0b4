#pragma once

#include <QJsonObject>
#include <QObject>
#include <QString>

#include <functional>
#include <vector>

#include "error.h"
#include "vm_spec.h"

namespace mr::hv {

class QmpClient;

// VM status as reported by query-status.
struct VmStatus {
    bool running = false;
    QString status;  // "running", "paused", "shutdown", "prelaunch", ...
};

// One block device's counters from query-blockstats.
struct BlockStats {
    QString device;  // the qdev id or node name
    qint64 readOps = 0;
    qint64 writeOps = 0;
    qint64 readBytes = 0;
    qint64 writeBytes = 0;
};

// QMP command layer on top of a QmpClient: typed commands and typed events for
// the things the hypervisor does to a running metarouter.
class QemuMonitor final : public QObject {
    Q_OBJECT
public:
    using Done = std::function<void(mr::Status)>;

    explicit QemuMonitor(QmpClient& client, QObject* parent = nullptr);

    QmpClient& client() { return client_; }

    void queryStatus(std::function<void(mr::Result<VmStatus>)> done);
    void queryBlockStats(std::function<void(mr::Result<std::vector<BlockStats>>)> done);
    // Names of devices currently plugged (qom-list of /machine/peripheral).
    void queryPeripherals(std::function<void(mr::Result<std::vector<QString>>)> done);

    // ACPI power button: the guest shuts itself down.
    void systemPowerdown(Done done);
    void systemReset(Done done);
    void quit(Done done);
    void stop(Done done);
    void cont(Done done);

    // Hot-plug: netdev_add of the tap, then device_add of a virtio-net-pci;
    // the netdev is removed again when device_add fails.
    void addNic(const NicSpec& nic, Done done);
    // Hot-unplug: device_del; the guest acknowledges with DEVICE_DELETED,
    // after which the netdev is removed. done runs after DEVICE_DELETED or on error.
    void removeNic(const QString& nicId, Done done, int timeoutMs = 10000);

signals:
    void shutdown(bool guestInitiated, const QString& reason);
    void powerdown();
    void reset(bool guestInitiated);
    void stopped();
    void resumed();
    void deviceDeleted(const QString& deviceId);

private:
    void simple(const QString& command, const QJsonObject& args, Done done);
    void onEvent(const QString& name, const QJsonObject& data);

    QmpClient& client_;
};

}  // namespace mr::hv
