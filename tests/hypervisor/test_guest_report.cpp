// GuestReportParser and GuestReportChannel against hostile guests: bad
// names, bad addresses, oversized and partial messages, binary junk, too many
// items, floods; the channel over a real unix socket standing in for QEMU's.

#include <QLocalServer>
#include <QLocalSocket>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QtTest>

#include <iostream>

#include "guest_report_channel.h"
#include "guest_report_parser.h"

using namespace mr::hv;

namespace {

const QByteArray kGood =
    R"({"v":1,"identity":"R1","interfaces":[{"name":"ether1","mac":"02:aa:bb:cc:dd:ee","running":true,)"
    R"("disabled":false},{"name":"ether2"}],"addresses":[{"address":"10.0.0.1/24","interface":"ether1"},)"
    R"({"address":"192.168.88.1/24","interface":"ether2"}]})";

// kGood with one part replaced.
QByteArray with(const char* from, const QByteArray& to)
{
    QByteArray m = kGood;
    Q_ASSERT(m.contains(from));
    return m.replace(from, to);
}

QByteArray interfaces(int n)
{
    QByteArray items;
    for (int i = 0; i < n; ++i)
        items += (i ? "," : "") + QByteArray(R"({"name":"e)") + QByteArray::number(i) + "\"}";
    return R"({"v":1,"identity":"R","interfaces":[)" + items + R"(],"addresses":[]})";
}

QByteArray addresses(int n)
{
    QByteArray items;
    for (int i = 0; i < n; ++i)
        items += (i ? "," : "") + QByteArray(R"({"address":"10.0.)") + QByteArray::number(i / 250) + "." +
                 QByteArray::number(i % 250 + 1) + R"(/16","interface":"e"})";
    return R"({"v":1,"identity":"R","interfaces":[{"name":"e"}],"addresses":[)" + items + "]}";
}

// A unix socket served as QEMU's chardev serves it, in a directory of its own.
struct ReportSocket {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("report.sock"));
    QLocalServer server;

    bool listen() { return server.listen(path); }
    // Opens channel for vm on the socket; the guest's end, or null.
    QLocalSocket* connect(GuestReportChannel& channel, const QString& vm)
    {
        channel.open(path, vm);
        return server.waitForNewConnection(5000) ? server.nextPendingConnection() : nullptr;
    }
};

}  // namespace

class GuestReportTest : public QObject {
    Q_OBJECT

private slots:
    void parsesAReport()
    {
        GuestReportParser p;
        // Unknown fields, at the top and inside items, are ignored.
        auto r = p.parse(with(R"("identity":"R1")", R"("identity":"R1","uptime":{"x":[1,2]},"future":null)")
                             .replace(R"("name":"ether2")", R"("name":"ether2","speed":"1G")"));
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().text().c_str());
        QCOMPARE(r->identity, QStringLiteral("R1"));
        QCOMPARE(r->interfaces.size(), std::size_t(2));
        QCOMPARE(r->interfaces[0].name, QStringLiteral("ether1"));
        QCOMPARE(r->interfaces[0].mac, QStringLiteral("02:AA:BB:CC:DD:EE"));
        QVERIFY(r->interfaces[0].running);
        QVERIFY(!r->interfaces[1].running);
        QVERIFY(r->interfaces[1].mac.isEmpty());
        QCOMPARE(r->addresses.size(), std::size_t(2));
        QCOMPARE(r->addresses[1].address, QStringLiteral("192.168.88.1/24"));
        QCOMPARE(r->addresses[1].interface, QStringLiteral("ether2"));
        // Limits are inclusive; an emoji is one character.
        QVERIFY(p.parse(interfaces(64)).ok());
        QVERIFY(p.parse(addresses(256)).ok());
        QVERIFY(p.parse(with(R"("R1")", '"' + QByteArray(64, 'x') + '"')).ok());
        QVERIFY(p.parse(with(R"("R1")", "\"Router \\ud83d\\ude00 Ω\"")).ok());
        QVERIFY(p.parse(with(R"("R1")", "\"a \\\"quoted\\\" name\"")).ok());
        QVERIFY(p.parse(R"({"v":1,"identity":"R","interfaces":[],"addresses":[]})").ok());
    }

    void refusesHostileReports_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QString>("field");
        QTest::newRow("garbage") << QByteArray("hello there") << "report";
        QTest::newRow("binary") << QByteArray("\x00\xff\xfe{\x01\x80", 6) << "report";
        // Qt's JSON takes a raw NUL in a string; the identity rules do not.
        QTest::newRow("nul inside") << with(R"("R1")", QByteArray("\"R\0\"", 4)) << "identity";
        QTest::newRow("bad utf-8") << with(R"("R1")", "\"R\xc3\x28\"") << "report";
        QTest::newRow("cut short") << kGood.left(kGood.size() / 2) << "report";
        QTest::newRow("array") << QByteArray("[1,2,3]") << "report";
        QTest::newRow("deep nesting") << QByteArray(5000, '[') << "report";
        QTest::newRow("no version") << with(R"("v":1,)", "") << "v";
        QTest::newRow("version 2") << with(R"("v":1)", R"("v":2)") << "v";
        QTest::newRow("version text") << with(R"("v":1)", R"("v":"1")") << "v";
        QTest::newRow("no identity") << with(R"("identity":"R1",)", "") << "identity";
        QTest::newRow("empty identity") << with(R"("R1")", R"("")") << "identity";
        QTest::newRow("identity number") << with(R"("R1")", "42") << "identity";
        QTest::newRow("identity too long") << with(R"("R1")", '"' + QByteArray(65, 'x') + '"') << "identity";
        QTest::newRow("identity escape") << with(R"("R1")", "\"\\u001b[31mred\"") << "identity";
        QTest::newRow("identity newline") << with(R"("R1")", "\"a\\nb\"") << "identity";
        QTest::newRow("identity bidi") << with(R"("R1")", "\"abc\\u202edef\"") << "identity";
        QTest::newRow("identity line separator") << with(R"("R1")", "\"a\\u2028b\"") << "identity";
        QTest::newRow("identity lone surrogate") << with(R"("R1")", "\"a\\ud800b\"") << "identity";
        QTest::newRow("identity private use") << with(R"("R1")", "\"a\\ue000\"") << "identity";
        QTest::newRow("no interfaces") << with(R"("interfaces":)", R"("ifs":)") << "interfaces";
        QTest::newRow("interfaces object") << QByteArray(R"({"v":1,"identity":"R","interfaces":{},"addresses":[]})")
                                           << "interfaces";
        QTest::newRow("too many interfaces") << interfaces(65) << "interfaces";
        QTest::newRow("interface not object") << with(R"({"name":"ether2"})", R"("ether2")") << "interfaces";
        QTest::newRow("no name") << with(R"({"name":"ether2"})", R"({"mac":"02:00:00:00:00:01"})") << "interfaces";
        QTest::newRow("empty name") << with(R"("name":"ether2")", R"("name":"")") << "interfaces";
        QTest::newRow("long name") << with(R"("name":"ether2")", R"("name":"ether2345678901234")") << "interfaces";
        QTest::newRow("slash") << with(R"("name":"ether2")", R"("name":"a/b")") << "interfaces";
        QTest::newRow("space") << with(R"("name":"ether2")", R"("name":"a b")") << "interfaces";
        QTest::newRow("colon") << with(R"("name":"ether2")", R"("name":"eth0:1")") << "interfaces";
        QTest::newRow("dot") << with(R"("name":"ether2")", R"("name":".")") << "interfaces";
        QTest::newRow("dotdot") << with(R"("name":"ether2")", R"("name":"..")") << "interfaces";
        QTest::newRow("comma") << with(R"("name":"ether2")", R"("name":"a,b")") << "interfaces";
        QTest::newRow("non-ascii") << with(R"("name":"ether2")", R"("name":"éther")") << "interfaces";
        QTest::newRow("name number") << with(R"("name":"ether2")", R"("name":2)") << "interfaces";
        QTest::newRow("duplicate name") << with(R"("name":"ether2")", R"("name":"ether1")") << "interfaces";
        QTest::newRow("short mac") << with(R"("02:aa:bb:cc:dd:ee")", R"("02:aa:bb:cc:dd")") << "interfaces";
        QTest::newRow("bad mac") << with(R"("02:aa:bb:cc:dd:ee")", R"("02:aa:bb:cc:dd:zz")") << "interfaces";
        QTest::newRow("mac dashes") << with(R"("02:aa:bb:cc:dd:ee")", R"("02-aa-bb-cc-dd-ee")") << "interfaces";
        QTest::newRow("mac number") << with(R"("02:aa:bb:cc:dd:ee")", "2") << "interfaces";
        QTest::newRow("running text") << with(R"("running":true)", R"("running":"yes")") << "interfaces";
        QTest::newRow("no addresses") << with(R"("addresses":)", R"("addrs":)") << "addresses";
        QTest::newRow("too many addresses") << addresses(257) << "addresses";
        QTest::newRow("address not object") << with(R"({"address":"10.0.0.1/24","interface":"ether1"})", "1")
                                            << "addresses";
        for (const char* a : {"10.0.0.1", "10.0.0.256/24", "10.0.0.1/33", "010.0.0.1/24", "1.2.3/8", "1.2.3.4.5/8",
                              "::1/128", " 10.0.0.1/24", "10.0.0.1/24 ", "10.0.0.1/024", "10.0.0.1/", "/24",
                              "10.0.0.-1/24", "10..0.1/24", "1e1.0.0.1/8", "10.0.0.1/2a"})
            QTest::newRow(qPrintable(QStringLiteral("address '%1'").arg(a)))
                << with(R"("10.0.0.1/24")", '"' + QByteArray(a) + '"') << "addresses";
        QTest::newRow("address number") << with(R"("10.0.0.1/24")", "167772161") << "addresses";
        QTest::newRow("address on unknown interface")
            << with(R"("interface":"ether1"})", R"("interface":"ether9"})") << "addresses";
        QTest::newRow("address without interface") << with(R"(,"interface":"ether1"})", "}") << "addresses";
        QTest::newRow("address twice") << with(R"("192.168.88.1/24","interface":"ether2")",
                                               R"("10.0.0.1/24","interface":"ether1")")
                                       << "addresses";
    }
    void refusesHostileReports()
    {
        QFETCH(QByteArray, message);
        QFETCH(QString, field);
        auto r = GuestReportParser().parse(message);
        QVERIFY(!r.ok());
        QCOMPARE(QString::fromStdString(r.error().property), field);
        // The message names the problem, and no guest text gets into it raw.
        QVERIFY(!r.error().message.empty());
        for (char c : r.error().message)
            QVERIFY(static_cast<unsigned char>(c) >= 0x20);
    }

    void randomBytesNeverCrash()
    {
        GuestReportParser p;
        auto* rng = QRandomGenerator::global();
        for (int i = 0; i < 3000; ++i) {
            QByteArray junk(int(rng->bounded(300)), Qt::Uninitialized);
            for (char& c : junk)
                c = char(rng->bounded(256));
            // Mutations of a good report reach deeper than pure noise.
            QByteArray mutated = kGood;
            for (int k = 0; k < 3; ++k)
                mutated[int(rng->bounded(mutated.size()))] = char(rng->bounded(256));
            (void)p.parse(junk);
            auto r = p.parse(mutated);
            if (r.ok())  // whatever passes keeps the rules
                for (const auto& iface : r->interfaces)
                    QVERIFY(GuestReportParser::isValidIfname(iface.name));
        }
    }

    void framing()
    {
        GuestReportParser p;
        // A message in pieces is one message.
        for (qsizetype i = 0; i < kGood.size(); i += 7)
            p.feed(QByteArrayView(kGood).sliced(i, std::min<qsizetype>(7, kGood.size() - i)));
        QVERIFY(!p.takeMessage());
        p.feed("\r\n");
        auto m = p.takeMessage();
        QVERIFY(m);
        QCOMPARE(*m, kGood);
        QVERIFY(!p.takeMessage());
        // Several at once: only the newest counts; empty lines are nothing.
        p.feed("\n\nfirst\nsecond\n\nthird\npart");
        QCOMPARE(p.takeMessage().value_or("none"), QByteArray("third"));
        QCOMPARE(p.bufferedBytes(), qsizetype(4));
        // A reconnect forgets the partial one.
        p.reset();
        p.feed("ial\n");
        QCOMPARE(p.takeMessage().value_or("none"), QByteArray("ial"));
    }

    void oversizedMessagesAreSkippedWithoutBuffering()
    {
        GuestReportParser::Limits limits;
        limits.maxMessageBytes = 1024;
        GuestReportParser p(limits);
        // 10 MiB without a newline, in chunks: memory stays at the limit.
        const QByteArray chunk(64 * 1024, 'x');
        for (int i = 0; i < 160; ++i) {
            p.feed(chunk);
            QVERIFY(p.bufferedBytes() <= limits.maxMessageBytes);
        }
        QCOMPARE(p.takeOversized(), 1);
        QVERIFY(!p.takeMessage());
        // Its end, then a good report: the report is whole and usable.
        p.feed("tail of the big one\n" + kGood + "\n");
        QCOMPARE(p.takeOversized(), 0);
        auto m = p.takeMessage();
        QVERIFY(m && p.parse(*m).ok());
        // Exactly at the limit is fine, one more byte is not.
        p.feed(QByteArray(1024, 'y') + "\n");
        QCOMPARE(p.takeMessage().value_or("").size(), qsizetype(1024));
        p.feed(QByteArray(1025, 'y') + "\n");
        QVERIFY(!p.takeMessage());
        QCOMPARE(p.takeOversized(), 1);
    }

    // The channel over a unix socket, as QEMU's chardev serves it.
    void channelTakesReportsAndClears()
    {
        ReportSocket socket;
        QVERIFY(socket.listen());
        GuestReportChannel::Limits limits;
        limits.reconnectMs = 50;
        GuestReportChannel channel(limits);
        QSignalSpy changed(&channel, &GuestReportChannel::reportChanged);
        QLocalSocket* guest = socket.connect(channel, QStringLiteral("mrtest"));
        QVERIFY(guest);
        // Half a message, then the rest.
        guest->write(kGood.left(20));
        guest->flush();
        QTest::qWait(50);
        QVERIFY(!channel.report());
        guest->write(kGood.mid(20) + "\n");
        QTRY_VERIFY(channel.report().has_value());
        QCOMPARE(channel.report()->identity, QStringLiteral("R1"));
        QVERIFY(channel.reportTime().isValid());
        // A bad message is dropped; the last good report stays.
        guest->write("{\"v\":1,\"identity\":\"\\u001b]0;pwned\\u0007\",\"interfaces\":[],\"addresses\":[]}\n");
        QTRY_COMPARE(channel.dropped(), 1);
        QVERIFY2(channel.lastError().contains(QLatin1String("identity")), qPrintable(channel.lastError()));
        QCOMPARE(channel.report()->identity, QStringLiteral("R1"));

        // QEMU goes away mid-message and comes back: the cut message does not
        // prefix the new connection's first.
        guest->write("{\"v\":1,\"identity\":\"HALF");
        guest->flush();
        QTest::qWait(50);
        delete guest;
        // The channel reconnects from the event loop: no blocking wait here.
        QTRY_VERIFY(socket.server.hasPendingConnections());
        guest = socket.server.nextPendingConnection();
        guest->write(with(R"("R1")", R"("R2")") + "\n");
        QTRY_COMPARE(channel.report().value_or(GuestReport{}).identity, QStringLiteral("R2"));
        QCOMPARE(channel.dropped(), 1);

        // The VM stops: the report goes.
        const int before = int(changed.size());
        channel.close();
        QVERIFY(!channel.report());
        QCOMPARE(int(changed.size()), before + 1);
    }

    void floodingGuestIsThrottled()
    {
        ReportSocket socket;
        QVERIFY(socket.listen());
        GuestReportChannel::Limits limits;
        limits.bytesPerSecond = 256 * 1024;
        limits.burstBytes = 64 * 1024;
        limits.minIntervalMs = 200;
        GuestReportChannel channel(limits);
        QLocalSocket* guest = socket.connect(channel, QStringLiteral("mrflood"));
        QVERIFY(guest);
        // 4000 bad messages (about 1 MiB), then a good one.
        QByteArray flood;
        for (int i = 0; i < 4000; ++i)
            flood += with(R"("10.0.0.1/24")", "\"10.0.0." + QByteArray::number(300 + i) + "/24\"") + "\n";
        guest->write(flood);
        guest->write(kGood + "\n");
        QElapsedTimer clock;
        clock.start();
        QTRY_VERIFY_WITH_TIMEOUT(channel.report().has_value(), 30000);
        const qint64 ms = clock.elapsed();
        // Newest-wins coalescing: a parse per interval, not one per message.
        QVERIFY2(channel.dropped() <= 2 + ms / limits.minIntervalMs,
                 qPrintable(QStringLiteral("%1 parsed-and-dropped in %2 ms").arg(channel.dropped()).arg(ms)));
        QCOMPARE(channel.report()->identity, QStringLiteral("R1"));
        std::cout << "METRIC guest-report-flood-ms " << ms << " (" << flood.size() << " bytes of bad reports at "
                  << limits.bytesPerSecond << " B/s, " << channel.dropped() << " parsed)" << std::endl;
    }
};

QTEST_GUILESS_MAIN(GuestReportTest)
#include "test_guest_report.moc"
