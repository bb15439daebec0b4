#pragma once
// The guest's own command-line schema: the menus a client sees on a
// metarouter's console, with RouterOS property names (mirrors the host's).

#include <string>

#include "metarouter.pb.h"

namespace mr::guest::menus {

inline constexpr const char* kSystem = "/system";
inline constexpr const char* kIdentity = "/system/identity";
inline constexpr const char* kResource = "/system/resource";
inline constexpr const char* kInterface = "/interface";
inline constexpr const char* kEthernet = "/interface/ethernet";
inline constexpr const char* kAddress = "/ip/address";
inline constexpr const char* kRoute = "/ip/route";
inline constexpr const char* kNat = "/ip/firewall/nat";
inline constexpr const char* kFilter = "/ip/firewall/filter";
inline constexpr const char* kDhcpClient = "/ip/dhcp-client";
inline constexpr const char* kUser = "/user";
inline constexpr const char* kDns = "/ip/dns";
inline constexpr const char* kRoot = "/";  // root-level commands (/ping)

wire::Schema schema();
// A property's schema default ("" when none).
std::string defaultValue(const std::string& menu, const std::string& property);

}  // namespace mr::guest::menus
