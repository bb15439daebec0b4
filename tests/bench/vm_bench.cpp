// vm_bench: the issue-3 benchmark. Drives a running metarouterd (started by
// scripts/bench-vm in a sandbox) and hand-started QEMUs with the same
// arguments, and prints, for the same guest image and host:
//   1. time from `/metarouter add` to `MetaRouter Login:` on the console,
//      beside QEMU started by hand (QemuCommandLine's arguments) to the same
//      prompt on its serial socket; several runs each, alternating, median;
//   2. host memory (RSS, PSS) of each metarouter's QEMU and of the daemon;
//   3. idle CPU of the QEMUs and the daemon with 1, 8 and 16 metarouters;
//   4. console echo latency and throughput through the daemon's console
//      stream beside QEMU's own serial socket.
// It prints figures; it never fails on speed. It removes every metarouter
// it added and kills the QEMUs it started (scripts/bench-vm also cleans up
// after a crash).

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <unistd.h>

#include "bench_client.h"
#include "disk_image.h"
#include "qemu_command_line.h"
#include "vm_bench_console.h"
#include "vm_bench_proc.h"
#include "wait_until.h"
#include "vm_spec.h"

using namespace mr;
using namespace mr::bench;

namespace {

const QByteArray kLoginPrompt = "MetaRouter Login:";
// The console measurements type into a busybox shell, which the default
// image gives admin only with "mr.shell" on the kernel command line (else
// mr-shell, the RouterOS-style command line). scripts/bench-vm therefore
// boots a copy of the default image with " mr.shell" appended to its
// manifest's cmdline and passes that directory as --guest-image-dir to both
// metarouterd and vm_bench (which checks that the daemon's QEMU boots it);
// the hand-started QEMUs copy the daemon's -kernel, -initrd and -append, so
// both sides boot the same image and command line.
const QByteArray kShellPrompt = "[admin@MetaRouter] >";
const QString kShellOption = QStringLiteral("mr.shell");

struct Config {
    QString stateDir;
    QString baselineDir;
    qint64 daemonPid = 0;
    QString jsonPath;
    QString guestImageDir;  // the image metarouterd boots (--guest-image-dir), to check against
    int memoryMiB = 96;
    int runs = 5;
    std::vector<int> counts{1, 8, 16};
    int echoes = 300;
    qint64 throughputBytes = 512 * 1024;  // per round
    int consoleRounds = 3;
    double settleSeconds = 10;
    double cpuSeconds = 10;
    int bootTimeoutS = 240;
    QString prefix = "vmb";
};

void note(const QString& s)
{
    std::fprintf(stderr, "vm_bench: %s\n", qPrintable(s));
    std::fflush(stderr);
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return NAN;
    std::sort(v.begin(), v.end());
    const double rank = p / 100.0 * double(v.size() - 1);
    const auto lo = std::size_t(std::floor(rank));
    const auto hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (rank - double(lo));
}

QJsonValue num(double v)
{
    return std::isnan(v) ? QJsonValue() : QJsonValue(v);
}

QJsonArray array(const std::vector<double>& v)
{
    QJsonArray a;
    for (double x : v)
        a.append(num(x));
    return a;
}

QString fixed(double v, int decimals, const QString& unit = {})
{
    return std::isnan(v) ? QStringLiteral("n/a") : QString::number(v, 'f', decimals) + unit;
}

QString mib(qint64 kib)
{
    return kib <= 0 ? QStringLiteral("n/a") : QString::number(double(kib) / 1024.0, 'f', 1) + " MiB";
}

QString rate(double bytesPerSecond)
{
    if (std::isnan(bytesPerSecond))
        return QStringLiteral("n/a");
    if (bytesPerSecond >= 1024 * 1024)
        return QString::number(bytesPerSecond / 1024 / 1024, 'f', 2) + " MiB/s";
    return QString::number(bytesPerSecond / 1024, 'f', 0) + " KiB/s";
}

// The value after `option` in a QEMU command line.
QString optionValue(const QStringList& args, const QString& option)
{
    const qsizetype i = args.indexOf(option);
    return i >= 0 && i + 1 < args.size() ? args[i + 1] : QString();
}

// A QEMU started by hand, as a user would: the program and arguments
// QemuCommandLine builds, run directly (no daemon, no detaching).
struct HandQemu {
    hv::VmSpec spec;
    std::unique_ptr<QProcess> process;
    std::unique_ptr<SocketConsole> console;
    qint64 pid = 0;

    ~HandQemu() { stop(); }
    void stop()
    {
        console.reset();
        if (process && process->state() != QProcess::NotRunning) {
            process->kill();
            process->waitForFinished(5000);
        }
        process.reset();
        if (!spec.runtimeDir.isEmpty())
            QDir(spec.runtimeDir).removeRecursively();
    }
};

struct Row {
    QString what, daemon, baseline, note;
};

class Bench {
public:
    Config cfg;
    QJsonObject json;

    bool connect()
    {
        protocol::ApiClient::Endpoint e;
        e.socketPath = cfg.stateDir + "/api.sock";
        QFile pw(cfg.stateDir + "/admin-password");
        const QString password = qEnvironmentVariable(
            "MR_PASSWORD", pw.open(QIODevice::ReadOnly) ? QString::fromUtf8(pw.readAll()).trimmed() : QString());
        QString error;
        if (!api_.open(e, "admin", password, &error)) {
            note("cannot log in to the daemon: " + error);
            return false;
        }
        return true;
    }

    int run(const QStringList& parts)
    {
        QElapsedTimer total;
        total.start();
        const QString accel = waitForAccelerator();
        if (accel.isEmpty())
            return 1;
        json["accelerator"] = accel;
        daemonBaselineMemory_ = ProcInfo::memory(cfg.daemonPid);
        ensureLimits();

        bool ok = bootTimes();
        if (ok && parts.contains("memory"))
            memoryOfOne();
        if (ok && parts.contains("cpu"))
            cpuOfOne();
        if (ok && parts.contains("console"))
            consoles();
        baseline_.reset();
        if (ok && parts.contains("cpu"))
            ok = manyMetarouters();
        cleanUp();

        QJsonObject meta{{"seconds", double(total.nsecsElapsed()) / 1e9},
                         {"cpus", QThread::idealThreadCount()},
                         {"memory_mib", cfg.memoryMiB},
                         {"runs", cfg.runs},
                         {"load_average_at_end", loadAverage()}};
        json["run"] = meta;
        printTable(accel, double(total.nsecsElapsed()) / 1e9);
        writeJson();
        return ok ? 0 : 1;
    }

    void cleanUp()
    {
        baseline_.reset();
        for (const QString& name : added_) {
            QString out;
            if (!cli("/metarouter remove " + name, &out))
                note("could not remove " + name + ": " + out);
        }
        added_.clear();
    }

private:
    BenchClient api_;
    std::vector<Row> rows_;
    std::unique_ptr<HandQemu> baseline_;
    std::vector<QString> added_;  // metarouters of ours that exist
    QString kept_;                // the booted metarouter used after the boot runs
    ProcMemory daemonBaselineMemory_;
    QStringList daemonArgs_;      // the daemon's QEMU command line (argv[0] first)

    void row(const QString& what, const QString& d, const QString& b = {}, const QString& n = {})
    {
        rows_.push_back({what, d, b, n});
    }

    // ------------------------------------------------------------ daemon helpers

    bool cli(const QString& script, QString* output = nullptr)
    {
        auto reply = api_.call(cliRequest(script.toStdString()), 60000);
        if (!reply) {
            if (output)
                *output = "no reply";
            return false;
        }
        if (output)
            *output = QString::fromStdString(reply->output() + replyError(*reply));
        return reply->error().code() == wire::ERROR_NONE;
    }

    std::map<QString, std::map<std::string, std::string>> objects(const std::string& menu)
    {
        std::map<QString, std::map<std::string, std::string>> out;
        auto reply = api_.call(getRequest(menu), 30000);
        if (!reply)
            return out;
        for (const auto& o : reply->objects()) {
            std::map<std::string, std::string> props(o.properties().begin(), o.properties().end());
            const auto name = props.count("name") ? props["name"] : o.id();
            out[QString::fromStdString(name)] = std::move(props);
        }
        return out;
    }

    QString runtimeDir(const QString& name) const { return cfg.stateDir + "/metarouters/" + name; }
    qint64 qemuPid(const QString& name) const { return ProcInfo::pidFromFile(runtimeDir(name) + "/qemu.pid"); }
    QString name(int i) const { return cfg.prefix + QString::number(i); }

    QString waitForAccelerator()
    {
        QElapsedTimer t;
        t.start();
        QString accel;
        waitUntil(
            [&] {
                for (const auto& [n, p] : objects("/system/resource")) {
                    auto it = p.find("virtualization");
                    if (it != p.end() && (it->second == "tcg" || it->second == "kvm"))
                        accel = QString::fromStdString(it->second);
                }
                if (accel.isEmpty())
                    sleepInLoop(100);
                return !accel.isEmpty();
            },
            60000);
        if (accel.isEmpty())
            note("the daemon did not decide on an accelerator within 60 s");
        else
            note(QStringLiteral("accelerator %1 (known %2 s after the bench started)")
                     .arg(accel)
                     .arg(double(t.elapsed()) / 1000, 0, 'f', 1));
        return accel;
    }

    void ensureLimits()
    {
        const int most = *std::max_element(cfg.counts.begin(), cfg.counts.end());
        int max = 16;
        for (const auto& [n, p] : objects("/metarouter/settings")) {
            auto it = p.find("max-metarouters");
            if (it != p.end())
                max = std::atoi(it->second.c_str());
        }
        QJsonObject limits{{"max_metarouters_before", max}};
        if (most > max) {
            QString out;
            if (!cli(QStringLiteral("/metarouter settings set max-metarouters=%1").arg(most), &out))
                note("cannot raise max-metarouters: " + out);
            limits["max_metarouters_set"] = most;
        }
        json["limits"] = limits;
    }

    // ------------------------------------------------------------ 1. boot times

    struct Boot {
        double promptS = NAN;     // add (or QEMU start) to the login prompt
        double addReplyS = NAN;   // daemon: the add's reply
        double attachS = NAN;     // daemon: console stream open / baseline: socket connected
        bool promptInReplay = false;
    };

    std::optional<Boot> bootDaemon(const QString& name, std::unique_ptr<DaemonConsole>* keep)
    {
        Boot b;
        QElapsedTimer t;
        t.start();
        QString out;
        if (!cli(QStringLiteral("/metarouter add name=%1 memory-size=%2").arg(name).arg(cfg.memoryMiB), &out)) {
            note("add " + name + " failed: " + out);
            return std::nullopt;
        }
        added_.push_back(name);
        b.addReplyS = double(t.nsecsElapsed()) / 1e9;
        auto console = std::make_unique<DaemonConsole>(api_.api());
        QString error;
        while (!console->open(name, &error)) {
            if (t.elapsed() > cfg.bootTimeoutS * 1000LL) {
                note("console of " + name + " did not open: " + error);
                return std::nullopt;
            }
            sleepInLoop(10);
        }
        b.attachS = double(t.nsecsElapsed()) / 1e9;
        if (!console->waitFor(kLoginPrompt, int(cfg.bootTimeoutS * 1000LL - t.elapsed()))) {
            note("no login prompt from " + name + ": " + console->closeReason() + "\n" +
                 QString::fromLocal8Bit(console->out().right(1500)));
            return std::nullopt;
        }
        b.promptS = double(t.nsecsElapsed()) / 1e9;
        // A prompt that came with the replay of a late attach would time the attach, not the boot.
        b.promptInReplay = (b.promptS - b.attachS) < 0.02;
        if (daemonArgs_.isEmpty()) {
            daemonArgs_ = ProcInfo::cmdline(qemuPid(name));
            if (!checkGuestImage())
                return std::nullopt;
        }
        if (keep)
            *keep = std::move(console);
        return b;
    }

    // The daemon's QEMU boots the image of --guest-image-dir, with its
    // manifest's command line, and that has mr.shell (the console
    // measurements need the shell); the hand-started ones copy the daemon's.
    bool checkGuestImage() const
    {
        const QString append = optionValue(daemonArgs_, "-append");
        if (!cfg.guestImageDir.isEmpty()) {
            QString cmdline;
            QFile m(cfg.guestImageDir + "/manifest");
            if (m.open(QIODevice::ReadOnly))
                for (const QByteArray& line : m.readAll().split('\n'))
                    if (line.startsWith("cmdline="))
                        cmdline = QString::fromUtf8(line.mid(8));
            const QString dir = QFileInfo(cfg.guestImageDir).canonicalFilePath();
            const QString kernelDir = QFileInfo(QFileInfo(optionValue(daemonArgs_, "-kernel")).canonicalFilePath()).path();
            if (append != cmdline || kernelDir != dir) {
                note("metarouterd does not boot the image of --guest-image-dir " + cfg.guestImageDir + " (kernel in " +
                     kernelDir + ", -append '" + append + "', manifest cmdline '" + cmdline + "')");
                return false;
            }
        }
        if (!append.split(' ').contains(kShellOption))
            note("the guest's kernel command line lacks " + kShellOption +
                 ": admin gets mr-shell, and the console measurements will fail (use scripts/bench-vm)");
        return true;
    }

    // The hand-started QEMU's spec: what the daemon's QEMU got (kernel,
    // initrd, command line, memory, accelerator, user), our own paths.
    hv::VmSpec baselineSpec(const QString& name, const QString& dir) const
    {
        hv::VmSpec s;
        s.name = name;
        s.runtimeDir = dir;
        s.memoryMiB = optionValue(daemonArgs_, "-m").toInt();
        s.accel = optionValue(daemonArgs_, "-accel") == "kvm" ? hv::Accel::Kvm : hv::Accel::Tcg;
        s.cpus = std::max(1, optionValue(daemonArgs_, "-smp").toInt());
        s.kernel = optionValue(daemonArgs_, "-kernel");
        s.initrd = optionValue(daemonArgs_, "-initrd");
        s.append = optionValue(daemonArgs_, "-append");
        s.disk = dir + "/disk.qcow2";
        s.runAs = optionValue(daemonArgs_, "-runas");
        s.sandbox = daemonArgs_.contains("-sandbox");
        if (!daemonArgs_.isEmpty())
            s.qemuBinary = daemonArgs_.first();
        return s;
    }

    std::optional<Boot> bootBaseline(int run, std::unique_ptr<HandQemu>* keep, double* diskSeconds,
                                     QStringList* argsOut)
    {
        auto q = std::make_unique<HandQemu>();
        // The same name as the daemon's guest: -name and paths are then the only differences.
        const QString dir = QStringLiteral("%1/run%2").arg(cfg.baselineDir).arg(run);
        QDir(dir).removeRecursively();
        QDir().mkpath(dir);
        q->spec = baselineSpec(kept_.isEmpty() ? name(1) : kept_, dir);
        QElapsedTimer d;
        d.start();
        // As the daemon does for a metarouter with no disk-size: a growing qcow2.
        if (auto st = hv::DiskImage::create(q->spec.disk, 0); !st) {
            note("cannot create the baseline disk: " + QString::fromStdString(st.error().text()));
            return std::nullopt;
        }
        *diskSeconds = double(d.nsecsElapsed()) / 1e9;
        auto program = hv::QemuCommandLine::program(q->spec);
        auto args = hv::QemuCommandLine::arguments(q->spec);
        if (!program || !args) {
            note("QemuCommandLine: " + QString::fromStdString((!program ? program.error() : args.error()).text()));
            return std::nullopt;
        }
        if (argsOut)
            *argsOut = QStringList{*program} + *args;
        q->process = std::make_unique<QProcess>();
        q->process->setProcessChannelMode(QProcess::MergedChannels);
        q->process->setStandardOutputFile(q->spec.logFile());
        // A session of its own, as the daemon's detached QEMUs have (and so,
        // with autogroup scheduling, a scheduling group of its own too).
        q->process->setChildProcessModifier([] { ::setsid(); });
        q->console = std::make_unique<SocketConsole>();
        Boot b;
        QElapsedTimer t;
        t.start();
        q->process->start(*program, *args);
        if (!q->process->waitForStarted(10000)) {
            note("cannot start " + *program + ": " + q->process->errorString());
            return std::nullopt;
        }
        q->pid = q->process->processId();
        if (!q->console->connectTo(q->spec.consoleSocket(), 30000)) {
            note("cannot connect to " + q->spec.consoleSocket());
            return std::nullopt;
        }
        b.attachS = double(t.nsecsElapsed()) / 1e9;
        if (!q->console->waitFor(kLoginPrompt, cfg.bootTimeoutS * 1000)) {
            QFile log(q->spec.logFile());
            log.open(QIODevice::ReadOnly);
            note("no login prompt from the hand-started QEMU: " + QString::fromLocal8Bit(log.readAll()) + "\n" +
                 QString::fromLocal8Bit(q->console->out().right(1500)));
            return std::nullopt;
        }
        b.promptS = double(t.nsecsElapsed()) / 1e9;
        if (keep)
            *keep = std::move(q);
        return b;
    }

    // The daemon's QEMU arguments against the hand-started one's: equal
    // once the runtime directory is swapped?
    QJsonObject compareArguments(const QStringList& hand, const QString& handDir)
    {
        QStringList daemon = daemonArgs_;
        const QString daemonDir = runtimeDir(kept_.isEmpty() ? name(1) : kept_);
        for (QString& a : daemon)
            a.replace(daemonDir, handDir);
        QJsonArray diffs;
        for (qsizetype i = 0; i < std::max(daemon.size(), hand.size()); ++i)
            if (daemon.value(i) != hand.value(i))
                diffs.append(QStringLiteral("#%1 daemon '%2' hand '%3'").arg(i).arg(daemon.value(i), hand.value(i)));
        return QJsonObject{{"daemon", QJsonArray::fromStringList(daemonArgs_)},
                           {"hand_started", QJsonArray::fromStringList(hand)},
                           {"identical_but_paths", diffs.isEmpty()},
                           {"differences", diffs}};
    }

    bool bootTimes()
    {
        note(QStringLiteral("1. boot: %1 runs each, alternating daemon / hand-started QEMU, %2 MiB")
                 .arg(cfg.runs)
                 .arg(cfg.memoryMiB));
        std::vector<double> daemonS, handS, addReply, attach, diskS;
        int inReplay = 0;
        QStringList handArgs;
        QString handDir;
        std::unique_ptr<DaemonConsole> keepConsole;
        for (int i = 1; i <= cfg.runs; ++i) {
            const bool last = i == cfg.runs;
            auto d = bootDaemon(name(1), last ? &keepConsole : nullptr);
            if (!d)
                return false;
            daemonS.push_back(d->promptS);
            addReply.push_back(d->addReplyS);
            attach.push_back(d->attachS);
            inReplay += d->promptInReplay ? 1 : 0;
            if (!last) {
                QString out;
                if (!cli("/metarouter remove " + name(1), &out))
                    note("remove: " + out);
                added_.erase(std::remove(added_.begin(), added_.end(), name(1)), added_.end());
            }
            double disk = 0;
            std::unique_ptr<HandQemu> keepQemu;
            auto h = bootBaseline(i, &keepQemu, &disk, &handArgs);
            if (!h)
                return false;
            handS.push_back(h->promptS);
            diskS.push_back(disk);
            handDir = keepQemu->spec.runtimeDir;
            if (last)
                baseline_ = std::move(keepQemu);
            note(QStringLiteral("  run %1: daemon %2 s, hand-started %3 s").arg(i).arg(d->promptS, 0, 'f', 2).arg(
                h->promptS, 0, 'f', 2));
        }
        kept_ = name(1);
        const QJsonObject args = compareArguments(handArgs, handDir);
        const double dm = percentile(daemonS, 50), hm = percentile(handS, 50);
        json["boot"] = QJsonObject{
            {"daemon_add_to_login_prompt_s", array(daemonS)},
            {"daemon_median_s", num(dm)},
            {"daemon_add_reply_s", array(addReply)},
            {"daemon_console_attached_s", array(attach)},
            {"daemon_prompt_in_replay_runs", inReplay},
            {"hand_started_start_to_login_prompt_s", array(handS)},
            {"hand_started_median_s", num(hm)},
            {"hand_started_qcow2_create_s", array(diskS)},
            {"arguments", args},
        };
        auto range = [](const std::vector<double>& v) {
            return QStringLiteral("%1 s (%2-%3)")
                .arg(percentile(v, 50), 0, 'f', 2)
                .arg(*std::min_element(v.begin(), v.end()), 0, 'f', 2)
                .arg(*std::max_element(v.begin(), v.end()), 0, 'f', 2);
        };
        row(QStringLiteral("add -> login prompt, median (min-max) of %1").arg(cfg.runs), range(daemonS), range(handS),
            QStringLiteral("%1 s (%2x)").arg(dm - hm >= 0 ? "+" + fixed(dm - hm, 2) : fixed(dm - hm, 2)).arg(dm / hm, 0, 'f', 2));
        row("  of which: add reply / console open", fixed(percentile(addReply, 50) * 1000, 0, " ms") + " / " +
                                                      fixed(percentile(attach, 50) * 1000, 0, " ms"),
            "qcow2 " + fixed(percentile(diskS, 50) * 1000, 0, " ms"),
            args["identical_but_paths"].toBool() ? "same QEMU arguments but paths"
                                                 : "QEMU ARGUMENTS DIFFER (see json)");
        if (inReplay)
            note(QStringLiteral("%1 daemon runs saw the prompt only in the console replay").arg(inReplay));
        return true;
    }

    // ------------------------------------------------------------ 2. memory

    void memoryOfOne()
    {
        note(QStringLiteral("2. memory: one booted guest each, after %1 s").arg(cfg.settleSeconds));
        sleepInLoop(qint64(cfg.settleSeconds * 1000));
        const ProcMemory d = ProcInfo::memory(qemuPid(kept_));
        const ProcMemory h = ProcInfo::memory(baseline_->pid);
        const ProcMemory daemon = ProcInfo::memory(cfg.daemonPid);
        const auto dp = ProcInfo::qemuMemoryParts(qemuPid(kept_), cfg.memoryMiB * 1024LL);
        const auto hp = ProcInfo::qemuMemoryParts(baseline_->pid, cfg.memoryMiB * 1024LL);
        auto partsJson = [](const QemuMemoryParts& p) {
            return QJsonObject{{"guest_ram_rss_kib", p.guestRamRssKiB},
                               {"tcg_code_buffer_rss_kib", p.tcgCodeRssKiB},
                               {"other_rss_kib", p.otherRssKiB}};
        };
        auto partsText = [](const QemuMemoryParts& p) {
            return QStringLiteral("RAM %1 + TCG code %2 + other %3")
                .arg(p.guestRamRssKiB / 1024)
                .arg(p.tcgCodeRssKiB / 1024)
                .arg(p.otherRssKiB / 1024);
        };
        json["memory_one"] = QJsonObject{
            {"daemon_qemu_parts", partsJson(dp)},
            {"hand_qemu_parts", partsJson(hp)},
            {"daemon_qemu_rss_kib", d.rssKiB},   {"daemon_qemu_pss_kib", d.pssKiB},
            {"hand_qemu_rss_kib", h.rssKiB},     {"hand_qemu_pss_kib", h.pssKiB},
            {"metarouterd_rss_kib", daemon.rssKiB}, {"metarouterd_pss_kib", daemon.pssKiB},
            {"metarouterd_rss_kib_before_any", daemonBaselineMemory_.rssKiB},
        };
        row(QStringLiteral("QEMU RSS / PSS, 1 guest (%1 MiB)").arg(cfg.memoryMiB), mib(d.rssKiB) + " / " + mib(d.pssKiB),
            mib(h.rssKiB) + " / " + mib(h.pssKiB));
        row("  resident parts, MiB", partsText(dp), partsText(hp));
        row("metarouterd RSS / PSS (before any guest)", mib(daemon.rssKiB) + " / " + mib(daemon.pssKiB), {},
            "(" + mib(daemonBaselineMemory_.rssKiB) + ")");
    }

    // ------------------------------------------------------------ 3. idle CPU

    QJsonObject cpuJson(const CpuWindow& w, int qemus)
    {
        const double daemonS = w.perProcessCpuSeconds.empty() ? 0 : w.perProcessCpuSeconds.back();
        std::vector<double> perQemu(w.perProcessCpuSeconds.begin(),
                                    w.perProcessCpuSeconds.begin() + std::min<qsizetype>(qemus, qsizetype(w.perProcessCpuSeconds.size())));
        std::vector<double> perQemuPct;
        for (double s : perQemu)
            perQemuPct.push_back(100.0 * s / w.seconds);
        const int cpus = QThread::idealThreadCount();
        return QJsonObject{{"window_s", w.seconds},
                           {"cpu_s", w.cpuSeconds},
                           {"percent_of_one_core", w.percentOfOneCore()},
                           {"percent_of_machine", w.percentOfOneCore() / cpus},
                           {"daemon_percent_of_one_core", 100.0 * daemonS / w.seconds},
                           {"per_qemu_percent_of_one_core", array(perQemuPct)}};
    }

    QString cpuText(const CpuWindow& w) const
    {
        const int cpus = QThread::idealThreadCount();
        return QStringLiteral("%1% core (%2% of %3 CPUs)")
            .arg(w.percentOfOneCore(), 0, 'f', 1)
            .arg(w.percentOfOneCore() / cpus, 0, 'f', 1)
            .arg(cpus);
    }

    void cpuOfOne()
    {
        note(QStringLiteral("3. idle CPU, 1 guest each, %1 s").arg(cfg.cpuSeconds));
        // One window for both: the daemon's QEMU and the daemon, and the hand-started QEMU.
        const CpuWindow w = measureCpu({qemuPid(kept_), baseline_->pid, cfg.daemonPid}, cfg.cpuSeconds);
        CpuWindow d;
        d.seconds = w.seconds;
        d.perProcessCpuSeconds = {w.perProcessCpuSeconds[0], w.perProcessCpuSeconds[2]};
        d.cpuSeconds = d.perProcessCpuSeconds[0] + d.perProcessCpuSeconds[1];
        CpuWindow h;
        h.seconds = w.seconds;
        h.perProcessCpuSeconds = {w.perProcessCpuSeconds[1]};
        h.cpuSeconds = h.perProcessCpuSeconds[0];
        QJsonObject one = cpuJson(d, 1);
        QJsonObject hand = cpuJson(h, 1);
        hand.remove("daemon_percent_of_one_core");
        one["hand_started_qemu"] = hand;
        levels_["1"] = one;
        row("idle CPU, 1 metarouter (QEMU + daemon)", cpuText(d), cpuText(h),
            "daemon " + fixed(one["daemon_percent_of_one_core"].toDouble(), 2, "%"));
    }

    QJsonObject levels_;

    bool waitAllRunning(const std::vector<QString>& names, double* seconds)
    {
        QElapsedTimer t;
        t.start();
        std::map<QString, std::map<std::string, std::string>> all;
        const bool ok = waitUntil(
            [&] {
                all = objects("/metarouter");
                int running = 0;
                for (const QString& n : names)
                    running += (all.count(n) && all[n]["state"] == "running") ? 1 : 0;
                if (running == int(names.size()))
                    return true;
                sleepInLoop(250);
                return false;
            },
            cfg.bootTimeoutS * 1000LL);
        *seconds = double(t.nsecsElapsed()) / 1e9;
        if (!ok) {
            QString states;
            for (const QString& n : names)
                states += n + "=" + QString::fromStdString(all[n]["state"]) + " ";
            note("not all running after " + QString::number(*seconds, 'f', 0) + " s: " + states);
        }
        return ok;
    }

    bool manyMetarouters()
    {
        std::vector<QString> running{kept_};
        for (int count : cfg.counts) {
            if (count <= 1)
                continue;
            std::vector<QString> fresh;
            for (int i = int(running.size()) + 1; i <= count; ++i) {
                QString out;
                if (!cli(QStringLiteral("/metarouter add name=%1 memory-size=%2").arg(name(i)).arg(cfg.memoryMiB),
                         &out)) {
                    note("add " + name(i) + ": " + out);
                    return false;
                }
                added_.push_back(name(i));
                fresh.push_back(name(i));
                running.push_back(name(i));
            }
            note(QStringLiteral("3. %1 metarouters: booting %2 more at once").arg(count).arg(fresh.size()));
            double bootS = 0;
            if (!waitAllRunning(running, &bootS))
                return false;
            note(QStringLiteral("  all running after %1 s; settling %2 s, measuring %3 s")
                     .arg(bootS, 0, 'f', 1)
                     .arg(cfg.settleSeconds)
                     .arg(cfg.cpuSeconds));
            sleepInLoop(qint64(cfg.settleSeconds * 1000));
            std::vector<qint64> pids;
            for (const QString& n : running)
                pids.push_back(qemuPid(n));
            pids.push_back(cfg.daemonPid);
            const CpuWindow w = measureCpu(pids, cfg.cpuSeconds);
            QJsonObject level = cpuJson(w, int(running.size()));
            level["boot_concurrently"] = int(fresh.size());
            level["all_running_after_s"] = bootS;
            std::vector<double> rss, pss;
            for (std::size_t i = 0; i + 1 < pids.size(); ++i) {
                const ProcMemory m = ProcInfo::memory(pids[i]);
                rss.push_back(double(m.rssKiB));
                pss.push_back(double(m.pssKiB));
            }
            const ProcMemory daemon = ProcInfo::memory(cfg.daemonPid);
            level["qemu_rss_kib"] = array(rss);
            level["qemu_pss_kib"] = array(pss);
            level["metarouterd_rss_kib"] = daemon.rssKiB;
            level["metarouterd_pss_kib"] = daemon.pssKiB;
            levels_[QString::number(count)] = level;
            double rssSum = 0;
            for (double r : rss)
                rssSum += r;
            row(QStringLiteral("idle CPU, %1 metarouters (QEMUs + daemon)").arg(count), cpuText(w), {},
                "daemon " + fixed(level["daemon_percent_of_one_core"].toDouble(), 2, "%"));
            row(QStringLiteral("  QEMU RSS median / total; daemon RSS"),
                mib(qint64(percentile(rss, 50))) + " / " + mib(qint64(rssSum)) + "; " + mib(daemon.rssKiB), {},
                QStringLiteral("%1 booted together in %2 s").arg(fresh.size()).arg(bootS, 0, 'f', 0));
        }
        json["cpu"] = levels_;
        return true;
    }

    // ------------------------------------------------------------ 4. consoles

    struct ConsoleResult {
        std::vector<double> echoMs;
        std::vector<double> throughputBps;  // one per round
        std::vector<double> throughputS;
        qint64 receivedBytes = 0;
        QString error;
    };

    // Keystrokes into the shell's line editor, each timed to its echo;
    // Ctrl-U clears the line now and then so that it never wraps. Nothing is
    // ever run.
    void echoes(BenchConsole& c, int count, ConsoleResult& r)
    {
        for (int i = 0; i < count && r.error.isEmpty(); ++i) {
            if (i % 40 == 0) {
                c.send("\x15");
                c.waitQuiet(50, 2000);
            }
            const qsizetype from = c.out().size();
            QElapsedTimer t;
            t.start();
            c.send("x");
            if (!c.waitFor("x", 5000, from))
                r.error = QStringLiteral("no echo after 5 s (%1)").arg(c.closeReason());
            else
                r.echoMs.push_back(double(t.nsecsElapsed()) / 1e6);
        }
        c.send("\x15");
        c.waitQuiet(100, 2000);
    }

    // The guest prints throughputBytes of "y\n" (the tty makes that
    // "y\r\n"), then a marker that the command's own echo cannot match.
    void throughput(BenchConsole& c, ConsoleResult& r)
    {
        if (!r.error.isEmpty())
            return;
        c.discard();
        const qint64 before = c.received();
        QElapsedTimer t;
        t.start();
        c.send(QStringLiteral("yes | head -c %1; echo VMB-END-$((6*7))\n").arg(cfg.throughputBytes).toLatin1());
        if (!c.waitFor("VMB-END-42", 300000)) {
            r.error = "throughput: no end marker (" + c.closeReason() + ")";
            return;
        }
        const double secs = double(t.nsecsElapsed()) / 1e9;
        r.receivedBytes += c.received() - before;
        r.throughputS.push_back(secs);
        r.throughputBps.push_back(double(c.received() - before) / secs);
        c.waitFor(kShellPrompt, 5000, c.out().indexOf("VMB-END-42"));
        c.waitQuiet(100, 2000);
        c.discard();
    }

    QJsonObject consoleJson(const ConsoleResult& r)
    {
        return QJsonObject{
            {"echo_samples", int(r.echoMs.size())},
            {"echo_median_ms", num(percentile(r.echoMs, 50))},
            {"echo_p99_ms", num(percentile(r.echoMs, 99))},
            {"echo_max_ms", num(r.echoMs.empty() ? NAN : *std::max_element(r.echoMs.begin(), r.echoMs.end()))},
            {"throughput_payload_bytes_per_round", double(cfg.throughputBytes)},
            {"throughput_received_bytes_total", double(r.receivedBytes)},
            {"throughput_seconds", array(r.throughputS)},
            {"throughput_bytes_per_second", array(r.throughputBps)},
            {"throughput_median_bytes_per_second", num(percentile(r.throughputBps, 50))},
            {"error", r.error}};
    }

    void consoles()
    {
        note(QStringLiteral("4. consoles: %1 rounds, alternating, of %2 keystrokes and %3 KiB of output each way")
                 .arg(cfg.consoleRounds)
                 .arg(cfg.echoes / cfg.consoleRounds)
                 .arg(cfg.throughputBytes / 1024));
        // Through the daemon: a console stream on our API connection.
        // Directly: QEMU's serial socket of the hand-started guest (still
        // connected since its boot run). Both guests sit at the login prompt.
        DaemonConsole d(api_.api());
        ConsoleResult viaDaemon, direct;
        QString error;
        if (!d.open(kept_, &error))
            viaDaemon.error = "cannot open the console: " + error;
        else if (!d.logIn())
            viaDaemon.error = "could not log in: " + QString::fromLocal8Bit(d.out().right(300));
        BenchConsole& h = *baseline_->console;
        if (!h.logIn())
            direct.error = "could not log in: " + QString::fromLocal8Bit(h.out().right(300));
        if (viaDaemon.error.isEmpty() && direct.error.isEmpty()) {
            const int perRound = std::max(1, cfg.echoes / cfg.consoleRounds);
            for (int round = 0; round < cfg.consoleRounds; ++round) {
                // Who goes first alternates: the machine is shared and noisy.
                std::pair<BenchConsole*, ConsoleResult*> order[2] = {{&d, &viaDaemon}, {&h, &direct}};
                if (round % 2)
                    std::swap(order[0], order[1]);
                for (auto [c, r] : order) {
                    echoes(*c, perRound, *r);
                    throughput(*c, *r);
                }
            }
        }
        for (const auto& [what, r] : {std::pair{"daemon", &viaDaemon}, std::pair{"direct", &direct}})
            if (!r->error.isEmpty())
                note(QStringLiteral("console (%1): %2").arg(what, r->error));
        json["console"] = QJsonObject{{"rounds", cfg.consoleRounds},
                                      {"through_daemon_stream", consoleJson(viaDaemon)},
                                      {"direct_qemu_socket", consoleJson(direct)}};
        auto echo = [](const ConsoleResult& r) {
            return fixed(percentile(r.echoMs, 50), 2, " ms") + " / " + fixed(percentile(r.echoMs, 99), 2, " ms");
        };
        const double dm = percentile(viaDaemon.echoMs, 50), hm = percentile(direct.echoMs, 50);
        row(QStringLiteral("console echo median / p99 (%1 keys)").arg(viaDaemon.echoMs.size()), echo(viaDaemon),
            echo(direct), (dm >= hm ? "+" : "") + fixed(dm - hm, 2, " ms median"));
        const double dt = percentile(viaDaemon.throughputBps, 50), ht = percentile(direct.throughputBps, 50);
        row(QStringLiteral("console output, median of %1 x %2 KiB of yes").arg(cfg.consoleRounds).arg(
                cfg.throughputBytes / 1024),
            rate(dt), rate(ht), fixed(100.0 * dt / ht, 0, "% of direct"));
    }

    // ------------------------------------------------------------ output

    static QString loadAverage()
    {
        QFile f("/proc/loadavg");
        return f.open(QIODevice::ReadOnly) ? QString::fromLatin1(f.readAll()).section(' ', 0, 2) : QString();
    }

    void printTable(const QString& accel, double seconds) const
    {
        const std::vector<QString> head{"measurement", "metarouterd", "hand-started QEMU", "note"};
        std::vector<int> w(4, 0);
        for (int i = 0; i < 4; ++i)
            w[i] = int(head[i].size());
        for (const Row& r : rows_) {
            const QString cells[4] = {r.what, r.daemon, r.baseline, r.note};
            for (int i = 0; i < 4; ++i)
                w[i] = std::max(w[i], int(cells[i].size()));
        }
        auto line = [&](const QString& a, const QString& b, const QString& c, const QString& d) {
            std::printf("%-*s  %-*s  %-*s  %s\n", w[0], qPrintable(a), w[1], qPrintable(b), w[2], qPrintable(c),
                        qPrintable(d));
        };
        std::printf("\nissue-3 benchmark: %s, %d MiB guests, %d CPUs, load %s at the end, %.0f s\n",
                    qPrintable(accel.toUpper()), cfg.memoryMiB, QThread::idealThreadCount(), qPrintable(loadAverage()),
                    seconds);
        line(head[0], head[1], head[2], head[3]);
        line(QString(w[0], '-'), QString(w[1], '-'), QString(w[2], '-'), QString(w[3], '-'));
        for (const Row& r : rows_)
            line(r.what, r.daemon, r.baseline, r.note);
        std::printf("\n");
        std::fflush(stdout);
    }

    void writeJson() const
    {
        if (cfg.jsonPath.isEmpty())
            return;
        QDir().mkpath(QFileInfo(cfg.jsonPath).absolutePath());
        QFile f(cfg.jsonPath);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            note("cannot write " + cfg.jsonPath);
            return;
        }
        f.write(QJsonDocument(json).toJson());
        std::printf("figures written to %s\n", qPrintable(cfg.jsonPath));
    }
};

}  // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("vm_bench");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "The issue-3 benchmark: metarouters as QEMU guests through a running metarouterd, beside QEMU started by "
        "hand with the same arguments. Prints figures; never fails on speed.");
    parser.addHelpOption();
    const QCommandLineOption stateDir("state-dir", "The daemon's state directory (api.sock, admin-password).", "DIR");
    const QCommandLineOption baseDir("baseline-dir", "Where hand-started QEMUs keep sockets and disks "
                                                     "(default STATE/baseline).", "DIR");
    const QCommandLineOption daemonPid("daemon-pid", "metarouterd's pid (for its CPU and memory).", "PID");
    const QCommandLineOption json("json", "Also write the figures as JSON to FILE.", "FILE");
    const QCommandLineOption imageDir("guest-image-dir", "The guest image metarouterd was given (checked: its "
                                                         "QEMUs must boot it; scripts/bench-vm passes a copy of "
                                                         "the default image with mr.shell).", "DIR");
    const QCommandLineOption memory("memory", "memory-size of every guest, MiB (default 96).", "MIB");
    const QCommandLineOption runs("runs", "Boot runs each way (default 5).", "N");
    const QCommandLineOption counts("counts", "Metarouters running for the idle-CPU figures (default 1,8,16).",
                                    "LIST");
    const QCommandLineOption echoes("echoes", "Keystrokes timed per console (default 300).", "N");
    const QCommandLineOption bytes("throughput-bytes", "Bytes the guest prints per console and round "
                                                       "(default 524288).", "N");
    const QCommandLineOption rounds("console-rounds", "Console rounds, alternating daemon and direct (default 3).",
                                    "N");
    const QCommandLineOption settle("settle", "Seconds to let guests settle before measuring (default 10).", "S");
    const QCommandLineOption cpu("cpu-seconds", "CPU measurement window (default 10).", "S");
    const QCommandLineOption only("only", "Besides the boot runs: memory,cpu,console (default all).", "LIST");
    parser.addOptions(
        {stateDir, baseDir, daemonPid, json, imageDir, memory, runs, counts, echoes, bytes, rounds, settle, cpu, only});
    parser.process(app);

    Bench b;
    b.cfg.stateDir = parser.value(stateDir);
    if (b.cfg.stateDir.isEmpty() || !parser.isSet(daemonPid)) {
        std::fprintf(stderr, "vm_bench: --state-dir and --daemon-pid are required\n");
        return 2;
    }
    b.cfg.baselineDir = parser.isSet(baseDir) ? parser.value(baseDir) : b.cfg.stateDir + "/baseline";
    b.cfg.daemonPid = parser.value(daemonPid).toLongLong();
    b.cfg.jsonPath = parser.value(json);
    b.cfg.guestImageDir = parser.value(imageDir);
    if (parser.isSet(memory))
        b.cfg.memoryMiB = parser.value(memory).toInt();
    if (parser.isSet(runs))
        b.cfg.runs = std::max(1, parser.value(runs).toInt());
    if (parser.isSet(counts)) {
        b.cfg.counts.clear();
        for (const QString& c : parser.value(counts).split(','))
            b.cfg.counts.push_back(std::max(1, c.toInt()));
        std::sort(b.cfg.counts.begin(), b.cfg.counts.end());
    }
    if (parser.isSet(echoes))
        b.cfg.echoes = std::max(1, parser.value(echoes).toInt());
    if (parser.isSet(bytes))
        b.cfg.throughputBytes = std::max<qint64>(1024, parser.value(bytes).toLongLong());
    if (parser.isSet(rounds))
        b.cfg.consoleRounds = std::max(1, parser.value(rounds).toInt());
    if (parser.isSet(settle))
        b.cfg.settleSeconds = parser.value(settle).toDouble();
    if (parser.isSet(cpu))
        b.cfg.cpuSeconds = std::max(1.0, parser.value(cpu).toDouble());
    const QStringList parts =
        parser.isSet(only) ? parser.value(only).split(',') : QStringList{"memory", "cpu", "console"};
    QDir().mkpath(b.cfg.baselineDir);

    if (!b.connect())
        return 1;
    // Killed half-way, scripts/bench-vm removes what is left (daemon, QEMUs, namespaces).
    return b.run(parts);
}
