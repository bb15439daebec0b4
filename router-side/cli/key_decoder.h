#pragma once
// Turns the raw bytes of a terminal in raw mode into editing keys. Escape
// sequences (arrows, Home/End, Delete) may arrive split across reads, so
// the decoder keeps its state between feeds.

#include <string>
#include <string_view>
#include <vector>

namespace mr::cli {

// One editing key; text arrives as Char bytes.
struct Key {
    enum class Type {
        Char,        // `ch` is one byte of text (UTF-8 passes through bytewise)
        Enter,
        Backspace,
        Delete,
        Left,
        Right,
        Up,
        Down,
        Home,
        End,
        Tab,
        Interrupt,   // Ctrl-C
        EndOfFile,   // Ctrl-D
        KillToEnd,   // Ctrl-K
        KillToStart, // Ctrl-U
        DeleteWord,  // Ctrl-W
        Redraw,      // Ctrl-L
    };
    Type type = Type::Char;
    char ch = 0;

    bool operator==(const Key&) const = default;
};

class KeyDecoder {
public:
    std::vector<Key> feed(std::string_view bytes);

private:
    enum class State { Normal, Escape, Csi, Ss3 };
    void finishCsi(char final, std::vector<Key>& keys);

    State state_ = State::Normal;
    std::string params_;
    bool afterCr_ = false;  // CR LF and CR NUL are one Enter
};

}  // namespace mr::cli
