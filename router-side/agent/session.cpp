#include "session.h"

#include <algorithm>
#include <memory>

#include "schema_values.h"

namespace mr::agent {

Session::Session(ObjectStore& store, UserInfo user) : store_(store), user_(std::move(user))
{
    for (const auto& m : store_.schema().menus()) {
        if (isTenant() && tenantKey(m.path()).empty())
            continue;
        wire::MenuSchema copy = m;
        if (isTenant()) {
            // A tenant sees only the commands meant for them; read users see
            // everything and are refused on use, with a clear message.
            copy.set_can_add(false);
            copy.set_can_remove(false);
            copy.set_can_set(false);
            auto* cmds = copy.mutable_commands();
            for (int i = cmds->size() - 1; i >= 0; --i) {
                const auto& c = cmds->Get(i);
                if (!c.tenant())
                    cmds->DeleteSubrange(i, 1);
            }
        }
        *schema_.add_menus() = std::move(copy);
    }
}

Session::~Session()
{
    for (auto id : subscriptions_)
        store_.unsubscribe(id);
}

std::string Session::tenantKey(const std::string& menu)
{
    if (menu == "/metarouter")
        return "name";
    if (menu == "/metarouter/interface")
        return "virtual-machine";
    return {};
}

Status Session::checkMenu(const std::string& menu) const
{
    if (!protocol::findMenu(schema_, menu))
        return Error::notFound("no such menu: " + menu);
    return {};
}

bool Session::visible(const std::string& menu, const Properties& p) const
{
    if (!isTenant())
        return true;
    const std::string key = tenantKey(menu);
    auto it = p.find(key);
    return it != p.end() &&
           std::find(user_.metarouters.begin(), user_.metarouters.end(), it->second) != user_.metarouters.end();
}

bool Session::visible(const std::string& menu, const wire::Object& o) const
{
    if (!isTenant())
        return true;
    auto it = o.properties().find(tenantKey(menu));
    return it != o.properties().end() &&
           std::find(user_.metarouters.begin(), user_.metarouters.end(), it->second) != user_.metarouters.end();
}

Result<std::vector<wire::Object>> Session::get(const std::string& menu) const
{
    if (auto st = checkMenu(menu); !st)
        return st.error();
    auto all = store_.get(menu);
    if (!all || !isTenant())
        return all;
    std::vector<wire::Object> out;
    for (auto& o : *all)
        if (visible(menu, o))
            out.push_back(std::move(o));
    return out;
}

Result<std::string> Session::add(const std::string& menu, const Properties& properties)
{
    if (auto st = checkMenu(menu); !st)
        return st.error();
    if (!canWrite())
        return Error::denied("not allowed: user " + user_.name + " (group " + user_.group + ") cannot add");
    return store_.add(menu, properties);
}

Status Session::set(const std::string& menu, const std::string& id, const Properties& properties,
                    const std::vector<std::string>& unset)
{
    if (auto st = checkMenu(menu); !st)
        return st;
    if (!canWrite())
        return Error::denied("not allowed: user " + user_.name + " (group " + user_.group + ") cannot change");
    return store_.set(menu, id, properties, unset);
}

Status Session::remove(const std::string& menu, const std::string& id)
{
    if (auto st = checkMenu(menu); !st)
        return st;
    if (!canWrite())
        return Error::denied("not allowed: user " + user_.name + " (group " + user_.group + ") cannot remove");
    return store_.remove(menu, id);
}

Status Session::checkCommand(const std::string& menu, const std::string& cmd, const std::string& id) const
{
    const wire::MenuSchema* m = protocol::findMenu(schema_, menu);
    if (!m)
        return Error::notFound("no such menu: " + menu);
    const wire::CommandSchema* c = protocol::findCommand(*m, cmd);
    if (!c) {
        const wire::MenuSchema* full = store_.menuSchema(menu);
        if (full && protocol::findCommand(*full, cmd))
            return Error::denied("not allowed: user " + user_.name + " (group " + user_.group + ") cannot " + cmd);
        return Error::notFound("no such command: " + cmd);
    }
    if (!canWrite() && !(isTenant() ? c->tenant() : c->read_only()))
        return Error::denied("not allowed: user " + user_.name + " (group " + user_.group + ") cannot " + cmd);
    if (isTenant() && !id.empty()) {
        const Properties* p = store_.find(menu, id);
        if (!p || !visible(menu, *p))
            return Error::notFound("no such item: " + id);
    }
    return {};
}

bool Session::isLongRunning(const std::string& menu, const std::string& cmd) const
{
    const wire::MenuSchema* m = protocol::findMenu(schema_, menu);
    const wire::CommandSchema* c = m ? protocol::findCommand(*m, cmd) : nullptr;
    return c && c->long_running();
}

Result<std::string> Session::command(const std::string& menu, const std::string& cmd, const std::string& id,
                                     const Properties& arguments)
{
    if (auto st = checkCommand(menu, cmd, id); !st)
        return st.error();
    return store_.command(menu, cmd, id, arguments);
}

void Session::commandAsync(const std::string& menu, const std::string& cmd, const std::string& id,
                           const Properties& arguments, CommandJob job)
{
    if (auto st = checkCommand(menu, cmd, id); !st)
        return job.done(st.error());
    store_.commandAsync(menu, cmd, id, arguments, std::move(job));
}

Result<std::uint64_t> Session::subscribe(const std::string& menu, ObjectStore::Listener listener)
{
    if (auto st = checkMenu(menu); !st)
        return st.error();
    ObjectStore::Listener wrapped = std::move(listener);
    if (isTenant()) {
        // Tracks which ids this user saw, so that removals and objects that
        // stop matching are reported as removed.
        auto seen = std::make_shared<std::set<std::string>>();
        if (auto all = get(menu))
            for (const auto& o : *all)
                seen->insert(o.id());
        wrapped = [this, menu, seen, inner = std::move(wrapped)](std::uint64_t rev,
                                                                 const std::vector<wire::Change>& changes) {
            std::vector<wire::Change> out;
            for (const auto& c : changes) {
                const std::string& id = c.object().id();
                const bool was = seen->count(id) > 0;
                const bool is = c.kind() != wire::Change::REMOVED && visible(menu, c.object());
                if (is) {
                    wire::Change copy = c;
                    copy.set_kind(was ? wire::Change::CHANGED : wire::Change::ADDED);
                    seen->insert(id);
                    out.push_back(std::move(copy));
                } else if (was) {
                    wire::Change gone;
                    gone.set_kind(wire::Change::REMOVED);
                    gone.mutable_object()->set_id(id);
                    seen->erase(id);
                    out.push_back(std::move(gone));
                }
            }
            if (!out.empty())
                inner(rev, out);
        };
    }
    const std::uint64_t id = store_.subscribe(menu, std::move(wrapped));
    if (id == 0)
        return Error::notFound("no such menu: " + menu);
    subscriptions_.insert(id);
    return id;
}

void Session::unsubscribe(std::uint64_t subscription)
{
    if (subscriptions_.erase(subscription))
        store_.unsubscribe(subscription);
}

}  // namespace mr::agent
