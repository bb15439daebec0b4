#pragma once
// A CliBackend over in-memory menus, standing in for the daemon in CLI
// tests: validates like the object store (schema, required, unique,
// references) and plays the providers' part (bridges and vifs appear in
// /interface, addresses get network and broadcast, metarouters a state).

#include <map>
#include <string>
#include <vector>

#include "cli_backend.h"

namespace mr::cli::test {

class TestBackend final : public CliBackend {
public:
    // Starts with the manual's schema and ether1..ether4 in /interface.
    TestBackend();
    explicit TestBackend(wire::Schema schema);

    const wire::Schema& schema() const override { return schema_; }
    std::string user() const override { return user_; }
    std::string identity() const override;

    Result<std::vector<wire::Object>> get(const std::string& menu) override;
    Result<std::string> add(const std::string& menu, const Properties& properties) override;
    Status set(const std::string& menu, const std::string& id, const Properties& properties,
               const std::vector<std::string>& unset) override;
    Status remove(const std::string& menu, const std::string& id) override;
    Result<std::string> command(const std::string& menu, const std::string& command, const std::string& id,
                                const Properties& arguments) override;

    // What a provider would report: no validation, never "configured".
    std::string observe(const std::string& menu, const Properties& properties);
    // Merges observed values into the object whose key (or id) is `which`.
    bool update(const std::string& menu, const std::string& which, const Properties& properties);

    const wire::Object* find(const std::string& menu, const std::string& id) const;
    const wire::Object* findByKey(const std::string& menu, const std::string& value) const;
    void setUser(std::string user) { user_ = std::move(user); }
    // Every call as "add /menu", "set /menu *1", ...: to check what the engine did not do.
    const std::vector<std::string>& calls() const { return calls_; }

private:
    Status validate(const wire::MenuSchema& menu, const std::string& id, Properties& values, bool adding) const;
    wire::Object* findMutable(const std::string& menu, const std::string& id);
    std::string nextId(const std::string& menu);
    std::string nextName(const std::string& menu, const std::string& stem) const;
    void afterAdd(const std::string& menu, wire::Object& object);

    wire::Schema schema_;
    std::map<std::string, std::vector<wire::Object>> objects_;
    std::map<std::string, unsigned> counters_;
    std::string user_ = "admin";
    unsigned macCounter_ = 0;
    std::vector<std::string> calls_;
};

}  // namespace mr::cli::test
