// mr-shell: the guest's RouterOS-style command line on the serial console
// (after mr-login), and the boot-time re-application of the saved
// configuration (mr-shell --apply).
//
//   mr-shell [--config FILE] [--ifmap FILE] [--nft PATH] [--disk DIR] [--resolv-conf FILE]
//            [--ping PATH] [--udhcpc PATH] [--dhcp-script PATH] [--dhcp-dir DIR] [--no-power]
//            [--apply | --script | --check-password | --dhcp-event EVENT]
//   mr-shell --report [--report-port PATH] [--config FILE] [--ifmap FILE]
//
// --check-password reads one line (the password) from stdin and exits 0 when
// it is admin's, 1 otherwise (mr-login uses it). --dhcp-event is udhcpc's
// script (through /sbin/mr-dhcp-event): the lease in its environment goes to
// the kernel.
//
// --report stays running (started by init): it reports the identity,
// interfaces and addresses to the host over virtio-serial (GuestReporter).

#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <iterator>
#include <string>

#include "cli_engine.h"
#include "guest_backend.h"
#include "guest_reporter.h"
#include "terminal_session.h"

namespace {

void writeAll(std::string_view s)
{
    while (!s.empty()) {
        const ssize_t n = ::write(STDOUT_FILENO, s.data(), s.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        s.remove_prefix(static_cast<std::size_t>(n));
    }
}

void powerOff(mr::guest::GuestBackend::Power power, bool allowed)
{
    ::sync();
    if (!allowed || power == mr::guest::GuestBackend::Power::None)
        return;
    // busybox init: SIGTERM reboots, SIGUSR2 powers off (after /etc/rc.shutdown).
    ::kill(1, power == mr::guest::GuestBackend::Power::Reboot ? SIGTERM : SIGUSR2);
}

// Transcript mode for tests: each line echoed after the prompt, then its output.
int runScript(mr::cli::CliEngine& engine)
{
    const std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    std::size_t pos = 0;
    int rc = 0;
    while (pos < input.size()) {
        std::size_t nl = input.find('\n', pos);
        if (nl == std::string::npos)
            nl = input.size();
        const std::string line = input.substr(pos, nl - pos);
        pos = nl + 1;
        std::cout << engine.prompt() << line << "\n";
        const auto out = engine.execute(line);
        std::cout << out.output;
        if (!out.ok) {
            std::cout << out.error << "\n";
            rc = 1;
        }
        if (out.quit)
            break;
    }
    return rc;
}

int runTerminal(mr::cli::CliEngine& engine, mr::guest::GuestBackend& backend, bool powerAllowed)
{
    termios saved{};
    const bool tty = ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (tty) {
        termios raw = saved;
        ::cfmakeraw(&raw);
        // TCSANOW: keep what was typed ahead (a script pasted into the console).
        ::tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    }
    mr::cli::TerminalSession session(engine, writeAll);
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        session.resize(ws.ws_col, ws.ws_row);
    bool quit = false;
    session.setQuitHandler([&] { quit = true; });
    writeAll("\r\n");
    session.start();
    char buf[512];
    while (!quit && !session.closed() && backend.pendingPower() == mr::guest::GuestBackend::Power::None) {
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        // Byte by byte: a power command stops the rest of a pasted script.
        for (ssize_t i = 0; i < n && !quit && backend.pendingPower() == mr::guest::GuestBackend::Power::None; ++i)
            session.feed(std::string_view(buf + i, 1));
    }
    writeAll("\r\n");
    if (tty)
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    powerOff(backend.pendingPower(), powerAllowed);
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    mr::guest::GuestBackend::Options options;
    options.configPath = "/dev/vda";
    options.interfaceMap = "/run/mr-ifmap";
    options.diskPath = "/run";
    bool apply = false, script = false, power = true, checkPassword = false, report = false;
    std::string reportPort, dhcpEvent;
    // This program with the same options, for udhcpc's script to call back.
    char self[PATH_MAX] = {};
    const ssize_t selfLength = ::readlink("/proc/self/exe", self, sizeof self - 1);
    std::string selfCommand = selfLength > 0 ? std::string(self, static_cast<std::size_t>(selfLength)) : argv[0];
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const int start = i;
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "mr-shell: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--config")
            options.configPath = next();
        else if (a == "--ifmap")
            options.interfaceMap = next();
        else if (a == "--nft")
            options.nft = next();
        else if (a == "--disk")
            options.diskPath = next();
        else if (a == "--resolv-conf")
            options.resolvConf = next();
        else if (a == "--ping")
            options.ping = next();
        else if (a == "--udhcpc")
            options.udhcpc = next();
        else if (a == "--dhcp-script")
            options.dhcpScript = next();
        else if (a == "--dhcp-dir")
            options.dhcpDir = next();
        else if (a == "--dhcp-event")
            dhcpEvent = next();
        else if (a == "--check-password")
            checkPassword = true;
        else if (a == "--report")
            report = true;
        else if (a == "--report-port")
            reportPort = next();
        else if (a == "--apply")
            apply = true;
        else if (a == "--script")
            script = true;
        else if (a == "--no-power")
            power = false;
        else {
            std::cerr << "usage: mr-shell [--config FILE] [--ifmap FILE] [--nft PATH] [--disk DIR] [--no-power] "
                         "[--resolv-conf FILE] [--ping PATH] [--udhcpc PATH] [--dhcp-script PATH] [--dhcp-dir DIR] "
                         "[--apply | --dhcp-event EVENT | --script | --check-password | --report [--report-port PATH]]\n";
            return 2;
        }
        if (i == start + 1 && a != "--dhcp-event" && a != "--report-port")
            selfCommand += " " + a + " " + argv[i];  // an option with its value
    }
    options.selfCommand = selfCommand;
    if (report)
        return mr::guest::GuestReporter({options, reportPort}).run();
    mr::guest::GuestBackend backend(options);
    if (mr::Status s = backend.load(); !s)
        std::cerr << "mr-shell: " << s.error().text() << " (starting from an empty configuration)\n";
    if (checkPassword) {
        std::string password;
        std::getline(std::cin, password);
        while (!password.empty() && (password.back() == '\r' || password.back() == '\n'))
            password.pop_back();
        return backend.checkPassword(password) ? 0 : 1;
    }
    if (!dhcpEvent.empty()) {
        mr::Properties env;
        for (const char* key : {"interface", "ip", "subnet", "router", "dns", "lease"})
            if (const char* v = std::getenv(key))
                env[key] = v;
        const mr::Status s = backend.dhcpEvent(dhcpEvent, env);
        if (!s)
            std::cerr << "mr-shell: dhcp " << dhcpEvent << ": " << s.error().text() << "\n";
        return s ? 0 : 1;
    }
    if (apply) {
        const std::string errors = backend.applyAll();
        std::cerr << errors;
        return errors.empty() ? 0 : 1;
    }
    mr::cli::CliEngine engine(backend);
    if (script)
        return runScript(engine);
    return runTerminal(engine, backend, power);
}
