#include "api_client.h"

#include <QCryptographicHash>
#include <QLocalSocket>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTimer>

#include "tls_pinning.h"

namespace mr::protocol {

QString ApiClient::Endpoint::text() const
{
    if (!socketPath.isEmpty())
        return socketPath;
    return host + ':' + QString::number(port);
}

ApiClient::ApiClient(QString software, QObject* parent) : QObject(parent), software_(std::move(software)) {}

ApiClient::~ApiClient()
{
    if (connection_)
        disconnect(connection_, nullptr, this, nullptr);
}

void ApiClient::connectTo(const Endpoint& endpoint)
{
    endpoint_ = endpoint;
    finished_ = false;
    if (!endpoint.socketPath.isEmpty()) {
        auto* socket = new QLocalSocket(this);
        connect(socket, &QLocalSocket::connected, this, [this, socket] { startSession(socket); });
        connect(socket, &QLocalSocket::errorOccurred, this, [this, socket](QLocalSocket::LocalSocketError) {
            if (!connection_)
                onClosed(QStringLiteral("cannot connect to %1: %2").arg(endpoint_.socketPath, socket->errorString()));
        });
        socket->connectToServer(endpoint.socketPath);
        return;
    }
    tls_ = new QSslSocket(this);
    QSslConfiguration conf = tls_->sslConfiguration();
    conf.setProtocol(QSsl::TlsV1_3OrLater);
    // The daemon's certificate is self-signed: trust comes from the pinned
    // fingerprint, checked in onEncrypted() before anything is sent.
    conf.setPeerVerifyMode(QSslSocket::VerifyNone);
    tls_->setSslConfiguration(conf);
    connect(tls_, &QSslSocket::encrypted, this, &ApiClient::onEncrypted);
    connect(tls_, &QSslSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (!connection_ && tls_)
            onClosed(QStringLiteral("cannot connect to %1: %2").arg(endpoint_.text(), tls_->errorString()));
    });
    tls_->connectToHostEncrypted(endpoint.host, endpoint.port);
}

void ApiClient::onEncrypted()
{
    const QByteArray der = tls_->peerCertificate().toDer();
    fingerprint_ = QString::fromLatin1(QCryptographicHash::hash(der, QCryptographicHash::Sha256).toHex());
    QString expected = endpoint_.fingerprint.toLower().remove(':');
    if (expected.isEmpty())
        expected = TlsPinning(endpoint_.pinFile.isEmpty() ? TlsPinning::defaultPath() : endpoint_.pinFile)
                       .pinned(endpoint_.text());
    if (expected.isEmpty()) {
        emit fingerprintUnknown(fingerprint_);
        return;
    }
    if (expected != fingerprint_) {
        const QString msg =
            QStringLiteral("the certificate of %1 has CHANGED: expected fingerprint %2, got %3. Refusing to connect; "
                           "if the daemon's key was regenerated on purpose, remove its line from %4")
                .arg(endpoint_.text(), TlsPinning::display(expected), TlsPinning::display(fingerprint_),
                     endpoint_.pinFile.isEmpty() ? TlsPinning::defaultPath() : endpoint_.pinFile);
        tls_->abort();
        onClosed(msg);
        return;
    }
    startSession(tls_);
}

void ApiClient::acceptFingerprint(bool accept)
{
    if (!tls_ || connection_)
        return;
    if (!accept) {
        tls_->abort();
        onClosed(QStringLiteral("fingerprint of %1 not accepted").arg(endpoint_.text()));
        return;
    }
    QString error;
    TlsPinning(endpoint_.pinFile.isEmpty() ? TlsPinning::defaultPath() : endpoint_.pinFile)
        .pin(endpoint_.text(), fingerprint_, &error);
    startSession(tls_);
}

void ApiClient::startSession(QIODevice* device)
{
    connection_ = new ApiConnection(device, this);
    connect(connection_, &ApiConnection::received, this, &ApiClient::onReceived);
    connect(connection_, &ApiConnection::closed, this, &ApiClient::onClosed);
    wire::Envelope e;
    auto* hello = e.mutable_hello();
    hello->set_version(kProtocolVersion);
    hello->set_software(software_.toStdString());
    hello->add_capabilities("streams");
    send(e);
}

void ApiClient::login(const QString& user, const QString& password)
{
    wire::Envelope e;
    loginId_ = nextId_++;
    e.set_id(loginId_);
    e.mutable_login()->set_user(user.toStdString());
    e.mutable_login()->set_password(password.toStdString());
    send(e);
}

void ApiClient::disconnectFromServer()
{
    if (connection_)
        connection_->close();
}

void ApiClient::request(const wire::Request& request, ReplyHandler handler)
{
    if (!connection_ || !connection_->isOpen()) {
        wire::Reply r;
        r.mutable_error()->set_code(wire::ERROR_FAILED);
        r.mutable_error()->set_message("not connected");
        QTimer::singleShot(0, this, [handler, r] { handler(r); });
        return;
    }
    wire::Envelope e;
    const quint64 id = nextId_++;
    e.set_id(id);
    *e.mutable_request() = request;
    pending_[id] = std::move(handler);
    send(e);
}

void ApiClient::send(wire::Envelope& envelope)
{
    if (connection_)
        connection_->send(envelope);
}

void ApiClient::sendStreamData(quint32 stream, const QByteArray& data)
{
    wire::Envelope e;
    e.mutable_stream_data()->set_stream(stream);
    e.mutable_stream_data()->set_data(data.constData(), static_cast<std::size_t>(data.size()));
    send(e);
}

void ApiClient::grantStreamCredit(quint32 stream, quint32 credit)
{
    wire::Envelope e;
    e.mutable_stream_window()->set_stream(stream);
    e.mutable_stream_window()->set_credit(credit);
    send(e);
}

void ApiClient::resizeStream(quint32 stream, quint32 columns, quint32 rows)
{
    wire::Envelope e;
    e.mutable_stream_resize()->set_stream(stream);
    e.mutable_stream_resize()->set_columns(columns);
    e.mutable_stream_resize()->set_rows(rows);
    send(e);
}

void ApiClient::sendStreamBreak(quint32 stream)
{
    wire::Envelope e;
    e.mutable_stream_break()->set_stream(stream);
    send(e);
}

void ApiClient::closeStream(quint32 stream)
{
    wire::Envelope e;
    e.mutable_stream_close()->set_stream(stream);
    send(e);
}

void ApiClient::onReceived(const wire::Envelope& e)
{
    switch (e.body_case()) {
    case wire::Envelope::kHello:
        serverSoftware_ = QString::fromStdString(e.hello().software());
        // A daemon that answers with another version would misread what we
        // send next: stop here with a message that says what to upgrade.
        if (e.hello().version() != kProtocolVersion) {
            onClosed(QStringLiteral("%1 speaks API protocol version %2 and %3 speaks version %4; "
                                    "use a client and a daemon of matching versions")
                         .arg(serverSoftware_.isEmpty() ? QStringLiteral("the daemon") : serverSoftware_)
                         .arg(e.hello().version())
                         .arg(software_)
                         .arg(kProtocolVersion));
            if (connection_)
                connection_->close();
            break;
        }
        ready_ = true;
        emit connected();
        break;
    case wire::Envelope::kLoginReply:
        session_ = e.login_reply();
        emit loggedIn();
        break;
    case wire::Envelope::kReply: {
        if (e.id() == loginId_ && loginId_ != 0) {
            loginId_ = 0;
            emit loginFailed(QString::fromStdString(Error::fromWire(e.reply().error()).text()));
            break;
        }
        auto it = pending_.find(e.id());
        if (it == pending_.end())
            break;
        if (e.reply().in_progress()) {
            auto handler = it->second;  // the final reply still follows
            handler(e.reply());
            break;
        }
        auto handler = std::move(it->second);
        pending_.erase(it);
        handler(e.reply());
        break;
    }
    case wire::Envelope::kEvent:
        emit event(e.event());
        break;
    case wire::Envelope::kStreamData:
        emit streamData(e.stream_data().stream(), QByteArray::fromStdString(e.stream_data().data()));
        break;
    case wire::Envelope::kStreamWindow:
        emit streamCredit(e.stream_window().stream(), e.stream_window().credit());
        break;
    case wire::Envelope::kStreamClose:
        emit streamClosed(e.stream_close().stream(), QString::fromStdString(e.stream_close().reason()));
        break;
    case wire::Envelope::kFatal:
        onClosed(QString::fromStdString(Error::fromWire(e.fatal()).text()));
        if (connection_)
            connection_->close();
        break;
    default:
        break;
    }
}

void ApiClient::onClosed(const QString& reason)
{
    if (finished_)
        return;
    finished_ = true;
    ready_ = false;
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [id, handler] : pending) {
        wire::Reply r;
        r.mutable_error()->set_code(wire::ERROR_FAILED);
        r.mutable_error()->set_message(("connection closed: " + reason).toStdString());
        handler(r);
    }
    if (loginId_) {
        loginId_ = 0;
        emit loginFailed(reason.isEmpty() ? QStringLiteral("connection closed") : reason);
    }
    emit disconnected(reason);
}

}  // namespace mr::protocol
