// The manual's /metarouter sessions through mrcli against a real sandboxed
// metarouterd running QEMU under TCG: creating metarouters, vifs bridged to
// the LAN carrying a ping, the console, state changes, a QEMU killed from
// outside, and a daemon killed -9 whose guests are adopted again; what the
// guests report of themselves over virtio-serial (guest-identity, ...).
// One daemon and two guests are shared by the steps, in order.

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <memory>

#include <unistd.h>

#include "daemon_fixture.h"
#include "guest_console.h"

using mr::test::DaemonFixture;

namespace {

using Console = mr::test::GuestConsole;

}  // namespace

class Metarouters : public QObject {
    Q_OBJECT

private:
    QString print() const { return d_->cli("/metarouter print").out; }
    // The STATE column of one metarouter's row.
    QString state(const QString& name) const
    {
        for (const QString& line : print().split('\n')) {
            const QStringList cols = line.simplified().split(' ');
            if (cols.contains(name))
                return cols.last();
        }
        return {};
    }
    bool waitState(const QString& name, const QString& wanted, int timeoutMs, QStringList* seen = nullptr) const
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            const QString s = state(name);
            if (seen && (seen->isEmpty() || seen->last() != s))
                seen->append(s);
            if (s == wanted)
                return true;
            QTest::qWait(200);
        }
        return false;
    }
    // One metarouter's block of `/metarouter print detail`.
    QString detail(const QString& name) const
    {
        for (const QString& block : d_->cli("/metarouter print detail").out.split("\n\n"))
            if (block.contains("name=\"" + name + "\""))
                return block.simplified();
        return {};
    }
    bool waitDetail(const QString& name, const QStringList& wanted, int timeoutMs, QString* seen) const
    {
        return QTest::qWaitFor([&] {
            *seen = detail(name);
            return std::all_of(wanted.begin(), wanted.end(), [&](const QString& w) { return seen->contains(w); });
        }, timeoutMs);
    }
    qint64 qemuPid(const QString& name) const
    {
        QFile f(d_->stateDir() + "/metarouters/" + name + "/qemu.pid");
        return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toLongLong() : 0;
    }
    // Running (not gone, not a zombie the container's init has yet to reap).
    static bool alive(qint64 pid)
    {
        QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
        if (pid <= 0 || !f.open(QIODevice::ReadOnly))
            return false;
        const QByteArray stat = f.readAll();
        const qsizetype paren = stat.lastIndexOf(')');
        return paren > 0 && stat.size() > paren + 2 && stat.at(paren + 2) != 'Z';
    }
    static qint64 rssKiB(qint64 pid)
    {
        QFile f(QStringLiteral("/proc/%1/status").arg(pid));
        if (f.open(QIODevice::ReadOnly))
            for (const QByteArray& l : f.readAll().split('\n'))
                if (l.startsWith("VmRSS:"))
                    return l.mid(6).trimmed().split(' ').value(0).toLongLong();
        return 0;
    }
    DaemonFixture::Run ok(const QString& command) const
    {
        auto r = d_->cli(command);
        if (r.exitCode != 0)
            qWarning("%s: %s%s", qPrintable(command), qPrintable(r.out), qPrintable(r.err));
        return r;
    }
    bool ping(const QString& address) const
    {
        auto r = DaemonFixture::exec("ip", {"netns", "exec", d_->sandbox() + "-lan", "ping", "-c", "2", "-W", "3",
                                            address});
        if (r.exitCode != 0)
            qWarning("ping %s: %s%s", qPrintable(address), qPrintable(r.out), qPrintable(r.err));
        return r.exitCode == 0;
    }

    std::unique_ptr<DaemonFixture> d_;

private slots:
    void initTestCase()
    {
        if (!QFile::exists(DaemonFixture::buildDir() + "/guest/initrd.img"))
            QSKIP("the guest image is not built (mr_guest_image)");
        d_ = std::make_unique<DaemonFixture>(QStringLiteral("mrvm%1").arg(getpid() % 100000));
        QVERIFY2(d_->start(), qPrintable(d_->daemonLog().right(2500)));
        // Guests that miss the ACPI button while booting need not hold us 30 s.
        QCOMPARE(ok("/metarouter settings set shut-down-timeout=8s").exitCode, 0);
        auto r = d_->cli("/metarouter settings print");
        QVERIFY2(r.out.contains("max-metarouters: 16") && r.out.contains("shut-down-timeout: 8s"), qPrintable(r.out));
    }

    // The manual's "Creating a Metarouter" and "Example with no settings",
    // both guests booting at once.
    void creatingMetarouters()
    {
        QElapsedTimer clock;
        clock.start();
        QCOMPARE(ok("/metarouter add name=mr0 memory-size=96 disk-size=32000 disabled=no").exitCode, 0);
        QCOMPARE(ok("/metarouter add name=mr1").exitCode, 0);
        QVERIFY2(waitState("mr0", "running", 60000), qPrintable(print() + d_->daemonLog().right(2000)));
        std::cout << "METRIC add-to-running-ms " << clock.elapsed() << " (two guests booting together, TCG)"
                  << std::endl;
        QVERIFY2(waitState("mr1", "running", 60000), qPrintable(print()));
        const QString out = print();
        QVERIFY2(QRegularExpression("NAME\\s+MEMORY-SIZE\\s+DISK-SIZE\\s+USED-DISK\\s+STATE").match(out).hasMatch(),
                 qPrintable(out));
        QVERIFY2(QRegularExpression("0\\s+mr0\\s+96MiB\\s+32000kiB\\s+\\d+kiB\\s+running").match(out).hasMatch(),
                 qPrintable(out));
        // No settings: the image's default memory and a dynamic disk.
        QVERIFY2(QRegularExpression("1\\s+mr1\\s+128MiB\\s+unlimited\\s+\\d+kiB\\s+running").match(out).hasMatch(),
                 qPrintable(out));
        QVERIFY(QFile::exists(d_->stateDir() + "/metarouters/mr1/disk.qcow2"));
        const qint64 pid = qemuPid("mr1");
        QVERIFY(pid > 0);
        std::cout << "METRIC qemu-rss-kib " << rssKiB(pid) << " (mr1, 128 MiB guest, TCG)" << std::endl;
        // QEMU runs sandboxed and without root.
        QFile status(QStringLiteral("/proc/%1/status").arg(pid));
        QVERIFY(status.open(QIODevice::ReadOnly));
        const QByteArray st = status.readAll();
        QVERIFY2(st.contains("\nUid:\t65534") && st.contains("\nSeccomp:\t2"), st.constData());
        auto res = d_->cli("/system resource print");
        QVERIFY2(res.out.contains("virtualization: tcg") || res.out.contains("virtualization: kvm"),
                 qPrintable(res.out));
    }

    void clearErrors()
    {
        auto r = d_->cli("/metarouter add name=mr0");
        QVERIFY(r.exitCode != 0);
        QVERIFY2((r.out + r.err).contains("exists already"), qPrintable(r.out + r.err));
        r = d_->cli("/metarouter add name=bad/name");
        QVERIFY(r.exitCode != 0);
        QVERIFY2((r.out + r.err).contains("invalid name"), qPrintable(r.out + r.err));
        QCOMPARE(ok("/metarouter settings set max-memory=1048576").exitCode, 0);
        r = d_->cli("/metarouter add name=huge memory-size=1000000");
        QVERIFY(r.exitCode != 0);
        QVERIFY2((r.out + r.err).contains("not enough host memory"), qPrintable(r.out + r.err));
        QVERIFY(!print().contains("huge"));
        QVERIFY(!QFile::exists(d_->stateDir() + "/metarouters/huge"));
    }

    // "Adding Interfaces" with the vif bridged to ether2, whose far end is
    // lan2 in the LAN namespace.
    void addingInterfaces()
    {
        QCOMPARE(ok("/interface bridge add name=bridge1").exitCode, 0);
        QCOMPARE(ok("/interface bridge port add interface=ether2 bridge=bridge1").exitCode, 0);
        QCOMPARE(ok("/metarouter interface add virtual-machine=mr1 type=dynamic dynamic-bridge=bridge1").exitCode, 0);
        auto r = d_->cli("/interface print");
        QVERIFY2(QRegularExpression("\\d+\\s+DR\\S*\\s+vif1\\s+vif\\s+1500").match(r.out).hasMatch(), qPrintable(r.out));
        QVERIFY2(QTest::qWaitFor([&] {
                     r = d_->cli("/metarouter interface print");
                     return QRegularExpression("0 A mr1\\s+dynamic 02(:[0-9A-F]{2}){5}").match(r.out).hasMatch();
                 }, 10000),
                 qPrintable(r.out));
        auto link = DaemonFixture::exec("ip", {"-n", d_->sandbox(), "-d", "link", "show", "vif1"});
        QVERIFY2(link.out.contains("master bridge1") && link.out.contains("user nobody"), qPrintable(link.out));
    }

    void consoleAndBridgedTraffic()
    {
        Console c(*d_, "mr1");
        QVERIFY2(c.waitFor("MetaRouter Login:", 20000), c.seen().constData());
        c.send("admin\n");
        QVERIFY2(c.waitFor("Password:", 10000), c.seen().constData());
        c.send("\n");
        // The guest's command line, default identity.
        QVERIFY2(c.waitFor("[admin@MikroTik] >", 10000), c.seen().constData());
        // The hot-plugged vif is the guest's ether1, with vm-mac-address
        // (upper case in both MAC columns).
        const QString mac = QRegularExpression("02(:[0-9A-F]{2}){5}")
                                .match(d_->cli("/metarouter interface print").out)
                                .captured(0);
        QVERIFY(!mac.isEmpty());
        QByteArray out = c.run("/interface ethernet print", "MAC1");
        QVERIFY2(QRegularExpression("\\d+\\s+R?\\s+ether1\\s+\\d+\\s+" + QRegularExpression::escape(mac) + "\\s")
                     .match(QString::fromLatin1(out))
                     .hasMatch(),
                 out.constData());
        out = c.run("/ip address add address=10.77.0.2/24 interface=ether1\n/ip address print", "IP1");
        QVERIFY2(QRegularExpression("10\\.77\\.0\\.2/24\\s+10\\.77\\.0\\.0\\s+10\\.77\\.0\\.255\\s+ether1")
                     .match(QString::fromLatin1(out))
                     .hasMatch(),
                 out.constData());
        QCOMPARE(DaemonFixture::exec("ip", {"-n", d_->sandbox() + "-lan", "addr", "add", "10.77.0.1/24", "dev", "lan2"})
                     .exitCode,
                 0);
        QVERIFY(ping("10.77.0.2"));
    }

    // The guests tell the host their identity, interfaces and addresses over
    // virtio-serial: set on mr1's console, seen in print detail; mr1 gets a
    // second interface for it.
    void guestReports()
    {
        QString seen;
        // mr0 has no interface and was never configured: its default identity.
        QVERIFY2(waitDetail("mr0", {"guest-identity=\"MikroTik\"", "guest-report-time="}, 30000, &seen),
                 qPrintable(seen));
        QVERIFY2(!seen.contains("guest-interfaces=") && !seen.contains("guest-addresses="), qPrintable(seen));

        QCOMPARE(ok("/metarouter interface add virtual-machine=mr1").exitCode, 0);
        const QString macs = d_->cli("/metarouter interface print").out;
        auto it = QRegularExpression("02(:[0-9A-F]{2}){5}").globalMatch(macs);
        QStringList mac;
        while (it.hasNext())
            mac << it.next().captured(0);
        QVERIFY2(mac.size() == 2, qPrintable(macs));
        // The hot-plugged NIC becomes ether2; the guest reports it on its own.
        QVERIFY2(waitDetail("mr1", {"ether1 " + mac[0] + " running", "ether2 " + mac[1]}, 30000, &seen),
                 qPrintable(seen));

        Console c(*d_, "mr1");
        const QByteArray out = c.run("/ip address add address=10.78.0.2/24 interface=ether2", "REPORTED1");
        QVERIFY2(out.contains("[admin@REPORTED1] >"), c.seen().right(2000).constData());
        QElapsedTimer clock;
        clock.start();
        QVERIFY2(waitDetail("mr1",
                            {"guest-identity=\"REPORTED1\"", "10.77.0.2/24 on ether1", "10.78.0.2/24 on ether2"},
                            15000, &seen),
                 qPrintable(seen));
        std::cout << "METRIC guest-report-to-print-ms " << clock.elapsed()
                  << " (identity and address set on the console to print detail, TCG)" << std::endl;
        QVERIFY2(QRegularExpression("guest-report-time=\"[A-Z][a-z]{2}/\\d\\d/\\d{4} \\d\\d:\\d\\d:\\d\\d\"")
                     .match(seen)
                     .hasMatch(),
                 qPrintable(seen));
    }

    void stateChanges()
    {
        QStringList seen;
        QCOMPARE(ok("/metarouter shut-down mr0").exitCode, 0);
        QVERIFY2(waitState("mr0", "stopped", 20000, &seen), qPrintable(seen.join(' ')));
        QVERIFY2(seen.first() == "shutting-down", qPrintable(seen.join(' ')));
        // Nothing of a stopped guest is shown.
        const QString stopped = detail("mr0");
        QVERIFY2(!stopped.contains("guest-identity=") && !stopped.contains("guest-report-time="), qPrintable(stopped));
        seen.clear();
        QCOMPARE(ok("/metarouter start mr0").exitCode, 0);
        QVERIFY2(waitState("mr0", "running", 30000, &seen), qPrintable(seen.join(' ')));
        QVERIFY2(seen.first() == "booting", qPrintable(seen.join(' ')));
        seen.clear();
        QCOMPARE(ok("/metarouter reboot mr0").exitCode, 0);
        QVERIFY2(waitState("mr0", "running", 40000, &seen), qPrintable(seen.join(' ')));
        QVERIFY2(seen.first() == "rebooting", qPrintable(seen.join(' ')));
        seen.clear();
        QCOMPARE(ok("/metarouter set mr0 disabled=yes").exitCode, 0);
        QVERIFY2(waitState("mr0", "disabled", 20000, &seen), qPrintable(seen.join(' ')));
        QVERIFY2(QRegularExpression("0 X mr0").match(print()).hasMatch(), qPrintable(print()));
        QVERIFY(d_->cli("/metarouter start mr0").exitCode != 0);
        QVERIFY(!alive(qemuPid("mr0")));
        QCOMPARE(ok("/metarouter set mr0 disabled=no").exitCode, 0);
        QVERIFY2(waitState("mr0", "running", 30000), qPrintable(print()));
    }

    void qemuKilledFromOutsideIsRestarted()
    {
        const qint64 pid = qemuPid("mr0");
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
        QVERIFY2(waitState("mr0", "stopped", 5000) || waitState("mr0", "booting", 5000), qPrintable(print()));
        auto log = d_->cli("/log print");
        QVERIFY2(log.out.contains("metarouter mr0 stopped unexpectedly"), qPrintable(log.out));
        QVERIFY2(waitState("mr0", "running", 30000), qPrintable(print()));
        QVERIFY(qemuPid("mr0") != pid);
    }

    void daemonKilledGuestsAreAdopted()
    {
        const qint64 pid = qemuPid("mr1");
        d_->kill9();
        QVERIFY(alive(pid));
        QVERIFY2(d_->start(), qPrintable(d_->daemonLog().right(2500)));
        QVERIFY2(waitState("mr1", "running", 10000), qPrintable(print()));
        QCOMPARE(qemuPid("mr1"), pid);
        QVERIFY(d_->daemonLog().contains("metarouter mr1: adopted the running QEMU"));
        // The guest reports again to the new daemon, unasked.
        QString seen;
        QVERIFY2(waitDetail("mr1", {"guest-identity=\"REPORTED1\"", "10.78.0.2/24 on ether2"}, 15000, &seen),
                 qPrintable(seen));
        // The console and the bridged vif still work.
        Console c(*d_, "mr1");
        const QByteArray out = c.run("/system identity print", "ADOPTED42");
        QVERIFY2(out.contains("[admin@ADOPTED42] >"), (c.seen()).constData());
        QVERIFY2(waitDetail("mr1", {"guest-identity=\"ADOPTED42\""}, 15000, &seen), qPrintable(seen));
        QVERIFY(ping("10.77.0.2"));
    }

    void removingInterfacesAndMetarouters()
    {
        // Hot-unplug: the guest's ether1 goes away.
        QCOMPARE(ok("/metarouter interface remove 0").exitCode, 0);
        Console c(*d_, "mr1");
        int n = 0;
        QByteArray out;
        QVERIFY2(QTest::qWaitFor([&] {
            out = c.run("/interface ethernet print", "LS" + QByteArray::number(++n));
            return out.contains("[admin@LS" + QByteArray::number(n) + "] >") && !out.contains("ether1");
        }, 15000), out.constData());
        QString seen;
        QVERIFY2(waitDetail("mr1", {"guest-interfaces=\"ether2 "}, 15000, &seen), qPrintable(seen));
        QVERIFY2(!seen.contains("10.77.0.2/24"), qPrintable(seen));
        // The guest loses ether1 before QEMU reports the device deleted and
        // the daemon removes the tap: wait for the host side too.
        QTRY_VERIFY(!d_->cli("/interface print").out.contains("vif1"));
        // A metarouter goes with its interfaces and its disk.
        QCOMPARE(ok("/metarouter interface add virtual-machine=mr0").exitCode, 0);
        QVERIFY(d_->cli("/interface print").out.contains("vif1"));
        const qint64 pid = qemuPid("mr0");
        QCOMPARE(ok("/metarouter remove mr0").exitCode, 0);
        QVERIFY(!QFile::exists(d_->stateDir() + "/metarouters/mr0"));
        QVERIFY(!d_->cli("/metarouter interface print").out.contains("mr0"));
        QTRY_VERIFY(!d_->cli("/interface print").out.contains("vif1"));
        QTRY_VERIFY(!alive(pid));
    }

    void cleanupTestCase()
    {
        if (!d_)
            return;
        const qint64 pid = qemuPid("mr1");
        // A clean stop of a sandboxed daemon powers its guests off.
        QVERIFY(d_->stop());
        if (pid > 0)
            QVERIFY(!alive(pid));
        d_.reset();
    }
};

QTEST_GUILESS_MAIN(Metarouters)
#include "tst_metarouters.moc"
