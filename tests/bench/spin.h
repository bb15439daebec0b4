#pragma once
// Runs the calling thread's event loop until a condition holds or a time
// limit passes: the one way the benchmark waits, for the API and for the
// TCP baseline alike, so that both pay the same event-loop overhead.

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>

namespace mr::bench {

template <typename Done>
bool spinUntil(Done done, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, static_cast<int>(deadline.remainingTime()));
    }
    return true;
}

}  // namespace mr::bench
