#pragma once
// Paths and schemas of the menus the net provider owns, with RouterOS
// property names, columns and flags as the manual prints them.

#include <string>
#include <vector>

#include "metarouter.pb.h"

namespace mr::net::menus {

inline const std::string kInterface = "/interface";
inline const std::string kBridge = "/interface/bridge";
inline const std::string kPort = "/interface/bridge/port";
inline const std::string kVlan = "/interface/vlan";
inline const std::string kAddress = "/ip/address";

std::vector<wire::MenuSchema> all();

// The schema's default for property of menu; empty if none.
std::string defaultValue(const std::string& menu, const std::string& property);

}  // namespace mr::net::menus
