#pragma once
// One console in a tab: a TerminalWidget on a TerminalTransport with the
// Ctrl-A escape between the keyboard and the line (the same ConsoleEscape
// as the daemon's CLI and mrcli). Ctrl-A shows the escape bar; Q ends the
// connection ("Welcome back!") and leaves the tab to be reconnected or closed.

#include <QByteArray>
#include <QString>
#include <QWidget>

#include <optional>
#include <string_view>

#include "console_escape.h"

class QLabel;
class QPushButton;

namespace mr::ui {

class TerminalTransport;
class TerminalWidget;

class TerminalTab final : public QWidget {
    Q_OBJECT
public:
    // Takes ownership of the transport.
    explicit TerminalTab(TerminalTransport* transport, QWidget* parent = nullptr);
    ~TerminalTab() override;

    TerminalWidget* terminal() const { return terminal_; }
    TerminalTransport* transport() const { return transport_; }
    QLabel* escapeBar() const { return escapeBar_; }
    QPushButton* reconnectButton() const { return reconnect_; }
    bool isConnected() const { return connected_; }
    // Ended with Ctrl-A Q (not by the far end or a lost connection).
    bool quitByUser() const { return quitByUser_; }
    bool inEscape() const { return escape_ && escape_->inCommand(); }

    // Opens the transport (again); the terminal shows what happens.
    void connectTransport();
    // Keys as typed on the keyboard: through the escape to the line.
    void typeKeys(const QByteArray& bytes) { onTyped(bytes); }

signals:
    void connectionChanged(bool connected);

private:
    void onTyped(const QByteArray& bytes);
    void onOpened();
    void onClosed(const QString& reason);
    void say(std::string_view text);
    void updateBars();

    TerminalWidget* terminal_ = nullptr;
    TerminalTransport* transport_ = nullptr;
    QLabel* escapeBar_ = nullptr;
    QWidget* closedBar_ = nullptr;
    QLabel* closedText_ = nullptr;
    QPushButton* reconnect_ = nullptr;
    std::optional<protocol::ConsoleEscape> escape_;
    bool connected_ = false;
    bool connecting_ = false;
    bool quitByUser_ = false;
};

}  // namespace mr::ui
