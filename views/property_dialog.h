#pragma once
// Add or edit one object of a menu, generated from its schema: a General
// tab of typed editors, a Status tab of read-only values, OK/Apply/Cancel.

#include <QDialog>
#include <QPointer>
#include <QString>

#include <string>
#include <vector>

#include "error.h"
#include "metarouter.pb.h"

class QDialogButtonBox;
class QLabel;
class QTabWidget;

namespace mr::protocol {
class ApiClient;
}

namespace mr::ui {

class PropertyField;

class PropertyDialog final : public QDialog {
    Q_OBJECT
public:
    // id empty and !menu.singleton(): a new object; else edits `current`.
    PropertyDialog(protocol::ApiClient* client, const wire::Schema& schema, wire::MenuSchema menu, std::string id,
                   const Properties& current, QWidget* parent = nullptr);

    bool isAdding() const { return adding_; }
    std::string objectId() const { return id_; }
    PropertyField* field(const QString& property) const;
    QString statusText() const;
    // Sends the changed properties; closes too when close is set and it worked.
    void apply(bool close = false);
    // After a reconnection: what the user typed stays, requests go to client.
    void setClient(protocol::ApiClient* client);
    // Refreshes the read-only values (the table saw a change).
    void updateStatus(const Properties& current);

signals:
    void applied(const QString& id);

private:
    void loadChoices(PropertyField* field);
    void showReplyError(const wire::Error& error);
    void setBusy(bool busy);

    QPointer<protocol::ApiClient> client_;
    wire::Schema schema_;
    wire::MenuSchema menu_;
    std::string id_;
    bool adding_ = false;
    std::vector<PropertyField*> fields_;        // children of this dialog
    std::vector<PropertyField*> statusFields_;  // read-only, Status tab
    QTabWidget* tabs_ = nullptr;
    QLabel* status_ = nullptr;
    QDialogButtonBox* buttons_ = nullptr;
};

}  // namespace mr::ui
