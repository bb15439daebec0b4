#pragma once
// The Topology tab: the router's interfaces, bridges and metarouters drawn
// live from the API, with drag-to-bridge editing (drag an interface's handle
// onto a bridge to make it a port, onto empty space to take it off), a
// palette (New Bridge, Fit, Zoom) and context menus for nodes.

#include <QGraphicsScene>
#include <QHash>
#include <QMultiHash>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QTimer>
#include <QWidget>

#include "topology_model.h"
#include "topology_positions.h"

class QAction;
class QLabel;
class QMenu;
class QToolBar;

namespace mr::protocol {
class ApiClient;
}

namespace mr::ui {

class PropertyDialog;
class SessionController;
class TopologyCanvas;
class TopologyConnectorItem;
class TopologyEdgeItem;
class TopologyNodeItem;

class TopologyView final : public QWidget {
    Q_OBJECT
public:
    // settingsGroup: the router's QSettings group; node positions go under
    // settingsGroup + "/topology" ("" keeps none).
    TopologyView(const wire::Schema& schema, const QString& settingsGroup, QWidget* parent = nullptr);
    ~TopologyView() override;

    TopologyModel* model() { return &model_; }
    QGraphicsScene* scene() { return &scene_; }
    TopologyCanvas* canvas() const { return canvas_; }
    QAction* action(const QString& name) const;
    QString statusText() const;

    // Subscribes the model through client (again after a reconnection).
    void setClient(protocol::ApiClient* client);
    // While the connection is down the drawing stays but cannot be edited.
    void setConnected(bool connected);
    // Follows a session: its client now and after each reconnection, and
    // its state.
    void followSession(SessionController* session);

    TopologyNodeItem* nodeItem(const QString& nodeKey) const { return nodes_.value(nodeKey); }
    // The handle an interface is drawn with (a host interface's or a metarouter port's).
    TopologyConnectorItem* connectorOf(const QString& interfaceName) const;
    TopologyEdgeItem* edgeItem(const TopologyModel::Link& link) const { return edges_.value(link.key()); }
    int edgeCount() const { return static_cast<int>(edges_.size()); }
    bool isAttached(const QString& interfaceName) const { return attached_.contains(interfaceName); }

    // What a wire dropped at scenePos does: on a bridge, interfaceName
    // becomes its port; on empty space it leaves its bridge. The daemon's
    // answer comes as editFinished(); the drawing follows the daemon.
    void dropInterface(const QString& interfaceName, const QPointF& scenePos);
    // While a wire is dragged: highlights the bridge under scenePos.
    void wireMoved(const QString& interfaceName, const QPointF& scenePos);
    // A node moved (by the user or the layout): its lines follow.
    void nodeMoved(TopologyNodeItem* item);

    // The context menu of a node; the caller owns it.
    QMenu* contextMenuFor(const QString& nodeKey, QWidget* parent = nullptr);
    PropertyDialog* openProperties(const QString& nodeKey);
    PropertyDialog* openAddInterface(const QString& metarouter);
    // Palette: a bridge with the daemon's default name, placed in view.
    void newBridge();
    void fitToView();
    // Writes the positions of moved nodes now (normally shortly after a move).
    void savePositions();

signals:
    // A result or an error for the status bar.
    void message(const QString& text);
    // The answer to an edit (a drop, a command, New Bridge): empty when it worked.
    void editFinished(const QString& error);
    // Console chosen on a metarouter.
    void consoleRequested(const QString& metarouter);

private:
    void sync();
    void updateEdge(TopologyEdgeItem* edge);
    TopologyNodeItem* nodeAt(const QPointF& scenePos, bool bridgesOnly) const;
    void setStatus(const QString& text, bool error = false);
    void report(const QString& what, const QString& error);
    void showContextMenu(const QPoint& viewportPos);

    TopologyModel model_;
    QGraphicsScene scene_;
    TopologyPositions positions_;
    QPointer<protocol::ApiClient> client_;
    TopologyCanvas* canvas_ = nullptr;
    QToolBar* toolbar_ = nullptr;
    QLabel* status_ = nullptr;
    QHash<QString, TopologyNodeItem*> nodes_;      // by node key; owned by scene_
    QHash<QString, TopologyEdgeItem*> edges_;      // by link key; owned by scene_
    QMultiHash<QString, TopologyEdgeItem*> edgesByNode_;
    QSet<QString> attached_;                       // interfaces that are bridge ports
    QSet<QString> moved_;                          // node keys to save
    QHash<QString, QPointF> placeNew_;             // where New Bridge puts a bridge
    QTimer saveTimer_;
    TopologyNodeItem* dropTarget_ = nullptr;
    bool syncing_ = false;
    bool fitted_ = false;
};

}  // namespace mr::ui
