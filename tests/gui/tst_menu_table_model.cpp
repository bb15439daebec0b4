// MenuTableModel without a daemon: schema-driven columns and flags, snapshot,
// batched events keeping the id index right, raw values for sorting.

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

#include "menu_table_model.h"

using mr::ui::MenuTableModel;
namespace wire = mr::wire;

namespace {
wire::MenuSchema bridgeMenu()
{
    wire::MenuSchema m;
    m.set_path("/interface/bridge");
    auto prop = [&](const char* name, wire::PropertyType t) {
        auto* p = m.add_properties();
        p->set_name(name);
        p->set_type(t);
        return p;
    };
    prop("disabled", wire::TYPE_BOOL);
    prop("comment", wire::TYPE_STRING);
    auto* mtu = prop("mtu", wire::TYPE_INTEGER);
    mtu->set_min(68);
    mtu->set_max(65535);
    prop("name", wire::TYPE_STRING);
    prop("running", wire::TYPE_BOOL)->set_read_only(true);
    auto* c = m.add_columns();
    c->set_property("name");
    c->set_title("NAME");
    c = m.add_columns();
    c->set_property("mtu");
    c->set_title("MTU");
    auto* f = m.add_flags();
    f->set_letter("X");
    f->set_description("disabled");
    f->set_property("disabled");
    f = m.add_flags();
    f->set_letter("R");
    f->set_description("running");
    f->set_property("running");
    return m;
}

wire::Object object(const char* id, const char* name, const char* mtu, bool disabled = false)
{
    wire::Object o;
    o.set_id(id);
    (*o.mutable_properties())["name"] = name;
    (*o.mutable_properties())["mtu"] = mtu;
    (*o.mutable_properties())["disabled"] = disabled ? "yes" : "no";
    (*o.mutable_properties())["running"] = "yes";
    return o;
}

wire::Change change(wire::Change::Kind kind, wire::Object o)
{
    wire::Change c;
    c.set_kind(kind);
    *c.mutable_object() = std::move(o);
    return c;
}

wire::Change removal(const char* id)
{
    wire::Object o;
    o.set_id(id);
    return change(wire::Change::REMOVED, o);
}
}  // namespace

class TestMenuTableModel : public QObject {
    Q_OBJECT
private slots:
    void columnsFromSchema()
    {
        MenuTableModel m(bridgeMenu());
        QCOMPARE(m.columnCount(), 6);  // flags, name, mtu, then disabled, comment, running
        QCOMPARE(m.headerData(1, Qt::Horizontal).toString(), QStringLiteral("Name"));
        QCOMPARE(m.headerData(2, Qt::Horizontal).toString(), QStringLiteral("MTU"));
        QCOMPARE(m.headerData(3, Qt::Horizontal, MenuTableModel::PropertyRole).toString(), QStringLiteral("disabled"));
        QVERIFY(m.columnProperty(0) == nullptr);
        QCOMPARE(m.columnOf("running"), 5);
    }

    void snapshotAndEvents()
    {
        MenuTableModel m(bridgeMenu());
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        google::protobuf::RepeatedPtrField<wire::Object> snap;
        *snap.Add() = object("*1", "bridge1", "1500");
        *snap.Add() = object("*2", "bridge2", "9000", true);
        *snap.Add() = object("*3", "bridge3", "1400");
        m.resetObjects(snap, 10);
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(m.data(m.index(1, 0)).toString(), QStringLiteral("XR"));
        QCOMPARE(m.data(m.index(0, 0)).toString(), QStringLiteral("R"));
        QCOMPARE(m.data(m.index(2, 1)).toString(), QStringLiteral("bridge3"));

        // An old event (already in the snapshot) is ignored.
        google::protobuf::RepeatedPtrField<wire::Change> old;
        *old.Add() = removal("*1");
        m.applyChanges(old, 9);
        QCOMPARE(m.rowCount(), 3);

        // One batch: two additions (one insert), a change, two removals.
        QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
        google::protobuf::RepeatedPtrField<wire::Change> batch;
        *batch.Add() = change(wire::Change::ADDED, object("*4", "bridge4", "1500"));
        *batch.Add() = change(wire::Change::ADDED, object("*5", "bridge5", "1500"));
        *batch.Add() = change(wire::Change::CHANGED, object("*2", "bridge2", "1280", false));
        *batch.Add() = removal("*1");
        *batch.Add() = removal("*3");
        m.applyChanges(batch, 11);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(removed.count(), 2);  // *1 and *3 are not adjacent
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(m.idAt(0), std::string("*2"));
        QCOMPARE(m.rowOf("*2"), 0);
        QCOMPARE(m.rowOf("*4"), 1);
        QCOMPARE(m.rowOf("*5"), 2);
        QCOMPARE(m.rowOf("*1"), -1);
        QCOMPARE(m.data(m.index(0, 2)).toString(), QStringLiteral("1280"));
        QCOMPARE(m.data(m.index(0, 0)).toString(), QStringLiteral("R"));
        QCOMPARE(m.revision(), quint64(11));

        // Adjacent removals go in one call.
        removed.clear();
        google::protobuf::RepeatedPtrField<wire::Change> both;
        *both.Add() = removal("*4");
        *both.Add() = removal("*5");
        m.applyChanges(both, 12);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(m.rowOf("*2"), 0);
    }

    void sortsByRawValue()
    {
        MenuTableModel m(bridgeMenu());
        google::protobuf::RepeatedPtrField<wire::Object> snap;
        *snap.Add() = object("*1", "a", "9000");
        *snap.Add() = object("*2", "b", "1500");
        *snap.Add() = object("*3", "c", "576");
        m.resetObjects(snap);
        QCOMPARE(m.data(m.index(0, 2), MenuTableModel::RawRole).toLongLong(), 9000);
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&m);
        proxy.setSortRole(MenuTableModel::RawRole);
        proxy.sort(2);
        // As text "1500" < "576" < "9000"; as numbers 576 comes first.
        QCOMPARE(proxy.data(proxy.index(0, 1)).toString(), QStringLiteral("c"));
        QCOMPARE(proxy.data(proxy.index(2, 1)).toString(), QStringLiteral("a"));
    }

    void manyRowsInOneBatch()
    {
        MenuTableModel m(bridgeMenu());
        QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
        google::protobuf::RepeatedPtrField<wire::Change> batch;
        for (int i = 1; i <= 10000; ++i) {
            const std::string id = "*" + std::to_string(i);
            const std::string name = "b" + std::to_string(i);
            *batch.Add() = change(wire::Change::ADDED, object(id.c_str(), name.c_str(), "1500"));
        }
        m.applyChanges(batch, 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(m.rowCount(), 10000);
        QCOMPARE(m.rowOf("*10000"), 9999);
    }
};

QTEST_MAIN(TestMenuTableModel)
#include "tst_menu_table_model.moc"
