// metarouterd: the router-side agent and hypervisor.

#include <sys/socket.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QFile>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

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
                 "usage: metarouterd [--state-dir DIR] [--listen ADDR:PORT | --no-listen] [--sandbox NAME]\n"
                 "                   [--guest-image-dir DIR] [--accel auto|kvm|tcg]\n"
                 "  --state-dir DIR   database, TLS key and certificate, admin password file and the unix\n"
                 "                    socket DIR/api.sock (default /var/lib/metarouter)\n"
                 "  --listen ADDR:PORT  TLS API listener (default 0.0.0.0:8729)\n"
                 "  --no-listen       only the unix socket\n"
                 "  --sandbox NAME    run in network namespace NAME with simulated ports ether1..ether4\n"
                 "                    whose far ends are in namespace NAME-lan; both removed on exit\n"
                 "                    (metarouters are powered off first: their taps live there)\n"
                 "  --guest-image-dir DIR  the built-in guest image (default: the build's or the installed one)\n"
                 "  --accel MODE      auto (probe KVM once, fall back to TCG), kvm or tcg\n");
}

}  // namespace

int main(int argc, char** argv)
{
    mr::agent::Daemon::Options options;
    options.stateDir = QStringLiteral("/var/lib/metarouter");
    std::string sandboxName;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "metarouterd: %s needs a value\n", a.c_str());
                return std::nullopt;
            }
            return std::string(argv[++i]);
        };
        if (a == "--state-dir") {
            auto v = value();
            if (!v)
                return 2;
            options.stateDir = QString::fromStdString(*v);
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
        // The build's image while running from the build tree, else the installed one.
        options.guestImageDir = QStringLiteral(MR_DEFAULT_GUEST_IMAGE_DIR);
        if (!QFile::exists(options.guestImageDir + QStringLiteral("/manifest")))
            options.guestImageDir = QStringLiteral(MR_INSTALLED_GUEST_IMAGE_DIR);
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
