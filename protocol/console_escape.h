#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace mr::protocol {

// The console's Ctrl-A escape, picocom-style: a two-state machine between
// what the user types and a serial console. One class for every console:
// the daemon's command line (`/metarouter console mr1`), `mrcli --console`
// and metabox's console, terminal and serial-port tabs. Qt-free, in
// protocol/ because both the router side and the app link it.
//
//   transparent: every byte goes to the console; Ctrl-A enters command state
//                and shows the manual's key help
//   command:     Q quit, B send break, A or Ctrl-A a literal Ctrl-A,
//                R "autoconfigure rate": the autoconfigureRate handler when
//                there is one (a real serial port), else the answer that it
//                does not apply (a metarouter's virtual serial line); any
//                other key is ignored. Every key returns to transparent.
class ConsoleEscape {
public:
    static constexpr char kPrefix = '\x01';  // Ctrl-A
    // Shown when a console is attached, and on Ctrl-A / quit (the manual's text).
    static constexpr std::string_view kAttachBanner = "[Ctrl-A is the prefix key]\r\n";
    static constexpr std::string_view kHelp =
        "\r\n[Q - quit connection]      [B - send break]\r\n"
        "[A - send Ctrl-A prefix]   [R - autoconfigure rate]\r\n";
    static constexpr std::string_view kWelcomeBack = " Welcome back!\r\n";
    static constexpr std::string_view kBreakSent = "[break sent]\r\n";
    static constexpr std::string_view kRateAck =
        "[autoconfigure rate does not apply: a metarouter console is a virtual serial line]\r\n";

    struct Handlers {
        std::function<void(std::string_view bytes)> toConsole;  // bytes for the guest
        std::function<void(std::string_view text)> toUser;      // our own messages, CRLF line ends
        std::function<void()> sendBreak;
        // Detach: called once, after kWelcomeBack, as the machine's last act
        // (it may destroy the machine).
        std::function<void()> quit;
        // R on a line that has a rate (a local serial port); it reports its
        // own progress. Unset: the machine answers kRateAck.
        std::function<void()> autoconfigureRate;
    };

    explicit ConsoleEscape(Handlers handlers) : h_(std::move(handlers)) {}

    // Feeds typed bytes. Returns how many were consumed: all of them, or up
    // to and including the quit key (the rest belongs to whoever is next,
    // e.g. the host command line).
    std::size_t feed(std::string_view bytes);

    bool inCommand() const { return command_; }
    bool quitted() const { return quit_; }

private:
    void command(char key);  // every key but quit
    void flush(std::string_view bytes, std::size_t from, std::size_t to);

    Handlers h_;
    bool command_ = false;
    bool quit_ = false;
};

}  // namespace mr::protocol
