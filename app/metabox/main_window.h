#pragma once
// The WinBox-style main window: the router's menus down the left, each one a
// live table in a tab, the connection's state in the status bar.

#include <QHash>
#include <QMainWindow>
#include <QString>

class QLabel;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace mr::ui {

class MenuTableView;
class SessionController;

class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(SessionController* session, QWidget* parent = nullptr);

    QTreeWidget* menuTree() const { return tree_; }
    QTabWidget* tabs() const { return tabs_; }
    // Opens (or brings forward) the table of a menu; nullptr if the router has none.
    MenuTableView* openMenu(const QString& path);
    QString connectionText() const;

private:
    void buildMenuTree();
    void onStateChanged();

    SessionController* session_;
    QTreeWidget* tree_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QLabel* connection_ = nullptr;
    QHash<QString, MenuTableView*> open_;  // tabs by menu path; owned by tabs_
};

}  // namespace mr::ui
