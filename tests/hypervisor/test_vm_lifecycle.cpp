// A real metarouter under TCG: started by a launcher that is then killed -9,
// adopted, its console shared by several clients, logged into, inspected and
// hot-plugged over QMP, and powered off through the ACPI button.

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <iostream>

#include "console_mux.h"
#include "detached_process.h"
#include "disk_image.h"
#include "guest_report_channel.h"
#include "qemu_process.h"
#include "vm_test_env.h"

using namespace mr::hv;
using mr::hv::test::TestNetns;

namespace {

VmSpec makeSpec(const QString& runtimeDir, const QString& disk, const QString& netns)
{
    const QString g = test::guestDir();
    VmSpec s;
    s.name = QStringLiteral("mr-test");
    s.runtimeDir = runtimeDir;
    s.memoryMiB = 96;
    s.accel = Accel::Tcg;
    s.kernel = g + QStringLiteral("/vmlinuz");
    s.initrd = g + QStringLiteral("/initrd.img");
    QFile manifest(g + QStringLiteral("/manifest"));
    if (manifest.open(QIODevice::ReadOnly))
        for (const QByteArray& line : manifest.readAll().split('\n'))
            if (line.startsWith("cmdline="))
                s.append = QString::fromUtf8(line.mid(8));
    // The test types shell commands (dd, /proc/tty, /sys/class/net): with
    // "mr.shell" admin gets a busybox shell instead of the RouterOS-style
    // command line (router-side/guest/rootfs/bin/mr-login).
    s.append += QStringLiteral(" mr.shell");
    s.disk = disk;
    s.nics.push_back({QStringLiteral("nic1"), QStringLiteral("vif1"), QStringLiteral("02:00:00:00:00:01")});
    s.netnsPath = netns;
    s.runAs = QStringLiteral("nobody");
    return s;
}

// Launcher mode: start the VM, say so, then wait to be killed.
int launchAndWait(char** argv)
{
    static int argcOne = 1;
    QCoreApplication app(argcOne, argv);
    QemuProcess qemu;
    const VmSpec spec = makeSpec(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]),
                                 QString::fromLocal8Bit(argv[4]));
    QObject::connect(&qemu, &QemuProcess::started, [&] { std::cout << "STARTED " << qemu.pid() << std::endl; });
    QObject::connect(&qemu, &QemuProcess::startFailed, [&](const QString& r) {
        std::cout << "FAILED " << r.toStdString() << std::endl;
        app.exit(1);
    });
    const mr::Status s = qemu.start(spec);
    if (!s) {
        std::cout << "FAILED " << s.error().message << std::endl;
        return 1;
    }
    return app.exec();
}

}  // namespace

class VmLifecycleTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void launcherKilledQemuSurvives();
    void adopt();
    void consoleLoginPromptAndReplay();
    void loginAndRunCommand();
    void guestReport();
    void queryStatusAndBlockStats();
    void sendBreak();
    void hotplugNic();
    void slowClientIsDropped();
    void powerdownStopsTheGuest();
    void cleanupTestCase();

private:
    QByteArray runInGuest(const QByteArray& command, const QByteArray& marker, int timeoutMs = 15000);

    std::unique_ptr<TestNetns> netns_;
    QTemporaryDir tmp_;
    QString runtimeDir_;
    QString disk_;
    qint64 pid_ = 0;
    QElapsedTimer bootClock_;
    std::unique_ptr<QemuProcess> qemu_;
    ConsoleMux mux_;
    GuestReportChannel report_;
    QByteArray seen1_, seen2_;
    ConsoleMux::ClientId c1_ = 0, c2_ = 0;
};

void VmLifecycleTest::initTestCase()
{
    QVERIFY2(QFile::exists(test::guestDir() + QStringLiteral("/initrd.img")), "build mr_guest_image first");
    QVERIFY(tmp_.isValid());
    netns_ = std::make_unique<TestNetns>(QStringLiteral("mrhv"));
    QVERIFY2(netns_->ok(), "cannot create a network namespace (needs root)");
    QVERIFY(netns_->addTap(QStringLiteral("vif1")));
    QVERIFY(netns_->addTap(QStringLiteral("vif2")));
    runtimeDir_ = tmp_.path() + QStringLiteral("/run");
    disk_ = tmp_.path() + QStringLiteral("/disk.qcow2");
    const mr::Status s = DiskImage::create(disk_, 64 * 1024 * 1024);
    QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
}

void VmLifecycleTest::launcherKilledQemuSurvives()
{
    // The launcher plays the daemon: it starts QEMU and is killed -9.
    QProcess launcher;
    launcher.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    bootClock_.start();
    launcher.start(QCoreApplication::applicationFilePath(),
                   {QStringLiteral("--launch"), runtimeDir_, disk_, netns_->path()});
    QVERIFY(launcher.waitForStarted());
    QByteArray out;
    QVERIFY(QTest::qWaitFor([&] {
        out += launcher.readAllStandardOutput();
        return out.contains('\n') || launcher.state() == QProcess::NotRunning;
    }, 30000));
    QVERIFY2(out.startsWith("STARTED "), out.constData());
    pid_ = out.mid(8).trimmed().toLongLong();
    QVERIFY(pid_ > 0);
    ::kill(pid_t(launcher.processId()), SIGKILL);
    QVERIFY(launcher.waitForFinished(5000));
    QTest::qWait(300);
    QVERIFY(DetachedProcess::isAlive(pid_, runtimeDir_));

    // QEMU dropped root and is sandboxed.
    QFile status(QStringLiteral("/proc/%1/status").arg(pid_));
    QVERIFY(status.open(QIODevice::ReadOnly));
    const QByteArray st = status.readAll();
    QVERIFY2(st.contains("\nUid:\t65534"), st.constData());
    QVERIFY(st.contains("\nSeccomp:\t2"));
}

void VmLifecycleTest::adopt()
{
    qemu_ = std::make_unique<QemuProcess>();
    QSignalSpy started(qemu_.get(), &QemuProcess::started);
    const mr::Status s = qemu_->adopt(runtimeDir_);
    QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
    QVERIFY(started.wait(10000));
    QCOMPARE(qemu_->pid(), pid_);
    QVERIFY(qemu_->adopted());
    QCOMPARE(qemu_->state(), QemuProcess::State::Running);
    // Adopting a directory without a QEMU is a clear error.
    QemuProcess other;
    QVERIFY(!other.adopt(tmp_.path()).ok());
}

void VmLifecycleTest::consoleLoginPromptAndReplay()
{
    c1_ = mux_.attach({[this](const QByteArray& d) { seen1_ += d; }, {}, {}});
    c2_ = mux_.attach({[this](const QByteArray& d) { seen2_ += d; }, {}, {}});
    mux_.open(runtimeDir_ + QStringLiteral("/console.sock"));
    QVERIFY(QTest::qWaitFor([&] { return seen1_.contains("MetaRouter Login:"); }, 60000));
    const qint64 ms = bootClock_.elapsed();
    std::cout << "METRIC boot-to-login-ms " << ms << std::endl;
    QVERIFY(seen2_.contains("MetaRouter Login:"));
    // A late joiner gets the recent output first.
    QByteArray late;
    const auto c3 = mux_.attach({[&](const QByteArray& d) { late += d; }, {}, {}});
    QVERIFY(late.contains("MetaRouter Login:"));
    mux_.detach(c3);
    QCOMPARE(mux_.clientCount(), 2);
}

QByteArray VmLifecycleTest::runInGuest(const QByteArray& command, const QByteArray& marker, int timeoutMs)
{
    const qsizetype from = seen1_.size();
    if (!mux_.write(c2_, command + '\n').ok())
        return {};
    (void)QTest::qWaitFor([&] { return seen1_.indexOf(marker, from) >= 0; }, timeoutMs);
    return seen1_.mid(from);
}

void VmLifecycleTest::loginAndRunCommand()
{
    QVERIFY(mux_.write(c1_, "admin\n").ok());
    QVERIFY(QTest::qWaitFor([&] { return seen1_.contains("Password:"); }, 10000));
    QVERIFY(mux_.write(c1_, "\n").ok());
    QVERIFY(QTest::qWaitFor([&] { return seen1_.contains("[admin@MetaRouter]"); }, 10000));
    // Input from the second client reaches the same shell; both see the answer.
    const QByteArray out = runInGuest("echo MR-$((6*7)); ls /sys/class/net", "MR-42");
    QVERIFY2(out.contains("MR-42"), out.constData());
    QVERIFY(QTest::qWaitFor([&] { return seen1_.contains("ether1"); }, 5000));
    QVERIFY(seen2_.contains("MR-42"));
    const QByteArray mac = runInGuest("cat /sys/class/net/ether1/address", "02:00:00:00:00:01");
    QVERIFY2(mac.contains("02:00:00:00:00:01"), mac.constData());
}

// The guest's reporter (mr-shell --report) on the virtio-serial port, read
// as the daemon reads it.
void VmLifecycleTest::guestReport()
{
    report_.open(runtimeDir_ + QStringLiteral("/report.sock"), QStringLiteral("mr-test"));
    auto has = [this](const char* identity, const char* iface, const char* mac, const char* address) {
        const auto& r = report_.report();
        if (!r || r->identity != QLatin1String(identity))
            return false;
        bool found = !iface;
        for (const auto& i : r->interfaces)
            found = found || (i.name == QLatin1String(iface) && i.mac == QLatin1String(mac));
        bool addr = !address;
        for (const auto& a : r->addresses)
            addr = addr || (a.address == QLatin1String(address) && a.interface == QLatin1String(iface));
        return found && addr;
    };
    QVERIFY2(QTest::qWaitFor([&] { return has("MikroTik", "ether1", "02:00:00:00:00:01", nullptr); }, 20000),
             qPrintable(report_.lastError()));
    QCOMPARE(report_.dropped(), 0);
    // An address and an identity saved by the guest command line on the raw
    // disk, as a tenant would set them.
    QElapsedTimer clock;
    clock.start();
    runInGuest("ip addr add 10.5.0.1/24 dev ether1; echo '/system identity set name=HV1' | "
               "mr-shell --script --no-power --config /dev/vda >/dev/null; echo ID-E''ND",
               "ID-END");
    QVERIFY2(QTest::qWaitFor([&] { return has("HV1", "ether1", "02:00:00:00:00:01", "10.5.0.1/24"); }, 15000),
             report_.report() ? qPrintable(report_.report()->identity) : "no report");
    std::cout << "METRIC guest-report-ms " << clock.elapsed() << " (identity and address set in the guest to the report, TCG)"
              << std::endl;
    // What the reporter costs the guest (the login shell here is busybox's):
    // its text is the initramfs file itself (ramfs pages, shown as dirty), so
    // what it adds is its anonymous memory.
    const QByteArray mem = runInGuest("grep -E '^(Rss|Anonymous):' /proc/$(pidof mr-shell)/smaps_rollup | tr -s ' ' | "
                                      "tr '\\n' ' '; echo MEM-E''ND",
                                      "MEM-END");
    const qsizetype at = mem.indexOf("Rss:");
    if (at >= 0)
        std::cout << "METRIC guest-reporter-memory " << mem.mid(at, mem.indexOf("MEM-END", at) - at).simplified().toStdString()
                  << std::endl;
}

void VmLifecycleTest::queryStatusAndBlockStats()
{
    bool done = false;
    VmStatus status;
    qemu_->monitor().queryStatus([&](mr::Result<VmStatus> r) {
        if (r)
            status = *r;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 5000);
    QVERIFY(status.running);
    QCOMPARE(status.status, QStringLiteral("running"));
    // The guest reads its disk; the counters move.
    const QByteArray dd = runInGuest("dd if=/dev/vda of=/dev/null bs=64k count=16 2>&1; echo DD-D''ONE", "DD-DONE");
    done = false;
    BlockStats stats;
    qemu_->monitor().queryBlockStats([&](mr::Result<std::vector<BlockStats>> r) {
        QVERIFY(r.ok());
        for (const BlockStats& b : *r)
            if (b.device.contains(QLatin1String("disk0")))
                stats = b;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 5000);
    QVERIFY2(stats.device.contains(QLatin1String("disk0")), dd.constData());
    QVERIFY(stats.readOps > 0);
    QVERIFY2(stats.readBytes >= 1024 * 1024, qPrintable(QStringLiteral("%1 bytes read; %2").arg(stats.readBytes).arg(QString::fromLatin1(dd))));
    auto used = DiskImage::allocatedBytes(disk_);
    QVERIFY(used.ok());
    QVERIFY(*used > 0);
}

void VmLifecycleTest::sendBreak()
{
    QVERIFY(mux_.sendBreak().ok());
    QTest::qWait(200);
    // The guest's UART counts breaks; a literal Ctrl-A must not be eaten.
    const QByteArray out = runInGuest("grep -o 'brk:[0-9]*' /proc/tty/driver/serial | head -1; echo BRK-E''ND", "BRK-END");
    QVERIFY2(out.contains("brk:1"), out.constData());
    const QByteArray ctrlA = runInGuest("printf 'X\\001Y' | od -An -c | tr -d ' '; echo CA-E''ND", "CA-END");
    QVERIFY2(ctrlA.contains("X001Y"), ctrlA.constData());
}

void VmLifecycleTest::hotplugNic()
{
    bool done = false;
    mr::Status result;
    qemu_->monitor().addNic({QStringLiteral("nic2"), QStringLiteral("vif2"), QStringLiteral("02:00:00:00:00:02")},
                            [&](mr::Status s) {
                                result = s;
                                done = true;
                            });
    QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
    QByteArray out;
    QVERIFY(QTest::qWaitFor([&] {
        out = runInGuest("cat /sys/class/net/ether2/address 2>/dev/null; echo HP-E''ND", "HP-END", 3000);
        return out.contains("02:00:00:00:00:02");
    }, 20000));
    // The guest reports the new link on its own.
    QTRY_VERIFY_WITH_TIMEOUT(report_.report() && report_.report()->interfaces.size() == 2 &&
                                 report_.report()->interfaces[1].mac == QLatin1String("02:00:00:00:00:02"),
                             10000);
    // And it goes away again.
    done = false;
    qemu_->monitor().removeNic(QStringLiteral("nic2"), [&](mr::Status s) {
        result = s;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 15000);
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
    out = runInGuest("ls /sys/class/net; echo LS-E''ND", "LS-END");
    QVERIFY2(!out.contains("ether2"), out.constData());
    QTRY_VERIFY_WITH_TIMEOUT(report_.report() && report_.report()->interfaces.size() == 1, 10000);
}

void VmLifecycleTest::slowClientIsDropped()
{
    QString why;
    bool gotOutput = false;
    mux_.attach({[&](const QByteArray&) { gotOutput = true; }, [&](const QString& r) { why = r; },
                 [] { return qint64(10) * 1024 * 1024; }});
    QCOMPARE(mux_.clientCount(), 3);
    runInGuest("echo SLOW-E''ND", "SLOW-END");
    QVERIFY(gotOutput);
    QVERIFY2(why.contains(QLatin1String("too slow")), qPrintable(why));
    QCOMPARE(mux_.clientCount(), 2);
    // The others carry on.
    QVERIFY(runInGuest("echo STILL-$((1+1))", "STILL-2").contains("STILL-2"));
}

void VmLifecycleTest::powerdownStopsTheGuest()
{
    // RSS of a running TCG guest with 96 MiB, for the report.
    QFile status(QStringLiteral("/proc/%1/status").arg(pid_));
    if (status.open(QIODevice::ReadOnly))
        for (const QByteArray& l : status.readAll().split('\n'))
            if (l.startsWith("VmRSS:"))
                std::cout << "METRIC qemu-" << l.simplified().toStdString() << std::endl;

    QSignalSpy exited(qemu_.get(), &QemuProcess::exited);
    QElapsedTimer t;
    t.start();
    bool done = false;
    mr::Status result;
    qemu_->monitor().systemPowerdown([&](mr::Status s) {
        result = s;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 5000);
    QVERIFY(result.ok());
    QVERIFY(exited.wait(30000));
    std::cout << "METRIC powerdown-ms " << t.elapsed() << std::endl;
    QVERIFY2(exited.at(0).at(0).toString().contains(QLatin1String("guest shut down")),
             qPrintable(exited.at(0).at(0).toString()));
    QCOMPARE(qemu_->state(), QemuProcess::State::Exited);
    QVERIFY(!DetachedProcess::isAlive(pid_));
    QVERIFY(seen1_.contains("MetaRouter: shutting down"));
}

void VmLifecycleTest::cleanupTestCase()
{
    mux_.close();
    report_.close();
    if (pid_ > 0 && DetachedProcess::isAlive(pid_, runtimeDir_))
        ::kill(pid_t(pid_), SIGKILL);
    qemu_.reset();
    netns_.reset();
}

int main(int argc, char** argv)
{
    if (argc == 5 && qstrcmp(argv[1], "--launch") == 0)
        return launchAndWait(argv);
    QCoreApplication app(argc, argv);
    VmLifecycleTest t;
    return QTest::qExec(&t, argc, argv);
}

#include "test_vm_lifecycle.moc"
