#include "guest_reporter.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

namespace mr::guest {

namespace {

constexpr const char* kPortName = "org.metarouter.report";

// A descriptor closed with its owner.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    bool ok() const { return fd_ >= 0; }

private:
    int fd_;
};

void appendJson(std::string& out, const std::string& s)
{
    out += '"';
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += char(c);
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += char(c);
        }
    }
    out += '"';
}

// At most max characters of UTF-8 text, without control characters (the
// host refuses them).
std::string boundedIdentity(const std::string& s, std::size_t max)
{
    std::string out;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f)
            continue;
        if ((c & 0xC0) != 0x80 && ++chars > max)
            break;
        out += char(c);
    }
    return out.empty() ? std::string("MikroTik") : out;
}

std::string baseName(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string dirName(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string(".") : slash == 0 ? std::string("/") : path.substr(0, slash);
}

// Reads and forgets everything waiting on fd.
void drain(int fd)
{
    char buf[4096];
    while (::read(fd, buf, sizeof buf) > 0) {
    }
}

}  // namespace

GuestReporter::GuestReporter(Options options) : options_(std::move(options)), backend_(options_.backend) {}

bool GuestReporter::reportableName(const std::string& name)
{
    if (name.empty() || name.size() > 15 || name == "." || name == "..")
        return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-' && c != '@' && c != '+')
            return false;
    return true;
}

std::string GuestReporter::encode(const std::string& identity, const std::vector<KernelNet::Link>& links,
                                  const std::vector<KernelNet::Address>& addresses)
{
    std::string out = "{\"v\":1,\"identity\":";
    appendJson(out, boundedIdentity(identity, kMaxIdentityChars));
    out += ",\"interfaces\":[";
    std::map<int, std::string> names;  // ifindex -> reported name
    for (const auto& l : links) {
        if (l.name == "lo" || !reportableName(l.name) || names.size() >= kMaxInterfaces)
            continue;
        if (!names.empty())
            out += ',';
        names[l.index] = l.name;
        out += "{\"name\":";
        appendJson(out, l.name);
        if (!l.mac.empty()) {
            out += ",\"mac\":";
            appendJson(out, l.mac);
        }
        out += std::string(",\"running\":") + (l.running ? "true" : "false");
        out += std::string(",\"disabled\":") + (l.up ? "false" : "true") + "}";
    }
    out += "],\"addresses\":[";
    std::size_t n = 0;
    for (const auto& a : addresses) {
        auto it = names.find(a.index);
        if (it == names.end() || n >= kMaxAddresses)
            continue;
        if (n++)
            out += ',';
        out += "{\"address\":";
        appendJson(out, a.prefix);
        out += ",\"interface\":";
        appendJson(out, it->second);
        out += '}';
    }
    out += "]}\n";
    return out;
}

std::string GuestReporter::snapshot()
{
    auto links = net_.links();
    auto addresses = net_.addresses();
    if (!links)
        std::cerr << "mr-shell --report: " << links.error().text() << "\n";
    if (!addresses)
        std::cerr << "mr-shell --report: " << addresses.error().text() << "\n";
    return encode(backend_.identity(), links ? *links : std::vector<KernelNet::Link>{},
                  addresses ? *addresses : std::vector<KernelNet::Address>{});
}

std::string GuestReporter::findPort(const std::string& portsDir, const std::string& name)
{
    DIR* dir = ::opendir(portsDir.c_str());
    if (!dir)
        return {};
    std::string found;
    while (dirent* e = ::readdir(dir)) {
        if (e->d_name[0] == '.')
            continue;
        std::ifstream in(portsDir + "/" + e->d_name + "/name");
        std::string n;
        if (std::getline(in, n) && n == name) {
            found = std::string("/dev/") + e->d_name;
            break;
        }
    }
    ::closedir(dir);
    return found;
}

int GuestReporter::run()
{
    using Clock = std::chrono::steady_clock;
    // The port appears once virtio_console (loaded at boot) has probed it.
    std::string port = options_.port;
    for (int i = 0; port.empty() && i < 50; ++i) {
        port = findPort(options_.portsDir, kPortName);
        if (port.empty())
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (port.empty()) {
        std::cerr << "mr-shell --report: no virtio-serial port " << kPortName << "; the host does not listen\n";
        for (;;)
            ::pause();
    }
    Fd out(::open(port.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (!out.ok()) {
        std::cerr << "mr-shell --report: " << port << ": " << std::strerror(errno) << "\n";
        ::sleep(2);  // init respawns us: not in a tight loop
        return 1;
    }
    // The virtio console driver signals SIGIO when the host (dis)connects.
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t sigio;
    sigemptyset(&sigio);
    sigaddset(&sigio, SIGIO);
    ::sigprocmask(SIG_BLOCK, &sigio, nullptr);
    Fd signals(::signalfd(-1, &sigio, SFD_NONBLOCK | SFD_CLOEXEC));
    ::fcntl(out.get(), F_SETOWN, ::getpid());
    ::fcntl(out.get(), F_SETFL, ::fcntl(out.get(), F_GETFL) | O_ASYNC | O_NONBLOCK);

    Fd netlink(::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE));
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR;
    if (!netlink.ok() || ::bind(netlink.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        std::cerr << "mr-shell --report: rtnetlink: " << std::strerror(errno) << "\n";
        ::sleep(2);
        return 1;
    }
    // The identity is in the configuration, rewritten on every change: on
    // /dev/vda in place, or a file replaced by rename.
    const std::string config = options_.backend.configPath;
    Fd inotify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!config.empty() && inotify.ok())
        ::inotify_add_watch(inotify.get(), dirName(config).c_str(), IN_CLOSE_WRITE | IN_MOVED_TO);
    if (Status s = backend_.load(); !s)
        std::cerr << "mr-shell --report: " << s.error().text() << "\n";

    bool connected = false;
    bool dirty = true;  // the first report goes out at once
    Clock::time_point due = Clock::now();
    std::string sent;    // the last report the host got
    std::string outbox;  // what is left of the line being written
    for (;;) {
        pollfd probe{out.get(), POLLOUT, 0};
        ::poll(&probe, 1, 0);
        // HUP: no host on the other end (the driver's poll says so); data
        // written now would only wait for the next one.
        const bool nowConnected = !(probe.revents & (POLLHUP | POLLERR | POLLNVAL));
        if (!nowConnected)
            outbox.clear();
        bool resend = nowConnected && !connected;
        connected = nowConnected;

        const auto now = Clock::now();
        if (connected && outbox.empty() && (resend || (dirty && now >= due))) {
            std::string line = snapshot();
            dirty = false;
            if (resend || line != sent) {
                // A fresh connection may still get the tail of a line the last
                // one did not take: the newline ends it (the host drops it).
                outbox = (resend ? "\n" : "") + line;
                sent = line;
            }
        }
        if (connected && !outbox.empty()) {
            const ssize_t n = ::write(out.get(), outbox.data(), outbox.size());
            if (n > 0)
                outbox.erase(0, std::size_t(n));
        }

        std::vector<pollfd> fds{{netlink.get(), POLLIN, 0}, {signals.get(), POLLIN, 0}};
        if (inotify.ok())
            fds.push_back({inotify.get(), POLLIN, 0});
        // While nobody listens the port polls as HUP all the time: SIGIO and a
        // slow re-check stand in for it then. What the host might send is
        // not read: the host has nothing to say here.
        if (connected)
            fds.push_back({out.get(), short(outbox.empty() ? 0 : POLLOUT), 0});
        int timeout = -1;
        if (dirty && connected && outbox.empty())
            timeout = int(std::max<long long>(
                0, std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now()).count()));
        else if (!connected)
            timeout = 5000;
        if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR)
            return 1;
        if (fds[0].revents) {
            char buf[8192];
            bool any = false;
            for (;;) {
                const ssize_t n = ::recv(netlink.get(), buf, sizeof buf, 0);
                if (n > 0 || (n < 0 && errno == ENOBUFS)) {  // ENOBUFS: we missed some, still a change
                    any = true;
                    continue;
                }
                break;
            }
            if (any && !dirty) {
                dirty = true;
                due = Clock::now() + std::chrono::milliseconds(options_.settleMs);
            }
        }
        if (fds[1].revents)
            drain(signals.get());
        if (inotify.ok() && fds[2].revents) {
            alignas(inotify_event) char buf[4096];
            bool ours = false;
            ssize_t n;
            while ((n = ::read(inotify.get(), buf, sizeof buf)) > 0) {
                for (char* p = buf; p < buf + n;) {
                    const auto* e = reinterpret_cast<const inotify_event*>(p);
                    if ((e->mask & IN_Q_OVERFLOW) || (e->len && baseName(config) == e->name))
                        ours = true;
                    p += sizeof(inotify_event) + e->len;
                }
            }
            if (ours) {
                if (Status s = backend_.load(); !s)
                    std::cerr << "mr-shell --report: " << s.error().text() << "\n";
                if (!dirty) {
                    dirty = true;
                    due = Clock::now() + std::chrono::milliseconds(options_.settleMs);
                }
            }
        }
    }
}

}  // namespace mr::guest
