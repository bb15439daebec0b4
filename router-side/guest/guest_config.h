#pragma once
// The guest's desired configuration (what the user set, not what the kernel
// shows), kept as small text after every change, so that a reboot re-applies
// it: on the raw virtual disk (/dev/vda) in the guest, or in a file.

#include <map>
#include <string>
#include <vector>

#include "error.h"

namespace mr::guest {

class GuestConfig {
public:
    struct Record {
        std::string id;  // "*1"; interfaces: their default name ("ether1")
        Properties properties;
    };

    explicit GuestConfig(std::string path = {}) : path_(std::move(path)) {}

    // A missing file is an empty configuration.
    Status load();
    // Write to a temporary file, fsync, rename. No path: nothing is kept.
    Status save() const;
    const std::string& path() const { return path_; }

    std::vector<Record>& records(const std::string& menu) { return menus_[menu]; }
    Record* find(const std::string& menu, const std::string& id);
    Properties& singleton(const std::string& menu);
    std::string nextId() { return "*" + hex(next_++); }

    static std::string hex(unsigned long long v);

private:
    std::string path_;
    std::map<std::string, std::vector<Record>> menus_;
    unsigned long long next_ = 1;
};

}  // namespace mr::guest
