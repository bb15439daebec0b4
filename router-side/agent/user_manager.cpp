#include "user_manager.h"

#include <QDateTime>
#include <QFile>
#include <QSaveFile>

#include <sstream>

#include "object_store.h"
#include "password_hash.h"
#include "schema_builder.h"

namespace mr::agent {

using namespace mr::protocol;

namespace {
constexpr const char* kMenu = "/user";

std::vector<std::string> splitList(const std::string& s)
{
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty())
            out.push_back(item);
    return out;
}
}  // namespace

UserManager::UserManager(QString stateDir) : stateDir_(std::move(stateDir)) {}

std::vector<wire::MenuSchema> UserManager::menus() const
{
    return {MenuBuilder(kMenu)
                .describe("users who may log in, and what they may do")
                .addable().removable().settable().key("name")
                .property(text("name").required().unique().describe("login name"))
                .property(enumeration("group").values({"full", "read", "tenant"}).def("read")
                              .describe("full: everything; read: look only; tenant: only the listed metarouters"))
                .property(text("metarouters").describe("tenant users: comma-separated metarouter names they may use"))
                .property(text("password").describe("the password (stored as a salted hash, never shown)"))
                .property(boolean("disabled").def("no"))
                .property(text("comment"))
                .property(text("last-logged-in").readOnly())
                .flag("X", "disabled", "disabled")
                .column("name", "NAME", 20)
                .column("group", "GROUP", 8)
                .column("metarouters", "METAROUTERS", 20)
                .column("last-logged-in", "LAST-LOGGED-IN", 20)};
}

bool UserManager::persists(const std::string&) const
{
    return true;
}

void UserManager::start(ObjectStore& store)
{
    store_ = &store;
    if (!store.ids(kMenu).empty())
        return;
    const std::string password = PasswordHash::randomPassword();
    auto id = store.add(kMenu, {{"name", "admin"}, {"group", "full"}, {"password", password},
                                {"comment", "created on first start"}});
    if (!id) {
        qCritical("cannot create the admin user: %s", id.error().text().c_str());
        return;
    }
    QSaveFile f(initialPasswordFile());
    if (f.open(QIODevice::WriteOnly)) {
        f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
        f.write(QByteArray::fromStdString(password + "\n"));
        f.commit();
    }
    qInfo("first start: the password of user admin is in %s (readable by root only)",
          qPrintable(initialPasswordFile()));
}

int UserManager::fullUsersExcept(const std::string& id) const
{
    int n = 0;
    for (const auto& other : store_->ids(kMenu)) {
        if (other == id)
            continue;
        const Properties* p = store_->find(kMenu, other);
        if (p && p->count("group") && p->at("group") == "full" && (!p->count("disabled") || p->at("disabled") != "yes"))
            ++n;
    }
    return n;
}

Status UserManager::prepare(Mutation& m)
{
    if (m.kind == Mutation::Kind::Remove) {
        if (m.before.count("group") && m.before.at("group") == "full" && fullUsersExcept(m.id) == 0)
            return Error::denied("cannot remove the last user of group full");
        return {};
    }
    if (auto it = m.after.find("name"); it != m.after.end()) {
        for (char c : it->second)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
                return Error::invalid("name", "user name may contain only letters, digits, '-', '_' and '.'");
    }
    if (m.kind == Mutation::Kind::Add && !m.after.count("password"))
        return Error::invalid("password", "missing password: a new user needs one");
    if (auto it = m.after.find("password"); it != m.after.end()) {
        m.after["password-hash"] = PasswordHash::hash(it->second);
        m.after.erase("password");
    }
    const std::string group = m.after.count("group") ? m.after.at("group") : "read";
    if (group == "tenant" && splitList(m.after.count("metarouters") ? m.after.at("metarouters") : "").empty())
        return Error::invalid("metarouters", "a tenant user needs at least one metarouter in metarouters");
    if (m.kind == Mutation::Kind::Set && store_ && m.before.count("group") && m.before.at("group") == "full" &&
        (group != "full" || (m.after.count("disabled") && m.after.at("disabled") == "yes")) &&
        fullUsersExcept(m.id) == 0)
        return Error::denied("cannot demote or disable the last user of group full");
    return {};
}

Status UserManager::apply(const Mutation&)
{
    return {};  // accounts live only in the store
}

Result<UserInfo> UserManager::authenticate(const std::string& name, const std::string& password)
{
    const Error bad{wire::ERROR_UNAUTHENTICATED, "invalid user name or password", {}};
    if (!store_)
        return bad;
    const std::string id = store_->findBy(kMenu, "name", name);
    const Properties* p = id.empty() ? nullptr : store_->find(kMenu, id);
    if (!p) {
        PasswordHash::verify(password, PasswordHash::hash("x"));  // same cost whether or not the user exists
        return bad;
    }
    auto hash = p->find("password-hash");
    if (hash == p->end() || !PasswordHash::verify(password, hash->second))
        return bad;
    if (p->count("disabled") && p->at("disabled") == "yes")
        return bad;
    UserInfo info;
    info.name = name;
    info.group = p->count("group") ? p->at("group") : "read";
    info.metarouters = splitList(p->count("metarouters") ? p->at("metarouters") : "");
    store_->update(kMenu, id,
                   {{"last-logged-in", QDateTime::currentDateTime().toString("MMM/dd/yyyy HH:mm:ss").toStdString()}});
    return info;
}

}  // namespace mr::agent
