#include "ipv4_prefix.h"

#include <arpa/inet.h>

#include <charconv>

namespace mr::net {

std::optional<Ipv4Prefix> Ipv4Prefix::parse(const std::string& text)
{
    const auto slash = text.find('/');
    const std::string addr = text.substr(0, slash);
    in_addr a{};
    if (inet_pton(AF_INET, addr.c_str(), &a) != 1)
        return std::nullopt;
    int len = 32;
    if (slash != std::string::npos) {
        const char* b = text.data() + slash + 1;
        const char* e = text.data() + text.size();
        auto r = std::from_chars(b, e, len);
        if (b == e || r.ec != std::errc() || r.ptr != e || len < 0 || len > 32)
            return std::nullopt;
    }
    return Ipv4Prefix(ntohl(a.s_addr), len);
}

std::optional<std::uint32_t> Ipv4Prefix::broadcast() const
{
    if (length_ >= 31)
        return std::nullopt;
    return network() | ~mask();
}

std::string Ipv4Prefix::text() const
{
    return format(address_) + "/" + std::to_string(length_);
}

std::string Ipv4Prefix::broadcastText() const
{
    auto b = broadcast();
    return b ? format(*b) : std::string();
}

std::string Ipv4Prefix::format(std::uint32_t address)
{
    in_addr a{htonl(address)};
    char buf[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &a, buf, sizeof buf);
    return buf;
}

}  // namespace mr::net
