#pragma once
// Small text helpers shared by the command-line engine's formatters and
// parsers: RouterOS quoting, padding, menu path spelling.

#include <string>
#include <string_view>
#include <vector>

namespace mr::cli::text {

// Number of terminal columns `s` takes (UTF-8 code points; no wide glyphs).
std::size_t displayWidth(std::string_view s);

std::string padRight(std::string_view s, std::size_t width);
std::string padLeft(std::string_view s, std::size_t width);

// Removes spaces at the end of every line; table cells are padded to
// their column and nobody wants the padding of the last one.
std::string trimLineEnds(std::string_view s);

// Whether `value` must be quoted to survive the lexer as one token.
bool needsQuotes(std::string_view value);
// `"a b"` with \" and \\ escaped.
std::string quoted(std::string_view value);
// Quotes only when needed (export, completion).
std::string quotedIfNeeded(std::string_view value);

// "/interface/bridge" -> "/interface bridge"; "/" stays "/".
std::string displayPath(std::string_view path);
// "/interface/bridge" -> {"interface", "bridge"}.
std::vector<std::string> splitPath(std::string_view path);

bool startsWith(std::string_view s, std::string_view prefix);
bool allDigits(std::string_view s);

// "\n" -> "\r\n" for a terminal in raw mode; a lone "\r\n" is kept.
std::string toCrlf(std::string_view s);

}  // namespace mr::cli::text
