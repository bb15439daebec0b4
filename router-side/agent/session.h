#pragma once
// One logged-in user's view of the store: the schema, objects and commands
// the user's group allows (full: all; read: look only; tenant: only their
// own metarouters). Both API requests and CLI sessions go through it.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "object_store.h"
#include "user_manager.h"

namespace mr::agent {

class Session {
public:
    Session(ObjectStore& store, UserInfo user);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const UserInfo& user() const { return user_; }
    const wire::Schema& schema() const { return schema_; }
    bool isTenant() const { return user_.group == "tenant"; }
    bool canWrite() const { return user_.group == "full"; }

    Result<std::vector<wire::Object>> get(const std::string& menu) const;
    Result<std::string> add(const std::string& menu, const Properties& properties);
    Status set(const std::string& menu, const std::string& id, const Properties& properties,
               const std::vector<std::string>& unset);
    Status remove(const std::string& menu, const std::string& id);
    Result<std::string> command(const std::string& menu, const std::string& command, const std::string& id,
                                const Properties& arguments);
    // Long-running commands (schema long_running) answer through the job.
    void commandAsync(const std::string& menu, const std::string& command, const std::string& id,
                      const Properties& arguments, CommandJob job);
    bool isLongRunning(const std::string& menu, const std::string& command) const;

    // Subscribes with the same filtering as get(). Returns the subscription id.
    Result<std::uint64_t> subscribe(const std::string& menu, ObjectStore::Listener listener);
    void unsubscribe(std::uint64_t subscription);

    // For tenant users: the property of a menu's objects that names their
    // metarouter; empty when the menu is not a tenant menu.
    static std::string tenantKey(const std::string& menu);

private:
    Status checkMenu(const std::string& menu) const;
    Status checkCommand(const std::string& menu, const std::string& command, const std::string& id) const;
    bool visible(const std::string& menu, const Properties& properties) const;
    bool visible(const std::string& menu, const wire::Object& object) const;

    ObjectStore& store_;
    UserInfo user_;
    wire::Schema schema_;
    std::set<std::uint64_t> subscriptions_;
};

}  // namespace mr::agent
