#include "serial_transport.h"

namespace mr::ui {

namespace {
// Enough bytes and mostly text: framing at a wrong rate yields bytes with
// the high bit set and stray control characters.
constexpr int kMinProbeBytes = 4;
constexpr double kTextThreshold = 0.9;
}  // namespace

const std::vector<qint32>& SerialTransport::probeRates()
{
    static const std::vector<qint32> rates{115200, 57600, 38400, 19200, 9600, 4800, 2400, 1200, 230400};
    return rates;
}

SerialTransport::SerialTransport(QString port, qint32 baudRate, QObject* parent)
    : TerminalTransport(parent), portName_(std::move(port)), baud_(baudRate)
{
    breakTimer_.setSingleShot(true);
    breakTimer_.setInterval(kBreakMs);
    connect(&breakTimer_, &QTimer::timeout, this, [this] {
        if (port_.isOpen() && !port_.setBreakEnabled(false))
            emit notice(tr("[cannot end the break: %1]").arg(port_.errorString()));
    });
    probeTimer_.setSingleShot(true);
    probeTimer_.setInterval(kProbeMs);
    connect(&probeTimer_, &QTimer::timeout, this, &SerialTransport::probeDone);
    connect(&port_, &QSerialPort::readyRead, this, &SerialTransport::onReadyRead);
    connect(&port_, &QSerialPort::errorOccurred, this, &SerialTransport::onError);
}

SerialTransport::~SerialTransport()
{
    close();
}

QString SerialTransport::description() const
{
    return tr("%1 at %2 baud").arg(portName_).arg(baudRate());
}

void SerialTransport::open(int, int)
{
    if (port_.isOpen())
        return;
    port_.setPortName(portName_);
    if (!port_.open(QIODevice::ReadWrite)) {
        // Queued: the tab connects before it opens.
        const QString why = tr("cannot open %1: %2").arg(portName_, port_.errorString());
        QTimer::singleShot(0, this, [this, why] { emit closed(why); });
        return;
    }
    const bool ok = port_.setBaudRate(baud_) && port_.setDataBits(QSerialPort::Data8) &&
                    port_.setParity(QSerialPort::NoParity) && port_.setStopBits(QSerialPort::OneStop) &&
                    port_.setFlowControl(QSerialPort::NoFlowControl);
    if (!ok) {
        const QString why = tr("cannot set %1 to %2 baud 8N1: %3").arg(portName_).arg(baud_).arg(port_.errorString());
        port_.close();
        QTimer::singleShot(0, this, [this, why] { emit closed(why); });
        return;
    }
    QTimer::singleShot(0, this, [this] {
        if (port_.isOpen())
            emit opened();
    });
}

void SerialTransport::send(const QByteArray& bytes)
{
    if (port_.isOpen())
        port_.write(bytes);
}

void SerialTransport::sendBreak()
{
    if (!port_.isOpen())
        return;
    // What was typed before the break goes out before it.
    port_.flush();
    if (!port_.setBreakEnabled(true)) {
        emit notice(tr("[cannot send a break: %1]").arg(port_.errorString()));
        return;
    }
    breakTimer_.start();
}

void SerialTransport::close()
{
    // Errors while closing (a port that hung up) come back through onError().
    if (closing_)
        return;
    closing_ = true;
    const bool breaking = breakTimer_.isActive();
    breakTimer_.stop();
    probeTimer_.stop();
    probeIndex_ = -1;
    if (port_.isOpen()) {
        if (breaking)
            port_.setBreakEnabled(false);
        port_.close();
    }
    closing_ = false;
}

void SerialTransport::onReadyRead()
{
    const QByteArray bytes = port_.readAll();
    if (probing())
        probe_ += bytes;  // judged, not shown, until a rate is chosen
    else
        emit received(bytes);
}

void SerialTransport::onError(QSerialPort::SerialPortError error)
{
    // A USB adapter pulled out, a pty whose other end went away (a read
    // then fails for good, EIO or end of file).
    if ((error == QSerialPort::ResourceError || error == QSerialPort::ReadError) && port_.isOpen() && !closing_) {
        const QString why = tr("%1: %2").arg(portName_, port_.errorString());
        close();
        emit closed(why);
    }
}

double SerialTransport::textScore(const QByteArray& bytes)
{
    if (bytes.size() < kMinProbeBytes)
        return 0;
    int text = 0;
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\t' || c == 0x1b || c == '\b')
            ++text;
    }
    return double(text) / double(bytes.size());
}

void SerialTransport::autoconfigureRate()
{
    if (!port_.isOpen() || probing())
        return;
    probeFrom_ = port_.baudRate();
    probeIndex_ = 0;
    emit notice(tr("[autoconfigure rate: trying %1 rates]").arg(probeRates().size()));
    probeNext();
}

void SerialTransport::probeNext()
{
    const qint32 rate = probeRates()[std::size_t(probeIndex_)];
    probe_.clear();
    port_.clear(QSerialPort::Input);
    if (!port_.setBaudRate(rate)) {
        probeDone();
        return;
    }
    // A carriage return makes a console answer: a prompt, or a login line.
    port_.write("\r");
    probeTimer_.start();
}

void SerialTransport::probeDone()
{
    const qint32 rate = probeRates()[std::size_t(probeIndex_)];
    const QByteArray answer = std::exchange(probe_, {});
    if (textScore(answer) >= kTextThreshold) {
        probeIndex_ = -1;
        baud_ = rate;
        emit notice(tr("[autoconfigure rate: %1 baud]").arg(rate));
        emit received(answer);
        return;
    }
    if (++probeIndex_ < int(probeRates().size()))
        return probeNext();
    probeIndex_ = -1;
    port_.setBaudRate(probeFrom_);
    emit notice(tr("[autoconfigure rate: no rate gave readable text; staying at %1 baud]").arg(probeFrom_));
}

}  // namespace mr::ui
