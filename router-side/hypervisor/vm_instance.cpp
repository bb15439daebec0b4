#include "vm_instance.h"

#include <QFileInfo>
#include <QPointer>

#include <algorithm>

#include "qemu_monitor.h"
#include "qemu_process.h"

namespace mr::hv {

VmInstance::VmInstance(QString runtimeDir, QObject* parent) : QObject(parent), runtimeDir_(std::move(runtimeDir))
{
    bootTimer_.setSingleShot(true);
    connect(&bootTimer_, &QTimer::timeout, this, [this] {
        if (state_ == State::Booting || state_ == State::Rebooting)
            setState(State::Running);
    });
    stableTimer_.setSingleShot(true);
    connect(&stableTimer_, &QTimer::timeout, this, [this] { failures_ = 0; });
    restartTimer_.setSingleShot(true);
    connect(&restartTimer_, &QTimer::timeout, this, &VmInstance::restartDue);
    // Running once the guest asks for a login, as the default image and most
    // router images do on their serial console.
    connect(&console_, &ConsoleMux::output, this, [this](const QByteArray& data) {
        if (state_ != State::Booting && state_ != State::Rebooting)
            return;
        bootTail_ += data;
        if (bootTail_.size() > 512)
            bootTail_.remove(0, bootTail_.size() - 512);
        if (bootTail_.toLower().contains("login:")) {
            bootTimer_.stop();
            setState(State::Running);
        }
    });
}

VmInstance::~VmInstance()
{
    console_.close();
    report_.close();
    if (process_)
        process_->disconnect(this);
}

const char* VmInstance::stateName(State s)
{
    switch (s) {
    case State::Stopped: return "stopped";
    case State::Booting: return "booting";
    case State::Running: return "running";
    case State::Rebooting: return "rebooting";
    case State::ShuttingDown: return "shutting-down";
    }
    return "stopped";
}

void VmInstance::setState(State s)
{
    if (s == state_)
        return;
    state_ = s;
    if (s == State::Running)
        stableTimer_.start(60000);
    else
        stableTimer_.stop();
    emit stateChanged();
}

void VmInstance::enterBoot(State s)
{
    bootTail_.clear();
    report_.clear();
    bootTimer_.start(kBootGraceMs);
    setState(s);
}

qint64 VmInstance::pid() const
{
    return process_ ? process_->pid() : 0;
}

bool VmInstance::qmpReady() const
{
    return process_ && process_->state() == QemuProcess::State::Running && process_->qmp().isReady();
}

QemuMonitor* VmInstance::monitor()
{
    return qmpReady() ? &process_->monitor() : nullptr;
}

void VmInstance::attachProcess()
{
    if (process_) {
        // The old one may be inside one of its own signals.
        process_->disconnect(this);
        process_.release()->deleteLater();
    }
    process_ = std::make_unique<QemuProcess>();
    connect(process_.get(), &QemuProcess::started, this, &VmInstance::onStarted);
    connect(process_.get(), &QemuProcess::startFailed, this, &VmInstance::onGone);
    connect(process_.get(), &QemuProcess::exited, this, &VmInstance::onGone);
    connect(&process_->monitor(), &QemuMonitor::reset, this, [this](bool) {
        if (state_ == State::Running || state_ == State::Booting || state_ == State::Rebooting)
            enterBoot(State::Rebooting);
    });
}

mr::Status VmInstance::start(const VmSpec& spec)
{
    if (isUp())
        return mr::Error::failed("already running");
    cancelRestart();
    attachProcess();
    stopRequested_ = false;
    if (auto st = process_->start(spec); !st)
        return st;
    enterBoot(State::Booting);
    return {};
}

bool VmInstance::tryAdopt()
{
    if (isUp())
        return true;
    attachProcess();
    stopRequested_ = false;
    if (!process_->adopt(runtimeDir_))
        return false;
    // Its boot happened under the earlier daemon; QMP decides.
    setState(State::Booting);
    return true;
}

void VmInstance::onStarted()
{
    console_.open(runtimeDir_ + QStringLiteral("/console.sock"));
    VmSpec paths;
    paths.runtimeDir = runtimeDir_;
    // An adopted QEMU's guest reports again once it sees this connection.
    report_.open(paths.reportSocket(), QFileInfo(runtimeDir_).fileName());
    const bool adopted = process_->adopted();
    if (adopted) {
        bootTimer_.stop();
        process_->monitor().queryStatus([this](mr::Result<VmStatus> status) {
            if (state_ == State::Booting)
                setState(State::Running);
            if (status && !status->running)
                qWarning("metarouter in %s adopted while %s", qPrintable(runtimeDir_), qPrintable(status->status));
        });
    }
    emit controlReady(adopted);
}

void VmInstance::onGone(const QString& reason)
{
    if (state_ == State::Stopped)
        return;
    bootTimer_.stop();
    console_.close();
    report_.close();
    const bool unexpected = !stopRequested_ && !reason.startsWith(QLatin1String("guest shut down"));
    lastStopReason_ = reason;
    setState(State::Stopped);
    emit stopped(reason, unexpected);
}

void VmInstance::shutDown(int graceMs)
{
    cancelRestart();
    if (!isUp())
        return;
    stopRequested_ = true;
    bootTimer_.stop();
    setState(State::ShuttingDown);
    process_->shutDown(graceMs);
}

mr::Status VmInstance::reboot()
{
    QemuMonitor* m = monitor();
    if (!m)
        return mr::Error::failed("the metarouter is not running");
    enterBoot(State::Rebooting);
    m->systemReset([](mr::Status st) {
        if (!st)
            qWarning("reboot: %s", st.error().message.c_str());
    });
    return {};
}

void VmInstance::kill()
{
    cancelRestart();
    if (!isUp())
        return;
    stopRequested_ = true;
    process_->kill();
    onGone(QStringLiteral("stopped by the daemon"));
}

void VmInstance::poll()
{
    QemuMonitor* m = monitor();
    if (!m)
        return;
    QPointer<VmInstance> self(this);
    m->queryBlockStats([self](mr::Result<std::vector<BlockStats>> stats) {
        if (!self || !stats)
            return;
        for (const BlockStats& b : *stats) {
            if (!b.device.contains(QLatin1String("disk0")))
                continue;
            if (b.readOps != self->diskReads_ || b.writeOps != self->diskWrites_) {
                self->diskReads_ = b.readOps;
                self->diskWrites_ = b.writeOps;
                emit self->countersChanged();
            }
        }
    });
}

void VmInstance::scheduleRestart()
{
    const int delayS = std::min(60, 1 << std::min(failures_, 6));
    ++failures_;
    restartTimer_.start(delayS * 1000);
}

void VmInstance::cancelRestart()
{
    restartTimer_.stop();
}

}  // namespace mr::hv
