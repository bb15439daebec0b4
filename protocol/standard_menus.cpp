#include "standard_menus.h"

#include "schema_builder.h"

namespace mr::protocol {

void itemState(MenuBuilder& b)
{
    b.property(boolean("disabled").def("no"))
        .property(text("comment"))
        .property(boolean("invalid").readOnly().def("no"))
        .property(boolean("dynamic").readOnly().def("no"))
        .flag("X", "disabled", "disabled")
        .flag("I", "invalid", "invalid")
        .flag("D", "dynamic", "dynamic");
}

void linkColumns(MenuBuilder& b, unsigned typeWidth)
{
    b.column("name", "NAME", 50).column("type", "TYPE", typeWidth).column("mtu", "MTU", 5);
}

void linkFlags(MenuBuilder& b)
{
    b.flag("X", "disabled", "disabled").flag("R", "running", "running").flag("S", "slave", "slave");
}

wire::MenuSchema ipAddressMenu()
{
    return MenuBuilder("/ip/address")
        .describe("IPv4 addresses")
        .addable().removable().settable()
        .property(ipPrefix("address").required())
        .property(ip("network").readOnly())
        .property(ip("broadcast").readOnly())
        .property(reference("interface", "/interface").required())
        .with(itemState)
        .column("address", "ADDRESS", 18)
        .column("network", "NETWORK", 15)
        .column("broadcast", "BROADCAST", 15)
        .column("interface", "INTERFACE", 30);
}

}  // namespace mr::protocol
