#pragma once
// The generic live table of one menu: toolbar (add, remove, enable, disable
// and the menu's object commands), a filter bar and a sortable table.

#include <QPointer>
#include <QSortFilterProxyModel>
#include <QString>
#include <QWidget>

#include <string>
#include <vector>

#include "menu_table_model.h"

class QLineEdit;
class QTableView;
class QToolBar;
class QAction;
class QLabel;

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

    QPointer<protocol::ApiClient> client_;
    wire::Schema schema_;
    MenuTableModel model_;
    QSortFilterProxyModel proxy_;
    QToolBar* toolbar_ = nullptr;
    QLineEdit* filter_ = nullptr;
    QTableView* table_ = nullptr;
    QLabel* count_ = nullptr;
};

}  // namespace mr::ui
