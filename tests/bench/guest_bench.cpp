// guest_bench: the guest image on its own (issue 4). Boots the default guest
// image in QEMU with the arguments metarouterd uses (QemuCommandLine: TCG,
// a qcow2 disk, the manifest's kernel command line), several times, and
// prints the time from QEMU's start to `MetaRouter Login:` on the serial
// console, the time from typing the password to the command-line prompt,
// and the guest's memory in use after login as the guest itself reports it
// (/system resource print: total-memory - free-memory, i.e. /proc/meminfo
// MemTotal - MemAvailable), with the initrd's and kernel's sizes. Figures
// only: it never fails on speed. It kills the QEMUs it starts and removes
// its temporary directory.

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "disk_image.h"
#include "qemu_command_line.h"
#include "vm_bench_console.h"

namespace {

struct Run {
    qint64 bootMs = -1;    // QEMU start -> "MetaRouter Login:"
    qint64 loginMs = -1;   // password sent -> "[admin@MikroTik] >"
    qint64 usedKiB = -1;   // total-memory - free-memory, from the guest
    qint64 totalKiB = -1;
    QString error;
};

QString manifestValue(const QString& dir, const QString& key)
{
    QFile f(dir + "/manifest");
    if (!f.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith(key.toLatin1() + "="))
            return QString::fromUtf8(line.mid(key.size() + 1));
    return {};
}

Run bootOnce(const QString& imageDir, int memoryMiB, int timeoutS)
{
    Run r;
    QTemporaryDir dir(QDir::tempPath() + "/mr-guest-bench.XXXXXX");
    mr::hv::VmSpec spec;
    spec.name = "guest-bench";
    spec.runtimeDir = dir.path();
    spec.memoryMiB = memoryMiB;
    spec.accel = mr::hv::Accel::Tcg;
    spec.kernel = imageDir + "/" + manifestValue(imageDir, "kernel");
    spec.initrd = imageDir + "/" + manifestValue(imageDir, "initrd");
    spec.append = manifestValue(imageDir, "cmdline");
    spec.disk = dir.filePath("disk.qcow2");
    spec.runAs.clear();  // the temporary directory is root's
    if (auto s = mr::hv::DiskImage::create(spec.disk, 16 * 1024 * 1024); !s) {
        r.error = QString::fromStdString(s.error().text());
        return r;
    }
    auto program = mr::hv::QemuCommandLine::program(spec);
    auto args = mr::hv::QemuCommandLine::arguments(spec);
    if (!program || !args) {
        r.error = QString::fromStdString((!program ? program.error() : args.error()).text());
        return r;
    }
    QProcess qemu;
    qemu.setProcessChannelMode(QProcess::MergedChannels);
    QElapsedTimer t;
    t.start();
    qemu.start(*program, *args);
    if (!qemu.waitForStarted()) {
        r.error = "cannot start QEMU: " + qemu.errorString();
        return r;
    }
    mr::bench::SocketConsole console;
    auto fail = [&](const QString& what) {
        r.error = what + " (console: " + QString::fromLatin1(console.out().right(300)) + " qemu: " +
                  QString::fromLocal8Bit(qemu.readAll().right(300)) + ")";
    };
    if (!console.connectTo(spec.consoleSocket(), 10000)) {
        fail("no console socket");
    } else if (!console.waitFor("MetaRouter Login:", timeoutS * 1000)) {
        fail("no login prompt");
    } else {
        r.bootMs = t.elapsed();
        qsizetype from = console.out().size();
        console.send("admin\n");
        if (!console.waitFor("Password:", 10000, from)) {
            fail("no password prompt");
        } else {
            console.waitQuiet(300, 2000);  // mr-login turns echo off after the prompt
            from = console.out().size();
            QElapsedTimer l;
            l.start();
            console.send("\n");
            if (!console.waitFor("[admin@MikroTik] >", 20000, from)) {
                fail("no command-line prompt");
            } else {
                r.loginMs = l.elapsed();
                console.waitQuiet(300, 2000);
                from = console.out().size();
                console.send("/system resource print\n");
                if (!console.waitFor("platform:", 10000, from)) {
                    fail("no /system resource print");
                } else {
                    const QString out = QString::fromLatin1(console.out().mid(from));
                    const auto total = QRegularExpression("total-memory: (\\d+)kiB").match(out);
                    const auto free = QRegularExpression("free-memory: (\\d+)kiB").match(out);
                    if (total.hasMatch() && free.hasMatch()) {
                        r.totalKiB = total.captured(1).toLongLong();
                        r.usedKiB = r.totalKiB - free.captured(1).toLongLong();
                    } else {
                        fail("no memory figures in /system resource print");
                    }
                }
            }
        }
    }
    qemu.kill();  // the QEMU this run started
    qemu.waitForFinished(5000);
    return r;
}

qint64 median(std::vector<qint64> v)
{
    v.erase(std::remove(v.begin(), v.end(), -1), v.end());
    if (v.empty())
        return -1;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "The guest image benchmark: boot time to the login prompt, login time and memory in use, under TCG.");
    parser.addHelpOption();
    const QCommandLineOption imageDir("image-dir", "The guest image (default $MR_BUILD_DIR/guest or build/guest).",
                                      "DIR");
    const QCommandLineOption runs("runs", "Boots (default 3).", "N", "3");
    const QCommandLineOption memory("memory", "Guest memory, MiB (default 96, the manifest's min-memory).", "MIB",
                                    "96");
    const QCommandLineOption timeout("timeout", "Seconds to wait for the login prompt (default 120).", "S", "120");
    parser.addOptions({imageDir, runs, memory, timeout});
    parser.process(app);
    QString dir = parser.value(imageDir);
    if (dir.isEmpty())
        dir = qEnvironmentVariable("MR_BUILD_DIR", "build") + "/guest";
    if (!QFile::exists(dir + "/manifest")) {
        std::fprintf(stderr, "guest_bench: no guest image in %s (build mr_guest_image)\n", qPrintable(dir));
        return 1;
    }
    const int n = std::max(1, parser.value(runs).toInt());
    std::vector<qint64> boot, login, used;
    qint64 total = -1;
    for (int i = 0; i < n; ++i) {
        const Run r = bootOnce(dir, parser.value(memory).toInt(), parser.value(timeout).toInt());
        std::printf("run %d: boot to login prompt %lld ms, password to prompt %lld ms, memory in use %lld KiB of %lld KiB%s%s\n",
                    i + 1, static_cast<long long>(r.bootMs), static_cast<long long>(r.loginMs),
                    static_cast<long long>(r.usedKiB), static_cast<long long>(r.totalKiB),
                    r.error.isEmpty() ? "" : "  ERROR: ", qPrintable(r.error));
        std::fflush(stdout);
        boot.push_back(r.bootMs);
        login.push_back(r.loginMs);
        used.push_back(r.usedKiB);
        total = std::max(total, r.totalKiB);
    }
    const qint64 initrd = QFileInfo(dir + "/" + manifestValue(dir, "initrd")).size();
    const qint64 kernel = QFileInfo(dir + "/" + manifestValue(dir, "kernel")).size();
    QFile loadavg("/proc/loadavg");
    const QByteArray load = loadavg.open(QIODevice::ReadOnly) ? loadavg.readAll().split(' ').value(0) : "?";
    std::printf("\nguest image benchmark (%s, TCG, %s MiB, %d boots, medians; host load %s at the end)\n",
                qPrintable(dir), qPrintable(parser.value(memory)), n, load.constData());
    std::printf("  %-50s %8lld ms\n", "QEMU start -> \"MetaRouter Login:\"", static_cast<long long>(median(boot)));
    std::printf("  %-50s %8lld ms\n", "password sent -> [admin@MikroTik] >", static_cast<long long>(median(login)));
    std::printf("  %-50s %8.1f MiB (of %.1f MiB MemTotal)\n", "memory in use after login (MemTotal-MemAvailable)",
                median(used) / 1024.0, total / 1024.0);
    std::printf("  %-50s %8.2f MiB\n", "initrd.img", initrd / 1048576.0);
    std::printf("  %-50s %8.2f MiB\n", "vmlinuz", kernel / 1048576.0);
    std::printf("METRIC guest-boot-to-login-ms %lld\nMETRIC guest-login-ms %lld\nMETRIC guest-mem-used-kib %lld\n"
                "METRIC guest-initrd-bytes %lld\n",
                static_cast<long long>(median(boot)), static_cast<long long>(median(login)),
                static_cast<long long>(median(used)), static_cast<long long>(initrd));
    return 0;
}
