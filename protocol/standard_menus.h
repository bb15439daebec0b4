#pragma once
// Menus that mean the same on the host and inside a metarouter, defined
// once: the host's netlink provider and the guest's command line both
// publish them.

#include "metarouter.pb.h"

namespace mr::protocol {

// /ip/address: address with prefix, derived network and broadcast,
// interface (a reference to /interface), disabled, comment; flags X I D.
wire::MenuSchema ipAddressMenu();

}  // namespace mr::protocol
