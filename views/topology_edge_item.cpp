#include "topology_edge_item.h"

#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>

#include <algorithm>
#include <cmath>

#include "topology_node_item.h"

namespace mr::ui {

TopologyEdgeItem::TopologyEdgeItem(const TopologyModel::Link& link) : link_(link)
{
    setZValue(-1);  // under the nodes
    setLink(link);
}

void TopologyEdgeItem::setLink(const TopologyModel::Link& link)
{
    if (link == link_ && !toolTip().isEmpty())
        return;
    link_ = link;
    QString tip;
    if (link.kind == TopologyModel::Link::Kind::StaticBinding)
        tip = QObject::tr("%1 is bound to %2 (static)").arg(link.interface, link.target.section(':', 1));
    else
        tip = QObject::tr("%1 is a %2port of %3%4")
                  .arg(link.interface, link.dynamic ? QObject::tr("dynamic ") : QString(),
                       link.target.section(':', 1), link.inactive ? QObject::tr(" (inactive)") : QString());
    setToolTip(tip);
    update();
}

void TopologyEdgeItem::setEnds(const QPointF& from, int fromSide, const QPointF& to, int toSide)
{
    const qreal dx = std::max<qreal>(30, std::abs(to.x() - from.x()) / 2);
    QPainterPath path(from);
    path.cubicTo(from + QPointF(fromSide * dx, 0), to + QPointF(toSide * dx, 0), to);
    if (path == path_)
        return;
    prepareGeometryChange();
    path_ = path;
    bounds_ = path_.boundingRect().adjusted(-4, -4, 4, 4);
    shape_ = QPainterPath();
}

QRectF TopologyEdgeItem::boundingRect() const
{
    return bounds_;
}

QPainterPath TopologyEdgeItem::shape() const
{
    // For hover and hit tests; built on first need, not per line move.
    if (shape_.isEmpty()) {
        QPainterPathStroker s;
        s.setWidth(8);
        shape_ = s.createStroke(path_);
    }
    return shape_;
}

void TopologyEdgeItem::paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*)
{
    const bool detailed = QStyleOptionGraphicsItem::levelOfDetailFromTransform(p->worldTransform()) >=
                          TopologyNodeItem::kDetailLevel;
    p->setRenderHint(QPainter::Antialiasing, detailed);
    // One-pixel cosmetic pens: the rasterizer's fast path. Hundreds of lines
    // converge on the bridges of a big router, and wide antialiased curves
    // made panning there four times slower (scripts/bench-topology).
    QPen pen;
    pen.setCosmetic(true);
    pen.setWidth(1);
    if (link_.kind == TopologyModel::Link::Kind::StaticBinding) {
        pen.setColor(QColor(0xd9, 0x73, 0x1a));
        pen.setStyle(Qt::DashDotLine);
    } else if (link_.inactive) {
        pen.setColor(QColor(0x9a, 0xa3, 0xad));
        pen.setStyle(Qt::DashLine);
    } else {
        pen.setColor(link_.dynamic ? QColor(0x6a, 0x4f, 0xc0) : QColor(0x2f, 0x64, 0xc4));
        if (link_.dynamic)
            pen.setStyle(Qt::DashLine);
    }
    if (!detailed)
        pen.setStyle(Qt::SolidLine);  // far out, dashes show nothing and cost much
    p->setPen(pen);
    p->setBrush(Qt::NoBrush);
    p->drawPath(path_);
}

}  // namespace mr::ui
