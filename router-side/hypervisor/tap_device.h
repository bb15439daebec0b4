#pragma once

#include <QString>

#include <string>

#include <sys/types.h>

#include "error.h"

namespace mr::hv {

// A persistent host tap (vif1, ...) that outlives the QEMU using it: created
// here owned by the QEMU user, so that QEMU can open it again after it
// dropped root (hot-plug), with a MAC and up.
class TapDevice final {
public:
    // Creates the tap, or keeps an existing one (it may be attached to an
    // adopted QEMU), then sets its MAC (empty: leaves it) and brings it up.
    static mr::Status ensure(const std::string& name, const std::string& mac, uid_t owner, gid_t group);
    static mr::Status remove(const std::string& name);
    static bool exists(const std::string& name);
    static mr::Status setMac(const std::string& name, const std::string& mac);
};

}  // namespace mr::hv
