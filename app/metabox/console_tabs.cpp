#include "console_tabs.h"

#include <QStatusBar>
#include <QTabWidget>

#include "icons.h"
#include "main_window.h"
#include "menu_table_view.h"
#include "serial_dialog.h"
#include "serial_transport.h"
#include "session_controller.h"
#include "stream_transport.h"
#include "terminal_tab.h"

namespace mr::ui {

ConsoleTabs::ConsoleTabs(MainWindow* window) : QObject(window), window_(window)
{
    // Each activation opens another session, as WinBox's New Terminal does:
    // the tabs are keyed apart, so the factory opens the tab itself.
    window_->addTool(QStringLiteral("tool:terminal"), tr("New Terminal"), icon(QStringLiteral("terminal")), [this] {
        openTerminal();
        return nullptr;
    });
    window_->addTool(QStringLiteral("tool:serial"), tr("Serial Console…"), icon(QStringLiteral("console")), [this] {
        openSerialDialog();
        return nullptr;
    });
    window_->addTableAction(QStringLiteral("/metarouter"), QStringLiteral("console"), tr("Console"),
                            icon(QStringLiteral("console")), [this](MenuTableView* table) {
                                for (const QString& name : table->selectedNames())
                                    openConsole(name);
                            });
    connect(window_->session(), &SessionController::reconnected, this, &ConsoleTabs::onReconnected);
}

TerminalTab* ConsoleTabs::show(const QString& key, const QString& title, const QString& iconName, TerminalTab* tab)
{
    auto* shown = qobject_cast<TerminalTab*>(window_->openWidgetTab(key, title, tab, icon(iconName)));
    if (shown == tab) {
        tab->connectTransport();
        tab->setFocus();
    }
    return shown;
}

TerminalTab* ConsoleTabs::openConsole(const QString& metarouter)
{
    const QString name = metarouter.trimmed();
    if (name.isEmpty())
        return nullptr;
    const QString key = QStringLiteral("console:") + name;
    if (auto* open = qobject_cast<TerminalTab*>(window_->openWidgetTab(key, {}, nullptr)))
        return open;
    auto* transport = new StreamTransport(window_->session()->client(), wire::STREAM_CONSOLE, name);
    return show(key, tr("Console %1").arg(name), QStringLiteral("console"), new TerminalTab(transport));
}

TerminalTab* ConsoleTabs::openTerminal()
{
    auto* transport = new StreamTransport(window_->session()->client(), wire::STREAM_CLI, {});
    const int n = ++terminals_;
    return show(QStringLiteral("terminal:%1").arg(n), n == 1 ? tr("Terminal") : tr("Terminal %1").arg(n),
                QStringLiteral("terminal"), new TerminalTab(transport));
}

TerminalTab* ConsoleTabs::openSerial(const QString& port, qint32 baudRate)
{
    auto* transport = new SerialTransport(port, baudRate);
    ++serials_;
    return show(QStringLiteral("serial:%1:%2").arg(port).arg(serials_), port, QStringLiteral("console"),
                new TerminalTab(transport));
}

TerminalTab* ConsoleTabs::openSerialDialog()
{
    SerialDialog dialog(window_);
    if (dialog.exec() != QDialog::Accepted)
        return nullptr;
    return openSerial(dialog.port(), dialog.baudRate());
}

void ConsoleTabs::onReconnected()
{
    // Streams died with the old connection: the same consoles on the new one,
    // except those the user ended with Ctrl-A Q.
    const auto tabs = window_->tabs()->findChildren<TerminalTab*>();
    for (TerminalTab* tab : tabs) {
        auto* stream = qobject_cast<StreamTransport*>(tab->transport());
        if (!stream)
            continue;
        stream->setClient(window_->session()->client());
        if (!tab->isConnected() && !tab->quitByUser())
            tab->connectTransport();
    }
}

}  // namespace mr::ui
