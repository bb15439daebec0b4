// The login window's models without a daemon: the neighbor list (defensive
// parsing, refresh, expiry, flood cap) and the Managed address book
// (add/set, edit, remove, persistence, no password ever in the settings).

#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include "address_book.h"
#include "announcement.h"
#include "gui_test_util.h"
#include "neighbor_model.h"

using namespace mr;
using namespace mr::ui;

namespace {

QByteArray announcement(const std::string& address, const std::string& identity, std::uint32_t interval = 30,
                        std::uint32_t apiPort = 8729)
{
    wire::Announcement a;
    a.set_identity(identity);
    a.set_software("metarouterd 0.1.0");
    a.set_api_port(apiPort);
    a.set_address(address);
    a.set_interval(interval);
    return QByteArray::fromStdString(protocol::encodeAnnouncement(a));
}

QHostAddress host(const char* a)
{
    return QHostAddress(QString::fromLatin1(a));
}

}  // namespace

class TestLoginModels : public QObject {
    Q_OBJECT
    QTemporaryDir settingsDir_;

private slots:
    void initTestCase()
    {
        mr::test::useTestSettings(settingsDir_.path(), QStringLiteral("login-models"));
    }

    void neighborsAreParsedDefensively()
    {
        NeighborModel m;
        m.receive(announcement("10.0.0.1", "r1"), host("10.0.0.1"));
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(m.index(0, NeighborModel::Identity).data().toString(), QStringLiteral("r1"));
        QCOMPARE(m.index(0, NeighborModel::Address).data(NeighborModel::ConnectRole).toString(),
                 QStringLiteral("10.0.0.1"));
        // Refreshed in place, not added twice.
        m.receive(announcement("10.0.0.1", "r1-renamed"), host("10.0.0.1"));
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(m.index(0, NeighborModel::Identity).data().toString(), QStringLiteral("r1-renamed"));
        // Another port is part of what to connect to; no API, nothing to connect to.
        m.receive(announcement("10.0.0.2", "r2", 30, 8800), host("10.0.0.2"));
        m.receive(announcement("10.0.0.3", "r3", 30, 0), host("10.0.0.3"));
        QCOMPARE(m.index(1, NeighborModel::Address).data(NeighborModel::ConnectRole).toString(),
                 QStringLiteral("10.0.0.2:8800"));
        QVERIFY(m.index(2, NeighborModel::Address).data(NeighborModel::ConnectRole).toString().isEmpty());
        QVERIFY(m.index(2, NeighborModel::Address).data().toString().contains(QStringLiteral("no API")));
        QCOMPARE(m.rejected(), 0);

        // Noise, and a datagram claiming someone else's address.
        m.receive(QByteArray("hello"), host("10.0.0.9"));
        m.receive(QByteArray(4000, 'x'), host("10.0.0.9"));
        m.receive(announcement("10.0.0.1", "impostor"), host("10.0.0.66"));
        QCOMPARE(m.rejected(), 3);
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(m.index(0, NeighborModel::Identity).data().toString(), QStringLiteral("r1-renamed"));
    }

    void neighborsExpireAndFloodsAreCapped()
    {
        NeighborModel m;
        m.receive(announcement("10.0.1.1", "quick", 1), host("10.0.1.1"));
        m.receive(announcement("10.0.1.2", "slow", 3600), host("10.0.1.2"));
        QCOMPARE(m.rowCount(), 2);
        // Three missed one-second announcements and it is gone; the other stays.
        QTRY_COMPARE_WITH_TIMEOUT(m.rowCount(), 1, 6000);
        QCOMPARE(m.index(0, NeighborModel::Identity).data().toString(), QStringLiteral("slow"));

        for (int i = 0; i < NeighborModel::kMaxNeighbors + 10; ++i) {
            const std::string a = "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
            m.receive(announcement(a, "r" + std::to_string(i)), QHostAddress(QString::fromStdString(a)));
        }
        QCOMPARE(m.rowCount(), NeighborModel::kMaxNeighbors);
    }

    void addressBookKeepsRoutersNotPasswords()
    {
        {
            AddressBook book;
            QCOMPARE(book.entries().size(), 0);
            QCOMPARE(book.save({QStringLiteral("  "), QStringLiteral("admin"), {}, {}, false}), -1);
            QCOMPARE(book.save({QStringLiteral("10.0.0.1"), QStringLiteral("admin"), QStringLiteral("lab"),
                                QStringLiteral("Lab"), false}),
                     0);
            QCOMPARE(book.save({QStringLiteral("10.0.0.2:8800"), QStringLiteral("admin"), {}, {}, false}), 1);
            // Set: the same address and login replace the entry.
            QCOMPARE(book.save({QStringLiteral("10.0.0.1"), QStringLiteral("admin"), QStringLiteral("lab 2"),
                                QStringLiteral("Lab"), false}),
                     0);
            QCOMPARE(book.entries().size(), 2);
            QCOMPARE(book.entries()[0].note, QStringLiteral("lab 2"));
            // An edit may not make two entries the same.
            AddressBook::Entry dup = book.entries()[1];
            dup.address = QStringLiteral("10.0.0.1");
            QVERIFY(!book.update(1, dup));
            QVERIFY(!book.update(7, dup));
            dup.group = QStringLiteral("Datacenter");
            dup.address = QStringLiteral("10.0.0.3");
            QVERIFY(book.update(1, dup));
            QCOMPARE(book.groups(), (QStringList{QStringLiteral("Datacenter"), QStringLiteral("Lab")}));
            book.setPasswordInKeychain(0, true);
            QCOMPARE(book.find(QStringLiteral("10.0.0.3"), QStringLiteral("admin")), 1);
            QCOMPARE(book.entries()[0].keychainKey(), QStringLiteral("admin@10.0.0.1"));
        }
        // Persisted, and only these fields: a flag, never the secret.
        AddressBook book;
        QCOMPARE(book.entries().size(), 2);
        QVERIFY(book.entries()[0].passwordInKeychain);
        QCOMPARE(book.entries()[1].group, QStringLiteral("Datacenter"));
        QSettings settings;
        for (const QString& key : settings.allKeys())
            QVERIFY2(!key.contains(QStringLiteral("password"), Qt::CaseInsensitive), qPrintable(key));
        book.remove(0);
        QCOMPARE(AddressBook().entries().size(), 1);
        QCOMPARE(AddressBook().entries()[0].address, QStringLiteral("10.0.0.3"));
    }
};

QTEST_GUILESS_MAIN(TestLoginModels)
#include "tst_login_models.moc"
