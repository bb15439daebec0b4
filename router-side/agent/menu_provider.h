#pragma once
// What a provider (net, hypervisor, system, users) implements for the menus
// it owns: their schema, how a user's change becomes real, and commands.

#include <functional>
#include <string>
#include <vector>

#include "error.h"
#include "metarouter.pb.h"

namespace mr::agent {

class ObjectStore;

// How a long-running command (schema: long_running) reports: progress lines
// such as "imported: 40%", then exactly one done().
struct CommandJob {
    std::function<void(const std::string& line)> progress;
    std::function<void(Result<std::string> result)> done;
};

// One change a user asked for, after schema validation and before commit.
struct Mutation {
    enum class Kind { Add, Set, Remove };
    Kind kind = Kind::Add;
    std::string menu;
    std::string id;     // allocated before prepare() on add
    Properties before;  // empty on add
    Properties after;   // full property set after the change; empty on remove
};

class MenuProvider {
public:
    virtual ~MenuProvider() = default;

    // The menus this provider owns, with their schema.
    virtual std::vector<wire::MenuSchema> menus() const = 0;

    // Whether the store persists objects added by users in this menu.
    virtual bool persists(const std::string& menu) const = 0;

    // Called once after the store has loaded the persisted configuration:
    // re-apply it to the kernel / QEMU and publish observed objects.
    virtual void start(ObjectStore& store) = 0;

    // Fills generated values (names like bridge1, random MACs, password
    // hashes) and checks rules the schema cannot express (references, which
    // properties may change). May edit mutation.after.
    virtual Status prepare(Mutation& mutation) { (void)mutation; return {}; }

    // Makes the change real. On error nothing may be left changed.
    virtual Status apply(const Mutation& mutation) = 0;

    // Undoes an apply() whose commit failed afterwards (best effort).
    virtual void revert(const Mutation& mutation) { (void)mutation; }

    // A menu-specific command (start, shut-down, ...). Returns output text.
    virtual Result<std::string> command(const std::string& menu, const std::string& command, const std::string& id,
                                        const Properties& arguments)
    {
        (void)menu; (void)id; (void)arguments;
        return Error::notFound("no such command: " + command);
    }

    // A long-running command: returns at once and answers through the job,
    // later, from the event loop. Arguments are validated already.
    virtual void commandAsync(const std::string& menu, const std::string& command, const std::string& id,
                              const Properties& arguments, CommandJob job)
    {
        job.done(this->command(menu, command, id, arguments));
    }
};

}  // namespace mr::agent
