#pragma once
// One node of the topology drawing: a host interface, a bridge, or a
// metarouter with its interfaces as ports. Movable; the state it shows
// (running, stopped, link up/down) comes from the model's node.

#include <QGraphicsItem>
#include <QString>

#include <vector>

#include "topology_model.h"

namespace mr::ui {

class TopologyConnectorItem;
class TopologyView;

class TopologyNodeItem final : public QGraphicsItem {
public:
    enum { Type = UserType + 1 };
    static constexpr qreal kInterfaceWidth = 150;
    static constexpr qreal kInterfaceHeight = 44;
    static constexpr qreal kBridgeWidth = 140;
    static constexpr qreal kBridgeMinHeight = 60;
    static constexpr qreal kMetarouterWidth = 190;
    static constexpr qreal kHeaderHeight = 40;
    static constexpr qreal kPortHeight = 26;
    // Below this zoom nodes are drawn as plain blocks.
    static constexpr qreal kDetailLevel = 0.35;

    TopologyNodeItem(TopologyView* view, const TopologyModel::Node& node);

    // New data from the model; ports become connectors.
    void setNode(const TopologyModel::Node& node, int bridgePorts = 0);
    const TopologyModel::Node& node() const { return node_; }
    QString key() const { return node_.key; }
    // The handle of port (-1: an interface node's own).
    TopologyConnectorItem* connector(int port) const;
    // Where a line toward scenePoint meets a bridge's outline (scene coordinates).
    QPointF anchorToward(const QPointF& scenePoint) const;
    // Shown while a wire is dragged over a bridge.
    void setDropTarget(bool on);
    bool isDropTarget() const { return dropTarget_; }

    // The node's outline (item coordinates; the bounding rect adds a margin).
    QRectF rect() const { return rect_; }

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;

private:
    void paintBlock(QPainter* p) const;
    void paintInterface(QPainter* p) const;
    void paintBridge(QPainter* p) const;
    void paintMetarouter(QPainter* p) const;
    void syncConnectors();

    TopologyView* view_;
    TopologyModel::Node node_;
    int bridgePorts_ = 0;
    QRectF rect_;
    bool dropTarget_ = false;
    std::vector<TopologyConnectorItem*> connectors_;  // children
};

}  // namespace mr::ui
