#include "command_lexer.h"

#include <cctype>

namespace mr::cli {
namespace {

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Consumes an escape at line[i] == '\\'; appends the result, returns the next index.
std::size_t unescape(std::string_view line, std::size_t i, std::string& out)
{
    if (i + 1 >= line.size()) {
        out += '\\';
        return i + 1;
    }
    const char c = line[i + 1];
    switch (c) {
    case 'n': out += '\n'; return i + 2;
    case 'r': out += '\r'; return i + 2;
    case 't': out += '\t'; return i + 2;
    case '_': out += ' '; return i + 2;
    case 'a': out += '\a'; return i + 2;
    default: break;
    }
    if (i + 2 < line.size() && hexDigit(c) >= 0 && hexDigit(line[i + 2]) >= 0) {
        out += static_cast<char>(hexDigit(c) * 16 + hexDigit(line[i + 2]));
        return i + 3;
    }
    out += c;
    return i + 2;
}

}  // namespace

CommandLexer::Lexed CommandLexer::lex(std::string_view line)
{
    Lexed result;
    std::size_t i = 0;
    while (i < line.size()) {
        const char c = line[i];
        if (c == ' ' || c == '\t') {
            ++i;
            continue;
        }
        Token t;
        t.begin = i;
        if (c == ';') {
            t.kind = Token::Kind::Separator;
            t.raw = t.text = ";";
            t.end = ++i;
            result.tokens.push_back(std::move(t));
            continue;
        }
        bool inQuotes = false;
        bool seenEquals = false;
        std::size_t quoteStart = 0;
        while (i < line.size()) {
            const char d = line[i];
            if (!inQuotes && (d == ' ' || d == '\t' || d == ';'))
                break;
            if (d == '"') {
                inQuotes = !inQuotes;
                t.quoted = true;
                quoteStart = i;
                ++i;
                continue;
            }
            if (d == '\\') {
                std::string piece;
                i = unescape(line, i, piece);
                t.text += piece;
                if (seenEquals)
                    t.value += piece;
                continue;
            }
            if (d == '=' && !inQuotes && !seenEquals && !t.text.empty()) {
                seenEquals = true;
                t.hasValue = true;
                t.name = t.text;
                if (!t.name.empty() && t.name.back() == '!') {
                    t.notEqual = true;
                    t.name.pop_back();
                }
                t.text += d;
                ++i;
                continue;
            }
            t.text += d;
            if (seenEquals)
                t.value += d;
            ++i;
        }
        if (inQuotes) {
            result.openQuote = true;
            result.errorAt = quoteStart;
        }
        t.end = i;
        t.raw = std::string(line.substr(t.begin, t.end - t.begin));
        if (!t.hasValue && !t.quoted && t.text.size() > 1 && t.text.front() == '!') {
            t.negated = true;
            t.name = t.text.substr(1);
        }
        result.tokens.push_back(std::move(t));
    }
    return result;
}

}  // namespace mr::cli
