#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTreeWidget>
#include <QUrl>

#include <set>
#include <string>

#include "console_tabs.h"
#include "display_names.h"
#include "icons.h"
#include "import_image_dialog.h"
#include "menu_table_view.h"
#include "schema_values.h"
#include "session_controller.h"
#include "terminal_tab.h"
#include "topology_view.h"

namespace mr::ui {

namespace {
struct Page {
    const char* title;  // the inner tab's title when a window has several
    const char* path;
};

// One entry of the menu tree. As in WinBox, related menus share a window:
// its tab holds one inner tab per menu (Bridge: Bridge, Ports).
struct Window {
    const char* group;  // "" for top level
    const char* title;
    const char* icon;
    Page pages[3];      // up to three; unused ones have a null path
};

// WinBox's order; menus the router has but this list lacks go under Other.
constexpr Window kWindows[] = {
    {"", "Interfaces", "interfaces", {{"Interface", "/interface"}, {"VLAN", "/interface/vlan"}}},
    {"", "Bridge", "bridge", {{"Bridge", "/interface/bridge"}, {"Ports", "/interface/bridge/port"}}},
    {"IP", "Addresses", "ip", {{"Addresses", "/ip/address"}}},
    {"",
     "MetaROUTER",
     "metarouter",
     {{"MetaROUTER", "/metarouter"}, {"Interfaces", "/metarouter/interface"}, {"Settings", "/metarouter/settings"}}},
    {"System", "Identity", "system", {{"Identity", "/system/identity"}}},
    {"System", "Resources", "system", {{"Resources", "/system/resource"}}},
    {"System", "Users", "users", {{"Users", "/user"}}},
    {"", "Files", "files", {{"Files", "/file"}}},
    {"", "Log", "log", {{"Log", "/log"}}},
};

constexpr int kKeyRole = Qt::UserRole + 1;
constexpr char kAboutKey[] = "about";
constexpr char kKeyProperty[] = "mrTabKey";

QString menuKey(const QString& path)
{
    return QStringLiteral("menu:") + path;
}

const Window* windowOf(const QString& path)
{
    for (const auto& w : kWindows)
        for (const auto& p : w.pages)
            if (p.path && path == QLatin1String(p.path))
                return &w;
    return nullptr;
}
}  // namespace

MainWindow::MainWindow(SessionController* session, QWidget* parent) : QMainWindow(parent), session_(session)
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowIcon(icon(QStringLiteral("metabox")));
    auto* splitter = new QSplitter(this);
    tree_ = new QTreeWidget(splitter);
    tree_->setObjectName(QStringLiteral("menuTree"));
    tree_->setHeaderHidden(true);
    tree_->setRootIsDecorated(true);
    tree_->setIndentation(14);
    tree_->setIconSize(QSize(16, 16));
    tree_->setMinimumWidth(170);
    tabs_ = new QTabWidget(splitter);
    tabs_->setObjectName(QStringLiteral("tabs"));
    tabs_->setTabsClosable(true);
    tabs_->setMovable(true);
    tabs_->setDocumentMode(true);
    splitter->addWidget(tree_);
    splitter->addWidget(tabs_);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({180, 820});
    setCentralWidget(splitter);

    QMenu* sessionMenu = menuBar()->addMenu(tr("&Session"));
    QAction* closeTabAction = sessionMenu->addAction(tr("Close &Tab"), this, [this] {
        if (tabs_->currentIndex() >= 0)
            closeTab(tabs_->currentIndex());
    });
    closeTabAction->setShortcut(QKeySequence::Close);
    sessionMenu->addSeparator();
    QAction* quitAction = sessionMenu->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quitAction->setShortcut(QKeySequence::Quit);
    QMenu* helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction* aboutAction = helpMenu->addAction(icon(QStringLiteral("metabox")), tr("&About MetaBox"), this,
                                               [this] { showAbout(); });
    aboutAction->setObjectName(QStringLiteral("aboutAction"));

    connection_ = new QLabel(this);
    connection_->setObjectName(QStringLiteral("connection"));
    statusBar()->addPermanentWidget(connection_);

    buildMenuTree();
    registerTools();
    connect(tree_, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        openEntry(item->data(0, kKeyRole).toString());
    });
    connect(tree_, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* item) {
        openEntry(item->data(0, kKeyRole).toString());
    });
    connect(tabs_, &QTabWidget::tabCloseRequested, this, &MainWindow::closeTab);
    connect(tabs_->tabBar(), &QTabBar::tabMoved, this, [this] { saveOpenTabs(); });
    connect(tabs_, &QTabWidget::currentChanged, this, [this] {
        saveOpenTabs();
        // The tree follows the tabs, as WinBox's menu marks the open window.
        QWidget* w = tabs_->currentWidget();
        const QString key = w ? w->property(kKeyProperty).toString() : QString();
        QTreeWidgetItem* match = nullptr;
        for (auto* item : tree_->findItems(QStringLiteral("*"), Qt::MatchWildcard | Qt::MatchRecursive))
            if (!key.isEmpty() && item->data(0, kKeyRole).toString() == key)
                match = item;
        if (match)
            tree_->setCurrentItem(match);
        else
            tree_->clearSelection();
    });
    connect(session_, &SessionController::stateChanged, this, &MainWindow::onStateChanged);
    connect(session_, &SessionController::disconnected, this, [this](const QString& reason) {
        statusBar()->showMessage(reason.isEmpty() ? tr("The router closed the connection.") : reason);
    });
    // Back again: every open table resubscribes on the new connection and
    // reloads its snapshot; open dialogs keep their contents.
    connect(session_, &SessionController::reconnected, this, [this] {
        for (MenuTableView* v : std::as_const(tables_))
            v->setClient(session_->client());
        statusBar()->showMessage(tr("Reconnected."), 5000);
    });
    onStateChanged();
    resize(1000, 600);
    restoreOpenTabs();
}

MainWindow::~MainWindow()
{
    // Going away is not the user closing tabs: keep what was saved, and let
    // the tabs go while the maps their destroyed() handlers update still exist.
    restoring_ = true;
    disconnect(tabs_, nullptr, this, nullptr);
    disconnect(tabs_->tabBar(), nullptr, this, nullptr);
    delete centralWidget();
}

void MainWindow::registerTools()
{
    // Tools of other areas: one addTool() line each, e.g.
    //   addTool("tool:terminal", tr("New Terminal"), icon("terminal"), [this] { return new TerminalWidget(...); });
    // and table buttons with addTableAction("/metarouter", "console", tr("Console"), icon("console"), ...).
    addTool(QStringLiteral("tool:topology"), tr("Topology"), icon(QStringLiteral("topology")), [this] {
        auto* topology = new TopologyView(session_->schema(), routerSettingsGroup());
        topology->followSession(session_);
        connect(topology, &TopologyView::message, this, [this](const QString& text) { statusBar()->showMessage(text, 15000); });
        connect(topology, &TopologyView::consoleRequested, this, [this](const QString& name) { openConsole(name); });
        return topology;
    });
    consoles_ = new ConsoleTabs(this);  // New Terminal, Serial Console…, the Console button
}

QWidget* MainWindow::openConsole(const QString& metarouter)
{
    return consoles_->openConsole(metarouter);
}

void MainWindow::buildMenuTree()
{
    const wire::Schema& schema = session_->schema();
    std::set<std::string> shown;
    for (const auto& w : kWindows) {
        bool any = false;
        for (const auto& p : w.pages)
            if (p.path && protocol::findMenu(schema, p.path)) {
                any = true;
                shown.insert(p.path);
            }
        if (!any)
            continue;
        // The window's key is that of its first menu the router has.
        QString key;
        for (const auto& p : w.pages)
            if (p.path && key.isEmpty() && protocol::findMenu(schema, p.path))
                key = menuKey(QLatin1String(p.path));
        QTreeWidgetItem* item = addTreeItem(QString::fromLatin1(w.group), QString::fromLatin1(w.title),
                                            icon(QString::fromLatin1(w.icon)), key);
        QStringList paths;
        for (const auto& p : w.pages)
            if (p.path)
                paths << QString::fromLatin1(p.path);
        item->setToolTip(0, paths.join(QStringLiteral(", ")));
    }
    // Menus this list lacks go where their path says (/ip/neighbor under IP as
    // "Neighbor"), else under Other; their titles come from the path.
    for (const auto& m : schema.menus())
        if (!shown.count(m.path())) {
            const QString path = QString::fromStdString(m.path());
            QStringList parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
            QString group = tr("Other");
            if (parts.size() > 1 && parts.first() == QLatin1String("ip"))
                group = QStringLiteral("IP");
            else if (parts.size() > 1 && parts.first() == QLatin1String("system"))
                group = QStringLiteral("System");
            if (group != tr("Other"))
                parts.removeFirst();
            const QString title = displayName(parts.join(QLatin1Char('-')).toStdString());
            addTreeItem(group, title, icon(QStringLiteral("menu")), menuKey(path))->setToolTip(0, path);
        }
    addTreeItem({}, tr("About"), icon(QStringLiteral("metabox")), QString::fromLatin1(kAboutKey));
    tree_->expandAll();
}

QTreeWidgetItem* MainWindow::addTreeItem(const QString& group, const QString& title, const QIcon& itemIcon,
                                         const QString& key)
{
    QTreeWidgetItem* item = nullptr;
    if (!group.isEmpty()) {
        QTreeWidgetItem* parent = groups_.value(group);
        if (!parent) {
            parent = new QTreeWidgetItem({group});
            parent->setIcon(0, icon(group == QLatin1String("System") ? QStringLiteral("system")
                                    : group == QLatin1String("IP") ? QStringLiteral("ip")
                                                                   : QStringLiteral("menu")));
            // Groups go before About, which stays last.
            const int last = tree_->topLevelItemCount() - 1;
            const bool aboutLast = last >= 0 && tree_->topLevelItem(last)->data(0, kKeyRole) == QLatin1String(kAboutKey);
            tree_->insertTopLevelItem(aboutLast ? last : last + 1, parent);
            parent->setExpanded(true);
            groups_.insert(group, parent);
        }
        item = new QTreeWidgetItem(parent, {title});
    } else {
        item = new QTreeWidgetItem({title});
        const int last = tree_->topLevelItemCount() - 1;
        const bool aboutLast = last >= 0 && tree_->topLevelItem(last)->data(0, kKeyRole) == QLatin1String(kAboutKey);
        tree_->insertTopLevelItem(aboutLast ? last : last + 1, item);
    }
    item->setIcon(0, itemIcon);
    item->setData(0, kKeyRole, key);
    return item;
}

void MainWindow::addTool(const QString& key, const QString& title, const QIcon& toolIcon, ToolFactory factory,
                         const QString& group)
{
    tools_.insert(key, Tool{title, toolIcon, std::move(factory)});
    addTreeItem(group, title, toolIcon, key);
}

QWidget* MainWindow::openTool(const QString& key)
{
    if (QWidget* w = open_.value(key)) {
        tabs_->setCurrentWidget(w);
        return w;
    }
    const auto it = tools_.constFind(key);
    if (it == tools_.constEnd() || !it->factory)
        return nullptr;
    QWidget* w = it->factory();
    if (!w)
        return nullptr;
    return openWidgetTab(key, it->title, w, it->icon);
}

QWidget* MainWindow::openWidgetTab(const QString& key, const QString& title, QWidget* widget, const QIcon& tabIcon)
{
    if (QWidget* w = open_.value(key)) {
        if (widget && widget != w)
            widget->deleteLater();
        tabs_->setCurrentWidget(w);
        return w;
    }
    if (!widget)
        return nullptr;
    widget->setProperty(kKeyProperty, key);
    open_.insert(key, widget);
    tabs_->setCurrentIndex(tabs_->addTab(widget, tabIcon, title));
    // A tab whose widget goes away by itself (a console that ended) leaves.
    connect(widget, &QObject::destroyed, this, [this, key, widget] {
        if (open_.value(key) == widget)
            open_.remove(key);
    });
    saveOpenTabs();
    return widget;
}

void MainWindow::addTableAction(const QString& menuPath, const QString& name, const QString& text,
                                const QIcon& actionIcon, TableAction run)
{
    tableButtons_.push_back(TableButton{menuPath, name, text, actionIcon, std::move(run)});
    if (MenuTableView* table = tables_.value(menuPath))
        applyTableButton(table, tableButtons_.back());
}

void MainWindow::applyTableButton(MenuTableView* table, const TableButton& button)
{
    if (table->action(button.name))
        return;
    TableAction run = button.run;
    QPointer<MenuTableView> guard = table;
    table->addToolAction(button.name, button.text, button.icon, [guard, run] {
        if (guard && run)
            run(guard);
    });
}

QWidget* MainWindow::openEntry(const QString& key)
{
    if (key.isEmpty())
        return nullptr;
    if (key == QLatin1String(kAboutKey)) {
        showAbout();
        return nullptr;
    }
    if (key.startsWith(QLatin1String("menu:")))
        return openMenuWindow(key);
    return openTool(key);
}

MenuTableView* MainWindow::createTable(const QString& path, QWidget* parent)
{
    const wire::MenuSchema* menu = protocol::findMenu(session_->schema(), path.toStdString());
    if (!menu)
        return nullptr;
    auto* view = new MenuTableView(session_->client(), session_->schema(), *menu, parent);
    view->setObjectName(path);
    view->setLayoutSettingsGroup(routerSettingsGroup() + QStringLiteral("/tables") + path);
    connect(view, &MenuTableView::message, this, [this](const QString& text) { statusBar()->showMessage(text, 15000); });
    connect(view, &QObject::destroyed, this, [this, path, view] {
        if (tables_.value(path) == view)
            tables_.remove(path);
    });
    tables_.insert(path, view);
    view->setConnected(session_->state() == SessionController::State::LoggedIn);
    if (path == QLatin1String("/metarouter")) {
        for (const auto& c : menu->commands())
            if (c.name() == "import-image") {
                QAction* a = view->addToolAction(
                    QStringLiteral("import-image"), tr("Import Image"), icon(QStringLiteral("import")),
                    [this, view] {
                        auto* d = new ImportImageDialog(session_->client(), view);
                        d->setAttribute(Qt::WA_DeleteOnClose);
                        connect(d, &ImportImageDialog::message, this,
                                [this](const QString& text) { statusBar()->showMessage(text, 15000); });
                        d->open();
                    },
                    false);
                a->setToolTip(QString::fromStdString(c.description()));
            }
    }
    for (const auto& b : tableButtons_)
        if (b.menuPath == path)
            applyTableButton(view, b);
    return view;
}

QWidget* MainWindow::openMenuWindow(const QString& key)
{
    if (QWidget* w = open_.value(key)) {
        tabs_->setCurrentWidget(w);
        return w;
    }
    const QString firstPath = key.mid(5);
    const wire::Schema& schema = session_->schema();
    if (!protocol::findMenu(schema, firstPath.toStdString()))
        return nullptr;
    const Window* window = windowOf(firstPath);
    QString title = firstPath;
    QIcon tabIcon = icon(QStringLiteral("menu"));
    QStringList titles;
    QStringList paths;
    if (window) {
        title = window->group[0] ? QStringLiteral("%1 ▸ %2").arg(QLatin1String(window->group), QLatin1String(window->title))
                                 : QString::fromLatin1(window->title);
        tabIcon = icon(QString::fromLatin1(window->icon));
        for (const auto& p : window->pages)
            if (p.path && protocol::findMenu(schema, p.path)) {
                titles << QString::fromLatin1(p.title);
                paths << QString::fromLatin1(p.path);
            }
    } else {
        titles << firstPath;
        paths << firstPath;
        for (auto* item : tree_->findItems(QStringLiteral("*"), Qt::MatchWildcard | Qt::MatchRecursive))
            if (item->data(0, kKeyRole).toString() == key)
                title = item->parent() ? item->parent()->text(0) + QStringLiteral(" ▸ ") + item->text(0) : item->text(0);
    }
    QWidget* widget = nullptr;
    if (paths.size() == 1) {
        widget = createTable(paths.first(), tabs_);
    } else {
        auto* inner = new QTabWidget(tabs_);
        inner->setObjectName(key);
        inner->setDocumentMode(true);
        for (int i = 0; i < paths.size(); ++i)
            inner->addTab(createTable(paths[i], inner), titles[i]);
        widget = inner;
    }
    return openWidgetTab(key, title, widget, tabIcon);
}

MenuTableView* MainWindow::openMenu(const QString& path)
{
    const wire::Schema& schema = session_->schema();
    if (!protocol::findMenu(schema, path.toStdString()))
        return nullptr;
    QString key = menuKey(path);
    if (const Window* w = windowOf(path))
        for (const auto& p : w->pages)
            if (p.path && protocol::findMenu(schema, p.path)) {
                key = menuKey(QLatin1String(p.path));
                break;
            }
    QWidget* tab = openMenuWindow(key);
    MenuTableView* view = tables_.value(path);
    if (auto* inner = qobject_cast<QTabWidget*>(tab); inner && view)
        inner->setCurrentWidget(view);
    return view;
}

void MainWindow::closeTab(int index)
{
    QWidget* w = tabs_->widget(index);
    if (!w)
        return;
    open_.remove(w->property(kKeyProperty).toString());
    tabs_->removeTab(index);
    w->deleteLater();
    saveOpenTabs();
}

QString MainWindow::routerSettingsGroup() const
{
    // Percent-encoded so that a socket path's slashes do not become groups.
    const QString endpoint = session_->endpoint().text();
    return QStringLiteral("routers/") + QString::fromLatin1(QUrl::toPercentEncoding(endpoint));
}

QStringList MainWindow::openTabKeys() const
{
    QStringList keys;
    for (int i = 0; i < tabs_->count(); ++i)
        keys << tabs_->widget(i)->property(kKeyProperty).toString();
    return keys;
}

void MainWindow::saveOpenTabs() const
{
    if (restoring_)
        return;
    // Only what can be opened again by key: menus and registered tools (not
    // the console of one metarouter, say).
    QStringList keys;
    for (const QString& key : openTabKeys())
        if (key.startsWith(QLatin1String("menu:")) || tools_.contains(key))
            keys << key;
    QSettings settings;
    settings.beginGroup(routerSettingsGroup());
    settings.setValue(QStringLiteral("openTabs"), keys);
    QWidget* current = tabs_->currentWidget();
    settings.setValue(QStringLiteral("currentTab"), current ? current->property(kKeyProperty).toString() : QString());
}

void MainWindow::restoreOpenTabs()
{
    QSettings settings;
    settings.beginGroup(routerSettingsGroup());
    const QStringList keys = settings.value(QStringLiteral("openTabs")).toStringList();
    const QString current = settings.value(QStringLiteral("currentTab")).toString();
    restoring_ = true;
    for (const QString& key : keys)
        openEntry(key);  // menus the router no longer has are skipped
    if (QWidget* w = open_.value(current))
        tabs_->setCurrentWidget(w);
    restoring_ = false;
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveOpenTabs();
    QMainWindow::closeEvent(event);
}

void MainWindow::showAbout()
{
    auto* box = findChild<QMessageBox*>(QStringLiteral("aboutBox"));
    if (!box) {
        box = new QMessageBox(this);
        box->setObjectName(QStringLiteral("aboutBox"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->setWindowTitle(tr("About MetaBox"));
        box->setIconPixmap(icon(QStringLiteral("metabox")).pixmap(64, 64));
        box->setStandardButtons(QMessageBox::Ok);
    }
    const auto* client = session_->client();
    const QString daemon = client && !client->serverSoftware().isEmpty() ? client->serverSoftware() : tr("not connected");
    box->setText(tr("<h3>MetaBox %1</h3><p>The desktop app of MetaRouter: virtual routers (QEMU) on a Linux "
                    "router, driven like WinBox drives RouterOS.</p>")
                     .arg(QStringLiteral(MR_VERSION)));
    box->setInformativeText(tr("Router: %1 (%2)<br>Daemon: %3<br>Logged in as %4 (group %5)<br>Qt %6")
                                .arg(QString::fromStdString(session_->session().identity()).toHtmlEscaped(),
                                     session_->endpoint().text().toHtmlEscaped(), daemon.toHtmlEscaped(),
                                     session_->user().toHtmlEscaped(),
                                     QString::fromStdString(session_->session().group()).toHtmlEscaped(),
                                     QString::fromLatin1(qVersion())));
    box->open();
}

QString MainWindow::connectionText() const
{
    return connection_->text();
}

void MainWindow::onStateChanged()
{
    const bool up = session_->state() == SessionController::State::LoggedIn;
    const auto& s = session_->session();
    if (up) {
        connection_->setText(tr("● Connected: %1@%2 (%3)")
                                 .arg(session_->user(), QString::fromStdString(s.identity()),
                                      session_->endpoint().text()));
        connection_->setStyleSheet(QStringLiteral("color: #1e7e34;"));
        setWindowTitle(tr("%1@%2 (%3) - MetaBox")
                           .arg(session_->user(), QString::fromStdString(s.identity()), session_->endpoint().text()));
    } else {
        connection_->setText(tr("● %1").arg(session_->stateText()));
        connection_->setStyleSheet(QStringLiteral("color: #c0392b;"));
    }
    // Not tabs_->setEnabled(): that would disable the open dialogs too.
    for (MenuTableView* v : std::as_const(tables_))
        v->setConnected(up);
}

}  // namespace mr::ui
