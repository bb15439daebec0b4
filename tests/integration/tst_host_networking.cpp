// The manual's host-side steps through mrcli against a real sandboxed
// metarouterd: the kernel really has what the tables show, and it survives a
// clean restart and a kill -9.

#include <QDeadlineTimer>
#include <QFile>
#include <QLocalSocket>
#include <QThread>
#include <QTest>

#include <unistd.h>

#include "daemon_fixture.h"
#include "frame_codec.h"

using mr::test::DaemonFixture;

class HostNetworking : public QObject {
    Q_OBJECT

private:
    static QString name(const char* tag) { return QStringLiteral("mrit%1%2").arg(tag).arg(getpid() % 100000); }

    static void expectKernelConfig(const QString& ns)
    {
        auto link = DaemonFixture::exec("ip", {"-n", ns, "-d", "link", "show", "bridge1"});
        QVERIFY2(link.exitCode == 0, qPrintable(link.err));
        QVERIFY2(link.out.contains("bridge "), qPrintable(link.out));
        auto port = DaemonFixture::exec("ip", {"-n", ns, "link", "show", "ether2"});
        QVERIFY2(port.out.contains("master bridge1"), qPrintable(port.out));
        auto addr = DaemonFixture::exec("ip", {"-n", ns, "-4", "addr", "show", "dev", "bridge1"});
        QVERIFY2(addr.out.contains("inet 10.9.0.1/24"), qPrintable(addr.out));
    }

private slots:
    void manualStepsSurviveRestartAndKill()
    {
        DaemonFixture d(name("h"));
        QVERIFY2(d.start(), qPrintable(d.daemonLog().right(2500)));

        auto r = d.cli("/interface bridge add");
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        r = d.cli("/interface bridge print");
        QVERIFY2(r.out.contains("name=\"bridge1\""), qPrintable(r.out));
        QVERIFY2(r.out.contains("protocol-mode=none"), qPrintable(r.out));

        r = d.cli("/interface bridge port add interface=ether2 bridge=bridge1");
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        r = d.cli("/interface bridge port print");
        QVERIFY2(r.out.contains("INTERFACE") && r.out.contains("BRIDGE") && r.out.contains("PATH-COST"),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains("ether2") && r.out.contains("0x80"), qPrintable(r.out));

        r = d.cli("/ip address add address=10.9.0.1/24 interface=bridge1");
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        r = d.cli("/ip address print");
        QVERIFY2(r.out.contains("10.9.0.1/24") && r.out.contains("10.9.0.0") && r.out.contains("10.9.0.255"),
                 qPrintable(r.out));
        expectKernelConfig(d.sandbox());

        // A bad value is refused with the property named, and changes nothing.
        r = d.cli("/interface bridge set bridge1 mtu=abc");
        QVERIFY(r.exitCode != 0);
        QVERIFY2((r.err + r.out).contains("mtu"), qPrintable(r.err + r.out));

        // Clean restart: the sandbox is removed and rebuilt, config re-applied.
        QVERIFY(d.stop());
        auto list = DaemonFixture::exec("ip", {"netns", "list"});
        QVERIFY2(!list.out.contains(d.sandbox() + " ") && !list.out.split('\n').contains(d.sandbox()),
                 qPrintable(list.out));
        QVERIFY2(d.start(), qPrintable(d.daemonLog().right(2500)));
        expectKernelConfig(d.sandbox());

        // kill -9: the next start adopts what the kernel has.
        d.kill9();
        QVERIFY2(d.start(), qPrintable(d.daemonLog().right(2500)));
        expectKernelConfig(d.sandbox());
        r = d.cli("/ip address print");
        QCOMPARE(r.out.count("10.9.0.1/24"), 1);
    }

    void permissions()
    {
        DaemonFixture d(name("p"));
        QVERIFY2(d.start(), qPrintable(d.daemonLog().right(2500)));
        auto r = d.cli("/user add name=viewer group=read password=viewpass");
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        r = d.cli("/user add name=tenant1 group=tenant metarouters=mr1 password=tenantpass");
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));

        r = d.cli("/interface print", "viewer", "viewpass");
        QVERIFY2(r.exitCode == 0 && r.out.contains("ether1"), qPrintable(r.err + r.out));
        r = d.cli("/interface bridge add name=br9", "viewer", "viewpass");
        QVERIFY(r.exitCode != 0);
        QVERIFY2((r.err + r.out).contains("not allowed") || (r.err + r.out).contains("denied"),
                 qPrintable(r.err + r.out));
        auto link = DaemonFixture::exec("ip", {"-n", d.sandbox(), "link", "show", "br9"});
        QVERIFY(link.exitCode != 0);

        r = d.cli("/interface print", "tenant1", "tenantpass");
        QVERIFY(r.exitCode != 0);
        QVERIFY2(!r.out.contains("ether1"), qPrintable(r.out));
        r = d.cli("/ip address print", "tenant1", "tenantpass");
        QVERIFY(r.exitCode != 0);

        r = d.cli("/interface print", "viewer", "wrong");
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("login failed"), qPrintable(r.err));
    }

    void garbageFramesEndOnlyThatConnection()
    {
        DaemonFixture d(name("g"));
        QVERIFY2(d.start(), qPrintable(d.daemonLog().right(2500)));

        for (const QByteArray& junk : {QByteArray("\x00\x00\x00\x05garbage-not-protobuf", 24),
                                       QByteArray("\x06\x40\x00\x00", 4) /* 100 MiB */}) {
            QLocalSocket raw;
            raw.connectToServer(d.socket());
            QVERIFY(raw.waitForConnected(3000));
            raw.write(junk);
            raw.flush();
            QByteArray got;
            QDeadlineTimer deadline(5000);
            while (raw.state() == QLocalSocket::ConnectedState && !deadline.hasExpired()) {
                raw.waitForReadyRead(200);
                got += raw.readAll();
            }
            got += raw.readAll();
            QVERIFY2(raw.state() != QLocalSocket::ConnectedState, "connection was not closed");
            mr::protocol::FrameDecoder dec;
            dec.feed(std::string_view(got.constData(), static_cast<std::size_t>(got.size())));
            auto e = dec.next();
            QVERIFY2(e && e->has_fatal(), "no error frame before the close");
            QCOMPARE(e->fatal().code(), mr::wire::ERROR_PROTOCOL);
        }
        auto r = d.cli("/system identity print");
        QVERIFY2(r.exitCode == 0 && r.out.contains("MikroTik"), qPrintable(r.err + r.out));
    }

    void followsOutsideChanges()
    {
        DaemonFixture d(name("o"));
        QVERIFY2(d.start(), qPrintable(d.daemonLog().right(2500)));
        auto r = DaemonFixture::exec("ip", {"-n", d.sandbox(), "link", "add", "outside0", "type", "veth", "peer", "name", "outside1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QThread::msleep(1000);
        r = d.cli("/interface print");
        QVERIFY2(r.out.contains("outside0"), qPrintable(r.out));
        DaemonFixture::exec("ip", {"-n", d.sandbox(), "link", "del", "outside0"});
        QThread::msleep(1000);
        r = d.cli("/interface print");
        QVERIFY2(!r.out.contains("outside0"), qPrintable(r.out));
    }

    void tlsWithPinnedFingerprint()
    {
        DaemonFixture d(name("t"));
        QVERIFY2(d.start({"--listen", "127.0.0.1:8729"}), qPrintable(d.daemonLog().right(2500)));
        QFile fpFile(d.stateDir() + "/fingerprint");
        QVERIFY(fpFile.open(QIODevice::ReadOnly));
        const QString fp = QString::fromLatin1(fpFile.readAll()).trimmed();
        QCOMPARE(fp.size(), 64);
        const QString mrcli = DaemonFixture::buildDir() + "/app/mrcli/mrcli";
        const QString pw = d.adminPassword();
        auto r = DaemonFixture::exec("env", {"MR_PASSWORD=" + pw, "ip", "netns", "exec", d.sandbox(), mrcli,
                                             "--fingerprint", fp, "127.0.0.1:8729", "/system identity print"});
        QVERIFY2(r.exitCode == 0 && r.out.contains("MikroTik"), qPrintable(r.err + r.out));
        QString wrong = fp;
        wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
        r = DaemonFixture::exec("env", {"MR_PASSWORD=" + pw, "ip", "netns", "exec", d.sandbox(), mrcli,
                                        "--fingerprint", wrong, "127.0.0.1:8729", "/system identity print"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("CHANGED"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(HostNetworking)
#include "tst_host_networking.moc"
