#pragma once
// A client of EchoServer: sends frames and counts the frames that come back,
// remembering when each sequence number arrived.

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QTcpSocket>

#include <cstdint>
#include <functional>

namespace mr::bench {

class EchoClient final : public QObject {
    Q_OBJECT
public:
    explicit EchoClient(QObject* parent = nullptr);

    bool open(quint16 port, int timeoutMs = 5000);
    void send(const QByteArray& frame) { socket_.write(frame); }
    // Frames received so far, and the sequence number of the last one.
    std::uint64_t received() const { return received_; }
    std::uint32_t lastSeq() const { return lastSeq_; }
    // Called for every frame received, with its sequence number.
    std::function<void(std::uint32_t seq)> onFrame;

private:
    void onReadyRead();

    QTcpSocket socket_;
    QByteArray buffer_;
    std::uint64_t received_ = 0;
    std::uint32_t lastSeq_ = 0;
};

}  // namespace mr::bench
