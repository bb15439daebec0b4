#include "console_mux.h"

#include <vector>

namespace mr::hv {

namespace {

// QEMU's mux chardev escape (-echr default): Ctrl-A.
constexpr char kEscape = '\x01';

}  // namespace

ConsoleMux::ConsoleMux(QObject* parent) : ConsoleMux(Limits{}, parent) {}

ConsoleMux::ConsoleMux(Limits limits, QObject* parent) : QObject(parent), limits_(limits)
{
    reconnect_.setSingleShot(true);
    connect(&reconnect_, &QTimer::timeout, this, [this] {
        if (open_ && socket_.state() == QLocalSocket::UnconnectedState)
            socket_.connectToServer(path_, QIODevice::ReadWrite);
    });
    connect(&socket_, &QLocalSocket::readyRead, this, &ConsoleMux::onReadyRead);
    connect(&socket_, &QLocalSocket::connected, this, [this] { emit connectedChanged(true); });
    connect(&socket_, &QLocalSocket::disconnected, this, [this] {
        emit connectedChanged(false);
        scheduleReconnect();
    });
    connect(&socket_, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError) {
        if (socket_.state() == QLocalSocket::UnconnectedState)
            scheduleReconnect();
    });
}

ConsoleMux::~ConsoleMux()
{
    socket_.disconnect(this);
    clients_.clear();
}

void ConsoleMux::open(const QString& socketPath)
{
    close();
    path_ = socketPath;
    open_ = true;
    socket_.connectToServer(path_, QIODevice::ReadWrite);
}

void ConsoleMux::close()
{
    open_ = false;
    reconnect_.stop();
    socket_.abort();
}

void ConsoleMux::scheduleReconnect()
{
    if (open_ && !reconnect_.isActive())
        reconnect_.start(limits_.reconnectMs);
}

ConsoleMux::ClientId ConsoleMux::attach(Client client)
{
    const ClientId id = nextId_++;
    auto& c = clients_.emplace(id, std::move(client)).first->second;
    if (!ring_.isEmpty() && c.output)
        c.output(ring_);
    return id;
}

void ConsoleMux::detach(ClientId id)
{
    clients_.erase(id);
}

void ConsoleMux::drop(ClientId id, const QString& reason)
{
    auto it = clients_.find(id);
    if (it == clients_.end())
        return;
    Client c = std::move(it->second);
    clients_.erase(it);
    if (c.dropped)
        c.dropped(reason);
}

void ConsoleMux::onReadyRead()
{
    const QByteArray data = socket_.readAll();
    if (data.isEmpty())
        return;
    ring_ += data;
    if (ring_.size() > limits_.replayBytes)
        ring_.remove(0, ring_.size() - limits_.replayBytes);
    deliver(data);
    emit output(data);
}

void ConsoleMux::deliver(const QByteArray& data)
{
    // Callbacks may attach or detach: iterate over a snapshot of the ids.
    std::vector<ClientId> ids;
    ids.reserve(clients_.size());
    for (const auto& [id, c] : clients_)
        ids.push_back(id);
    for (ClientId id : ids) {
        auto it = clients_.find(id);
        if (it == clients_.end())
            continue;
        if (it->second.output)
            it->second.output(data);
        it = clients_.find(id);
        if (it == clients_.end())
            continue;
        if (it->second.backlog && it->second.backlog() > limits_.maxClientBacklog)
            drop(id, QStringLiteral("console client too slow: more than %1 bytes behind").arg(limits_.maxClientBacklog));
    }
}

mr::Status ConsoleMux::sendRaw(const QByteArray& data)
{
    if (socket_.state() != QLocalSocket::ConnectedState)
        return mr::Error::failed("console not connected");
    if (socket_.bytesToWrite() + data.size() > limits_.maxGuestBacklog)
        return mr::Error{wire::ERROR_BUSY, "console input refused: the guest is not reading", {}};
    socket_.write(data);
    return {};
}

mr::Status ConsoleMux::write(ClientId from, const QByteArray& data)
{
    if (!clients_.count(from))
        return mr::Error::notFound("no such console client");
    // The mux escape itself is sent doubled so that the guest gets it literally.
    QByteArray escaped;
    escaped.reserve(data.size());
    for (char ch : data) {
        escaped += ch;
        if (ch == kEscape)
            escaped += ch;
    }
    return sendRaw(escaped);
}

mr::Status ConsoleMux::sendBreak()
{
    const char breakSequence[] = {kEscape, 'b'};
    return sendRaw(QByteArray(breakSequence, sizeof breakSequence));
}

QByteArray ConsoleMux::recentOutput() const
{
    return ring_;
}

}  // namespace mr::hv
