#pragma once
// The one way the benchmarks wait, for the API and for the TCP baselines
// alike: blocks in the event loop until a condition holds or a time limit
// passes, sleeping between events. (QCoreApplication::processEvents(flags,
// ms) drops WaitForMoreEvents and would spin a core, stealing CPU from the
// daemon being measured on a 2-core machine.)

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>

namespace mr::bench {

template <typename Done>
bool waitUntil(Done done, qint64 timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs, Qt::PreciseTimer);
    QEventLoop loop;
    QTimer wake;
    wake.setSingleShot(true);
    wake.setTimerType(Qt::PreciseTimer);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        // The timer bounds the wait; any event (socket data, a timer) ends it earlier.
        wake.start(int(std::clamp<qint64>(deadline.remainingTime(), 1, 1000)));
        loop.processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

// Runs the event loop for ms milliseconds.
inline void sleepInLoop(qint64 ms)
{
    waitUntil([] { return false; }, ms);
}

}  // namespace mr::bench
