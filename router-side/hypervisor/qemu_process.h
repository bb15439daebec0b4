#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QSocketNotifier>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>

#include "error.h"
#include "qemu_monitor.h"
#include "qmp_client.h"
#include "vm_spec.h"

namespace mr::hv {

// One metarouter's QEMU process: started detached so that it survives the
// daemon, adopted again from its pid file and QMP socket, watched for exit.
class QemuProcess final : public QObject {
    Q_OBJECT
public:
    enum class State { Stopped, Starting, Running, Exited };

    explicit QemuProcess(QObject* parent = nullptr);
    // Leaves QEMU running: it belongs to the metarouter, not to this object.
    ~QemuProcess() override;

    // Spawns QEMU; started() follows once QMP is negotiated, or startFailed().
    mr::Status start(const VmSpec& spec, int readyTimeoutMs = 20000);
    // Takes over a QEMU left running by an earlier daemon: pid file, then QMP.
    // started() or startFailed() follow as for start().
    mr::Status adopt(const QString& runtimeDir, int readyTimeoutMs = 10000);

    // ACPI power-down; QUIT after graceMs; SIGKILL if QEMU is still there
    // 3 s later. exited() follows.
    void shutDown(int graceMs = 30000);
    // SIGKILL now.
    void kill();

    State state() const { return state_; }
    qint64 pid() const { return pid_; }
    bool adopted() const { return adopted_; }
    QString runtimeDir() const { return runtimeDir_; }
    QmpClient& qmp() { return qmp_; }
    QemuMonitor& monitor() { return monitor_; }
    // The last lines QEMU wrote to its log (why it failed to start, ...).
    QString logTail(int maxBytes = 2000) const;

signals:
    void started();
    void startFailed(const QString& reason);
    // QEMU is gone; reason from its SHUTDOWN event or its log.
    void exited(const QString& reason);

private:
    mr::Status watch(qint64 pid, int readyTimeoutMs);
    void onProcessGone();
    void onQmpClosed(const QString& reason);

    State state_ = State::Stopped;
    qint64 pid_ = 0;
    QString runtimeDir_;
    QString logFile_;
    QString shutdownReason_;
    bool adopted_ = false;
    int pidfd_ = -1;
    std::unique_ptr<QSocketNotifier> exitNotifier_;
    QTimer pollTimer_;  // fallback when pidfd_open is not available
    QTimer graceTimer_;
    QmpClient qmp_;
    QemuMonitor monitor_;
};

}  // namespace mr::hv
