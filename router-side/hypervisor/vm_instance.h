#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>

#include "console_mux.h"
#include "error.h"
#include "guest_report_channel.h"
#include "vm_spec.h"

namespace mr::hv {

class QemuMonitor;
class QemuProcess;

// One metarouter at run time: its QEMU (started or adopted), its console,
// the state the user sees (booting, running, rebooting, shutting-down,
// stopped), disk counters, and the back-off before an automatic restart.
class VmInstance final : public QObject {
    Q_OBJECT
public:
    enum class State { Stopped, Booting, Running, Rebooting, ShuttingDown };

    // How long a booting guest may stay silent before it counts as running
    // (images that print no login prompt).
    static constexpr int kBootGraceMs = 20000;

    explicit VmInstance(QString runtimeDir, QObject* parent = nullptr);
    // Leaves QEMU running: it belongs to the metarouter, not to the daemon.
    ~VmInstance() override;

    QString runtimeDir() const { return runtimeDir_; }
    // Only while stopped (a rename moves the directory).
    void setRuntimeDir(QString dir) { runtimeDir_ = std::move(dir); }

    mr::Status start(const VmSpec& spec);
    // Takes over a QEMU an earlier daemon left running in the runtime
    // directory; false when there is none.
    bool tryAdopt();
    // ACPI power-down, hard stop after graceMs.
    void shutDown(int graceMs);
    mr::Status reboot();
    // SIGKILL; state is Stopped when this returns.
    void kill();

    State state() const { return state_; }
    bool isUp() const { return state_ != State::Stopped; }
    qint64 pid() const;
    bool qmpReady() const;
    QemuMonitor* monitor();  // nullptr unless QMP is ready
    ConsoleMux& console() { return console_; }
    // What the guest last reported about itself; empty while stopped and
    // from a reboot until the guest reports again.
    GuestReportChannel& guestReport() { return report_; }
    QString lastStopReason() const { return lastStopReason_; }

    qint64 diskReads() const { return diskReads_; }
    qint64 diskWrites() const { return diskWrites_; }
    // Asks QEMU for block counters; countersChanged() follows.
    void poll();

    // After an unexpected stop: restartDue() after 1 s, 2 s, 4 s ... 60 s;
    // the delay starts over once the guest ran for a minute.
    void scheduleRestart();
    void cancelRestart();
    bool restartPending() const { return restartTimer_.isActive(); }

    static const char* stateName(State s);

signals:
    void stateChanged();
    // QEMU is gone. unexpected: nobody asked (not shut-down, not the guest).
    void stopped(const QString& reason, bool unexpected);
    // QMP is up after start or adopt: time to reconcile hot-plugged NICs.
    void controlReady(bool adopted);
    void countersChanged();
    void restartDue();

private:
    void attachProcess();
    void onStarted();
    void onGone(const QString& reason);
    void setState(State s);
    void enterBoot(State s);

    QString runtimeDir_;
    State state_ = State::Stopped;
    std::unique_ptr<QemuProcess> process_;
    ConsoleMux console_;
    GuestReportChannel report_;
    QByteArray bootTail_;
    QTimer bootTimer_;
    QTimer stableTimer_;
    QTimer restartTimer_;
    int failures_ = 0;
    bool stopRequested_ = false;
    QString lastStopReason_;
    qint64 diskReads_ = 0;
    qint64 diskWrites_ = 0;
};

}  // namespace mr::hv
