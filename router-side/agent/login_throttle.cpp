#include "login_throttle.h"

#include <algorithm>

namespace mr::agent {

qint64 LoginThrottle::nowMs() const
{
    if (!clock_.isValid())
        const_cast<QElapsedTimer&>(clock_).start();
    return clock_.elapsed();
}

int LoginThrottle::waitSeconds(const QString& source) const
{
    auto it = entries_.find(source);
    if (it == entries_.end())
        return 0;
    const qint64 left = it->second.blockedUntilMs - nowMs();
    return left > 0 ? static_cast<int>((left + 999) / 1000) : 0;
}

void LoginThrottle::failed(const QString& source)
{
    Entry& e = entries_[source];
    ++e.failures;
    if (e.failures >= kFreeAttempts) {
        const int shift = std::min(e.failures - kFreeAttempts, 6);
        const int delay = std::min(1 << shift, kMaxDelaySeconds);
        e.blockedUntilMs = nowMs() + delay * 1000LL;
    }
    if (entries_.size() > 10000)  // bound memory under a distributed attack
        entries_.erase(entries_.begin());
}

void LoginThrottle::succeeded(const QString& source)
{
    entries_.erase(source);
}

}  // namespace mr::agent
