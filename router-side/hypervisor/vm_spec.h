#pragma once
// Settings of one metarouter's QEMU, apart from the code that runs it.

#include <QString>
#include <QStringList>

#include <vector>

namespace mr::hv {

enum class Accel { Tcg, Kvm };

// One virtio NIC backed by a host tap (persistent, made by the net side and
// owned by the QEMU user so that it can be hot-plugged after QEMU dropped root).
struct NicSpec {
    QString id;      // qdev id, also used for the netdev ("<id>-net")
    QString ifname;  // host tap, e.g. vif1
    QString mac;     // 02:xx:xx:xx:xx:xx
};

// Everything needed to start one metarouter's QEMU.
struct VmSpec {
    QString name;             // metarouter name, used in -name and paths
    QString runtimeDir;       // holds qmp.sock, console.sock, report.sock, qemu.pid, qemu.log
    int memoryMiB = 96;
    int cpus = 1;
    Accel accel = Accel::Tcg;

    // Boot either a kernel (+ initrd + command line) or a bootable disk.
    QString kernel;
    QString initrd;
    QString append;
    QString disk;              // qcow2 image; the boot disk when kernel is empty
    QString diskFormat = QStringLiteral("qcow2");

    std::vector<NicSpec> nics;

    QString runAs = QStringLiteral("nobody");  // -runas USER or UID:GID; empty keeps root
    bool sandbox = true;
    QString netnsPath;        // run QEMU in this network namespace (/run/netns/NAME)
    qint64 fileSizeLimit = 0; // RLIMIT_FSIZE for QEMU (caps disk growth); 0 = none
    QString qemuBinary;       // default: qemu-system-x86_64 from PATH

    QString qmpSocket() const { return runtimeDir + QStringLiteral("/qmp.sock"); }
    QString consoleSocket() const { return runtimeDir + QStringLiteral("/console.sock"); }
    // The guest's virtio-serial port org.metarouter.report (GuestReportChannel).
    QString reportSocket() const { return runtimeDir + QStringLiteral("/report.sock"); }
    QString pidFile() const { return runtimeDir + QStringLiteral("/qemu.pid"); }
    QString logFile() const { return runtimeDir + QStringLiteral("/qemu.log"); }
};

}  // namespace mr::hv
