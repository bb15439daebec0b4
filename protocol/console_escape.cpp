#include "console_escape.h"

namespace mr::protocol {

void ConsoleEscape::flush(std::string_view bytes, std::size_t from, std::size_t to)
{
    if (to > from && h_.toConsole)
        h_.toConsole(bytes.substr(from, to - from));
}

std::size_t ConsoleEscape::feed(std::string_view bytes)
{
    if (quit_)
        return 0;
    // Runs of plain bytes go to the console in one piece, not byte by byte.
    std::size_t run = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (command_) {
            command_ = false;
            run = i + 1;
            if (c == 'q' || c == 'Q') {
                quit_ = true;
                if (h_.toUser)
                    h_.toUser(kWelcomeBack);
                // Last: the handler may well destroy this machine.
                if (auto quit = h_.quit)
                    quit();
                return i + 1;
            }
            command(c);
            continue;
        }
        if (c == kPrefix) {
            flush(bytes, run, i);
            run = i + 1;
            command_ = true;
            if (h_.toUser)
                h_.toUser(kHelp);
        }
    }
    if (!command_)
        flush(bytes, run, bytes.size());
    return bytes.size();
}

void ConsoleEscape::command(char key)
{
    switch (key) {
    case 'b':
    case 'B':
        if (h_.sendBreak)
            h_.sendBreak();
        if (h_.toUser)
            h_.toUser(kBreakSent);
        return;
    case 'a':
    case 'A':
    case kPrefix: {
        static constexpr char literal[] = {kPrefix};
        if (h_.toConsole)
            h_.toConsole(std::string_view(literal, 1));
        return;
    }
    case 'r':
    case 'R':
        if (h_.autoconfigureRate)
            return h_.autoconfigureRate();
        if (h_.toUser)
            h_.toUser(kRateAck);
        return;
    default:
        return;  // unknown keys are ignored, as in picocom
    }
}

}  // namespace mr::protocol
