#pragma once
// The generic live table of one menu: toolbar (add, remove, enable, disable
// and the menu's object commands), a filter bar and a sortable table.

#include <QIcon>
#include <QPointer>
#include <QSortFilterProxyModel>
#include <QString>
#include <QWidget>

#include <functional>
#include <string>
#include <vector>

#include "menu_table_model.h"

class QLineEdit;
class QTableView;
class QToolBar;
class QAction;
class QLabel;
class QMenu;
class QInputDialog;

namespace mr::protocol {
class ApiClient;
}

namespace mr::ui {

class PropertyDialog;

class MenuTableView final : public QWidget {
    Q_OBJECT
public:
    MenuTableView(protocol::ApiClient* client, const wire::Schema& schema, const wire::MenuSchema& menu,
                  QWidget* parent = nullptr);

    MenuTableModel* model() { return &model_; }
    QSortFilterProxyModel* proxy() { return &proxy_; }
    QTableView* table() const { return table_; }
    QLineEdit* filter() const { return filter_; }
    QAction* action(const QString& name) const;
    // A button of another area on the toolbar (Import Image, Console…);
    // needsSelection: enabled only while objects are selected.
    QAction* addToolAction(const QString& name, const QString& text, const QIcon& icon, std::function<void()> run,
                           bool needsSelection = true);
    // Ids of the selected objects, in table order.
    std::vector<std::string> selectedIds() const;
    // The selected objects' names (their key property, else ids).
    QStringList selectedNames() const;

    // Where the table's layout is remembered in QSettings (visible columns,
    // widths, order, sort column and order): the main window gives a group
    // per router and menu; the default is tables/<menu path>. Setting it
    // restores what is stored there.
    void setLayoutSettingsGroup(const QString& group);
    QString layoutSettingsGroup() const { return layoutGroup_; }

    // After a reconnection: the new client; resubscribes (the table reloads
    // the new snapshot) and hands it to the open property dialogs.
    void setClient(protocol::ApiClient* client);
    // While the connection is down the table and toolbar are disabled (open
    // dialogs stay editable).
    void setConnected(bool connected);

    // Opens the add dialog, or the edit dialog of a row of the model.
    PropertyDialog* openAddDialog();
    PropertyDialog* openEditDialog(int modelRow);
    // Runs one of the menu's commands on the selected objects.
    void runCommand(const std::string& command);
    // The Comment button: a small dialog prefilled with the first selected
    // object's comment; OK sends a set of only `comment` for every selected
    // object. Returns nullptr when nothing is selected.
    QInputDialog* openCommentDialog();

    // The column chooser (the header's context menu): one checkable action
    // per column, its data the column. The caller owns the menu.
    QMenu* createColumnMenu(QWidget* parent = nullptr);
    // Shows or hides a column and remembers the hidden set for this menu
    // path in QSettings. The last visible column cannot be hidden.
    void setColumnVisible(int column, bool visible);
    bool isColumnVisible(int column) const;

signals:
    // A result or an error for the status bar.
    void message(const QString& text);

private:
    std::vector<int> selectedRows() const;
    void setDisabled(bool disabled);
    void removeSelected();
    void report(const wire::Reply& reply, const QString& what);
    void updateActions();
    void fitColumns();
    QString columnKey(int column) const;
    int columnOfKey(const QString& key) const;
    void restoreHiddenColumns();
    void restoreLayout();
    void saveLayout();

    QPointer<protocol::ApiClient> client_;
    wire::Schema schema_;
    MenuTableModel model_;
    QSortFilterProxyModel proxy_;
    QToolBar* toolbar_ = nullptr;
    QLineEdit* filter_ = nullptr;
    QTableView* table_ = nullptr;
    QLabel* count_ = nullptr;
    QAction* commandsEnd_ = nullptr;  // other areas' buttons go after the menu's own
    QString layoutGroup_;
    bool applyingLayout_ = false;  // our own resizes and moves are not the user's choice
    bool widthsRestored_ = false;  // saved widths win over fitting the contents
};

}  // namespace mr::ui
