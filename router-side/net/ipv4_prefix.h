#pragma once
// An IPv4 address with prefix length, and what RouterOS derives from it
// (network, broadcast) for /ip/address.

#include <cstdint>
#include <optional>
#include <string>

namespace mr::net {

// 10.1.2.3/24: address, length, network 10.1.2.0, broadcast 10.1.2.255.
class Ipv4Prefix {
public:
    static std::optional<Ipv4Prefix> parse(const std::string& text);  // "A.B.C.D[/len]"
    Ipv4Prefix(std::uint32_t address, int length) : address_(address), length_(length) {}

    std::uint32_t address() const { return address_; }  // host byte order
    int length() const { return length_; }
    std::uint32_t mask() const { return length_ == 0 ? 0 : ~std::uint32_t{0} << (32 - length_); }
    std::uint32_t network() const { return address_ & mask(); }
    // None for /31 and /32, which have no broadcast address.
    std::optional<std::uint32_t> broadcast() const;

    std::string text() const;  // "10.1.2.3/24"
    std::string addressText() const { return format(address_); }
    std::string networkText() const { return format(network()); }
    std::string broadcastText() const;  // empty when there is none

    static std::string format(std::uint32_t address);

private:
    std::uint32_t address_;
    int length_;
};

}  // namespace mr::net
