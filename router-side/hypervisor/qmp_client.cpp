#include "qmp_client.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <utility>
#include <vector>

namespace mr::hv {

namespace {

mr::Error qmpError(const QString& text)
{
    return mr::Error::failed(text.toStdString());
}

}  // namespace

QmpClient::QmpClient(QObject* parent) : QmpClient(Limits{}, parent) {}

QmpClient::QmpClient(Limits limits, QObject* parent) : QObject(parent), limits_(limits)
{
    clock_.start();
    timer_.setSingleShot(true);
    retryTimer_.setSingleShot(true);
    connect(&timer_, &QTimer::timeout, this, &QmpClient::checkTimeouts);
    connect(&retryTimer_, &QTimer::timeout, this, &QmpClient::tryConnect);
    connect(&socket_, &QLocalSocket::readyRead, this, &QmpClient::onReadyRead);
    connect(&socket_, &QLocalSocket::disconnected, this, &QmpClient::onDisconnected);
    connect(&socket_, &QLocalSocket::connected, this, [this] {
        state_ = State::Negotiating;
        greetingDeadlineMs_ = clock_.elapsed() + limits_.greetingTimeoutMs;
        armTimer();
    });
    connect(&socket_, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError) {
        if (state_ != State::Connecting)
            return;
        if (clock_.elapsed() < connectDeadlineMs_) {
            retryTimer_.start(50);
            return;
        }
        fail(QStringLiteral("cannot connect to QMP socket %1: %2").arg(path_, socket_.errorString()));
    });
}

QmpClient::~QmpClient()
{
    // Callbacks may point into objects being destroyed: drop them silently.
    pending_.clear();
    socket_.disconnect(this);
    socket_.abort();
}

void QmpClient::connectToServer(const QString& socketPath, int connectTimeoutMs)
{
    disconnectFromServer();
    path_ = socketPath;
    buffer_.clear();
    greeting_ = {};
    state_ = State::Connecting;
    connectDeadlineMs_ = clock_.elapsed() + connectTimeoutMs;
    tryConnect();
}

void QmpClient::tryConnect()
{
    if (state_ != State::Connecting)
        return;
    socket_.abort();
    socket_.connectToServer(path_, QIODevice::ReadWrite);
}

void QmpClient::disconnectFromServer()
{
    if (state_ == State::Disconnected)
        return;
    fail(QStringLiteral("disconnected by the client"));
}

quint64 QmpClient::execute(const QString& command, const QJsonObject& arguments, Reply reply, int timeoutMs)
{
    return enqueue(command, arguments, std::move(reply), timeoutMs, false);
}

quint64 QmpClient::enqueue(const QString& command, const QJsonObject& arguments, Reply reply, int timeoutMs,
                           bool front)
{
    if (state_ == State::Disconnected) {
        if (reply)
            reply(qmpError(QStringLiteral("QMP %1: not connected").arg(command)));
        return 0;
    }
    if (std::ssize(pending_) >= limits_.maxPending) {
        if (reply)
            reply(mr::Error{wire::ERROR_BUSY, "QMP: too many commands in flight", {}});
        return 0;
    }
    // Negotiation must go first; ids keep the send order otherwise.
    const quint64 id = front ? 0 : nextId_++;
    QJsonObject message{{QStringLiteral("execute"), command}, {QStringLiteral("id"), QString::number(id)}};
    if (!arguments.isEmpty())
        message.insert(QStringLiteral("arguments"), arguments);
    Pending p;
    p.command = command;
    p.reply = std::move(reply);
    p.deadlineMs = clock_.elapsed() + (timeoutMs >= 0 ? timeoutMs : limits_.commandTimeoutMs);
    p.line = QJsonDocument(message).toJson(QJsonDocument::Compact) + '\n';
    pending_.emplace(id, std::move(p));
    sendQueued();
    armTimer();
    return id;
}

void QmpClient::sendQueued()
{
    for (auto& [id, p] : pending_) {
        if (p.sent)
            continue;
        // Before negotiation only qmp_capabilities (id 0) may go out.
        if (state_ != State::Ready && !(state_ == State::Negotiating && id == 0 && !greeting_.isEmpty()))
            continue;
        socket_.write(p.line);
        p.sent = true;
    }
}

void QmpClient::onReadyRead()
{
    buffer_ += socket_.readAll();
    qsizetype start = 0;
    while (state_ != State::Disconnected) {
        const qsizetype nl = buffer_.indexOf('\n', start);
        if (nl < 0)
            break;
        if (nl - start > limits_.maxLineBytes) {
            fail(QStringLiteral("QMP message longer than %1 bytes").arg(limits_.maxLineBytes));
            return;
        }
        const QByteArray line = buffer_.mid(start, nl - start).trimmed();
        start = nl + 1;
        if (!line.isEmpty())
            handleLine(line);
    }
    if (state_ == State::Disconnected)
        return;
    buffer_.remove(0, start);
    if (buffer_.size() > limits_.maxLineBytes)
        fail(QStringLiteral("QMP message longer than %1 bytes").arg(limits_.maxLineBytes));
}

void QmpClient::handleLine(const QByteArray& line)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        fail(QStringLiteral("malformed QMP message: %1").arg(err.errorString()));
        return;
    }
    const QJsonObject message = doc.object();
    if (state_ == State::Negotiating && greeting_.isEmpty()) {
        if (!message.contains(QStringLiteral("QMP"))) {
            fail(QStringLiteral("QMP greeting expected"));
            return;
        }
        greeting_ = message;
        greetingDeadlineMs_ = 0;
        enqueue(QStringLiteral("qmp_capabilities"), {}, [this](mr::Result<QJsonValue> r) { negotiated(std::move(r)); },
                limits_.greetingTimeoutMs, true);
        return;
    }
    if (message.contains(QStringLiteral("event"))) {
        const QJsonObject ts = message.value(QStringLiteral("timestamp")).toObject();
        const double t = ts.value(QStringLiteral("seconds")).toDouble() +
                         ts.value(QStringLiteral("microseconds")).toDouble() / 1e6;
        emit event(message.value(QStringLiteral("event")).toString(), message.value(QStringLiteral("data")).toObject(),
                   t);
        return;
    }
    handleReply(message);
}

void QmpClient::handleReply(const QJsonObject& message)
{
    bool ok = false;
    const quint64 id = message.value(QStringLiteral("id")).toString().toULongLong(&ok);
    auto it = ok ? pending_.find(id) : pending_.end();
    if (it == pending_.end())
        return;  // a reply to a command that already timed out
    Pending p = std::move(it->second);
    pending_.erase(it);
    armTimer();
    if (!p.reply)
        return;
    if (message.contains(QStringLiteral("return"))) {
        p.reply(message.value(QStringLiteral("return")));
        return;
    }
    const QJsonObject e = message.value(QStringLiteral("error")).toObject();
    p.reply(qmpError(QStringLiteral("QMP %1: %2 (%3)")
                         .arg(p.command, e.value(QStringLiteral("desc")).toString(),
                              e.value(QStringLiteral("class")).toString())));
}

void QmpClient::negotiated(mr::Result<QJsonValue> result)
{
    if (!result) {
        fail(QString::fromStdString(result.error().message));
        return;
    }
    state_ = State::Ready;
    sendQueued();
    emit ready();
}

void QmpClient::armTimer()
{
    qint64 next = greetingDeadlineMs_ > 0 ? greetingDeadlineMs_ : -1;
    for (const auto& [id, p] : pending_)
        if (next < 0 || p.deadlineMs < next)
            next = p.deadlineMs;
    if (next < 0) {
        timer_.stop();
        return;
    }
    timer_.start(int(std::max<qint64>(0, next - clock_.elapsed())));
}

void QmpClient::checkTimeouts()
{
    const qint64 now = clock_.elapsed();
    if (greetingDeadlineMs_ > 0 && now >= greetingDeadlineMs_) {
        fail(QStringLiteral("no QMP greeting from %1").arg(path_));
        return;
    }
    std::vector<Pending> expired;
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->second.deadlineMs <= now) {
            expired.push_back(std::move(it->second));
            it = pending_.erase(it);
        } else {
            ++it;
        }
    }
    armTimer();
    for (auto& p : expired) {
        if (p.command == QLatin1String("qmp_capabilities") && state_ == State::Negotiating) {
            fail(QStringLiteral("QMP capability negotiation timed out"));
            return;
        }
        if (p.reply)
            p.reply(mr::Error{wire::ERROR_FAILED, "QMP " + p.command.toStdString() + ": timed out", {}});
    }
}

void QmpClient::onDisconnected()
{
    if (state_ == State::Disconnected || state_ == State::Connecting)
        return;
    fail(QStringLiteral("QMP connection closed"));
}

void QmpClient::fail(const QString& reason)
{
    if (state_ == State::Disconnected)
        return;
    state_ = State::Disconnected;
    timer_.stop();
    retryTimer_.stop();
    greetingDeadlineMs_ = 0;
    socket_.abort();
    buffer_.clear();
    auto pending = std::exchange(pending_, {});
    for (auto& [id, p] : pending)
        if (p.reply)
            p.reply(qmpError(QStringLiteral("QMP %1: %2").arg(p.command, reason)));
    emit closed(reason);
}

}  // namespace mr::hv
