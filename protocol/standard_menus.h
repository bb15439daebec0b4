#pragma once
// Menus, and parts of menus, that mean the same on the host and inside a
// metarouter, defined once: the host's netlink provider and the guest's
// command line both publish them.

#include "metarouter.pb.h"

namespace mr::protocol {

class MenuBuilder;

// For MenuBuilder::with. The state of an item that the user configures and
// the system may also add or find unusable: properties disabled, comment and
// the read-only invalid and dynamic; flags X I D.
void itemState(MenuBuilder& b);
// The columns of an /interface listing: NAME, TYPE (typeWidth wide), MTU.
void linkColumns(MenuBuilder& b, unsigned typeWidth);
// The flags of a link menu: X disabled, R running, S slave.
void linkFlags(MenuBuilder& b);

// /ip/address: address with prefix, derived network and broadcast,
// interface (a reference to /interface), disabled, comment; flags X I D.
wire::MenuSchema ipAddressMenu();

}  // namespace mr::protocol
