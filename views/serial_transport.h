#pragma once
// A local serial port (QtSerialPort) as a terminal transport, so the app
// reaches a physical router's serial console: 8N1 without flow control at
// a chosen rate, a real break, and "autoconfigure rate" that tries the
// common rates and keeps the one whose answer reads as text.

#include <QByteArray>
#include <QSerialPort>
#include <QString>
#include <QTimer>

#include <vector>

#include "terminal_transport.h"

namespace mr::ui {

class SerialTransport final : public TerminalTransport {
    Q_OBJECT
public:
    // Tried in this order by autoconfigureRate(): the usual console rates first.
    static const std::vector<qint32>& probeRates();
    static constexpr int kBreakMs = 250;
    static constexpr int kProbeMs = 400;  // listening time per rate

    // port: a name from QSerialPortInfo ("ttyUSB0") or a path ("/dev/pts/3").
    SerialTransport(QString port, qint32 baudRate, QObject* parent = nullptr);
    ~SerialTransport() override;

    QString description() const override;
    void open(int columns, int rows) override;
    bool isOpen() const override { return port_.isOpen(); }
    void send(const QByteArray& bytes) override;
    void resize(int, int) override {}  // a serial line carries no window size
    void sendBreak() override;
    void close() override;
    void consumed(qint64) override {}
    bool hasRate() const override { return true; }
    void autoconfigureRate() override;

    qint32 baudRate() const { return port_.isOpen() ? port_.baudRate() : baud_; }
    bool probing() const { return probeIndex_ >= 0; }
    bool breakActive() const { return breakTimer_.isActive(); }
    // How much of a probe's answer is printable text, 0..1 (0 for too little).
    static double textScore(const QByteArray& bytes);

private:
    void onReadyRead();
    void onError(QSerialPort::SerialPortError error);
    void probeNext();
    void probeDone();

    QString portName_;
    qint32 baud_;
    QSerialPort port_;
    QTimer breakTimer_;
    QTimer probeTimer_;
    int probeIndex_ = -1;  // >= 0 while autoconfiguring
    qint32 probeFrom_ = 0;  // the rate to go back to when none reads well
    QByteArray probe_;      // what arrived at the rate being tried
    bool closing_ = false;
};

}  // namespace mr::ui
