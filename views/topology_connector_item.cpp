#include "topology_connector_item.h"

#include <QGraphicsPathItem>
#include <QGraphicsScene>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <QPen>
#include <QStyleOptionGraphicsItem>

#include <algorithm>
#include <cmath>

#include "topology_node_item.h"
#include "topology_view.h"

namespace mr::ui {

TopologyConnectorItem::TopologyConnectorItem(TopologyView* view, QGraphicsItem* parent)
    : QGraphicsItem(parent), view_(view)
{
    setAcceptHoverEvents(true);
    setAcceptedMouseButtons(Qt::LeftButton);
    setCursor(Qt::CrossCursor);
    setZValue(1);
}

void TopologyConnectorItem::setInterface(const QString& name, int side, bool connected)
{
    if (name == interface_ && side == side_ && connected == connected_)
        return;
    interface_ = name;
    side_ = side;
    connected_ = connected;
    setToolTip(QObject::tr("Drag %1 onto a bridge to make it a port; drag it onto empty space to take it off")
                   .arg(name));
    update();
}

QRectF TopologyConnectorItem::boundingRect() const
{
    const qreal r = kRadius + 2;
    return {-r, -r, 2 * r, 2 * r};
}

void TopologyConnectorItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    if (QStyleOptionGraphicsItem::levelOfDetailFromTransform(painter->worldTransform()) < TopologyNodeItem::kDetailLevel)
        return;  // too small to grab: the node is a block then
    painter->setRenderHint(QPainter::Antialiasing);
    const QColor ring = hovered_ || wire_ ? QColor(0x1f, 0x6f, 0xeb) : QColor(0x6b, 0x77, 0x85);
    painter->setPen(QPen(ring, hovered_ ? 2.5 : 1.5));
    painter->setBrush(connected_ ? ring : QColor(Qt::white));
    painter->drawEllipse(QPointF(0, 0), kRadius, kRadius);
}

void TopologyConnectorItem::mousePressEvent(QGraphicsSceneMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || interface_.isEmpty()) {
        event->ignore();
        return;
    }
    // Accepting here keeps the node from moving: the drag is a wire.
    event->accept();
    // A child: deleted with the handle should the router change mid-drag.
    wire_ = new QGraphicsPathItem(this);
    QPen pen(QColor(0x1f, 0x6f, 0xeb), 2, Qt::DashLine);
    pen.setCapStyle(Qt::RoundCap);
    wire_->setPen(pen);
    updateWire(event->scenePos());
    update();
}

void TopologyConnectorItem::mouseMoveEvent(QGraphicsSceneMouseEvent* event)
{
    if (!wire_)
        return;
    updateWire(event->scenePos());
    view_->wireMoved(interface_, event->scenePos());
}

void TopologyConnectorItem::mouseReleaseEvent(QGraphicsSceneMouseEvent* event)
{
    if (!wire_)
        return;
    delete wire_;
    wire_ = nullptr;
    update();
    // A click without a drag is not a drop.
    const QPointF start = mapToScene(QPointF(0, 0));
    if ((event->scenePos() - start).manhattanLength() < 2 * kRadius) {
        view_->wireMoved({}, {});
        return;
    }
    // After this the item may be deleted (the view syncs): touch nothing.
    view_->dropInterface(interface_, event->scenePos());
}

void TopologyConnectorItem::updateWire(const QPointF& scenePos)
{
    const QPointF b = mapFromScene(scenePos);
    const qreal dx = std::max<qreal>(40, std::abs(b.x()) / 2);
    QPainterPath path(QPointF(0, 0));
    path.cubicTo(QPointF(side_ * dx, 0), b - QPointF(side_ * dx * 0.3, 0), b);
    wire_->setPath(path);
}

void TopologyConnectorItem::hoverEnterEvent(QGraphicsSceneHoverEvent*)
{
    hovered_ = true;
    update();
}

void TopologyConnectorItem::hoverLeaveEvent(QGraphicsSceneHoverEvent*)
{
    hovered_ = false;
    update();
}

}  // namespace mr::ui
