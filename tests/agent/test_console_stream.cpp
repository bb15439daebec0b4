// Console streams against a stand-in for QEMU's console socket: opening
// through a session (unknown, another tenant's, read group, not running),
// the replay first, input and breaks to the guest, two clients, a slow
// client dropped, the console going away; and the same console inside an
// interactive command line with the Ctrl-A escape.

#include <QLocalServer>
#include <QLocalSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <memory>

#include "cli_stream.h"
#include "console_mux.h"
#include "console_registry.h"
#include "console_stream.h"
#include "database.h"
#include "object_store.h"
#include "schema_builder.h"
#include "session.h"
#include "test_provider.h"

using namespace mr;
using agent::ConsoleStream;
using agent::Session;
using agent::UserInfo;

namespace {

std::vector<wire::MenuSchema> menus()
{
    using namespace mr::protocol;
    return {MenuBuilder("/metarouter")
                .addable().removable().settable().key("name")
                .property(text("name").required().unique())
                .property(text("state").readOnly())
                .command(CommandBuilder("console").targetsObject().streams().tenant())
                .build()};
}

class Registry final : public hv::ConsoleRegistry {
public:
    hv::ConsoleMux* console(const std::string& name) override
    {
        auto it = consoles.find(name);
        return it == consoles.end() ? nullptr : it->second;
    }
    std::map<std::string, hv::ConsoleMux*> consoles;
};

// What a test sees of one stream.
struct Client {
    std::unique_ptr<agent::ByteStream> stream;
    std::string out;
    std::string endedWith;
    bool ended = false;
    std::int64_t backlog = 0;

    explicit Client(std::unique_ptr<agent::ByteStream> s) : stream(std::move(s))
    {
        stream->output = [this](std::string_view b) { out += b; };
        stream->ended = [this](const std::string& r) {
            ended = true;
            endedWith = r;
        };
        stream->backlog = [this] { return backlog; };
    }
};

}  // namespace

class ConsoleStreamTest : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void openErrors();
    void replayFirstThenLiveOutput();
    void inputAndBreakReachTheGuest();
    void twoClientsBothSeeOutput();
    void slowClientIsDropped();
    void consoleGoingAwayEndsTheStream();
    void cliAttachAndCtrlAQ();
    void cliConsoleGoneResumesPrompt();

private:
    std::unique_ptr<ConsoleStream> open(const std::string& target, UserInfo user = {"admin", "full", {}});
    std::unique_ptr<agent::ByteStream> cliStream();
    void guestSays(const QByteArray& bytes);
    QByteArray guestReadUntil(const QByteArray& what);

    std::unique_ptr<QTemporaryDir> dir_;
    std::unique_ptr<agent::Database> db_;
    std::unique_ptr<test::TestProvider> provider_;
    std::unique_ptr<agent::ObjectStore> store_;
    std::unique_ptr<Session> session_;
    std::unique_ptr<QLocalServer> qemu_;   // plays QEMU's console socket
    QLocalSocket* guest_ = nullptr;
    QByteArray fromClients_;
    std::unique_ptr<hv::ConsoleMux> mux_;
    Registry registry_;
};

void ConsoleStreamTest::init()
{
    dir_ = std::make_unique<QTemporaryDir>();
    auto db = agent::Database::open(dir_->filePath("config.db").toStdString());
    QVERIFY(db.ok());
    db_ = std::move(*db);
    provider_ = std::make_unique<test::TestProvider>(menus());
    store_ = std::make_unique<agent::ObjectStore>(db_.get());
    store_->registerProvider(provider_.get());
    QVERIFY(store_->start().ok());
    QVERIFY(store_->add("/metarouter", {{"name", "mr1"}}).ok());
    QVERIFY(store_->add("/metarouter", {{"name", "mr2"}}).ok());
    session_ = std::make_unique<Session>(*store_, UserInfo{"admin", "full", {}});

    qemu_ = std::make_unique<QLocalServer>();
    QVERIFY(qemu_->listen(dir_->filePath("console.sock")));
    fromClients_.clear();
    guest_ = nullptr;
    connect(qemu_.get(), &QLocalServer::newConnection, this, [this] {
        guest_ = qemu_->nextPendingConnection();
        connect(guest_, &QLocalSocket::readyRead, this, [this] { fromClients_ += guest_->readAll(); });
    });
    hv::ConsoleMux::Limits limits;
    limits.maxClientBacklog = 1000;
    mux_ = std::make_unique<hv::ConsoleMux>(limits);
    mux_->open(dir_->filePath("console.sock"));
    QTRY_VERIFY(guest_ && mux_->isConnected());
    registry_.consoles = {{"mr1", mux_.get()}};
}

void ConsoleStreamTest::cleanup()
{
    session_.reset();
    mux_.reset();
    qemu_.reset();
    store_.reset();
    provider_.reset();
    db_.reset();
    dir_.reset();
}

std::unique_ptr<ConsoleStream> ConsoleStreamTest::open(const std::string& target, UserInfo user)
{
    Session s(*store_, std::move(user));
    auto r = ConsoleStream::open(s, &registry_, target);
    return r ? std::move(*r) : nullptr;
}

std::unique_ptr<agent::ByteStream> ConsoleStreamTest::cliStream()
{
    // As the daemon wires it: consoles opened through the same session.
    return std::make_unique<agent::CliStream>(
        *session_, [] { return std::string("MikroTik"); },
        [this](const std::string& target) -> Result<std::unique_ptr<agent::ByteStream>> {
            auto r = ConsoleStream::open(*session_, &registry_, target);
            if (!r)
                return r.error();
            return std::unique_ptr<agent::ByteStream>(std::move(*r));
        });
}

void ConsoleStreamTest::guestSays(const QByteArray& bytes)
{
    const QByteArray before = mux_->recentOutput();
    guest_->write(bytes);
    guest_->flush();
    QTRY_VERIFY(mux_->recentOutput().size() >= before.size() + bytes.size() ||
                mux_->recentOutput().endsWith(bytes));
}

QByteArray ConsoleStreamTest::guestReadUntil(const QByteArray& what)
{
    (void)QTest::qWaitFor([&] { return fromClients_.contains(what); }, 3000);
    return fromClients_;
}

void ConsoleStreamTest::openErrors()
{
    auto text = [&](const std::string& target, UserInfo user, hv::ConsoleRegistry* registry) {
        Session s(*store_, std::move(user));
        auto r = ConsoleStream::open(s, registry, target);
        return r ? std::string("opened") : r.error().message;
    };
    const UserInfo admin{"admin", "full", {}};
    QCOMPARE(text("mr1", admin, &registry_), std::string("opened"));
    QCOMPARE(text("*1", admin, &registry_), std::string("opened"));  // by id too
    QCOMPARE(text("nope", admin, &registry_), std::string("no such metarouter: nope"));
    QCOMPARE(text("mr2", admin, &registry_), std::string("metarouter mr2 is not running: start it first"));
    QCOMPARE(text("", admin, &registry_).find("give its name") != std::string::npos, true);
    // A tenant of mr1 does not even see mr2.
    const UserInfo tenant{"t1", "tenant", {"mr1"}};
    QCOMPARE(text("mr1", tenant, &registry_), std::string("opened"));
    QCOMPARE(text("mr2", tenant, &registry_), std::string("no such metarouter: mr2"));
    const UserInfo other{"t2", "tenant", {"mr2"}};
    QCOMPARE(text("mr1", other, &registry_), std::string("no such metarouter: mr1"));
    // The read group looks but does not type into guests.
    const std::string denied = text("mr1", UserInfo{"viewer", "read", {}}, &registry_);
    QVERIFY2(denied.find("not allowed") != std::string::npos, denied.c_str());
    // A daemon without the hypervisor says so.
    QVERIFY(text("mr1", admin, nullptr).find("not available") != std::string::npos);
}

void ConsoleStreamTest::replayFirstThenLiveOutput()
{
    guestSays("boot messages\r\nMetaRouter Login: ");
    Client c(open("mr1"));
    QVERIFY(c.stream);
    QVERIFY(c.out.empty());  // nothing before begin(): output may not be connected yet
    c.stream->begin();
    // The replay is there at once, before any new output.
    QCOMPARE(c.out, std::string("boot messages\r\nMetaRouter Login: "));
    guestSays("more");
    QTRY_COMPARE(c.out, std::string("boot messages\r\nMetaRouter Login: more"));
    QCOMPARE(mux_->clientCount(), 1);
    c.stream.reset();
    QCOMPARE(mux_->clientCount(), 0);
}

void ConsoleStreamTest::inputAndBreakReachTheGuest()
{
    Client c(open("mr1"));
    c.stream->begin();
    c.stream->input("admin\r");
    QVERIFY(guestReadUntil("admin\r").endsWith("admin\r"));
    // A literal Ctrl-A is doubled for QEMU's mux, a break is its Ctrl-A b.
    c.stream->input("\x01");
    c.stream->sendBreak();
    QVERIFY(guestReadUntil("\x01\x01\x01" "b").endsWith("admin\r\x01\x01\x01" "b"));
    QVERIFY(!c.ended);
}

void ConsoleStreamTest::twoClientsBothSeeOutput()
{
    Client a(open("mr1"));
    Client b(open("mr1"));
    a.stream->begin();
    b.stream->begin();
    guestSays("[admin@MetaRouter] > ");
    QTRY_COMPARE(a.out, std::string("[admin@MetaRouter] > "));
    QTRY_COMPARE(b.out, std::string("[admin@MetaRouter] > "));
    b.stream->input("x");
    a.stream->input("y");
    QVERIFY(guestReadUntil("xy").endsWith("xy"));
}

void ConsoleStreamTest::slowClientIsDropped()
{
    Client slow(open("mr1"));
    Client fine(open("mr1"));
    slow.stream->begin();
    fine.stream->begin();
    slow.backlog = 5000;  // beyond the mux's limit of 1000 in this test
    guestSays("tick");
    QTRY_VERIFY(slow.ended);
    QVERIFY2(slow.endedWith.find("too slow") != std::string::npos, slow.endedWith.c_str());
    QCOMPARE(mux_->clientCount(), 1);
    // The other client goes on.
    guestSays("tock");
    QTRY_COMPARE(fine.out, std::string("ticktock"));
    QVERIFY(!fine.ended);
    slow.stream->input("ignored");  // harmless after the end
}

void ConsoleStreamTest::consoleGoingAwayEndsTheStream()
{
    // QEMU exits: the socket closes and the registry no longer has it.
    Client c(open("mr1"));
    c.stream->begin();
    registry_.consoles.clear();
    delete guest_;
    guest_ = nullptr;
    qemu_->close();
    QTRY_VERIFY(c.ended);
    QCOMPARE(c.endedWith, std::string("console of mr1 closed: the metarouter stopped"));

    // The provider destroys the console: the same.
    Client d(std::make_unique<ConsoleStream>(mux_.get(), &registry_, "mr1"));
    d.stream->begin();
    mux_.reset();
    QVERIFY(d.ended);
    QCOMPARE(d.endedWith, std::string("console of mr1 closed: the metarouter stopped"));
}

void ConsoleStreamTest::cliAttachAndCtrlAQ()
{
    guestSays("MetaRouter Login: ");
    Client c(cliStream());
    auto& cli = *c.stream;
    cli.begin();
    QTRY_VERIFY(c.out.find("[admin@MikroTik] >") != std::string::npos);

    // Not running, then by number as in the manual.
    cli.input("/metarouter console mr2\r");
    QTRY_VERIFY(c.out.find("metarouter mr2 is not running") != std::string::npos);
    c.out.clear();
    cli.input("/metarouter console 0\r");
    QTRY_VERIFY(c.out.find("[Ctrl-A is the prefix key]\r\nMetaRouter Login: ") != std::string::npos);
    QCOMPARE(mux_->clientCount(), 1);

    // Typing goes to the guest; the guest's answer comes back.
    cli.input("admin\r");
    QVERIFY(guestReadUntil("admin\r").endsWith("admin\r"));
    guestSays("Password: ");
    QTRY_VERIFY(c.out.find("Password: ") != std::string::npos);

    // Ctrl-A B is a break, Ctrl-A Ctrl-A a literal Ctrl-A.
    cli.input("\x01" "b\x01\x01");
    QVERIFY(guestReadUntil("\x01" "b\x01\x01").endsWith("admin\r\x01" "b\x01\x01"));
    QVERIFY(c.out.find("[break sent]") != std::string::npos);

    // Ctrl-A Q: the manual's help, Welcome back!, the prompt; what follows
    // in the same read is a host command.
    c.out.clear();
    cli.input("\x01");
    QVERIFY(c.out.find("[Q - quit connection]      [B - send break]\r\n"
                       "[A - send Ctrl-A prefix]   [R - autoconfigure rate]") != std::string::npos);
    cli.input("q/metarouter print\r");
    QVERIFY2(c.out.find(" Welcome back!\r\n") != std::string::npos, c.out.c_str());
    QTRY_VERIFY2(c.out.find("mr2") != std::string::npos, c.out.c_str());
    QTRY_COMPARE(mux_->clientCount(), 0);
    const QByteArray guestGot = fromClients_;
    QVERIFY(!guestGot.contains("print"));
}

void ConsoleStreamTest::cliConsoleGoneResumesPrompt()
{
    Client c(cliStream());
    auto& cli = *c.stream;
    cli.begin();
    cli.input("/metarouter console mr1\r");
    QTRY_COMPARE(mux_->clientCount(), 1);
    c.out.clear();
    registry_.consoles.clear();
    mux_.reset();
    QTRY_VERIFY2(c.out.find("console of mr1 closed: the metarouter stopped\r\n[admin@MikroTik] >") !=
                     std::string::npos,
                 c.out.c_str());
    QVERIFY(!c.ended);  // the command line goes on
    cli.input("/metarouter print\r");
    QTRY_VERIFY(c.out.find("mr2") != std::string::npos);
}

QTEST_GUILESS_MAIN(ConsoleStreamTest)
#include "test_console_stream.moc"
