// The guest command line (mr-shell) against a real kernel: each test makes a
// network namespace with veths named like the guest's NICs (ether1, ether2),
// replays transcripts through `mr-shell --script` inside it, and checks what
// landed in the kernel, in nftables and in the saved configuration (applied
// again to a fresh namespace, as at boot). DHCP: busybox udhcpc (started by
// mr-shell) against busybox udhcpd that the test runs on the veths' peer side.

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
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
    QString busybox_;
    QString udhcpc_;  // a link to busybox named udhcpc (busybox runs the applet its name says)
    QString nft_;     // nft, unless the file "nft-fail" exists in dir_ (a failing transaction)
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
        // udhcpc that mr-shell started in the namespace (the only processes there).
        for (const QByteArray& pid : run({"ip", "netns", "pids", ns_}).split('\n'))
            if (pid.toInt() > 0)
                ::kill(pid.toInt(), SIGKILL);
        run({"ip", "netns", "del", ns_});
        run({"ip", "netns", "del", ns_ + "-peer"});
    }
    QStringList shellCommand() const
    {
        // Never the host's /etc/resolv.conf; ping is a stand-in that echoes its arguments.
        return {"ip", "netns", "exec", ns_, shell_, "--config", dir_.filePath("config"), "--ifmap",
                dir_.filePath("ifmap"), "--resolv-conf", dir_.filePath("resolv.conf"), "--ping", ping_,
                "--udhcpc", udhcpc_, "--dhcp-script", QString(MR_GUEST_ROOTFS) + "/sbin/mr-dhcp-event",
                "--dhcp-dir", dir_.filePath("dhcp"), "--nft", nft_, "--no-power"};
    }
    QByteArray shell(const QStringList& args, const QByteArray& input = {}, int* rc = nullptr)
    {
        return run(shellCommand() + args, input, rc);
    }
    QByteArray readFile(const QString& name)
    {
        QFile f(dir_.filePath(name));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("(missing)");
    }
    // The script of an export (without the prompt line).
    static QByteArray scriptOf(const QByteArray& exported)
    {
        QByteArray script;
        for (const QByteArray& l : exported.split('\n'))
            if (!l.startsWith("[admin@") && !l.isEmpty())
                script += l + "\n";
        return script;
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
        busybox_ = QFile::exists("/bin/busybox") ? "/bin/busybox" : "/usr/bin/busybox";
        udhcpc_ = dir_.filePath("udhcpc");
        QVERIFY(QFile::link(busybox_, udhcpc_));
        nft_ = dir_.filePath("nft");
        QFile n(nft_);
        QVERIFY(n.open(QIODevice::WriteOnly));
        n.write(QByteArray("#!/bin/sh\n[ -e '") + dir_.filePath("nft-fail").toLocal8Bit() +
                "' ] && { echo 'Error: injected failure' >&2; exit 1; }\nexec nft \"$@\"\n");
        n.close();
        QVERIFY(n.setPermissions(n.permissions() | QFile::ExeOwner));
    }
    void init()
    {
        QFile::remove(dir_.filePath("config"));
        QFile::remove(dir_.filePath("resolv.conf"));
        QFile::remove(dir_.filePath("nft-fail"));
        QDir(dir_.filePath("dhcp")).removeRecursively();
        QVERIFY(makeNamespace());
    }
    void cleanupTestCase() { removeNamespace(); }

    void firewallFilter()
    {
        replay("04_firewall_filter.txt");
        // In nftables, in order; the disabled rule is not there.
        const QByteArray input = inNs({"nft", "list", "chain", "ip", "mikrotik", "input"});
        const QStringList rules{"ct state established,related accept", "ip protocol icmp accept",
                                "iifname \"ether1\" tcp dport 22 drop", "iifname \"ether1\" ct state invalid,new drop"};
        qsizetype at = 0;
        for (const QString& r : rules) {
            const qsizetype next = input.indexOf(r.toLatin1(), at);
            QVERIFY2(next >= at, qPrintable(r + " in order in\n" + input));
            at = next;
        }
        QVERIFY2(!inNs({"nft", "list", "chain", "ip", "mikrotik", "output"}).contains("10.9.9.9"),
                 inNs({"nft", "list", "table", "ip", "mikrotik"}));
        // Boot: the same rules again from the saved configuration.
        QVERIFY(makeNamespace());
        int rc = -1;
        const QByteArray out = shell({"--apply"}, {}, &rc);
        QVERIFY2(rc == 0, out);
        QCOMPARE(inNs({"nft", "list", "chain", "ip", "mikrotik", "input"}), input);
    }

    // The rules act on packets, first match first: ICMP from the peer to ether1.
    void filterActsInOrder()
    {
        const QString peer = ns_ + "-peer";
        QCOMPARE(run({"ip", "-n", peer, "addr", "add", "10.66.0.1/24", "dev", "p1"}), QByteArray());
        QByteArray out = shell({"--script"}, "/ip address add address=10.66.0.2/24 interface=ether1\n");
        QVERIFY2(!out.contains("failure"), out);
        auto pingOk = [&] {
            int rc = -1;
            run({"ip", "netns", "exec", peer, "ping", "-c", "1", "-W", "1", "10.66.0.2"}, {}, &rc);
            return rc == 0;
        };
        QVERIFY(pingOk());
        out = shell({"--script"}, "/ip firewall filter add chain=input protocol=icmp src-address=10.66.0.1 action=accept\n"
                                  "/ip firewall filter add chain=input protocol=icmp action=drop\n");
        QVERIFY2(!out.contains("failure"), out);
        QVERIFY(pingOk());  // the accept comes first
        shell({"--script"}, "/ip firewall filter disable 0\n");
        QVERIFY(!pingOk());
        shell({"--script"}, "/ip firewall filter enable 0\n");
        QVERIFY(pingOk());
        shell({"--script"}, "/ip firewall filter remove 0\n/ip firewall filter set 0 action=reject\n");
        int rc = -1;
        out = run({"ip", "netns", "exec", peer, "ping", "-c", "1", "-W", "1", "10.66.0.2"}, {}, &rc);
        QVERIFY2(rc != 0 && out.contains("Unreachable"), out);
    }

    // A transaction nft refuses changes neither the rules nor the configuration.
    void failedTransactionChangesNothing()
    {
        shell({"--script"}, "/ip firewall filter add chain=input protocol=tcp dst-port=23 action=drop\n"
                            "/ip firewall nat add chain=srcnat action=masquerade out-interface=ether1\n");
        const QByteArray table = inNs({"nft", "list", "table", "ip", "mikrotik"});
        QVERIFY2(table.contains("tcp dport 23 drop") && table.contains("masquerade"), table);
        const QByteArray config = readFile("config");
        QFile flag(dir_.filePath("nft-fail"));
        QVERIFY(flag.open(QIODevice::WriteOnly));
        flag.close();
        const QByteArray out = shell({"--script"}, "/ip firewall filter add chain=forward action=reject\n"
                                                   "/ip firewall filter set 0 dst-port=24\n"
                                                   "/ip firewall filter remove 0\n"
                                                   "/ip firewall nat disable 0\n"
                                                   "/ip firewall filter print\n/ip firewall nat print\n");
        QCOMPARE(out.count("failure: nftables: Error: injected failure"), 4);
        QVERIFY2(out.contains(" 0     chain=input action=drop protocol=tcp dst-port=23") &&
                     out.contains(" 0     chain=srcnat action=masquerade out-interface=ether1") &&
                     !out.contains(" 1 "),
                 out);
        QCOMPARE(inNs({"nft", "list", "table", "ip", "mikrotik"}), table);
        QCOMPARE(readFile("config"), config);
    }

    void dhcpClientWithoutServer()
    {
        replay("05_dhcp_client.txt");
        // The removed client's udhcpc is gone, the disabled one never ran.
        QTRY_VERIFY2_WITH_TIMEOUT(run({"ip", "netns", "pids", ns_}).trimmed().isEmpty(),
                                  run({"ip", "netns", "pids", ns_}), 5000);
    }

    // busybox udhcpd on ether1's peer: the lease becomes a dynamic address,
    // a dynamic default route and resolv.conf's servers.
    void dhcpClientBound()
    {
        const QString peer = ns_ + "-peer";
        QCOMPARE(run({"ip", "-n", peer, "addr", "add", "10.77.0.1/24", "dev", "p1"}), QByteArray());
        QFile conf(dir_.filePath("udhcpd.conf"));
        QVERIFY(conf.open(QIODevice::WriteOnly));
        conf.write("start 10.77.0.50\nend 10.77.0.60\ninterface p1\nlease_file " +
                   dir_.filePath("udhcpd.leases").toLocal8Bit() + "\npidfile " +
                   dir_.filePath("udhcpd.pid").toLocal8Bit() +
                   "\noption subnet 255.255.255.0\noption router 10.77.0.1\noption dns 10.77.0.1 9.9.9.9\n"
                   "option lease 600\n");
        conf.close();
        QFile(dir_.filePath("udhcpd.leases")).open(QIODevice::WriteOnly);
        QProcess server;
        server.setProcessChannelMode(QProcess::MergedChannels);
        server.start("ip", {"netns", "exec", peer, busybox_, "udhcpd", "-f", dir_.filePath("udhcpd.conf")});
        QVERIFY(server.waitForStarted());
        auto stopServer = qScopeGuard([&] {
            server.kill();
            server.waitForFinished();
        });

        QByteArray out = shell({"--script"}, "/ip dns set servers=1.1.1.1\n/ip dhcp-client add interface=ether1\n");
        QVERIFY2(!out.contains("failure"), out);
        const QRegularExpression bound(" 0    ether1\\s+yes\\s+yes\\s+bound\\s+(10\\.77\\.0\\.(5\\d|60))/24\\s+10\\.77\\.0\\.1");
        QRegularExpressionMatch m;
        QTRY_VERIFY2_WITH_TIMEOUT((m = bound.match(QString::fromLatin1(out = shell({"--script"}, "/ip dhcp-client print\n"))))
                                      .hasMatch(),
                                  out + server.readAll(), 20000);
        const QString address = m.captured(1);
        out = shell({"--script"}, "/ip address print\n/ip route print\n/ip dns print\n/export\n");
        QVERIFY2(QRegularExpression(" 0  D " + QRegularExpression::escape(address) + "/24\\s+10\\.77\\.0\\.0\\s+10\\.77\\.0\\.255\\s+ether1")
                     .match(QString::fromLatin1(out))
                     .hasMatch(),
                 out);
        QVERIFY2(QRegularExpression("\\d+ AD\\s+0\\.0\\.0\\.0/0\\s+10\\.77\\.0\\.1\\s+1\\s+ether1").match(QString::fromLatin1(out)).hasMatch(),
                 out);
        QVERIFY2(out.contains("dynamic-servers: 10.77.0.1,9.9.9.9"), out);
        // The lease is not configuration: the export has the client only.
        QVERIFY2(out.contains("/ip dhcp-client\nadd interface=ether1\n") && !out.contains(address.toLatin1() + "/24 interface"),
                 out);
        QVERIFY(inNs({"ip", "-o", "addr", "show", "ether1"}).contains("inet " + address.toLatin1() + "/24"));
        QVERIFY(inNs({"ip", "route"}).contains("default via 10.77.0.1 dev ether1"));
        QCOMPARE(readFile("resolv.conf"),
                 QByteArray("# written by mr-shell from /ip dns\nnameserver 1.1.1.1\nnameserver 10.77.0.1\n"
                            "nameserver 9.9.9.9\n"));

        // Renamed, the client follows; disabled, the lease goes.
        out = shell({"--script"}, "/interface ethernet set ether1 name=wan\n");
        QTRY_VERIFY2_WITH_TIMEOUT(bound.match(QString::fromLatin1(out = shell({"--script"}, "/ip dhcp-client print\n"))
                                                  .replace("wan   ", "ether1"))
                                      .hasMatch(),
                                  out, 20000);
        out = shell({"--script"}, "/ip dhcp-client disable 0\n/ip dhcp-client print\n/ip address print\n");
        QVERIFY2(out.contains(" 0 X  wan            yes          yes               stopped") && !out.contains("10.77.0.5") &&
                     !out.contains("10.77.0.60"),
                 out);
        QVERIFY(!inNs({"ip", "-o", "addr"}).contains("10.77.0."));
        QVERIFY(!inNs({"ip", "route"}).contains("default"));
        QCOMPARE(readFile("resolv.conf"), QByteArray("# written by mr-shell from /ip dns\nnameserver 1.1.1.1\n"));
        QTRY_VERIFY_WITH_TIMEOUT(run({"ip", "netns", "pids", ns_}).trimmed().isEmpty(), 5000);

        // Boot: enabled clients start again.
        shell({"--script"}, "/ip dhcp-client enable 0\n");
        QVERIFY(makeNamespace());
        QDir(dir_.filePath("dhcp")).removeRecursively();
        QCOMPARE(run({"ip", "-n", peer, "addr", "add", "10.77.0.1/24", "dev", "p1"}), QByteArray());
        stopServer.dismiss();
        server.kill();
        server.waitForFinished();
        server.start("ip", {"netns", "exec", peer, busybox_, "udhcpd", "-f", dir_.filePath("udhcpd.conf")});
        QVERIFY(server.waitForStarted());
        auto stopAgain = qScopeGuard([&] {
            server.kill();
            server.waitForFinished();
        });
        int rc = -1;
        out = shell({"--apply"}, {}, &rc);
        QVERIFY2(rc == 0, out);
        QTRY_VERIFY2_WITH_TIMEOUT(bound.match(QString::fromLatin1(out = shell({"--script"}, "/ip dhcp-client print\n"))
                                                  .replace("wan   ", "ether1"))
                                      .hasMatch(),
                                  out, 20000);
        shell({"--script"}, "/ip dhcp-client remove 0\n");
        QVERIFY(!inNs({"ip", "-o", "addr"}).contains("10.77.0."));
    }

    void moreErrors() { replay("06_more_errors.txt"); }

    // Everything the guest keeps, exported, pasted into a fresh guest, exported again: the same.
    void exportRoundTrip()
    {
        const QByteArray setup =
            "/system identity set name=Edge\n"
            "/interface ethernet set ether1 name=wan mtu=1480 comment=\"to the ISP\"\n"
            "/interface ethernet set ether2 name=lan arp=disabled\n"
            "/interface ethernet disable lan\n"
            "/ip address add address=10.0.0.2/24 interface=wan comment=uplink\n"
            "/ip address add address=192.168.5.1/24 interface=lan\n"
            "/ip address add address=192.168.6.1/24 interface=lan disabled=yes\n"
            "/ip route add gateway=10.0.0.1\n"
            "/ip route add dst-address=172.16.0.0/12 gateway=10.0.0.254 distance=7 comment=\"to the lab\"\n"
            "/ip route add dst-address=10.99.0.0/16 gateway=lan disabled=yes\n"
            "/ip firewall nat add chain=srcnat action=masquerade out-interface=wan\n"
            "/ip firewall nat add chain=dstnat in-interface=wan protocol=tcp dst-port=8080 action=dst-nat "
            "to-addresses=192.168.5.10 to-ports=80 comment=web\n"
            "/ip firewall filter add chain=input connection-state=established,related\n"
            "/ip firewall filter add chain=input in-interface=wan protocol=tcp dst-port=22 action=drop\n"
            "/ip firewall filter add chain=forward src-address=192.168.5.0/24 action=reject disabled=yes\n"
            "/ip dns set servers=1.1.1.1,9.9.9.9\n"
            "/ip dhcp-client add interface=lan add-default-route=no use-peer-dns=no disabled=yes\n";
        QByteArray out = shell({"--script"}, setup);
        QVERIFY2(!out.contains("failure") && !out.contains("no such") && !out.contains("line 1"), out);
        const QByteArray exported = shell({"--script"}, "/export\n");
        const QByteArray nft = inNs({"nft", "list", "table", "ip", "mikrotik"});
        const QByteArray routes = inNs({"ip", "route"});
        for (const char* line : {"set ether1 name=wan mtu=1480 comment=\"to the ISP\"", "set name=Edge",
                                 "add address=192.168.6.1/24 interface=lan disabled=yes", "distance=7",
                                 "action=dst-nat", "connection-state=established,related", "action=reject",
                                 "set servers=1.1.1.1,9.9.9.9", "add interface=lan add-default-route=no"})
            QVERIFY2(exported.contains(line), qPrintable(QString(line) + " in\n" + exported));

        // Each setting once, and only what differs from defaults: the links in
        // /interface ethernet alone, no name= on a NIC that keeps its default name.
        QVERIFY2(exported.contains("/interface ethernet\nset ether1 name=wan mtu=1480 comment=\"to the ISP\"\n"
                                   "set ether2 name=lan arp=disabled disabled=yes\n/"),
                 exported);
        QVERIFY2(!exported.contains("\n/interface\n"), exported);

        QVERIFY(makeNamespace());
        QFile::remove(dir_.filePath("config"));
        // A fresh guest has nothing to export.
        QCOMPARE(shell({"--script"}, "/export\n"), QByteArray("[admin@MikroTik] > /export\n"));
        out = shell({"--script"}, "/interface set ether2 comment=spare\n/export\n");
        QVERIFY2(out.endsWith("/interface ethernet\nset ether2 comment=spare\n"), out);
        shell({"--script"}, "/interface set ether2 comment=\"\"\n");
        out = shell({"--script"}, scriptOf(exported));
        QVERIFY2(!out.contains("failure") && !out.contains("no such") && !out.contains("line 1"), out);
        QCOMPARE(shell({"--script"}, "/export\n").replace("[admin@Edge]", "[admin@MikroTik]"),
                 exported.mid(0).replace("[admin@Edge]", "[admin@MikroTik]"));
        QCOMPARE(inNs({"nft", "list", "table", "ip", "mikrotik"}), nft);
        QCOMPARE(inNs({"ip", "route"}), routes);
    }

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
        const QByteArray again = shell({"--script"}, scriptOf(exported) + "/export\n");
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
