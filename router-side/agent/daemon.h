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

namespace mr::agent {

class ApiServer;
class Database;
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
    };

    explicit Daemon(Options options, QObject* parent = nullptr);
    ~Daemon() override;

    // Opens the state, starts providers and listeners. Logs and returns the
    // error when any of it fails.
    Status start();

    quint16 tlsPort() const;

private:
    Options options_;
    std::unique_ptr<LogProvider> log_;
    std::unique_ptr<Database> db_;
    std::unique_ptr<ObjectStore> store_;
    std::unique_ptr<UserManager> users_;
    std::unique_ptr<SystemProvider> system_;
    std::unique_ptr<net::NetProvider> net_;
    std::unique_ptr<LoginThrottle> throttle_;
    std::unique_ptr<ApiServer> server_;
};

}  // namespace mr::agent
