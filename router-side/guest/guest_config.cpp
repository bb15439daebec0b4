#include "guest_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>

namespace mr::guest {
namespace {

constexpr const char* kMagic = "mr-guest-config 1";
constexpr std::size_t kMaxSize = 1024 * 1024;
// A slot: magic, sequence number, payload length, CRC-32 of sequence
// number, length and payload (all little-endian), then the payload.
constexpr char kSlotMagic[8] = {'M', 'R', 'G', 'C', 'F', 'G', '2', '\n'};
constexpr std::size_t kHeaderSize = 24;

std::uint32_t crc32(std::string_view data)
{
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : data)
        c = table[(c ^ b) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

void putLe(std::string& out, unsigned long long v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

unsigned long long getLe(std::string_view in, std::size_t at, int bytes)
{
    unsigned long long v = 0;
    for (int i = bytes - 1; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
    return v;
}

std::string slotHeader(unsigned long long seq, std::string_view payload)
{
    std::string h(kSlotMagic, sizeof kSlotMagic);
    putLe(h, seq, 8);
    putLe(h, payload.size(), 4);
    putLe(h, crc32(h.substr(8) + std::string(payload)), 4);
    return h;
}

bool parseSlot(std::string_view slot, unsigned long long& seq, std::string& payload)
{
    if (slot.size() < kHeaderSize || slot.substr(0, sizeof kSlotMagic) != std::string_view(kSlotMagic, sizeof kSlotMagic))
        return false;
    seq = getLe(slot, 8, 8);
    const std::size_t length = static_cast<std::size_t>(getLe(slot, 16, 4));
    if (length > slot.size() - kHeaderSize)
        return false;
    const std::string_view data = slot.substr(kHeaderSize, length);
    if (crc32(std::string(slot.substr(8, 12)) + std::string(data)) != static_cast<std::uint32_t>(getLe(slot, 20, 4)))
        return false;
    payload.assign(data);
    return true;
}

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

bool GuestConfig::useSlots() const
{
    if (storage_ != Storage::Auto)
        return storage_ == Storage::Slots;
    struct stat st{};
    return ::stat(path_.c_str(), &st) == 0 && S_ISBLK(st.st_mode);
}

Status GuestConfig::load()
{
    menus_.clear();
    next_ = 1;
    sequence_ = 0;
    slot_ = -1;
    if (path_.empty())
        return {};
    std::ifstream file(path_, std::ios::binary);
    if (!file)
        return {};
    if (!useSlots()) {
        std::string text{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
        if (text.size() > kMaxSize)
            return Error::failed("configuration " + path_ + " is larger than " + std::to_string(kMaxSize / 1024) + " KiB");
        return loadText(text);
    }
    std::string disk(2 * kSlotSize, '\0');
    file.read(disk.data(), static_cast<std::streamsize>(disk.size()));
    disk.resize(static_cast<std::size_t>(file.gcount()));
    std::string best;
    bool damaged = false;
    for (int i = 0; i < 2; ++i) {
        const std::size_t at = static_cast<std::size_t>(i) * kSlotSize;
        if (disk.size() < at + kHeaderSize)
            break;
        const std::string_view slot(disk.data() + at, std::min(kSlotSize, disk.size() - at));
        if (slot.substr(0, kHeaderSize).find_first_not_of('\0') == std::string_view::npos)
            continue;  // never written
        std::string payload;
        unsigned long long seq = 0;
        if (!parseSlot(slot, seq, payload)) {
            damaged = true;
            continue;
        }
        if (slot_ < 0 || seq > sequence_) {
            slot_ = i;
            sequence_ = seq;
            best = std::move(payload);
        }
    }
    if (slot_ >= 0)
        return loadText(best);
    // Before slots the disk held the text itself from offset 0, NUL-terminated.
    if (disk.rfind(kMagic, 0) == 0) {
        disk.resize(std::min(disk.find('\0'), kSlotSize));
        return loadText(disk);
    }
    if (damaged)
        return Error::failed("configuration " + path_ + ": no slot with a valid checksum");
    return {};  // a blank disk
}

Status GuestConfig::loadText(const std::string& text)
{
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

Status GuestConfig::save()
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
    const std::string text = out.str();
    if (useSlots())
        return saveSlot(text);
    if (text.size() >= kMaxSize)
        return Error::failed("the configuration is larger than " + std::to_string(kMaxSize / 1024) + " KiB");
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

Status GuestConfig::saveSlot(const std::string& text)
{
    // The guest's virtual disk holds the slots themselves: no filesystem
    // (and no filesystem driver in the initrd).
    if (text.size() > kSlotSize - kHeaderSize)
        return Error::failed("the configuration is larger than " + std::to_string(kSlotSize / 1024 - 1) + " KiB");
    const int target = slot_ == 0 ? 1 : 0;
    const unsigned long long seq = sequence_ + 1;
    std::string block = slotHeader(seq, text) + text;
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return Error::failed("cannot save the configuration: " + std::string(std::strerror(errno)));
    const off_t size = ::lseek(fd, 0, SEEK_END);
    if (size >= 0 && static_cast<std::size_t>(size) < 2 * kSlotSize) {
        ::close(fd);
        return Error::failed("cannot save the configuration: the disk is smaller than " +
                             std::to_string(2 * kSlotSize / 1024) + " KiB");
    }
    const ssize_t n = ::pwrite(fd, block.data(), block.size(), static_cast<off_t>(target) * static_cast<off_t>(kSlotSize));
    const int e = errno;
    const int synced = ::fsync(fd);
    ::close(fd);
    if (n != static_cast<ssize_t>(block.size()))
        return Error::failed("cannot save the configuration: " + std::string(n < 0 ? std::strerror(e) : "short write"));
    if (synced != 0)
        return Error::failed("cannot save the configuration: fsync failed");
    slot_ = target;
    sequence_ = seq;
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
