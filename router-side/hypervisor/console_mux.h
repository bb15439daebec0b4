#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QLocalSocket>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>
#include <map>

#include "error.h"

namespace mr::hv {

// A metarouter's serial console shared by any number of clients: the guest's
// output goes to all of them (a late joiner first gets the recent output), any
// client's input goes to the guest, and a client that cannot keep up is dropped.
class ConsoleMux final : public QObject {
    Q_OBJECT
public:
    using ClientId = quint64;

    struct Limits {
        qsizetype replayBytes = 64 * 1024;       // recent output kept for late joiners
        qint64 maxClientBacklog = 256 * 1024;    // a client further behind is dropped
        qint64 maxGuestBacklog = 64 * 1024;      // input beyond this (guest not reading) is refused
        int reconnectMs = 200;                   // retry while the serial socket is away
    };

    // How the mux reaches one client.
    struct Client {
        std::function<void(const QByteArray&)> output;   // guest output for this client
        std::function<void(const QString&)> dropped;      // the mux let go of the client (optional)
        std::function<qint64()> backlog;                  // bytes still queued towards the client (optional)
    };

    explicit ConsoleMux(QObject* parent = nullptr);
    explicit ConsoleMux(Limits limits, QObject* parent = nullptr);
    ~ConsoleMux() override;

    // Follows QEMU's serial socket, reconnecting while it comes and goes.
    void open(const QString& socketPath);
    void close();
    bool isConnected() const { return socket_.state() == QLocalSocket::ConnectedState; }

    // The replay buffer is delivered to the client before attach() returns.
    ClientId attach(Client client);
    void detach(ClientId id);
    int clientCount() const { return int(clients_.size()); }

    // Sends input to the guest. Refused when the guest is not connected or
    // not reading.
    mr::Status write(ClientId from, const QByteArray& data);
    // A serial break (QEMU's mux escape Ctrl-A b).
    mr::Status sendBreak();

    QByteArray recentOutput() const;

signals:
    void connectedChanged(bool connected);
    void output(const QByteArray& data);  // everything the guest prints

private:
    void onReadyRead();
    void deliver(const QByteArray& data);
    void drop(ClientId id, const QString& reason);
    void scheduleReconnect();
    mr::Status sendRaw(const QByteArray& data);

    Limits limits_;
    QLocalSocket socket_;
    QTimer reconnect_;
    QString path_;
    bool open_ = false;
    QByteArray ring_;  // the last replayBytes of output
    std::map<ClientId, Client> clients_;
    ClientId nextId_ = 1;
};

}  // namespace mr::hv
