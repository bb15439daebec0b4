#pragma once
// Puts the controlling terminal in raw mode for an interactive session and
// restores it on destruction (and on the signals that end the program).

#include <termios.h>

#include <string>

namespace mr::ui {

class RawTerminal {
public:
    RawTerminal();
    ~RawTerminal();
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

    bool active() const { return active_; }
    static bool size(unsigned* columns, unsigned* rows);
    // Reads a line from /dev/tty without echo (password prompts).
    static bool readSecret(const char* prompt, std::string* out);

private:
    termios saved_{};
    bool active_ = false;
};

}  // namespace mr::ui
