#include "guest_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mr::guest {
namespace {

constexpr const char* kMagic = "mr-guest-config 1";
constexpr std::size_t kMaxSize = 1024 * 1024;

std::string escaped(const std::string& s)
{
    std::string out;
    for (char c : s) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\t')
            out += "\\t";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string unescaped(const std::string& s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        const char n = s[++i];
        out += n == 't' ? '\t' : n == 'n' ? '\n' : n;
    }
    return out;
}

std::vector<std::string> fields(const std::string& line)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (true) {
        const std::size_t tab = line.find('\t', pos);
        out.push_back(line.substr(pos, tab == std::string::npos ? std::string::npos : tab - pos));
        if (tab == std::string::npos)
            break;
        pos = tab + 1;
    }
    return out;
}

}  // namespace

std::string GuestConfig::hex(unsigned long long v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "%llX", v);
    return buf;
}

Status GuestConfig::load()
{
    menus_.clear();
    next_ = 1;
    if (path_.empty())
        return {};
    std::ifstream file(path_, std::ios::binary);
    if (!file)
        return {};
    // On a raw disk the text ends at the first NUL (a blank disk is all zeros).
    std::string text(kMaxSize, '\0');
    file.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(file.gcount()));
    if (const auto nul = text.find('\0'); nul != std::string::npos)
        text.resize(nul);
    if (text.empty())
        return {};
    std::istringstream in(text);
    std::string line;
    if (!std::getline(in, line) || line != kMagic)
        return Error::failed("configuration " + path_ + " is not a MetaRouter guest configuration");
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        const auto f = fields(line);
        if (f[0] == "next" && f.size() == 2) {
            next_ = std::strtoull(f[1].c_str(), nullptr, 10);
            continue;
        }
        if (f.size() < 2)
            continue;
        Record r{unescaped(f[1]), {}};
        for (std::size_t i = 2; i < f.size(); ++i) {
            const auto eq = f[i].find('=');
            if (eq != std::string::npos)
                r.properties[unescaped(f[i].substr(0, eq))] = unescaped(f[i].substr(eq + 1));
        }
        menus_[unescaped(f[0])].push_back(std::move(r));
    }
    return {};
}

Status GuestConfig::save() const
{
    if (path_.empty())
        return {};
    std::ostringstream out;
    out << kMagic << "\nnext\t" << next_ << "\n";
    for (const auto& [menu, records] : menus_)
        for (const auto& r : records) {
            out << escaped(menu) << '\t' << escaped(r.id);
            for (const auto& [k, v] : r.properties)
                out << '\t' << escaped(k) << '=' << escaped(v);
            out << '\n';
        }
    std::string text = out.str();
    if (text.size() >= kMaxSize)
        return Error::failed("the configuration is larger than " + std::to_string(kMaxSize / 1024) + " KiB");
    struct stat st{};
    if (::stat(path_.c_str(), &st) == 0 && S_ISBLK(st.st_mode)) {
        // The guest's virtual disk holds the text itself, NUL-terminated: no
        // filesystem (and no filesystem driver in the initrd).
        text += '\0';
        const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            return Error::failed("cannot save the configuration: " + std::string(std::strerror(errno)));
        const ssize_t n = ::pwrite(fd, text.data(), text.size(), 0);
        const int e = errno;
        ::fsync(fd);
        ::close(fd);
        if (n != static_cast<ssize_t>(text.size()))
            return Error::failed("cannot save the configuration: " + std::string(n < 0 ? std::strerror(e) : "short write"));
        return {};
    }
    const std::string tmp = path_ + ".new";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error::failed("cannot save the configuration: " + std::string(std::strerror(errno)));
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0) {
            const int e = errno;
            ::close(fd);
            return Error::failed("cannot save the configuration: " + std::string(std::strerror(e)));
        }
        done += static_cast<std::size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
    if (::rename(tmp.c_str(), path_.c_str()) != 0)
        return Error::failed("cannot save the configuration: " + std::string(std::strerror(errno)));
    return {};
}

GuestConfig::Record* GuestConfig::find(const std::string& menu, const std::string& id)
{
    for (auto& r : menus_[menu])
        if (r.id == id)
            return &r;
    return nullptr;
}

Properties& GuestConfig::singleton(const std::string& menu)
{
    auto& list = menus_[menu];
    if (list.empty())
        list.push_back({"*0", {}});
    return list.front().properties;
}

}  // namespace mr::guest
