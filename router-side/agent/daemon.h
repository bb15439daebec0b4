#pragma once
// metarouterd assembled: the state directory, database, object store and
// its providers, the command line, and the API listeners.

#include <QHostAddress>
#include <QObject>
#include <QString>

#include <memory>
#include <vector>

#include "error.h"

namespace mr::net {
class NetProvider;
}
namespace mr::hv {
class ConsoleRegistry;
class MetarouterProvider;
}

namespace mr::agent {

class Announcer;
class ApiServer;
class Database;
class FileProvider;
class LogProvider;
class LoginThrottle;
class ObjectStore;
class SystemProvider;
class UserManager;

class Daemon final : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString stateDir;
        QHostAddress listenAddress = QHostAddress::Any;
        quint16 listenPort = 8729;
        bool listenTls = true;
        // The root-only unix socket; empty: stateDir/api.sock. The packaged
        // unit puts it under /run/metarouter (runtime, not state).
        QString socketPath;
        // The built-in guest image (kernel, initrd, manifest).
        QString guestImageDir;
        // "auto" probes KVM once (with a watchdog) and falls back to TCG.
        QString accel = QStringLiteral("auto");
        // Power metarouters off on a clean exit: set with --sandbox, whose
        // network namespace (and the metarouters' taps) goes away with us.
        // Otherwise they keep running and the next start adopts them.
        bool stopMetaroutersOnExit = false;
    };

    explicit Daemon(Options options, QObject* parent = nullptr);
    ~Daemon() override;

    // Opens the state, starts providers and listeners. Logs and returns the
    // error when any of it fails.
    Status start();

    quint16 tlsPort() const;

    // Where console streams (API and `/metarouter console`) find a running
    // metarouter's console; set by whoever owns the metarouter provider.
    // Without it consoles are refused with a clear error.
    void setConsoleRegistry(hv::ConsoleRegistry* registry) { consoles_ = registry; }

    // Called once the event loop has ended, before destruction.
    void shutDown();

private:
    Options options_;
    std::unique_ptr<LogProvider> log_;
    std::unique_ptr<Database> db_;
    std::unique_ptr<ObjectStore> store_;
    std::unique_ptr<UserManager> users_;
    std::unique_ptr<SystemProvider> system_;
    std::unique_ptr<Announcer> announcer_;
    std::unique_ptr<net::NetProvider> net_;
    std::unique_ptr<FileProvider> files_;
    std::unique_ptr<hv::MetarouterProvider> metarouters_;
    std::unique_ptr<LoginThrottle> throttle_;
    std::unique_ptr<ApiServer> server_;
    hv::ConsoleRegistry* consoles_ = nullptr;
};

}  // namespace mr::agent
