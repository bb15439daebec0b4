#pragma once
// A line of the topology: an interface's membership of a bridge, or a
// metarouter port statically bound to a host interface.

#include <QGraphicsItem>
#include <QPainterPath>

#include "topology_model.h"

namespace mr::ui {

class TopologyEdgeItem final : public QGraphicsItem {
public:
    enum { Type = UserType + 3 };

    explicit TopologyEdgeItem(const TopologyModel::Link& link);

    void setLink(const TopologyModel::Link& link);
    const TopologyModel::Link& link() const { return link_; }
    // from leaves its handle toward fromSide (+1 right, -1 left); to is on
    // the far node's outline (toSide: the direction the line arrives from).
    void setEnds(const QPointF& from, int fromSide, const QPointF& to, int toSide);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    TopologyModel::Link link_;
    QPainterPath path_;
    QRectF bounds_;
    mutable QPainterPath shape_;
};

}  // namespace mr::ui
