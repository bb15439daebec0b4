#include "terminal_tab.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "terminal_transport.h"
#include "terminal_widget.h"

namespace mr::ui {

using protocol::ConsoleEscape;

namespace {
QByteArray bytesOf(std::string_view s)
{
    return QByteArray(s.data(), qsizetype(s.size()));
}
}  // namespace

TerminalTab::TerminalTab(TerminalTransport* transport, QWidget* parent)
    : QWidget(parent), transport_(transport)
{
    transport_->setParent(this);
    setObjectName(QStringLiteral("terminalTab"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    terminal_ = new TerminalWidget(this);
    layout->addWidget(terminal_, 1);

    // The manual's key help, on one line, while Ctrl-A waits for its key.
    escapeBar_ = new QLabel(QString::fromLatin1(ConsoleEscape::kHelp.data(), qsizetype(ConsoleEscape::kHelp.size()))
                                .simplified(),
                            this);
    escapeBar_->setObjectName(QStringLiteral("escapeBar"));
    escapeBar_->setStyleSheet(QStringLiteral(
        "QLabel { background: #f0c040; color: #202020; padding: 3px 8px; font-family: 'DejaVu Sans Mono', monospace; }"));
    layout->addWidget(escapeBar_);

    closedBar_ = new QWidget(this);
    closedBar_->setObjectName(QStringLiteral("closedBar"));
    closedBar_->setStyleSheet(QStringLiteral("#closedBar { background: #3a3f47; } QLabel { color: #e8e8e8; }"));
    auto* closedLayout = new QHBoxLayout(closedBar_);
    closedLayout->setContentsMargins(8, 3, 8, 3);
    closedText_ = new QLabel(closedBar_);
    reconnect_ = new QPushButton(tr("Reconnect"), closedBar_);
    reconnect_->setObjectName(QStringLiteral("reconnect"));
    closedLayout->addWidget(closedText_, 1);
    closedLayout->addWidget(reconnect_);
    layout->addWidget(closedBar_);
    connect(reconnect_, &QPushButton::clicked, this, &TerminalTab::connectTransport);

    connect(terminal_, &TerminalWidget::typed, this, &TerminalTab::onTyped);
    // The terminal's answers to the far end's queries bypass the escape.
    connect(terminal_, &TerminalWidget::response, this, [this](const QByteArray& bytes) {
        if (connected_)
            transport_->send(bytes);
    });
    connect(terminal_, &TerminalWidget::sizeChanged, this, [this](int columns, int rows) {
        if (connected_)
            transport_->resize(columns, rows);
    });
    connect(terminal_, &TerminalWidget::consumed, transport_, &TerminalTransport::consumed);
    connect(transport_, &TerminalTransport::received, terminal_, &TerminalWidget::feed);
    connect(transport_, &TerminalTransport::notice, this,
            [this](const QString& text) { terminal_->feed("\r\n" + text.toUtf8() + "\r\n"); });
    connect(transport_, &TerminalTransport::opened, this, &TerminalTab::onOpened);
    connect(transport_, &TerminalTransport::closed, this, &TerminalTab::onClosed);
    setFocusProxy(terminal_);
    updateBars();
}

TerminalTab::~TerminalTab()
{
    // Closing the tab ends the connection (a console stream is released at once).
    transport_->close();
}

void TerminalTab::connectTransport()
{
    if (connected_ || connecting_)
        return;
    connecting_ = true;
    quitByUser_ = false;
    closedText_->setText(tr("Connecting to %1…").arg(transport_->description()));
    reconnect_->setEnabled(false);
    updateBars();
    transport_->open(terminal_->columns(), terminal_->rows());
}

void TerminalTab::onOpened()
{
    connecting_ = false;
    connected_ = true;
    const bool hasRate = transport_->hasRate();
    escape_.emplace(ConsoleEscape::Handlers{
        [this](std::string_view bytes) { transport_->send(bytesOf(bytes)); },
        [this](std::string_view text) { say(text); },
        [this] { transport_->sendBreak(); },
        [this] {
            // Ctrl-A Q: "Welcome back!" is on the screen already.
            quitByUser_ = true;
            connected_ = false;
            transport_->close();
            closedText_->setText(tr("Disconnected from %1. Press Enter or Reconnect to connect again.")
                                     .arg(transport_->description()));
            reconnect_->setEnabled(true);
            emit connectionChanged(false);
        },
        hasRate ? std::function<void()>([this] { transport_->autoconfigureRate(); }) : std::function<void()>(),
    });
    say(ConsoleEscape::kAttachBanner);
    // The far end learns the size the widget has now.
    transport_->resize(terminal_->columns(), terminal_->rows());
    updateBars();
    emit connectionChanged(true);
}

void TerminalTab::onClosed(const QString& reason)
{
    const bool was = connected_;
    connecting_ = false;
    connected_ = false;
    escape_.reset();
    terminal_->feed("\r\n[" + reason.toUtf8() + "]\r\n");
    closedText_->setText(tr("%1. Press Enter or Reconnect to connect again.").arg(reason));
    reconnect_->setEnabled(true);
    updateBars();
    if (was)
        emit connectionChanged(false);
}

void TerminalTab::onTyped(const QByteArray& bytes)
{
    if (!connected_) {
        if (!connecting_ && (bytes.contains('\r') || bytes.contains('\n')))
            connectTransport();
        return;
    }
    if (escape_ && !escape_->quitted())
        escape_->feed(std::string_view(bytes.constData(), std::size_t(bytes.size())));
    // Not after quit: Q may have ended the session, and the rest is dropped.
    updateBars();
}

void TerminalTab::say(std::string_view text)
{
    terminal_->feed(bytesOf(text));
}

void TerminalTab::updateBars()
{
    escapeBar_->setVisible(connected_ && escape_ && escape_->inCommand());
    closedBar_->setVisible(!connected_);
}

}  // namespace mr::ui
