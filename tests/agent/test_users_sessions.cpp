// Users (first admin, password hashes, authentication, group rules),
// permission-bound sessions (full, read, tenant) and login throttling.

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <set>

#include "database.h"
#include "login_throttle.h"
#include "object_store.h"
#include "password_hash.h"
#include "schema_values.h"
#include "session.h"
#include "test_provider.h"
#include "user_manager.h"

using namespace mr;
using agent::Database;
using agent::LoginThrottle;
using agent::ObjectStore;
using agent::PasswordHash;
using agent::Session;
using agent::UserInfo;
using agent::UserManager;
using test::TestProvider;

namespace {

std::vector<wire::MenuSchema> hostMenus()
{
    using namespace mr::protocol;
    return {MenuBuilder("/interface/bridge")
                .addable().removable().settable().key("name")
                .property(text("name").required().unique())
                .property(text("comment"))
                .command(CommandBuilder("monitor").readOnly())
                .command(CommandBuilder("flush"))
                .build()};
}

std::set<std::string> names(const std::vector<wire::Object>& objects, const std::string& property)
{
    std::set<std::string> out;
    for (const auto& o : objects) {
        auto it = o.properties().find(property);
        out.insert(it == o.properties().end() ? std::string("?") : it->second);
    }
    return out;
}

}  // namespace

class TestUsersSessions : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> dir_;
    std::unique_ptr<Database> db_;
    std::unique_ptr<UserManager> users_;
    std::unique_ptr<TestProvider> host_;
    std::unique_ptr<TestProvider> metarouters_;
    std::unique_ptr<ObjectStore> store_;

    void open()
    {
        store_.reset();
        auto db = Database::open(dir_->filePath("config.db").toStdString());
        QVERIFY(db.ok());
        db_ = std::move(*db);
        users_ = std::make_unique<UserManager>(dir_->path());
        host_ = std::make_unique<TestProvider>(hostMenus());
        metarouters_ = std::make_unique<TestProvider>(test::metarouterMenus());
        store_ = std::make_unique<ObjectStore>(db_.get());
        store_->registerProvider(users_.get());
        store_->registerProvider(host_.get());
        store_->registerProvider(metarouters_.get());
        QVERIFY(store_->start().ok());
    }

    std::string adminPassword()
    {
        QFile f(users_->initialPasswordFile());
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return f.readAll().trimmed().toStdString();
    }

    std::string userId(const std::string& name) { return store_->findBy("/user", "name", name); }

    void addMetarouterData()
    {
        QVERIFY(store_->add("/metarouter", {{"name", "mr1"}}).ok());
        QVERIFY(store_->add("/metarouter", {{"name", "mr2"}}).ok());
        QVERIFY(store_->add("/metarouter", {{"name", "mr3"}}).ok());
        QVERIFY(store_->add("/metarouter/interface", {{"virtual-machine", "mr1"}, {"static-interface", "a"}}).ok());
        QVERIFY(store_->add("/metarouter/interface", {{"virtual-machine", "mr2"}, {"static-interface", "b"}}).ok());
        QVERIFY(store_->add("/metarouter/interface", {{"virtual-machine", "mr3"}, {"static-interface", "c"}}).ok());
        QVERIFY(store_->add("/interface/bridge", {{"name", "bridge1"}}).ok());
        store_->flush();
    }

private slots:
    void init()
    {
        dir_ = std::make_unique<QTemporaryDir>();
        QVERIFY(dir_->isValid());
        open();
    }
    void cleanup()
    {
        store_.reset();
        metarouters_.reset();
        host_.reset();
        users_.reset();
        db_.reset();
        dir_.reset();
    }

    void firstStartCreatesAdmin()
    {
        const QString file = users_->initialPasswordFile();
        QCOMPARE(file, dir_->filePath("admin-password"));
        QVERIFY(QFile::exists(file));
        struct stat st {};
        QCOMPARE(::stat(QFile::encodeName(file).constData(), &st), 0);
        QCOMPARE(st.st_mode & 07777, mode_t(0600));
        const std::string password = adminPassword();
        QVERIFY(password.size() >= 16);

        QCOMPARE(store_->ids("/user").size(), std::size_t(1));
        const Properties* admin = store_->find("/user", userId("admin"));
        QVERIFY(admin);
        QCOMPARE(admin->at("group"), std::string("full"));
        // Only a salted scrypt hash is kept.
        QVERIFY(!admin->count("password"));
        const std::string hash = admin->at("password-hash");
        QVERIFY(hash.rfind("scrypt$", 0) == 0);
        QVERIFY(hash.find(password) == std::string::npos);
        // ...and it is not shown to clients.
        auto objects = store_->get("/user");
        QVERIFY(objects.ok());
        for (const auto& [k, v] : (*objects)[0].properties()) {
            QVERIFY2(k != "password-hash" && k != "password", k.c_str());
            QVERIFY(v.find(password) == std::string::npos);
        }
        // Nor is the password in the database file in clear text.
        QFile dbFile(dir_->filePath("config.db"));
        QVERIFY(dbFile.open(QIODevice::ReadOnly));
        QFile wal(dir_->filePath("config.db-wal"));
        QByteArray all = dbFile.readAll();
        if (wal.open(QIODevice::ReadOnly))
            all += wal.readAll();
        QVERIFY(!all.contains(QByteArray::fromStdString(password)));

        // A second start neither adds a user nor writes a new password.
        open();
        QCOMPARE(store_->ids("/user").size(), std::size_t(1));
        QCOMPARE(adminPassword(), password);
        QVERIFY(users_->authenticate("admin", password).ok());
    }

    void authenticate()
    {
        const std::string password = adminPassword();
        auto ok = users_->authenticate("admin", password);
        QVERIFY(ok.ok());
        QCOMPARE(ok->name, std::string("admin"));
        QCOMPARE(ok->group, std::string("full"));
        QVERIFY(!store_->find("/user", userId("admin"))->at("last-logged-in").empty());

        for (const auto& [user, pass] : std::vector<std::pair<std::string, std::string>>{
                 {"admin", password + "x"}, {"admin", ""}, {"admin", password.substr(1)}, {"nobody", password},
                 {"", ""}, {"ADMIN", password}}) {
            auto bad = users_->authenticate(user, pass);
            QVERIFY2(!bad.ok(), (user + "/" + pass).c_str());
            QCOMPARE(bad.error().code, wire::ERROR_UNAUTHENTICATED);
            // The same message whether the user exists or not.
            QCOMPARE(bad.error().message, std::string("invalid user name or password"));
        }

        // New users; disabled ones cannot log in.
        QVERIFY(store_->add("/user", {{"name", "viewer"}, {"group", "read"}, {"password", "s3cret"}}).ok());
        auto viewer = users_->authenticate("viewer", "s3cret");
        QVERIFY(viewer.ok());
        QCOMPARE(viewer->group, std::string("read"));
        QVERIFY(store_->set("/user", userId("viewer"), {{"disabled", "yes"}}).ok());
        QVERIFY(!users_->authenticate("viewer", "s3cret").ok());
        QVERIFY(store_->set("/user", userId("viewer"), {{"disabled", "no"}, {"password", "changed"}}).ok());
        QVERIFY(!users_->authenticate("viewer", "s3cret").ok());
        QVERIFY(users_->authenticate("viewer", "changed").ok());

        // Survives a restart.
        open();
        QVERIFY(users_->authenticate("viewer", "changed").ok());
        QVERIFY(users_->authenticate("admin", password).ok());
    }

    void passwordHashes()
    {
        const std::string a = PasswordHash::hash("pw");
        const std::string b = PasswordHash::hash("pw");
        QVERIFY(a != b);  // salted
        QVERIFY(a.rfind("scrypt$", 0) == 0);
        QVERIFY(PasswordHash::verify("pw", a));
        QVERIFY(PasswordHash::verify("pw", b));
        QVERIFY(!PasswordHash::verify("pW", a));
        QVERIFY(!PasswordHash::verify("pw", ""));
        QVERIFY(!PasswordHash::verify("pw", "plain"));
        QVERIFY(!PasswordHash::verify("pw", "scrypt$x$8$1$00$00"));
        QVERIFY(!PasswordHash::verify("pw", "scrypt$16384$8$1$zz$00"));
        QVERIFY(!PasswordHash::verify("pw", "scrypt$16$8$1$00$"));
        const std::string r1 = PasswordHash::randomPassword(), r2 = PasswordHash::randomPassword();
        QCOMPARE(r1.size(), std::size_t(20));
        QVERIFY(r1 != r2);
    }

    void userRules()
    {
        const std::string admin = userId("admin");
        // The last full user can be neither removed, demoted nor disabled.
        auto rm = store_->remove("/user", admin);
        QVERIFY(!rm.ok());
        QCOMPARE(rm.error().code, wire::ERROR_PERMISSION_DENIED);
        QCOMPARE(store_->set("/user", admin, {{"group", "read"}}).error().code, wire::ERROR_PERMISSION_DENIED);
        QCOMPARE(store_->set("/user", admin, {{"disabled", "yes"}}).error().code, wire::ERROR_PERMISSION_DENIED);
        QCOMPARE(store_->find("/user", admin)->at("group"), std::string("full"));

        // A tenant needs metarouters.
        auto t = store_->add("/user", {{"name", "t"}, {"group", "tenant"}, {"password", "p"}});
        QVERIFY(!t.ok());
        QCOMPARE(t.error().code, wire::ERROR_INVALID_ARGUMENT);
        QCOMPARE(t.error().property, std::string("metarouters"));
        QVERIFY(!store_->add("/user", {{"name", "t"}, {"group", "tenant"}, {"password", "p"}, {"metarouters", ","}}).ok());
        QVERIFY(store_->add("/user", {{"name", "t"}, {"group", "tenant"}, {"password", "p"}, {"metarouters", "mr1"}}).ok());
        auto tenant = users_->authenticate("t", "p");
        QVERIFY(tenant.ok());
        QCOMPARE(tenant->group, std::string("tenant"));
        QCOMPARE(tenant->metarouters, std::vector<std::string>{"mr1"});
        // Dropping the tenant's metarouters is refused.
        QCOMPARE(store_->set("/user", userId("t"), {}, {"metarouters"}).error().property, std::string("metarouters"));

        // Password required, names checked, unique.
        QCOMPARE(store_->add("/user", {{"name", "nopass"}}).error().property, std::string("password"));
        QCOMPARE(store_->add("/user", {{"name", "bad name"}, {"password", "p"}}).error().property, std::string("name"));
        QCOMPARE(store_->add("/user", {{"name", "t"}, {"password", "p"}}).error().code, wire::ERROR_ALREADY_EXISTS);
        QCOMPARE(store_->add("/user", {{"name", "x"}, {"password", "p"}, {"group", "root"}}).error().property,
                 std::string("group"));

        // With a second full user the first one can go.
        QVERIFY(store_->add("/user", {{"name", "admin2"}, {"group", "full"}, {"password", "p2"}}).ok());
        QVERIFY(store_->remove("/user", admin).ok());
        QVERIFY(!users_->authenticate("admin", adminPassword()).ok());
        QCOMPARE(store_->remove("/user", userId("admin2")).error().code, wire::ERROR_PERMISSION_DENIED);
        // A disabled full user does not count.
        QVERIFY(store_->add("/user", {{"name", "admin3"}, {"group", "full"}, {"password", "p3"}, {"disabled", "yes"}}).ok());
        QCOMPARE(store_->remove("/user", userId("admin2")).error().code, wire::ERROR_PERMISSION_DENIED);
    }

    void readUserCannotChange()
    {
        addMetarouterData();
        Session s(*store_, UserInfo{"viewer", "read", {}});
        QVERIFY(!s.canWrite());
        auto all = s.get("/interface/bridge");
        QVERIFY(all.ok());
        QCOMPARE(all->size(), std::size_t(1));
        QVERIFY(s.get("/user").ok());

        const auto applies = host_->applied.size();
        auto add = s.add("/interface/bridge", {{"name", "bridge2"}});
        QVERIFY(!add.ok());
        QCOMPARE(add.error().code, wire::ERROR_PERMISSION_DENIED);
        QCOMPARE(s.set("/interface/bridge", "*7", {{"comment", "x"}}, {}).error().code, wire::ERROR_PERMISSION_DENIED);
        const std::string bridge = store_->findBy("/interface/bridge", "name", "bridge1");
        QCOMPARE(s.set("/interface/bridge", bridge, {{"comment", "x"}}, {}).error().code,
                 wire::ERROR_PERMISSION_DENIED);
        QCOMPARE(s.remove("/interface/bridge", bridge).error().code, wire::ERROR_PERMISSION_DENIED);
        QCOMPARE(s.add("/user", {{"name", "evil"}, {"group", "full"}, {"password", "x"}}).error().code,
                 wire::ERROR_PERMISSION_DENIED);
        QCOMPARE(s.set("/user", userId("admin"), {{"password", "x"}}, {}).error().code, wire::ERROR_PERMISSION_DENIED);
        QCOMPARE(host_->applied.size(), applies);
        QCOMPARE(store_->ids("/interface/bridge").size(), std::size_t(1));
        QVERIFY(!store_->find("/interface/bridge", bridge)->count("comment"));

        // Read-only commands yes, others no.
        QVERIFY(s.command("/interface/bridge", "monitor", "", {}).ok());
        QCOMPARE(s.command("/interface/bridge", "flush", "", {}).error().code, wire::ERROR_PERMISSION_DENIED);
        QCOMPARE(s.command("/interface/bridge", "nonsense", "", {}).error().code, wire::ERROR_NOT_FOUND);

        // It sees the whole schema (refusals come on use, with a message).
        QVERIFY(protocol::findMenu(s.schema(), "/interface/bridge"));
        QVERIFY(protocol::findMenu(s.schema(), "/user"));
        auto denied = s.command("/interface/bridge", "flush", "", {});
        QVERIFY(denied.error().message.find("viewer") != std::string::npos);
        QVERIFY(host_->commands == std::vector<std::string>{"/interface/bridge monitor "});

        // A full user can.
        Session full(*store_, UserInfo{"admin", "full", {}});
        QVERIFY(full.add("/interface/bridge", {{"name", "bridge2"}}).ok());
        QVERIFY(full.command("/interface/bridge", "flush", "", {}).ok());
        QVERIFY(protocol::findMenu(full.schema(), "/interface/bridge")->can_add());
    }

    void tenantSeesOnlyTheirs()
    {
        addMetarouterData();
        Session s(*store_, UserInfo{"t", "tenant", {"mr1", "mr3"}});
        QVERIFY(s.isTenant());
        // Only the two tenant menus.
        std::set<std::string> menus;
        for (const auto& m : s.schema().menus())
            menus.insert(m.path());
        QCOMPARE(menus, (std::set<std::string>{"/metarouter", "/metarouter/interface"}));
        for (const char* hidden : {"/interface/bridge", "/user", "/nonexistent"}) {
            QCOMPARE(s.get(hidden).error().code, wire::ERROR_NOT_FOUND);
            QCOMPARE(s.add(hidden, {{"name", "x"}}).error().code, wire::ERROR_NOT_FOUND);
            QCOMPARE(s.remove(hidden, "*1").error().code, wire::ERROR_NOT_FOUND);
            QCOMPARE(s.command(hidden, "monitor", "", {}).error().code, wire::ERROR_NOT_FOUND);
            QVERIFY(!s.subscribe(hidden, [](std::uint64_t, const std::vector<wire::Change>&) {}).ok());
        }

        auto mrs = s.get("/metarouter");
        QVERIFY(mrs.ok());
        QCOMPARE(names(*mrs, "name"), (std::set<std::string>{"mr1", "mr3"}));
        auto ifs = s.get("/metarouter/interface");
        QVERIFY(ifs.ok());
        QCOMPARE(names(*ifs, "virtual-machine"), (std::set<std::string>{"mr1", "mr3"}));

        // No changes, even to their own.
        const std::string mr1 = store_->findBy("/metarouter", "name", "mr1");
        const std::string mr2 = store_->findBy("/metarouter", "name", "mr2");
        QCOMPARE(s.add("/metarouter", {{"name", "mine"}}).error().code, wire::ERROR_PERMISSION_DENIED);
        QCOMPARE(s.set("/metarouter", mr1, {{"memory-size", "64"}}, {}).error().code, wire::ERROR_PERMISSION_DENIED);
        QCOMPARE(s.remove("/metarouter", mr1).error().code, wire::ERROR_PERMISSION_DENIED);

        // Tenant commands on their own metarouters only.
        auto started = s.command("/metarouter", "start", mr1, {});
        QVERIFY(started.ok());
        QCOMPARE(s.command("/metarouter", "start", mr2, {}).error().code, wire::ERROR_NOT_FOUND);
        QCOMPARE(s.command("/metarouter", "reboot-host", "", {}).error().code, wire::ERROR_PERMISSION_DENIED);
        QCOMPARE(s.command("/metarouter", "status", "", {}).error().code, wire::ERROR_PERMISSION_DENIED);
        QCOMPARE(metarouters_->commands, std::vector<std::string>{"/metarouter start " + mr1});
        const auto* m = protocol::findMenu(s.schema(), "/metarouter");
        QVERIFY(protocol::findCommand(*m, "start"));
        QVERIFY(!protocol::findCommand(*m, "reboot-host"));
        QVERIFY(!m->can_add());
    }

    void tenantSubscriptionsAreFiltered()
    {
        addMetarouterData();
        auto s = std::make_unique<Session>(*store_, UserInfo{"t", "tenant", {"mr1"}});
        std::vector<wire::Change> seen;
        auto sub = s->subscribe("/metarouter/interface", [&](std::uint64_t, const std::vector<wire::Change>& c) {
            seen.insert(seen.end(), c.begin(), c.end());
        });
        QVERIFY(sub.ok());
        const std::string if1 = store_->findBy("/metarouter/interface", "virtual-machine", "mr1");
        const std::string if2 = store_->findBy("/metarouter/interface", "virtual-machine", "mr2");

        // Someone else's: nothing.
        QVERIFY(store_->set("/metarouter/interface", if2, {{"static-interface", "bb"}}).ok());
        auto other = store_->add("/metarouter/interface", {{"virtual-machine", "mr2"}});
        QVERIFY(other.ok());
        store_->flush();
        QVERIFY(seen.empty());

        // Their own: CHANGED.
        QVERIFY(store_->set("/metarouter/interface", if1, {{"static-interface", "aa"}}).ok());
        store_->flush();
        QCOMPARE(seen.size(), std::size_t(1));
        QCOMPARE(seen[0].kind(), wire::Change::CHANGED);
        QCOMPARE(seen[0].object().id(), if1);

        // Moved to them: ADDED; moved away: REMOVED with only the id.
        seen.clear();
        QVERIFY(store_->set("/metarouter/interface", *other, {{"virtual-machine", "mr1"}}).ok());
        store_->flush();
        QCOMPARE(seen.size(), std::size_t(1));
        QCOMPARE(seen[0].kind(), wire::Change::ADDED);
        QCOMPARE(seen[0].object().id(), *other);
        seen.clear();
        QVERIFY(store_->set("/metarouter/interface", if1, {{"virtual-machine", "mr3"}}).ok());
        store_->flush();
        QCOMPARE(seen.size(), std::size_t(1));
        QCOMPARE(seen[0].kind(), wire::Change::REMOVED);
        QCOMPARE(seen[0].object().id(), if1);
        QVERIFY(seen[0].object().properties().empty());

        // Removal of one of theirs; removal of someone else's is not shown.
        seen.clear();
        QVERIFY(store_->remove("/metarouter/interface", *other).ok());
        QVERIFY(store_->remove("/metarouter/interface", if2).ok());
        QVERIFY(store_->remove("/metarouter/interface", if1).ok());  // no longer theirs
        store_->flush();
        QCOMPARE(seen.size(), std::size_t(1));
        QCOMPARE(seen[0].kind(), wire::Change::REMOVED);
        QCOMPARE(seen[0].object().id(), *other);

        // Unsubscribe stops events; so does the session going away.
        seen.clear();
        s->unsubscribe(*sub);
        QVERIFY(store_->add("/metarouter/interface", {{"virtual-machine", "mr1"}}).ok());
        store_->flush();
        QVERIFY(seen.empty());
        QVERIFY(s->subscribe("/metarouter", [&](std::uint64_t, const std::vector<wire::Change>& c) {
                     seen.insert(seen.end(), c.begin(), c.end());
                 }).ok());
        s.reset();
        QVERIFY(store_->set("/metarouter", store_->findBy("/metarouter", "name", "mr1"), {{"memory-size", "32"}}).ok());
        store_->flush();
        QVERIFY(seen.empty());
    }

    void loginThrottle()
    {
        LoginThrottle t;
        const QString a = "10.0.0.2", b = "10.0.0.3";
        QCOMPARE(t.waitSeconds(a), 0);
        t.failed(a);
        QCOMPARE(t.waitSeconds(a), 0);
        t.failed(a);
        QCOMPARE(t.waitSeconds(a), 0);
        t.failed(a);  // third failure: now it waits
        QVERIFY(t.waitSeconds(a) >= 1);
        QCOMPARE(t.waitSeconds(b), 0);  // per source
        t.failed(a);
        QVERIFY(t.waitSeconds(a) >= 2);  // doubles
        t.failed(a);
        QVERIFY(t.waitSeconds(a) >= 4);
        for (int i = 0; i < 20; ++i)
            t.failed(a);
        QVERIFY(t.waitSeconds(a) <= LoginThrottle::kMaxDelaySeconds);
        QVERIFY(t.waitSeconds(a) > 30);
        t.succeeded(a);
        QCOMPARE(t.waitSeconds(a), 0);

        // The delay runs out.
        for (int i = 0; i < LoginThrottle::kFreeAttempts; ++i)
            t.failed(b);
        QCOMPARE(t.waitSeconds(b), 1);
        QTRY_COMPARE_WITH_TIMEOUT(t.waitSeconds(b), 0, 2500);
    }
};

QTEST_GUILESS_MAIN(TestUsersSessions)
#include "test_users_sessions.moc"
