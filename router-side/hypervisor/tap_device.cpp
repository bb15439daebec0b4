#include "tap_device.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mr::hv {

namespace {

// Closes a descriptor on every path.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

mr::Error sysError(const std::string& what)
{
    return mr::Error::failed(what + ": " + std::strerror(errno));
}

mr::Result<ifreq> request(const std::string& name)
{
    if (name.empty() || name.size() >= IFNAMSIZ)
        return mr::Error::invalid("interface", "bad interface name '" + name + "'");
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, name.data(), name.size());
    return ifr;
}

bool parseMac(const std::string& text, unsigned char out[6])
{
    unsigned v[6];
    char tail;
    if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
        return false;
    for (int i = 0; i < 6; ++i)
        out[i] = static_cast<unsigned char>(v[i]);
    return true;
}

}  // namespace

bool TapDevice::exists(const std::string& name)
{
    return ::if_nametoindex(name.c_str()) != 0;
}

mr::Status TapDevice::setMac(const std::string& name, const std::string& mac)
{
    auto ifr = request(name);
    if (!ifr)
        return ifr.error();
    unsigned char bytes[6];
    if (!parseMac(mac, bytes))
        return mr::Error::invalid("dynamic-mac-address", "'" + mac + "' is not a MAC address");
    Fd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (sock.get() < 0)
        return sysError("socket");
    ifr->ifr_hwaddr.sa_family = ARPHRD_ETHER;
    std::memcpy(ifr->ifr_hwaddr.sa_data, bytes, 6);
    if (::ioctl(sock.get(), SIOCSIFHWADDR, &*ifr) != 0)
        return sysError("cannot set the MAC address of " + name);
    return {};
}

mr::Status TapDevice::ensure(const std::string& name, const std::string& mac, uid_t owner, gid_t group)
{
    auto ifr = request(name);
    if (!ifr)
        return ifr.error();
    if (!exists(name)) {
        Fd tun(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
        if (tun.get() < 0)
            return sysError("cannot open /dev/net/tun");
        ifreq r = *ifr;
        r.ifr_flags = IFF_TAP | IFF_NO_PI;
        if (::ioctl(tun.get(), TUNSETIFF, &r) != 0)
            return sysError("cannot create tap " + name);
        if (::ioctl(tun.get(), TUNSETOWNER, static_cast<unsigned long>(owner)) != 0 ||
            ::ioctl(tun.get(), TUNSETGROUP, static_cast<unsigned long>(group)) != 0 ||
            ::ioctl(tun.get(), TUNSETPERSIST, 1UL) != 0) {
            const mr::Error e = sysError("cannot make tap " + name + " persistent");
            (void)::ioctl(tun.get(), TUNSETPERSIST, 0UL);
            return e;
        }
    }
    if (!mac.empty())
        if (auto st = setMac(name, mac); !st)
            return st;
    Fd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (sock.get() < 0)
        return sysError("socket");
    ifreq r = *ifr;
    if (::ioctl(sock.get(), SIOCGIFFLAGS, &r) != 0)
        return sysError("cannot read the flags of " + name);
    if (!(r.ifr_flags & IFF_UP)) {
        r.ifr_flags = static_cast<short>(r.ifr_flags | IFF_UP);
        if (::ioctl(sock.get(), SIOCSIFFLAGS, &r) != 0)
            return sysError("cannot bring " + name + " up");
    }
    return {};
}

mr::Status TapDevice::remove(const std::string& name)
{
    if (!exists(name))
        return {};
    // A persistent tap goes when its persist flag is cleared and nothing holds it.
    auto ifr = request(name);
    if (!ifr)
        return ifr.error();
    Fd tun(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
    if (tun.get() < 0)
        return sysError("cannot open /dev/net/tun");
    ifreq r = *ifr;
    r.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (::ioctl(tun.get(), TUNSETIFF, &r) != 0)
        return sysError("cannot delete tap " + name + " (still in use?)");
    if (::ioctl(tun.get(), TUNSETPERSIST, 0UL) != 0)
        return sysError("cannot delete tap " + name);
    return {};
}

}  // namespace mr::hv
