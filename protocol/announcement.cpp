#include "announcement.h"

namespace mr::protocol {

namespace {

constexpr std::size_t kMaxSoftwareLength = 64;
constexpr std::size_t kMaxInterfaceLength = 32;
constexpr std::size_t kFingerprintLength = 64;  // SHA-256 in hex
constexpr std::uint32_t kMaxInterval = 86400;

// Cuts at a byte limit without splitting a UTF-8 sequence.
void clip(std::string* s, std::size_t limit)
{
    if (s->size() <= limit)
        return;
    std::size_t n = limit;
    while (n > 0 && (static_cast<unsigned char>((*s)[n]) & 0xC0) == 0x80)
        --n;
    s->resize(n);
}

// Well-formed UTF-8 without control characters: it ends up in a table.
bool printable(const std::string& s)
{
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7F)
            return false;
        const std::size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || i + n > s.size() || (n == 2 && c < 0xC2))
            return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
                return false;
        i += n;
    }
    return true;
}

bool isIpv4(const std::string& s)
{
    int parts = 0;
    std::size_t i = 0;
    while (i <= s.size()) {
        std::size_t j = i;
        unsigned value = 0;
        while (j < s.size() && s[j] >= '0' && s[j] <= '9' && j - i < 3)
            value = value * 10 + static_cast<unsigned>(s[j++] - '0');
        if (j == i || value > 255 || (j - i > 1 && s[i] == '0'))
            return false;
        ++parts;
        if (j == s.size())
            break;
        if (s[j] != '.')
            return false;
        i = j + 1;
    }
    return parts == 4;
}

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool isMac(const std::string& s)
{
    if (s.size() != 17)
        return false;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (i % 3 == 2 ? s[i] != ':' : !isHex(s[i]))
            return false;
    return true;
}

Error bad(std::string message)
{
    return {wire::ERROR_PROTOCOL, "not a valid announcement: " + std::move(message), {}};
}

}  // namespace

std::string encodeAnnouncement(wire::Announcement a)
{
    a.set_version(kAnnouncementVersion);
    clip(a.mutable_identity(), kMaxIdentityLength);
    clip(a.mutable_software(), kMaxSoftwareLength);
    clip(a.mutable_interface(), kMaxInterfaceLength);
    std::string out(kAnnouncementMagic);
    out += a.SerializeAsString();
    return out;
}

Result<wire::Announcement> decodeAnnouncement(std::string_view datagram)
{
    if (datagram.size() > kMaxAnnouncementSize)
        return bad("larger than " + std::to_string(kMaxAnnouncementSize) + " bytes");
    if (datagram.substr(0, kAnnouncementMagic.size()) != kAnnouncementMagic)
        return bad("no MRND marker");
    datagram.remove_prefix(kAnnouncementMagic.size());
    wire::Announcement a;
    if (!a.ParseFromArray(datagram.data(), static_cast<int>(datagram.size())))
        return bad("malformed message");
    if (a.version() != kAnnouncementVersion)
        return Error{wire::ERROR_UNSUPPORTED,
                     "announcement format version " + std::to_string(a.version()) + " is not supported (this is " +
                         std::to_string(kAnnouncementVersion) + ")",
                     {}};
    if (a.identity().empty() || a.identity().size() > kMaxIdentityLength || !printable(a.identity()))
        return bad("identity missing, too long or not printable");
    if (a.software().size() > kMaxSoftwareLength || !printable(a.software()))
        return bad("software too long or not printable");
    if (a.interface().size() > kMaxInterfaceLength || !printable(a.interface()))
        return bad("interface too long or not printable");
    if (a.api_port() > 65535)
        return bad("api port out of range");
    if (!a.fingerprint().empty()) {
        if (a.fingerprint().size() != kFingerprintLength)
            return bad("fingerprint is not a SHA-256");
        for (char c : a.fingerprint())
            if (!isHex(c))
                return bad("fingerprint is not hex");
    }
    if (!isIpv4(a.address()))
        return bad("address is not an IPv4 address");
    if (!a.mac_address().empty() && !isMac(a.mac_address()))
        return bad("mac-address is not a MAC address");
    if (a.interval() == 0 || a.interval() > kMaxInterval)
        return bad("interval out of range");
    return a;
}

}  // namespace mr::protocol
