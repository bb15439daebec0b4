#pragma once
// What the issue-3 benchmark reads about a process from /proc: CPU time,
// resident and proportional memory, command line, liveness.

#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <vector>

namespace mr::bench {

struct ProcMemory {
    qint64 rssKiB = 0;  // VmRSS (/proc/PID/status)
    qint64 pssKiB = 0;  // Pss (/proc/PID/smaps_rollup); 0 when not available
};

// Where a QEMU's resident memory is: the guest's RAM (the anonymous mapping
// of exactly its size), TCG's translated-code buffer (the big anonymous
// executable mapping; absent under KVM), and everything else.
struct QemuMemoryParts {
    qint64 guestRamRssKiB = 0;
    qint64 tcgCodeRssKiB = 0;
    qint64 otherRssKiB = 0;
};

class ProcInfo final {
public:
    // utime + stime in clock ticks; -1 when the process is gone.
    static qint64 cpuTicks(qint64 pid);
    static double ticksPerSecond();
    static ProcMemory memory(qint64 pid);
    static QStringList cmdline(qint64 pid);
    static QemuMemoryParts qemuMemoryParts(qint64 pid, qint64 guestRamKiB);
    // Exists and is not a zombie.
    static bool alive(qint64 pid);
    // The pid in a pid file; 0 when missing or malformed.
    static qint64 pidFromFile(const QString& path);
};

// CPU used by a set of processes over a wall-clock window.
struct CpuWindow {
    double seconds = 0;         // wall clock
    double cpuSeconds = 0;      // utime + stime of all of them
    std::vector<double> perProcessCpuSeconds;
    double percentOfOneCore() const { return seconds > 0 ? 100.0 * cpuSeconds / seconds : 0; }
};

// Samples the processes' CPU time at the start and the end of `seconds`,
// running the event loop in between.
CpuWindow measureCpu(const std::vector<qint64>& pids, double seconds);

}  // namespace mr::bench
