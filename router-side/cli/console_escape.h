#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace mr::cli {

// The console's Ctrl-A escape, picocom-style: a two-state machine between
// what the user types and a metarouter's serial console. Shared by the
// daemon's command line (`/metarouter console mr1`) and `mrcli --console`.
//
//   transparent: every byte goes to the console; Ctrl-A enters command state
//                and shows the manual's key help
//   command:     Q quit, B send break, A or Ctrl-A a literal Ctrl-A,
//                R "autoconfigure rate" (nothing to do on a virtual serial
//                line; acknowledged); any other key is ignored. Every key
//                returns to transparent.
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
        "[autoconfigure rate: a virtual serial line has no rate to configure]\r\n";

    struct Handlers {
        std::function<void(std::string_view bytes)> toConsole;  // bytes for the guest
        std::function<void(std::string_view text)> toUser;      // our own messages, CRLF line ends
        std::function<void()> sendBreak;
        // Detach: called once, after kWelcomeBack, as the machine's last act
        // (it may destroy the machine).
        std::function<void()> quit;
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

}  // namespace mr::cli
