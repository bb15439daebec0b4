// End to end: a real ApiServer on a unix socket and on TLS (127.0.0.1,
// port 0) driven by ApiClient and by raw sockets sending garbage.

#include <QLocalSocket>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

#include "api_client.h"
#include "api_server.h"
#include "database.h"
#include "frame_codec.h"
#include "login_throttle.h"
#include "object_store.h"
#include "schema_values.h"
#include "session.h"
#include "test_provider.h"
#include "tls_identity.h"
#include "tls_pinning.h"
#include "user_manager.h"

using namespace mr;
using agent::ApiServer;
using agent::ApiServices;
using agent::Database;
using agent::LoginThrottle;
using agent::ObjectStore;
using agent::TlsIdentity;
using agent::UserManager;
using protocol::ApiClient;
using protocol::encodeFrame;
using protocol::FrameDecoder;
using test::TestProvider;

Q_DECLARE_METATYPE(mr::wire::Event)

namespace {

std::vector<wire::MenuSchema> itemMenus()
{
    using namespace mr::protocol;
    return {MenuBuilder("/test/item")
                .addable().removable().settable().key("name")
                .property(text("name").required().unique())
                .property(integer("mtu").range(68, 65535).def("1500"))
                .build()};
}

// Echoes input back, upper-cased, so that tests see it went through.
class EchoStream final : public agent::ByteStream {
public:
    void input(std::string_view bytes) override
    {
        std::string out(bytes);
        for (char& c : out)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (out == "BYE")
            ended("bye");
        else
            output(out);
    }
};

QByteArray frame(const wire::Envelope& e)
{
    return QByteArray::fromStdString(encodeFrame(e));
}

QByteArray helloFrame()
{
    wire::Envelope e;
    e.mutable_hello()->set_version(protocol::kProtocolVersion);
    e.mutable_hello()->set_software("raw test");
    return frame(e);
}

// Reads frames from a raw socket until the peer closes it or time runs out.
struct RawResult {
    std::vector<wire::Envelope> frames;
    bool closed = false;
    bool decodeFailed = false;
};

template <class Socket>
RawResult readUntilClosed(Socket* s, int timeoutMs = 8000)
{
    RawResult r;
    FrameDecoder d;
    QElapsedTimer t;
    t.start();
    auto connected = [s] {
        if constexpr (std::is_same_v<Socket, QLocalSocket>)
            return s->state() == QLocalSocket::ConnectedState;
        else
            return s->state() == QAbstractSocket::ConnectedState;
    };
    while (t.elapsed() < timeoutMs) {
        const QByteArray b = s->readAll();
        if (!b.isEmpty()) {
            d.feed(std::string_view(b.constData(), static_cast<std::size_t>(b.size())));
            while (auto e = d.next())
                r.frames.push_back(*e);
        }
        if (!connected() && s->bytesAvailable() == 0) {
            r.closed = true;
            break;
        }
        QTest::qWait(10);
    }
    r.decodeFailed = d.failed();
    return r;
}

}  // namespace

class TestApiServer : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    std::unique_ptr<Database> db_;
    std::unique_ptr<ObjectStore> store_;
    std::unique_ptr<UserManager> users_;
    std::unique_ptr<TestProvider> items_;
    std::unique_ptr<TestProvider> metarouters_;
    std::unique_ptr<LoginThrottle> throttle_;
    std::unique_ptr<ApiServer> server_;
    std::optional<TlsIdentity> identity_;
    std::string password_;
    std::unique_ptr<ApiClient> keeper_;  // a logged-in client that must keep working

    QString socketPath() const { return dir_.filePath("api.sock"); }

    ApiClient::Endpoint local() const
    {
        ApiClient::Endpoint e;
        e.socketPath = socketPath();
        return e;
    }
    ApiClient::Endpoint tls() const
    {
        ApiClient::Endpoint e;
        e.host = "127.0.0.1";
        e.port = server_->tlsPort();
        e.fingerprint = identity_->fingerprint();
        e.pinFile = dir_.filePath("client/known_daemons");
        return e;
    }

    // Connects and waits for the handshake; null on failure.
    std::unique_ptr<ApiClient> connectClient(const ApiClient::Endpoint& endpoint)
    {
        auto c = std::make_unique<ApiClient>("test 1.0");
        QSignalSpy connected(c.get(), &ApiClient::connected);
        QSignalSpy gone(c.get(), &ApiClient::disconnected);
        c->connectTo(endpoint);
        QElapsedTimer t;
        t.start();
        while (connected.isEmpty() && gone.isEmpty() && t.elapsed() < 8000)
            QTest::qWait(10);
        if (connected.isEmpty()) {
            qWarning("not connected: %s", gone.isEmpty() ? "timeout" : qPrintable(gone[0][0].toString()));
            return nullptr;
        }
        return c;
    }

    std::unique_ptr<ApiClient> loggedIn(const ApiClient::Endpoint& endpoint, const QString& user,
                                        const QString& password)
    {
        auto c = connectClient(endpoint);
        if (!c)
            return nullptr;
        QSignalSpy ok(c.get(), &ApiClient::loggedIn);
        QSignalSpy bad(c.get(), &ApiClient::loginFailed);
        c->login(user, password);
        QElapsedTimer t;
        t.start();
        while (ok.isEmpty() && bad.isEmpty() && t.elapsed() < 8000)
            QTest::qWait(10);
        if (ok.isEmpty()) {
            qWarning("login failed: %s", bad.isEmpty() ? "timeout" : qPrintable(bad[0][0].toString()));
            return nullptr;
        }
        return c;
    }

    // Sends a request and waits for its reply.
    static std::optional<wire::Reply> call(ApiClient& c, const wire::Request& r, int timeoutMs = 8000)
    {
        std::optional<wire::Reply> reply;
        c.request(r, [&reply](const wire::Reply& got) { reply = got; });
        QElapsedTimer t;
        t.start();
        while (!reply && t.elapsed() < timeoutMs)
            QTest::qWait(5);
        return reply;
    }
    static wire::Request getRequest(const std::string& menu)
    {
        wire::Request r;
        r.mutable_get()->set_menu(menu);
        return r;
    }
    static wire::Request addRequest(const std::string& menu, const Properties& p)
    {
        wire::Request r;
        r.mutable_add()->set_menu(menu);
        for (const auto& [k, v] : p)
            (*r.mutable_add()->mutable_properties())[k] = v;
        return r;
    }

    void keeperStillWorks()
    {
        QVERIFY(keeper_);
        auto reply = call(*keeper_, getRequest("/user"));
        QVERIFY2(reply.has_value(), "the other client got no reply");
        QCOMPARE(reply->error().code(), wire::ERROR_NONE);
        QVERIFY(reply->objects_size() >= 1);
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<mr::wire::Event>();
        QVERIFY(dir_.isValid());
        auto db = Database::open(dir_.filePath("config.db").toStdString());
        QVERIFY(db.ok());
        db_ = std::move(*db);
        store_ = std::make_unique<ObjectStore>(db_.get());
        users_ = std::make_unique<UserManager>(dir_.path());
        items_ = std::make_unique<TestProvider>(itemMenus());
        metarouters_ = std::make_unique<TestProvider>(test::metarouterMenus());
        store_->registerProvider(users_.get());
        store_->registerProvider(items_.get());
        store_->registerProvider(metarouters_.get());
        QVERIFY(store_->start().ok());
        throttle_ = std::make_unique<LoginThrottle>();

        ApiServices services;
        services.store = store_.get();
        services.users = users_.get();
        services.throttle = throttle_.get();
        services.identity = [] { return std::string("TestRouter"); };
        services.openStream = [](agent::Session&,
                                 const wire::OpenStreamRequest& r) -> Result<std::unique_ptr<agent::ByteStream>> {
            if (r.kind() != wire::STREAM_CLI)
                return Error{wire::ERROR_UNSUPPORTED, "no such stream", {}};
            return std::unique_ptr<agent::ByteStream>(std::make_unique<EchoStream>());
        };
        server_ = std::make_unique<ApiServer>(services);
        auto st = server_->listenLocal(socketPath());
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().text().c_str());
        QFileInfo sock(socketPath());
        QCOMPARE(int(sock.permissions() & (QFile::ReadOther | QFile::WriteOther | QFile::ReadGroup | QFile::WriteGroup)), 0);

        auto id = TlsIdentity::loadOrCreate(dir_.path(), "test-router");
        QVERIFY2(id.ok(), id.ok() ? "" : id.error().text().c_str());
        identity_ = *id;
        QCOMPARE(identity_->fingerprint().size(), 64);
        st = server_->listenTls(QHostAddress::LocalHost, 0, *identity_);
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().text().c_str());
        QVERIFY(server_->tlsPort() != 0);

        QFile f(users_->initialPasswordFile());
        QVERIFY(f.open(QIODevice::ReadOnly));
        password_ = f.readAll().trimmed().toStdString();
        QVERIFY(!password_.empty());
    }

    void cleanupTestCase()
    {
        keeper_.reset();
        server_.reset();
        store_.reset();
    }

    void tlsIdentityIsStable()
    {
        auto again = TlsIdentity::loadOrCreate(dir_.path(), "test-router");
        QVERIFY(again.ok());
        QCOMPARE(again->fingerprint(), identity_->fingerprint());
        QFileInfo key(dir_.filePath("key.pem"));
        QVERIFY(key.exists());
        QCOMPARE(int(key.permissions() & (QFile::ReadOther | QFile::ReadGroup)), 0);
    }

    void localHelloWrongPasswordLogin()
    {
        auto c = connectClient(local());
        QVERIFY(c);
        QVERIFY(c->serverSoftware().startsWith("metarouterd"));
        QSignalSpy ok(c.get(), &ApiClient::loggedIn);
        QSignalSpy bad(c.get(), &ApiClient::loginFailed);
        c->login("admin", "wrong");
        QTRY_COMPARE_WITH_TIMEOUT(bad.count(), 1, 8000);
        QVERIFY2(bad[0][0].toString().contains("invalid user name or password"), qPrintable(bad[0][0].toString()));
        QCOMPARE(ok.count(), 0);
        // The same connection may try again.
        c->login("admin", QString::fromStdString(password_));
        QTRY_COMPARE_WITH_TIMEOUT(ok.count(), 1, 8000);
        QCOMPARE(c->session().user(), std::string("admin"));
        QCOMPARE(c->session().group(), std::string("full"));
        QCOMPARE(c->session().identity(), std::string("TestRouter"));
        QVERIFY(protocol::findMenu(c->session().schema(), "/test/item"));
        QVERIFY(protocol::findMenu(c->session().schema(), "/user"));
        keeper_ = std::move(c);
        keeperStillWorks();
    }

    void getAddAndErrors()
    {
        QVERIFY(keeper_);
        auto added = call(*keeper_, addRequest("/test/item", {{"name", "one"}}));
        QVERIFY(added);
        QCOMPARE(added->error().code(), wire::ERROR_NONE);
        QVERIFY(added->id().rfind("*", 0) == 0);
        auto got = call(*keeper_, getRequest("/test/item"));
        QVERIFY(got);
        QCOMPARE(got->objects_size(), 1);
        QCOMPARE(got->objects(0).id(), added->id());
        QCOMPARE(got->objects(0).properties().at("mtu"), std::string("1500"));

        auto bad = call(*keeper_, addRequest("/test/item", {{"name", "two"}, {"mtu", "1"}}));
        QVERIFY(bad);
        QCOMPARE(bad->error().code(), wire::ERROR_INVALID_ARGUMENT);
        QCOMPARE(bad->error().property(), std::string("mtu"));
        auto none = call(*keeper_, getRequest("/no/such/menu"));
        QVERIFY(none);
        QCOMPARE(none->error().code(), wire::ERROR_NOT_FOUND);

        wire::Request rm;
        rm.mutable_remove()->set_menu("/test/item");
        rm.mutable_remove()->add_ids(added->id());
        auto removed = call(*keeper_, rm);
        QVERIFY(removed);
        QCOMPARE(removed->error().code(), wire::ERROR_NONE);
    }

    void subscriptionEvents()
    {
        auto watcher = loggedIn(local(), "admin", QString::fromStdString(password_));
        QVERIFY(watcher);
        QSignalSpy events(watcher.get(), &ApiClient::event);
        wire::Request sub;
        sub.mutable_subscribe()->set_menu("/test/item");
        auto snap = call(*watcher, sub);
        QVERIFY(snap);
        QCOMPARE(snap->error().code(), wire::ERROR_NONE);
        QVERIFY(snap->subscription() != 0);

        // Another client adds: the watcher hears about it.
        auto added = call(*keeper_, addRequest("/test/item", {{"name", "watched"}}));
        QVERIFY(added);
        QCOMPARE(added->error().code(), wire::ERROR_NONE);
        QTRY_VERIFY_WITH_TIMEOUT(!events.isEmpty(), 5000);
        const auto ev = events[0][0].value<wire::Event>();
        QCOMPARE(ev.subscription(), snap->subscription());
        QVERIFY(ev.revision() > snap->revision());
        QCOMPARE(ev.changes_size(), 1);
        QCOMPARE(ev.changes(0).kind(), wire::Change::ADDED);
        QCOMPARE(ev.changes(0).object().id(), added->id());
        QCOMPARE(ev.changes(0).object().properties().at("name"), std::string("watched"));

        wire::Request set;
        set.mutable_set()->set_menu("/test/item");
        set.mutable_set()->set_id(added->id());
        (*set.mutable_set()->mutable_properties())["mtu"] = "9000";
        QCOMPARE(call(*keeper_, set)->error().code(), wire::ERROR_NONE);
        QTRY_COMPARE_WITH_TIMEOUT(events.count(), 2, 5000);
        const auto ev2 = events[1][0].value<wire::Event>();
        QCOMPARE(ev2.changes(0).kind(), wire::Change::CHANGED);
        QCOMPARE(ev2.changes(0).object().properties().at("mtu"), std::string("9000"));
        QVERIFY(ev2.revision() > ev.revision());

        wire::Request unsub;
        unsub.mutable_unsubscribe()->set_subscription(snap->subscription());
        QCOMPARE(call(*watcher, unsub)->error().code(), wire::ERROR_NONE);
        QCOMPARE(call(*keeper_, addRequest("/test/item", {{"name", "unseen"}}))->error().code(), wire::ERROR_NONE);
        QTest::qWait(100);
        QCOMPARE(events.count(), 2);
    }

    void tenantOverTheWire()
    {
        QCOMPARE(call(*keeper_, addRequest("/metarouter", {{"name", "mrA"}}))->error().code(), wire::ERROR_NONE);
        QCOMPARE(call(*keeper_, addRequest("/metarouter", {{"name", "mrB"}}))->error().code(), wire::ERROR_NONE);
        QCOMPARE(call(*keeper_, addRequest("/user", {{"name", "tenant1"}, {"group", "tenant"}, {"password", "tpw"},
                                                     {"metarouters", "mrA"}}))
                     ->error().code(),
                 wire::ERROR_NONE);
        auto t = loggedIn(local(), "tenant1", "tpw");
        QVERIFY(t);
        QCOMPARE(t->session().group(), std::string("tenant"));
        QCOMPARE(t->session().schema().menus_size(), 2);
        QCOMPARE(t->session().allowed_metarouters_size(), 1);
        auto mrs = call(*t, getRequest("/metarouter"));
        QVERIFY(mrs);
        QCOMPARE(mrs->objects_size(), 1);
        QCOMPARE(mrs->objects(0).properties().at("name"), std::string("mrA"));
        QCOMPARE(call(*t, getRequest("/user"))->error().code(), wire::ERROR_NOT_FOUND);
        QCOMPARE(call(*t, getRequest("/test/item"))->error().code(), wire::ERROR_NOT_FOUND);
        QCOMPARE(call(*t, addRequest("/metarouter", {{"name", "mine"}}))->error().code(),
                 wire::ERROR_PERMISSION_DENIED);

        // A read user cannot change anything either.
        QCOMPARE(call(*keeper_, addRequest("/user", {{"name", "reader"}, {"group", "read"}, {"password", "rpw"}}))
                     ->error().code(),
                 wire::ERROR_NONE);
        auto r = loggedIn(local(), "reader", "rpw");
        QVERIFY(r);
        QCOMPARE(call(*r, getRequest("/test/item"))->error().code(), wire::ERROR_NONE);
        QCOMPARE(call(*r, addRequest("/test/item", {{"name", "nope"}}))->error().code(), wire::ERROR_PERMISSION_DENIED);
        QCOMPARE(call(*r, addRequest("/user", {{"name", "x"}, {"group", "full"}, {"password", "x"}}))->error().code(),
                 wire::ERROR_PERMISSION_DENIED);
    }

    void streamsEcho()
    {
        wire::Request open;
        open.mutable_open_stream()->set_kind(wire::STREAM_CLI);
        open.mutable_open_stream()->set_window(1024);
        auto reply = call(*keeper_, open);
        QVERIFY(reply);
        QCOMPARE(reply->error().code(), wire::ERROR_NONE);
        const quint32 sid = reply->stream();
        QVERIFY(sid != 0);
        QVERIFY(reply->window() > 0);
        QSignalSpy data(keeper_.get(), &ApiClient::streamData);
        QSignalSpy closed(keeper_.get(), &ApiClient::streamClosed);
        QSignalSpy credit(keeper_.get(), &ApiClient::streamCredit);
        keeper_->sendStreamData(sid, "hello");
        QTRY_COMPARE_WITH_TIMEOUT(data.count(), 1, 5000);
        // Input is granted back as credit.
        QTRY_COMPARE_WITH_TIMEOUT(credit.count(), 1, 5000);
        QCOMPARE(credit[0][1].toUInt(), 5u);
        QCOMPARE(data[0][0].toUInt(), sid);
        QCOMPARE(data[0][1].toByteArray(), QByteArray("HELLO"));
        keeper_->sendStreamData(sid, "bye");
        QTRY_COMPARE_WITH_TIMEOUT(closed.count(), 1, 5000);
        QCOMPARE(closed[0][1].toString(), QString("bye"));

        wire::Request console;
        console.mutable_open_stream()->set_kind(wire::STREAM_CONSOLE);
        QCOMPARE(call(*keeper_, console)->error().code(), wire::ERROR_UNSUPPORTED);
        keeperStillWorks();
    }

    void tlsLogin()
    {
        auto c = connectClient(tls());
        QVERIFY(c);
        QCOMPARE(c->peerFingerprint(), identity_->fingerprint());
        QSignalSpy ok(c.get(), &ApiClient::loggedIn);
        QSignalSpy bad(c.get(), &ApiClient::loginFailed);
        c->login("admin", "not-it");
        QTRY_COMPARE_WITH_TIMEOUT(bad.count(), 1, 8000);
        QVERIFY(bad[0][0].toString().contains("invalid user name or password"));
        c->login("admin", QString::fromStdString(password_));
        QTRY_COMPARE_WITH_TIMEOUT(ok.count(), 1, 8000);
        auto users = call(*c, getRequest("/user"));
        QVERIFY(users);
        QCOMPARE(users->error().code(), wire::ERROR_NONE);
        auto added = call(*c, addRequest("/test/item", {{"name", "over-tls"}}));
        QVERIFY(added);
        QCOMPARE(added->error().code(), wire::ERROR_NONE);
        throttle_->succeeded("127.0.0.1");
    }

    void tlsTrustOnFirstUse()
    {
        auto endpoint = tls();
        endpoint.fingerprint.clear();
        endpoint.pinFile = dir_.filePath("tofu/known_daemons");
        {
            ApiClient c("test");
            QSignalSpy unknown(&c, &ApiClient::fingerprintUnknown);
            QSignalSpy connected(&c, &ApiClient::connected);
            c.connectTo(endpoint);
            QTRY_COMPARE_WITH_TIMEOUT(unknown.count(), 1, 8000);
            QCOMPARE(unknown[0][0].toString(), identity_->fingerprint());
            QCOMPARE(connected.count(), 0);  // nothing sent before the user decides
            c.acceptFingerprint(true);
            QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 8000);
        }
        QCOMPARE(protocol::TlsPinning(endpoint.pinFile).pinned(endpoint.text()), identity_->fingerprint());
        {
            // Pinned now: no question asked.
            ApiClient c("test");
            QSignalSpy unknown(&c, &ApiClient::fingerprintUnknown);
            QSignalSpy connected(&c, &ApiClient::connected);
            c.connectTo(endpoint);
            QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 8000);
            QCOMPARE(unknown.count(), 0);
        }
        {
            // Declined: disconnected with a reason.
            auto other = endpoint;
            other.pinFile = dir_.filePath("declined/known_daemons");
            ApiClient c("test");
            QSignalSpy unknown(&c, &ApiClient::fingerprintUnknown);
            QSignalSpy gone(&c, &ApiClient::disconnected);
            c.connectTo(other);
            QTRY_COMPARE_WITH_TIMEOUT(unknown.count(), 1, 8000);
            c.acceptFingerprint(false);
            QTRY_COMPARE_WITH_TIMEOUT(gone.count(), 1, 8000);
            QVERIFY(gone[0][0].toString().contains("not accepted"));
            QVERIFY(protocol::TlsPinning(other.pinFile).pinned(other.text()).isEmpty());
        }
    }

    void tlsPinMismatchRefused_data()
    {
        QTest::addColumn<bool>("viaPinFile");
        QTest::newRow("Endpoint.fingerprint") << false;
        QTest::newRow("pin file") << true;
    }
    void tlsPinMismatchRefused()
    {
        QFETCH(bool, viaPinFile);
        auto endpoint = tls();
        const QString wrong = QString(64, '0');
        if (viaPinFile) {
            endpoint.fingerprint.clear();
            endpoint.pinFile = dir_.filePath("stale/known_daemons");
            QVERIFY(protocol::TlsPinning(endpoint.pinFile).pin(endpoint.text(), wrong));
        } else {
            endpoint.fingerprint = protocol::TlsPinning::display(wrong);  // "00:00:..." is accepted too
        }
        ApiClient c("test");
        QSignalSpy connected(&c, &ApiClient::connected);
        QSignalSpy unknown(&c, &ApiClient::fingerprintUnknown);
        QSignalSpy gone(&c, &ApiClient::disconnected);
        c.connectTo(endpoint);
        QTRY_COMPARE_WITH_TIMEOUT(gone.count(), 1, 8000);
        const QString reason = gone[0][0].toString();
        QVERIFY2(reason.contains("CHANGED"), qPrintable(reason));
        QVERIFY2(reason.contains(protocol::TlsPinning::display(identity_->fingerprint())), qPrintable(reason));
        QVERIFY2(reason.contains(protocol::TlsPinning::display(wrong)), qPrintable(reason));
        QVERIFY(reason.contains("Refusing"));
        QTest::qWait(50);
        QCOMPARE(connected.count(), 0);
        QCOMPARE(unknown.count(), 0);
        QVERIFY(!c.isReady());
        // A stale pin is not silently replaced.
        if (viaPinFile)
            QCOMPARE(protocol::TlsPinning(endpoint.pinFile).pinned(endpoint.text()), wrong);
        keeperStillWorks();
    }

    void garbageOnLocalSocket_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expect");
        QTest::newRow("text") << QByteArray("this is not a frame at all\n") << "exceeds";
        QTest::newRow("100 MiB header") << QByteArray("\x06\x40\x00\x00", 4) << "exceeds";
        QTest::newRow("hello then 100 MiB header") << helloFrame() + QByteArray("\x06\x40\x00\x00", 4) << "exceeds";
        QTest::newRow("undecodable") << QByteArray("\x00\x00\x00\x04\xff\xff\xff\xff", 8) << "undecodable";
        QTest::newRow("login before hello") << frame([] {
            wire::Envelope e;
            e.mutable_login()->set_user("admin");
            return e;
        }()) << "hello";
        QTest::newRow("request before login") << helloFrame() + frame([] {
            wire::Envelope e;
            e.set_id(1);
            e.mutable_request()->mutable_get()->set_menu("/user");
            return e;
        }()) << "login";
    }
    void garbageOnLocalSocket()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expect);
        QLocalSocket raw;
        raw.connectToServer(socketPath());
        QVERIFY(raw.waitForConnected(3000));
        raw.write(bytes);
        raw.flush();
        const RawResult r = readUntilClosed(&raw);
        QVERIFY2(r.closed, "the daemon did not close the connection");
        QVERIFY(!r.decodeFailed);
        QVERIFY(!r.frames.empty());
        const auto& last = r.frames.back();
        QVERIFY2(last.has_fatal(), "no error frame before the close");
        QCOMPARE(last.fatal().code(), wire::ERROR_PROTOCOL);
        QVERIFY2(QString::fromStdString(last.fatal().message()).contains(expect),
                 last.fatal().message().c_str());
        keeperStillWorks();
    }

    void unsupportedVersion()
    {
        QLocalSocket raw;
        raw.connectToServer(socketPath());
        QVERIFY(raw.waitForConnected(3000));
        wire::Envelope e;
        e.mutable_hello()->set_version(99);
        raw.write(frame(e));
        const RawResult r = readUntilClosed(&raw);
        QVERIFY(r.closed);
        QCOMPARE(r.frames.size(), std::size_t(1));
        QCOMPARE(r.frames[0].fatal().code(), wire::ERROR_UNSUPPORTED);
        QVERIFY(r.frames[0].fatal().message().find("99") != std::string::npos);
    }

    // A peer that connects and trickles a frame slowly does not hold up
    // other clients.
    void halfFrameDoesNotStallOthers()
    {
        QLocalSocket raw;
        raw.connectToServer(socketPath());
        QVERIFY(raw.waitForConnected(3000));
        const QByteArray hello = helloFrame();
        raw.write(hello.left(hello.size() - 2));
        raw.flush();
        QTest::qWait(50);
        keeperStillWorks();
        raw.write(hello.right(2));
        raw.flush();
        QTRY_VERIFY_WITH_TIMEOUT(raw.bytesAvailable() > 0 || raw.waitForReadyRead(10), 3000);
        FrameDecoder d;
        const QByteArray b = raw.readAll();
        d.feed(std::string_view(b.constData(), static_cast<std::size_t>(b.size())));
        auto reply = d.next();
        QVERIFY(reply);
        QVERIFY(reply->has_hello());
    }

    void garbageOverTls_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("text") << QByteArray("GET / HTTP/1.0\r\n\r\n");
        QTest::newRow("100 MiB header") << helloFrame() + QByteArray("\x06\x40\x00\x00", 4);
    }
    void garbageOverTls()
    {
        QFETCH(QByteArray, bytes);
        QSslSocket raw;
        QSslConfiguration conf = raw.sslConfiguration();
        conf.setPeerVerifyMode(QSslSocket::VerifyNone);
        raw.setSslConfiguration(conf);
        raw.connectToHostEncrypted("127.0.0.1", server_->tlsPort());
        // The server runs in this thread: wait with the event loop running.
        QTRY_VERIFY2_WITH_TIMEOUT(raw.isEncrypted(), qPrintable(raw.errorString()), 8000);
        QCOMPARE(raw.sessionProtocol(), QSsl::TlsV1_3);
        raw.write(bytes);
        raw.flush();
        const RawResult r = readUntilClosed(&raw);
        QVERIFY2(r.closed, "the daemon did not close the connection");
        QVERIFY(!r.frames.empty());
        QVERIFY(r.frames.back().has_fatal());
        QCOMPARE(r.frames.back().fatal().code(), wire::ERROR_PROTOCOL);
        QVERIFY(r.frames.back().fatal().message().find("exceeds") != std::string::npos);
        keeperStillWorks();
    }

    // Not even TLS: the handshake fails and the connection is closed.
    void plaintextOnTlsPort()
    {
        QTcpSocket raw;
        raw.connectToHost("127.0.0.1", server_->tlsPort());
        QVERIFY(raw.waitForConnected(3000));
        raw.write(QByteArray("\x00\x00\x00\x10garbage garbage garbage garbage", 35));
        raw.write(helloFrame());
        raw.flush();
        const RawResult r = readUntilClosed(&raw);
        QVERIFY2(r.closed, "the daemon did not close the connection");
        keeperStillWorks();
    }

    void sessionsAreReleased()
    {
        // Everything above closed its connections except the keeper.
        QTRY_VERIFY_WITH_TIMEOUT(server_->sessionCount() <= 2, 5000);
        QVERIFY(server_->sessionCount() >= 1);
    }

    // Last: it leaves 127.0.0.1 throttled.
    void loginThrottledPerSource()
    {
        auto c = connectClient(tls());
        QVERIFY(c);
        QSignalSpy ok(c.get(), &ApiClient::loggedIn);
        QSignalSpy bad(c.get(), &ApiClient::loginFailed);
        for (int i = 0; i < LoginThrottle::kFreeAttempts; ++i) {
            c->login("admin", "guess" + QString::number(i));
            QTRY_COMPARE_WITH_TIMEOUT(bad.count(), i + 1, 8000);
        }
        // Even the right password is refused while the delay runs.
        c->login("admin", QString::fromStdString(password_));
        QTRY_COMPARE_WITH_TIMEOUT(bad.count(), LoginThrottle::kFreeAttempts + 1, 8000);
        QVERIFY2(bad.last()[0].toString().contains("too many failed logins"), qPrintable(bad.last()[0].toString()));
        QCOMPARE(ok.count(), 0);
        // Another source (the unix socket) is not affected.
        QVERIFY(loggedIn(local(), "admin", QString::fromStdString(password_)));
        // After the delay the right password works.
        QTest::qWait(1100);
        c->login("admin", QString::fromStdString(password_));
        QTRY_COMPARE_WITH_TIMEOUT(ok.count(), 1, 8000);
    }
};

QTEST_GUILESS_MAIN(TestApiServer)
#include "test_api_server.moc"
