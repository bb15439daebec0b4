#pragma once
// A byte stream of the API as a terminal transport: a metarouter's console
// (STREAM_CONSOLE) or the router's own command line (STREAM_CLI), with the
// stream's credit flow control: the terminal grants credit back as it
// renders, so a burst of output waits at the daemon, not in memory here.

#include <QByteArray>
#include <QMetaObject>
#include <QPointer>
#include <QString>

#include "metarouter.pb.h"
#include "terminal_transport.h"

namespace mr::protocol {
class ApiClient;
}

namespace mr::ui {

class StreamTransport final : public TerminalTransport {
    Q_OBJECT
public:
    static constexpr quint32 kWindow = 256 * 1024;  // credit granted to the daemon

    // target: the metarouter's name (console); empty for the command line.
    StreamTransport(protocol::ApiClient* client, wire::StreamKind kind, QString target, QObject* parent = nullptr);
    ~StreamTransport() override;

    QString description() const override;
    void open(int columns, int rows) override;
    bool isOpen() const override { return stream_ != 0; }
    void send(const QByteArray& bytes) override;
    void resize(int columns, int rows) override;
    void sendBreak() override;
    void close() override;
    void consumed(qint64 bytes) override;

    // After a reconnection: the new client (a closed stream may be reopened on it).
    void setClient(protocol::ApiClient* client);
    wire::StreamKind kind() const { return kind_; }
    QString target() const { return target_; }

private:
    void pump();
    void lost(const QString& reason);
    void disconnectClient();

    QPointer<protocol::ApiClient> client_;
    wire::StreamKind kind_;
    QString target_;
    quint32 stream_ = 0;
    bool opening_ = false;
    quint64 generation_ = 0;  // a reply to an abandoned open is ignored
    quint64 credit_ = 0;      // bytes the daemon lets us send
    QByteArray outgoing_;     // typed, waiting for credit
    QList<QMetaObject::Connection> connections_;
};

}  // namespace mr::ui
