#pragma once
// The guest's desired configuration (what the user set, not what the kernel
// shows), kept as small text after every change, so that a reboot re-applies
// it: on the raw virtual disk (/dev/vda) in the guest, or in a file.
//
// On a raw disk there is no rename to make a write atomic, so the text goes
// to two slots in turn, each with a sequence number and a CRC-32: a write cut
// short by a crash or power-off leaves the other, older slot intact, and load
// takes the newest slot whose checksum holds.

#include <cstddef>
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

    // Auto: slots on a block device, a plain file (write and rename) otherwise.
    enum class Storage { Auto, File, Slots };
    static constexpr std::size_t kSlotSize = 256 * 1024;

    explicit GuestConfig(std::string path = {}, Storage storage = Storage::Auto)
        : path_(std::move(path)), storage_(storage)
    {
    }

    // A missing file is an empty configuration.
    Status load();
    // File: write to a temporary file, fsync, rename. Slots: the slot not
    // holding the newest valid copy, then fsync. No path: nothing is kept.
    Status save();
    const std::string& path() const { return path_; }

    std::vector<Record>& records(const std::string& menu) { return menus_[menu]; }
    Record* find(const std::string& menu, const std::string& id);
    Properties& singleton(const std::string& menu);
    std::string nextId() { return "*" + hex(next_++); }

    static std::string hex(unsigned long long v);

private:
    bool useSlots() const;
    Status loadText(const std::string& text);
    Status saveSlot(const std::string& text);

    std::string path_;
    Storage storage_;
    unsigned long long sequence_ = 0;  // of the newest valid slot
    int slot_ = -1;                    // which one it is (-1: none)
    std::map<std::string, std::vector<Record>> menus_;
    unsigned long long next_ = 1;
};

}  // namespace mr::guest
