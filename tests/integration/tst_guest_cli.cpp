// The manual's "Creating isolated Metarouter for client" example end to end,
// typed through the console of a real metarouter in a sandboxed metarouterd
// (QEMU under TCG): client1 with two dynamic interfaces, the first on a host
// bridge where the host has 10.88.0.1/24 (the "public" side), the second
// bridged with ether2 to the LAN namespace, where lan2 has 192.168.88.2/24 and
// a default route via the guest. In the guest: identity, interfaces renamed
// public/local, addresses, a default route and masquerade out of public. The
// proof: a TCP connection from the LAN namespace to a listener on the host
// side of public arrives from the guest's public address. A third interface,
// ether3, is bridged to ether3 of the sandbox, whose far end the test moves
// into a namespace of its own with busybox udhcpd: `/ip dhcp-client` gets a
// lease there. admin gets a password: logout, a wrong password is refused,
// the right one accepted. Then `/system reboot` in the guest, and all of it
// (password and lease included) is still there and still works.

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <iostream>
#include <memory>
#include <thread>

#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon_fixture.h"
#include "guest_console.h"

using mr::test::DaemonFixture;

namespace {

using Console = mr::test::GuestConsole;

// A TCP socket in network namespace ns (setns in a thread of its own: a
// socket stays in the namespace it was created in).
int socketIn(const QString& ns)
{
    int fd = -1;
    std::thread t([&] {
        const int nsfd = ::open(QByteArray("/var/run/netns/" + ns.toLocal8Bit()).constData(), O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
            return;
        if (::setns(nsfd, CLONE_NEWNET) == 0)
            fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ::close(nsfd);
    });
    t.join();
    return fd;
}

sockaddr_in inet(const char* address, quint16 port)
{
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, address, &a.sin_addr);
    return a;
}

struct Fd {
    int fd;
    ~Fd()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

// One TCP connection from namespace clientNs to a listener at
// serverAddress:port in serverNs, with a byte each way; the peer address the
// listener saw, or "error: ...".
QString tcpSourceSeen(const QString& serverNs, const char* serverAddress, const QString& clientNs, int timeoutMs)
{
    Fd server{socketIn(serverNs)};
    Fd client{socketIn(clientNs)};
    if (server.fd < 0 || client.fd < 0)
        return "error: no socket in the namespaces";
    const int one = 1;
    ::setsockopt(server.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a = inet(serverAddress, 0);
    socklen_t len = sizeof a;
    if (::bind(server.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(server.fd, 4) != 0
        || ::getsockname(server.fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        return QStringLiteral("error: listen on %1: %2").arg(serverAddress, strerror(errno));
    ::fcntl(client.fd, F_SETFL, O_NONBLOCK);
    if (::connect(client.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS)
        return QStringLiteral("error: connect: %1").arg(strerror(errno));
    pollfd p{server.fd, POLLIN, 0};
    if (::poll(&p, 1, timeoutMs) != 1)
        return "error: no connection arrived";
    sockaddr_in peer{};
    len = sizeof peer;
    Fd conn{::accept4(server.fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC)};
    if (conn.fd < 0)
        return QStringLiteral("error: accept: %1").arg(strerror(errno));
    // The client's side completed too, and data flows both ways.
    pollfd c{client.fd, POLLOUT, 0};
    int err = 0;
    len = sizeof err;
    if (::poll(&c, 1, timeoutMs) != 1 || ::getsockopt(client.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
        return QStringLiteral("error: the client's connect did not complete: %1").arg(strerror(err));
    const auto readable = [timeoutMs](int fd) {
        pollfd r{fd, POLLIN, 0};
        return ::poll(&r, 1, timeoutMs) == 1;
    };
    char b = 'x';
    if (::write(client.fd, "q", 1) != 1 || !readable(conn.fd) || ::read(conn.fd, &b, 1) != 1 || b != 'q')
        return "error: no data from the client";
    if (::write(conn.fd, "a", 1) != 1 || !readable(client.fd) || ::read(client.fd, &b, 1) != 1 || b != 'a')
        return "error: no data back to the client";
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
    return QString::fromLatin1(text);
}

}  // namespace

class GuestCli : public QObject {
    Q_OBJECT

private:
    DaemonFixture::Run ok(const QString& command) const
    {
        auto r = d_->cli(command);
        if (r.exitCode != 0)
            qWarning("%s: %s%s", qPrintable(command), qPrintable(r.out), qPrintable(r.err));
        return r;
    }
    QString lan() const { return d_->sandbox() + "-lan"; }
    // The TCP proof, a few tries (TCG guests and fresh bridges are slow).
    QString tcpSource() const
    {
        QString seen;
        for (int i = 0; i < 3; ++i) {
            seen = tcpSourceSeen(d_->sandbox(), "10.88.0.1", lan(), 10000);
            if (!seen.startsWith("error"))
                break;
        }
        return seen;
    }
    // Logs in at the login prompt just seen and waits for the prompt of
    // identity.
    bool login(const QByteArray& identity, const QByteArray& password = {})
    {
        const qsizetype from = c_->size();
        c_->send("admin\n");
        if (!c_->waitFor("Password:", 10000, from))
            return false;
        c_->send(password + "\n");
        return c_->waitFor("[admin@" + identity + "] >", 10000, from);
    }
    // A login with a wrong password: refused, and the login prompt again.
    bool loginRefused(const QByteArray& password)
    {
        const qsizetype from = c_->size();
        c_->send("admin\n");
        if (!c_->waitFor("Password:", 10000, from))
            return false;
        c_->send(password + "\n");
        if (!c_->waitFor("Login failed", 10000, from))
            return false;
        const qsizetype failed = c_->seen().indexOf("Login failed", from);
        return c_->waitFor("MetaRouter Login:", 10000, failed) && !c_->seen().mid(from).contains("[admin@");
    }
    QString dhcpNs() const { return d_->sandbox() + "-dhcp"; }
    // The dhcp-client on ether3 bound to an address from udhcpd's pool.
    bool dhcpBound(QByteArray& out)
    {
        const QRegularExpression bound("0\\s+ether3\\s+no\\s+no\\s+bound\\s+10\\.89\\.0\\.(5\\d|60)/24");
        return QTest::qWaitFor([&] {
            out = c_->runKeeping("/ip dhcp-client print", "Client1");
            return bound.match(QString::fromLatin1(out)).hasMatch();
        }, 40000);
    }
    void stopDhcpServer()
    {
        if (dhcpd_.state() != QProcess::NotRunning) {
            dhcpd_.kill();
            dhcpd_.waitForFinished();
        }
        if (!d_)
            return;
        // lan3 back to the sandbox's LAN namespace, then the namespace goes.
        DaemonFixture::exec("ip", {"-n", dhcpNs(), "link", "set", "lan3", "netns", lan()});
        DaemonFixture::exec("ip", {"netns", "del", dhcpNs()});
    }
    // The prints of the whole configuration, checked.
    void checkConfiguration()
    {
        QByteArray out = c_->runKeeping("/system identity print", "Client1");
        QVERIFY2(out.contains("name: Client1"), out.constData());
        const QRegularExpression nics("0 R\\s+public\\s+1500\\s+" + QRegularExpression::escape(macs_.value(0))
                                      + "\\s+enabled\\s+1 R\\s+local\\s+1500\\s+"
                                      + QRegularExpression::escape(macs_.value(1)) + "\\s+enabled");
        QVERIFY2(QTest::qWaitFor([&] {
            out = c_->runKeeping("/interface ethernet print", "Client1");
            return nics.match(QString::fromLatin1(out)).hasMatch();
        }, 20000), out.constData());
        out = c_->runKeeping("/ip address print", "Client1");
        QVERIFY2(QRegularExpression("0\\s+10\\.88\\.0\\.2/24\\s+10\\.88\\.0\\.0\\s+10\\.88\\.0\\.255\\s+public\\s+"
                                    "1\\s+192\\.168\\.88\\.1/24\\s+192\\.168\\.88\\.0\\s+192\\.168\\.88\\.255\\s+local")
                     .match(QString::fromLatin1(out))
                     .hasMatch(),
                 out.constData());
        out = c_->runKeeping("/ip route print", "Client1");
        const QString routes = QString::fromLatin1(out);
        QVERIFY2(QRegularExpression("\\d+ A\\s+S\\s+0\\.0\\.0\\.0/0\\s+10\\.88\\.0\\.1\\s+1\\s+public").match(routes).hasMatch(),
                 out.constData());
        QVERIFY2(QRegularExpression("\\d+ ADC\\s+10\\.88\\.0\\.0/24\\s+10\\.88\\.0\\.2\\s+0\\s+public").match(routes).hasMatch(),
                 out.constData());
        QVERIFY2(QRegularExpression("\\d+ ADC\\s+192\\.168\\.88\\.0/24\\s+192\\.168\\.88\\.1\\s+0\\s+local")
                     .match(routes)
                     .hasMatch(),
                 out.constData());
        out = c_->runKeeping("/ip firewall nat print", "Client1");
        QVERIFY2(QRegularExpression("0\\s+chain=srcnat action=masquerade out-interface=public")
                     .match(QString::fromLatin1(out))
                     .hasMatch(),
                 out.constData());
        out = c_->runKeeping("/ip firewall filter print", "Client1");
        QVERIFY2(out.contains(" 0     chain=forward action=accept connection-state=\"established,related\"") &&
                     out.contains(" 1     chain=input action=reject protocol=tcp dst-port=23"),
                 out.constData());
        out = c_->runKeeping("/export", "Client1");
        for (const char* line : {"set ether1 name=public", "set ether2 name=local", "set name=Client1",
                                 "add interface=ether3 add-default-route=no use-peer-dns=no",
                                 "add chain=forward connection-state=established,related",
                                 "add chain=input action=reject protocol=tcp dst-port=23",
                                 "add address=10.88.0.2/24 interface=public",
                                 "add address=192.168.88.1/24 interface=local", "add gateway=10.88.0.1",
                                 "add chain=srcnat action=masquerade out-interface=public"})
            QVERIFY2(out.contains(line), out.constData());
    }

    std::unique_ptr<DaemonFixture> d_;
    std::unique_ptr<Console> c_;
    QStringList macs_;  // the vifs' vm-mac-address, in the order added
    QProcess dhcpd_;     // busybox udhcpd in dhcpNs()
    QTemporaryDir dhcpDir_;

private slots:
    void initTestCase()
    {
        if (!QFile::exists(DaemonFixture::buildDir() + "/guest/initrd.img"))
            QSKIP("the guest image is not built (mr_guest_image)");
        d_ = std::make_unique<DaemonFixture>(QStringLiteral("mrgc%1").arg(getpid() % 100000));
        QVERIFY2(d_->start(), qPrintable(d_->daemonLog().right(2500)));
        QCOMPARE(ok("/metarouter settings set shut-down-timeout=8s").exitCode, 0);
    }

    // Steps 1-4 on the host: the metarouter and its two interfaces, the
    // public one on a host bridge with the host's address, the local one
    // bridged with ether2 (lan2 in the LAN namespace).
    void hostSide()
    {
        QCOMPARE(ok("/metarouter add name=client1 memory-size=96 disk-size=16000 disabled=yes").exitCode, 0);
        QCOMPARE(ok("/interface bridge add name=bridge-public").exitCode, 0);
        QCOMPARE(ok("/ip address add address=10.88.0.1/24 interface=bridge-public").exitCode, 0);
        QCOMPARE(ok("/interface bridge add name=bridge-local").exitCode, 0);
        QCOMPARE(ok("/interface bridge port add interface=ether2 bridge=bridge-local").exitCode, 0);
        QCOMPARE(ok("/metarouter interface add virtual-machine=client1 type=dynamic dynamic-bridge=bridge-public")
                     .exitCode,
                 0);
        QCOMPARE(ok("/metarouter interface add virtual-machine=client1 type=dynamic dynamic-bridge=bridge-local")
                     .exitCode,
                 0);
        // The DHCP side: bridge-dhcp with the sandbox's ether3, whose far
        // end lan3 goes to a namespace of the test's own with udhcpd.
        QCOMPARE(ok("/interface bridge add name=bridge-dhcp").exitCode, 0);
        QCOMPARE(ok("/interface bridge port add interface=ether3 bridge=bridge-dhcp").exitCode, 0);
        QCOMPARE(ok("/metarouter interface add virtual-machine=client1 type=dynamic dynamic-bridge=bridge-dhcp")
                     .exitCode,
                 0);
        DaemonFixture::exec("ip", {"netns", "del", dhcpNs()});
        for (const QStringList& c : QList<QStringList>{{"netns", "add", dhcpNs()},
                                                        {"-n", lan(), "link", "set", "lan3", "netns", dhcpNs()},
                                                        {"-n", dhcpNs(), "addr", "add", "10.89.0.1/24", "dev", "lan3"},
                                                        {"-n", dhcpNs(), "link", "set", "lan3", "up"}}) {
            const auto r = DaemonFixture::exec("ip", c);
            QVERIFY2(r.exitCode == 0, qPrintable(c.join(' ') + ": " + r.err));
        }
        QFile conf(dhcpDir_.filePath("udhcpd.conf"));
        QVERIFY(conf.open(QIODevice::WriteOnly));
        conf.write("start 10.89.0.50\nend 10.89.0.60\ninterface lan3\noption subnet 255.255.255.0\n"
                   "option lease 600\nlease_file " + dhcpDir_.filePath("leases").toLocal8Bit() + "\npidfile " +
                   dhcpDir_.filePath("udhcpd.pid").toLocal8Bit() + "\n");
        conf.close();
        QFile(dhcpDir_.filePath("leases")).open(QIODevice::WriteOnly);
        dhcpd_.setProcessChannelMode(QProcess::MergedChannels);
        dhcpd_.start("ip", {"netns", "exec", dhcpNs(), "busybox", "udhcpd", "-f", dhcpDir_.filePath("udhcpd.conf")});
        QVERIFY(dhcpd_.waitForStarted());
        const QString print = d_->cli("/metarouter interface print").out;
        auto it = QRegularExpression("02(:[0-9A-F]{2}){5}").globalMatch(print);
        while (it.hasNext())
            macs_ << it.next().captured(0);
        QVERIFY2(macs_.size() == 3, qPrintable(print));
        // The LAN host: lan2 with an address and a default route via the guest.
        auto r = DaemonFixture::exec("ip", {"-n", lan(), "addr", "add", "192.168.88.2/24", "dev", "lan2"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = DaemonFixture::exec("ip", {"-n", lan(), "route", "add", "default", "via", "192.168.88.1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        QElapsedTimer t;
        t.start();
        QCOMPARE(ok("/metarouter set client1 disabled=no").exitCode, 0);
        // The console once the metarouter runs (before, mrcli says so and exits).
        QDeadlineTimer deadline(60000);
        bool up = false;
        while (!up && !deadline.hasExpired()) {
            c_ = std::make_unique<Console>(*d_, "client1");
            up = c_->waitFor("MetaRouter Login:", int(deadline.remainingTime()));
            if (!up)
                QTest::qWait(300);
        }
        QVERIFY2(up, qPrintable(d_->cli("/metarouter print").out + c_->seen()));
        std::cout << "METRIC start-to-login-prompt-ms " << t.elapsed() << std::endl;
        QVERIFY2(login("MikroTik"), c_->seen().constData());
    }

    // Steps 5 and 6, typed on the guest's console.
    void clientConfiguration()
    {
        qsizetype from = c_->size();
        c_->send("/system identity set name=Client1\n");
        QVERIFY2(c_->waitFor("[admin@Client1] >", 10000, from), c_->seen().mid(from).constData());
        // The first vif is ether1, the second ether2, both running (a NIC
        // may come up a moment after the login prompt).
        const QRegularExpression nics("0 R\\s+ether1\\s+1500\\s+" + QRegularExpression::escape(macs_.value(0))
                                      + "\\s+enabled\\s+1 R\\s+ether2\\s+1500\\s+"
                                      + QRegularExpression::escape(macs_.value(1)) + "\\s+enabled");
        QByteArray out;
        QVERIFY2(QTest::qWaitFor([&] {
            out = c_->runKeeping("/interface ethernet print", "Client1");
            return nics.match(QString::fromLatin1(out)).hasMatch();
        }, 20000), out.constData());
        out = c_->runKeeping("/interface ethernet set 0 name=public\n/interface ethernet set 1 name=local", "Client1");
        QVERIFY2(!out.contains("failure") && !out.contains("no such"), out.constData());
        out = c_->runKeeping("/ip address add address=10.88.0.2/24 interface=public\n"
                      "/ip address add address=192.168.88.1/24 interface=local\n"
                      "/ip route add gateway=10.88.0.1\n"
                      "/ip firewall nat add chain=srcnat action=masquerade out-interface=public\n"
                      // nft_ct and nft_reject_ipv4 from the image's modules, in the guest kernel.
                      "/ip firewall filter add chain=forward connection-state=established,related\n"
                      "/ip firewall filter add chain=input protocol=tcp dst-port=23 action=reject",
                      "Client1");
        QVERIFY2(!out.contains("failure") && !out.contains("error") && !out.contains("invalid"), out.constData());
        out = c_->runKeeping("/ip dhcp-client add interface=ether3 add-default-route=no use-peer-dns=no", "Client1");
        QVERIFY2(!out.contains("failure"), out.constData());
        QVERIFY2(dhcpBound(out), out.constData());
        out = c_->runKeeping("/ip address print", "Client1");
        QVERIFY2(QRegularExpression("\\d+\\s+D\\s+10\\.89\\.0\\.(5\\d|60)/24\\s+10\\.89\\.0\\.0\\s+10\\.89\\.0\\.255\\s+ether3")
                     .match(QString::fromLatin1(out))
                     .hasMatch(),
                 out.constData());
        checkConfiguration();
    }

    // A password for admin: after logout a wrong one is refused, the right one accepted.
    void password()
    {
        QByteArray out = c_->runKeeping("/user set admin password=\"vm s3cret\"", "Client1");
        QVERIFY2(!out.contains("failure"), out.constData());
        const qsizetype from = c_->size();
        c_->send("/quit\n");
        QVERIFY2(c_->waitFor("MetaRouter Login:", 10000, from), c_->seen().mid(from).constData());
        QVERIFY2(loginRefused(""), c_->seen().mid(from).constData());
        QVERIFY2(loginRefused("vm s3cre"), c_->seen().mid(from).constData());
        QVERIFY2(login("Client1", "vm s3cret"), c_->seen().mid(from).constData());
    }

    void lanHostReachesThePublicSideMasqueraded()
    {
        QElapsedTimer t;
        t.start();
        const QString seen = tcpSource();
        std::cout << "METRIC tcp-check-ms " << t.elapsed() << std::endl;
        QCOMPARE(seen, QStringLiteral("10.88.0.2"));
    }

    void rebootKeepsEverything()
    {
        QElapsedTimer t;
        t.start();
        const qsizetype from = c_->size();
        c_->send("/system reboot\n");
        QVERIFY2(c_->waitFor("Rebooting...", 10000, from), c_->seen().mid(from).constData());
        // The same console sees the guest come back (a login prompt after
        // busybox init's last words), unless the daemon ends the stream;
        // then a new one.
        bool up = c_->waitFor("Requesting system reboot", 30000, from);
        up = up && c_->waitFor("MetaRouter Login:", 60000, c_->seen().indexOf("Requesting system reboot", from));
        if (!up && !c_->running()) {
            QDeadlineTimer deadline(60000);
            while (!up && !deadline.hasExpired()) {
                c_ = std::make_unique<Console>(*d_, "client1");
                up = c_->waitFor("MetaRouter Login:", int(deadline.remainingTime()));
            }
        }
        QVERIFY2(up, qPrintable(d_->cli("/metarouter print").out + c_->seen().mid(from)));
        QVERIFY2(loginRefused(""), c_->seen().right(2000).constData());
        QVERIFY2(login("Client1", "vm s3cret"), c_->seen().right(2000).constData());
        std::cout << "METRIC guest-reboot-to-prompt-ms " << t.elapsed() << std::endl;
        checkConfiguration();
        QByteArray out;
        QVERIFY2(dhcpBound(out), out.constData());
        QCOMPARE(tcpSource(), QStringLiteral("10.88.0.2"));
    }

    void cleanupTestCase()
    {
        stopDhcpServer();
        c_.reset();
        if (!d_)
            return;
        QVERIFY(d_->stop());
        d_.reset();
    }
};

QTEST_GUILESS_MAIN(GuestCli)
#include "tst_guest_cli.moc"
