#include "echo_server.h"

#include <QHostAddress>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtEndian>

#include <algorithm>
#include <memory>
#include <vector>

namespace mr::bench {

QByteArray EchoFrame::make(Kind kind, std::uint32_t replySize, std::uint32_t seq, int totalBytes)
{
    totalBytes = std::max(totalBytes, 4 + kHeader);
    QByteArray f(totalBytes, '\0');
    qToBigEndian<quint32>(static_cast<quint32>(totalBytes - 4), f.data());
    qToBigEndian<quint32>(kind, f.data() + 4);
    qToBigEndian<quint32>(replySize, f.data() + 8);
    qToBigEndian<quint32>(seq, f.data() + 12);
    return f;
}

QByteArray EchoFrame::reply(std::uint32_t seq, int totalBytes)
{
    totalBytes = std::max(totalBytes, 8);
    QByteArray f(totalBytes, 'x');
    qToBigEndian<quint32>(static_cast<quint32>(totalBytes - 4), f.data());
    qToBigEndian<quint32>(seq, f.data() + 4);
    return f;
}

namespace {

// Everything the server thread knows: the fan-out receivers.
struct Shared {
    std::vector<QPointer<QTcpSocket>> receivers;
};

void serve(QTcpSocket* socket, const std::shared_ptr<Shared>& shared)
{
    auto buffer = std::make_shared<QByteArray>();
    QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket, shared, buffer] {
        buffer->append(socket->readAll());
        qsizetype pos = 0;
        while (buffer->size() - pos >= 4) {
            const quint32 len = qFromBigEndian<quint32>(buffer->constData() + pos);
            if (buffer->size() - pos - 4 < static_cast<qsizetype>(len))
                break;
            const char* p = buffer->constData() + pos + 4;
            pos += 4 + len;
            if (len < EchoFrame::kHeader)
                continue;
            const quint32 kind = qFromBigEndian<quint32>(p);
            const quint32 size = qFromBigEndian<quint32>(p + 4);
            const quint32 seq = qFromBigEndian<quint32>(p + 8);
            switch (kind) {
            case EchoFrame::Echo:
                socket->write(EchoFrame::reply(seq, static_cast<int>(size)));
                break;
            case EchoFrame::Register:
                shared->receivers.emplace_back(socket);
                socket->write(EchoFrame::reply(seq, 8));
                break;
            case EchoFrame::FanOut: {
                const QByteArray out = EchoFrame::reply(seq, static_cast<int>(size));
                for (auto& r : shared->receivers)
                    if (r)
                        r->write(out);
                break;
            }
            default:
                break;
            }
        }
        buffer->remove(0, pos);
    });
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
}

}  // namespace

EchoServer::EchoServer() = default;

EchoServer::~EchoServer()
{
    if (thread_.isRunning()) {
        QMetaObject::invokeMethod(
            server_, [this] { delete server_; }, Qt::BlockingQueuedConnection);
        thread_.quit();
        thread_.wait();
    }
}

quint16 EchoServer::start()
{
    thread_.start();
    // Created from inside the thread so that it and its sockets live there.
    auto* context = new QObject;
    context->moveToThread(&thread_);
    quint16 port = 0;
    QMetaObject::invokeMethod(
        context,
        [this, context, &port] {
            server_ = new QTcpServer;
            auto shared = std::make_shared<Shared>();
            QObject::connect(server_, &QTcpServer::newConnection, server_, [this, shared] {
                while (QTcpSocket* s = server_->nextPendingConnection())
                    serve(s, shared);
            });
            if (server_->listen(QHostAddress::LocalHost, 0))
                port = server_->serverPort();
            delete context;
        },
        Qt::BlockingQueuedConnection);
    return port;
}

}  // namespace mr::bench
