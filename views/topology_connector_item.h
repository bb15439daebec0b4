#pragma once
// The handle of an interface on the topology: a host interface's or a
// metarouter port's. Dragging it draws a wire; releasing it on a bridge makes
// the interface a port there, releasing it on empty space takes it off.

#include <QGraphicsItem>
#include <QString>

class QGraphicsPathItem;

namespace mr::ui {

class TopologyView;

class TopologyConnectorItem final : public QGraphicsItem {
public:
    enum { Type = UserType + 2 };
    static constexpr qreal kRadius = 6;

    // side: +1 when the wire leaves to the right, -1 to the left.
    TopologyConnectorItem(TopologyView* view, QGraphicsItem* parent);

    void setInterface(const QString& name, int side, bool connected);
    QString interfaceName() const { return interface_; }
    int side() const { return side_; }
    bool isDragging() const { return wire_ != nullptr; }

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;
    void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;

private:
    void updateWire(const QPointF& scenePos);

    TopologyView* view_;
    QString interface_;
    int side_ = 1;
    bool connected_ = false;
    bool hovered_ = false;
    QGraphicsPathItem* wire_ = nullptr;  // while dragging; a child
};

}  // namespace mr::ui
