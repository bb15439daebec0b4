#include "vm_bench_proc.h"

#include <QElapsedTimer>
#include <QFile>

#include <unistd.h>

#include "wait_until.h"

namespace mr::bench {

namespace {

QByteArray readProcFile(const QString& path)
{
    QFile f(path);
    // /proc files report size 0: read until the end.
    if (!f.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return {};
    return f.readAll();
}

qint64 kiBField(const QByteArray& text, const QByteArray& key)
{
    for (const QByteArray& line : text.split('\n'))
        if (line.startsWith(key))
            return line.mid(key.size()).trimmed().split(' ').value(0).toLongLong();
    return 0;
}

}  // namespace

qint64 ProcInfo::cpuTicks(qint64 pid)
{
    const QByteArray stat = readProcFile(QStringLiteral("/proc/%1/stat").arg(pid));
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const qsizetype paren = stat.lastIndexOf(')');
    if (paren < 0)
        return -1;
    const QList<QByteArray> f = stat.mid(paren + 2).split(' ');
    // After the name: state(0) ... utime is field 14 of the whole line, i.e. index 11 here, stime 12.
    if (f.size() < 13)
        return -1;
    return f[11].toLongLong() + f[12].toLongLong();
}

double ProcInfo::ticksPerSecond()
{
    static const double hz = double(::sysconf(_SC_CLK_TCK));
    return hz;
}

ProcMemory ProcInfo::memory(qint64 pid)
{
    ProcMemory m;
    m.rssKiB = kiBField(readProcFile(QStringLiteral("/proc/%1/status").arg(pid)), "VmRSS:");
    m.pssKiB = kiBField(readProcFile(QStringLiteral("/proc/%1/smaps_rollup").arg(pid)), "Pss:");
    return m;
}

QemuMemoryParts ProcInfo::qemuMemoryParts(qint64 pid, qint64 guestRamKiB)
{
    QemuMemoryParts parts;
    const QByteArray smaps = readProcFile(QStringLiteral("/proc/%1/smaps").arg(pid));
    qint64 size = 0;
    bool anonymous = false, executable = false, ramFound = false;
    for (const QByteArray& line : smaps.split('\n')) {
        const QList<QByteArray> f = line.simplified().split(' ');
        // A mapping's header: "start-end perms offset dev inode [path]".
        if (f.size() >= 5 && f[0].contains('-') && f[1].size() == 4) {
            anonymous = f.size() == 5 && f[4] == "0";
            executable = f[1].contains('x');
            size = 0;
        } else if (line.startsWith("Size:")) {
            size = f.value(1).toLongLong();
        } else if (line.startsWith("Rss:")) {
            const qint64 rss = f.value(1).toLongLong();
            if (anonymous && !ramFound && size == guestRamKiB) {
                parts.guestRamRssKiB += rss;
                ramFound = true;
            } else if (anonymous && executable && size >= 64 * 1024) {
                parts.tcgCodeRssKiB += rss;
            } else {
                parts.otherRssKiB += rss;
            }
        }
    }
    return parts;
}

QStringList ProcInfo::cmdline(qint64 pid)
{
    QByteArray raw = readProcFile(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (raw.endsWith('\0'))
        raw.chop(1);
    QStringList out;
    if (raw.isEmpty())
        return out;
    for (const QByteArray& a : raw.split('\0'))
        out << QString::fromLocal8Bit(a);
    return out;
}

bool ProcInfo::alive(qint64 pid)
{
    if (pid <= 0)
        return false;
    const QByteArray stat = readProcFile(QStringLiteral("/proc/%1/stat").arg(pid));
    const qsizetype paren = stat.lastIndexOf(')');
    return paren > 0 && stat.size() > paren + 2 && stat.at(paren + 2) != 'Z';
}

qint64 ProcInfo::pidFromFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    bool ok = false;
    const qint64 pid = f.readAll().trimmed().toLongLong(&ok);
    return ok ? pid : 0;
}

CpuWindow measureCpu(const std::vector<qint64>& pids, double seconds)
{
    std::vector<qint64> before;
    before.reserve(pids.size());
    QElapsedTimer clock;
    clock.start();
    for (qint64 pid : pids)
        before.push_back(ProcInfo::cpuTicks(pid));
    sleepInLoop(qint64(seconds * 1000));
    CpuWindow w;
    for (std::size_t i = 0; i < pids.size(); ++i) {
        const qint64 after = ProcInfo::cpuTicks(pids[i]);
        const double s = (before[i] < 0 || after < 0) ? 0 : double(after - before[i]) / ProcInfo::ticksPerSecond();
        w.perProcessCpuSeconds.push_back(s);
        w.cpuSeconds += s;
    }
    w.seconds = double(clock.nsecsElapsed()) / 1e9;
    return w;
}

}  // namespace mr::bench
