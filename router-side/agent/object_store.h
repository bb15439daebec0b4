#pragma once
// The daemon's single source of truth: RouterOS-style menus of objects with
// ids (*1, *2, ...), validated against the schema, made real by the menu's
// provider, persisted in the Database, and published to subscribers in
// batches once per event-loop pass.

#include <QObject>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "error.h"
#include "menu_provider.h"
#include "metarouter.pb.h"

namespace mr::agent {

class Database;

class ObjectStore final : public QObject {
    Q_OBJECT
public:
    // db may be null (tests of providers that need no persistence).
    explicit ObjectStore(Database* db, QObject* parent = nullptr);
    ~ObjectStore() override;

    // --- setup --------------------------------------------------------
    // Registers the provider's menus. The store does not own providers.
    void registerProvider(MenuProvider* provider);
    // Loads persisted objects, then calls start() on every provider in order.
    Status start();

    const wire::Schema& schema() const { return schema_; }
    const wire::MenuSchema* menuSchema(const std::string& menu) const;

    // --- user operations: validated, applied, persisted, published ------
    Result<std::vector<wire::Object>> get(const std::string& menu) const;
    Result<wire::Object> getOne(const std::string& menu, const std::string& id) const;
    Result<std::string> add(const std::string& menu, const Properties& properties);
    Status set(const std::string& menu, const std::string& id, const Properties& properties,
               const std::vector<std::string>& unset = {});
    Status remove(const std::string& menu, const std::string& id);
    Result<std::string> command(const std::string& menu, const std::string& command, const std::string& id,
                                const Properties& arguments);
    // A long-running command: progress and the result come through the job.
    void commandAsync(const std::string& menu, const std::string& command, const std::string& id,
                      const Properties& arguments, CommandJob job);

    // --- provider operations: observed state, not validated ------------
    // An object the daemon did not create (a kernel link, a dynamic address).
    // Never persisted. Returns its id.
    std::string addObserved(const std::string& menu, const Properties& properties);
    // Merges properties into an object. Writable properties of a persisted
    // object are persisted too (e.g. a bridge renamed with `ip link`).
    void update(const std::string& menu, const std::string& id, const Properties& properties);
    // The one object of a singleton menu (/system/identity), created with
    // these properties when the database has none. Returns its id.
    std::string ensureSingleton(const std::string& menu, const Properties& defaults);
    // Removes an observed object, or a configured one that vanished for good.
    void removeObserved(const std::string& menu, const std::string& id);

    // --- lookups ---------------------------------------------------------
    // Properties include hidden ones (not in the schema). nullptr if absent.
    const Properties* find(const std::string& menu, const std::string& id) const;
    // First object whose property equals value; empty if none.
    std::string findBy(const std::string& menu, const std::string& property, const std::string& value) const;
    // First object (in order of creation) whose properties match; empty if
    // none. Scans in place, without copying: for checks run on every change.
    std::string findIf(const std::string& menu, const std::function<bool(const Properties&)>& match,
                       bool includeObserved = true) const;
    // Ids in order of creation.
    std::vector<std::string> ids(const std::string& menu) const;
    bool isObserved(const std::string& menu, const std::string& id) const;

    // --- subscriptions ---------------------------------------------------
    using Listener = std::function<void(std::uint64_t revision, const std::vector<wire::Change>& changes)>;
    std::uint64_t subscribe(const std::string& menu, Listener listener);
    void unsubscribe(std::uint64_t subscription);
    std::uint64_t revision() const { return revision_; }

    // Emits pending change batches now (the event loop does it otherwise).
    void flush();

    static std::string formatId(std::uint64_t n);
    static std::optional<std::uint64_t> parseId(const std::string& id);

private:
    struct Record {
        std::uint64_t number = 0;
        Properties properties;
        bool observed = false;
    };
    struct Menu {
        wire::MenuSchema schema;
        MenuProvider* provider = nullptr;
        bool persisted = false;
        std::map<std::uint64_t, Record> records;
        std::map<std::uint64_t, Listener> listeners;
        std::vector<wire::Change> pending;
    };

    Menu* menu(const std::string& path);
    const Menu* menu(const std::string& path) const;
    Result<Properties> checkCommand(const std::string& menu, const std::string& command, const std::string& id,
                                    const Properties& arguments) const;
    Result<Properties> validate(const Menu& m, const Properties& in, bool adding, const std::string& selfId) const;
    wire::Object toWire(const Menu& m, std::uint64_t number, const Record& r) const;
    // Writes the change to the database (when persist) in a transaction,
    // has the provider apply it, then commits; on any failure nothing stays
    // changed: the transaction is rolled back or the apply reverted.
    Status commit(Menu& m, const Mutation& mutation, bool persist, const std::function<Status()>& write);
    void publish(Menu& m, wire::Change::Kind kind, std::uint64_t number, const Record* r);
    void scheduleFlush();
    Status persist(const Menu& m, std::uint64_t number, const Record* r);

    Database* db_;
    wire::Schema schema_;
    std::map<std::string, Menu> menus_;
    std::vector<MenuProvider*> providers_;
    std::map<std::uint64_t, std::string> subscriptionMenu_;
    std::uint64_t nextNumber_ = 1;
    std::uint64_t nextSubscription_ = 1;
    std::uint64_t revision_ = 0;
    bool flushScheduled_ = false;
};

}  // namespace mr::agent
