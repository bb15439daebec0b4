#include "echo_client.h"

#include <QHostAddress>
#include <QtEndian>

#include "wait_until.h"

namespace mr::bench {

EchoClient::EchoClient(QObject* parent) : QObject(parent)
{
    connect(&socket_, &QTcpSocket::readyRead, this, &EchoClient::onReadyRead);
}

bool EchoClient::open(quint16 port, int timeoutMs)
{
    socket_.connectToHost(QHostAddress::LocalHost, port);
    return waitUntil([this] { return socket_.state() == QAbstractSocket::ConnectedState; }, timeoutMs);
}

void EchoClient::onReadyRead()
{
    buffer_.append(socket_.readAll());
    qsizetype pos = 0;
    while (buffer_.size() - pos >= 8) {
        const quint32 len = qFromBigEndian<quint32>(buffer_.constData() + pos);
        if (buffer_.size() - pos - 4 < static_cast<qsizetype>(len))
            break;
        lastSeq_ = qFromBigEndian<quint32>(buffer_.constData() + pos + 4);
        pos += 4 + len;
        ++received_;
        if (onFrame)
            onFrame(lastSeq_);
    }
    buffer_.remove(0, pos);
}

}  // namespace mr::bench
