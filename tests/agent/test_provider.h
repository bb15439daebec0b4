#pragma once
// A MenuProvider for tests: owns the menus it is given, records every call,
// can be told to fail apply(), and fills a generated value in prepare()
// like real providers do (a random MAC, a default name).

#include <string>
#include <vector>

#include "menu_provider.h"
#include "object_store.h"
#include "schema_builder.h"

namespace mr::test {

class TestProvider final : public agent::MenuProvider {
public:
    explicit TestProvider(std::vector<wire::MenuSchema> menus, bool persisted = true)
        : menus_(std::move(menus)), persisted_(persisted)
    {
    }

    std::vector<wire::MenuSchema> menus() const override { return menus_; }
    bool persists(const std::string&) const override { return persisted_; }
    void start(agent::ObjectStore& store) override
    {
        store_ = &store;
        ++starts;
    }

    Status prepare(agent::Mutation& m) override
    {
        prepared.push_back(m);
        if (failPrepare)
            return Error::invalid("name", "prepare refused name");
        // A generated value, as net fills a random MAC.
        if (m.kind == agent::Mutation::Kind::Add && generatedProperty.size() && !m.after.count(generatedProperty))
            m.after[generatedProperty] = generatedValue;
        return {};
    }

    Status apply(const agent::Mutation& m) override
    {
        applied.push_back(m);
        if (failApply)
            return Error::failed("the kernel said no");
        return {};
    }

    void revert(const agent::Mutation& m) override { reverted.push_back(m); }

    Result<std::string> command(const std::string& menu, const std::string& command, const std::string& id,
                                const Properties& arguments) override
    {
        commands.push_back(menu + " " + command + " " + id);
        (void)arguments;
        return std::string("did " + command + " " + id);
    }

    agent::ObjectStore* store() const { return store_; }

    bool failApply = false;
    bool failPrepare = false;
    std::string generatedProperty;
    std::string generatedValue;
    int starts = 0;
    std::vector<agent::Mutation> prepared;
    std::vector<agent::Mutation> applied;
    std::vector<agent::Mutation> reverted;
    std::vector<std::string> commands;

private:
    std::vector<wire::MenuSchema> menus_;
    bool persisted_;
    agent::ObjectStore* store_ = nullptr;
};

// /metarouter and /metarouter/interface as the hypervisor shapes them, for
// tests of tenant filtering.
inline std::vector<wire::MenuSchema> metarouterMenus()
{
    using namespace mr::protocol;
    return {MenuBuilder("/metarouter")
                .addable().removable().settable().key("name")
                .property(text("name").required().unique())
                .property(size("memory-size", "MiB").range(16, 4096).def("24"))
                .property(boolean("disabled").def("no"))
                .property(text("state").readOnly())
                .command(CommandBuilder("start").targetsObject().tenant())
                .command(CommandBuilder("stop").targetsObject().tenant())
                .command(CommandBuilder("reboot-host"))
                .command(CommandBuilder("status").readOnly())
                .build(),
            MenuBuilder("/metarouter/interface")
                .addable().removable().settable()
                .property(text("virtual-machine").required())
                .property(text("static-interface"))
                .property(mac("vm-mac-address"))
                .build()};
}

}  // namespace mr::test
