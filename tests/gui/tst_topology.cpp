// The Topology tab against a real sandboxed metarouterd: two metarouters
// (one booted under TCG) with interfaces, a bridge and the sandbox's ether
// ports. Dragging a vif's handle onto the bridge (mouse events on the
// viewport) makes it a port in the kernel, dragging it off removes it;
// mrcli changes appear at once; a refused edit shows the daemon's error;
// context menus, palette, zoom/pan/rubber band and saved positions; and the
// screenshot build/screenshots/topology.png.

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDir>
#include <QFile>
#include <QMenu>
#include <QMouseEvent>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTabWidget>
#include <QTreeWidget>

#include <memory>

#include <unistd.h>

#include "daemon_fixture.h"
#include "gui_test_util.h"
#include "main_window.h"
#include "property_dialog.h"
#include "property_field.h"
#include "session_controller.h"
#include "topology_canvas.h"
#include "topology_connector_item.h"
#include "topology_edge_item.h"
#include "topology_node_item.h"
#include "topology_view.h"

using mr::test::DaemonFixture;
using namespace mr::ui;
using Kind = TopologyModel::Node::Kind;

namespace {
const QString kGroup = QStringLiteral("routers/test");

void mouse(QWidget* w, QEvent::Type type, const QPoint& pos, Qt::MouseButton button, Qt::MouseButtons buttons)
{
    QMouseEvent e(type, QPointF(pos), w->mapToGlobal(QPointF(pos)), button, buttons, Qt::NoModifier);
    QApplication::sendEvent(w, &e);
}

// A press, a few moves with the button held, a release: as a hand would.
void drag(TopologyCanvas* canvas, const QPointF& fromScene, const QPointF& toScene,
          Qt::MouseButton button = Qt::LeftButton)
{
    QWidget* vp = canvas->viewport();
    const QPoint a = canvas->mapFromScene(fromScene);
    const QPoint b = canvas->mapFromScene(toScene);
    QVERIFY2(vp->rect().contains(a) && vp->rect().contains(b), "drag outside the viewport");
    mouse(vp, QEvent::MouseButtonPress, a, button, button);
    for (int i = 1; i <= 8; ++i)
        mouse(vp, QEvent::MouseMove, a + (b - a) * i / 8, Qt::NoButton, button);
    mouse(vp, QEvent::MouseButtonRelease, b, button, Qt::NoButton);
}

TopologyModel::Link bridgePort(const QString& interface, const QString& bridge)
{
    TopologyModel::Link l;
    l.kind = TopologyModel::Link::Kind::BridgePort;
    l.interface = interface;
    l.target = TopologyModel::nodeKey(Kind::Bridge, bridge);
    return l;
}
}  // namespace

class TestTopology : public QObject {
    Q_OBJECT

    std::unique_ptr<DaemonFixture> daemon_;
    std::unique_ptr<SessionController> session_;
    std::unique_ptr<TopologyView> view_;
    QTemporaryDir settingsDir_;
    QString vif_;  // mr1's dynamic interface

    void ok(const QString& command)
    {
        const auto r = daemon_->cli(command);
        QVERIFY2(r.exitCode == 0, qPrintable(command + ": " + r.err + r.out));
    }

    // The interfaces the kernel has as ports of bridge.
    QString kernelPorts(const QString& bridge) const
    {
        return DaemonFixture::exec("ip", {"-n", daemon_->sandbox(), "-o", "link", "show", "master", bridge}).out;
    }

    bool hasLink(const TopologyModel::Link& l) const
    {
        for (const auto& x : view_->model()->links())
            if (x.key() == l.key())
                return true;
        return false;
    }

    // A point on no node: between the interface and bridge columns.
    QPointF emptySpot() const
    {
        const QRectF ether = view_->nodeItem(QStringLiteral("interface:ether1"))->sceneBoundingRect();
        const QRectF bridge = view_->nodeItem(QStringLiteral("bridge:br-lan"))->sceneBoundingRect();
        return {(ether.right() + bridge.left()) / 2, bridge.center().y()};
    }

private slots:
    void initTestCase()
    {
        mr::test::useTestSettings(settingsDir_.path(), QStringLiteral("metabox-topology"));
        if (!QFile::exists(DaemonFixture::buildDir() + "/guest/initrd.img"))
            QSKIP("the guest image is not built (mr_guest_image): metarouters cannot be added");
        daemon_ = std::make_unique<DaemonFixture>(QStringLiteral("mrtopo%1").arg(getpid() % 100000));
        QVERIFY2(daemon_->start(), qPrintable(daemon_->daemonLog().right(2500)));

        // Two metarouters (only mr1 boots), a bridge with a physical port,
        // a vif on the bridge by its dynamic-bridge, one static binding.
        ok(QStringLiteral("/interface bridge add name=br-lan"));
        ok(QStringLiteral("/interface bridge port add interface=ether1 bridge=br-lan"));
        ok(QStringLiteral("/metarouter add name=mr1 memory-size=96 disabled=no"));
        ok(QStringLiteral("/metarouter add name=mr2 memory-size=96 disabled=yes"));
        ok(QStringLiteral("/metarouter interface add virtual-machine=mr1 type=dynamic"));
        ok(QStringLiteral("/metarouter interface add virtual-machine=mr1 type=static static-interface=ether3"));
        ok(QStringLiteral("/metarouter interface add virtual-machine=mr2 type=dynamic dynamic-bridge=br-lan"));

        session_ = std::make_unique<SessionController>();
        QSignalSpy in(session_.get(), &SessionController::loggedIn);
        session_->connectTo(SessionController::parseAddress(daemon_->socket()), QStringLiteral("admin"),
                            daemon_->adminPassword());
        QTRY_VERIFY_WITH_TIMEOUT(in.count() == 1, 10000);

        view_ = std::make_unique<TopologyView>(session_->schema(), kGroup);
        view_->followSession(session_.get());
        view_->resize(1180, 720);
        view_->show();
        QVERIFY(QTest::qWaitForWindowExposed(view_.get()));
        QTRY_VERIFY_WITH_TIMEOUT(view_->model()->isSubscribed(), 10000);
        for (const char* key : {"bridge:br-lan", "metarouter:mr1", "metarouter:mr2", "interface:ether1",
                                "interface:ether2", "interface:ether3", "interface:ether4"})
            QTRY_VERIFY2_WITH_TIMEOUT(view_->nodeItem(QString::fromLatin1(key)), key, 10000);
        const auto* mr1 = view_->model()->node(QStringLiteral("metarouter:mr1"));
        QTRY_COMPARE_WITH_TIMEOUT(view_->model()->node(QStringLiteral("metarouter:mr1"))->ports.size(), std::size_t(2),
                                  10000);
        mr1 = view_->model()->node(QStringLiteral("metarouter:mr1"));
        for (const auto& p : mr1->ports)
            if (!p.isStatic)
                vif_ = p.interface;
        QVERIFY(vif_.startsWith(QLatin1String("vif")));
    }

    void cleanupTestCase()
    {
        view_.reset();
        session_.reset();
        if (daemon_)
            daemon_->stop();
    }

    void drawsTheRouter()
    {
        // vifs and static taps are ports of their metarouter, not nodes.
        QVERIFY(!view_->nodeItem(TopologyModel::nodeKey(Kind::Interface, vif_)));
        QVERIFY(!view_->model()->node(QStringLiteral("interface:lo")));
        QVERIFY(view_->connectorOf(vif_));
        QCOMPARE(view_->connectorOf(vif_)->parentItem(), view_->nodeItem(QStringLiteral("metarouter:mr1")));
        // Lines: ether1's port, mr2's vif by its dynamic-bridge, mr1's static binding.
        QTRY_VERIFY_WITH_TIMEOUT(hasLink(bridgePort(QStringLiteral("ether1"), QStringLiteral("br-lan"))), 10000);
        const auto* mr2 = view_->model()->node(QStringLiteral("metarouter:mr2"));
        QCOMPARE(mr2->ports.size(), std::size_t(1));
        QTRY_VERIFY_WITH_TIMEOUT(hasLink(bridgePort(view_->model()->node(QStringLiteral("metarouter:mr2"))->ports[0].interface,
                                                    QStringLiteral("br-lan"))),
                                 10000);
        bool bound = false;
        for (const auto& l : view_->model()->links())
            bound = bound || (l.kind == TopologyModel::Link::Kind::StaticBinding &&
                              l.target == QLatin1String("interface:ether3"));
        QVERIFY(bound);
        QVERIFY(view_->edgeItem(bridgePort(QStringLiteral("ether1"), QStringLiteral("br-lan")))->isVisible());
        // The automatic layout: physical left, bridges middle, metarouters right.
        const qreal ether = view_->nodeItem(QStringLiteral("interface:ether1"))->pos().x();
        const qreal bridge = view_->nodeItem(QStringLiteral("bridge:br-lan"))->pos().x();
        const qreal mr = view_->nodeItem(QStringLiteral("metarouter:mr1"))->pos().x();
        QVERIFY(ether < bridge && bridge < mr);
        QVERIFY(view_->nodeItem(QStringLiteral("metarouter:mr2"))->node().disabled);
    }

    void dragVifOntoBridgeAndOff()
    {
        QVERIFY(!kernelPorts(QStringLiteral("br-lan")).contains(vif_));
        view_->fitToView();
        QCoreApplication::processEvents();
        TopologyConnectorItem* handle = view_->connectorOf(vif_);
        TopologyNodeItem* bridge = view_->nodeItem(QStringLiteral("bridge:br-lan"));
        QSignalSpy done(view_.get(), &TopologyView::editFinished);
        drag(view_->canvas(), handle->scenePos(), bridge->sceneBoundingRect().center());
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
        QVERIFY2(done.at(0).at(0).toString().isEmpty(), qPrintable(done.at(0).at(0).toString()));
        // In the kernel, and drawn.
        QTRY_VERIFY_WITH_TIMEOUT(kernelPorts(QStringLiteral("br-lan")).contains(vif_ + QLatin1Char('@')) ||
                                     kernelPorts(QStringLiteral("br-lan")).contains(vif_ + QLatin1Char(':')),
                                 10000);
        QTRY_VERIFY_WITH_TIMEOUT(hasLink(bridgePort(vif_, QStringLiteral("br-lan"))), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(view_->edgeItem(bridgePort(vif_, QStringLiteral("br-lan"))), 5000);
        QVERIFY(view_->isAttached(vif_));
        const auto print = daemon_->cli(QStringLiteral("/interface bridge port print")).out;
        QVERIFY2(print.contains(vif_), qPrintable(print));

        // Off again: dropped on empty space.
        done.clear();
        drag(view_->canvas(), view_->connectorOf(vif_)->scenePos(), emptySpot());
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
        QVERIFY2(done.at(0).at(0).toString().isEmpty(), qPrintable(done.at(0).at(0).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(!kernelPorts(QStringLiteral("br-lan")).contains(vif_), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!hasLink(bridgePort(vif_, QStringLiteral("br-lan"))), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!view_->edgeItem(bridgePort(vif_, QStringLiteral("br-lan"))), 5000);
        // ether1 stayed.
        QVERIFY(kernelPorts(QStringLiteral("br-lan")).contains(QLatin1String("ether1")));

        // A drop on a node that is not a bridge changes nothing.
        drag(view_->canvas(), view_->connectorOf(vif_)->scenePos(),
             view_->nodeItem(QStringLiteral("interface:ether2"))->sceneBoundingRect().center());
        QVERIFY(view_->statusText().contains(QLatin1String("Drop")));
        QVERIFY(!kernelPorts(QStringLiteral("br-lan")).contains(vif_));

        // Back on, for the screenshot.
        done.clear();
        drag(view_->canvas(), view_->connectorOf(vif_)->scenePos(),
             view_->nodeItem(QStringLiteral("bridge:br-lan"))->sceneBoundingRect().center());
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(view_->edgeItem(bridgePort(vif_, QStringLiteral("br-lan"))), 10000);
    }

    void changesElsewhereAndErrors()
    {
        // mrcli's changes appear without polling.
        ok(QStringLiteral("/interface bridge add name=br-tmp"));
        QTRY_VERIFY_WITH_TIMEOUT(view_->nodeItem(QStringLiteral("bridge:br-tmp")), 10000);
        ok(QStringLiteral("/interface bridge port add interface=ether2 bridge=br-tmp"));
        QTRY_VERIFY_WITH_TIMEOUT(view_->edgeItem(bridgePort(QStringLiteral("ether2"), QStringLiteral("br-tmp"))), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(view_->isAttached(QStringLiteral("ether2")), 5000);

        // A drop the daemon refuses: the bridge is removed behind the view's
        // back (mrcli runs while this event loop sleeps, so the drawing still
        // has it). The error is shown and the drawing goes back to the truth.
        const QPointF stale = view_->nodeItem(QStringLiteral("bridge:br-tmp"))->sceneBoundingRect().center();
        ok(QStringLiteral("/interface bridge remove br-tmp"));
        QSignalSpy done(view_.get(), &TopologyView::editFinished);
        view_->dropInterface(QStringLiteral("ether4"), stale);
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
        const QString error = done.at(0).at(0).toString();
        QVERIFY2(error.contains(QLatin1String("br-tmp")), qPrintable(error));
        QCOMPARE(view_->statusText(), error);
        QTRY_VERIFY_WITH_TIMEOUT(!view_->nodeItem(QStringLiteral("bridge:br-tmp")), 10000);
        QVERIFY(!view_->isAttached(QStringLiteral("ether4")));
        QVERIFY(!DaemonFixture::exec("ip", {"-n", daemon_->sandbox(), "link", "show", "ether4"}).out.contains("master"));

        // A statically bound interface is refused before any request.
        done.clear();
        view_->dropInterface(QStringLiteral("ether3"),
                             view_->nodeItem(QStringLiteral("bridge:br-lan"))->sceneBoundingRect().center());
        QCOMPARE(done.count(), 1);
        QVERIFY2(done.at(0).at(0).toString().contains(QLatin1String("mr1")), qPrintable(done.at(0).at(0).toString()));
    }

    void contextMenusAndPalette()
    {
        // A real right-click on mr2 pops its menu up and selects it.
        {
            TopologyCanvas* canvas = view_->canvas();
            const QPoint at = canvas->mapFromScene(
                view_->nodeItem(QStringLiteral("metarouter:mr2"))->sceneBoundingRect().center());
            QContextMenuEvent click(QContextMenuEvent::Mouse, at, canvas->viewport()->mapToGlobal(at));
            QApplication::sendEvent(canvas->viewport(), &click);
            QMenu* popup = nullptr;
            QTRY_VERIFY_WITH_TIMEOUT(
                [&] {
                    for (QWidget* w : QApplication::topLevelWidgets())
                        if (auto* m = qobject_cast<QMenu*>(w); m && m->isVisible() && m->findChild<QAction*>("console"))
                            popup = m;
                    return popup != nullptr;
                }(),
                5000);
            QVERIFY(view_->nodeItem(QStringLiteral("metarouter:mr2"))->isSelected());
            popup->close();
            view_->scene()->clearSelection();
        }
        std::unique_ptr<QMenu> menu(view_->contextMenuFor(QStringLiteral("metarouter:mr2")));
        for (const char* a : {"console", "start", "shut-down", "reboot", "addInterface", "properties"})
            QVERIFY2(menu->findChild<QAction*>(QString::fromLatin1(a)), a);
        QVERIFY(!menu->findChild<QAction*>(QStringLiteral("remove")));
        QSignalSpy console(view_.get(), &TopologyView::consoleRequested);
        menu->findChild<QAction*>(QStringLiteral("console"))->trigger();
        QCOMPARE(console.count(), 1);
        QCOMPARE(console.at(0).at(0).toString(), QStringLiteral("mr2"));

        // Properties: the generic dialog of the object.
        PropertyDialog* props = view_->openProperties(QStringLiteral("metarouter:mr2"));
        QVERIFY(props && props->isVisible() && !props->isAdding());
        QVERIFY2(props->windowTitle().contains(QLatin1String("mr2")), qPrintable(props->windowTitle()));
        props->close();

        // Add Interface from the node: the dialog comes with the metarouter.
        PropertyDialog* add = view_->openAddInterface(QStringLiteral("mr2"));
        QVERIFY(add && add->isAdding());
        QCOMPARE(add->field(QStringLiteral("virtual-machine"))->text(), QStringLiteral("mr2"));
        add->apply(true);
        QTRY_COMPARE_WITH_TIMEOUT(view_->model()->node(QStringLiteral("metarouter:mr2"))->ports.size(), std::size_t(2),
                                  10000);

        // A command answers in the status line (mr2 is disabled: whatever
        // the daemon says is shown).
        QSignalSpy done(view_.get(), &TopologyView::editFinished);
        menu->findChild<QAction*>(QStringLiteral("reboot"))->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
        const QString answer = done.at(0).at(0).toString();
        QCOMPARE(view_->statusText(), answer.isEmpty() ? QStringLiteral("mr2: Reboot done.") : answer);

        // Palette: New Bridge, then Remove from its menu.
        done.clear();
        QStringList before;
        for (const auto& n : view_->model()->nodes())
            before << n.key;
        view_->action(QStringLiteral("newBridge"))->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
        QVERIFY2(done.at(0).at(0).toString().isEmpty(), qPrintable(done.at(0).at(0).toString()));
        QString added;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const auto& n : view_->model()->nodes())
                    if (n.kind == Kind::Bridge && !before.contains(n.key))
                        added = n.key;
                return !added.isEmpty() && view_->nodeItem(added);
            }(),
            10000);
        // Placed where the user looks.
        const QPointF centre = view_->canvas()->mapToScene(view_->canvas()->viewport()->rect().center());
        QVERIFY(view_->nodeItem(added)->sceneBoundingRect().adjusted(-60, -60, 60, 60).contains(centre));
        std::unique_ptr<QMenu> bridgeMenu(view_->contextMenuFor(added));
        QVERIFY(!bridgeMenu->findChild<QAction*>(QStringLiteral("console")));
        done.clear();
        bridgeMenu->findChild<QAction*>(QStringLiteral("remove"))->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!view_->nodeItem(added), 10000);
        QVERIFY(DaemonFixture::exec("ip", {"-n", daemon_->sandbox(), "link", "show", added.section(':', 1)}).exitCode != 0);
    }

    void zoomPanSelectAndPositions()
    {
        TopologyCanvas* canvas = view_->canvas();
        view_->fitToView();
        QCoreApplication::processEvents();
        const qreal zoom = canvas->zoom();
        QWheelEvent wheel(QPointF(200, 200), canvas->viewport()->mapToGlobal(QPointF(200, 200)), QPoint(),
                          QPoint(0, 240), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(canvas->viewport(), &wheel);
        QVERIFY(canvas->zoom() > zoom * 1.2);
        view_->action(QStringLiteral("zoomOut"))->trigger();
        QVERIFY(canvas->zoom() < zoom * 1.2 * 1.15);

        // Middle-button pan.
        const int h = canvas->horizontalScrollBar()->value();
        const int v = canvas->verticalScrollBar()->value();
        const QPointF c = canvas->mapToScene(canvas->viewport()->rect().center());
        drag(canvas, c, c + QPointF(80, 60) / canvas->zoom(), Qt::MiddleButton);
        QVERIFY(canvas->horizontalScrollBar()->value() != h || canvas->verticalScrollBar()->value() != v);

        // Rubber band around the metarouters.
        view_->fitToView();
        QCoreApplication::processEvents();
        view_->scene()->clearSelection();
        QRectF both = view_->nodeItem(QStringLiteral("metarouter:mr1"))->sceneBoundingRect() |
                      view_->nodeItem(QStringLiteral("metarouter:mr2"))->sceneBoundingRect();
        drag(canvas, both.topLeft() - QPointF(12, 12), both.bottomRight() + QPointF(12, 12));
        QVERIFY(view_->nodeItem(QStringLiteral("metarouter:mr1"))->isSelected());
        QVERIFY(view_->nodeItem(QStringLiteral("metarouter:mr2"))->isSelected());
        QVERIFY(!view_->nodeItem(QStringLiteral("bridge:br-lan"))->isSelected());
        view_->scene()->clearSelection();

        // Move the bridge by its body; its lines follow; the place is kept.
        TopologyNodeItem* bridge = view_->nodeItem(QStringLiteral("bridge:br-lan"));
        TopologyEdgeItem* edge = view_->edgeItem(bridgePort(QStringLiteral("ether1"), QStringLiteral("br-lan")));
        const QRectF edgeBefore = edge->sceneBoundingRect();
        const QPointF before = bridge->pos();
        const QPointF grip = bridge->mapToScene(QPointF(TopologyNodeItem::kBridgeWidth / 2, 12));
        drag(canvas, grip, grip + QPointF(40, 90));
        QVERIFY(bridge->pos() != before);
        QVERIFY(edge->sceneBoundingRect() != edgeBefore);
        const QPointF moved = bridge->pos();
        view_->savePositions();

        TopologyView again(session_->schema(), kGroup);
        again.setClient(session_->client());
        QTRY_VERIFY_WITH_TIMEOUT(again.nodeItem(QStringLiteral("bridge:br-lan")), 10000);
        QCOMPARE(again.nodeItem(QStringLiteral("bridge:br-lan"))->pos(), moved);
        // Another router's group knows nothing of it.
        TopologyView other(session_->schema(), QStringLiteral("routers/other"));
        other.setClient(session_->client());
        QTRY_VERIFY_WITH_TIMEOUT(other.nodeItem(QStringLiteral("bridge:br-lan")), 10000);
        QCOMPARE(other.nodeItem(QStringLiteral("bridge:br-lan"))->pos(), before);
        // Put it back for the picture.
        bridge->setPos(before);
        view_->savePositions();
    }

    void screenshot()
    {
        // mr1 boots under TCG: show it running when it gets there.
        QTRY_VERIFY_WITH_TIMEOUT(view_->model()->node(QStringLiteral("metarouter:mr1"))->state ==
                                     QLatin1String("running"),
                                 90000);
        // Its vif's link comes up once QEMU has it (not asserted: a picture detail).
        const bool up = QTest::qWaitFor(
            [&] {
                for (const auto& p : view_->model()->node(QStringLiteral("metarouter:mr1"))->ports)
                    if (p.interface == vif_)
                        return p.running;
                return false;
            },
            5000);
        if (!up)
            qInfo("%s is still down: the picture shows it so", qPrintable(vif_));
        view_->scene()->clearSelection();
        view_->resize(1100, 560);
        view_->fitToView();
        QTest::qWait(200);
        const QString dir = DaemonFixture::buildDir() + QStringLiteral("/screenshots");
        QDir().mkpath(dir);
        const QString path = dir + QStringLiteral("/topology.png");
        QVERIFY2(view_->grab().save(path), qPrintable(path));
    }

    void mainWindowEntryAndConsole()
    {
        // The menu tree's Topology entry opens the tab; Console on a
        // metarouter opens its console tab in the same window.
        MainWindow mw(session_.get());
        mw.show();
        bool listed = false;
        for (auto* item : mw.menuTree()->findItems(QStringLiteral("*"), Qt::MatchWildcard | Qt::MatchRecursive))
            listed = listed || item->text(0) == QLatin1String("Topology");
        QVERIFY(listed);
        auto* topology = qobject_cast<TopologyView*>(mw.openTool(QStringLiteral("tool:topology")));
        QVERIFY(topology);
        QCOMPARE(mw.tabs()->currentWidget(), topology);
        QTRY_VERIFY_WITH_TIMEOUT(topology->nodeItem(QStringLiteral("metarouter:mr1")), 10000);
        std::unique_ptr<QMenu> menu(topology->contextMenuFor(QStringLiteral("metarouter:mr1")));
        menu->findChild<QAction*>(QStringLiteral("console"))->trigger();
        QVERIFY2(mw.openTabKeys().contains(QStringLiteral("console:mr1")), qPrintable(mw.openTabKeys().join(' ')));
    }
};

QTEST_MAIN(TestTopology)
#include "tst_topology.moc"
