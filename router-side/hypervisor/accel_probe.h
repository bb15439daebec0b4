#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QTimer>

#include <memory>

#include "error.h"
#include "vm_spec.h"

namespace mr::hv {

// What AccelProbe decided, and why (shown in /system/resource).
struct AccelChoice {
    Accel accel = Accel::Tcg;
    QString reason;
    qint64 elapsedMs = 0;
    bool probeBooted = false;  // the probe guest reached user space
};

// Decides once whether metarouters run under KVM or TCG: KVM only when
// /dev/kvm works AND a real guest kernel boots under it to user space within
// a watchdog (nested KVM may accept the VM and then hang the guest).
class AccelProbe final : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString kernel;            // the guest image's kernel and initrd;
        QString initrd;            // the initrd must have /sbin/mr-probe
        QString kvmDevice = QStringLiteral("/dev/kvm");
        Accel candidate = Accel::Kvm;  // Tcg only to test the probe itself
        int timeoutMs = 8000;
        QString qemuBinary;        // default: qemu-system-x86_64 from PATH
    };

    explicit AccelProbe(Options options, QObject* parent = nullptr);
    ~AccelProbe() override;

    // Runs the probe; finished() follows exactly once.
    void start();
    // Blocking convenience: runs start() in a local event loop.
    static AccelChoice run(const Options& options);

    // Whether the KVM device opens and answers KVM_GET_API_VERSION.
    static mr::Status kvmUsable(const QString& device);

    static constexpr const char* kMarker = "MR-PROBE-OK";

signals:
    void finished(const mr::hv::AccelChoice& choice);

private:
    void finish(bool booted, const QString& why);

    Options options_;
    std::unique_ptr<QProcess> process_;
    QTimer watchdog_;
    QElapsedTimer clock_;
    QByteArray output_;
    bool done_ = false;
};

}  // namespace mr::hv
