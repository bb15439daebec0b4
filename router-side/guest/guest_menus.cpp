#include "guest_menus.h"

#include "schema_builder.h"
#include "standard_menus.h"

namespace mr::guest::menus {

using namespace mr::protocol;

namespace {

wire::MenuSchema systemMenu()
{
    return MenuBuilder(kSystem)
        .describe("the guest system")
        .command(CommandBuilder("reboot").describe("reboot the metarouter"))
        .command(CommandBuilder("shutdown").describe("power the metarouter off"));
}

wire::MenuSchema identityMenu()
{
    return MenuBuilder(kIdentity)
        .describe("the router's name, shown in the command-line prompt")
        .singleton().settable().detailByDefault()
        .property(text("name").def("MikroTik").range(0, 64).describe("router name"));
}

wire::MenuSchema resourceMenu()
{
    return MenuBuilder(kResource)
        .describe("what the metarouter has and uses")
        .singleton().detailByDefault()
        .property(duration("uptime").readOnly())
        .property(text("version").readOnly())
        .property(size("free-memory", "kiB").readOnly())
        .property(size("total-memory", "kiB").readOnly())
        .property(text("cpu").readOnly())
        .property(integer("cpu-count").readOnly())
        .property(size("free-hdd-space", "kiB").readOnly())
        .property(size("total-hdd-space", "kiB").readOnly())
        .property(text("architecture-name").readOnly())
        .property(text("board-name").readOnly())
        .property(text("platform").readOnly());
}

// Shared by /interface and /interface/ethernet.
MenuBuilder linkMenu(const char* path)
{
    MenuBuilder b(path);
    b.settable()
        .key("name")
        .property(text("name").unique().range(0, 15).describe("Link name (at most 15 characters)"))
        .property(text("default-name").readOnly())
        .property(text("type").readOnly())
        .property(integer("mtu").range(68, 65535).def("1500"))
        .property(mac("mac-address").readOnly())
        .property(enumeration("arp").values({"enabled", "disabled"}).def("enabled"))
        .property(boolean("running").readOnly().def("no"))
        .property(boolean("disabled").def("no").describe("Administratively down"))
        .property(boolean("slave").readOnly().def("no"))
        .property(text("comment"));
    return b;
}

wire::MenuSchema interfaceMenu()
{
    // The guest's links are its NICs (lo is not listed): /interface/ethernet
    // exports their settings, so that they are written once.
    return linkMenu(kInterface)
        .describe("All network links of the metarouter")
        .exportedElsewhere()
        .with(linkColumns, 10u)
        .with(linkFlags);
}

wire::MenuSchema ethernetMenu()
{
    // Named by default-name (ether1...) so that an export renames them
    // before anything refers to their new names.
    return linkMenu(kEthernet)
        .describe("Ethernet interfaces (the metarouter's virtual NICs)")
        .key("default-name")
        .column("name", "NAME", 49)
        .column("mtu", "MTU", 5)
        .column("mac-address", "MAC-ADDRESS", 17)
        .column("arp", "ARP", 9)
        .with(linkFlags);
}

wire::MenuSchema addressMenu()
{
    return protocol::ipAddressMenu();
}

wire::MenuSchema routeMenu()
{
    return MenuBuilder(kRoute)
        .describe("IPv4 routes: static ones and those the kernel has (connected, dynamic)")
        .addable().removable().settable()
        .property(ipPrefix("dst-address").def("0.0.0.0/0"))
        .property(ip("pref-src").readOnly())
        .property(text("gateway").required().range(0, 64).describe("an IPv4 address or an interface name"))
        .property(integer("distance").range(1, 255).def("1").describe("kept as the kernel route's metric"))
        .property(text("interface").readOnly())
        .property(boolean("disabled").def("no"))
        .property(text("comment"))
        .property(boolean("active").readOnly().def("no"))
        .property(boolean("dynamic").readOnly().def("no"))
        .property(boolean("connect").readOnly().def("no"))
        .property(boolean("static").readOnly().def("no"))
        .column("dst-address", "DST-ADDRESS", 18)
        .column("pref-src", "PREF-SRC", 15)
        .column("gateway", "GATEWAY", 25)
        .column("distance", "DISTANCE", 8)
        .column("interface", "INTERFACE", 10)
        .flag("X", "disabled", "disabled")
        .flag("A", "active", "active")
        .flag("D", "dynamic", "dynamic")
        .flag("C", "connect", "connect")
        .flag("S", "static", "static");
}

// What a NAT or filter rule matches packets on, after its chain and action.
void packetMatchers(MenuBuilder& b)
{
    b.property(ipPrefix("src-address"))
        .property(ipPrefix("dst-address"))
        .property(enumeration("protocol").values({"tcp", "udp", "icmp"}))
        .property(integer("src-port").range(0, 65535))
        .property(integer("dst-port").range(0, 65535))
        .property(reference("in-interface", kInterface))
        .property(reference("out-interface", kInterface));
}

wire::MenuSchema natMenu()
{
    return MenuBuilder(kNat)
        .describe("Address translation, applied with nftables (table ip mikrotik)")
        .addable().removable().settable().detailByDefault()
        .property(enumeration("chain").values({"srcnat", "dstnat"}).required())
        .property(enumeration("action")
                      .values({"accept", "masquerade", "src-nat", "dst-nat", "redirect"})
                      .def("accept"))
        .with(packetMatchers)
        .property(ip("to-addresses"))
        .property(integer("to-ports").range(0, 65535))
        .with(itemState);
}

wire::MenuSchema filterMenu()
{
    return MenuBuilder(kFilter)
        .describe("Packet filter, applied in order with nftables (table ip mikrotik)")
        .addable().removable().settable().detailByDefault()
        .property(enumeration("chain").values({"input", "forward", "output"}).required())
        .property(enumeration("action").values({"accept", "drop", "reject"}).def("accept"))
        .with(packetMatchers)
        .property(text("connection-state").range(0, 64)
                      .describe("comma-separated: established, related, new, invalid"))
        .with(itemState);
}

wire::MenuSchema dhcpClientMenu()
{
    return MenuBuilder(kDhcpClient)
        .describe("DHCP clients (busybox udhcpc): leases become dynamic addresses and routes")
        .addable().removable().settable()
        .property(reference("interface", kInterface).required().unique())
        .property(boolean("add-default-route").def("yes"))
        .property(boolean("use-peer-dns").def("yes"))
        .property(text("status").readOnly())
        .property(ipPrefix("address").readOnly())
        .property(ip("gateway").readOnly())
        .property(text("primary-dns").readOnly())
        .property(duration("expires-after").readOnly())
        .with(itemState)
        .column("interface", "INTERFACE", 14)
        .column("use-peer-dns", "USE-PEER-DNS", 12)
        .column("add-default-route", "ADD-DEFAULT-ROUTE", 17)
        .column("status", "STATUS", 12)
        .column("address", "ADDRESS", 18)
        .column("gateway", "GATEWAY", 15);
}

wire::MenuSchema dnsMenu()
{
    return MenuBuilder(kDns)
        .describe("the DNS servers the metarouter itself uses (/etc/resolv.conf)")
        .singleton().settable().detailByDefault()
        .property(text("servers").range(0, 200).describe("comma-separated IPv4 addresses (at most 3)"))
        .property(text("dynamic-servers").readOnly().describe("from DHCP leases (use-peer-dns)"));
}

wire::MenuSchema userMenu()
{
    // One account, admin; its password is kept as a salted SHA-512 crypt hash.
    return MenuBuilder(kUser)
        .describe("the console login")
        .settable()
        .key("name")
        .property(text("name").readOnly())
        .property(text("group").readOnly())
        .property(text("password").range(0, 128).describe("the login password (stored as a salted hash, never shown)"))
        .column("name", "NAME", 20)
        .column("group", "GROUP", 8);
}

// Commands typed at the root (/ping), as RouterOS has them.
wire::MenuSchema rootMenu()
{
    return MenuBuilder(kRoot)
        .describe("root commands")
        .command(CommandBuilder("ping")
                     .describe("send ICMP echo requests")
                     .unnamedArgument("address", wire::TYPE_IP, true, "IPv4 address to ping")
                     .argument("count", wire::TYPE_INTEGER, false, "how many requests (default 4)")
                     .range(1, 100));
}

}  // namespace

wire::Schema schema()
{
    wire::Schema s;
    for (auto m : {systemMenu(), identityMenu(), resourceMenu(), ethernetMenu(), interfaceMenu(), addressMenu(),
                   routeMenu(), natMenu(), filterMenu(), dhcpClientMenu(), dnsMenu(), userMenu(), rootMenu()})
        *s.add_menus() = std::move(m);
    return s;
}

std::string defaultValue(const std::string& menu, const std::string& property)
{
    static const wire::Schema s = schema();
    for (const auto& m : s.menus())
        if (m.path() == menu)
            for (const auto& p : m.properties())
                if (p.name() == property)
                    return p.default_value();
    return {};
}

}  // namespace mr::guest::menus
