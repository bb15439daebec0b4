#include "session_controller.h"

namespace mr::ui {

namespace {
const wire::Schema kNoSchema;
const wire::LoginReply kNoSession;
}  // namespace

SessionController::SessionController(QObject* parent) : QObject(parent) {}

SessionController::~SessionController()
{
    if (client_)
        disconnect(client_.get(), nullptr, this, nullptr);
}

protocol::ApiClient::Endpoint SessionController::parseAddress(const QString& text)
{
    protocol::ApiClient::Endpoint e;
    const QString t = text.trimmed();
    if (t.startsWith('/')) {
        e.socketPath = t;
        return e;
    }
    if (t.startsWith('[')) {  // [v6]:port
        const int close = t.indexOf(']');
        e.host = t.mid(1, close - 1);
        if (close >= 0 && t.mid(close + 1).startsWith(':'))
            e.port = static_cast<quint16>(t.mid(close + 2).toUInt());
    } else if (t.count(':') == 1) {
        e.host = t.section(':', 0, 0);
        e.port = static_cast<quint16>(t.section(':', 1).toUInt());
    } else {
        e.host = t;  // a name, IPv4 or bare IPv6 address
    }
    if (e.port == 0)
        e.port = protocol::ApiClient::kDefaultPort;
    return e;
}

void SessionController::connectTo(const protocol::ApiClient::Endpoint& endpoint, const QString& user,
                                  const QString& password)
{
    if (client_) {
        disconnect(client_.get(), nullptr, this, nullptr);
        client_->disconnectFromServer();
        // Models may still hold it for this event-loop pass.
        client_.release()->deleteLater();
    }
    endpoint_ = endpoint;
    user_ = user;
    password_ = password;
    client_ = std::make_unique<protocol::ApiClient>(QStringLiteral("metabox " MR_VERSION));
    auto* c = client_.get();
    connect(c, &protocol::ApiClient::fingerprintUnknown, this, [this](const QString& fp) {
        setState(State::AwaitingFingerprint);
        emit fingerprintUnknown(fp);
    });
    connect(c, &protocol::ApiClient::connected, this, [this, c] {
        setState(State::LoggingIn);
        c->login(user_, password_);
    });
    connect(c, &protocol::ApiClient::loggedIn, this, [this] {
        password_.clear();  // not kept longer than needed
        setState(State::LoggedIn);
        emit loggedIn();
    });
    connect(c, &protocol::ApiClient::loginFailed, this, [this, c](const QString& message) {
        password_.clear();
        disconnect(c, nullptr, this, nullptr);
        c->disconnectFromServer();
        setState(State::Disconnected);
        emit failed(message);
    });
    connect(c, &protocol::ApiClient::disconnected, this, [this](const QString& reason) {
        const bool wasIn = state_ == State::LoggedIn;
        setState(State::Disconnected);
        if (wasIn)
            emit disconnected(reason);
        else
            emit failed(reason.isEmpty() ? tr("the router closed the connection") : reason);
    });
    setState(State::Connecting);
    c->connectTo(endpoint);
}

void SessionController::acceptFingerprint(bool accept)
{
    if (client_ && state_ == State::AwaitingFingerprint) {
        if (accept)
            setState(State::Connecting);
        client_->acceptFingerprint(accept);
    }
}

void SessionController::disconnectFromRouter()
{
    if (client_)
        client_->disconnectFromServer();
}

const wire::Schema& SessionController::schema() const
{
    return client_ ? client_->session().schema() : kNoSchema;
}

const wire::LoginReply& SessionController::session() const
{
    return client_ ? client_->session() : kNoSession;
}

QString SessionController::stateText() const
{
    switch (state_) {
    case State::Disconnected:
        return tr("Disconnected");
    case State::Connecting:
        return tr("Connecting to %1…").arg(endpoint_.text());
    case State::AwaitingFingerprint:
        return tr("Waiting for the fingerprint to be confirmed");
    case State::LoggingIn:
        return tr("Logging in to %1…").arg(endpoint_.text());
    case State::LoggedIn:
        return tr("Connected to %1 as %2").arg(endpoint_.text(), user_);
    }
    return {};
}

void SessionController::setState(State s)
{
    if (s == state_)
        return;
    state_ = s;
    emit stateChanged(s);
}

}  // namespace mr::ui
