#include "net_menus.h"

#include "schema_builder.h"
#include "standard_menus.h"

namespace mr::net::menus {

using namespace mr::protocol;

namespace {

wire::MenuSchema interfaceMenu()
{
    return MenuBuilder(kInterface)
        .describe("All network links of the router, live from the kernel")
        .settable()
        .key("name")
        .property(text("name").unique().range(0, 15).describe("Link name (at most 15 characters)"))
        .property(text("type").readOnly().describe("ether, bridge, vlan, vif, loopback, or the Linux link kind"))
        .property(integer("mtu").range(68, 65536).describe("Layer-3 MTU"))
        .property(mac("mac-address").readOnly())
        .property(boolean("running").readOnly().def("no"))
        .property(boolean("disabled").def("no").describe("Administratively down"))
        .property(boolean("dynamic").readOnly().def("no").describe("Created by the system (metarouter vifs)"))
        .property(boolean("slave").readOnly().def("no").describe("A port of a bridge"))
        .property(text("comment").describe("Stored as the Linux ifalias"))
        .property(integer("rx-byte").readOnly())
        .property(integer("tx-byte").readOnly())
        .property(integer("rx-packet").readOnly())
        .property(integer("tx-packet").readOnly())
        .property(integer("rx-drop").readOnly())
        .property(integer("tx-drop").readOnly())
        .property(integer("rx-error").readOnly())
        .property(integer("tx-error").readOnly())
        .with(linkColumns, 16u)
        .flag("D", "dynamic", "dynamic")
        .with(linkFlags);
}

wire::MenuSchema bridgeMenu()
{
    return MenuBuilder(kBridge)
        .describe("Linux bridges owned by the router")
        .addable().removable().settable()
        .key("name")
        .detailByDefault()
        .property(text("name").unique().range(0, 15).describe("Default: bridge1, bridge2, ..."))
        .property(integer("mtu").range(68, 65535).def("1500"))
        .property(enumeration("arp")
                      .values({"enabled", "disabled", "proxy-arp", "local-proxy-arp", "reply-only"})
                      .def("enabled")
                      .describe("disabled sets NOARP, proxy-arp and local-proxy-arp set proxy_arp and "
                                "proxy_arp_pvlan; reply-only has no Linux equivalent and is refused"))
        .property(mac("mac-address").readOnly())
        .property(enumeration("protocol-mode")
                      .values({"none", "stp", "rstp"})
                      .def("none")
                      .describe("Linux kernel STP; rstp runs as kernel STP (802.1D), which RSTP peers "
                                "interoperate with"))
        .property(integer("priority").hex().range(0, 0xFFFF).def("32768"))
        .property(boolean("auto-mac").def("yes").describe("Take the MAC address from a port"))
        .property(mac("admin-mac").def("00:00:00:00:00:00").describe("MAC address used when auto-mac=no"))
        .property(duration("max-message-age").range(6, 40).def("20"))
        .property(duration("forward-delay").range(4, 30).def("15"))
        .property(integer("transmit-hold-count").readOnly().def("6")
                      .describe("Fixed: the Linux kernel STP has no transmit hold count"))
        .property(duration("ageing-time").range(10, 86400).def("300"))
        .property(boolean("disabled").def("no"))
        .property(text("comment"))
        .property(boolean("running").readOnly().def("no"))
        .column("name", "NAME", 20)
        .column("mtu", "MTU", 5)
        .column("protocol-mode", "PROTOCOL-MODE", 13)
        .column("mac-address", "MAC-ADDRESS", 17)
        .flag("X", "disabled", "disabled")
        .flag("R", "running", "running");
}

wire::MenuSchema portMenu()
{
    return MenuBuilder(kPort)
        .describe("Interfaces enslaved to bridges")
        .addable().removable().settable()
        .property(reference("interface", kInterface).required())
        .property(reference("bridge", kBridge).required())
        .property(integer("priority").hex().range(0, 240).def("128")
                      .describe("STP port priority; Linux keeps priority/4 (0..60)"))
        .property(integer("path-cost").range(1, 65535).def("10"))
        .property(integer("horizon").nullable().range(0, 4294967295LL).def("")
                      .describe("Split horizon: ports with a horizon are Linux isolated ports, which "
                                "do not forward to each other; one horizon value per bridge"))
        .property(boolean("disabled").def("no"))
        .property(text("comment"))
        .property(boolean("inactive").readOnly().def("no"))
        .property(boolean("dynamic").readOnly().def("no"))
        .column("interface", "INTERFACE", 28)
        .column("bridge", "BRIDGE", 24)
        .column("priority", "PRIORITY", 8)
        .column("path-cost", "PATH-COST", 10)
        .column("horizon", "HORIZON", 9)
        .flag("X", "disabled", "disabled")
        .flag("I", "inactive", "inactive")
        .flag("D", "dynamic", "dynamic");
}

wire::MenuSchema vlanMenu()
{
    return MenuBuilder(kVlan)
        .describe("802.1Q VLAN interfaces")
        .addable().removable().settable()
        .key("name")
        .property(text("name").unique().range(0, 15).describe("Default: vlan1, vlan2, ..."))
        .property(integer("mtu").range(68, 65535).def("1500"))
        .property(integer("vlan-id").range(1, 4094).required())
        .property(reference("interface", kInterface).required())
        .property(mac("mac-address").readOnly())
        .property(boolean("disabled").def("no"))
        .property(text("comment"))
        .property(boolean("running").readOnly().def("no"))
        .column("name", "NAME", 20)
        .column("mtu", "MTU", 5)
        .column("vlan-id", "VLAN-ID", 7)
        .column("interface", "INTERFACE", 20)
        .flag("X", "disabled", "disabled")
        .flag("R", "running", "running");
}

wire::MenuSchema addressMenu()
{
    return protocol::ipAddressMenu();
}

}  // namespace

std::vector<wire::MenuSchema> all()
{
    return {interfaceMenu(), bridgeMenu(), portMenu(), vlanMenu(), addressMenu()};
}

std::string defaultValue(const std::string& menu, const std::string& property)
{
    static const std::vector<wire::MenuSchema> schemas = all();
    for (const auto& m : schemas)
        if (m.path() == menu)
            for (const auto& p : m.properties())
                if (p.name() == property)
                    return p.default_value();
    return {};
}

}  // namespace mr::net::menus
