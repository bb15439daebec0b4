#pragma once
// One API connection over any byte transport (TLS socket, unix socket):
// frames envelopes in and out, ends the connection with an error frame on
// bad input, and drops a peer that stops reading instead of buffering
// without bound.

#include <QIODevice>
#include <QObject>
#include <QPointer>

#include <cstdint>

#include "frame_codec.h"
#include "metarouter.pb.h"

namespace mr::protocol {

class ApiConnection final : public QObject {
    Q_OBJECT
public:
    // Takes ownership of the device (reparents it). It must be open.
    explicit ApiConnection(QIODevice* device, QObject* parent = nullptr);
    ~ApiConnection() override;

    // Queues one envelope. Returns false when the connection is closed or
    // was just dropped because the peer stopped reading.
    bool send(const wire::Envelope& envelope);

    // Sends a fatal error frame, then closes once it is written.
    void fail(const Error& error);
    void close();

    bool isOpen() const { return open_; }
    QIODevice* device() const { return device_; }
    // Bytes written but not yet taken by the peer.
    qint64 pendingBytes() const;
    // A peer with more than this much unsent data is dropped.
    void setMaxPending(qint64 bytes) { maxPending_ = bytes; }
    // A peer whose output is above this is "congested": streams should pause.
    bool congested() const { return pendingBytes() > maxPending_ / 4; }

signals:
    void received(const mr::wire::Envelope& envelope);
    // The transport closed; reason is empty for an orderly close.
    void closed(const QString& reason);
    // Output drained below the congestion mark again.
    void drained();

private:
    void onReadyRead();
    void onBytesWritten();
    void finish(const QString& reason);

    QPointer<QIODevice> device_;
    FrameDecoder decoder_;
    qint64 maxPending_ = 64LL * 1024 * 1024;
    bool open_ = true;
    bool closing_ = false;
    bool wasCongested_ = false;
    QString reason_;
};

}  // namespace mr::protocol
