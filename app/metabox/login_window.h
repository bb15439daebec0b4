#pragma once
// WinBox's first window: Connect To, Login, Password, Connect; remembers the
// last routers, asks about unknown certificates and never blocks on the network.

#include <QPointer>
#include <QMessageBox>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace mr::ui {

class SessionController;

class LoginWindow final : public QWidget {
    Q_OBJECT
public:
    explicit LoginWindow(SessionController* session, QWidget* parent = nullptr);

    QComboBox* address() const { return address_; }
    QLineEdit* user() const { return user_; }
    QLineEdit* password() const { return password_; }
    QPushButton* connectButton() const { return connect_; }
    QString message() const;
    // The open fingerprint question, if any (for tests and for closing it).
    QMessageBox* fingerprintQuestion() const { return question_; }

    void connectToRouter();

private:
    void onStateChanged();
    void onFingerprintUnknown(const QString& hexFingerprint);
    void onFailed(const QString& message);
    void remember();
    void showMessage(const QString& text, bool error);

    SessionController* session_;
    QComboBox* address_ = nullptr;
    QLineEdit* user_ = nullptr;
    QLineEdit* password_ = nullptr;
    QPushButton* connect_ = nullptr;
    QLabel* message_ = nullptr;
    QPointer<QMessageBox> question_;
};

}  // namespace mr::ui
