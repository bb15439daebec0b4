#pragma once
// The daemon's persistent desired configuration: one SQLite file in the
// state directory, written in transactions so that a kill -9 at any moment
// loses nothing that was acknowledged.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "error.h"

namespace mr::agent {

class Database {
public:
    struct Row {
        std::string menu;
        std::uint64_t number = 0;
        Properties properties;
    };

    static Result<std::unique_ptr<Database>> open(const std::string& path);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    Status begin();
    Status commit();
    void rollback();
    bool inTransaction() const { return depth_ > 0; }

    Status put(const std::string& menu, std::uint64_t number, const Properties& properties);
    Status erase(const std::string& menu, std::uint64_t number);
    Result<std::vector<Row>> load();

    Status setMeta(const std::string& key, const std::string& value);
    std::optional<std::string> meta(const std::string& key);

private:
    explicit Database(sqlite3* db) : db_(db) {}
    Status exec(const char* sql);
    Error sqlError(const std::string& what) const;

    sqlite3* db_ = nullptr;
    int depth_ = 0;
};

}  // namespace mr::agent
