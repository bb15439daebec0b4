// The guest's reporter (mr-shell --report) against a real kernel in a network
// namespace of its own, writing to a FIFO instead of the virtio-serial port;
// every line it writes must pass the host's GuestReportParser.

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <iostream>

#include "guest_report_parser.h"
#include "vm_test_env.h"

using namespace mr::hv;

class GuestReporterTest : public QObject {
    Q_OBJECT

private:
    // The next line the reporter writes, within timeoutMs.
    QByteArray nextLine(int timeoutMs)
    {
        QElapsedTimer clock;
        clock.start();
        while (true) {
            const qsizetype nl = buffer_.indexOf('\n');
            if (nl >= 0) {
                const QByteArray line = buffer_.left(nl);
                buffer_.remove(0, nl + 1);
                return line;
            }
            const qint64 left = timeoutMs - clock.elapsed();
            if (left <= 0)
                return {};
            pollfd p{fifo_, POLLIN, 0};
            if (::poll(&p, 1, int(left)) > 0) {
                char buf[4096];
                const ssize_t n = ::read(fifo_, buf, sizeof buf);
                if (n > 0)
                    buffer_.append(buf, n);
            }
        }
    }
    // Reports until one satisfies done (each checked by the host's parser).
    bool waitReport(const std::function<bool(const GuestReport&)>& done, int timeoutMs, int* count = nullptr)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs) {
            const QByteArray line = nextLine(int(timeoutMs - clock.elapsed()));
            if (line.isEmpty())
                continue;  // the newline a fresh connection starts with, or the time is up
            if (count)
                ++*count;
            auto r = GuestReportParser().parse(line);
            if (!r.ok()) {
                qWarning("refused: %s: %s", r.error().text().c_str(), line.constData());
                return false;
            }
            last_ = *r;
            if (done(*r))
                return true;
        }
        return false;
    }
    bool ip(const QStringList& args)
    {
        QByteArray out;
        const bool ok = mr::hv::test::run(QStringList{QStringLiteral("ip"), QStringLiteral("-n"), ns_->name()} + args, &out);
        if (!ok)
            qWarning("ip %s: %s", qPrintable(args.join(' ')), out.constData());
        return ok;
    }
    static const GuestInterface* find(const GuestReport& r, const char* name)
    {
        for (const auto& i : r.interfaces)
            if (i.name == QLatin1String(name))
                return &i;
        return nullptr;
    }
    static bool hasAddress(const GuestReport& r, const QString& address, const QString& iface)
    {
        for (const auto& a : r.addresses)
            if (a.address == address && a.interface == iface)
                return true;
        return false;
    }

    QTemporaryDir dir_;
    std::unique_ptr<mr::hv::test::TestNetns> ns_;
    QProcess reporter_;
    int fifo_ = -1;
    QByteArray buffer_;
    GuestReport last_;
    QString shell_;

private slots:
    void initTestCase()
    {
        shell_ = QStringLiteral(MR_SHELL_BIN);
        if (!QFileInfo(shell_).isExecutable())
            QSKIP("mr-shell is not built");
        ns_ = std::make_unique<mr::hv::test::TestNetns>(QStringLiteral("mrrep"));
        QVERIFY(ns_->ok());
        const QByteArray fifo = dir_.filePath(QStringLiteral("port")).toLocal8Bit();
        QCOMPARE(::mkfifo(fifo.constData(), 0600), 0);
        fifo_ = ::open(fifo.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        QVERIFY(fifo_ >= 0);
        reporter_.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        reporter_.start(QStringLiteral("ip"),
                        {QStringLiteral("netns"), QStringLiteral("exec"), ns_->name(), shell_, QStringLiteral("--report"),
                         QStringLiteral("--report-port"), QString::fromLocal8Bit(fifo), QStringLiteral("--config"),
                         dir_.filePath(QStringLiteral("config")), QStringLiteral("--ifmap"),
                         dir_.filePath(QStringLiteral("ifmap"))});
        QVERIFY(reporter_.waitForStarted());
    }

    void reportsAtStart()
    {
        // The default identity; lo is not an interface of the router.
        QVERIFY(waitReport([](const GuestReport& r) { return r.identity == QLatin1String("MikroTik"); }, 10000));
        QVERIFY(last_.interfaces.empty());
        QVERIFY(last_.addresses.empty());
    }

    void reportsLinksAndAddresses()
    {
        QElapsedTimer clock;
        clock.start();
        QVERIFY(ip({"link", "add", "ether1", "address", "02:00:00:00:00:11", "type", "veth", "peer", "name", "ether2",
                    "address", "02:00:00:00:00:12"}));
        QVERIFY(ip({"link", "set", "ether1", "up"}));
        QVERIFY(ip({"link", "set", "ether2", "up"}));
        QVERIFY(ip({"addr", "add", "10.9.0.1/24", "dev", "ether1"}));
        QVERIFY2(waitReport([](const GuestReport& r) {
                     const GuestInterface* e1 = find(r, "ether1");
                     return hasAddress(r, "10.9.0.1/24", "ether1") && e1 && e1->running;
                 }, 10000),
                 "no report with 10.9.0.1/24 on a running ether1");
        std::cout << "METRIC guest-report-latency-ms " << clock.elapsed()
                  << " (link and address changes to the report, settle 200 ms)" << std::endl;
        QCOMPARE(last_.interfaces.size(), std::size_t(2));
        QCOMPARE(find(last_, "ether1")->mac, QStringLiteral("02:00:00:00:00:11"));
        QCOMPARE(find(last_, "ether2")->mac, QStringLiteral("02:00:00:00:00:12"));
        QVERIFY(!find(last_, "ether2")->disabled);

        // A link going down is reported too.
        QVERIFY(ip({"link", "set", "ether2", "down"}));
        QVERIFY(waitReport([](const GuestReport& r) {
            const GuestInterface* e1 = find(r, "ether1");
            const GuestInterface* e2 = find(r, "ether2");
            return e1 && e2 && e2->disabled && !e1->running;
        }, 10000));
    }

    void burstsAreCoalesced()
    {
        QString batch;
        for (int i = 1; i <= 30; ++i)
            batch += QStringLiteral("addr add 10.8.%1.1/24 dev ether1\n").arg(i);
        QProcess p;
        p.start(QStringLiteral("ip"), {QStringLiteral("-n"), ns_->name(), QStringLiteral("-batch"), QStringLiteral("-")});
        p.write(batch.toLatin1());
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(10000) && p.exitCode() == 0);
        int reports = 0;
        QVERIFY(waitReport([](const GuestReport& r) { return hasAddress(r, "10.8.30.1/24", "ether1"); }, 10000,
                           &reports));
        QCOMPARE(last_.addresses.size(), std::size_t(31));
        // 30 changes, a few reports.
        QVERIFY2(reports < 10, qPrintable(QString::number(reports)));
    }

    void reportsIdentityChanges()
    {
        // The guest command line saves the configuration; the reporter sees it rewritten.
        QProcess shell;
        shell.start(QStringLiteral("ip"),
                    {QStringLiteral("netns"), QStringLiteral("exec"), ns_->name(), shell_, QStringLiteral("--script"),
                     QStringLiteral("--no-power"), QStringLiteral("--config"), dir_.filePath(QStringLiteral("config")),
                     QStringLiteral("--ifmap"), dir_.filePath(QStringLiteral("ifmap"))});
        shell.write("/system identity set name=\"Edge 7\"\n");
        shell.closeWriteChannel();
        QVERIFY(shell.waitForFinished(10000));
        QCOMPARE(shell.exitCode(), 0);
        QVERIFY(waitReport([](const GuestReport& r) { return r.identity == QLatin1String("Edge 7"); }, 10000));
        QCOMPARE(last_.addresses.size(), std::size_t(31));
    }

    void cleanupTestCase()
    {
        if (reporter_.state() != QProcess::NotRunning) {
            reporter_.kill();
            reporter_.waitForFinished(5000);
        }
        if (fifo_ >= 0)
            ::close(fifo_);
        ns_.reset();
    }
};

QTEST_GUILESS_MAIN(GuestReporterTest)
#include "test_guest_reporter.moc"
