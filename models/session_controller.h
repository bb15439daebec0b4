#pragma once
// One connection to a router for the app: owns the API client, connects,
// logs in, and tells the windows the connection's state and the schema.

#include <QObject>
#include <QString>

#include <memory>

#include "api_client.h"

namespace mr::ui {

class SessionController final : public QObject {
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, AwaitingFingerprint, LoggingIn, LoggedIn };
    Q_ENUM(State)

    explicit SessionController(QObject* parent = nullptr);
    ~SessionController() override;

    // "host", "host:port", "[v6]:port" or a unix socket path ("/...").
    static protocol::ApiClient::Endpoint parseAddress(const QString& text);

    void connectTo(const protocol::ApiClient::Endpoint& endpoint, const QString& user, const QString& password);
    // Answer to fingerprintUnknown().
    void acceptFingerprint(bool accept);
    void disconnectFromRouter();

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
    // An established session ended.
    void disconnected(const QString& reason);

private:
    void setState(State s);

    std::unique_ptr<protocol::ApiClient> client_;
    protocol::ApiClient::Endpoint endpoint_;
    QString user_;
    QString password_;
    State state_ = State::Disconnected;
};

}  // namespace mr::ui
