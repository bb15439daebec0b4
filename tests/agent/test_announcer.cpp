// Neighbor discovery from the router: /ip/neighbor/discovery-settings
// (defaults, validation, persistence) and real broadcasts from a sandbox's
// ether1 received on the client LAN at the far end, and none once disabled.

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <functional>
#include <memory>
#include <optional>

#include "announcement.h"
#include "announcer.h"
#include "database.h"
#include "object_store.h"
#include "sandbox.h"

using namespace mr;
using agent::Announcer;
using agent::Database;
using agent::ObjectStore;

namespace {

constexpr const char* kSettings = "/ip/neighbor/discovery-settings";
constexpr quint16 kPort = 18730;

// Runs fn with the calling thread in network namespace ns; sockets made
// there stay there.
bool inNamespace(const std::string& ns, const std::function<void()>& fn)
{
    const int here = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    const int there = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    bool ok = here >= 0 && there >= 0 && ::setns(there, CLONE_NEWNET) == 0;
    if (ok) {
        fn();
        ok = ::setns(here, CLONE_NEWNET) == 0;
    }
    if (here >= 0)
        ::close(here);
    if (there >= 0)
        ::close(there);
    return ok;
}

std::string settingsId(ObjectStore& store)
{
    return store.ids(kSettings).empty() ? std::string() : store.ids(kSettings).front();
}

// An announcer for identity registered with a store, as the daemon wires
// them; the store keeps its settings in db (none: in memory only).
struct Published {
    explicit Published(const std::string& identity, Database* db = nullptr)
        : store(db), announcer([identity] { return identity; }, kPort)
    {
        store.registerProvider(&announcer);
    }
    ObjectStore store;
    Announcer announcer;
};

}  // namespace

class TestAnnouncer : public QObject {
    Q_OBJECT

    std::optional<net::Sandbox> sandbox_;
    QTemporaryDir dir_;
    std::unique_ptr<QUdpSocket> lan_;  // a client on the far end of ether1

    // The next announcement the LAN client hears within ms, decoded.
    std::optional<wire::Announcement> hear(int ms)
    {
        // Waits in the event loop: the announcer's timer must keep running.
        if (!QTest::qWaitFor([this] { return lan_->hasPendingDatagrams(); }, ms))
            return std::nullopt;
        QByteArray d(static_cast<int>(lan_->pendingDatagramSize()), Qt::Uninitialized);
        lan_->readDatagram(d.data(), d.size());
        auto a = protocol::decodeAnnouncement(std::string_view(d.constData(), static_cast<std::size_t>(d.size())));
        if (!a.ok())
            qWarning("undecodable: %s", a.error().text().c_str());
        return a.ok() ? std::optional<wire::Announcement>(*a) : std::nullopt;
    }

    void drain()
    {
        while (lan_->hasPendingDatagrams())
            lan_->readDatagram(nullptr, 0);
    }

private slots:
    void initTestCase()
    {
        sandbox_.emplace("mran" + std::to_string(getpid() % 100000), 2);
        auto st = sandbox_->setUp();
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().text().c_str());
        const std::string lan = sandbox_->lanName();
        QVERIFY(net::Sandbox::ip({"-n", sandbox_->name(), "addr", "add", "10.91.0.1/24", "broadcast", "10.91.0.255",
                                  "dev", "ether1"}).ok());
        QVERIFY(net::Sandbox::ip({"-n", lan, "addr", "add", "10.91.0.2/24", "dev", "lan1"}).ok());
        QVERIFY(inNamespace(lan, [this] {
            lan_ = std::make_unique<QUdpSocket>();
            lan_->bind(QHostAddress::AnyIPv4, kPort);
        }));
        QCOMPARE(lan_->state(), QAbstractSocket::BoundState);
        // The announcer (and its socket) live in the router's namespace.
        st = sandbox_->enter();
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().text().c_str());
    }

    void cleanupTestCase()
    {
        lan_.reset();
        if (sandbox_)
            (void)sandbox_->remove();
    }

    void settingsHaveDefaultsAndLimits()
    {
        Published router("r1");
        QVERIFY(router.store.start().ok());
        const std::string id = settingsId(router.store);
        QVERIFY(!id.empty());
        QCOMPARE(router.store.find(kSettings, id)->at("enabled"), std::string("yes"));
        QCOMPARE(router.store.find(kSettings, id)->at("interval"), std::string("30"));
        QVERIFY(router.announcer.enabled());
        QCOMPARE(router.announcer.intervalSeconds(), 30);

        auto st = router.store.set(kSettings, id, {{"interval", "0s"}});
        QVERIFY(!st.ok());
        QCOMPARE(st.error().property, std::string("interval"));
        st = router.store.set(kSettings, id, {{"enabled", "maybe"}});
        QVERIFY(!st.ok());
        QCOMPARE(router.announcer.intervalSeconds(), 30);  // a refused change changes nothing
        QVERIFY(router.announcer.enabled());

        QVERIFY(router.store.set(kSettings, id, {{"interval", "2m"}}).ok());
        QCOMPARE(router.announcer.intervalSeconds(), 120);
        QVERIFY(router.store.set(kSettings, id, {{"enabled", "no"}}).ok());
        QVERIFY(!router.announcer.enabled());
    }

    void settingsPersist()
    {
        const std::string path = dir_.filePath("config.db").toStdString();
        {
            auto db = Database::open(path);
            QVERIFY(db.ok());
            Published router("r1", db->get());
            QVERIFY(router.store.start().ok());
            QVERIFY(router.store.set(kSettings, settingsId(router.store), {{"enabled", "no"}, {"interval", "5"}}).ok());
        }
        auto db = Database::open(path);
        QVERIFY(db.ok());
        Published router("r1", db->get());
        QVERIFY(router.store.start().ok());
        QVERIFY(!router.announcer.enabled());
        QCOMPARE(router.announcer.intervalSeconds(), 5);
    }

    void announcesOnTheLan()
    {
        Published router("lab-router");
        router.announcer.setApi(8729, QString(64, 'c'));
        QVERIFY(router.store.start().ok());
        drain();
        // ether1 only: ether2 has no address, lo is not a LAN.
        QCOMPARE(router.announcer.announce(), 1);
        auto a = hear(3000);
        QVERIFY(a);
        QCOMPARE(a->identity(), std::string("lab-router"));
        QCOMPARE(a->address(), std::string("10.91.0.1"));
        QCOMPARE(a->interface(), std::string("ether1"));
        QCOMPARE(a->api_port(), 8729u);
        QCOMPARE(a->fingerprint(), std::string(64, 'c'));
        QCOMPARE(a->interval(), 30u);
        std::string link;
        QVERIFY(net::Sandbox::ip({"-n", sandbox_->name(), "-o", "link", "show", "ether1"}, &link).ok());
        QVERIFY2(QString::fromStdString(link).contains(QString::fromStdString(a->mac_address()).toLower()),
                 link.c_str());
        QVERIFY(QString::fromStdString(a->software()).startsWith(QLatin1String("metarouterd ")));
    }

    void periodicAndStopsWhenDisabled()
    {
        Published router("lab-router");
        QVERIFY(router.store.start().ok());
        const std::string id = settingsId(router.store);
        QVERIFY(router.store.set(kSettings, id, {{"interval", "1s"}}).ok());
        // start() and set() each announce at once; then the timer alone.
        QTest::qWait(200);
        drain();
        auto first = hear(2500);
        QVERIFY(first);
        auto second = hear(2500);
        QVERIFY(second);
        QCOMPARE(second->interval(), 1u);

        QVERIFY(router.store.set(kSettings, id, {{"enabled", "no"}}).ok());
        drain();
        QTest::qWait(2500);  // two and a half intervals: none may come
        QVERIFY(!lan_->hasPendingDatagrams());

        QVERIFY(router.store.set(kSettings, id, {{"enabled", "yes"}}).ok());
        QTRY_VERIFY_WITH_TIMEOUT(lan_->hasPendingDatagrams(), 3000);
    }
};

QTEST_GUILESS_MAIN(TestAnnouncer)
#include "test_announcer.moc"
