#pragma once

#include <QDateTime>
#include <QElapsedTimer>
#include <QLocalSocket>
#include <QObject>
#include <QString>
#include <QTimer>

#include <optional>

#include "guest_report.h"
#include "guest_report_parser.h"

namespace mr::hv {

// A metarouter's report channel: follows QEMU's end of the guest's
// virtio-serial port org.metarouter.report (a unix socket), reconnecting as
// QEMU comes and goes, and keeps the newest GuestReport that passed the
// parser. A flooding guest gets a bounded read rate (beyond the byte budget
// the channel stops reading, so QEMU and then the guest's writes block), one
// parse per interval, and one log line per minute.
class GuestReportChannel final : public QObject {
    Q_OBJECT
public:
    struct Limits {
        GuestReportParser::Limits parser;
        qint64 bytesPerSecond = 64 * 1024;  // sustained read rate
        qint64 burstBytes = 128 * 1024;     // read at once after a quiet spell
        int minIntervalMs = 250;            // between two parsed messages
        int reconnectMs = 1000;             // retry while the socket is away
        int logIntervalMs = 60000;          // at most one "dropped" line per interval
    };

    explicit GuestReportChannel(QObject* parent = nullptr);
    explicit GuestReportChannel(Limits limits, QObject* parent = nullptr);
    ~GuestReportChannel() override;

    // label names the metarouter in log lines.
    void open(const QString& socketPath, const QString& label);
    // Disconnects and forgets the report (the VM stopped).
    void close();
    // Forgets the report, staying connected (the guest reboots).
    void clear();

    bool isConnected() const { return socket_.state() == QLocalSocket::ConnectedState; }
    const std::optional<GuestReport>& report() const { return report_; }
    QDateTime reportTime() const { return reportTime_; }
    // Messages refused since open (bad, or oversized).
    int dropped() const { return dropped_; }
    QString lastError() const { return lastError_; }

signals:
    // A report was accepted (even one equal to the last), or cleared.
    void reportChanged();

private:
    void onReadyRead();
    void parsePending();
    void drop(const QString& reason);
    void scheduleReconnect();

    Limits limits_;
    QLocalSocket socket_;
    QTimer reconnect_;
    QTimer resume_;     // reading again once the byte budget refilled
    QTimer parseTimer_; // the next parse, minIntervalMs after the last
    QString path_;
    QString label_;
    bool open_ = false;
    GuestReportParser parser_;
    qint64 budget_ = 0;
    QElapsedTimer budgetClock_;
    QElapsedTimer lastParse_;
    QElapsedTimer lastLog_;
    int suppressedLogs_ = 0;
    int dropped_ = 0;
    QString lastError_;
    std::optional<GuestReport> report_;
    QDateTime reportTime_;
};

}  // namespace mr::hv
