// Long-running commands (import-image style): progress replies before the
// final one over the API, progress lines inside a CLI script that then goes
// on, and a client that leaves while the command runs.

#include <QEventLoop>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

#include "api_client.h"
#include "api_server.h"
#include "database.h"
#include "login_throttle.h"
#include "object_store.h"
#include "schema_builder.h"
#include "script_run.h"
#include "session.h"
#include "user_manager.h"

using namespace mr;
using namespace mr::agent;

namespace {

// A menu whose `slow` command reports three progress steps, 20 ms apart.
class SlowProvider final : public MenuProvider {
public:
    std::vector<wire::MenuSchema> menus() const override
    {
        using namespace mr::protocol;
        return {MenuBuilder("/job")
                    .addable().removable().settable().key("name")
                    .property(text("name").required().unique())
                    .column("name", "NAME", 10)
                    .command(CommandBuilder("slow").longRunning().argument("steps", wire::TYPE_INTEGER))};
    }
    bool persists(const std::string&) const override { return false; }
    void start(ObjectStore&) override {}
    Status apply(const Mutation&) override { return {}; }

    void commandAsync(const std::string&, const std::string&, const std::string&, const Properties& args,
                      CommandJob job) override
    {
        const int steps = args.count("steps") ? std::stoi(args.at("steps")) : 3;
        if (steps < 0)
            return job.done(Error::invalid("steps", "steps must not be negative"));
        auto shared = std::make_shared<CommandJob>(std::move(job));
        for (int i = 1; i <= steps; ++i)
            QTimer::singleShot(20 * i, [shared, i, steps] {
                shared->progress("progress: " + std::to_string(100 * i / steps) + "%");
            });
        QTimer::singleShot(20 * steps + 10, [shared] { shared->done(std::string("finished")); });
        ++started;
    }
    int started = 0;
};

}  // namespace

class LongRunning : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<Database> db_;
    std::unique_ptr<ObjectStore> store_;
    std::unique_ptr<UserManager> users_;
    SlowProvider slow_;
    LoginThrottle throttle_;
    std::unique_ptr<ApiServer> server_;
    std::string password_;

    std::unique_ptr<protocol::ApiClient> login()
    {
        auto c = std::make_unique<protocol::ApiClient>("test");
        QSignalSpy connected(c.get(), &protocol::ApiClient::connected);
        protocol::ApiClient::Endpoint e;
        e.socketPath = dir_.filePath("api.sock");
        c->connectTo(e);
        if (!connected.wait(5000))
            return nullptr;
        QSignalSpy in(c.get(), &protocol::ApiClient::loggedIn);
        c->login("admin", QString::fromStdString(password_));
        if (!in.wait(10000))
            return nullptr;
        return c;
    }

private slots:
    void initTestCase()
    {
        auto db = Database::open(dir_.filePath("config.db").toStdString());
        QVERIFY(db.ok());
        db_ = std::move(*db);
        store_ = std::make_unique<ObjectStore>(db_.get());
        users_ = std::make_unique<UserManager>(dir_.path());
        store_->registerProvider(users_.get());
        store_->registerProvider(&slow_);
        QVERIFY(store_->start().ok());
        QFile f(users_->initialPasswordFile());
        QVERIFY(f.open(QIODevice::ReadOnly));
        password_ = f.readAll().trimmed().toStdString();

        ApiServices services;
        services.store = store_.get();
        services.users = users_.get();
        services.throttle = &throttle_;
        services.identity = [] { return std::string("R"); };
        services.cliExec = [](Session& session, const std::string& script, std::weak_ptr<void> alive,
                              std::function<void(wire::Reply)> done) {
            ScriptRun::start(session, [] { return std::string("R"); }, script, std::move(alive), std::move(done));
        };
        server_ = std::make_unique<ApiServer>(services);
        QVERIFY(server_->listenLocal(dir_.filePath("api.sock")).ok());
    }

    void progressRepliesBeforeTheFinalOne()
    {
        auto c = login();
        QVERIFY(c);
        wire::Request req;
        req.mutable_command()->set_menu("/job");
        req.mutable_command()->set_command("slow");
        (*req.mutable_command()->mutable_arguments())["steps"] = "4";
        std::vector<std::string> progress;
        std::optional<wire::Reply> final;
        c->request(req, [&](const wire::Reply& r) {
            if (r.in_progress())
                progress.push_back(r.output());
            else
                final = r;
        });
        QTRY_VERIFY_WITH_TIMEOUT(final.has_value(), 5000);
        QCOMPARE(final->error().code(), wire::ERROR_NONE);
        QCOMPARE(final->output(), std::string("finished"));
        QCOMPARE(progress.size(), std::size_t(4));
        QCOMPARE(progress.back(), std::string("progress: 100%"));
    }

    void errorsComeAsTheFinalReply()
    {
        auto c = login();
        QVERIFY(c);
        wire::Request req;
        req.mutable_command()->set_menu("/job");
        req.mutable_command()->set_command("slow");
        (*req.mutable_command()->mutable_arguments())["steps"] = "-1";
        std::optional<wire::Reply> final;
        c->request(req, [&](const wire::Reply& r) {
            if (!r.in_progress())
                final = r;
        });
        QTRY_VERIFY_WITH_TIMEOUT(final.has_value(), 5000);
        QCOMPARE(final->error().code(), wire::ERROR_INVALID_ARGUMENT);
        QCOMPARE(final->error().property(), std::string("steps"));
    }

    void scriptShowsProgressAndGoesOn()
    {
        auto c = login();
        QVERIFY(c);
        wire::Request req;
        req.mutable_cli_exec()->set_script("/job add name=a\n/job slow steps=2\n/job add name=b\n/job print\n");
        std::optional<wire::Reply> reply;
        c->request(req, [&](const wire::Reply& r) { reply = r; });
        QTRY_VERIFY_WITH_TIMEOUT(reply.has_value(), 5000);
        QVERIFY2(reply->error().code() == wire::ERROR_NONE, reply->error().message().c_str());
        const QString out = QString::fromStdString(reply->output());
        QVERIFY2(out.contains("progress: 50%") && out.contains("progress: 100%") && out.contains("finished"),
                 qPrintable(out));
        // The lines after the long-running command ran, in order.
        QVERIFY2(out.indexOf("finished") < out.indexOf(" b"), qPrintable(out));
        QVERIFY2(out.contains(" a") && out.contains(" b"), qPrintable(out));
    }

    void clientLeavingMidwayIsHarmless()
    {
        const int before = slow_.started;
        {
            auto c = login();
            QVERIFY(c);
            wire::Request req;
            req.mutable_cli_exec()->set_script("/job slow steps=5\n/job add name=after\n");
            c->request(req, [](const wire::Reply&) {});
            QTRY_COMPARE_WITH_TIMEOUT(slow_.started, before + 1, 5000);
            c->disconnectFromServer();
        }
        // The job finishes after its session is gone: nothing may run on.
        QTest::qWait(300);
        QVERIFY(store_->findBy("/job", "name", "after").empty());
        auto c = login();
        QVERIFY(c);
    }
};

QTEST_GUILESS_MAIN(LongRunning)
#include "test_long_running.moc"
