#pragma once
// A live table of one menu's objects: a snapshot, then batched change events,
// with columns, flags and display text taken from the menu's schema.

#include <QAbstractTableModel>
#include <QHash>
#include <QPointer>
#include <QString>

#include <string>
#include <vector>

#include "error.h"
#include "metarouter.pb.h"

namespace mr::protocol {
class ApiClient;
}

namespace mr::ui {

class MenuTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role {
        RawRole = Qt::UserRole + 1,  // stored value, for sorting (numbers as qlonglong)
        IdRole,                      // the object's id ("*1")
        PropertyRole,                // the column's property name (empty for flags)
    };

    explicit MenuTableModel(wire::MenuSchema menu, QObject* parent = nullptr);

    const wire::MenuSchema& menu() const { return menu_; }
    bool hasFlagsColumn() const { return menu_.flags_size() > 0; }
    // The property shown in a column; nullptr for the flags column.
    const wire::PropertySchema* columnProperty(int column) const;
    int columnOf(const std::string& property) const;
    int rowOf(const std::string& id) const;
    std::string idAt(int row) const;
    const Properties& propertiesAt(int row) const;
    QString flagsAt(int row) const;

    // Subscribes through client: the reply's snapshot, then its events.
    void subscribe(protocol::ApiClient* client);
    quint64 subscription() const { return subscription_; }
    quint64 revision() const { return revision_; }
    QString lastError() const { return lastError_; }

    // Replaces all rows (a subscription's snapshot).
    void resetObjects(const google::protobuf::RepeatedPtrField<wire::Object>& objects, quint64 revision = 0);
    // Applies one event's changes: one remove per contiguous run, one insert
    // for all additions, one dataChanged for all changed rows.
    void applyChanges(const google::protobuf::RepeatedPtrField<wire::Change>& changes, quint64 revision = 0);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

signals:
    void subscribed();
    void subscribeFailed(const QString& message);

private:
    struct Row {
        std::string id;
        Properties properties;
    };

    void onEvent(const wire::Event& event);
    void rebuildIndex(int fromRow = 0);
    static Row toRow(const wire::Object& object);
    QVariant rawValue(const wire::PropertySchema& property, const std::string& stored) const;

    wire::MenuSchema menu_;
    std::vector<int> columns_;  // property indices in menu_, in column order
    std::vector<Row> rows_;
    QHash<QString, int> rowById_;
    QPointer<protocol::ApiClient> client_;
    quint64 subscription_ = 0;
    quint64 revision_ = 0;
    QString lastError_;
};

}  // namespace mr::ui
