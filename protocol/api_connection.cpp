#include "api_connection.h"

#include <QAbstractSocket>
#include <QLocalSocket>
#include <QSslSocket>
#include <QTimer>

namespace mr::protocol {

ApiConnection::ApiConnection(QIODevice* device, QObject* parent) : QObject(parent), device_(device)
{
    device->setParent(this);
    connect(device, &QIODevice::readyRead, this, &ApiConnection::onReadyRead);
    connect(device, &QIODevice::bytesWritten, this, &ApiConnection::onBytesWritten);
    if (auto* s = qobject_cast<QSslSocket*>(device))
        connect(s, &QSslSocket::encryptedBytesWritten, this, &ApiConnection::onBytesWritten);
    if (auto* s = qobject_cast<QAbstractSocket*>(device)) {
        connect(s, &QAbstractSocket::disconnected, this, [this] { finish(reason_); });
        connect(s, &QAbstractSocket::errorOccurred, this, [this, s](QAbstractSocket::SocketError e) {
            if (e == QAbstractSocket::RemoteHostClosedError)
                finish(reason_);
            else
                finish(reason_.isEmpty() ? s->errorString() : reason_);
        });
    } else if (auto* l = qobject_cast<QLocalSocket*>(device)) {
        connect(l, &QLocalSocket::disconnected, this, [this] { finish(reason_); });
        connect(l, &QLocalSocket::errorOccurred, this, [this, l](QLocalSocket::LocalSocketError e) {
            if (e == QLocalSocket::PeerClosedError)
                finish(reason_);
            else
                finish(reason_.isEmpty() ? l->errorString() : reason_);
        });
    }
    if (device->bytesAvailable() > 0)
        QTimer::singleShot(0, this, &ApiConnection::onReadyRead);
}

ApiConnection::~ApiConnection() = default;

qint64 ApiConnection::pendingBytes() const
{
    if (!device_)
        return 0;
    qint64 n = device_->bytesToWrite();
    if (auto* s = qobject_cast<QSslSocket*>(device_.data()))
        n += s->encryptedBytesToWrite();
    return n;
}

bool ApiConnection::send(const wire::Envelope& envelope)
{
    if (!open_ || closing_ || !device_)
        return false;
    const std::string frame = encodeFrame(envelope);
    if (pendingBytes() + static_cast<qint64>(frame.size()) > maxPending_) {
        // The peer is not reading: drop it rather than grow without bound.
        reason_ = QStringLiteral("peer too slow: more than %1 MiB unsent").arg(maxPending_ / (1024 * 1024));
        device_->close();
        finish(reason_);
        return false;
    }
    device_->write(frame.data(), static_cast<qint64>(frame.size()));
    if (congested())
        wasCongested_ = true;
    return true;
}

void ApiConnection::fail(const Error& error)
{
    if (!open_ || closing_)
        return;
    wire::Envelope e;
    *e.mutable_fatal() = error.toWire();
    send(e);
    reason_ = QString::fromStdString(error.text());
    closing_ = true;
    if (pendingBytes() == 0)
        close();
    else
        QTimer::singleShot(2000, this, &ApiConnection::close);  // give up on a peer that never reads it
}

void ApiConnection::close()
{
    if (!device_ || !open_)
        return;
    if (auto* s = qobject_cast<QAbstractSocket*>(device_.data()))
        s->disconnectFromHost();
    else if (auto* l = qobject_cast<QLocalSocket*>(device_.data()))
        l->disconnectFromServer();
    else
        device_->close();
    // Sockets that were already unconnected emit nothing.
    QTimer::singleShot(0, this, [this] { finish(reason_); });
}

void ApiConnection::onReadyRead()
{
    if (!device_ || closing_)
        return;
    char buf[65536];
    while (open_ && !closing_ && device_ && device_->bytesAvailable() > 0) {
        const qint64 n = device_->read(buf, sizeof buf);
        if (n <= 0)
            break;
        decoder_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
        while (open_ && !closing_) {
            auto envelope = decoder_.next();
            if (!envelope)
                break;
            emit received(*envelope);
        }
        if (decoder_.failed()) {
            fail(decoder_.error());
            return;
        }
    }
}

void ApiConnection::onBytesWritten()
{
    if (closing_ && pendingBytes() == 0) {
        close();
        return;
    }
    if (wasCongested_ && !congested()) {
        wasCongested_ = false;
        emit drained();
    }
}

void ApiConnection::finish(const QString& reason)
{
    if (!open_)
        return;
    open_ = false;
    emit closed(reason);
}

}  // namespace mr::protocol
