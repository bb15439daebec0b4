#pragma once
// The main window's consoles: a metarouter's console (the MetaROUTER table's
// Console button, the topology's context menu), New Terminal on the
// router's command line, and a local serial port, each in a tab of its own
// and several at once. Streams follow the session across reconnections.

#include <QObject>
#include <QString>

namespace mr::ui {

class MainWindow;
class TerminalTab;

class ConsoleTabs final : public QObject {
    Q_OBJECT
public:
    // Registers the menu tree entries and the table button on the window.
    explicit ConsoleTabs(MainWindow* window);

    // The console of a metarouter (name or *id): its tab, opened or brought forward.
    TerminalTab* openConsole(const QString& metarouter);
    // A new command-line session on the router, in a new tab.
    TerminalTab* openTerminal();
    // A local serial port at a rate, in a new tab (the dialog's choice).
    TerminalTab* openSerial(const QString& port, qint32 baudRate);
    // Asks for port and rate, then opens it; nullptr if cancelled.
    TerminalTab* openSerialDialog();

private:
    TerminalTab* show(const QString& key, const QString& title, const QString& iconName, TerminalTab* tab);
    void onReconnected();

    MainWindow* window_;
    int terminals_ = 0;  // numbers New Terminal's tabs
    int serials_ = 0;
};

}  // namespace mr::ui
