#include "accel_probe.h"

#include <QEventLoop>
#include <QFile>
#include <QStandardPaths>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace mr::hv {

AccelProbe::AccelProbe(Options options, QObject* parent) : QObject(parent), options_(std::move(options))
{
    watchdog_.setSingleShot(true);
    connect(&watchdog_, &QTimer::timeout, this, [this] {
        finish(false, QStringLiteral("the probe guest did not boot within %1 ms (hung)").arg(options_.timeoutMs));
    });
}

AccelProbe::~AccelProbe()
{
    if (process_) {
        process_->disconnect(this);
        process_->kill();
        process_->waitForFinished(2000);
    }
}

mr::Status AccelProbe::kvmUsable(const QString& device)
{
    const int fd = ::open(QFile::encodeName(device).constData(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return mr::Error::failed("cannot open " + device.toStdString() + ": " + std::strerror(errno));
    const int version = ::ioctl(fd, KVM_GET_API_VERSION, 0);
    ::close(fd);
    if (version != KVM_API_VERSION)
        return mr::Error::failed("KVM API version " + std::to_string(version) + " is not supported");
    return {};
}

void AccelProbe::start()
{
    clock_.start();
    done_ = false;
    output_.clear();
    if (options_.candidate == Accel::Kvm) {
        const mr::Status kvm = kvmUsable(options_.kvmDevice);
        if (!kvm) {
            // Deferred so that finished() never fires inside start().
            QTimer::singleShot(0, this, [this, why = QString::fromStdString(kvm.error().message)] {
                finish(false, why);
            });
            return;
        }
    }
    QString qemu = options_.qemuBinary;
    if (qemu.isEmpty())
        qemu = QStandardPaths::findExecutable(QStringLiteral("qemu-system-x86_64"));
    if (qemu.isEmpty() || !QFile::exists(options_.kernel) || !QFile::exists(options_.initrd)) {
        QTimer::singleShot(0, this, [this] { finish(false, QStringLiteral("no QEMU or no probe kernel/initrd")); });
        return;
    }
    const bool kvm = options_.candidate == Accel::Kvm;
    QStringList args{QStringLiteral("-nodefaults"), QStringLiteral("-no-user-config"),
                     QStringLiteral("-display"), QStringLiteral("none"),
                     QStringLiteral("-accel"), kvm ? QStringLiteral("kvm") : QStringLiteral("tcg"),
                     QStringLiteral("-m"), QStringLiteral("96"),
                     QStringLiteral("-kernel"), options_.kernel,
                     QStringLiteral("-initrd"), options_.initrd,
                     QStringLiteral("-append"),
                     QStringLiteral("console=ttyS0 rdinit=/sbin/mr-probe quiet loglevel=1 panic=-1"),
                     QStringLiteral("-serial"), QStringLiteral("stdio"),
                     QStringLiteral("-no-reboot")};
    if (kvm)
        args << QStringLiteral("-cpu") << QStringLiteral("host");
    process_ = std::make_unique<QProcess>();
    process_->setProcessChannelMode(QProcess::MergedChannels);
    connect(process_.get(), &QProcess::readyRead, this, [this] {
        output_ += process_->readAll();
        if (output_.size() > 64 * 1024)
            output_.remove(0, output_.size() - 64 * 1024);
        if (output_.contains(kMarker))
            finish(true, {});
    });
    connect(process_.get(), &QProcess::finished, this, [this](int code, QProcess::ExitStatus) {
        output_ += process_->readAll();
        if (output_.contains(kMarker))
            return finish(true, {});
        const QString tail = QString::fromLocal8Bit(output_.right(300)).trimmed();
        finish(false, QStringLiteral("QEMU exited with %1 before the guest booted%2")
                          .arg(code)
                          .arg(tail.isEmpty() ? QString() : QStringLiteral(": ") + tail));
    });
    connect(process_.get(), &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            finish(false, QStringLiteral("cannot start QEMU: %1").arg(process_->errorString()));
    });
    watchdog_.start(options_.timeoutMs);
    process_->start(qemu, args, QIODevice::ReadOnly);
}

void AccelProbe::finish(bool booted, const QString& why)
{
    if (done_)
        return;
    done_ = true;
    watchdog_.stop();
    if (process_) {
        // We may be inside one of the process's signals: delete it later.
        QProcess* p = process_.release();
        p->disconnect(this);
        p->kill();
        p->waitForFinished(2000);
        p->deleteLater();
    }
    AccelChoice c;
    c.probeBooted = booted;
    c.elapsedMs = clock_.elapsed();
    if (options_.candidate == Accel::Kvm) {
        c.accel = booted ? Accel::Kvm : Accel::Tcg;
        c.reason = booted ? QStringLiteral("KVM: a guest kernel booted in %1 ms").arg(c.elapsedMs)
                          : QStringLiteral("TCG: KVM not usable: %1").arg(why);
    } else {
        c.accel = Accel::Tcg;
        c.reason = booted ? QStringLiteral("TCG: a guest kernel booted in %1 ms").arg(c.elapsedMs)
                          : QStringLiteral("TCG: probe failed: %1").arg(why);
    }
    emit finished(c);
}

AccelChoice AccelProbe::run(const Options& options)
{
    AccelProbe probe(options);
    AccelChoice result;
    QEventLoop loop;
    connect(&probe, &AccelProbe::finished, &loop, [&](const AccelChoice& c) {
        result = c;
        loop.quit();
    });
    probe.start();
    loop.exec();
    return result;
}

}  // namespace mr::hv
