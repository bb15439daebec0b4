// TopologyModel without a daemon, its five source menus fed directly: which
// links become nodes and which become metarouter ports, bridge membership
// and static-binding lines, coalesced change signals, clear errors offline.

#include <QSignalSpy>
#include <QTest>

#include <initializer_list>
#include <utility>

#include "menu_table_model.h"
#include "topology_model.h"

using mr::ui::TopologyModel;
namespace wire = mr::wire;
using Source = TopologyModel::Source;
using Kind = TopologyModel::Node::Kind;

namespace {
wire::Schema schema()
{
    wire::Schema s;
    for (int i = 0; i < TopologyModel::kSourceCount; ++i) {
        auto* m = s.add_menus();
        m->set_path(TopologyModel::sourcePath(static_cast<Source>(i)));
        auto* p = m->add_properties();
        p->set_name("name");
        p->set_type(wire::TYPE_STRING);
    }
    return s;
}

using Props = std::initializer_list<std::pair<const char*, const char*>>;

wire::Object object(const char* id, Props props)
{
    wire::Object o;
    o.set_id(id);
    for (const auto& [k, v] : props)
        (*o.mutable_properties())[k] = v;
    return o;
}

void reset(TopologyModel& m, Source s, std::initializer_list<wire::Object> objects)
{
    google::protobuf::RepeatedPtrField<wire::Object> snap;
    for (const auto& o : objects)
        *snap.Add() = o;
    m.menuModel(s)->resetObjects(snap, 1);
}

void apply(TopologyModel& m, Source s, wire::Change::Kind kind, const wire::Object& o, quint64 revision)
{
    google::protobuf::RepeatedPtrField<wire::Change> changes;
    auto* c = changes.Add();
    c->set_kind(kind);
    *c->mutable_object() = o;
    m.menuModel(s)->applyChanges(changes, revision);
}

// A router with three ethers (one a bridge port, one handed to mr2),
// a bridge, and two metarouters.
void feed(TopologyModel& m)
{
    reset(m, Source::Interface,
          {object("*1", {{"name", "lo"}, {"type", "loopback"}, {"running", "yes"}}),
           object("*2", {{"name", "ether1"}, {"type", "ether"}, {"running", "yes"}}),
           object("*3", {{"name", "ether2"}, {"type", "ether"}, {"running", "no"}}),
           object("*4", {{"name", "ether3"}, {"type", "ether"}, {"running", "yes"}, {"disabled", "yes"}}),
           object("*5", {{"name", "br0"}, {"type", "bridge"}, {"running", "yes"}}),
           object("*6", {{"name", "vif1"}, {"type", "vif"}, {"running", "yes"}}),
           object("*7", {{"name", "vif2"}, {"type", "vif"}, {"running", "no"}}),
           object("*8", {{"name", "mrs3"}, {"type", "tun"}}),
           object("*9", {{"name", "mrb3"}, {"type", "bridge"}})});
    reset(m, Source::Bridge, {object("*1", {{"name", "br0"}, {"running", "yes"}})});
    reset(m, Source::Port,
          {object("*1", {{"interface", "ether1"}, {"bridge", "br0"}, {"dynamic", "no"}}),
           object("*2", {{"interface", "vif1"}, {"bridge", "br0"}, {"dynamic", "yes"}}),
           // The private bridge of the static binding is not drawn.
           object("*3", {{"interface", "ether3"}, {"bridge", "mrb3"}, {"dynamic", "yes"}})});
    reset(m, Source::Metarouter,
          {object("*1", {{"name", "mr1"}, {"state", "running"}}),
           object("*2", {{"name", "mr2"}, {"state", "stopped"}})});
    reset(m, Source::MetarouterInterface,
          {object("*1", {{"virtual-machine", "mr1"}, {"type", "dynamic"}, {"interface", "vif1"},
                         {"dynamic-bridge", "br0"}, {"active", "yes"}}),
           object("*2", {{"virtual-machine", "mr2"}, {"type", "dynamic"}, {"interface", "vif2"}}),
           object("*3", {{"virtual-machine", "mr2"}, {"type", "static"}, {"interface", "mrs3"},
                         {"static-interface", "ether3"}}),
           object("*4", {{"virtual-machine", "gone"}, {"type", "dynamic"}, {"interface", "vif9"}})});
}

const TopologyModel::Link* findLink(const TopologyModel& m, const QString& interface, const QString& target)
{
    for (const auto& l : m.links())
        if (l.interface == interface && l.target == target)
            return &l;
    return nullptr;
}
}  // namespace

class TestTopologyModel : public QObject {
    Q_OBJECT
private slots:
    void nodesPortsAndLinks()
    {
        TopologyModel m(schema());
        feed(m);
        m.rebuild();

        QStringList keys;
        for (const auto& n : m.nodes())
            keys << n.key;
        keys.sort();
        QCOMPARE(keys, QStringList({"bridge:br0", "interface:ether1", "interface:ether2", "interface:ether3",
                                    "metarouter:mr1", "metarouter:mr2"}));

        const auto* ether2 = m.node(QStringLiteral("interface:ether2"));
        QVERIFY(ether2 && ether2->kind == Kind::Interface && ether2->type == QLatin1String("ether"));
        QVERIFY(!ether2->running);
        QVERIFY(m.node(QStringLiteral("interface:ether3"))->disabled);
        QVERIFY(m.node(QStringLiteral("bridge:br0"))->running);

        const auto* mr1 = m.node(QStringLiteral("metarouter:mr1"));
        QVERIFY(mr1 && mr1->running && mr1->state == QLatin1String("running"));
        QCOMPARE(mr1->ports.size(), std::size_t(1));
        QCOMPARE(mr1->ports[0].interface, QStringLiteral("vif1"));
        QVERIFY(mr1->ports[0].running && mr1->ports[0].active);
        QCOMPARE(mr1->ports[0].dynamicBridge, QStringLiteral("br0"));

        const auto* mr2 = m.node(QStringLiteral("metarouter:mr2"));
        QVERIFY(mr2 && !mr2->running);
        QCOMPARE(mr2->ports.size(), std::size_t(2));
        QCOMPARE(mr2->ports[0].interface, QStringLiteral("mrs3"));
        QVERIFY(mr2->ports[0].isStatic);
        QCOMPARE(mr2->ports[1].interface, QStringLiteral("vif2"));

        // Where interfaces are drawn.
        QCOMPARE(m.endpointOf(QStringLiteral("vif2")).nodeKey, QStringLiteral("metarouter:mr2"));
        QCOMPARE(m.endpointOf(QStringLiteral("vif2")).port, 1);
        QCOMPARE(m.endpointOf(QStringLiteral("ether1")).port, -1);
        QVERIFY(!m.endpointOf(QStringLiteral("vif9")).isValid());  // its metarouter is unknown

        QCOMPARE(m.links().size(), std::size_t(3));
        const auto* e1 = findLink(m, QStringLiteral("ether1"), QStringLiteral("bridge:br0"));
        QVERIFY(e1 && e1->kind == TopologyModel::Link::Kind::BridgePort && !e1->dynamic);
        const auto* v1 = findLink(m, QStringLiteral("vif1"), QStringLiteral("bridge:br0"));
        QVERIFY(v1 && v1->dynamic);
        const auto* s3 = findLink(m, QStringLiteral("mrs3"), QStringLiteral("interface:ether3"));
        QVERIFY(s3 && s3->kind == TopologyModel::Link::Kind::StaticBinding);

        QCOMPARE(m.bridgeOf(QStringLiteral("ether1")), QStringLiteral("br0"));
        QCOMPARE(m.bridgeOf(QStringLiteral("vif1")), QStringLiteral("br0"));
        QVERIFY(m.bridgeOf(QStringLiteral("ether2")).isEmpty());
    }

    void changesAreCoalescedAndFollowed()
    {
        TopologyModel m(schema());
        feed(m);
        m.rebuild();
        QSignalSpy changed(&m, &TopologyModel::changed);
        // Several events in one pass: one rebuild.
        apply(m, Source::Port, wire::Change::ADDED,
              object("*9", {{"interface", "ether2"}, {"bridge", "br0"}, {"dynamic", "no"}}), 2);
        apply(m, Source::Metarouter, wire::Change::CHANGED, object("*2", {{"name", "mr2"}, {"state", "booting"}}), 2);
        apply(m, Source::Interface, wire::Change::CHANGED,
              object("*3", {{"name", "ether2"}, {"type", "ether"}, {"running", "yes"}}), 2);
        QCOMPARE(changed.count(), 0);
        QTRY_COMPARE(changed.count(), 1);
        QVERIFY(findLink(m, QStringLiteral("ether2"), QStringLiteral("bridge:br0")));
        QCOMPARE(m.node(QStringLiteral("metarouter:mr2"))->state, QStringLiteral("booting"));
        QVERIFY(m.node(QStringLiteral("interface:ether2"))->running);

        // A bridge that goes takes its lines with it.
        wire::Object gone;
        gone.set_id("*1");
        apply(m, Source::Bridge, wire::Change::REMOVED, gone, 3);
        QTRY_COMPARE(changed.count(), 2);
        QVERIFY(!m.node(QStringLiteral("bridge:br0")));
        for (const auto& l : m.links())
            QVERIFY(l.kind == TopologyModel::Link::Kind::StaticBinding);
        // The bridge's host link is not drawn as an interface either.
        QVERIFY(!m.node(QStringLiteral("interface:br0")));
    }

    void editsNeedAConnection()
    {
        TopologyModel m(schema());
        feed(m);
        m.rebuild();
        QString error = QStringLiteral("unset");
        m.attach(QStringLiteral("ether2"), QStringLiteral("br0"), [&](const QString& e) { error = e; });
        QCOMPARE(error, QStringLiteral("Not connected."));
        // Nothing to take off: a clear error, no request.
        m.detach(QStringLiteral("ether2"), [&](const QString& e) { error = e; });
        QCOMPARE(error, QStringLiteral("ether2 is not a port of any bridge"));
        // A statically bound interface stays with its metarouter.
        m.attach(QStringLiteral("ether3"), QStringLiteral("br0"), [&](const QString& e) { error = e; });
        QCOMPARE(error, QStringLiteral("ether3 is bound to metarouter mr2 (a static interface); remove that binding first"));
        m.runCommand(QStringLiteral("nope"), "start", [&](const QString& e) { error = e; });
        QCOMPARE(error, QStringLiteral("no metarouter named nope"));
        m.removeBridge(QStringLiteral("nope"), [&](const QString& e) { error = e; });
        QCOMPARE(error, QStringLiteral("no bridge named nope"));
    }

    void missingMenusAreLeftOut()
    {
        // A tenant user's schema: only /metarouter.
        wire::Schema s;
        s.add_menus()->set_path("/metarouter");
        TopologyModel m(s);
        QVERIFY(m.menuModel(Source::Metarouter));
        QVERIFY(!m.menuModel(Source::Interface));
        reset(m, Source::Metarouter, {object("*1", {{"name", "mine"}, {"state", "running"}})});
        m.rebuild();
        QCOMPARE(m.nodes().size(), std::size_t(1));
        QVERIFY(m.links().empty());
    }
};

QTEST_GUILESS_MAIN(TestTopologyModel)
#include "tst_topology_model.moc"
