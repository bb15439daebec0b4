#pragma once
// The hypervisor's limits as /metarouter/settings holds them, read into
// numbers once per use.

#include <QtGlobal>

#include "error.h"

namespace mr::hv {

struct MetarouterSettings {
    int maxMetarouters = 16;
    int minMemoryMiB = 16;
    int maxMemoryMiB = 2048;
    qint64 hostMemoryReserveMiB = 256;
    qint64 diskFreeReserveMiB = 1024;
    int shutDownTimeoutS = 30;

    // Missing or malformed values keep their defaults.
    static MetarouterSettings fromProperties(const Properties& p);
};

}  // namespace mr::hv
