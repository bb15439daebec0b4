// ObjectStore with the real Database in a temporary directory and a test
// provider: validation errors that name the property, ids, defaults,
// provider edits, all-or-nothing applies, persistence across restarts, and
// batched subscription events.

#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include "database.h"
#include "object_store.h"
#include "schema_builder.h"
#include "test_provider.h"

using namespace mr;
using agent::Database;
using agent::Mutation;
using agent::ObjectStore;
using test::TestProvider;

namespace {

constexpr const char* kItems = "/test/item";
constexpr const char* kLocked = "/test/locked";

std::vector<wire::MenuSchema> testMenus()
{
    using namespace mr::protocol;
    return {MenuBuilder(kItems)
                .addable().removable().settable().key("name")
                .property(text("name").required().unique())
                .property(integer("mtu").range(68, 65535).def("1500"))
                .property(enumeration("mode").values({"access", "trunk"}).def("access"))
                .property(mac("mac-address"))
                .property(text("comment"))
                .property(boolean("running").readOnly())
                .property(text("copy-from").addOnly())
                .command(CommandBuilder("blink").targetsObject().argument("times", wire::TYPE_INTEGER, true))
                .build(),
            // Neither addable nor removable.
            MenuBuilder(kLocked).property(text("name")).build()};
}

struct Batch {
    std::uint64_t revision;
    std::vector<wire::Change> changes;
};

}  // namespace

class TestObjectStore : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    std::unique_ptr<Database> db_;
    std::unique_ptr<TestProvider> provider_;
    std::unique_ptr<ObjectStore> store_;

    QString dbPath() const { return dir_.filePath("config.db"); }

    // A fresh store on the same database file, as after a daemon restart.
    void open()
    {
        store_.reset();
        provider_.reset();
        db_.reset();
        auto db = Database::open(dbPath().toStdString());
        QVERIFY2(db.ok(), db.ok() ? "" : db.error().text().c_str());
        db_ = std::move(*db);
        provider_ = std::make_unique<TestProvider>(testMenus());
        provider_->generatedProperty = "mac-address";
        provider_->generatedValue = "02:00:00:00:00:01";
        store_ = std::make_unique<ObjectStore>(db_.get());
        store_->registerProvider(provider_.get());
        auto st = store_->start();
        QVERIFY(st.ok());
        QCOMPARE(provider_->starts, 1);
    }

    // Rows the database holds for a menu (read from the file, not memory).
    std::vector<Database::Row> rows(const std::string& menu)
    {
        auto db = Database::open(dbPath().toStdString());
        if (!db)
            return {};
        auto all = (*db)->load();
        std::vector<Database::Row> out;
        if (all)
            for (auto& r : *all)
                if (r.menu == menu)
                    out.push_back(r);
        return out;
    }

    static Properties props(const wire::Object& o) { return {o.properties().begin(), o.properties().end()}; }

    void expectInvalid(const Status& st, wire::ErrorCode code, const std::string& property)
    {
        QVERIFY2(!st.ok(), ("accepted; expected an error for " + property).c_str());
        QCOMPARE(int(st.error().code), int(code));
        QCOMPARE(QString::fromStdString(st.error().property), QString::fromStdString(property));
        QVERIFY2(st.error().message.find(property) != std::string::npos, st.error().message.c_str());
    }
    template <class T>
    void expectInvalid(const Result<T>& r, wire::ErrorCode code, const std::string& property)
    {
        QVERIFY2(!r.ok(), ("accepted; expected an error for " + property).c_str());
        expectInvalid(Status(r.error()), code, property);
    }

private slots:
    void init()
    {
        QVERIFY(dir_.isValid());
        QFile::remove(dbPath());
        QFile::remove(dbPath() + "-wal");
        QFile::remove(dbPath() + "-shm");
        open();
    }
    void cleanup()
    {
        store_.reset();
        provider_.reset();
        db_.reset();
    }

    void idsAndDefaults()
    {
        auto a = store_->add(kItems, {{"name", "a"}});
        QVERIFY(a.ok());
        QCOMPARE(*a, std::string("*1"));
        auto b = store_->add(kItems, {{"name", "b"}, {"mtu", "9000"}, {"mode", "TRUNK"}});
        QVERIFY(b.ok());
        QCOMPARE(*b, std::string("*2"));
        for (int i = 0; i < 12; ++i)
            QVERIFY(store_->add(kItems, {{"name", "n" + std::to_string(i)}}).ok());
        QCOMPARE(store_->ids(kItems).back(), std::string("*E"));  // hex like RouterOS

        auto oa = store_->getOne(kItems, "*1");
        QVERIFY(oa.ok());
        const Properties pa = props(*oa);
        QCOMPARE(pa.at("mtu"), std::string("1500"));
        QCOMPARE(pa.at("mode"), std::string("access"));
        QCOMPARE(pa.at("mac-address"), std::string("02:00:00:00:00:01"));  // filled by prepare()
        QVERIFY(!pa.count("comment"));
        QVERIFY(!pa.count("running"));
        const Properties pb = props(*store_->getOne(kItems, "*2"));
        QCOMPARE(pb.at("mtu"), std::string("9000"));
        QCOMPARE(pb.at("mode"), std::string("trunk"));  // canonical form stored

        // The provider saw the full property set, with the allocated id.
        const Mutation& m = provider_->applied.at(1);
        QCOMPARE(m.kind, Mutation::Kind::Add);
        QCOMPARE(m.id, std::string("*2"));
        QCOMPARE(m.after.at("mtu"), std::string("9000"));
        QCOMPARE(m.after.at("mode"), std::string("trunk"));

        QCOMPARE(ObjectStore::formatId(255), std::string("*FF"));
        QCOMPARE(*ObjectStore::parseId("*ff"), std::uint64_t(255));
        QVERIFY(!ObjectStore::parseId("*0"));
        QVERIFY(!ObjectStore::parseId("1"));
        QVERIFY(!ObjectStore::parseId("*"));
        QVERIFY(!ObjectStore::parseId("*1x"));
        QVERIFY(!ObjectStore::parseId("*-1"));
    }

    void validationErrorsNameTheProperty()
    {
        QVERIFY(store_->add(kItems, {{"name", "a"}}).ok());
        const auto applies = provider_->applied.size();
        expectInvalid(store_->add(kItems, {{"name", "x"}, {"bogus", "1"}}), wire::ERROR_INVALID_ARGUMENT, "bogus");
        expectInvalid(store_->add(kItems, {{"name", "x"}, {"running", "yes"}}), wire::ERROR_INVALID_ARGUMENT,
                      "running");
        expectInvalid(store_->add(kItems, {{"name", "x"}, {"mtu", "10"}}), wire::ERROR_INVALID_ARGUMENT, "mtu");
        expectInvalid(store_->add(kItems, {{"name", "x"}, {"mtu", "big"}}), wire::ERROR_INVALID_ARGUMENT, "mtu");
        expectInvalid(store_->add(kItems, {{"name", "x"}, {"mode", "hybrid"}}), wire::ERROR_INVALID_ARGUMENT, "mode");
        expectInvalid(store_->add(kItems, {{"name", "x"}, {"mac-address", "nope"}}), wire::ERROR_INVALID_ARGUMENT,
                      "mac-address");
        expectInvalid(store_->add(kItems, {{"mtu", "1500"}}), wire::ERROR_INVALID_ARGUMENT, "name");
        expectInvalid(store_->add(kItems, {{"name", "a"}}), wire::ERROR_ALREADY_EXISTS, "name");
        {
            auto r = store_->add(kItems, {{"name", "a"}});
            QVERIFY(!r.ok());
            QVERIFY2(r.error().message.find("*1") != std::string::npos, r.error().message.c_str());  // says who
        }
        // set: the same rules, and add-only properties are refused.
        expectInvalid(store_->set(kItems, "*1", {{"mtu", "70000"}}), wire::ERROR_INVALID_ARGUMENT, "mtu");
        expectInvalid(store_->set(kItems, "*1", {{"bogus", "1"}}), wire::ERROR_INVALID_ARGUMENT, "bogus");
        expectInvalid(store_->set(kItems, "*1", {{"running", "no"}}), wire::ERROR_INVALID_ARGUMENT, "running");
        expectInvalid(store_->set(kItems, "*1", {{"copy-from", "b"}}), wire::ERROR_INVALID_ARGUMENT, "copy-from");
        expectInvalid(store_->set(kItems, "*1", {}, {"name"}), wire::ERROR_INVALID_ARGUMENT, "name");
        expectInvalid(store_->set(kItems, "*1", {}, {"bogus"}), wire::ERROR_INVALID_ARGUMENT, "bogus");
        QVERIFY(store_->add(kItems, {{"name", "b"}}).ok());
        expectInvalid(store_->set(kItems, "*2", {{"name", "a"}}), wire::ERROR_ALREADY_EXISTS, "name");
        // Setting one's own unique value again is fine.
        QVERIFY(store_->set(kItems, "*1", {{"name", "a"}, {"comment", "same name"}}).ok());
        // Add-only properties are accepted on add.
        QVERIFY(store_->add(kItems, {{"name", "c"}, {"copy-from", "a"}}).ok());

        // Unknown menus, objects and commands.
        QCOMPARE(store_->add("/nope", {}).error().code, wire::ERROR_NOT_FOUND);
        QCOMPARE(store_->set(kItems, "*99", {{"mtu", "1500"}}).error().code, wire::ERROR_NOT_FOUND);
        QCOMPARE(store_->set(kItems, "bogus", {{"mtu", "1500"}}).error().code, wire::ERROR_NOT_FOUND);
        QCOMPARE(store_->remove(kItems, "*99").error().code, wire::ERROR_NOT_FOUND);
        QCOMPARE(store_->get("/nope").error().code, wire::ERROR_NOT_FOUND);
        QCOMPARE(store_->add(kLocked, {{"name", "x"}}).error().code, wire::ERROR_UNSUPPORTED);

        // Nothing invalid reached the provider's apply().
        QCOMPARE(provider_->applied.size(), applies + 3);  // add b, set *1, add c
        QCOMPARE(store_->ids(kItems).size(), std::size_t(3));
    }

    void setAndUnset()
    {
        QVERIFY(store_->add(kItems, {{"name", "a"}, {"mtu", "9000"}, {"comment", "hi"}}).ok());
        QVERIFY(store_->set(kItems, "*1", {{"mtu", "0x5DC"}}).ok());
        QCOMPARE(store_->find(kItems, "*1")->at("mtu"), std::string("1500"));
        const Mutation& m = provider_->applied.back();
        QCOMPARE(m.kind, Mutation::Kind::Set);
        QCOMPARE(m.before.at("mtu"), std::string("9000"));
        QCOMPARE(m.after.at("mtu"), std::string("1500"));
        QCOMPARE(m.after.at("name"), std::string("a"));  // full set, not a diff

        // Unset: back to the default, or gone when there is none.
        QVERIFY(store_->set(kItems, "*1", {{"mtu", "9000"}}).ok());
        QVERIFY(store_->set(kItems, "*1", {}, {"mtu", "comment"}).ok());
        QCOMPARE(store_->find(kItems, "*1")->at("mtu"), std::string("1500"));
        QVERIFY(!store_->find(kItems, "*1")->count("comment"));

        // A set that changes nothing does not reach the provider.
        const auto n = provider_->applied.size();
        QVERIFY(store_->set(kItems, "*1", {{"mtu", "1500"}}).ok());
        QCOMPARE(provider_->applied.size(), n);

        // Persisted.
        auto r = rows(kItems);
        QCOMPARE(r.size(), std::size_t(1));
        QCOMPARE(r[0].properties.at("mtu"), std::string("1500"));
        QVERIFY(!r[0].properties.count("comment"));
    }

    void prepareCanRefuse()
    {
        provider_->failPrepare = true;
        expectInvalid(store_->add(kItems, {{"name", "a"}}), wire::ERROR_INVALID_ARGUMENT, "name");
        QVERIFY(provider_->applied.empty());
        QVERIFY(store_->ids(kItems).empty());
        QVERIFY(rows(kItems).empty());
    }

    void applyFailureLeavesNothing()
    {
        std::vector<Batch> batches;
        store_->subscribe(kItems, [&](std::uint64_t rev, const std::vector<wire::Change>& c) { batches.push_back({rev, c}); });

        QVERIFY(store_->add(kItems, {{"name", "keep"}, {"mtu", "1400"}}).ok());
        store_->flush();
        batches.clear();
        const auto revision = store_->revision();

        provider_->failApply = true;
        auto added = store_->add(kItems, {{"name", "new"}});
        QVERIFY(!added.ok());
        QCOMPARE(added.error().code, wire::ERROR_FAILED);
        QVERIFY(added.error().message.find("kernel said no") != std::string::npos);
        QVERIFY(!db_->inTransaction());  // each failure ends its own transaction
        QVERIFY(rows(kItems).size() == 1);
        QVERIFY(!store_->set(kItems, "*1", {{"mtu", "1300"}}).ok());
        QVERIFY(!db_->inTransaction());
        QVERIFY(!store_->remove(kItems, "*1").ok());
        QVERIFY(!db_->inTransaction());

        // Memory: unchanged.
        QCOMPARE(store_->ids(kItems), std::vector<std::string>{"*1"});
        QCOMPARE(store_->find(kItems, "*1")->at("mtu"), std::string("1400"));
        QVERIFY(store_->findBy(kItems, "name", "new").empty());
        // Database: unchanged, and no transaction left open.
        QVERIFY(!db_->inTransaction());
        auto r = rows(kItems);
        QCOMPARE(r.size(), std::size_t(1));
        QCOMPARE(r[0].properties.at("mtu"), std::string("1400"));
        // Subscribers: nothing happened.
        store_->flush();
        QCoreApplication::processEvents();
        QVERIFY(batches.empty());
        QCOMPARE(store_->revision(), revision);

        // The name is still free, and the store works again afterwards.
        provider_->failApply = false;
        auto again = store_->add(kItems, {{"name", "new"}});
        QVERIFY(again.ok());
        QCOMPARE(rows(kItems).size(), std::size_t(2));

        // After a restart the failed attempts left no trace either.
        open();
        QCOMPARE(store_->ids(kItems).size(), std::size_t(2));
        QCOMPARE(store_->find(kItems, "*1")->at("mtu"), std::string("1400"));
    }

    void persistenceAcrossRestart()
    {
        QVERIFY(store_->add(kItems, {{"name", "a"}, {"comment", "first"}}).ok());   // *1
        QVERIFY(store_->add(kItems, {{"name", "b"}, {"mtu", "9000"}}).ok());         // *2
        QVERIFY(store_->add(kItems, {{"name", "c"}}).ok());                          // *3
        QVERIFY(store_->add(kItems, {{"name", "d"}}).ok());                          // *4
        QVERIFY(store_->set(kItems, "*2", {{"mode", "trunk"}}).ok());
        QVERIFY(store_->remove(kItems, "*4").ok());
        QVERIFY(store_->remove(kItems, "*3").ok());
        const auto before = *store_->get(kItems);

        open();
        const auto after = store_->get(kItems);
        QVERIFY(after.ok());
        QCOMPARE(after->size(), before.size());
        for (std::size_t i = 0; i < before.size(); ++i) {
            QCOMPARE((*after)[i].id(), before[i].id());
            QCOMPARE(props((*after)[i]), props(before[i]));
        }
        QCOMPARE(store_->find(kItems, "*2")->at("mode"), std::string("trunk"));
        QCOMPARE(store_->find(kItems, "*1")->at("comment"), std::string("first"));
        QVERIFY(!store_->find(kItems, "*3"));
        QVERIFY(!store_->find(kItems, "*4"));
        // Removed ids are not handed out again, even after a restart.
        auto next = store_->add(kItems, {{"name", "e"}});
        QVERIFY(next.ok());
        QCOMPARE(*next, std::string("*5"));
        // Unique values are still enforced against loaded objects.
        QCOMPARE(store_->add(kItems, {{"name", "a"}}).error().code, wire::ERROR_ALREADY_EXISTS);

        open();
        QCOMPARE(*store_->add(kItems, {{"name", "f"}}), std::string("*6"));
    }

    void observedObjectsAreNotPersisted()
    {
        QVERIFY(store_->add(kItems, {{"name", "configured"}}).ok());  // *1
        const std::string seen = store_->addObserved(kItems, {{"name", "ether1"}, {"running", "yes"}});
        QCOMPARE(seen, std::string("*2"));
        QVERIFY(store_->isObserved(kItems, seen));
        QVERIFY(!store_->isObserved(kItems, "*1"));
        QCOMPARE(store_->find(kItems, seen)->at("running"), std::string("yes"));
        store_->update(kItems, seen, {{"comment", "uplink"}, {"running", "no"}});
        QCOMPARE(store_->find(kItems, seen)->at("comment"), std::string("uplink"));
        // A user may change an observed object; still not persisted.
        QVERIFY(store_->set(kItems, seen, {{"mtu", "9000"}}).ok());
        QCOMPARE(store_->find(kItems, seen)->at("mtu"), std::string("9000"));
        QCOMPARE(rows(kItems).size(), std::size_t(1));

        // update() of a configured object's writable property is persisted.
        store_->update(kItems, "*1", {{"comment", "renamed outside"}});
        store_->update(kItems, "*1", {{"running", "yes"}});
        auto r = rows(kItems);
        QCOMPARE(r.size(), std::size_t(1));
        QCOMPARE(r[0].properties.at("comment"), std::string("renamed outside"));

        open();
        QCOMPARE(store_->ids(kItems), std::vector<std::string>{"*1"});
        QCOMPARE(store_->find(kItems, "*1")->at("comment"), std::string("renamed outside"));

        // removeObserved of an observed object leaves configured ones alone.
        const std::string again = store_->addObserved(kItems, {{"name", "ether2"}});
        store_->removeObserved(kItems, again);
        QVERIFY(!store_->find(kItems, again));
        QCOMPARE(rows(kItems).size(), std::size_t(1));
    }

    void singletons()
    {
        const std::string id = store_->ensureSingleton(kLocked, {{"name", "MikroTik"}});
        QVERIFY(!id.empty());
        QCOMPARE(store_->ensureSingleton(kLocked, {{"name", "other"}}), id);
        QCOMPARE(store_->find(kLocked, id)->at("name"), std::string("MikroTik"));
        open();
        QCOMPARE(store_->ensureSingleton(kLocked, {{"name", "other"}}), id);
        QCOMPARE(store_->find(kLocked, id)->at("name"), std::string("MikroTik"));
        // The singleton's id is not reused by a later add.
        auto next = store_->add(kItems, {{"name", "x"}});
        QVERIFY(next.ok());
        QVERIFY(*next != id);
    }

    void commands()
    {
        QVERIFY(store_->add(kItems, {{"name", "a"}}).ok());
        auto out = store_->command(kItems, "blink", "*1", {{"times", "0x3"}});
        QVERIFY(out.ok());
        QCOMPARE(*out, std::string("did blink *1"));
        QCOMPARE(store_->command(kItems, "blink", "*9", {{"times", "1"}}).error().code, wire::ERROR_NOT_FOUND);
        QCOMPARE(store_->command(kItems, "explode", "*1", {}).error().code, wire::ERROR_NOT_FOUND);
        expectInvalid(store_->command(kItems, "blink", "*1", {}), wire::ERROR_INVALID_ARGUMENT, "times");
        expectInvalid(store_->command(kItems, "blink", "*1", {{"times", "x"}}), wire::ERROR_INVALID_ARGUMENT, "times");
        expectInvalid(store_->command(kItems, "blink", "*1", {{"times", "1"}, {"color", "red"}}),
                      wire::ERROR_INVALID_ARGUMENT, "color");
        QCOMPARE(provider_->commands.size(), std::size_t(1));
    }

    void subscriptionsBatchAndCoalesce()
    {
        std::vector<Batch> batches;
        const auto sub = store_->subscribe(kItems, [&](std::uint64_t rev, const std::vector<wire::Change>& c) {
            batches.push_back({rev, c});
        });
        QVERIFY(sub != 0);
        QCOMPARE(store_->subscribe("/nope", [](std::uint64_t, const std::vector<wire::Change>&) {}), std::uint64_t(0));

        QVERIFY(store_->add(kItems, {{"name", "a"}}).ok());               // *1
        QVERIFY(store_->set(kItems, "*1", {{"mtu", "9000"}}).ok());       // folds into ADDED
        QVERIFY(store_->add(kItems, {{"name", "tmp"}}).ok());             // *2
        QVERIFY(store_->remove(kItems, "*2").ok());                       // cancels out
        QVERIFY(batches.empty());  // nothing synchronously
        // Delivered by the event loop, in one batch.
        QTRY_COMPARE_WITH_TIMEOUT(batches.size(), std::size_t(1), 2000);
        QCOMPARE(batches[0].changes.size(), std::size_t(1));
        const auto& c0 = batches[0].changes[0];
        QCOMPARE(c0.kind(), wire::Change::ADDED);
        QCOMPARE(c0.object().id(), std::string("*1"));
        QCOMPARE(c0.object().properties().at("mtu"), std::string("9000"));
        const auto rev1 = batches[0].revision;
        QVERIFY(rev1 > 0);

        QVERIFY(store_->set(kItems, "*1", {{"mtu", "1400"}}).ok());
        QVERIFY(store_->set(kItems, "*1", {{"comment", "x"}}).ok());  // two CHANGED -> one
        QVERIFY(store_->add(kItems, {{"name", "b"}}).ok());           // *3
        store_->flush();
        QCOMPARE(batches.size(), std::size_t(2));
        QCOMPARE(batches[1].changes.size(), std::size_t(2));
        QCOMPARE(batches[1].changes[0].kind(), wire::Change::CHANGED);
        QCOMPARE(batches[1].changes[0].object().properties().at("mtu"), std::string("1400"));
        QCOMPARE(batches[1].changes[0].object().properties().at("comment"), std::string("x"));
        QCOMPARE(batches[1].changes[1].kind(), wire::Change::ADDED);
        QCOMPARE(batches[1].changes[1].object().id(), std::string("*3"));
        QVERIFY(batches[1].revision > rev1);

        // CHANGED then REMOVED -> REMOVED carrying only the id.
        QVERIFY(store_->set(kItems, "*3", {{"comment", "bye"}}).ok());
        QVERIFY(store_->remove(kItems, "*3").ok());
        store_->flush();
        QCOMPARE(batches.size(), std::size_t(3));
        QCOMPARE(batches[2].changes.size(), std::size_t(1));
        QCOMPARE(batches[2].changes[0].kind(), wire::Change::REMOVED);
        QCOMPARE(batches[2].changes[0].object().id(), std::string("*3"));
        QVERIFY(batches[2].changes[0].object().properties().empty());
        QVERIFY(batches[2].revision > batches[1].revision);

        // Observed objects are published too.
        const auto obs = store_->addObserved(kItems, {{"name", "ether1"}});
        store_->update(kItems, obs, {{"running", "yes"}});
        store_->flush();
        QCOMPARE(batches.size(), std::size_t(4));
        QCOMPARE(batches[3].changes.size(), std::size_t(1));
        QCOMPARE(batches[3].changes[0].kind(), wire::Change::ADDED);
        QCOMPARE(batches[3].changes[0].object().properties().at("running"), std::string("yes"));

        // Events only for the subscribed menu.
        QVERIFY(store_->ensureSingleton(kLocked, {{"name", "x"}}).size());
        store_->flush();
        QCOMPARE(batches.size(), std::size_t(4));

        // No empty batches, and nothing after unsubscribing.
        store_->flush();
        QCOMPARE(batches.size(), std::size_t(4));
        store_->unsubscribe(sub);
        store_->unsubscribe(sub);  // twice is harmless
        QVERIFY(store_->add(kItems, {{"name", "c"}}).ok());
        store_->flush();
        QTest::qWait(20);
        QCOMPARE(batches.size(), std::size_t(4));
    }

    void severalSubscribersAndUnsubscribeInsideListener()
    {
        std::vector<Batch> one, two;
        std::uint64_t second = 0;
        store_->subscribe(kItems, [&](std::uint64_t rev, const std::vector<wire::Change>& c) {
            one.push_back({rev, c});
            store_->unsubscribe(second);  // the other one, while being called
        });
        second = store_->subscribe(kItems, [&](std::uint64_t rev, const std::vector<wire::Change>& c) {
            two.push_back({rev, c});
        });
        QVERIFY(store_->add(kItems, {{"name", "a"}}).ok());
        store_->flush();
        QCOMPARE(one.size(), std::size_t(1));
        QVERIFY(two.size() <= 1);
        QVERIFY(store_->add(kItems, {{"name", "b"}}).ok());
        store_->flush();
        QCOMPARE(one.size(), std::size_t(2));
        QVERIFY(two.size() <= 1);

        // A subscriber that joins after changes were queued does not get
        // them as events (they are in its snapshot).
        QVERIFY(store_->add(kItems, {{"name", "c"}}).ok());
        std::vector<Batch> late;
        store_->subscribe(kItems, [&](std::uint64_t rev, const std::vector<wire::Change>& c) {
            late.push_back({rev, c});
        });
        store_->flush();
        QVERIFY(late.empty());
        QCOMPARE(one.size(), std::size_t(3));
    }
};

QTEST_GUILESS_MAIN(TestObjectStore)
#include "test_object_store.moc"
