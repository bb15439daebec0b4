// metarouterd: the router-side agent and hypervisor.

#include <sys/socket.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QFile>
#include <QSocketNotifier>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemon.h"
#include "sandbox.h"

namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int sig)
{
    const char c = static_cast<char>(sig);
    (void)!write(g_signalPipe[1], &c, 1);
}

void usage()
{
    std::fprintf(stderr,
                 "usage: metarouterd [--config FILE] [--state-dir DIR] [--socket PATH]\n"
                 "                   [--listen ADDR:PORT | --no-listen] [--sandbox NAME]\n"
                 "                   [--guest-image-dir DIR] [--accel auto|kvm|tcg] [--version]\n"
                 "  --config FILE     read options from FILE at this point: one per line, 'name = value' or\n"
                 "                    'name' (no-listen), without the dashes; '#' starts a comment; options\n"
                 "                    are applied in order, so later ones win\n"
                 "  --state-dir DIR   database, TLS key and certificate, admin password file\n"
                 "                    (default /var/lib/metarouter)\n"
                 "  --socket PATH     the root-only unix socket (default DIR/api.sock)\n"
                 "  --listen ADDR:PORT  TLS API listener (default 0.0.0.0:8729)\n"
                 "  --no-listen       only the unix socket\n"
                 "  --sandbox NAME    run in network namespace NAME with simulated ports ether1..ether4\n"
                 "                    whose far ends are in namespace NAME-lan; both removed on exit\n"
                 "                    (metarouters are powered off first: their taps live there)\n"
                 "  --guest-image-dir DIR  the built-in guest image (default: PREFIX/lib/metarouter/guest beside\n"
                 "                    an installed metarouterd, else the build's)\n"
                 "  --accel MODE      auto (probe KVM once, fall back to TCG), kvm or tcg\n");
}

std::string trimmed(const std::string& s)
{
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// The configuration file holds command-line options, so that both go through
// one parser and mean the same: "name = value" is "--name value". Only the
// options that make sense for an installed daemon are accepted.
std::optional<std::vector<std::string>> readConfig(const std::string& path)
{
    static const std::set<std::string> withValue{"state-dir", "socket", "listen", "guest-image-dir", "accel"};
    static const std::set<std::string> flags{"no-listen"};
    std::ifstream in(path);
    if (!in) {
        std::fprintf(stderr, "metarouterd: cannot read %s: %s\n", path.c_str(), std::strerror(errno));
        return std::nullopt;
    }
    std::vector<std::string> args;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        line = trimmed(line.substr(0, line.find('#')));
        if (line.empty())
            continue;
        const auto eq = line.find('=');
        const std::string name = trimmed(line.substr(0, eq));
        const std::string value = eq == std::string::npos ? std::string() : trimmed(line.substr(eq + 1));
        if (withValue.count(name) && value.empty()) {
            std::fprintf(stderr, "metarouterd: %s:%d: %s needs a value (%s = ...)\n", path.c_str(), n, name.c_str(),
                         name.c_str());
            return std::nullopt;
        }
        if (flags.count(name) && eq != std::string::npos) {
            std::fprintf(stderr, "metarouterd: %s:%d: %s takes no value\n", path.c_str(), n, name.c_str());
            return std::nullopt;
        }
        if (!withValue.count(name) && !flags.count(name)) {
            std::fprintf(stderr, "metarouterd: %s:%d: unknown option '%s'\n", path.c_str(), n, name.c_str());
            return std::nullopt;
        }
        args.push_back("--" + name);
        if (!value.empty())
            args.push_back(value);
    }
    return args;
}

QString installedGuestImageDir()
{
    char exe[4096];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return {};
    exe[n] = '\0';
    QString prefix = QFile::decodeName(exe);
    for (int up = 0; up < 2; ++up)
        prefix.truncate(std::max<qsizetype>(0, prefix.lastIndexOf(QLatin1Char('/'))));
    return prefix + QStringLiteral("/lib/metarouter/guest");
}

}  // namespace

int main(int argc, char** argv)
{
    // The command line with --config FILE replaced by the file's options.
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--config") != 0) {
            args.emplace_back(argv[i]);
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "metarouterd: --config needs a value\n");
            return 2;
        }
        auto fromFile = readConfig(argv[++i]);
        if (!fromFile)
            return 2;
        args.insert(args.end(), fromFile->begin(), fromFile->end());
    }

    mr::agent::Daemon::Options options;
    options.stateDir = QStringLiteral("/var/lib/metarouter");
    std::string sandboxName;
    const std::size_t argCount = args.size();
    for (std::size_t i = 0; i < argCount; ++i) {
        const std::string a = args[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= argCount) {
                std::fprintf(stderr, "metarouterd: %s needs a value\n", a.c_str());
                return std::nullopt;
            }
            return args[++i];
        };
        if (a == "--state-dir") {
            auto v = value();
            if (!v)
                return 2;
            options.stateDir = QString::fromStdString(*v);
        } else if (a == "--socket") {
            auto v = value();
            if (!v)
                return 2;
            options.socketPath = QString::fromStdString(*v);
        } else if (a == "--listen") {
            auto v = value();
            if (!v)
                return 2;
            const auto colon = v->rfind(':');
            const QString host = QString::fromStdString(v->substr(0, colon)).remove('[').remove(']');
            bool ok = colon != std::string::npos;
            const uint port = ok ? QString::fromStdString(v->substr(colon + 1)).toUInt(&ok) : 0;
            QHostAddress addr;
            if (!ok || port > 65535 || !addr.setAddress(host)) {
                std::fprintf(stderr, "metarouterd: --listen wants ADDR:PORT, e.g. 0.0.0.0:8729 or [::1]:8729\n");
                return 2;
            }
            options.listenAddress = addr;
            options.listenPort = static_cast<quint16>(port);
            options.listenTls = true;
        } else if (a == "--no-listen") {
            options.listenTls = false;
        } else if (a == "--sandbox") {
            auto v = value();
            if (!v)
                return 2;
            sandboxName = *v;
        } else if (a == "--guest-image-dir") {
            auto v = value();
            if (!v)
                return 2;
            options.guestImageDir = QString::fromStdString(*v);
        } else if (a == "--accel") {
            auto v = value();
            if (!v)
                return 2;
            if (*v != "auto" && *v != "kvm" && *v != "tcg") {
                std::fprintf(stderr, "metarouterd: --accel wants auto, kvm or tcg\n");
                return 2;
            }
            options.accel = QString::fromStdString(*v);
        } else if (a == "--help" || a == "-h") {
            usage();
            return 0;
        } else if (a == "--version") {
            std::printf("metarouterd %s\n", MR_VERSION);
            return 0;
        } else {
            std::fprintf(stderr, "metarouterd: unknown argument %s\n", a.c_str());
            usage();
            return 2;
        }
    }

    if (options.guestImageDir.isEmpty()) {
        // The installed image beside the installed binary (PREFIX/sbin ->
        // PREFIX/lib/metarouter/guest, whatever the prefix), else the build's.
        options.guestImageDir = installedGuestImageDir();
        if (!QFile::exists(options.guestImageDir + QStringLiteral("/manifest")))
            options.guestImageDir = QStringLiteral(MR_DEFAULT_GUEST_IMAGE_DIR);
    }
    options.stopMetaroutersOnExit = !sandboxName.empty();

    // The namespace must be entered before any thread exists.
    std::optional<mr::net::Sandbox> sandbox;
    if (!sandboxName.empty()) {
        sandbox.emplace(sandboxName);
        mr::Status st = sandbox->setUp();
        if (st)
            st = sandbox->enter();
        if (!st) {
            std::fprintf(stderr, "metarouterd: sandbox %s: %s\n", sandboxName.c_str(), st.error().text().c_str());
            return 1;
        }
    }

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("metarouterd"));

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalPipe) != 0)
        return 1;
    QSocketNotifier signalNotifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&signalNotifier, &QSocketNotifier::activated, &app, [] {
        char c;
        (void)!read(g_signalPipe[0], &c, 1);
        qInfo("stopping on signal %d", c);
        QCoreApplication::quit();
    });
    std::signal(SIGTERM, onSignal);
    std::signal(SIGINT, onSignal);
    std::signal(SIGPIPE, SIG_IGN);

    int rc = 0;
    {
        mr::agent::Daemon daemon(options);
        if (auto st = daemon.start(); !st) {
            std::fprintf(stderr, "metarouterd: %s\n", st.error().text().c_str());
            rc = 1;
        } else {
            if (sandbox)
                qInfo("running in sandbox %s (LAN side: %s-lan)", sandboxName.c_str(), sandboxName.c_str());
            rc = app.exec();
            daemon.shutDown();
        }
    }
    if (sandbox) {
        if (auto st = sandbox->remove(); !st)
            std::fprintf(stderr, "metarouterd: removing sandbox: %s\n", st.error().text().c_str());
    }
    return rc;
}
