#pragma once
// One connection to a router for the app: owns the API client, connects,
// logs in, and tells the windows the connection's state and the schema.
// A session that drops is re-established with back-off (1 s, 2 s, 4 s… at
// most 30 s) with the endpoint and credentials it logged in with, which are
// kept in memory only (until the user disconnects or a retry is refused).

#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>

#include "api_client.h"

namespace mr::ui {

class SessionController final : public QObject {
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, AwaitingFingerprint, LoggingIn, LoggedIn, Reconnecting };
    Q_ENUM(State)

    explicit SessionController(QObject* parent = nullptr);
    ~SessionController() override;

    // "host", "host:port", "[v6]:port" or a unix socket path ("/...").
    static protocol::ApiClient::Endpoint parseAddress(const QString& text);

    void connectTo(const protocol::ApiClient::Endpoint& endpoint, const QString& user, const QString& password);
    // Answer to fingerprintUnknown().
    void acceptFingerprint(bool accept);
    // Ends the session; no reconnection follows.
    void disconnectFromRouter();

    // Back-off between reconnection attempts.
    static constexpr int kFirstRetryMs = 1000;
    static constexpr int kMaxRetryMs = 30000;
    static int nextRetryMs(int previousMs) { return previousMs <= 0 ? kFirstRetryMs : qMin(previousMs * 2, kMaxRetryMs); }
    // Milliseconds until the next attempt while Reconnecting (else -1).
    int retryInMs() const;

    State state() const { return state_; }
    QString stateText() const;
    protocol::ApiClient* client() const { return client_.get(); }
    const wire::Schema& schema() const;
    const wire::LoginReply& session() const;
    protocol::ApiClient::Endpoint endpoint() const { return endpoint_; }
    QString user() const { return user_; }

signals:
    void stateChanged(mr::ui::SessionController::State state);
    void fingerprintUnknown(const QString& hexFingerprint);
    void loggedIn();
    // Connecting or logging in failed; message is for people.
    void failed(const QString& message);
    // An established session ended; unless the user ended it, reconnection
    // attempts follow (state Reconnecting).
    void disconnected(const QString& reason);
    // The next reconnection attempt is due in delayMs.
    void reconnectScheduled(int delayMs);
    // A dropped session is up again on a new client(): resubscribe to it.
    void reconnected();

private:
    void setState(State s);
    void watchSession(protocol::ApiClient* c);
    void onSessionLost(const QString& reason);
    void scheduleRetry();
    void tryReconnect();
    void onReconnected();
    void giveUp(const QString& message);
    void dropAttempt();

    std::unique_ptr<protocol::ApiClient> client_;
    std::unique_ptr<protocol::ApiClient> attempt_;  // a reconnection in progress
    QTimer retry_;
    int retryMs_ = 0;
    bool userClosed_ = false;
    protocol::ApiClient::Endpoint endpoint_;
    QString user_;
    QString password_;
    State state_ = State::Disconnected;
};

}  // namespace mr::ui
