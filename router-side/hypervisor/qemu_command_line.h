#pragma once

#include <QString>
#include <QStringList>

#include "error.h"
#include "vm_spec.h"

namespace mr::hv {

// The name of the virtio-serial port the guest reports on; the guest's
// reporter finds its port by it.
inline constexpr const char* kGuestReportPort = "org.metarouter.report";

// Turns a VmSpec into qemu-system-x86_64 arguments, checking what QEMU would
// otherwise misparse (commas in paths, bad MACs, socket path length).
class QemuCommandLine final {
public:
    // The QEMU binary to run for spec (spec.qemuBinary or qemu-system-x86_64 from PATH).
    static mr::Result<QString> program(const VmSpec& spec);
    static mr::Result<QStringList> arguments(const VmSpec& spec);

    // QEMU option values double their commas.
    static QString escape(const QString& value);
    static bool isValidMac(const QString& mac);
    static bool isValidIfname(const QString& ifname);
    static bool isValidId(const QString& id);
    // The -sandbox value used: everything QEMU 7.2 allows together with -runas.
    static QString sandboxOption();
};

}  // namespace mr::hv
