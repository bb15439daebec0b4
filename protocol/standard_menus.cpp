#include "standard_menus.h"

#include "schema_builder.h"

namespace mr::protocol {

wire::MenuSchema ipAddressMenu()
{
    return MenuBuilder("/ip/address")
        .describe("IPv4 addresses")
        .addable().removable().settable()
        .property(ipPrefix("address").required())
        .property(ip("network").readOnly())
        .property(ip("broadcast").readOnly())
        .property(reference("interface", "/interface").required())
        .property(boolean("disabled").def("no"))
        .property(text("comment"))
        .property(boolean("invalid").readOnly().def("no"))
        .property(boolean("dynamic").readOnly().def("no"))
        .column("address", "ADDRESS", 18)
        .column("network", "NETWORK", 15)
        .column("broadcast", "BROADCAST", 15)
        .column("interface", "INTERFACE", 30)
        .flag("X", "disabled", "disabled")
        .flag("I", "invalid", "invalid")
        .flag("D", "dynamic", "dynamic");
}

}  // namespace mr::protocol
