#pragma once
// The neighbor-discovery datagram metarouterd broadcasts and metabox lists:
// "MRND" then a wire::Announcement, bounded in size and checked field by
// field on the way in, since anyone on the LAN can send one. Qt-free so
// that it can be fuzzed like the frame codec.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "error.h"
#include "metarouter.pb.h"

namespace mr::protocol {

inline constexpr std::uint16_t kDiscoveryPort = 8730;
inline constexpr std::size_t kMaxAnnouncementSize = 1024;
inline constexpr std::uint32_t kAnnouncementVersion = 1;
inline constexpr std::size_t kMaxIdentityLength = 64;
inline constexpr std::string_view kAnnouncementMagic = "MRND";

// The datagram for a; version is set, text fields are cut to their limits.
std::string encodeAnnouncement(wire::Announcement a);

// The announcement in a datagram, or why it is not one we accept (foreign
// traffic, another format version, a field out of bounds).
Result<wire::Announcement> decodeAnnouncement(std::string_view datagram);

}  // namespace mr::protocol
