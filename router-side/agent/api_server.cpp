#include "api_server.h"

#include <QFile>
#include <QLocalSocket>
#include <QSslConfiguration>
#include <QSslSocket>

#include <sys/stat.h>

#include "api_session.h"

namespace mr::agent {

ApiServer::ApiServer(ApiServices services, QObject* parent) : QObject(parent), services_(std::move(services))
{
    connect(&tls_, &QSslServer::pendingConnectionAvailable, this, [this] {
        while (tls_.hasPendingConnections()) {
            auto* socket = qobject_cast<QSslSocket*>(tls_.nextPendingConnection());
            if (socket)
                accept(socket, socket->peerAddress().toString());
        }
    });
    connect(&tls_, &QSslServer::errorOccurred, this, [](QSslSocket* socket, QAbstractSocket::SocketError) {
        qInfo("TLS handshake with %s failed: %s", qPrintable(socket->peerAddress().toString()),
              qPrintable(socket->errorString()));
    });
    connect(&local_, &QLocalServer::newConnection, this, [this] {
        while (local_.hasPendingConnections())
            accept(local_.nextPendingConnection(), QStringLiteral("local"));
    });
}

ApiServer::~ApiServer() = default;

Status ApiServer::listenTls(const QHostAddress& address, quint16 port, const TlsIdentity& identity)
{
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setProtocol(QSsl::TlsV1_3OrLater);
    conf.setLocalCertificate(identity.certificate());
    conf.setPrivateKey(identity.key());
    conf.setPeerVerifyMode(QSslSocket::VerifyNone);
    tls_.setSslConfiguration(conf);
    tls_.setHandshakeTimeout(10000);
    if (!tls_.listen(address, port))
        return Error::failed("cannot listen on " + address.toString().toStdString() + ":" + std::to_string(port) +
                             ": " + tls_.errorString().toStdString());
    return {};
}

Status ApiServer::listenLocal(const QString& path)
{
    QLocalServer::removeServer(path);
    local_.setSocketOptions(QLocalServer::UserAccessOption);
    if (!local_.listen(path))
        return Error::failed("cannot listen on " + path.toStdString() + ": " + local_.errorString().toStdString());
    ::chmod(QFile::encodeName(path).constData(), 0600);  // root only: the daemon runs as root
    return {};
}

int ApiServer::sessionCount() const
{
    return static_cast<int>(findChildren<ApiSession*>(Qt::FindDirectChildrenOnly).size());
}

void ApiServer::accept(QIODevice* device, const QString& source)
{
    if (sessionCount() >= kMaxConnections) {
        auto* conn = new protocol::ApiConnection(device, this);
        conn->fail({wire::ERROR_BUSY, "too many connections", {}});
        connect(conn, &protocol::ApiConnection::closed, conn, &QObject::deleteLater);
        return;
    }
    auto* conn = new protocol::ApiConnection(device);
    auto* session = new ApiSession(conn, source, services_, this);
    connect(session, &ApiSession::finished, session, &QObject::deleteLater);
}

}  // namespace mr::agent
