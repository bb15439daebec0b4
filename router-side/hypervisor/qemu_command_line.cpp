#include "qemu_command_line.h"

#include <QRegularExpression>
#include <QStandardPaths>

#include <set>

namespace mr::hv {

namespace {

constexpr qsizetype kMaxUnixPath = 107;  // sizeof(sockaddr_un::sun_path) - 1

mr::Error invalid(const char* property, const QString& message)
{
    return mr::Error::invalid(property, message.toStdString());
}

}  // namespace

QString QemuCommandLine::escape(const QString& value)
{
    QString v = value;
    return v.replace(QLatin1Char(','), QLatin1String(",,"));
}

bool QemuCommandLine::isValidMac(const QString& mac)
{
    static const QRegularExpression re(QStringLiteral("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$"));
    if (!re.match(mac).hasMatch())
        return false;
    // Multicast addresses cannot be a NIC's own.
    return (mac.left(2).toInt(nullptr, 16) & 1) == 0;
}

bool QemuCommandLine::isValidIfname(const QString& ifname)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_.-]{1,15}$"));
    return re.match(ifname).hasMatch();
}

bool QemuCommandLine::isValidId(const QString& id)
{
    // QEMU ids: a letter, then letters, digits, '-', '.', '_'.
    static const QRegularExpression re(QStringLiteral("^[A-Za-z][A-Za-z0-9_.-]{0,63}$"));
    return re.match(id).hasMatch();
}

QString QemuCommandLine::sandboxOption()
{
    // elevateprivileges=deny would forbid the setuid of -runas. spawn=deny is
    // fine because QEMU is started detached by us, not with -daemonize.
    return QStringLiteral("on,obsolete=deny,spawn=deny,resourcecontrol=deny");
}

mr::Result<QString> QemuCommandLine::program(const VmSpec& spec)
{
    if (!spec.qemuBinary.isEmpty())
        return spec.qemuBinary;
    const QString path = QStandardPaths::findExecutable(QStringLiteral("qemu-system-x86_64"));
    if (path.isEmpty())
        return mr::Error::failed("qemu-system-x86_64 not found (install qemu-system-x86)");
    return path;
}

mr::Result<QStringList> QemuCommandLine::arguments(const VmSpec& spec)
{
    static const QRegularExpression nameRe(QStringLiteral("^[A-Za-z0-9_.-]{1,64}$"));
    if (!nameRe.match(spec.name).hasMatch())
        return invalid("name", QStringLiteral("'%1' is not a valid name").arg(spec.name));
    if (spec.memoryMiB < 16 || spec.memoryMiB > 1024 * 1024)
        return invalid("memory-size", QStringLiteral("must be at least 16 MiB"));
    if (spec.cpus < 1 || spec.cpus > 64)
        return invalid("cpus", QStringLiteral("must be between 1 and 64"));
    if (spec.runtimeDir.isEmpty())
        return mr::Error::invalid("runtime-dir", "no runtime directory");
    for (const QString& p : {spec.qmpSocket(), spec.consoleSocket(), spec.reportSocket()})
        if (p.toLocal8Bit().size() > kMaxUnixPath)
            return mr::Error::invalid("runtime-dir", "socket path too long: " + p.toStdString());
    if (spec.kernel.isEmpty() && spec.disk.isEmpty())
        return mr::Error::invalid("image", "nothing to boot: no kernel and no disk");
    if (spec.diskFormat != QLatin1String("qcow2") && spec.diskFormat != QLatin1String("raw"))
        return invalid("disk", QStringLiteral("unsupported disk format %1").arg(spec.diskFormat));

    QStringList a;
    a << QStringLiteral("-name") << QStringLiteral("guest=%1,debug-threads=on").arg(spec.name);
    a << QStringLiteral("-nodefaults") << QStringLiteral("-no-user-config") << QStringLiteral("-display")
      << QStringLiteral("none");
    // i440fx: ACPI PCI hot-plug on the root bus without extra root ports.
    a << QStringLiteral("-machine") << QStringLiteral("pc");
    if (spec.accel == Accel::Kvm)
        a << QStringLiteral("-accel") << QStringLiteral("kvm") << QStringLiteral("-cpu") << QStringLiteral("host");
    else
        a << QStringLiteral("-accel") << QStringLiteral("tcg");
    a << QStringLiteral("-m") << QString::number(spec.memoryMiB);
    a << QStringLiteral("-smp") << QString::number(spec.cpus);

    if (!spec.kernel.isEmpty()) {
        a << QStringLiteral("-kernel") << spec.kernel;
        if (!spec.initrd.isEmpty())
            a << QStringLiteral("-initrd") << spec.initrd;
        if (!spec.append.isEmpty())
            a << QStringLiteral("-append") << spec.append;
    }
    if (!spec.disk.isEmpty()) {
        // werror/rerror=report: a full host disk shows up as I/O errors in the
        // guest instead of pausing the VM.
        a << QStringLiteral("-blockdev")
          << QStringLiteral("driver=file,node-name=disk0-file,filename=%1").arg(escape(spec.disk));
        a << QStringLiteral("-blockdev")
          << QStringLiteral("driver=%1,node-name=disk0-fmt,file=disk0-file").arg(spec.diskFormat);
        QString dev = QStringLiteral("virtio-blk-pci,id=disk0,drive=disk0-fmt,werror=report,rerror=report");
        if (spec.kernel.isEmpty())
            dev += QStringLiteral(",bootindex=0");
        a << QStringLiteral("-device") << dev;
    }

    std::set<QString> ids;
    for (const NicSpec& nic : spec.nics) {
        if (!isValidId(nic.id) || !ids.insert(nic.id).second)
            return invalid("interface", QStringLiteral("bad or duplicate NIC id '%1'").arg(nic.id));
        if (!isValidIfname(nic.ifname))
            return invalid("interface", QStringLiteral("bad tap name '%1'").arg(nic.ifname));
        if (!isValidMac(nic.mac))
            return invalid("vm-mac-address", QStringLiteral("'%1' is not a unicast MAC address").arg(nic.mac));
        a << QStringLiteral("-netdev")
          << QStringLiteral("tap,id=%1-net,ifname=%2,script=no,downscript=no").arg(nic.id, nic.ifname);
        a << QStringLiteral("-device")
          << QStringLiteral("virtio-net-pci,id=%1,netdev=%1-net,mac=%2").arg(nic.id, nic.mac);
    }

    // The guest reports its identity, interfaces and addresses on a
    // virtio-serial port (GuestReportChannel reads it). After the NICs, so
    // that their PCI slots stay what they were.
    a << QStringLiteral("-device") << QStringLiteral("virtio-serial-pci,id=vser0");
    a << QStringLiteral("-chardev")
      << QStringLiteral("socket,id=report,path=%1,server=on,wait=off").arg(escape(spec.reportSocket()));
    a << QStringLiteral("-device")
      << QStringLiteral("virtserialport,bus=vser0.0,chardev=report,name=%1").arg(QLatin1String(kGuestReportPort));

    // mux=on gives the console a break: Ctrl-A b (see ConsoleMux).
    a << QStringLiteral("-chardev")
      << QStringLiteral("socket,id=console,path=%1,server=on,wait=off,mux=on").arg(escape(spec.consoleSocket()));
    a << QStringLiteral("-serial") << QStringLiteral("chardev:console");
    a << QStringLiteral("-chardev")
      << QStringLiteral("socket,id=qmp,path=%1,server=on,wait=off").arg(escape(spec.qmpSocket()));
    a << QStringLiteral("-mon") << QStringLiteral("chardev=qmp,mode=control");
    a << QStringLiteral("-pidfile") << spec.pidFile();
    a << QStringLiteral("-msg") << QStringLiteral("timestamp=on");
    if (!spec.runAs.isEmpty())
        a << QStringLiteral("-runas") << spec.runAs;
    if (spec.sandbox)
        a << QStringLiteral("-sandbox") << sandboxOption();
    return a;
}

}  // namespace mr::hv
