#pragma once
// One client connection on the daemon side: handshake, login (throttled
// per source), requests dispatched to the user's Session, subscription
// events, and multiplexed byte streams with credit-based flow control.

#include <QObject>
#include <QPointer>
#include <QString>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "api_connection.h"
#include "api_services.h"
#include "byte_stream.h"
#include "session.h"

namespace mr::agent {

class ApiSession final : public QObject {
    Q_OBJECT
public:
    // source identifies the peer for login throttling ("10.0.0.2", "local").
    ApiSession(protocol::ApiConnection* connection, QString source, const ApiServices& services,
               QObject* parent = nullptr);
    ~ApiSession() override;

    QString source() const { return source_; }
    QString userName() const;

    static constexpr std::uint32_t kStreamWindow = 64 * 1024;      // credit we grant per stream
    static constexpr std::size_t kMaxStreamBacklog = 1024 * 1024;   // unsent output before a stream is dropped

signals:
    void finished();

private:
    struct Stream {
        std::unique_ptr<ByteStream> stream;
        std::uint64_t credit = 0;   // bytes the client lets us send
        std::string backlog;        // output waiting for credit
    };

    void onReceived(const wire::Envelope& envelope);
    void onHello(const wire::Envelope& envelope);
    void onLogin(const wire::Envelope& envelope);
    void onRequest(const wire::Envelope& envelope);
    void reply(std::uint64_t id, wire::Reply reply);
    void replyError(std::uint64_t id, const Error& error);
    void openStream(std::uint64_t id, const wire::OpenStreamRequest& request);
    void streamOutput(std::uint32_t id, std::string_view bytes);
    void pumpStream(std::uint32_t id);
    void closeStream(std::uint32_t id, const std::string& reason, bool notify);
    void protocolError(const std::string& message);

    enum class State { AwaitHello, AwaitLogin, Ready };

    QPointer<protocol::ApiConnection> connection_;
    QString source_;
    ApiServices services_;
    State state_ = State::AwaitHello;
    std::unique_ptr<Session> session_;
    // Expires with the session: pending long-running work checks it.
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
    std::map<std::uint32_t, Stream> streams_;
    std::uint32_t nextStream_ = 1;
    int failedLogins_ = 0;
};

}  // namespace mr::agent
