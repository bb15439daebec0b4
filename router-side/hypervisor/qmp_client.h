#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QJsonValue>
#include <QLocalSocket>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>
#include <map>

#include "error.h"

namespace mr::hv {

// QMP transport: one unix-socket connection to a QEMU monitor, the greeting and
// capability negotiation, id-matched replies with timeouts, and events.
class QmpClient final : public QObject {
    Q_OBJECT
public:
    struct Limits {
        qsizetype maxLineBytes = 1024 * 1024;  // a longer reply or event ends the connection
        int maxPending = 64;                   // commands awaiting a reply
        int greetingTimeoutMs = 10000;
        int commandTimeoutMs = 10000;
    };
    enum class State { Disconnected, Connecting, Negotiating, Ready };

    // Receives the command's "return" value or the QMP "error" (class + desc).
    using Reply = std::function<void(mr::Result<QJsonValue>)>;

    explicit QmpClient(QObject* parent = nullptr);
    explicit QmpClient(Limits limits, QObject* parent = nullptr);
    ~QmpClient() override;

    // Connects and negotiates; emits ready() or closed(). Retries connecting
    // until connectTimeoutMs so that a just-started QEMU has time to listen.
    void connectToServer(const QString& socketPath, int connectTimeoutMs = 0);
    void disconnectFromServer();

    State state() const { return state_; }
    bool isReady() const { return state_ == State::Ready; }
    // The QMP greeting ({"QMP": {"version": ..., "capabilities": ...}}).
    QJsonObject greeting() const { return greeting_; }
    QString serverPath() const { return path_; }

    // Sends a command (queued until negotiation is done). The reply callback
    // runs exactly once: with the result, an error, a timeout or a disconnect.
    // Returns the command id.
    quint64 execute(const QString& command, const QJsonObject& arguments = {}, Reply reply = {},
                    int timeoutMs = -1);

signals:
    void ready();
    // Every asynchronous event, e.g. SHUTDOWN, POWERDOWN, RESET, DEVICE_DELETED.
    void event(const QString& name, const QJsonObject& data, double timestamp);
    void closed(const QString& reason);

private:
    struct Pending {
        QString command;
        Reply reply;
        qint64 deadlineMs = 0;
        bool sent = false;
        QByteArray line;
    };

    void tryConnect();
    void onReadyRead();
    void onDisconnected();
    void handleLine(const QByteArray& line);
    void handleReply(const QJsonObject& message);
    void negotiated(mr::Result<QJsonValue> result);
    void sendQueued();
    void checkTimeouts();
    void armTimer();
    void fail(const QString& reason);
    quint64 enqueue(const QString& command, const QJsonObject& arguments, Reply reply, int timeoutMs, bool front);

    Limits limits_;
    QLocalSocket socket_;
    QTimer timer_;
    QTimer retryTimer_;
    QElapsedTimer clock_;
    QString path_;
    State state_ = State::Disconnected;
    QJsonObject greeting_;
    QByteArray buffer_;
    qint64 connectDeadlineMs_ = 0;
    qint64 greetingDeadlineMs_ = 0;
    quint64 nextId_ = 1;
    quint64 negotiateId_ = 0;
    std::map<quint64, Pending> pending_;  // ordered by id: the send order
};

}  // namespace mr::hv
