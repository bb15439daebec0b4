#pragma once
// Accepts API clients: TLS 1.3 over TCP with the daemon's own certificate,
// and a unix socket that only root can open. Each connection becomes an
// ApiSession.

#include <QHostAddress>
#include <QLocalServer>
#include <QObject>
#include <QSslServer>

#include <memory>

#include "api_services.h"
#include "error.h"
#include "tls_identity.h"

namespace mr::agent {

class ApiServer final : public QObject {
    Q_OBJECT
public:
    ApiServer(ApiServices services, QObject* parent = nullptr);
    ~ApiServer() override;

    Status listenTls(const QHostAddress& address, quint16 port, const TlsIdentity& identity);
    Status listenLocal(const QString& path);

    quint16 tlsPort() const { return tls_.serverPort(); }
    int sessionCount() const;

    static constexpr int kMaxConnections = 256;

private:
    void accept(QIODevice* device, const QString& source);

    ApiServices services_;
    QSslServer tls_;
    QLocalServer local_;
};

}  // namespace mr::agent
