#pragma once
// What a terminal tab talks to: a byte stream that can be opened, resized,
// sent a break and closed. A metarouter console and the router's command
// line (StreamTransport) and a local serial port (SerialTransport) are the
// implementations; TerminalTab drives any of them the same way.

#include <QByteArray>
#include <QObject>
#include <QString>

namespace mr::ui {

class TerminalTransport : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // For the tab's title and messages: "console of mr1", "/dev/ttyUSB0".
    virtual QString description() const = 0;
    // Asynchronous: opened() or closed(reason) follows.
    virtual void open(int columns, int rows) = 0;
    virtual bool isOpen() const = 0;
    virtual void send(const QByteArray& bytes) = 0;
    virtual void resize(int columns, int rows) = 0;
    virtual void sendBreak() = 0;
    // Ends the connection; closed() is not emitted for a close asked here.
    virtual void close() = 0;
    // The terminal has processed this much of what received() delivered:
    // the far end may send more (flow control).
    virtual void consumed(qint64 bytes) = 0;
    // Ctrl-A R. Lines without a rate (a metarouter's virtual serial line,
    // the command line) say no, and the escape answers that it does not apply.
    virtual bool hasRate() const { return false; }
    virtual void autoconfigureRate() {}

signals:
    void opened();
    void received(const QByteArray& bytes);
    // A line for the user from the transport itself (progress, errors).
    void notice(const QString& text);
    // The far end or the connection ended it.
    void closed(const QString& reason);
};

}  // namespace mr::ui
