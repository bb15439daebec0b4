#include "topology_node_item.h"

#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include <algorithm>

#include "icons.h"
#include "topology_connector_item.h"
#include "topology_view.h"

namespace mr::ui {

namespace {
const QColor kText(0x21, 0x25, 0x29);
const QColor kMuted(0x6b, 0x72, 0x80);
const QColor kBorder(0xb8, 0xc0, 0xcc);
const QColor kSelected(0x1f, 0x6f, 0xeb);
const QColor kUp(0x2f, 0x9e, 0x44);
const QColor kDown(0x86, 0x8e, 0x96);
const QColor kDisabled(0xe0, 0x31, 0x31);
const QColor kBusy(0xf0, 0x8c, 0x00);
const QColor kBridgeFill(0xe7, 0xf0, 0xfd);
const QColor kBridgeBorder(0x3b, 0x74, 0xd6);

QColor linkColor(bool running, bool disabled)
{
    return disabled ? kDisabled : running ? kUp : kDown;
}

QString linkText(bool running, bool disabled)
{
    return disabled ? QObject::tr("disabled") : running ? QObject::tr("link up") : QObject::tr("link down");
}

QColor stateColor(const TopologyModel::Node& n)
{
    if (n.disabled || n.state == QLatin1String("disabled"))
        return QColor(0xad, 0xb5, 0xbd);
    if (n.state == QLatin1String("running"))
        return kUp;
    if (n.state == QLatin1String("stopped") || n.state.isEmpty())
        return QColor(0x5c, 0x67, 0x73);
    return kBusy;  // booting, rebooting, shutting-down
}

QFont font(qreal pointSize, bool bold = false)
{
    QFont f;
    f.setPointSizeF(pointSize);
    f.setBold(bold);
    return f;
}

void drawIcon(QPainter* p, const QString& name, const QRectF& where)
{
    // QIcon caches the rendered pixmap per size.
    const QPixmap pm = icon(name).pixmap(where.size().toSize());
    if (!pm.isNull())
        p->drawPixmap(where.topLeft(), pm);
}
}  // namespace

TopologyNodeItem::TopologyNodeItem(TopologyView* view, const TopologyModel::Node& node) : view_(view)
{
    setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsGeometryChanges);
    // No item cache: each zoom step would re-render every cached picture,
    // and the level of detail in paint() is cheaper (scripts/bench-topology).
    setNode(node);
}

void TopologyNodeItem::setNode(const TopologyModel::Node& node, int bridgePorts)
{
    // Most syncs change one node of many: the others keep their cached picture.
    if (node == node_ && bridgePorts == bridgePorts_ && !rect_.isNull()) {
        syncConnectors();
        return;
    }
    QRectF r;
    switch (node.kind) {
    case TopologyModel::Node::Kind::Interface:
        r = {0, 0, kInterfaceWidth, kInterfaceHeight};
        break;
    case TopologyModel::Node::Kind::Bridge:
        r = {0, 0, kBridgeWidth, std::max(kBridgeMinHeight, 18.0 * bridgePorts + 24)};
        break;
    case TopologyModel::Node::Kind::Metarouter:
        r = {0, 0, kMetarouterWidth,
             kHeaderHeight + kPortHeight * std::max<qreal>(1, static_cast<qreal>(node.ports.size())) + 6};
        break;
    }
    if (r != rect_)
        prepareGeometryChange();
    rect_ = r;
    node_ = node;
    bridgePorts_ = bridgePorts;
    QString tip = node.name;
    if (node.kind == TopologyModel::Node::Kind::Metarouter)
        tip += QObject::tr(" — metarouter, %1").arg(node.state.isEmpty() ? QObject::tr("stopped") : node.state);
    else
        tip += QStringLiteral(" — %1, %2").arg(node.type, linkText(node.running, node.disabled));
    setToolTip(tip);
    syncConnectors();
    update();
}

void TopologyNodeItem::syncConnectors()
{
    std::size_t wanted = 0;
    if (node_.kind == TopologyModel::Node::Kind::Interface)
        wanted = 1;
    else if (node_.kind == TopologyModel::Node::Kind::Metarouter)
        wanted = node_.ports.size();
    while (connectors_.size() > wanted) {
        delete connectors_.back();
        connectors_.pop_back();
    }
    while (connectors_.size() < wanted)
        connectors_.push_back(new TopologyConnectorItem(view_, this));
    if (node_.kind == TopologyModel::Node::Kind::Interface) {
        connectors_[0]->setPos(rect_.right(), rect_.center().y());
        connectors_[0]->setInterface(node_.name, +1, view_->isAttached(node_.name));
        return;
    }
    for (std::size_t i = 0; i < connectors_.size(); ++i) {
        const auto& port = node_.ports[i];
        connectors_[i]->setPos(0, kHeaderHeight + kPortHeight * static_cast<qreal>(i) + kPortHeight / 2);
        // A static port is bound to its host interface: not for bridges.
        connectors_[i]->setVisible(!port.isStatic);
        connectors_[i]->setInterface(port.interface, -1, view_->isAttached(port.interface));
    }
}

TopologyConnectorItem* TopologyNodeItem::connector(int port) const
{
    const std::size_t i = port < 0 ? 0 : static_cast<std::size_t>(port);
    return i < connectors_.size() ? connectors_[i] : nullptr;
}

QPointF TopologyNodeItem::anchorToward(const QPointF& scenePoint) const
{
    const QPointF p = mapFromScene(scenePoint);
    const QRectF r = rect_.adjusted(0, 10, 0, -10);
    const qreal y = std::clamp(p.y(), r.top(), r.bottom());
    return mapToScene(QPointF(p.x() < rect_.center().x() ? rect_.left() : rect_.right(), y));
}

void TopologyNodeItem::setDropTarget(bool on)
{
    if (on == dropTarget_)
        return;
    dropTarget_ = on;
    update();
}

QRectF TopologyNodeItem::boundingRect() const
{
    return rect_.adjusted(-3, -3, 3, 3);
}

void TopologyNodeItem::paint(QPainter* p, const QStyleOptionGraphicsItem* option, QWidget*)
{
    // Far out, text is unreadable: a coloured block per node is what keeps
    // a 500-node drawing smooth to zoom (Qt's "40000 chips" trick).
    const qreal lod = QStyleOptionGraphicsItem::levelOfDetailFromTransform(p->worldTransform());
    if (lod < kDetailLevel) {
        paintBlock(p);
    } else {
        p->setRenderHint(QPainter::Antialiasing);
        switch (node_.kind) {
        case TopologyModel::Node::Kind::Interface: paintInterface(p); break;
    case TopologyModel::Node::Kind::Bridge: paintBridge(p); break;
        case TopologyModel::Node::Kind::Metarouter: paintMetarouter(p); break;
        }
    }
    if (option->state & QStyle::State_Selected || dropTarget_) {
        p->setBrush(Qt::NoBrush);
        p->setPen(QPen(dropTarget_ ? kUp : kSelected, 2.5, dropTarget_ ? Qt::SolidLine : Qt::DashLine));
        p->drawRoundedRect(rect_.adjusted(-1.5, -1.5, 1.5, 1.5), 7, 7);
    }
}

void TopologyNodeItem::paintBlock(QPainter* p) const
{
    QColor fill;
    switch (node_.kind) {
    case TopologyModel::Node::Kind::Interface: fill = linkColor(node_.running, node_.disabled); break;
    case TopologyModel::Node::Kind::Bridge: fill = node_.disabled ? kDown : kBridgeBorder; break;
    case TopologyModel::Node::Kind::Metarouter: fill = stateColor(node_); break;
    }
    p->fillRect(rect_, fill);
}

void TopologyNodeItem::paintInterface(QPainter* p) const
{
    const QColor state = linkColor(node_.running, node_.disabled);
    p->setPen(QPen(kBorder, 1));
    p->setBrush(Qt::white);
    p->drawRoundedRect(rect_, 6, 6);
    // The state stripe on the left edge.
    QPainterPath stripe;
    stripe.addRoundedRect(QRectF(rect_.left(), rect_.top(), 12, rect_.height()), 6, 6);
    QPainterPath clip;
    clip.addRect(QRectF(rect_.left(), rect_.top(), 6, rect_.height()));
    p->fillPath(stripe.intersected(clip), state);
    drawIcon(p, QStringLiteral("interfaces"), QRectF(14, 6, 16, 16));
    p->setPen(kText);
    p->setFont(font(9.5, true));
    p->drawText(QRectF(34, 4, rect_.width() - 44, 18), Qt::AlignLeft | Qt::AlignVCenter,
                QFontMetricsF(p->font()).elidedText(node_.name, Qt::ElideRight, rect_.width() - 44));
    p->setFont(font(8));
    p->setPen(kMuted);
    p->drawText(QRectF(14, 24, rect_.width() - 24, 16), Qt::AlignLeft | Qt::AlignVCenter, node_.type);
    p->setPen(state);
    p->drawText(QRectF(14, 24, rect_.width() - 24, 16), Qt::AlignRight | Qt::AlignVCenter,
                linkText(node_.running, node_.disabled));
}

void TopologyNodeItem::paintBridge(QPainter* p) const
{
    p->setPen(QPen(node_.disabled ? kDown : kBridgeBorder, 1.5));
    p->setBrush(node_.disabled ? QColor(0xf1, 0xf3, 0xf5) : kBridgeFill);
    p->drawRoundedRect(rect_, 8, 8);
    drawIcon(p, QStringLiteral("bridge"), QRectF(10, 8, 18, 18));
    p->setPen(kText);
    p->setFont(font(10, true));
    p->drawText(QRectF(32, 6, rect_.width() - 40, 22), Qt::AlignLeft | Qt::AlignVCenter,
                QFontMetricsF(p->font()).elidedText(node_.name, Qt::ElideRight, rect_.width() - 40));
    p->setFont(font(8));
    p->setPen(kMuted);
    const QString ports = bridgePorts_ == 1 ? QObject::tr("1 port") : QObject::tr("%1 ports").arg(bridgePorts_);
    p->drawText(QRectF(10, 30, rect_.width() - 20, 16), Qt::AlignLeft | Qt::AlignVCenter, ports);
    p->setPen(linkColor(node_.running, node_.disabled));
    p->drawText(QRectF(10, 30, rect_.width() - 20, 16), Qt::AlignRight | Qt::AlignVCenter,
                node_.disabled ? QObject::tr("disabled") : node_.running ? QObject::tr("running") : QObject::tr("down"));
}

void TopologyNodeItem::paintMetarouter(QPainter* p) const
{
    const QColor state = stateColor(node_);
    p->setPen(QPen(kBorder, 1));
    p->setBrush(Qt::white);
    p->drawRoundedRect(rect_, 7, 7);
    QPainterPath header;
    header.addRoundedRect(QRectF(rect_.left(), rect_.top(), rect_.width(), kHeaderHeight), 7, 7);
    QPainterPath square;
    square.addRect(QRectF(rect_.left(), rect_.top() + kHeaderHeight / 2, rect_.width(), kHeaderHeight / 2));
    p->fillPath(header.united(square), state);
    drawIcon(p, QStringLiteral("metarouter"), QRectF(rect_.right() - 26, 11, 18, 18));
    p->setPen(Qt::white);
    p->setFont(font(10, true));
    p->drawText(QRectF(12, 3, rect_.width() - 44, 20), Qt::AlignLeft | Qt::AlignVCenter,
                QFontMetricsF(p->font()).elidedText(node_.name, Qt::ElideRight, rect_.width() - 44));
    p->setFont(font(8));
    QString state_text = node_.disabled ? QObject::tr("disabled") : node_.state.isEmpty() ? QObject::tr("stopped") : node_.state;
    p->drawText(QRectF(12, 21, rect_.width() - 44, 16), Qt::AlignLeft | Qt::AlignVCenter, state_text);

    if (node_.ports.empty()) {
        p->setPen(kMuted);
        p->setFont(font(8));
        p->drawText(QRectF(14, kHeaderHeight, rect_.width() - 20, kPortHeight), Qt::AlignLeft | Qt::AlignVCenter,
                    QObject::tr("no interfaces"));
        return;
    }
    for (std::size_t i = 0; i < node_.ports.size(); ++i) {
        const auto& port = node_.ports[i];
        const QRectF row(0, kHeaderHeight + kPortHeight * static_cast<qreal>(i), rect_.width(), kPortHeight);
        if (i > 0) {
            p->setPen(QPen(QColor(0xe9, 0xec, 0xef), 1));
            p->drawLine(QPointF(10, row.top()), QPointF(row.right() - 10, row.top()));
        }
        // Link state of the host side: a dot.
        const QColor dot = linkColor(port.running, port.disabled);
        p->setPen(Qt::NoPen);
        p->setBrush(dot);
        p->drawEllipse(QPointF(row.left() + 16, row.center().y()), 3.5, 3.5);
        p->setPen(kText);
        p->setFont(font(9, true));
        p->drawText(row.adjusted(26, 0, -8, 0), Qt::AlignLeft | Qt::AlignVCenter,
                    port.interface.isEmpty() ? QObject::tr("(none)") : port.interface);
        p->setFont(font(8));
        p->setPen(kMuted);
        QString detail;
        if (port.isStatic)
            detail = QObject::tr("static ⇢ %1").arg(port.staticInterface);
        else if (!port.dynamicBridge.isEmpty())
            detail = QObject::tr("dynamic ⇢ %1").arg(port.dynamicBridge);
        else
            detail = port.active ? QObject::tr("dynamic, plugged") : QObject::tr("dynamic");
        p->drawText(row.adjusted(70, 0, -8, 0), Qt::AlignRight | Qt::AlignVCenter,
                    QFontMetricsF(p->font()).elidedText(detail, Qt::ElideRight, row.width() - 78));
    }
}

QVariant TopologyNodeItem::itemChange(GraphicsItemChange change, const QVariant& value)
{
    if (change == ItemPositionHasChanged && scene())
        view_->nodeMoved(this);
    return QGraphicsItem::itemChange(change, value);
}

}  // namespace mr::ui
