#pragma once
// The two ways the issue-3 benchmark reaches a guest's serial console: a
// console stream through metarouterd's API (DaemonConsole) and QEMU's own
// serial socket (SocketConsole). Both collect everything received, so that
// the measurements run the same code over either.

#include <QByteArray>
#include <QElapsedTimer>
#include <QLocalSocket>
#include <QObject>
#include <QString>

#include "api_client.h"

namespace mr::bench {

class BenchConsole : public QObject {
    Q_OBJECT
public:
    ~BenchConsole() override = default;

    virtual void send(const QByteArray& bytes) = 0;
    virtual bool isOpen() const = 0;

    // Waits until `text` appears at or after offset `from` of out().
    bool waitFor(const QByteArray& text, int timeoutMs, qsizetype from = 0);
    // Waits until more than `size` bytes have been received.
    bool waitForMore(qint64 size, int timeoutMs);
    // Waits until nothing has arrived for quietMs (at most timeoutMs).
    void waitQuiet(int quietMs, int timeoutMs);
    // Logs in to the default guest (admin, empty password) from its login
    // prompt; true once the shell prompt is there.
    bool logIn(int timeoutMs = 30000);

    const QByteArray& out() const { return out_; }
    qint64 received() const { return received_; }
    // Keeps memory bounded in throughput runs: drops what was received so far.
    void discard() { out_.clear(); }
    QString closeReason() const { return closeReason_; }

protected:
    void onData(const QByteArray& data);
    void onClosed(const QString& reason);

private:
    QByteArray out_;
    qint64 received_ = 0;
    QElapsedTimer lastData_;
    QString closeReason_;
};

// A console stream (STREAM_CONSOLE) over an already logged-in ApiClient.
class DaemonConsole final : public BenchConsole {
    Q_OBJECT
public:
    // window: the credit granted to the daemon, as mrcli does (256 KiB).
    explicit DaemonConsole(protocol::ApiClient& api, quint32 window = 256 * 1024);
    ~DaemonConsole() override;

    // Opens the console of metarouter `name`; on failure, error says why.
    bool open(const QString& name, QString* error, int timeoutMs = 10000);
    void send(const QByteArray& bytes) override;
    bool isOpen() const override { return stream_ != 0; }
    // When the first bytes arrived after the open reply (ns on the caller's clock); -1 before.
    qint64 firstDataNs() const { return firstDataNs_; }

private:
    void pump();

    protocol::ApiClient& api_;
    quint32 window_;
    quint32 stream_ = 0;
    quint64 credit_ = 0;
    QByteArray outgoing_;
    qint64 firstDataNs_ = -1;
    QElapsedTimer sinceOpen_;
};

// QEMU's serial socket, directly (it takes one client at a time).
class SocketConsole final : public BenchConsole {
    Q_OBJECT
public:
    SocketConsole();
    // Retries every retryMs until QEMU listens (it creates the socket at start).
    bool connectTo(const QString& path, int timeoutMs, int retryMs = 5);
    void send(const QByteArray& bytes) override;
    bool isOpen() const override { return socket_.state() == QLocalSocket::ConnectedState; }

private:
    QLocalSocket socket_;
};

}  // namespace mr::bench
