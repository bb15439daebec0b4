#include "schema_values.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <limits>

namespace mr::protocol {
namespace {

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string rangeText(long long min, long long max)
{
    return "must be between " + std::to_string(min) + " and " + std::to_string(max);
}

Result<std::string> parseMac(const std::string& name, std::string_view in)
{
    unsigned b[6];
    char tail;
    std::string s(in);
    std::replace(s.begin(), s.end(), '-', ':');
    if (std::sscanf(s.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6 ||
        s.size() != 17)
        return Error::invalid(name, "invalid MAC address '" + s + "' for " + name + ": expected XX:XX:XX:XX:XX:XX");
    char out[18];
    std::snprintf(out, sizeof out, "%02X:%02X:%02X:%02X:%02X:%02X", b[0], b[1], b[2], b[3], b[4], b[5]);
    return std::string(out);
}

Result<std::string> parseIp(const std::string& name, std::string_view in)
{
    in_addr a{};
    std::string s(in);
    if (inet_pton(AF_INET, s.c_str(), &a) != 1)
        return Error::invalid(name, "invalid IPv4 address '" + s + "' for " + name);
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, buf, sizeof buf);
    return std::string(buf);
}

Result<std::string> parsePrefix(const std::string& name, std::string_view in)
{
    const auto slash = in.find('/');
    auto ip = parseIp(name, in.substr(0, slash));
    if (!ip)
        return Error::invalid(name, "invalid address '" + std::string(in) + "' for " + name +
                                        ": expected A.B.C.D/PREFIX");
    long long len = 32;
    if (slash != std::string_view::npos) {
        const auto lenText = in.substr(slash + 1);
        auto r = std::from_chars(lenText.data(), lenText.data() + lenText.size(), len);
        if (lenText.empty() || r.ec != std::errc() || r.ptr != lenText.data() + lenText.size() || len < 0 || len > 32)
            return Error::invalid(name, "invalid prefix length in '" + std::string(in) + "' for " + name +
                                            ": must be between 0 and 32");
    }
    return *ip + "/" + std::to_string(len);
}

// Size with optional unit suffix, converted to the property's unit.
Result<long long> parseSize(const std::string& name, std::string_view in, const std::string& unit)
{
    std::size_t i = 0;
    while (i < in.size() && std::isdigit(static_cast<unsigned char>(in[i])))
        ++i;
    if (i == 0)
        return Error::invalid(name, "invalid size '" + std::string(in) + "' for " + name);
    unsigned long long n = 0;
    const std::string tooLarge = "size '" + std::string(in) + "' for " + name + " is too large";
    auto r = std::from_chars(in.data(), in.data() + i, n);
    if (r.ec != std::errc())
        return Error::invalid(name, tooLarge);
    std::string suffix(in.substr(i));
    auto factor = [](std::string_view u) -> long long {
        if (u.empty())
            return -1;
        if (iequals(u, "k") || iequals(u, "kib") || iequals(u, "kb"))
            return 1024LL;
        if (iequals(u, "m") || iequals(u, "mib") || iequals(u, "mb"))
            return 1024LL * 1024;
        if (iequals(u, "g") || iequals(u, "gib") || iequals(u, "gb"))
            return 1024LL * 1024 * 1024;
        if (iequals(u, "b"))
            return 1;
        return 0;
    };
    if (suffix.empty()) {
        if (n > static_cast<unsigned long long>(std::numeric_limits<long long>::max()))
            return Error::invalid(name, tooLarge);
        return static_cast<long long>(n);
    }
    const long long from = factor(suffix);
    const long long to = factor(unit);
    if (from == 0 || to <= 0)
        return Error::invalid(name, "unknown unit '" + suffix + "' for " + name + " (in " + unit + ")");
    unsigned long long bytes = 0;
    if (__builtin_mul_overflow(n, static_cast<unsigned long long>(from), &bytes))
        return Error::invalid(name, tooLarge);
    if (bytes % static_cast<unsigned long long>(to) != 0)
        return Error::invalid(name, std::string(in) + " is not a whole number of " + unit + " for " + name);
    const unsigned long long v = bytes / static_cast<unsigned long long>(to);
    if (v > static_cast<unsigned long long>(std::numeric_limits<long long>::max()))
        return Error::invalid(name, tooLarge);
    return static_cast<long long>(v);
}

Result<std::string> parseTyped(const std::string& name, wire::PropertyType type, std::string_view input,
                               long long min, long long max, const google::protobuf::RepeatedPtrField<std::string>& enums,
                               const std::string& unit, const std::string& specialZero)
{
    switch (type) {
    case wire::TYPE_STRING:
    case wire::TYPE_REFERENCE: {
        if (input.size() > 255)
            return Error::invalid(name, name + " is longer than 255 characters");
        for (char c : input)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                return Error::invalid(name, name + " contains a control character");
        if (max > 0 && static_cast<long long>(input.size()) > max)
            return Error::invalid(name, name + " is longer than " + std::to_string(max) + " characters");
        if (type == wire::TYPE_REFERENCE && input.empty())
            return Error::invalid(name, name + " must name an object");
        return std::string(input);
    }
    case wire::TYPE_INTEGER: {
        auto v = parseInteger(input);
        if (!v)
            return Error::invalid(name, "invalid number '" + std::string(input) + "' for " + name);
        if ((min != 0 || max != 0) && (*v < min || *v > max))
            return Error::invalid(name, "value " + std::string(input) + " for " + name + " " + rangeText(min, max));
        return std::to_string(*v);
    }
    case wire::TYPE_BOOL:
        if (iequals(input, "yes") || iequals(input, "true"))
            return std::string("yes");
        if (iequals(input, "no") || iequals(input, "false"))
            return std::string("no");
        return Error::invalid(name, "invalid value '" + std::string(input) + "' for " + name + ": expected yes or no");
    case wire::TYPE_ENUM:
        for (const auto& e : enums)
            if (iequals(e, input))
                return e;
        {
            std::string list;
            for (const auto& e : enums)
                list += (list.empty() ? "" : ", ") + e;
            return Error::invalid(name, "invalid value '" + std::string(input) + "' for " + name + ": expected one of " + list);
        }
    case wire::TYPE_MAC:
        return parseMac(name, input);
    case wire::TYPE_IP:
        return parseIp(name, input);
    case wire::TYPE_IP_PREFIX:
        return parsePrefix(name, input);
    case wire::TYPE_DURATION: {
        auto v = parseDuration(input);
        if (!v)
            return Error::invalid(name, "invalid duration '" + std::string(input) + "' for " + name +
                                            " (examples: 30s, 5m, 1h30m)");
        if ((min != 0 || max != 0) && (*v < min || *v > max))
            return Error::invalid(name, "duration for " + name + " must be between " + formatDuration(min) + " and " +
                                            formatDuration(max));
        return std::to_string(*v);
    }
    case wire::TYPE_SIZE: {
        if (!specialZero.empty() && iequals(input, specialZero))
            return std::string("0");
        auto v = parseSize(name, input, unit);
        if (!v)
            return v.error();
        const bool zeroAllowed = !specialZero.empty() && *v == 0;
        if (!zeroAllowed && (min != 0 || max != 0) && (*v < min || *v > max))
            return Error::invalid(name, "value " + std::string(input) + " for " + name + " " + rangeText(min, max) +
                                            (unit.empty() ? "" : " " + unit) +
                                            (specialZero.empty() ? "" : " (or " + specialZero + ")"));
        return std::to_string(*v);
    }
    default:
        return Error::invalid(name, "unsupported type for " + name);
    }
}

}  // namespace

Result<long long> parseInteger(std::string_view text)
{
    long long v = 0;
    bool negative = false;
    std::string_view s = text;
    if (!s.empty() && s.front() == '-') {
        negative = true;
        s.remove_prefix(1);
    }
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    }
    // from_chars takes a sign of its own: "--5" or "0x-5" must not pass.
    if (s.empty() || s.front() == '-' || s.front() == '+')
        return Error::invalid({}, "not a number");
    auto r = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size())
        return Error::invalid({}, "not a number");
    return negative ? -v : v;
}

std::string formatDuration(long long seconds)
{
    if (seconds == 0)
        return "0s";
    std::string out;
    const long long w = seconds / 604800, d = seconds / 86400 % 7, h = seconds / 3600 % 24, m = seconds / 60 % 60,
                    s = seconds % 60;
    if (w)
        out += std::to_string(w) + "w";
    if (d)
        out += std::to_string(d) + "d";
    if (h)
        out += std::to_string(h) + "h";
    if (m)
        out += std::to_string(m) + "m";
    if (s)
        out += std::to_string(s) + "s";
    return out;
}

Result<long long> parseDuration(std::string_view text)
{
    if (text.empty())
        return Error::invalid({}, "empty duration");
    // hh:mm:ss
    if (text.find(':') != std::string_view::npos) {
        unsigned h = 0, m = 0, s = 0;
        char tail;
        if (std::sscanf(std::string(text).c_str(), "%u:%u:%u%c", &h, &m, &s, &tail) != 3 || m > 59 || s > 59)
            return Error::invalid({}, "bad duration");
        return static_cast<long long>(h) * 3600 + m * 60 + s;
    }
    long long total = 0;
    std::size_t i = 0;
    bool any = false;
    while (i < text.size()) {
        std::size_t j = i;
        while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])))
            ++j;
        if (j == i)
            return Error::invalid({}, "bad duration");
        long long n = 0;
        if (std::from_chars(text.data() + i, text.data() + j, n).ec != std::errc() || n > 100000000)
            return Error::invalid({}, "bad duration");
        long long unit = 1;
        if (j < text.size()) {
            switch (text[j]) {
            case 'w': unit = 604800; break;
            case 'd': unit = 86400; break;
            case 'h': unit = 3600; break;
            case 'm': unit = 60; break;
            case 's': unit = 1; break;
            default: return Error::invalid({}, "bad duration");
            }
            ++j;
        } else if (any) {
            return Error::invalid({}, "bad duration");
        }
        total += n * unit;
        any = true;
        i = j;
    }
    return total;
}

Result<std::string> parseValue(const wire::PropertySchema& p, std::string_view input)
{
    if (p.nullable() && (input == "none" || input.empty()))
        return std::string();
    return parseTyped(p.name(), p.type(), input, p.min(), p.max(), p.enum_values(), p.unit(), p.special_zero());
}

Result<std::string> parseArgument(const wire::ArgumentSchema& a, std::string_view input)
{
    return parseTyped(a.name(), a.type(), input, a.min(), a.max(), a.enum_values(), {}, {});
}

std::string formatValue(const wire::PropertySchema& p, const std::string& stored)
{
    if (stored.empty())
        return p.nullable() ? "none" : "";
    switch (p.type()) {
    case wire::TYPE_INTEGER:
        if (p.hex()) {
            auto v = parseInteger(stored);
            if (v) {
                char buf[32];
                std::snprintf(buf, sizeof buf, "0x%llX", static_cast<unsigned long long>(*v));
                return buf;
            }
        }
        return stored;
    case wire::TYPE_DURATION: {
        auto v = parseInteger(stored);
        return v ? formatDuration(*v) : stored;
    }
    case wire::TYPE_SIZE:
        if (stored == "0" && !p.special_zero().empty())
            return p.special_zero();
        return stored + p.unit();
    default:
        return stored;
    }
}

const wire::MenuSchema* findMenu(const wire::Schema& schema, std::string_view path)
{
    for (const auto& m : schema.menus())
        if (m.path() == path)
            return &m;
    return nullptr;
}

const wire::PropertySchema* findProperty(const wire::MenuSchema& menu, std::string_view name)
{
    for (const auto& p : menu.properties())
        if (p.name() == name)
            return &p;
    return nullptr;
}

const wire::CommandSchema* findCommand(const wire::MenuSchema& menu, std::string_view name)
{
    for (const auto& c : menu.commands())
        if (c.name() == name)
            return &c;
    return nullptr;
}

}  // namespace mr::protocol
