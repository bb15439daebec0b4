// The guest command line (mr-shell) against a real kernel: each test makes a
// network namespace with veths named like the guest's NICs (ether1, ether2),
// replays transcripts through `mr-shell --script` inside it, and checks what
// landed in the kernel, in nftables and in the saved configuration (applied
// again to a fresh namespace, as at boot).

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

namespace {

QByteArray run(const QStringList& argv, const QByteArray& input = {}, int* rc = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(argv.front(), argv.mid(1));
    p.waitForStarted();
    p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(30000);
    if (rc)
        *rc = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return p.readAll();
}

}  // namespace

class TestGuestShell : public QObject {
    Q_OBJECT

    QString ns_;
    QTemporaryDir dir_;
    QString ping_;
    const QString shell_ = QString::fromLocal8Bit(qgetenv("MR_BUILD_DIR")) + "/guest-bin/mr-shell";

    bool makeNamespace()
    {
        removeNamespace();
        int rc = 0;
        const QString peer = ns_ + "-peer";
        for (const QStringList& c : QList<QStringList>{
                 {"ip", "netns", "add", ns_},
                 {"ip", "netns", "add", peer},
                 {"ip", "-n", ns_, "link", "add", "ether1", "address", "02:49:E8:55:8E:E8", "type", "veth", "peer",
                  "name", "p1", "netns", peer},
                 {"ip", "-n", ns_, "link", "add", "ether2", "address", "02:16:16:90:EF:0E", "type", "veth", "peer",
                  "name", "p2", "netns", peer},
                 {"ip", "-n", ns_, "link", "set", "lo", "up"},
                 {"ip", "-n", ns_, "link", "set", "ether1", "up"},
                 {"ip", "-n", ns_, "link", "set", "ether2", "up"},
                 {"ip", "-n", peer, "link", "set", "p1", "up"},
                 {"ip", "-n", peer, "link", "set", "p2", "up"}}) {
            const QByteArray out = run(c, {}, &rc);
            if (rc != 0) {
                qWarning() << c << out;
                return false;
            }
        }
        QFile::remove(dir_.filePath("ifmap"));
        return true;
    }
    void removeNamespace()
    {
        run({"ip", "netns", "del", ns_});
        run({"ip", "netns", "del", ns_ + "-peer"});
    }
    QByteArray shell(const QStringList& args, const QByteArray& input = {}, int* rc = nullptr)
    {
        // Never the host's /etc/resolv.conf; ping is a stand-in that echoes its arguments.
        return run(QStringList{"ip", "netns", "exec", ns_, shell_, "--config", dir_.filePath("config"), "--ifmap",
                               dir_.filePath("ifmap"), "--resolv-conf", dir_.filePath("resolv.conf"), "--ping",
                               ping_, "--no-power"} +
                       args,
                   input, rc);
    }
    QByteArray inNs(const QStringList& argv) { return run(QStringList{"ip", "netns", "exec", ns_} + argv); }

    // Expected session minus "#!" lines; typed lines are what follows "> " on prompt lines.
    void replay(const QString& name)
    {
        QFile f(QString(MR_GUEST_TRANSCRIPTS) + "/" + name);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray expected, input;
        for (const QByteArray& line : f.readAll().split('\n')) {
            if (line.startsWith("#!"))
                continue;
            expected += line + "\n";
            if (line.startsWith("[admin@")) {
                const int at = line.indexOf("> ");
                input += line.mid(at + 2) + "\n";
            }
        }
        expected.chop(1);  // the file's final newline
        const QByteArray got = shell({"--script"}, input);
        if (got != expected) {
            const auto g = got.split('\n'), e = expected.split('\n');
            for (int i = 0; i < std::max(g.size(), e.size()); ++i)
                if (g.value(i) != e.value(i))
                    QFAIL(qPrintable(QString("%1 line %2:\n  expected: %3\n  got:      %4\n--- whole output:\n%5")
                                         .arg(name)
                                         .arg(i + 1)
                                         .arg(QString(e.value(i)), QString(g.value(i)), QString(got))));
        }
    }

private slots:
    void initTestCase()
    {
        if (geteuid() != 0)
            QSKIP("needs root for network namespaces");
        QVERIFY2(QFile::exists(shell_), qPrintable(shell_));
        ns_ = QString("mrg%1").arg(getpid());
        ping_ = dir_.filePath("fake-ping");
        QFile f(ping_);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("#!/bin/sh\necho \"PING $*\"\necho \"fake ping output\"\n");
        f.close();
        QVERIFY(f.setPermissions(f.permissions() | QFile::ExeOwner));
    }
    void init()
    {
        QFile::remove(dir_.filePath("config"));
        QFile::remove(dir_.filePath("resolv.conf"));
        QVERIFY(makeNamespace());
    }
    void cleanupTestCase() { removeNamespace(); }

    void clientSetup()
    {
        replay("01_client_setup.txt");
        // The kernel has it all.
        const QByteArray links = inNs({"ip", "-o", "link"});
        QVERIFY2(links.contains(": public@") && links.contains(": local@") && links.contains("mtu 1400"), links);
        QVERIFY(inNs({"ip", "-o", "addr"}).contains("inet 10.0.0.2/24 brd 10.0.0.255"));
        QVERIFY(inNs({"ip", "route"}).contains("default via 10.0.0.1 dev public"));
        const QByteArray nft = inNs({"nft", "list", "table", "ip", "mikrotik"});
        QVERIFY2(nft.contains("oifname \"public\" masquerade"), nft);

        // As at boot: a fresh namespace, the saved configuration applied.
        QVERIFY(makeNamespace());
        int rc = -1;
        const QByteArray out = shell({"--apply"}, {}, &rc);
        QVERIFY2(rc == 0, out);
        QVERIFY(inNs({"ip", "-o", "link"}).contains(": public@"));
        QVERIFY(inNs({"ip", "-o", "addr"}).contains("inet 192.168.0.1/24"));
        QVERIFY(inNs({"ip", "route"}).contains("default via 10.0.0.1 dev public"));
        QVERIFY(inNs({"nft", "list", "table", "ip", "mikrotik"}).contains("oifname \"public\" masquerade"));
        const QByteArray exported = shell({"--script"}, "/export\n");
        QVERIFY2(exported.contains("set ether1 name=public mtu=1400") &&
                     exported.contains("add chain=srcnat action=masquerade out-interface=public"),
                 exported);

        // The export recreates the configuration on a fresh guest.
        QVERIFY(makeNamespace());
        QFile::remove(dir_.filePath("config"));
        QByteArray script;
        for (const QByteArray& l : exported.split('\n'))
            if (!l.startsWith("[admin@"))
                script += l + "\n";
        const QByteArray again = shell({"--script"}, script + "/export\n");
        QVERIFY2(again.endsWith(exported.mid(exported.indexOf('\n') + 1)), again);
    }

    void errors() { replay("02_errors.txt"); }

    void dnsUserPing()
    {
        replay("03_dns_user_ping.txt");
        auto resolv = [&] {
            QFile f(dir_.filePath("resolv.conf"));
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("(missing)");
        };
        QCOMPARE(resolv(), QByteArray("# written by mr-shell from /ip dns\nnameserver 1.1.1.1\nnameserver 8.8.8.8\n"));
        // The password is kept as a salted SHA-512 crypt hash, never as text.
        QFile cfg(dir_.filePath("config"));
        QVERIFY(cfg.open(QIODevice::ReadOnly));
        const QByteArray config = cfg.readAll();
        QVERIFY2(config.contains("password-hash=$6$") && !config.contains("s3cret pw"), config);
        int rc = -1;
        shell({"--check-password"}, "s3cret pw\n", &rc);
        QCOMPARE(rc, 0);
        shell({"--check-password"}, "s3cret\n", &rc);
        QCOMPARE(rc, 1);
        shell({"--check-password"}, "\n", &rc);
        QCOMPARE(rc, 1);
        shell({"--check-password"}, {}, &rc);
        QCOMPARE(rc, 1);
        // Boot: the saved servers are written again.
        QFile::remove(dir_.filePath("resolv.conf"));
        const QByteArray out = shell({"--apply"}, {}, &rc);
        QVERIFY2(rc == 0, out);
        QVERIFY2(resolv().contains("nameserver 8.8.8.8"), resolv());
        // Clearing the password brings back the empty default; a second salt differs.
        shell({"--script"}, "/user set admin password=\"\"\n");
        shell({"--check-password"}, "\n", &rc);
        QCOMPARE(rc, 0);
        shell({"--check-password"}, "s3cret pw\n", &rc);
        QCOMPARE(rc, 1);
    }

    void defaultPassword()
    {
        int rc = -1;
        shell({"--check-password"}, "\n", &rc);
        QCOMPARE(rc, 0);
        shell({"--check-password"}, "admin\n", &rc);
        QCOMPARE(rc, 1);
    }

    void realPing()
    {
        // busybox ping (as in the guest) against the namespace's loopback.
        const QString busybox = QFile::exists("/bin/busybox") ? "/bin/busybox" : "/usr/bin/busybox";
        if (!QFile::exists(busybox))
            QSKIP("no busybox");
        const QString link = dir_.filePath("ping");
        QFile::remove(link);
        QVERIFY(QFile::link(busybox, link));
        const QByteArray out =
            run(QStringList{"ip", "netns", "exec", ns_, shell_, "--config", dir_.filePath("config"), "--ifmap",
                            dir_.filePath("ifmap"), "--resolv-conf", dir_.filePath("resolv.conf"), "--ping", link,
                            "--no-power", "--script"},
                "/ping 127.0.0.1 count=2\n");
        QVERIFY2(out.contains("2 packets transmitted, 2 packets received"), out);
    }

    void resource()
    {
        const QByteArray out = shell({"--script"}, "/system resource print\n");
        QVERIFY2(out.contains("uptime: ") && out.contains("total-memory: ") && out.contains("board-name: MetaRouter"),
                 out);
    }
};

QTEST_GUILESS_MAIN(TestGuestShell)
#include "test_guest_shell.moc"
