#pragma once
// The WinBox-style main window: the router's menus and tools down the left,
// each one opening in a tab; the tabs open per router come back at the next
// login; the connection's state always in the status bar.

#include <QHash>
#include <QIcon>
#include <QMainWindow>
#include <QString>

#include <functional>
#include <vector>

class QLabel;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace mr::ui {

class ConsoleTabs;
class MenuTableView;
class SessionController;

class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(SessionController* session, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Makes the widget of a tool; it is given the tab as its parent.
    using ToolFactory = std::function<QWidget*()>;
    // Runs a table toolbar button of another area on the table it sits in.
    using TableAction = std::function<void(MenuTableView* table)>;

    // A tool of another area (terminal, console, topology…): an entry of the
    // menu tree, under group when given, that opens the factory's widget in
    // a tab. Tools added in registerTools() are reopened at the next login.
    void addTool(const QString& key, const QString& title, const QIcon& icon, ToolFactory factory,
                 const QString& group = {});
    // Opens a tool by its key (or brings its tab forward); nullptr if unknown.
    QWidget* openTool(const QString& key);
    // Shows widget in a tab under key, or, when a tab with that key is open,
    // brings it forward and deletes widget. Returns the widget of the tab.
    QWidget* openWidgetTab(const QString& key, const QString& title, QWidget* widget, const QIcon& icon = {});
    // A button on the toolbar of one menu's table (e.g. Console on
    // /metarouter), enabled while objects are selected; tables of that menu
    // opened before or after get it.
    void addTableAction(const QString& menuPath, const QString& name, const QString& text, const QIcon& icon,
                        TableAction run);

    SessionController* session() const { return session_; }
    QTreeWidget* menuTree() const { return tree_; }
    QTabWidget* tabs() const { return tabs_; }
    // Opens (or brings forward) the table of a menu, inside its window's tab
    // when it shares one (Bridge ▸ Ports); nullptr if the router has none.
    MenuTableView* openMenu(const QString& path);
    // The table of a menu if it is open, else nullptr.
    MenuTableView* menuTable(const QString& path) const { return tables_.value(path); }
    // Opens a menu tree entry's tab by its key ("menu:/interface/bridge", a tool's key).
    QWidget* openEntry(const QString& key);
    QString connectionText() const;

    // The QSettings group of everything remembered for the router this window
    // is connected to: its endpoint (the address the user typed), so two
    // routers never share tabs or column layouts.
    QString routerSettingsGroup() const;
    // The keys of the open tabs in order, as saved for the next login.
    QStringList openTabKeys() const;

    void showAbout();

public slots:
    // The console of a metarouter (name or *id) in a tab of its own, opened
    // or brought forward: for the topology's context menu and the
    // MetaROUTER table's Console button (see console_tabs.h).
    QWidget* openConsole(const QString& metarouter);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    struct Tool {
        QString title;
        QIcon icon;
        ToolFactory factory;
    };
    struct TableButton {
        QString menuPath, name, text;
        QIcon icon;
        TableAction run;
    };

    void registerTools();
    void buildMenuTree();
    QTreeWidgetItem* addTreeItem(const QString& group, const QString& title, const QIcon& icon, const QString& key);
    QWidget* openMenuWindow(const QString& key);
    MenuTableView* createTable(const QString& path, QWidget* parent);
    void applyTableButton(MenuTableView* table, const TableButton& button);
    void closeTab(int index);
    void saveOpenTabs() const;
    void restoreOpenTabs();
    void onStateChanged();

    SessionController* session_;
    QTreeWidget* tree_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QLabel* connection_ = nullptr;
    QHash<QString, QTreeWidgetItem*> groups_;
    QHash<QString, Tool> tools_;
    std::vector<TableButton> tableButtons_;
    QHash<QString, QWidget*> open_;            // tabs by key; owned by tabs_
    QHash<QString, MenuTableView*> tables_;    // open tables by menu path, inside tabs
    bool restoring_ = false;  // reopening saved tabs, or going away: nothing to save
    ConsoleTabs* consoles_ = nullptr;  // consoles, terminals, serial ports
};

}  // namespace mr::ui
