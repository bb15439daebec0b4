#pragma once
// Shared by the vm-label tests: where the guest image is, a private network
// namespace with taps, and waiting on a console.

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QtTest>

#include <unistd.h>

namespace mr::hv::test {

// The default guest image built by mr_guest_image.
inline QString guestDir()
{
    return qEnvironmentVariable("MR_BUILD_DIR", QStringLiteral(".")) + QStringLiteral("/guest");
}

inline bool run(const QStringList& cmd, QByteArray* out = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(cmd.first(), cmd.mid(1));
    p.waitForFinished(20000);
    if (out)
        *out = p.readAll();
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

// A network namespace of the test's own, removed on destruction. Taps made
// here are owned by the QEMU user so that they can be hot-plugged after
// QEMU dropped root.
class TestNetns {
public:
    explicit TestNetns(const QString& prefix)
        : name_(QStringLiteral("%1-%2").arg(prefix).arg(::getpid()))
    {
        run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("del"), name_});
        ok_ = run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("add"), name_});
    }
    ~TestNetns() { run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("del"), name_}); }
    TestNetns(const TestNetns&) = delete;
    TestNetns& operator=(const TestNetns&) = delete;

    bool ok() const { return ok_; }
    QString name() const { return name_; }
    QString path() const { return QStringLiteral("/run/netns/") + name_; }
    bool addTap(const QString& ifname, const QString& user = QStringLiteral("65534"))
    {
        return run({QStringLiteral("ip"), QStringLiteral("-n"), name_, QStringLiteral("tuntap"), QStringLiteral("add"),
                    QStringLiteral("dev"), ifname, QStringLiteral("mode"), QStringLiteral("tap"),
                    QStringLiteral("user"), user}) &&
               run({QStringLiteral("ip"), QStringLiteral("-n"), name_, QStringLiteral("link"), QStringLiteral("set"),
                    ifname, QStringLiteral("up")});
    }

private:
    QString name_;
    bool ok_ = false;
};

}  // namespace mr::hv::test
