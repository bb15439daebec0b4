#include "login_window.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

#include "session_controller.h"
#include "tls_pinning.h"

namespace mr::ui {

namespace {
constexpr int kRecentRouters = 10;
}

LoginWindow::LoginWindow(SessionController* session, QWidget* parent) : QWidget(parent), session_(session)
{
    setObjectName(QStringLiteral("LoginWindow"));
    setWindowTitle(tr("MetaBox"));
    auto* layout = new QVBoxLayout(this);
    auto* title = new QLabel(tr("<b>MetaBox</b> — MetaRouter administration"), this);
    layout->addWidget(title);

    auto* form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    address_ = new QComboBox(this);
    address_->setObjectName(QStringLiteral("address"));
    address_->setEditable(true);
    address_->setInsertPolicy(QComboBox::NoInsert);
    address_->lineEdit()->setPlaceholderText(tr("host, host:port or /path/to/api.sock"));
    address_->setMinimumWidth(280);
    user_ = new QLineEdit(this);
    user_->setObjectName(QStringLiteral("user"));
    password_ = new QLineEdit(this);
    password_->setObjectName(QStringLiteral("password"));
    password_->setEchoMode(QLineEdit::Password);
    form->addRow(tr("Connect To:"), address_);
    form->addRow(tr("Login:"), user_);
    form->addRow(tr("Password:"), password_);
    layout->addLayout(form);

    message_ = new QLabel(this);
    message_->setObjectName(QStringLiteral("message"));
    message_->setWordWrap(true);
    message_->setMinimumHeight(message_->fontMetrics().height() * 2);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(message_);

    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    connect_ = new QPushButton(tr("Connect"), this);
    connect_->setObjectName(QStringLiteral("connect"));
    connect_->setDefault(true);
    buttons->addWidget(connect_);
    layout->addLayout(buttons);

    QSettings settings;
    address_->addItems(settings.value(QStringLiteral("login/recent")).toStringList());
    address_->setCurrentIndex(address_->count() > 0 ? 0 : -1);
    user_->setText(settings.value(QStringLiteral("login/user"), QStringLiteral("admin")).toString());
    if (address_->count() > 0)
        password_->setFocus();

    connect(connect_, &QPushButton::clicked, this, &LoginWindow::connectToRouter);
    connect(password_, &QLineEdit::returnPressed, this, &LoginWindow::connectToRouter);
    connect(session_, &SessionController::stateChanged, this, &LoginWindow::onStateChanged);
    connect(session_, &SessionController::fingerprintUnknown, this, &LoginWindow::onFingerprintUnknown);
    connect(session_, &SessionController::failed, this, &LoginWindow::onFailed);
    connect(session_, &SessionController::loggedIn, this, [this] {
        remember();
        password_->clear();
        showMessage({}, false);
    });
    resize(sizeHint().expandedTo(QSize(440, 0)));
}

QString LoginWindow::message() const
{
    return message_->text();
}

void LoginWindow::connectToRouter()
{
    const QString text = address_->currentText().trimmed();
    if (text.isEmpty()) {
        showMessage(tr("Enter the router's address."), true);
        return;
    }
    session_->connectTo(SessionController::parseAddress(text), user_->text(), password_->text());
}

void LoginWindow::onStateChanged()
{
    using S = SessionController::State;
    const S s = session_->state();
    const bool idle = s == S::Disconnected || s == S::LoggedIn;
    connect_->setEnabled(idle);
    address_->setEnabled(idle);
    user_->setEnabled(idle);
    password_->setEnabled(idle);
    if (!idle)
        showMessage(session_->stateText(), false);
}

void LoginWindow::onFingerprintUnknown(const QString& hexFingerprint)
{
    // Asked, not exec()ed: the event loop (and the connection) keeps running.
    auto* box = new QMessageBox(QMessageBox::Question, tr("Unknown router"),
                                tr("This is the first connection to %1.\n\n"
                                   "Its certificate's SHA-256 fingerprint is\n%2\n\n"
                                   "Compare it with the router's (/system resource or the file "
                                   "'fingerprint' in its state directory). Trust this router?")
                                    .arg(session_->endpoint().text(), protocol::TlsPinning::display(hexFingerprint)),
                                QMessageBox::Yes | QMessageBox::No, this);
    box->setObjectName(QStringLiteral("fingerprintQuestion"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDefaultButton(QMessageBox::No);
    connect(box, &QMessageBox::finished, this,
            [this, box] { session_->acceptFingerprint(box->result() == QMessageBox::Yes); });
    question_ = box;
    box->open();
}

void LoginWindow::onFailed(const QString& message)
{
    QString text = message;
    if (message.contains(QLatin1String("CHANGED"))) {
        text = tr("Refused: the router's identity has changed. %1").arg(message);
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Router certificate changed"), text, QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("fingerprintChanged"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    } else if (message.contains(QLatin1String("cannot connect"))) {
        text = tr("Could not reach the router: %1").arg(message);
    } else if (message.contains(QLatin1String("password"), Qt::CaseInsensitive) ||
               message.contains(QLatin1String("login"), Qt::CaseInsensitive)) {
        text = tr("Login failed: %1").arg(message);
    }
    showMessage(text, true);
    onStateChanged();
    password_->setFocus();
}

void LoginWindow::remember()
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("login/recent")).toStringList();
    const QString text = address_->currentText().trimmed();
    recent.removeAll(text);
    recent.prepend(text);
    while (recent.size() > kRecentRouters)
        recent.removeLast();
    settings.setValue(QStringLiteral("login/recent"), recent);
    settings.setValue(QStringLiteral("login/user"), user_->text());
}

void LoginWindow::showMessage(const QString& text, bool error)
{
    message_->setText(text);
    message_->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
}

}  // namespace mr::ui
