#include "vm_bench_console.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "wait_until.h"

namespace mr::bench {

namespace {

constexpr char kMuxEscape = '\x01';  // QEMU's mux chardev escape: sent doubled to be literal

}  // namespace

// ------------------------------------------------------------------ BenchConsole

void BenchConsole::onData(const QByteArray& data)
{
    out_ += data;
    received_ += data.size();
    lastData_.start();
}

void BenchConsole::onClosed(const QString& reason)
{
    if (closeReason_.isEmpty())
        closeReason_ = reason.isEmpty() ? QStringLiteral("closed") : reason;
}

bool BenchConsole::waitFor(const QByteArray& text, int timeoutMs, qsizetype from)
{
    // Scans only what is new (plus an overlap): output can be megabytes.
    qsizetype start = from;
    return waitUntil(
        [&] {
            if (out_.indexOf(text, std::min(start, out_.size())) >= 0)
                return true;
            start = std::max(from, out_.size() - text.size() + 1);
            return !isOpen();
        },
        timeoutMs) &&
           out_.indexOf(text, from) >= 0;
}

bool BenchConsole::waitForMore(qint64 size, int timeoutMs)
{
    return waitUntil([&] { return received_ > size || !isOpen(); }, timeoutMs) && received_ > size;
}

void BenchConsole::waitQuiet(int quietMs, int timeoutMs)
{
    if (!lastData_.isValid())
        lastData_.start();
    waitUntil([&] { return lastData_.elapsed() >= quietMs || !isOpen(); }, timeoutMs);
}

bool BenchConsole::logIn(int timeoutMs)
{
    // From the login prompt, where the boot runs leave every guest.
    qsizetype from = out_.size();
    send("admin\n");
    if (!waitFor("Password:", timeoutMs, from))
        return false;
    // mr-login turns echo off after the prompt: let it, before answering.
    waitQuiet(300, 2000);
    from = out_.size();
    send("\n");
    if (!waitFor("[admin@MetaRouter] >", timeoutMs, from))
        return false;
    waitQuiet(300, 2000);
    return true;
}

// ------------------------------------------------------------------ DaemonConsole

DaemonConsole::DaemonConsole(protocol::ApiClient& api, quint32 window) : api_(api), window_(window)
{
    connect(&api_, &protocol::ApiClient::streamData, this, [this](quint32 stream, const QByteArray& data) {
        if (stream != stream_ || stream_ == 0)
            return;
        if (firstDataNs_ < 0)
            firstDataNs_ = sinceOpen_.nsecsElapsed();
        onData(data);
        // Consumed at once: the same credit goes back, as mrcli does.
        api_.grantStreamCredit(stream, quint32(data.size()));
    });
    connect(&api_, &protocol::ApiClient::streamCredit, this, [this](quint32 stream, quint32 credit) {
        if (stream != stream_ || stream_ == 0)
            return;
        credit_ += credit;
        pump();
    });
    connect(&api_, &protocol::ApiClient::streamClosed, this, [this](quint32 stream, const QString& reason) {
        if (stream != stream_ || stream_ == 0)
            return;
        stream_ = 0;
        onClosed(reason);
    });
    connect(&api_, &protocol::ApiClient::disconnected, this, [this](const QString& reason) {
        stream_ = 0;
        onClosed(QStringLiteral("disconnected: ") + reason);
    });
}

DaemonConsole::~DaemonConsole()
{
    if (stream_)
        api_.closeStream(stream_);
}

bool DaemonConsole::open(const QString& name, QString* error, int timeoutMs)
{
    wire::Request req;
    auto* o = req.mutable_open_stream();
    o->set_kind(wire::STREAM_CONSOLE);
    o->set_target(name.toStdString());
    o->set_window(window_);
    o->set_columns(80);
    o->set_rows(24);
    auto reply = std::make_shared<std::optional<wire::Reply>>();
    api_.request(req, [reply](const wire::Reply& r) { *reply = r; });
    if (!waitUntil([&] { return reply->has_value(); }, timeoutMs)) {
        if (error)
            *error = QStringLiteral("no reply to open_stream");
        return false;
    }
    const wire::Reply& r = **reply;
    if (r.error().code() != wire::ERROR_NONE) {
        if (error)
            *error = QString::fromStdString(r.error().message());
        return false;
    }
    sinceOpen_.start();
    stream_ = r.stream();
    credit_ = r.window();
    pump();
    return true;
}

void DaemonConsole::send(const QByteArray& bytes)
{
    outgoing_ += bytes;
    pump();
}

void DaemonConsole::pump()
{
    while (stream_ && !outgoing_.isEmpty() && credit_ > 0) {
        const qsizetype n = std::min<qsizetype>(outgoing_.size(), qsizetype(std::min<quint64>(credit_, 16384)));
        api_.sendStreamData(stream_, outgoing_.left(n));
        outgoing_.remove(0, n);
        credit_ -= quint64(n);
    }
}

// ------------------------------------------------------------------ SocketConsole

SocketConsole::SocketConsole()
{
    connect(&socket_, &QLocalSocket::readyRead, this, [this] { onData(socket_.readAll()); });
    connect(&socket_, &QLocalSocket::disconnected, this, [this] { onClosed(QStringLiteral("QEMU closed the socket")); });
}

bool SocketConsole::connectTo(const QString& path, int timeoutMs, int retryMs)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        socket_.connectToServer(path, QIODevice::ReadWrite);
        // A local connect either succeeds at once or fails at once.
        if (socket_.state() == QLocalSocket::ConnectedState || socket_.waitForConnected(100))
            return true;
        socket_.abort();
        sleepInLoop(retryMs);
    }
    return false;
}

void SocketConsole::send(const QByteArray& bytes)
{
    QByteArray escaped;
    escaped.reserve(bytes.size());
    for (char ch : bytes) {
        escaped += ch;
        if (ch == kMuxEscape)
            escaped += ch;
    }
    socket_.write(escaped);
    socket_.flush();
}

}  // namespace mr::bench
