#include "sandbox.h"

#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace mr::net {
namespace {

constexpr long kNsfsMagic = 0x6e736673;

std::string netnsPath(const std::string& ns)
{
    return "/run/netns/" + ns;
}

const char* ipBinary()
{
    for (const char* p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
        if (access(p, X_OK) == 0)
            return p;
    return "ip";
}

Status validName(const std::string& name)
{
    if (name.empty() || name.size() > 200)
        return Error::invalid("sandbox", "sandbox name must be 1 to 200 characters");
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
            return Error::invalid("sandbox", "sandbox name may contain only letters, digits, '-', '_' and '.'");
    if (name[0] == '.' || name[0] == '-')
        return Error::invalid("sandbox", "sandbox name cannot start with '.' or '-'");
    return {};
}

}  // namespace

Sandbox::Sandbox(std::string name, int ports) : name_(std::move(name)), ports_(ports) {}

Sandbox::~Sandbox()
{
    if (originalNs_ >= 0)
        close(originalNs_);
}

bool Sandbox::exists(const std::string& ns)
{
    struct statfs fs {};
    return statfs(netnsPath(ns).c_str(), &fs) == 0 && static_cast<long>(fs.f_type) == kNsfsMagic;
}

Status Sandbox::ip(const std::vector<std::string>& args, std::string* output)
{
    int pipeFds[2];
    if (pipe2(pipeFds, O_CLOEXEC) != 0)
        return Error::failed(std::string("pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDERR_FILENO);
    std::vector<std::string> all{ipBinary()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int err = posix_spawn(&pid, all[0].c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipeFds[1]);
    std::string text;
    if (err == 0) {
        char buf[4096];
        for (;;) {
            const ssize_t n = read(pipeFds[0], buf, sizeof buf);
            if (n > 0)
                text.append(buf, static_cast<std::size_t>(n));
            else if (n == 0 || errno != EINTR)
                break;
        }
    }
    close(pipeFds[0]);
    std::string command = "ip";
    for (const auto& a : args)
        command += " " + a;
    if (err != 0)
        return Error::failed("cannot run " + command + ": " + std::strerror(err));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (output)
        *output = text;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
            text.pop_back();
        return Error::failed(command + " failed: " + text);
    }
    return {};
}

Status Sandbox::ensureNamespace(const std::string& ns)
{
    if (!exists(ns)) {
        // A file left behind without its mount (e.g. after a reboot) blocks `ip netns add`.
        unlink(netnsPath(ns).c_str());
        if (auto s = ip({"netns", "add", ns}); !s)
            return s;
    }
    return ip({"-n", ns, "link", "set", "lo", "up"});
}

Status Sandbox::setUp()
{
    if (auto s = validName(name_); !s)
        return s;
    if (auto s = ensureNamespace(name_); !s)
        return s;
    if (auto s = ensureNamespace(lanName()); !s)
        return s;
    for (int i = 1; i <= ports_; ++i) {
        const std::string ether = "ether" + std::to_string(i);
        const std::string lan = "lan" + std::to_string(i);
        if (ip({"-n", name_, "link", "show", "dev", ether}))
            continue;  // re-entered: keep its state (it may be disabled on purpose)
        (void)ip({"-n", lanName(), "link", "del", "dev", lan});  // a stale far end
        if (auto s = ip({"-n", name_, "link", "add", ether, "type", "veth", "peer", "name", lan, "netns", lanName()}); !s)
            return s;
        if (auto s = ip({"-n", name_, "link", "set", ether, "up"}); !s)
            return s;
        if (auto s = ip({"-n", lanName(), "link", "set", lan, "up"}); !s)
            return s;
    }
    return {};
}

Status Sandbox::enter()
{
    if (entered_)
        return {};
    const int fd = open(netnsPath(name_).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return Error::notFound("sandbox " + name_ + " does not exist: " + std::strerror(errno));
    if (originalNs_ < 0)
        originalNs_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    const int rc = setns(fd, CLONE_NEWNET);
    const int err = errno;
    close(fd);
    if (rc != 0)
        return Error::failed("cannot enter sandbox " + name_ + ": " + std::strerror(err));
    entered_ = true;
    return {};
}

Status Sandbox::leave()
{
    if (!entered_)
        return {};
    if (originalNs_ < 0 || setns(originalNs_, CLONE_NEWNET) != 0)
        return Error::failed("cannot leave sandbox " + name_ + ": " + std::strerror(errno));
    entered_ = false;
    return {};
}

Status Sandbox::remove()
{
    Status result = leave();
    for (const auto& ns : {lanName(), name_})
        if (exists(ns))
            if (auto s = ip({"netns", "del", ns}); !s && result)
                result = s;
    return result;
}

}  // namespace mr::net
