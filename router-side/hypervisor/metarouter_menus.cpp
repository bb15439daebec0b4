#include "metarouter_menus.h"

#include "schema_builder.h"

namespace mr::hv::menus {

using namespace mr::protocol;

namespace {

constexpr long long kMaxMiB = 1024 * 1024;

wire::MenuSchema metarouterMenu()
{
    return MenuBuilder(kMetarouter)
        .describe("Virtual routers, each a QEMU virtual machine")
        .addable().removable().settable()
        .key("name")
        .property(text("name").unique().range(0, 32).describe(
            "Letters, digits, '-', '_' and '.', at most 32 (default: mr1, mr2, ...)"))
        .property(size("memory-size", "MiB").range(16, kMaxMiB).describe(
            "RAM of the virtual machine (default: the image's default memory; limits in settings)"))
        .property(size("disk-size", "kiB").specialZero("unlimited").range(1024, 4294967295LL).def("0").describe(
            "Size of the virtual disk; unlimited grows until the host's disk-free-reserve"))
        .property(boolean("disabled").def("no"))
        .property(text("comment"))
        .property(text("image").def("default").describe("Guest image the metarouter boots (see import-image)"))
        .property(size("used-disk", "kiB").readOnly().describe("Space the disk takes on the host"))
        .property(integer("disk-reads").readOnly())
        .property(integer("disk-writes").readOnly())
        .property(enumeration("state")
                      .values({"booting", "running", "rebooting", "shutting-down", "stopped", "disabled"})
                      .readOnly())
        .property(text("accelerator").readOnly().describe("kvm or tcg, chosen once at daemon start"))
        .property(text("last-stop-reason").readOnly().describe("Why QEMU last stopped"))
        // What the guest says about itself over its report channel (checked,
        // never trusted); empty while it is stopped or has not reported.
        .property(text("guest-identity").readOnly().describe("The guest's /system identity name, as it reports it"))
        .property(text("guest-interfaces").readOnly().describe(
            "The guest's interfaces as it reports them: name, MAC address, running or not"))
        .property(text("guest-addresses").readOnly().describe(
            "The guest's IPv4 addresses as it reports them: address/prefix on interface"))
        .property(text("guest-report-time").readOnly().describe("When the guest last reported"))
        .command(CommandBuilder("start").describe("Boot up the virtual machine").targetsObject().tenant())
        .command(CommandBuilder("shut-down")
                     .describe("ACPI power-down; a hard stop after the settings' shut-down-timeout")
                     .targetsObject().tenant())
        .command(CommandBuilder("reboot").describe("Reset the virtual machine").targetsObject().tenant())
        .command(CommandBuilder("console").describe("Connect to the virtual machine's serial console")
                     .targetsObject().streams().tenant())
        .command(CommandBuilder("import-image")
                     .describe("Import a guest image (.tgz with kernel and initrd, or a raw/qcow2 disk) "
                               "from /file and boot a metarouter from it")
                     .longRunning()
                     .argument("file-name", wire::TYPE_STRING, true, "The uploaded file")
                     .argument("memory-size", wire::TYPE_INTEGER, false, "MiB (default: the image's)")
                     .range(16, kMaxMiB)
                     .argument("enabled", wire::TYPE_BOOL, false, "Start the new metarouter (default yes)"))
        .column("name", "NAME", 20)
        .column("memory-size", "MEMORY-SIZE", 11)
        .column("disk-size", "DISK-SIZE", 13)
        .column("used-disk", "USED-DISK", 13)
        .column("state", "STATE", 13)
        .flag("X", "disabled", "disabled");
}

wire::MenuSchema interfaceMenu()
{
    return MenuBuilder(kInterface)
        .describe("Virtual interfaces of metarouters")
        .addable().removable().settable()
        .property(reference("virtual-machine", kMetarouter).required().describe(
            "The metarouter this interface belongs to"))
        .property(enumeration("type").values({"dynamic", "static"}).def("dynamic").describe(
            "dynamic: a host tap vifN; static: a host interface handed to the guest"))
        .property(reference("dynamic-bridge", "/interface/bridge").nullable().describe(
            "Bridge the dynamic interface becomes a port of"))
        .property(mac("dynamic-mac-address").unique().describe("MAC of the host side vifN (default: random 02:...)"))
        .property(reference("static-interface", "/interface").nullable().describe(
            "Host interface bridged to the guest's NIC (type static)"))
        .property(mac("vm-mac-address").unique().describe("MAC inside the guest (default: random 02:...)"))
        .property(text("comment"))
        .property(boolean("disabled").def("no"))
        .property(text("copy-from").addOnly())
        .property(text("interface").readOnly().describe("The host tap carrying the traffic (vif1, ...)"))
        .property(boolean("active").readOnly().def("no").describe("Plugged into the running metarouter"))
        .column("virtual-machine", "VIRTUAL-MACHINE", 20)
        .column("type", "TYPE", 7)
        .column("vm-mac-address", "VM-MAC-ADDRESS", 17)
        .flag("X", "disabled", "disabled")
        .flag("A", "active", "active");
}

wire::MenuSchema settingsMenu()
{
    return MenuBuilder(kSettings)
        .describe("Limits of the hypervisor")
        .singleton().settable()
        .detailByDefault()
        .property(integer("max-metarouters").range(1, 1024).def("16"))
        .property(size("min-memory", "MiB").range(16, kMaxMiB).def("16"))
        .property(size("max-memory", "MiB").range(16, kMaxMiB).def("2048"))
        .property(size("host-memory-reserve", "MiB").range(0, kMaxMiB).def("256").describe(
            "Memory the host keeps for itself: a metarouter that would eat into it does not start"))
        .property(size("disk-free-reserve", "MiB").range(0, kMaxMiB).def("1024").describe(
            "Free space unlimited disks never take from the host"))
        .property(duration("shut-down-timeout").range(1, 3600).def("30").describe(
            "How long shut-down waits for the guest before a hard stop"));
}

}  // namespace

std::vector<wire::MenuSchema> all()
{
    return {metarouterMenu(), interfaceMenu(), settingsMenu()};
}

}  // namespace mr::hv::menus
