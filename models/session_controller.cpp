#include "session_controller.h"

namespace mr::ui {

namespace {
const wire::Schema kNoSchema;
const wire::LoginReply kNoSession;
}  // namespace

SessionController::SessionController(QObject* parent) : QObject(parent)
{
    connect(&retry_, &QTimer::timeout, this, &SessionController::tryReconnect);
}

SessionController::~SessionController()
{
    retry_.stop();
    if (attempt_)
        disconnect(attempt_.get(), nullptr, this, nullptr);
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
    retry_.stop();
    dropAttempt();
    userClosed_ = false;
    retryMs_ = 0;
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
    connect(c, &protocol::ApiClient::loggedIn, this, [this, c] {
        // The password stays in memory (only) for reconnecting.
        watchSession(c);
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
        setState(State::Disconnected);
        password_.clear();
        emit failed(reason.isEmpty() ? tr("the router closed the connection") : reason);
    });
    setState(State::Connecting);
    c->connectTo(endpoint);
}

void SessionController::watchSession(protocol::ApiClient* c)
{
    // From now on a drop means reconnecting, not a failed login.
    disconnect(c, nullptr, this, nullptr);
    connect(c, &protocol::ApiClient::disconnected, this, &SessionController::onSessionLost);
}

void SessionController::onSessionLost(const QString& reason)
{
    if (userClosed_) {
        password_.clear();
        setState(State::Disconnected);
        emit disconnected(reason);
        return;
    }
    retryMs_ = 0;
    setState(State::Reconnecting);
    emit disconnected(reason);
    scheduleRetry();
}

void SessionController::scheduleRetry()
{
    retryMs_ = nextRetryMs(retryMs_);
    retry_.setSingleShot(true);
    retry_.start(retryMs_);
    emit reconnectScheduled(retryMs_);
}

int SessionController::retryInMs() const
{
    return state_ == State::Reconnecting && retry_.isActive() ? retry_.remainingTime() : -1;
}

void SessionController::tryReconnect()
{
    dropAttempt();
    attempt_ = std::make_unique<protocol::ApiClient>(QStringLiteral("metabox " MR_VERSION));
    auto* c = attempt_.get();
    connect(c, &protocol::ApiClient::fingerprintUnknown, this, [this, c] {
        // The pin was there when we logged in: someone removed it. Ask again
        // through the login window rather than trusting silently.
        disconnect(c, nullptr, this, nullptr);
        c->acceptFingerprint(false);
        giveUp(tr("reconnecting to %1: its certificate is no longer pinned; log in again").arg(endpoint_.text()));
    });
    connect(c, &protocol::ApiClient::connected, this, [this, c] { c->login(user_, password_); });
    connect(c, &protocol::ApiClient::loggedIn, this, &SessionController::onReconnected);
    connect(c, &protocol::ApiClient::loginFailed, this, [this, c](const QString& message) {
        disconnect(c, nullptr, this, nullptr);
        c->disconnectFromServer();
        giveUp(message);
    });
    connect(c, &protocol::ApiClient::disconnected, this, [this](const QString& reason) {
        if (reason.contains(QLatin1String("CHANGED"))) {
            giveUp(reason);  // a changed certificate is refused, not retried
            return;
        }
        dropAttempt();
        scheduleRetry();
    });
    // May fail (and schedule the next attempt) before it returns.
    c->connectTo(endpoint_);
}

void SessionController::onReconnected()
{
    retryMs_ = 0;
    std::unique_ptr<protocol::ApiClient> old = std::move(client_);
    client_ = std::move(attempt_);
    watchSession(client_.get());
    if (old) {
        disconnect(old.get(), nullptr, this, nullptr);
        old.release()->deleteLater();  // views switch in reconnected(), then it goes
    }
    setState(State::LoggedIn);
    emit reconnected();
}

void SessionController::giveUp(const QString& message)
{
    retry_.stop();
    dropAttempt();
    password_.clear();
    setState(State::Disconnected);
    emit failed(message);
}

void SessionController::dropAttempt()
{
    if (!attempt_)
        return;
    disconnect(attempt_.get(), nullptr, this, nullptr);
    attempt_->disconnectFromServer();
    attempt_.release()->deleteLater();  // we may be inside one of its signals
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
    userClosed_ = true;
    retry_.stop();
    dropAttempt();
    password_.clear();
    if (client_)
        client_->disconnectFromServer();
    if (state_ == State::Reconnecting)
        setState(State::Disconnected);
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
    case State::Reconnecting:
        return tr("Disconnected — reconnecting…");
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
