#include "stream_transport.h"

#include "api_client.h"
#include "error.h"

namespace mr::ui {

StreamTransport::StreamTransport(protocol::ApiClient* client, wire::StreamKind kind, QString target, QObject* parent)
    : TerminalTransport(parent), kind_(kind), target_(std::move(target))
{
    setClient(client);
}

StreamTransport::~StreamTransport()
{
    close();
}

QString StreamTransport::description() const
{
    return kind_ == wire::STREAM_CONSOLE ? tr("console of %1").arg(target_) : tr("router command line");
}

void StreamTransport::setClient(protocol::ApiClient* client)
{
    disconnectClient();
    client_ = client;
    if (!client)
        return;
    connections_ << connect(client, &protocol::ApiClient::streamData, this, [this](quint32 stream, const QByteArray& data) {
        if (stream && stream == stream_)
            emit received(data);
    });
    connections_ << connect(client, &protocol::ApiClient::streamCredit, this, [this](quint32 stream, quint32 credit) {
        if (stream && stream == stream_) {
            credit_ += credit;
            pump();
        }
    });
    connections_ << connect(client, &protocol::ApiClient::streamClosed, this, [this](quint32 stream, const QString& reason) {
        if (stream && stream == stream_)
            lost(reason.isEmpty() ? tr("%1 closed").arg(description()) : reason);
    });
    connections_ << connect(client, &protocol::ApiClient::disconnected, this, [this](const QString&) {
        if (stream_ || opening_)
            lost(tr("connection to the router lost"));
    });
}

void StreamTransport::disconnectClient()
{
    for (const auto& c : std::as_const(connections_))
        disconnect(c);
    connections_.clear();
}

void StreamTransport::open(int columns, int rows)
{
    if (stream_ || opening_)
        return;
    if (!client_ || !client_->isReady()) {
        emit closed(tr("not connected to the router"));
        return;
    }
    wire::Request req;
    auto* open = req.mutable_open_stream();
    open->set_kind(kind_);
    open->set_target(target_.toStdString());
    open->set_window(kWindow);
    open->set_columns(quint32(std::max(1, columns)));
    open->set_rows(quint32(std::max(1, rows)));
    opening_ = true;
    const quint64 generation = ++generation_;
    QPointer<StreamTransport> self(this);
    client_->request(req, [self, generation](const wire::Reply& reply) {
        if (!self || generation != self->generation_ || !self->opening_) {
            // Abandoned meanwhile (closed or destroyed): do not leave it open.
            if (self && reply.error().code() == wire::ERROR_NONE && self->client_)
                self->client_->closeStream(reply.stream());
            return;
        }
        self->opening_ = false;
        if (reply.error().code() != wire::ERROR_NONE) {
            const QString why = QString::fromStdString(Error::fromWire(reply.error()).text());
            emit self->closed(self->kind_ == wire::STREAM_CONSOLE
                                  ? tr("cannot open the console of %1: %2").arg(self->target_, why)
                                  : tr("cannot open the command line: %1").arg(why));
            return;
        }
        self->stream_ = reply.stream();
        self->credit_ = reply.window();
        emit self->opened();
        self->pump();
    });
}

void StreamTransport::send(const QByteArray& bytes)
{
    if (!stream_)
        return;
    outgoing_ += bytes;
    pump();
}

void StreamTransport::pump()
{
    while (stream_ && client_ && !outgoing_.isEmpty() && credit_ > 0) {
        const qsizetype n = std::min<qsizetype>(outgoing_.size(), qsizetype(std::min<quint64>(credit_, 16384)));
        client_->sendStreamData(stream_, outgoing_.left(n));
        outgoing_.remove(0, n);
        credit_ -= quint64(n);
    }
}

void StreamTransport::resize(int columns, int rows)
{
    if (stream_ && client_)
        client_->resizeStream(stream_, quint32(std::max(1, columns)), quint32(std::max(1, rows)));
}

void StreamTransport::sendBreak()
{
    if (stream_ && client_)
        client_->sendStreamBreak(stream_);
}

void StreamTransport::consumed(qint64 bytes)
{
    if (stream_ && client_ && bytes > 0)
        client_->grantStreamCredit(stream_, quint32(bytes));
}

void StreamTransport::close()
{
    opening_ = false;
    if (stream_ && client_) {
        pump();  // what was typed before Ctrl-A Q, as far as credit allows
        client_->closeStream(stream_);
    }
    stream_ = 0;
    outgoing_.clear();
    credit_ = 0;
}

void StreamTransport::lost(const QString& reason)
{
    stream_ = 0;
    opening_ = false;
    outgoing_.clear();
    credit_ = 0;
    emit closed(reason);
}

}  // namespace mr::ui
