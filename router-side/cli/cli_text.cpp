#include "cli_text.h"

#include <cctype>

namespace mr::cli::text {

std::size_t displayWidth(std::string_view s)
{
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80)
            ++n;
    return n;
}

std::string padRight(std::string_view s, std::size_t width)
{
    std::string out(s);
    const std::size_t w = displayWidth(s);
    if (w < width)
        out.append(width - w, ' ');
    return out;
}

std::string padLeft(std::string_view s, std::size_t width)
{
    const std::size_t w = displayWidth(s);
    std::string out;
    if (w < width)
        out.append(width - w, ' ');
    out += s;
    return out;
}

std::string trimLineEnds(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    std::size_t pending = 0;
    for (char c : s) {
        if (c == ' ') {
            ++pending;
            continue;
        }
        if (c != '\n')
            out.append(pending, ' ');
        pending = 0;
        out += c;
    }
    return out;
}

bool needsQuotes(std::string_view value)
{
    if (value.empty())
        return true;
    for (unsigned char c : value)
        if (c <= ' ' || c == '"' || c == '\\' || c == ';' || c == '?' || c == '$' || c == '=' || c == 0x7f)
            return true;
    return false;
}

std::string quoted(std::string_view value)
{
    std::string out = "\"";
    for (char c : value) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '$': out += "\\$"; break;
        case '?': out += "\\?"; break;
        default: out += c;
        }
    }
    out += '"';
    return out;
}

std::string quotedIfNeeded(std::string_view value)
{
    return needsQuotes(value) ? quoted(value) : std::string(value);
}

std::vector<std::string> splitPath(std::string_view path)
{
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (i < path.size()) {
        const std::size_t j = path.find('/', i);
        const std::size_t end = j == std::string_view::npos ? path.size() : j;
        if (end > i)
            parts.emplace_back(path.substr(i, end - i));
        i = end + 1;
    }
    return parts;
}

std::string displayPath(std::string_view path)
{
    const auto parts = splitPath(path);
    std::string out = "/";
    for (std::size_t i = 0; i < parts.size(); ++i)
        out += (i ? " " : "") + parts[i];
    return out;
}

bool startsWith(std::string_view s, std::string_view prefix)
{
    return s.substr(0, prefix.size()) == prefix;
}

bool allDigits(std::string_view s)
{
    if (s.empty())
        return false;
    for (unsigned char c : s)
        if (!std::isdigit(c))
            return false;
    return true;
}

std::string toCrlf(std::string_view s)
{
    std::string out;
    out.reserve(s.size() + s.size() / 16);
    char prev = 0;
    for (char c : s) {
        if (c == '\n' && prev != '\r')
            out += '\r';
        out += c;
        prev = c;
    }
    return out;
}

}  // namespace mr::cli::text
