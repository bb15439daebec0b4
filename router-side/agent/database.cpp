#include "database.h"

#include "metarouter.pb.h"

namespace mr::agent {
namespace {

// Finalizes a prepared statement when it goes out of scope.
struct Statement {
    sqlite3_stmt* s = nullptr;
    ~Statement() { sqlite3_finalize(s); }
};

}  // namespace

Result<std::unique_ptr<Database>> Database::open(const std::string& path)
{
    sqlite3* handle = nullptr;
    if (sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        std::string msg = handle ? sqlite3_errmsg(handle) : "out of memory";
        sqlite3_close(handle);
        return Error::failed("cannot open database " + path + ": " + msg);
    }
    std::unique_ptr<Database> db(new Database(handle));
    sqlite3_busy_timeout(handle, 2000);
    for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                            "CREATE TABLE IF NOT EXISTS objects (menu TEXT NOT NULL, number INTEGER NOT NULL, "
                            "data BLOB NOT NULL, PRIMARY KEY (menu, number))",
                            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"}) {
        if (auto st = db->exec(sql); !st)
            return st.error();
    }
    return db;
}

Database::~Database()
{
    sqlite3_close(db_);
}

Error Database::sqlError(const std::string& what) const
{
    return Error::failed("database " + what + " failed: " + sqlite3_errmsg(db_));
}

Status Database::exec(const char* sql)
{
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        return Error::failed(std::string("database error: ") + msg);
    }
    return {};
}

Status Database::begin()
{
    if (depth_++ > 0)
        return {};
    auto st = exec("BEGIN IMMEDIATE");
    if (!st)
        depth_ = 0;
    return st;
}

Status Database::commit()
{
    if (depth_ == 0)
        return Error{wire::ERROR_INTERNAL, "commit without a transaction", {}};
    if (--depth_ > 0)
        return {};
    auto st = exec("COMMIT");
    if (!st)
        (void)exec("ROLLBACK");
    return st;
}

void Database::rollback()
{
    if (depth_ == 0)
        return;
    depth_ = 0;
    (void)exec("ROLLBACK");
}

Status Database::put(const std::string& menu, std::uint64_t number, const Properties& properties)
{
    wire::Object o;
    for (const auto& [k, v] : properties)
        (*o.mutable_properties())[k] = v;
    const std::string blob = o.SerializeAsString();
    Statement st;
    if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO objects (menu, number, data) VALUES (?, ?, ?)", -1, &st.s,
                           nullptr) != SQLITE_OK)
        return sqlError("prepare");
    sqlite3_bind_text(st.s, 1, menu.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st.s, 2, static_cast<sqlite3_int64>(number));
    sqlite3_bind_blob(st.s, 3, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(st.s) != SQLITE_DONE)
        return sqlError("write");
    return {};
}

Status Database::erase(const std::string& menu, std::uint64_t number)
{
    Statement st;
    if (sqlite3_prepare_v2(db_, "DELETE FROM objects WHERE menu = ? AND number = ?", -1, &st.s, nullptr) != SQLITE_OK)
        return sqlError("prepare");
    sqlite3_bind_text(st.s, 1, menu.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st.s, 2, static_cast<sqlite3_int64>(number));
    if (sqlite3_step(st.s) != SQLITE_DONE)
        return sqlError("delete");
    return {};
}

Result<std::vector<Database::Row>> Database::load()
{
    Statement st;
    if (sqlite3_prepare_v2(db_, "SELECT menu, number, data FROM objects ORDER BY number", -1, &st.s, nullptr) !=
        SQLITE_OK)
        return sqlError("prepare");
    std::vector<Row> rows;
    int rc;
    while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
        Row row;
        row.menu = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0));
        row.number = static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 1));
        wire::Object o;
        if (!o.ParseFromArray(sqlite3_column_blob(st.s, 2), sqlite3_column_bytes(st.s, 2)))
            return Error::failed("database holds an unreadable object in " + row.menu);
        row.properties.insert(o.properties().begin(), o.properties().end());
        rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE)
        return sqlError("read");
    return rows;
}

Status Database::setMeta(const std::string& key, const std::string& value)
{
    Statement st;
    if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", -1, &st.s, nullptr) !=
        SQLITE_OK)
        return sqlError("prepare");
    sqlite3_bind_text(st.s, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st.s, 2, value.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st.s) != SQLITE_DONE)
        return sqlError("write");
    return {};
}

std::optional<std::string> Database::meta(const std::string& key)
{
    Statement st;
    if (sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key = ?", -1, &st.s, nullptr) != SQLITE_OK)
        return std::nullopt;
    sqlite3_bind_text(st.s, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st.s) != SQLITE_ROW)
        return std::nullopt;
    return std::string(reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0)));
}

}  // namespace mr::agent
