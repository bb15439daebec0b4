#pragma once
// Where the nodes of one router's topology sit: positions the user gave
// (kept in QSettings under the router's group) and an automatic layout for
// the others: host interfaces left, bridges in the middle, metarouters
// right, each band wrapped into columns so that big routers stay compact.

#include <QHash>
#include <QPointF>
#include <QSizeF>
#include <QString>

#include <optional>
#include <vector>

#include "topology_model.h"

namespace mr::ui {

class TopologyPositions final {
public:
    static constexpr qreal kBandGap = 170;       // between interfaces, bridges and metarouters
    static constexpr qreal kColumnGap = 40;      // between the columns of one band
    static constexpr qreal kRowGap = 22;
    static constexpr qreal kMaxColumnHeight = 1200;

    struct Item {
        QString key;
        TopologyModel::Node::Kind kind;
        QSizeF size;
    };

    // group: the router's QSettings group ("" keeps nothing).
    explicit TopologyPositions(QString group = {});

    std::optional<QPointF> saved(const QString& nodeKey) const;
    // Remembers a position the user chose (written at once).
    void save(const QString& nodeKey, const QPointF& pos);

    // The automatic layout of items (in their order), by key.
    static QHash<QString, QPointF> layout(const std::vector<Item>& items);

private:
    QString group_;
    QHash<QString, QPointF> saved_;
};

}  // namespace mr::ui
