#pragma once
// The client end of the API, shared by mrcli and metabox: connects over TLS
// (with fingerprint pinning) or the unix socket, does the handshake and
// login, matches replies to requests and hands out events and stream data.

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <map>

#include "api_connection.h"
#include "metarouter.pb.h"

class QSslSocket;

namespace mr::protocol {

class ApiClient final : public QObject {
    Q_OBJECT
public:
    static constexpr quint16 kDefaultPort = 8729;

    struct Endpoint {
        QString socketPath;         // unix socket; used when set
        QString host;               // else TLS to host:port
        quint16 port = kDefaultPort;
        QString fingerprint;        // expected SHA-256 (hex); empty: use the pin store
        QString pinFile;            // empty: TlsPinning::defaultPath()
        QString text() const;
    };

    using ReplyHandler = std::function<void(const wire::Reply& reply)>;

    explicit ApiClient(QString software, QObject* parent = nullptr);
    ~ApiClient() override;

    void connectTo(const Endpoint& endpoint);
    // Answer to fingerprintUnknown(): pin it and go on, or give up.
    void acceptFingerprint(bool accept);
    void login(const QString& user, const QString& password);
    void disconnectFromServer();

    // Sends a request; the handler gets its reply (also an error reply when
    // the connection ends first). Long-running commands call it for each
    // progress reply (in_progress set) before the final one.
    void request(const wire::Request& request, ReplyHandler handler);

    void sendStreamData(quint32 stream, const QByteArray& data);
    void grantStreamCredit(quint32 stream, quint32 credit);
    void resizeStream(quint32 stream, quint32 columns, quint32 rows);
    void sendStreamBreak(quint32 stream);
    void closeStream(quint32 stream);

    const wire::LoginReply& session() const { return session_; }
    QString serverSoftware() const { return serverSoftware_; }
    QString peerFingerprint() const { return fingerprint_; }
    bool isReady() const { return ready_; }

signals:
    // TLS: the daemon's certificate is not pinned yet. Call acceptFingerprint().
    void fingerprintUnknown(const QString& hexFingerprint);
    // Handshake done: login() may be called.
    void connected();
    void loggedIn();
    void loginFailed(const QString& message);
    void event(const mr::wire::Event& event);
    void streamData(quint32 stream, const QByteArray& data);
    void streamCredit(quint32 stream, quint32 credit);
    void streamClosed(quint32 stream, const QString& reason);
    // The connection ended; reason says why (empty on an orderly close).
    void disconnected(const QString& reason);

private:
    void startSession(QIODevice* device);
    void onEncrypted();
    void onReceived(const wire::Envelope& envelope);
    void onClosed(const QString& reason);
    void send(wire::Envelope& envelope);

    QString software_;
    Endpoint endpoint_;
    QPointer<QSslSocket> tls_;
    QPointer<ApiConnection> connection_;
    std::map<quint64, ReplyHandler> pending_;
    quint64 nextId_ = 1;
    quint64 loginId_ = 0;
    wire::LoginReply session_;
    QString serverSoftware_;
    QString fingerprint_;
    bool ready_ = false;
    bool finished_ = false;
};

}  // namespace mr::protocol
