#include "qemu_process.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <csignal>

#include <sys/syscall.h>
#include <unistd.h>

#include "detached_process.h"
#include "qemu_command_line.h"

namespace mr::hv {

namespace {

int pidfdOpen(qint64 pid)
{
#ifdef SYS_pidfd_open
    return int(::syscall(SYS_pidfd_open, pid_t(pid), 0));
#else
    (void)pid;
    return -1;
#endif
}

}  // namespace

QemuProcess::QemuProcess(QObject* parent) : QObject(parent), monitor_(qmp_)
{
    pollTimer_.setInterval(500);
    connect(&pollTimer_, &QTimer::timeout, this, [this] {
        if (!DetachedProcess::isAlive(pid_))
            onProcessGone();
    });
    graceTimer_.setSingleShot(true);
    connect(&qmp_, &QmpClient::ready, this, [this] {
        if (state_ != State::Starting)
            return;
        state_ = State::Running;
        emit started();
    });
    connect(&qmp_, &QmpClient::closed, this, &QemuProcess::onQmpClosed);
    connect(&monitor_, &QemuMonitor::shutdown, this, [this](bool guest, const QString& reason) {
        shutdownReason_ = guest ? QStringLiteral("guest shut down (%1)").arg(reason)
                                : QStringLiteral("host shut down (%1)").arg(reason);
    });
}

QemuProcess::~QemuProcess()
{
    exitNotifier_.reset();
    if (pidfd_ >= 0)
        ::close(pidfd_);
}

mr::Status QemuProcess::start(const VmSpec& spec, int readyTimeoutMs)
{
    if (state_ == State::Starting || state_ == State::Running)
        return mr::Error::failed("QEMU is already running");
    auto program = QemuCommandLine::program(spec);
    if (!program)
        return program.error();
    auto args = QemuCommandLine::arguments(spec);
    if (!args)
        return args.error();
    if (!QDir().mkpath(spec.runtimeDir))
        return mr::Error::failed("cannot create " + spec.runtimeDir.toStdString());
    // Leftovers of an earlier run would make QEMU fail to bind or confuse adopt().
    for (const QString& f : {spec.qmpSocket(), spec.consoleSocket(), spec.pidFile()})
        QFile::remove(f);
    QFile::remove(spec.logFile());

    DetachedProcess::Options o;
    o.program = *program;
    o.arguments = *args;
    o.logFile = spec.logFile();
    o.netnsPath = spec.netnsPath;
    o.fileSizeLimit = spec.fileSizeLimit;
    auto pid = DetachedProcess::spawn(o);
    if (!pid)
        return pid.error();
    runtimeDir_ = spec.runtimeDir;
    logFile_ = spec.logFile();
    adopted_ = false;
    return watch(*pid, readyTimeoutMs);
}

mr::Status QemuProcess::adopt(const QString& runtimeDir, int readyTimeoutMs)
{
    if (state_ == State::Starting || state_ == State::Running)
        return mr::Error::failed("QEMU is already running");
    VmSpec paths;
    paths.runtimeDir = runtimeDir;
    QFile f(paths.pidFile());
    if (!f.open(QIODevice::ReadOnly))
        return mr::Error::notFound("no QEMU pid file in " + runtimeDir.toStdString());
    bool ok = false;
    const qint64 pid = f.readAll().trimmed().toLongLong(&ok);
    if (!ok || pid <= 0)
        return mr::Error::failed("bad pid file " + paths.pidFile().toStdString());
    // The pid must still be our QEMU: its command line names our QMP socket.
    if (!DetachedProcess::isAlive(pid, paths.qmpSocket()))
        return mr::Error::notFound("QEMU of " + runtimeDir.toStdString() + " is not running");
    runtimeDir_ = runtimeDir;
    logFile_ = paths.logFile();
    adopted_ = true;
    return watch(pid, readyTimeoutMs);
}

mr::Status QemuProcess::watch(qint64 pid, int readyTimeoutMs)
{
    pid_ = pid;
    state_ = State::Starting;
    shutdownReason_.clear();
    exitNotifier_.reset();
    if (pidfd_ >= 0)
        ::close(pidfd_);
    pidfd_ = pidfdOpen(pid);
    if (pidfd_ >= 0) {
        exitNotifier_ = std::make_unique<QSocketNotifier>(pidfd_, QSocketNotifier::Read);
        connect(exitNotifier_.get(), &QSocketNotifier::activated, this, &QemuProcess::onProcessGone);
    } else {
        pollTimer_.start();
    }
    VmSpec paths;
    paths.runtimeDir = runtimeDir_;
    qmp_.connectToServer(paths.qmpSocket(), readyTimeoutMs);
    return {};
}

void QemuProcess::onQmpClosed(const QString& reason)
{
    if (state_ == State::Starting) {
        // Either QEMU died while starting (the pidfd tells) or it never listened.
        if (!DetachedProcess::isAlive(pid_)) {
            onProcessGone();
            return;
        }
        state_ = State::Exited;
        // A QEMU we started but cannot control must not linger.
        if (!adopted_)
            ::kill(pid_t(pid_), SIGKILL);
        emit startFailed(QStringLiteral("QMP: %1").arg(reason));
        return;
    }
    // QMP closing on a live QEMU is odd; the exit notification handles death.
    if (state_ == State::Running && !DetachedProcess::isAlive(pid_))
        onProcessGone();
}

void QemuProcess::onProcessGone()
{
    if (state_ == State::Exited || state_ == State::Stopped)
        return;
    const State was = state_;
    state_ = State::Exited;
    exitNotifier_.reset();
    if (pidfd_ >= 0) {
        ::close(pidfd_);
        pidfd_ = -1;
    }
    pollTimer_.stop();
    graceTimer_.stop();
    graceTimer_.disconnect();
    qmp_.disconnectFromServer();
    QString reason = shutdownReason_;
    if (reason.isEmpty()) {
        const QString tail = logTail(400).trimmed();
        reason = tail.isEmpty() ? QStringLiteral("QEMU exited") : QStringLiteral("QEMU exited: %1").arg(tail);
    }
    if (was == State::Starting)
        emit startFailed(reason);
    emit exited(reason);
}

void QemuProcess::shutDown(int graceMs)
{
    if (state_ != State::Running && state_ != State::Starting)
        return;
    monitor_.systemPowerdown({});
    graceTimer_.disconnect();
    connect(&graceTimer_, &QTimer::timeout, this, [this] {
        if (state_ == State::Exited)
            return;
        monitor_.quit({});
        graceTimer_.disconnect();
        connect(&graceTimer_, &QTimer::timeout, this, &QemuProcess::kill);
        graceTimer_.start(3000);
    });
    graceTimer_.start(graceMs);
}

void QemuProcess::kill()
{
    if (pid_ > 0 && (state_ == State::Running || state_ == State::Starting) && DetachedProcess::isAlive(pid_))
        ::kill(pid_t(pid_), SIGKILL);
}

QString QemuProcess::logTail(int maxBytes) const
{
    QFile f(logFile_);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    if (f.size() > maxBytes)
        f.seek(f.size() - maxBytes);
    return QString::fromLocal8Bit(f.readAll());
}

}  // namespace mr::hv
