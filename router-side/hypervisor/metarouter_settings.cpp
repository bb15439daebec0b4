#include "metarouter_settings.h"

#include <string>

namespace mr::hv {

namespace {

long long number(const Properties& p, const char* key, long long fallback)
{
    auto it = p.find(key);
    if (it == p.end() || it->second.empty())
        return fallback;
    try {
        return std::stoll(it->second);
    } catch (...) {
        return fallback;
    }
}

}  // namespace

MetarouterSettings MetarouterSettings::fromProperties(const Properties& p)
{
    MetarouterSettings s;
    s.maxMetarouters = int(number(p, "max-metarouters", s.maxMetarouters));
    s.minMemoryMiB = int(number(p, "min-memory", s.minMemoryMiB));
    s.maxMemoryMiB = int(number(p, "max-memory", s.maxMemoryMiB));
    s.hostMemoryReserveMiB = number(p, "host-memory-reserve", s.hostMemoryReserveMiB);
    s.diskFreeReserveMiB = number(p, "disk-free-reserve", s.diskFreeReserveMiB);
    s.shutDownTimeoutS = int(number(p, "shut-down-timeout", s.shutDownTimeoutS));
    return s;
}

}  // namespace mr::hv
