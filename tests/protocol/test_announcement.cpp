// The neighbor-discovery datagram: round trip, limits on the way out, and
// everything a stranger on the LAN might send refused with a reason.

#include <QTest>

#include "announcement.h"

using namespace mr;
using namespace mr::protocol;

namespace {

wire::Announcement sample()
{
    wire::Announcement a;
    a.set_version(kAnnouncementVersion);
    a.set_identity("lab-router");
    a.set_software("metarouterd 0.1.0");
    a.set_api_port(8729);
    a.set_fingerprint(std::string(64, 'a'));
    a.set_interface("ether1");
    a.set_address("10.91.0.1");
    a.set_mac_address("02:00:00:aa:bb:cc");
    a.set_interval(30);
    return a;
}

std::string withMagic(const wire::Announcement& a)
{
    return std::string(kAnnouncementMagic) + a.SerializeAsString();
}

}  // namespace

class TestAnnouncement : public QObject {
    Q_OBJECT
private slots:
    void roundTrip()
    {
        const std::string datagram = encodeAnnouncement(sample());
        QVERIFY(datagram.size() <= kMaxAnnouncementSize);
        auto back = decodeAnnouncement(datagram);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().text().c_str());
        QCOMPARE(back->version(), kAnnouncementVersion);
        QCOMPARE(back->identity(), std::string("lab-router"));
        QCOMPARE(back->api_port(), 8729u);
        QCOMPARE(back->address(), std::string("10.91.0.1"));
        QCOMPARE(back->mac_address(), std::string("02:00:00:aa:bb:cc"));
        QCOMPARE(back->interval(), 30u);
    }

    void longTextIsCutNotSplit()
    {
        wire::Announcement a = sample();
        std::string name;
        while (name.size() < 200)
            name += "é";  // two bytes each: a cut must not split one
        a.set_identity(name);
        auto back = decodeAnnouncement(encodeAnnouncement(a));
        QVERIFY(back.ok());
        QVERIFY(back->identity().size() <= kMaxIdentityLength);
        QCOMPARE(QString::fromStdString(back->identity()), QString(back->identity().size() / 2, QChar(0xE9)));
    }

    void strangersAreRefused_data()
    {
        QTest::addColumn<QByteArray>("datagram");
        QTest::addColumn<QString>("reason");
        auto bytes = [](const std::string& s) { return QByteArray::fromStdString(s); };
        QTest::newRow("empty") << QByteArray() << "marker";
        QTest::newRow("no magic") << bytes("HELLO" + sample().SerializeAsString()) << "marker";
        QTest::newRow("garbage") << QByteArray("MRND\xff\xff\xff\xff\x0f", 9) << "malformed";
        QTest::newRow("too large") << bytes(std::string(kAnnouncementMagic) + std::string(2000, 'x')) << "larger";
        wire::Announcement a = sample();
        a.set_version(2);
        QTest::newRow("other version") << bytes(withMagic(a)) << "version 2";
        a = sample();
        a.set_identity("");
        QTest::newRow("no identity") << bytes(withMagic(a)) << "identity";
        a = sample();
        a.set_identity("evil\x1b[2Jname");
        QTest::newRow("control characters") << bytes(withMagic(a)) << "identity";
        a = sample();
        a.set_identity("bad\xff\xfeutf8");
        QTest::newRow("not UTF-8") << bytes(withMagic(a)) << "identity";
        a = sample();
        a.set_identity(std::string(65, 'x'));
        QTest::newRow("identity too long") << bytes(withMagic(a)) << "identity";
        a = sample();
        a.set_address("10.0.0.256");
        QTest::newRow("bad address") << bytes(withMagic(a)) << "address";
        a = sample();
        a.set_address("10.0.0");
        QTest::newRow("short address") << bytes(withMagic(a)) << "address";
        a = sample();
        a.set_fingerprint("abc");
        QTest::newRow("bad fingerprint") << bytes(withMagic(a)) << "fingerprint";
        a = sample();
        a.set_fingerprint(std::string(64, 'g'));
        QTest::newRow("fingerprint not hex") << bytes(withMagic(a)) << "fingerprint";
        a = sample();
        a.set_api_port(70000);
        QTest::newRow("port") << bytes(withMagic(a)) << "api port";
        a = sample();
        a.set_mac_address("02:00:00:aa:bb");
        QTest::newRow("mac") << bytes(withMagic(a)) << "mac";
        a = sample();
        a.set_interval(0);
        QTest::newRow("interval") << bytes(withMagic(a)) << "interval";
    }

    void strangersAreRefused()
    {
        QFETCH(QByteArray, datagram);
        QFETCH(QString, reason);
        auto r = decodeAnnouncement(std::string_view(datagram.constData(), static_cast<std::size_t>(datagram.size())));
        QVERIFY(!r.ok());
        QVERIFY2(QString::fromStdString(r.error().text()).contains(reason), r.error().text().c_str());
    }
};

QTEST_GUILESS_MAIN(TestAnnouncement)
#include "test_announcement.moc"
