#include "serial_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QIntValidator>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSerialPortInfo>
#include <QSettings>
#include <QVBoxLayout>

namespace mr::ui {

namespace {
constexpr qint32 kRates[] = {1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400};
const QString kPortKey = QStringLiteral("serial/port");
const QString kBaudKey = QStringLiteral("serial/baud");
}  // namespace

SerialDialog::SerialDialog(QWidget* parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("serialDialog"));
    setWindowTitle(tr("Serial Console"));
    auto* form = new QFormLayout;
    port_ = new QComboBox(this);
    port_->setObjectName(QStringLiteral("port"));
    port_->setEditable(true);
    port_->setMinimumWidth(260);
    port_->lineEdit()->setPlaceholderText(tr("/dev/ttyUSB0"));
    for (const QSerialPortInfo& info : QSerialPortInfo::availablePorts()) {
        QString label = info.systemLocation();
        if (!info.description().isEmpty())
            label += QStringLiteral(" — ") + info.description();
        port_->addItem(label, info.systemLocation());
    }
    baud_ = new QComboBox(this);
    baud_->setObjectName(QStringLiteral("baud"));
    baud_->setEditable(true);
    baud_->setValidator(new QIntValidator(50, 4000000, baud_));
    for (qint32 r : kRates)
        baud_->addItem(QString::number(r));
    QSettings settings;
    const QString lastPort = settings.value(kPortKey).toString();
    if (!lastPort.isEmpty())
        port_->setEditText(lastPort);
    baud_->setEditText(settings.value(kBaudKey, 115200).toString());
    form->addRow(tr("Port:"), port_);
    form->addRow(tr("Baud rate:"), baud_);

    error_ = new QLabel(this);
    error_->setObjectName(QStringLiteral("error"));
    error_->setStyleSheet(QStringLiteral("color: #c0392b;"));
    error_->setWordWrap(true);
    error_->hide();

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Open"));
    connect(buttons, &QDialogButtonBox::accepted, this, &SerialDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SerialDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(error_);
    layout->addWidget(buttons);
}

QString SerialDialog::port() const
{
    // A listed port's label carries its description; its data is the path.
    const int i = port_->currentIndex();
    if (i >= 0 && port_->itemText(i) == port_->currentText())
        return port_->itemData(i).toString();
    return port_->currentText().trimmed();
}

qint32 SerialDialog::baudRate() const
{
    bool ok = false;
    const int rate = baud_->currentText().trimmed().toInt(&ok);
    return ok ? rate : 0;
}

QString SerialDialog::validate() const
{
    const QString p = port();
    if (p.isEmpty())
        return tr("Choose a serial port or type its path.");
    const QString path = p.startsWith(QLatin1Char('/')) ? p : QStringLiteral("/dev/") + p;
    const QFileInfo info(path);
    if (!info.exists())
        return tr("%1 does not exist.").arg(path);
    if (info.isDir())
        return tr("%1 is a directory, not a serial port.").arg(path);
    const qint32 rate = baudRate();
    if (rate < 50 || rate > 4000000)
        return tr("The baud rate must be a number from 50 to 4000000.");
    return {};
}

void SerialDialog::accept()
{
    const QString why = validate();
    if (!why.isEmpty()) {
        error_->setText(why);
        error_->show();
        return;
    }
    QSettings settings;
    settings.setValue(kPortKey, port());
    settings.setValue(kBaudKey, baudRate());
    QDialog::accept();
}

}  // namespace mr::ui
