#pragma once
// Chooses the local serial port and rate for a serial console: the ports
// QSerialPortInfo finds, or any path typed in (a /dev/pts/N, a by-id link).
// OK only with a port that exists and a valid rate; the last choice is
// remembered.

#include <QDialog>
#include <QString>

class QComboBox;
class QLabel;
class QPushButton;

namespace mr::ui {

class SerialDialog final : public QDialog {
    Q_OBJECT
public:
    explicit SerialDialog(QWidget* parent = nullptr);

    QString port() const;
    qint32 baudRate() const;
    QComboBox* portBox() const { return port_; }
    QComboBox* baudBox() const { return baud_; }
    QLabel* errorLabel() const { return error_; }

    // Why the current choice cannot be used; empty if it can.
    QString validate() const;
    void accept() override;

private:
    QComboBox* port_ = nullptr;
    QComboBox* baud_ = nullptr;
    QLabel* error_ = nullptr;
};

}  // namespace mr::ui
