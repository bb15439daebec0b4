#pragma once
// The loopback TCP baseline of the benchmark: a plain QTcpServer in a thread
// of its own that answers each frame with a frame of the size the client
// asks for (so the baseline moves the same bytes as the API it stands
// beside), and fans one sender's frame out to every registered receiver.

#include <QByteArray>
#include <QObject>
#include <QThread>

#include <cstdint>

class QTcpServer;

namespace mr::bench {

// Frames both ways: 4-byte big-endian length, then the payload. A client
// payload starts with a 12-byte header: kind, reply size, sequence number.
struct EchoFrame {
    enum Kind : std::uint32_t {
        Echo = 0,      // answer the sender with a frame of `size` bytes
        Register = 1,  // become a fan-out receiver (answered with an 8-byte ack)
        FanOut = 2,    // send a frame of `size` bytes to every receiver
    };
    static constexpr int kHeader = 12;
    // A whole frame (length prefix included) of total bytes on the wire, at
    // least kHeader + 4.
    static QByteArray make(Kind kind, std::uint32_t replySize, std::uint32_t seq, int totalBytes);
    // A reply frame of total bytes on the wire whose payload starts with seq.
    static QByteArray reply(std::uint32_t seq, int totalBytes);
};

class EchoServer final : public QObject {
    Q_OBJECT
public:
    EchoServer();
    ~EchoServer() override;

    // Starts listening on 127.0.0.1 in its own thread; returns the port.
    quint16 start();

private:
    QThread thread_;
    QTcpServer* server_ = nullptr;  // lives in thread_
};

}  // namespace mr::bench
