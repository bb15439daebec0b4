#include "guest_report_channel.h"

#include <algorithm>

namespace mr::hv {

namespace {

// How much Qt may hold unread: the channel reads in budgeted steps and
// QLocalSocket stops reading the socket once this is full.
constexpr qint64 kReadBufferBytes = 64 * 1024;

}  // namespace

GuestReportChannel::GuestReportChannel(QObject* parent) : GuestReportChannel(Limits{}, parent) {}

GuestReportChannel::GuestReportChannel(Limits limits, QObject* parent)
    : QObject(parent), limits_(limits), parser_(limits.parser)
{
    socket_.setReadBufferSize(kReadBufferBytes);
    reconnect_.setSingleShot(true);
    connect(&reconnect_, &QTimer::timeout, this, [this] {
        if (open_ && socket_.state() == QLocalSocket::UnconnectedState)
            socket_.connectToServer(path_, QIODevice::ReadOnly);
    });
    resume_.setSingleShot(true);
    connect(&resume_, &QTimer::timeout, this, &GuestReportChannel::onReadyRead);
    parseTimer_.setSingleShot(true);
    connect(&parseTimer_, &QTimer::timeout, this, &GuestReportChannel::parsePending);
    connect(&socket_, &QLocalSocket::readyRead, this, &GuestReportChannel::onReadyRead);
    connect(&socket_, &QLocalSocket::connected, this, [this] {
        // A message cut short by the last connection must not prefix the next.
        parser_.reset();
    });
    connect(&socket_, &QLocalSocket::disconnected, this, &GuestReportChannel::scheduleReconnect);
    connect(&socket_, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError) {
        if (socket_.state() == QLocalSocket::UnconnectedState)
            scheduleReconnect();
    });
}

GuestReportChannel::~GuestReportChannel()
{
    socket_.disconnect(this);
}

void GuestReportChannel::open(const QString& socketPath, const QString& label)
{
    close();
    path_ = socketPath;
    label_ = label;
    open_ = true;
    dropped_ = 0;
    lastError_.clear();
    budget_ = limits_.burstBytes;
    budgetClock_.start();
    socket_.connectToServer(path_, QIODevice::ReadOnly);
}

void GuestReportChannel::close()
{
    open_ = false;
    reconnect_.stop();
    resume_.stop();
    parseTimer_.stop();
    socket_.abort();
    parser_.reset();
    clear();
}

void GuestReportChannel::clear()
{
    (void)parser_.takeMessage();
    if (!report_)
        return;
    report_.reset();
    reportTime_ = {};
    emit reportChanged();
}

void GuestReportChannel::scheduleReconnect()
{
    if (open_ && !reconnect_.isActive())
        reconnect_.start(limits_.reconnectMs);
}

void GuestReportChannel::onReadyRead()
{
    if (!open_ || resume_.isActive())
        return;
    const qint64 elapsed = budgetClock_.restart();
    budget_ = std::min(limits_.burstBytes, budget_ + elapsed * limits_.bytesPerSecond / 1000);
    char buf[8192];
    while (socket_.bytesAvailable() > 0 && budget_ > 0) {
        const qint64 n = socket_.read(buf, std::min<qint64>(sizeof buf, budget_));
        if (n <= 0)
            break;
        budget_ -= n;
        parser_.feed(QByteArrayView(buf, n));
    }
    if (const int oversized = parser_.takeOversized())
        drop(QStringLiteral("%1 message(s) longer than %2 bytes").arg(oversized).arg(limits_.parser.maxMessageBytes));
    if (socket_.bytesAvailable() > 0) {
        // Over budget: leave the rest unread until a quarter second's worth is back.
        const qint64 want = std::max<qint64>(1, limits_.bytesPerSecond / 4 - budget_);
        resume_.start(int(std::max<qint64>(10, want * 1000 / limits_.bytesPerSecond)));
    }
    if (parseTimer_.isActive())
        return;
    const qint64 since = lastParse_.isValid() ? lastParse_.elapsed() : limits_.minIntervalMs;
    if (since >= limits_.minIntervalMs)
        parsePending();
    else
        parseTimer_.start(int(limits_.minIntervalMs - since));
}

void GuestReportChannel::parsePending()
{
    auto message = parser_.takeMessage();
    if (!message)
        return;
    lastParse_.start();
    auto report = parser_.parse(*message);
    if (!report) {
        drop(QString::fromStdString(report.error().text()));
        return;
    }
    report_ = std::move(*report);
    reportTime_ = QDateTime::currentDateTime();
    emit reportChanged();
}

void GuestReportChannel::drop(const QString& reason)
{
    ++dropped_;
    lastError_ = reason;
    if (lastLog_.isValid() && lastLog_.elapsed() < limits_.logIntervalMs) {
        ++suppressedLogs_;
        return;
    }
    lastLog_.start();
    const QString more =
        suppressedLogs_ ? QStringLiteral(" (%1 more dropped since the last message)").arg(suppressedLogs_) : QString();
    suppressedLogs_ = 0;
    qWarning("metarouter %s: guest report dropped: %s%s", qPrintable(label_), qPrintable(reason), qPrintable(more));
}

}  // namespace mr::hv
