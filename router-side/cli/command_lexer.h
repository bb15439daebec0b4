#pragma once
// Splits one command line into RouterOS tokens: words, name=value pairs,
// !name, quoted strings with escapes and ';' separators, remembering where
// each token starts so that errors can point at the column.

#include <string>
#include <string_view>
#include <vector>


namespace mr::cli {

// One word of a command line, split at its first unquoted '='.
struct Token {
    enum class Kind { Word, Separator };
    Kind kind = Kind::Word;
    std::string raw;       // as typed
    std::string text;      // unescaped whole token
    std::string name;      // before '=' (or after '!'), unescaped
    std::string value;     // after '=', unescaped
    bool hasValue = false; // name=value or name!=value
    bool notEqual = false; // name!=value (print where)
    bool negated = false;  // !name
    bool quoted = false;   // some part was in quotes
    std::size_t begin = 0; // byte offsets in the line
    std::size_t end = 0;

    std::size_t column() const { return begin + 1; }
};

class CommandLexer {
public:
    struct Lexed {
        std::vector<Token> tokens;
        bool openQuote = false;   // lenient mode: the line ends inside quotes
        std::size_t errorAt = 0;  // offset of an unterminated quote
    };

    // Never fails, so that completion and help work on half-typed lines;
    // execution refuses a line with openQuote set.
    static Lexed lex(std::string_view line);
};

}  // namespace mr::cli
