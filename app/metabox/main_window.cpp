#include "main_window.h"

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTreeWidget>

#include <set>
#include <string>

#include "menu_table_view.h"
#include "schema_values.h"
#include "session_controller.h"

namespace mr::ui {

namespace {
struct MenuEntry {
    const char* group;  // "" for top level
    const char* title;
    const char* path;
};

// WinBox's order; menus the router has but this list lacks are added after it.
constexpr MenuEntry kMenus[] = {
    {"", "Interfaces", "/interface"},
    {"", "Bridge", "/interface/bridge"},
    {"", "Bridge Ports", "/interface/bridge/port"},
    {"", "VLAN", "/interface/vlan"},
    {"IP", "Addresses", "/ip/address"},
    {"", "MetaROUTER", "/metarouter"},
    {"", "MetaROUTER Interfaces", "/metarouter/interface"},
    {"", "MetaROUTER Settings", "/metarouter/settings"},
    {"System", "Identity", "/system/identity"},
    {"System", "Resources", "/system/resource"},
    {"System", "Users", "/user"},
    {"", "Files", "/file"},
    {"", "Log", "/log"},
};

constexpr int kPathRole = Qt::UserRole + 1;
}  // namespace

MainWindow::MainWindow(SessionController* session, QWidget* parent) : QMainWindow(parent), session_(session)
{
    setObjectName(QStringLiteral("MainWindow"));
    auto* splitter = new QSplitter(this);
    tree_ = new QTreeWidget(splitter);
    tree_->setObjectName(QStringLiteral("menuTree"));
    tree_->setHeaderHidden(true);
    tree_->setRootIsDecorated(true);
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

    connection_ = new QLabel(this);
    connection_->setObjectName(QStringLiteral("connection"));
    statusBar()->addPermanentWidget(connection_);

    buildMenuTree();
    connect(tree_, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* item) {
        const QString path = item->data(0, kPathRole).toString();
        if (!path.isEmpty())
            openMenu(path);
    });
    connect(tabs_, &QTabWidget::tabCloseRequested, this, [this](int index) {
        QWidget* w = tabs_->widget(index);
        open_.remove(open_.key(static_cast<MenuTableView*>(w)));
        tabs_->removeTab(index);
        w->deleteLater();
    });
    connect(session_, &SessionController::stateChanged, this, &MainWindow::onStateChanged);
    connect(session_, &SessionController::disconnected, this, [this](const QString& reason) {
        statusBar()->showMessage(reason.isEmpty() ? tr("The router closed the connection.") : reason);
    });
    // Back again: every open table resubscribes on the new connection and
    // reloads its snapshot; open dialogs keep their contents.
    connect(session_, &SessionController::reconnected, this, [this] {
        for (MenuTableView* v : std::as_const(open_))
            v->setClient(session_->client());
        statusBar()->showMessage(tr("Reconnected."), 5000);
    });
    onStateChanged();
    resize(1000, 600);
}

void MainWindow::buildMenuTree()
{
    const wire::Schema& schema = session_->schema();
    std::set<std::string> shown;
    QHash<QString, QTreeWidgetItem*> groups;
    auto addItem = [&](const QString& group, const QString& title, const std::string& path) {
        QTreeWidgetItem* parent = nullptr;
        if (!group.isEmpty()) {
            parent = groups.value(group);
            if (!parent) {
                parent = new QTreeWidgetItem(tree_, {group});
                groups.insert(group, parent);
            }
        }
        auto* item = parent ? new QTreeWidgetItem(parent, {title}) : new QTreeWidgetItem(tree_, {title});
        item->setData(0, kPathRole, QString::fromStdString(path));
        item->setToolTip(0, QString::fromStdString(path));
        shown.insert(path);
    };
    for (const auto& m : kMenus)
        if (protocol::findMenu(schema, m.path))
            addItem(QString::fromLatin1(m.group), QString::fromLatin1(m.title), m.path);
    for (const auto& m : schema.menus())
        if (!shown.count(m.path()))
            addItem(tr("Other"), QString::fromStdString(m.path()), m.path());
    tree_->expandAll();
}

MenuTableView* MainWindow::openMenu(const QString& path)
{
    if (auto* v = open_.value(path)) {
        tabs_->setCurrentWidget(v);
        return v;
    }
    const wire::MenuSchema* menu = protocol::findMenu(session_->schema(), path.toStdString());
    if (!menu)
        return nullptr;
    auto* view = new MenuTableView(session_->client(), session_->schema(), *menu, tabs_);
    view->setObjectName(path);
    connect(view, &MenuTableView::message, this, [this](const QString& text) { statusBar()->showMessage(text, 15000); });
    QString title = path;
    const auto items = tree_->findItems(QStringLiteral("*"), Qt::MatchWildcard | Qt::MatchRecursive);
    for (auto* item : items)
        if (item->data(0, kPathRole).toString() == path)
            title = item->parent() ? item->parent()->text(0) + QStringLiteral(" ▸ ") + item->text(0) : item->text(0);
    open_.insert(path, view);
    view->setConnected(session_->state() == SessionController::State::LoggedIn);
    tabs_->setCurrentIndex(tabs_->addTab(view, title));
    return view;
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
    for (MenuTableView* v : std::as_const(open_))
        v->setConnected(up);
}

}  // namespace mr::ui
