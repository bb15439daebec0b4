#pragma once
// Undo steps collected while applying a multi-step kernel change; run in
// reverse order unless the change completed (commit()).

#include <functional>
#include <utility>
#include <vector>

namespace mr::net {

class Rollback {
public:
    Rollback() = default;
    Rollback(const Rollback&) = delete;
    Rollback& operator=(const Rollback&) = delete;
    ~Rollback()
    {
        for (auto it = undo_.rbegin(); it != undo_.rend(); ++it)
            (*it)();
    }

    void add(std::function<void()> step) { undo_.push_back(std::move(step)); }
    void commit() { undo_.clear(); }

private:
    std::vector<std::function<void()>> undo_;
};

}  // namespace mr::net
