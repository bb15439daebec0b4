#include "object_store.h"

#include <QTimer>

#include <charconv>
#include <cstdio>

#include "database.h"
#include "schema_values.h"

namespace mr::agent {

ObjectStore::ObjectStore(Database* db, QObject* parent) : QObject(parent), db_(db) {}

ObjectStore::~ObjectStore() = default;

std::string ObjectStore::formatId(std::uint64_t n)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "*%llX", static_cast<unsigned long long>(n));
    return buf;
}

std::optional<std::uint64_t> ObjectStore::parseId(const std::string& id)
{
    if (id.size() < 2 || id[0] != '*')
        return std::nullopt;
    std::uint64_t n = 0;
    auto r = std::from_chars(id.data() + 1, id.data() + id.size(), n, 16);
    if (r.ec != std::errc() || r.ptr != id.data() + id.size() || n == 0)
        return std::nullopt;
    return n;
}

void ObjectStore::registerProvider(MenuProvider* provider)
{
    providers_.push_back(provider);
    for (auto& schema : provider->menus()) {
        Menu m;
        m.schema = schema;
        m.provider = provider;
        m.persisted = provider->persists(schema.path());
        *schema_.add_menus() = schema;
        menus_[schema.path()] = std::move(m);
    }
}

Status ObjectStore::start()
{
    if (db_) {
        auto rows = db_->load();
        if (!rows)
            return rows.error();
        for (auto& row : *rows) {
            Menu* m = menu(row.menu);
            if (!m || !m->persisted)
                continue;  // a menu this build no longer has; kept in the file
            m->records[row.number] = Record{row.number, std::move(row.properties), false};
            nextNumber_ = std::max(nextNumber_, row.number + 1);
        }
        if (auto next = db_->meta("next-number")) {
            std::uint64_t n = 0;
            std::from_chars(next->data(), next->data() + next->size(), n);
            nextNumber_ = std::max(nextNumber_, n);
        }
    }
    for (MenuProvider* p : providers_)
        p->start(*this);
    return {};
}

ObjectStore::Menu* ObjectStore::menu(const std::string& path)
{
    auto it = menus_.find(path);
    return it == menus_.end() ? nullptr : &it->second;
}

const ObjectStore::Menu* ObjectStore::menu(const std::string& path) const
{
    auto it = menus_.find(path);
    return it == menus_.end() ? nullptr : &it->second;
}

const wire::MenuSchema* ObjectStore::menuSchema(const std::string& path) const
{
    const Menu* m = menu(path);
    return m ? &m->schema : nullptr;
}

wire::Object ObjectStore::toWire(const Menu& m, std::uint64_t number, const Record& r) const
{
    wire::Object o;
    o.set_id(formatId(number));
    auto* props = o.mutable_properties();
    for (const auto& p : m.schema.properties()) {
        auto it = r.properties.find(p.name());
        if (it != r.properties.end())
            (*props)[p.name()] = it->second;
    }
    return o;
}

Result<std::vector<wire::Object>> ObjectStore::get(const std::string& path) const
{
    const Menu* m = menu(path);
    if (!m)
        return Error::notFound("no such menu: " + path);
    std::vector<wire::Object> out;
    out.reserve(m->records.size());
    for (const auto& [n, r] : m->records)
        out.push_back(toWire(*m, n, r));
    return out;
}

Result<wire::Object> ObjectStore::getOne(const std::string& path, const std::string& id) const
{
    const Menu* m = menu(path);
    if (!m)
        return Error::notFound("no such menu: " + path);
    auto n = parseId(id);
    auto it = n ? m->records.find(*n) : m->records.end();
    if (it == m->records.end())
        return Error::notFound("no such item: " + id);
    return toWire(*m, it->first, it->second);
}

Result<Properties> ObjectStore::validate(const Menu& m, const Properties& in, bool adding,
                                         const std::string& selfId) const
{
    Properties out;
    for (const auto& [name, value] : in) {
        const wire::PropertySchema* p = protocol::findProperty(m.schema, name);
        if (!p)
            return Error::invalid(name, "unknown property " + name + " in " + m.schema.path());
        if (p->read_only())
            return Error::invalid(name, name + " is read-only");
        if (p->add_only() && !adding)
            return Error::invalid(name, name + " can only be given when adding");
        auto v = protocol::parseValue(*p, value);
        if (!v)
            return v.error();
        out[name] = *v;
    }
    for (const auto& p : m.schema.properties()) {
        if (!adding || p.read_only() || out.count(p.name()))
            continue;
        if (p.required() && p.default_value().empty())
            return Error::invalid(p.name(), "missing " + p.name() + ": it is required");
    }
    (void)selfId;
    return out;
}

// Fills schema defaults for properties not given.
static void fillDefaults(const wire::MenuSchema& schema, Properties& props)
{
    for (const auto& p : schema.properties()) {
        if (p.read_only() || p.add_only() || p.default_value().empty() || props.count(p.name()))
            continue;
        props[p.name()] = p.default_value();
    }
}

// Scans the records in place (no copies): called on every add and set.
template <typename Records>
static Status checkUnique(const wire::MenuSchema& schema, const Records& records, std::uint64_t self,
                          const Properties& props)
{
    for (const auto& p : schema.properties()) {
        if (!p.unique())
            continue;
        auto it = props.find(p.name());
        if (it == props.end() || it->second.empty())
            continue;
        for (const auto& [n, r] : records) {
            if (n == self)
                continue;
            auto jt = r.properties.find(p.name());
            if (jt != r.properties.end() && jt->second == it->second)
                return Error::exists(p.name(), p.name() + " '" + it->second + "' is already used by " +
                                                   ObjectStore::formatId(n));
        }
    }
    return {};
}

Result<std::string> ObjectStore::add(const std::string& path, const Properties& properties)
{
    Menu* m = menu(path);
    if (!m)
        return Error::notFound("no such menu: " + path);
    if (!m->schema.can_add())
        return Error{wire::ERROR_UNSUPPORTED, "cannot add to " + path, {}};
    auto valid = validate(*m, properties, true, {});
    if (!valid)
        return valid.error();

    Mutation mu;
    mu.kind = Mutation::Kind::Add;
    mu.menu = path;
    mu.id = formatId(nextNumber_);
    mu.after = std::move(*valid);
    fillDefaults(m->schema, mu.after);
    if (auto st = m->provider->prepare(mu); !st)
        return st.error();
    if (auto st = checkUnique(m->schema, m->records, 0, mu.after); !st)  // numbers start at 1
        return st.error();

    const std::uint64_t number = nextNumber_;
    Record rec{number, mu.after, false};
    const Status done = commit(*m, mu, m->persisted, [&] {
        Status st = db_->put(path, number, rec.properties);
        if (st)
            st = db_->setMeta("next-number", std::to_string(number + 1));
        return st;
    });
    if (!done)
        return done.error();
    ++nextNumber_;
    auto& stored = m->records[number] = std::move(rec);
    publish(*m, wire::Change::ADDED, number, &stored);
    return mu.id;
}

Status ObjectStore::commit(Menu& m, const Mutation& mutation, bool persist, const std::function<Status()>& write)
{
    persist = persist && db_;
    if (persist) {
        if (auto st = db_->begin(); !st)
            return st;
        if (auto st = write(); !st) {
            db_->rollback();
            return st;
        }
    }
    if (auto st = m.provider->apply(mutation); !st) {
        if (persist)
            db_->rollback();
        return st;
    }
    if (persist) {
        if (auto st = db_->commit(); !st) {
            m.provider->revert(mutation);
            return st;
        }
    }
    return {};
}

Status ObjectStore::set(const std::string& path, const std::string& id, const Properties& properties,
                        const std::vector<std::string>& unset)
{
    Menu* m = menu(path);
    if (!m)
        return Error::notFound("no such menu: " + path);
    auto n = parseId(id);
    auto it = n ? m->records.find(*n) : m->records.end();
    if (it == m->records.end())
        return Error::notFound("no such item: " + id);
    if (!m->schema.can_set())
        return Error{wire::ERROR_UNSUPPORTED, "cannot change items of " + path, {}};
    auto valid = validate(*m, properties, false, id);
    if (!valid)
        return valid.error();

    Mutation mu;
    mu.kind = Mutation::Kind::Set;
    mu.menu = path;
    mu.id = id;
    mu.before = it->second.properties;
    mu.after = mu.before;
    for (const auto& name : unset) {
        const wire::PropertySchema* p = protocol::findProperty(m->schema, name);
        if (!p)
            return Error::invalid(name, "unknown property " + name + " in " + path);
        if (p->read_only())
            return Error::invalid(name, name + " is read-only");
        if (p->required() && p->default_value().empty())
            return Error::invalid(name, name + " is required and cannot be unset");
        if (p->default_value().empty())
            mu.after.erase(name);
        else
            mu.after[name] = p->default_value();
    }
    for (const auto& [k, v] : *valid)
        mu.after[k] = v;
    if (mu.after == mu.before)
        return {};
    if (auto st = m->provider->prepare(mu); !st)
        return st;
    if (auto st = checkUnique(m->schema, m->records, *n, mu.after); !st)
        return st;

    if (auto st = commit(*m, mu, m->persisted && !it->second.observed, [&] { return db_->put(path, *n, mu.after); });
        !st)
        return st;
    // Keep observed read-only values the provider may have refreshed meanwhile.
    Record& rec = it->second;
    for (const auto& [k, v] : rec.properties)
        if (!mu.after.count(k) && !mu.before.count(k))
            mu.after[k] = v;
    rec.properties = std::move(mu.after);
    publish(*m, wire::Change::CHANGED, *n, &rec);
    return {};
}

Status ObjectStore::remove(const std::string& path, const std::string& id)
{
    Menu* m = menu(path);
    if (!m)
        return Error::notFound("no such menu: " + path);
    auto n = parseId(id);
    auto it = n ? m->records.find(*n) : m->records.end();
    if (it == m->records.end())
        return Error::notFound("no such item: " + id);
    if (!m->schema.can_remove())
        return Error{wire::ERROR_UNSUPPORTED, "cannot remove items of " + path, {}};

    Mutation mu;
    mu.kind = Mutation::Kind::Remove;
    mu.menu = path;
    mu.id = id;
    mu.before = it->second.properties;
    if (auto st = m->provider->prepare(mu); !st)
        return st;
    if (auto st = commit(*m, mu, m->persisted && !it->second.observed, [&] { return db_->erase(path, *n); }); !st)
        return st;
    m->records.erase(it);
    publish(*m, wire::Change::REMOVED, *n, nullptr);
    return {};
}

Result<Properties> ObjectStore::checkCommand(const std::string& path, const std::string& cmd, const std::string& id,
                                             const Properties& arguments) const
{
    const Menu* m = menu(path);
    if (!m)
        return Error::notFound("no such menu: " + path);
    const wire::CommandSchema* c = protocol::findCommand(m->schema, cmd);
    if (!c)
        return Error::notFound("no such command: " + cmd + " in " + path);
    if (c->targets_object()) {
        auto n = parseId(id);
        if (!n || !m->records.count(*n))
            return Error::notFound("no such item: " + (id.empty() ? std::string("(none given)") : id));
    }
    Properties args;
    for (const auto& [name, value] : arguments) {
        const wire::ArgumentSchema* a = nullptr;
        for (const auto& candidate : c->arguments())
            if (candidate.name() == name)
                a = &candidate;
        if (!a)
            return Error::invalid(name, "unknown argument " + name + " for " + cmd);
        auto v = protocol::parseArgument(*a, value);
        if (!v)
            return v.error();
        args[name] = *v;
    }
    for (const auto& a : c->arguments())
        if (a.required() && !args.count(a.name()))
            return Error::invalid(a.name(), "missing " + a.name() + ": it is required");
    return args;
}

Result<std::string> ObjectStore::command(const std::string& path, const std::string& cmd, const std::string& id,
                                         const Properties& arguments)
{
    auto args = checkCommand(path, cmd, id, arguments);
    if (!args)
        return args.error();
    return menu(path)->provider->command(path, cmd, id, *args);
}

void ObjectStore::commandAsync(const std::string& path, const std::string& cmd, const std::string& id,
                               const Properties& arguments, CommandJob job)
{
    auto args = checkCommand(path, cmd, id, arguments);
    if (!args)
        return job.done(args.error());
    menu(path)->provider->commandAsync(path, cmd, id, *args, std::move(job));
}

std::string ObjectStore::addObserved(const std::string& path, const Properties& properties)
{
    Menu* m = menu(path);
    if (!m)
        return {};
    const std::uint64_t number = nextNumber_++;
    auto& rec = m->records[number] = Record{number, properties, true};
    publish(*m, wire::Change::ADDED, number, &rec);
    return formatId(number);
}

void ObjectStore::update(const std::string& path, const std::string& id, const Properties& properties)
{
    Menu* m = menu(path);
    auto n = parseId(id);
    if (!m || !n)
        return;
    auto it = m->records.find(*n);
    if (it == m->records.end())
        return;
    Record& rec = it->second;
    bool changed = false;
    bool writableChanged = false;
    for (const auto& [k, v] : properties) {
        auto jt = rec.properties.find(k);
        if (jt != rec.properties.end() && jt->second == v)
            continue;
        rec.properties[k] = v;
        changed = true;
        const wire::PropertySchema* p = protocol::findProperty(m->schema, k);
        if (!p || !p->read_only())
            writableChanged = true;
    }
    if (!changed)
        return;
    if (writableChanged && m->persisted && db_ && !rec.observed) {
        if (auto st = db_->put(path, *n, rec.properties); !st)
            qWarning("cannot persist %s %s: %s", path.c_str(), id.c_str(), st.error().text().c_str());
    }
    publish(*m, wire::Change::CHANGED, *n, &rec);
}

std::string ObjectStore::ensureSingleton(const std::string& path, const Properties& defaults)
{
    Menu* m = menu(path);
    if (!m)
        return {};
    if (!m->records.empty())
        return formatId(m->records.begin()->first);
    const std::uint64_t number = nextNumber_++;
    if (m->persisted && db_) {
        if (auto st = db_->put(path, number, defaults); !st)
            qWarning("cannot persist %s: %s", path.c_str(), st.error().text().c_str());
        (void)db_->setMeta("next-number", std::to_string(nextNumber_));
    }
    auto& rec = m->records[number] = Record{number, defaults, !m->persisted};
    publish(*m, wire::Change::ADDED, number, &rec);
    return formatId(number);
}

void ObjectStore::removeObserved(const std::string& path, const std::string& id)
{
    Menu* m = menu(path);
    auto n = parseId(id);
    if (!m || !n)
        return;
    auto it = m->records.find(*n);
    if (it == m->records.end())
        return;
    if (m->persisted && db_ && !it->second.observed)
        (void)db_->erase(path, *n);
    m->records.erase(it);
    publish(*m, wire::Change::REMOVED, *n, nullptr);
}

const Properties* ObjectStore::find(const std::string& path, const std::string& id) const
{
    const Menu* m = menu(path);
    auto n = parseId(id);
    if (!m || !n)
        return nullptr;
    auto it = m->records.find(*n);
    return it == m->records.end() ? nullptr : &it->second.properties;
}

std::string ObjectStore::findBy(const std::string& path, const std::string& property, const std::string& value) const
{
    const Menu* m = menu(path);
    if (!m)
        return {};
    for (const auto& [n, r] : m->records) {
        auto it = r.properties.find(property);
        if (it != r.properties.end() && it->second == value)
            return formatId(n);
    }
    return {};
}

std::string ObjectStore::findIf(const std::string& path, const std::function<bool(const Properties&)>& match,
                                bool includeObserved) const
{
    const Menu* m = menu(path);
    if (!m)
        return {};
    for (const auto& [n, r] : m->records)
        if ((includeObserved || !r.observed) && match(r.properties))
            return formatId(n);
    return {};
}

std::vector<std::string> ObjectStore::ids(const std::string& path) const
{
    std::vector<std::string> out;
    if (const Menu* m = menu(path))
        for (const auto& [n, r] : m->records)
            out.push_back(formatId(n));
    return out;
}

bool ObjectStore::isObserved(const std::string& path, const std::string& id) const
{
    const Menu* m = menu(path);
    auto n = parseId(id);
    if (!m || !n)
        return false;
    auto it = m->records.find(*n);
    return it != m->records.end() && it->second.observed;
}

std::uint64_t ObjectStore::subscribe(const std::string& path, Listener listener)
{
    Menu* m = menu(path);
    if (!m)
        return 0;
    flush();  // the caller's snapshot must not contain changes an event will repeat
    const std::uint64_t id = nextSubscription_++;
    m->listeners[id] = std::move(listener);
    subscriptionMenu_[id] = path;
    return id;
}

void ObjectStore::unsubscribe(std::uint64_t subscription)
{
    auto it = subscriptionMenu_.find(subscription);
    if (it == subscriptionMenu_.end())
        return;
    if (Menu* m = menu(it->second))
        m->listeners.erase(subscription);
    subscriptionMenu_.erase(it);
}

void ObjectStore::publish(Menu& m, wire::Change::Kind kind, std::uint64_t number, const Record* r)
{
    ++revision_;
    if (m.listeners.empty())
        return;
    const std::string id = formatId(number);
    // Coalesce changes of one object within a batch.
    for (auto it = m.pending.begin(); it != m.pending.end(); ++it) {
        if (it->object().id() != id)
            continue;
        if (kind == wire::Change::REMOVED) {
            if (it->kind() == wire::Change::ADDED) {
                m.pending.erase(it);
                return;
            }
            it->set_kind(wire::Change::REMOVED);
            it->mutable_object()->clear_properties();
            return;
        }
        if (kind == wire::Change::CHANGED && it->kind() != wire::Change::REMOVED) {
            *it->mutable_object() = toWire(m, number, *r);
            return;
        }
        break;
    }
    wire::Change c;
    c.set_kind(kind);
    if (r)
        *c.mutable_object() = toWire(m, number, *r);
    else
        c.mutable_object()->set_id(id);
    m.pending.push_back(std::move(c));
    scheduleFlush();
}

void ObjectStore::scheduleFlush()
{
    if (flushScheduled_)
        return;
    flushScheduled_ = true;
    QTimer::singleShot(0, this, &ObjectStore::flush);
}

void ObjectStore::flush()
{
    flushScheduled_ = false;
    for (auto& [path, m] : menus_) {
        if (m.pending.empty())
            continue;
        std::vector<wire::Change> batch;
        batch.swap(m.pending);
        // Listeners may unsubscribe while being called.
        std::vector<std::uint64_t> ids;
        for (const auto& [id, l] : m.listeners)
            ids.push_back(id);
        for (auto id : ids) {
            auto it = m.listeners.find(id);
            if (it != m.listeners.end())
                it->second(revision_, batch);
        }
    }
}

}  // namespace mr::agent
