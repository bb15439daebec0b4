#include "topology_view.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QMenu>
#include <QToolBar>
#include <QVBoxLayout>

#include <vector>

#include "icons.h"
#include "menu_table_model.h"
#include "property_dialog.h"
#include "property_field.h"
#include "schema_values.h"
#include "session_controller.h"
#include "topology_canvas.h"
#include "topology_connector_item.h"
#include "topology_edge_item.h"
#include "topology_node_item.h"

namespace mr::ui {

namespace {
using Kind = TopologyModel::Node::Kind;
using Source = TopologyModel::Source;

Source sourceOf(Kind kind)
{
    switch (kind) {
    case Kind::Interface: return Source::Interface;
    case Kind::Bridge: return Source::Bridge;
    case Kind::Metarouter: return Source::Metarouter;
    }
    return Source::Interface;
}

QString legend()
{
    auto swatch = [](const char* colour, const QString& glyph, const QString& text) {
        return QStringLiteral("<span style='color:%1'>%2</span>&nbsp;%3").arg(QLatin1String(colour), glyph, text);
    };
    return QStringList{swatch("#2f9e44", QStringLiteral("●"), QObject::tr("up / running")),
                       swatch("#868e96", QStringLiteral("●"), QObject::tr("down / stopped")),
                       swatch("#3b74d6", QStringLiteral("━━"), QObject::tr("bridge port")),
                       swatch("#745fc9", QStringLiteral("╍╍"), QObject::tr("dynamic port")),
                       swatch("#e67e22", QStringLiteral("╍•╍"), QObject::tr("static binding"))}
        .join(QStringLiteral("&nbsp;&nbsp;&nbsp;"));
}
}  // namespace

TopologyView::TopologyView(const wire::Schema& schema, const QString& settingsGroup, QWidget* parent)
    : QWidget(parent),
      model_(schema),
      positions_(settingsGroup.isEmpty() ? QString() : settingsGroup + QStringLiteral("/topology"))
{
    setObjectName(QStringLiteral("topology"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    toolbar_ = new QToolBar(this);
    toolbar_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar_->setIconSize(QSize(16, 16));
    auto addAction = [this](const QString& name, const QString& iconName, const QString& text, auto slot) {
        QAction* a = toolbar_->addAction(icon(iconName), text);
        a->setObjectName(name);
        connect(a, &QAction::triggered, this, slot);
        return a;
    };
    QAction* nb = addAction(QStringLiteral("newBridge"), QStringLiteral("bridge"), tr("New Bridge"), [this] { newBridge(); });
    nb->setToolTip(tr("Add a bridge; then drag interfaces onto it"));
    nb->setEnabled(protocol::findMenu(schema, TopologyModel::sourcePath(Source::Bridge)) != nullptr);
    toolbar_->addSeparator();
    addAction(QStringLiteral("fit"), QStringLiteral("topology"), tr("Fit"), [this] { fitToView(); })
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    addAction(QStringLiteral("zoomIn"), QString(), tr("Zoom In"), [this] { canvas_->zoomBy(1.25); })
        ->setShortcut(QKeySequence::ZoomIn);
    addAction(QStringLiteral("zoomOut"), QString(), tr("Zoom Out"), [this] { canvas_->zoomBy(0.8); })
        ->setShortcut(QKeySequence::ZoomOut);
    auto* spacer = new QWidget(toolbar_);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolbar_->addWidget(spacer);
    auto* key = new QLabel(legend(), toolbar_);
    key->setObjectName(QStringLiteral("legend"));
    key->setContentsMargins(0, 0, 8, 0);
    toolbar_->addWidget(key);
    layout->addWidget(toolbar_);

    canvas_ = new TopologyCanvas(&scene_, this);
    canvas_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(canvas_, &QWidget::customContextMenuRequested, this, &TopologyView::showContextMenu);
    layout->addWidget(canvas_, 1);

    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("status"));
    status_->setContentsMargins(8, 3, 8, 3);
    status_->setText(tr("Drag an interface's handle (○) onto a bridge to make it a port; onto empty space to "
                        "take it off. Right-click a node for more."));
    layout->addWidget(status_);

    saveTimer_.setSingleShot(true);
    saveTimer_.setInterval(400);
    connect(&saveTimer_, &QTimer::timeout, this, &TopologyView::savePositions);
    connect(&model_, &TopologyModel::changed, this, &TopologyView::sync);
    connect(&model_, &TopologyModel::subscribeFailed, this,
            [this](const QString& error) { setStatus(tr("Cannot follow the router: %1").arg(error), true); });
}

TopologyView::~TopologyView()
{
    savePositions();
    // Items call back into the view while the scene deletes them.
    disconnect(&model_, nullptr, this, nullptr);
    scene_.clear();
    nodes_.clear();
    edges_.clear();
}

QAction* TopologyView::action(const QString& name) const
{
    return toolbar_->findChild<QAction*>(name);
}

QString TopologyView::statusText() const
{
    return status_->text();
}

void TopologyView::setClient(protocol::ApiClient* client)
{
    client_ = client;
    if (client)
        model_.subscribe(client);
}

void TopologyView::setConnected(bool connected)
{
    toolbar_->setEnabled(connected);
    canvas_->setInteractive(connected);
}

void TopologyView::followSession(SessionController* session)
{
    setClient(session->client());
    setConnected(session->state() == SessionController::State::LoggedIn);
    connect(session, &SessionController::reconnected, this, [this, session] { setClient(session->client()); });
    connect(session, &SessionController::stateChanged, this, [this](SessionController::State s) {
        setConnected(s == SessionController::State::LoggedIn);
    });
}

TopologyConnectorItem* TopologyView::connectorOf(const QString& interfaceName) const
{
    const TopologyModel::Endpoint e = model_.endpointOf(interfaceName);
    TopologyNodeItem* n = nodes_.value(e.nodeKey);
    return n ? n->connector(e.port) : nullptr;
}

void TopologyView::sync()
{
    syncing_ = true;
    attached_.clear();
    QHash<QString, int> portCount;
    for (const auto& l : model_.links())
        if (l.kind == TopologyModel::Link::Kind::BridgePort) {
            attached_.insert(l.interface);
            ++portCount[l.target];
        }

    // Nodes: update in place, add, then drop the ones that are gone.
    QSet<QString> present;
    std::vector<TopologyPositions::Item> everything;
    for (const auto& n : model_.nodes()) {
        present.insert(n.key);
        TopologyNodeItem* item = nodes_.value(n.key);
        if (item) {
            item->setNode(n, portCount.value(n.key));
        } else {
            item = new TopologyNodeItem(this, n);
            item->setNode(n, portCount.value(n.key));
            scene_.addItem(item);
            nodes_.insert(n.key, item);
            if (auto saved = positions_.saved(n.key)) {
                item->setPos(*saved);
            } else if (n.kind == Kind::Bridge && placeNew_.contains(n.name)) {
                item->setPos(placeNew_.take(n.name));
                positions_.save(n.key, item->pos());
            }
        }
        everything.push_back({n.key, n.kind, item->rect().size()});
    }
    // Every node takes its room in the layout (so that moving one moves no
    // other), but only those the user never placed go where it says.
    const QHash<QString, QPointF> places = TopologyPositions::layout(everything);
    for (auto it = places.begin(); it != places.end(); ++it) {
        if (positions_.saved(it.key()) || moved_.contains(it.key()))
            continue;
        if (TopologyNodeItem* item = nodes_.value(it.key()); item && item->pos() != it.value())
            item->setPos(it.value());
    }
    for (auto it = nodes_.begin(); it != nodes_.end();) {
        if (present.contains(it.key())) {
            ++it;
            continue;
        }
        if (dropTarget_ == it.value())
            dropTarget_ = nullptr;
        delete it.value();
        it = nodes_.erase(it);
    }

    // Lines, by link key.
    QSet<QString> links;
    edgesByNode_.clear();
    for (const auto& l : model_.links()) {
        const QString key = l.key();
        links.insert(key);
        TopologyEdgeItem* e = edges_.value(key);
        if (e) {
            e->setLink(l);
        } else {
            e = new TopologyEdgeItem(l);
            scene_.addItem(e);
            edges_.insert(key, e);
        }
        edgesByNode_.insert(model_.endpointOf(l.interface).nodeKey, e);
        edgesByNode_.insert(l.target, e);
        updateEdge(e);
    }
    for (auto it = edges_.begin(); it != edges_.end();) {
        if (links.contains(it.key())) {
            ++it;
            continue;
        }
        delete it.value();
        it = edges_.erase(it);
    }
    syncing_ = false;

    // Room to pan around the drawing.
    scene_.setSceneRect(scene_.itemsBoundingRect().adjusted(-2000, -2000, 2000, 2000));
    if (!fitted_ && !nodes_.isEmpty() && model_.isSubscribed()) {
        fitted_ = true;
        fitToView();
    }
}

void TopologyView::updateEdge(TopologyEdgeItem* edge)
{
    const TopologyModel::Link& l = edge->link();
    TopologyConnectorItem* from = connectorOf(l.interface);
    TopologyNodeItem* target = nodes_.value(l.target);
    if (!from || !target) {
        edge->hide();
        return;
    }
    edge->show();
    const QPointF a = from->scenePos();
    if (l.kind == TopologyModel::Link::Kind::StaticBinding) {
        TopologyConnectorItem* to = target->connector(-1);
        if (!to) {
            edge->hide();
            return;
        }
        edge->setEnds(a, from->side(), to->scenePos(), to->side());
        return;
    }
    const QPointF b = target->anchorToward(a);
    edge->setEnds(a, from->side(), b, b.x() <= target->sceneBoundingRect().center().x() ? -1 : +1);
}

void TopologyView::nodeMoved(TopologyNodeItem* item)
{
    const auto range = edgesByNode_.equal_range(item->key());
    for (auto it = range.first; it != range.second; ++it)
        updateEdge(it.value());
    if (!syncing_) {
        moved_.insert(item->key());
        saveTimer_.start();
    }
}

void TopologyView::savePositions()
{
    saveTimer_.stop();
    for (const QString& key : std::as_const(moved_))
        if (TopologyNodeItem* item = nodes_.value(key))
            positions_.save(key, item->pos());
    moved_.clear();
}

TopologyNodeItem* TopologyView::nodeAt(const QPointF& scenePos, bool bridgesOnly) const
{
    for (QGraphicsItem* item : scene_.items(scenePos)) {
        for (QGraphicsItem* i = item; i; i = i->parentItem())
            if (auto* n = qgraphicsitem_cast<TopologyNodeItem*>(i)) {
                if (!bridgesOnly || n->node().kind == Kind::Bridge)
                    return n;
                break;
            }
    }
    return nullptr;
}

void TopologyView::wireMoved(const QString& interfaceName, const QPointF& scenePos)
{
    TopologyNodeItem* target = interfaceName.isEmpty() ? nullptr : nodeAt(scenePos, true);
    if (target == dropTarget_)
        return;
    if (dropTarget_)
        dropTarget_->setDropTarget(false);
    dropTarget_ = target;
    if (dropTarget_)
        dropTarget_->setDropTarget(true);
}

void TopologyView::dropInterface(const QString& interfaceName, const QPointF& scenePos)
{
    wireMoved({}, {});
    const QString current = model_.bridgeOf(interfaceName);
    if (TopologyNodeItem* bridge = nodeAt(scenePos, true)) {
        const QString name = bridge->node().name;
        if (name == current) {
            setStatus(tr("%1 is already a port of %2.").arg(interfaceName, name));
            return;
        }
        setStatus(tr("Adding %1 to %2…").arg(interfaceName, name));
        QPointer<TopologyView> self = this;
        model_.attach(interfaceName, name, [self, interfaceName, name](const QString& error) {
            if (self)
                self->report(tr("%1 is now a port of %2.").arg(interfaceName, name), error);
        });
        return;
    }
    if (nodeAt(scenePos, false)) {
        setStatus(tr("Drop %1 on a bridge to make it a port, or on empty space to take it off its bridge.")
                      .arg(interfaceName));
        return;
    }
    if (current.isEmpty()) {
        setStatus(tr("%1 is not a port of any bridge; drop it on a bridge.").arg(interfaceName));
        return;
    }
    setStatus(tr("Removing %1 from %2…").arg(interfaceName, current));
    QPointer<TopologyView> self = this;
    model_.detach(interfaceName, [self, interfaceName, current](const QString& error) {
        if (self)
            self->report(tr("%1 is no longer a port of %2.").arg(interfaceName, current), error);
    });
}

void TopologyView::setStatus(const QString& text, bool error)
{
    status_->setText(text);
    status_->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
}

void TopologyView::report(const QString& what, const QString& error)
{
    // On an error nothing changed on the router, so the drawing (which
    // follows the router) is already the truth again.
    setStatus(error.isEmpty() ? what : error, !error.isEmpty());
    emit message(error.isEmpty() ? what : error);
    emit editFinished(error);
}

void TopologyView::showContextMenu(const QPoint& viewportPos)
{
    TopologyNodeItem* item = nodeAt(canvas_->mapToScene(viewportPos), false);
    if (!item)
        return;
    if (!item->isSelected()) {
        scene_.clearSelection();
        item->setSelected(true);
    }
    QMenu* menu = contextMenuFor(item->key(), this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(canvas_->viewport()->mapToGlobal(viewportPos));
}

QMenu* TopologyView::contextMenuFor(const QString& nodeKey, QWidget* parent)
{
    auto* menu = new QMenu(parent);
    const TopologyModel::Node* n = model_.node(nodeKey);
    if (!n)
        return menu;
    const QString name = n->name;
    QPointer<TopologyView> self = this;
    auto add = [&](const QString& objectName, const QString& iconName, const QString& text, auto slot) {
        QAction* a = menu->addAction(icon(iconName), text);
        a->setObjectName(objectName);
        connect(a, &QAction::triggered, this, slot);
        return a;
    };
    if (n->kind == Kind::Metarouter) {
        add(QStringLiteral("console"), QStringLiteral("console"), tr("Console"), [this, name] { emit consoleRequested(name); });
        menu->addSeparator();
        const std::pair<const char*, QString> commands[] = {
            {"start", tr("Start")}, {"shut-down", tr("Shut Down")}, {"reboot", tr("Reboot")}};
        const char* icons[] = {"start", "stop", "reboot"};
        for (std::size_t i = 0; i < 3; ++i) {
            const std::string command = commands[i].first;
            const QString title = commands[i].second;
            add(QString::fromLatin1(commands[i].first), QString::fromLatin1(icons[i]), title, [this, self, name, command, title] {
                setStatus(tr("%1 %2…").arg(title, name));
                model_.runCommand(name, command, [self, name, title](const QString& error) {
                    if (self)
                        self->report(tr("%1: %2 done.").arg(name, title), error);
                });
            });
        }
        menu->addSeparator();
        add(QStringLiteral("addInterface"), QStringLiteral("add"), tr("Add Interface…"),
            [this, name] { openAddInterface(name); });
    }
    add(QStringLiteral("properties"), QStringLiteral("menu"), tr("Properties…"), [this, nodeKey] { openProperties(nodeKey); });
    if (n->kind == Kind::Bridge) {
        add(QStringLiteral("remove"), QStringLiteral("remove"), tr("Remove"), [this, self, name] {
            setStatus(tr("Removing %1…").arg(name));
            model_.removeBridge(name, [self, name](const QString& error) {
                if (self)
                    self->report(tr("%1 removed.").arg(name), error);
            });
        });
    }
    return menu;
}

PropertyDialog* TopologyView::openProperties(const QString& nodeKey)
{
    const TopologyModel::Node* n = model_.node(nodeKey);
    MenuTableModel* source = n ? model_.menuModel(sourceOf(n->kind)) : nullptr;
    if (!source)
        return nullptr;
    const int row = source->rowOf(n->id.toStdString());
    if (row < 0)
        return nullptr;
    auto* dialog = new PropertyDialog(client_, model_.schema(), source->menu(), n->id.toStdString(),
                                      source->propertiesAt(row), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // The Status tab follows the router while the dialog is open.
    const std::string id = n->id.toStdString();
    QPointer<PropertyDialog> d = dialog;
    connect(&model_, &TopologyModel::changed, dialog, [d, source, id] {
        const int r = source->rowOf(id);
        if (d && r >= 0)
            d->updateStatus(source->propertiesAt(r));
    });
    dialog->show();
    return dialog;
}

PropertyDialog* TopologyView::openAddInterface(const QString& metarouter)
{
    MenuTableModel* source = model_.menuModel(Source::MetarouterInterface);
    if (!source)
        return nullptr;
    auto* dialog = new PropertyDialog(client_, model_.schema(), source->menu(), {}, {}, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (PropertyField* f = dialog->field(QStringLiteral("virtual-machine")))
        if (auto* combo = qobject_cast<QComboBox*>(f->editor()))
            combo->setEditText(metarouter);
    QPointer<TopologyView> self = this;
    connect(dialog, &PropertyDialog::applied, this, [self, metarouter] {
        if (self)
            self->report(tr("Interface added to %1.").arg(metarouter), {});
    });
    dialog->show();
    return dialog;
}

void TopologyView::newBridge()
{
    // Where it appears: the middle of what the user is looking at.
    const QPointF centre = canvas_->mapToScene(canvas_->viewport()->rect().center());
    QPointer<TopologyView> self = this;
    setStatus(tr("Adding a bridge…"));
    model_.addBridge([self, centre](const QString& error, const QString& name) {
        if (!self)
            return;
        if (error.isEmpty() && !name.isEmpty()) {
            const QString key = TopologyModel::nodeKey(Kind::Bridge, name);
            if (TopologyNodeItem* item = self->nodes_.value(key)) {
                // Already drawn (the event came first): move it into view.
                item->setPos(centre - item->boundingRect().center());
                self->positions_.save(key, item->pos());
            } else {
                self->placeNew_.insert(name, centre - QPointF(TopologyNodeItem::kBridgeWidth / 2, 30));
            }
        }
        self->report(tr("%1 added: drag interfaces onto it.").arg(name), error);
    });
}

void TopologyView::fitToView()
{
    canvas_->fitAll();
}

}  // namespace mr::ui
