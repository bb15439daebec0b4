// The netlink provider against a real kernel, in a sandbox of its own per
// test: links followed live, bridges/ports/vlans/addresses really made,
// failed changes rolled back, configuration re-applied after a restart.

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

#include "database.h"
#include "net_provider.h"
#include "net_test_util.h"
#include "object_store.h"
#include "sandbox.h"

using namespace mr;
using namespace mr::net;
using namespace mr::net::test;
using mr::agent::Database;
using mr::agent::ObjectStore;

class TestNetProvider : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void listsLinks();
    void followsOutsideChanges();
    void countersRefresh();
    void interfaceSet();
    void bridgeAddSetRemove();
    void bridgeRejectsUnsupported();
    void portAddRemove();
    void vlanAddSetRemove();
    void addressesStaticAndDynamic();
    void failedApplyLeavesNothing();
    void followsRenameAndRecreates();
    void reappliesOnRestart();

private:
    void startDaemon(Database* db = nullptr);
    void stopDaemon();
    // Properties of the object of menu whose property key equals value.
    Properties object(const std::string& menu, const std::string& key, const std::string& value);
    std::string idOf(const std::string& menu, const std::string& key, const std::string& value);
    std::string ns() const { return sandbox_->name(); }
    std::string link(const std::string& name) { return ipOut({"-n", ns(), "-d", "link", "show", "dev", name}); }

    std::unique_ptr<Sandbox> sandbox_;
    std::unique_ptr<NetProvider> provider_;
    std::unique_ptr<ObjectStore> store_;
};

void TestNetProvider::init()
{
    sandbox_ = std::make_unique<Sandbox>(uniqueName("mrnet"));
    QVERIFY(sandbox_->setUp().ok());
    QVERIFY(sandbox_->enter().ok());
    startDaemon();
}

void TestNetProvider::cleanup()
{
    stopDaemon();
    if (sandbox_)
        QVERIFY(sandbox_->remove().ok());
    sandbox_.reset();
}

void TestNetProvider::startDaemon(Database* db)
{
    provider_ = std::make_unique<NetProvider>(1000);
    store_ = std::make_unique<ObjectStore>(db);
    store_->registerProvider(provider_.get());
    QVERIFY(store_->start().ok());
    QVERIFY(provider_->startStatus().ok());
}

void TestNetProvider::stopDaemon()
{
    store_.reset();
    provider_.reset();
}

std::string TestNetProvider::idOf(const std::string& menu, const std::string& key, const std::string& value)
{
    return store_->findBy(menu, key, value);
}

Properties TestNetProvider::object(const std::string& menu, const std::string& key, const std::string& value)
{
    const std::string id = idOf(menu, key, value);
    const Properties* p = id.empty() ? nullptr : store_->find(menu, id);
    return p ? *p : Properties{};
}

void TestNetProvider::listsLinks()
{
    auto ether1 = object("/interface", "name", "ether1");
    QCOMPARE(ether1["type"], std::string("ether"));
    QCOMPARE(ether1["mtu"], std::string("1500"));
    QCOMPARE(ether1["disabled"], std::string("no"));
    QCOMPARE(ether1["dynamic"], std::string("no"));
    QCOMPARE(ether1["mac-address"].size(), std::size_t(17));
    QTRY_COMPARE(object("/interface", "name", "ether1")["running"], std::string("yes"));
    QCOMPARE(object("/interface", "name", "lo")["type"], std::string("loopback"));
    QCOMPARE(store_->ids("/interface").size(), std::size_t(5));
    QVERIFY(!store_->isObserved("/interface", "*0"));
    QVERIFY(store_->isObserved("/interface", idOf("/interface", "name", "ether4")));
}

void TestNetProvider::followsOutsideChanges()
{
    QElapsedTimer t;
    t.start();
    QVERIFY(ipOk({"-n", ns(), "link", "add", "vif7", "type", "veth", "peer", "name", "x7"}));
    QTRY_VERIFY_WITH_TIMEOUT(!idOf("/interface", "name", "vif7").empty(), 1000);
    qInfo("outside link add seen after %lld ms", static_cast<long long>(t.elapsed()));
    auto vif = object("/interface", "name", "vif7");
    QCOMPARE(vif["type"], std::string("vif"));
    QCOMPARE(vif["dynamic"], std::string("yes"));
    QCOMPARE(vif["disabled"], std::string("yes"));

    QVERIFY(ipOk({"-n", ns(), "link", "set", "vif7", "up", "mtu", "1400"}));
    QTRY_COMPARE_WITH_TIMEOUT(object("/interface", "name", "vif7")["mtu"], std::string("1400"), 1000);
    QCOMPARE(object("/interface", "name", "vif7")["disabled"], std::string("no"));

    const std::string id = idOf("/interface", "name", "ether4");
    QVERIFY(ipOk({"-n", ns(), "link", "set", "ether4", "name", "wan"}));
    QTRY_COMPARE_WITH_TIMEOUT(store_->find("/interface", id)->at("name"), std::string("wan"), 1000);

    t.restart();
    QVERIFY(ipOk({"-n", ns(), "link", "del", "vif7"}));
    QTRY_VERIFY_WITH_TIMEOUT(idOf("/interface", "name", "vif7").empty(), 1000);
    QVERIFY(idOf("/interface", "name", "x7").empty());
    qInfo("outside link delete seen after %lld ms", static_cast<long long>(t.elapsed()));
}

void TestNetProvider::countersRefresh()
{
    QVERIFY(store_->add("/ip/address", {{"address", "192.0.2.1/24"}, {"interface", "ether1"}}).ok());
    QVERIFY(ipOk({"-n", sandbox_->lanName(), "address", "add", "192.0.2.2/24", "dev", "lan1"}));
    const long long before = std::stoll(object("/interface", "name", "ether1")["rx-packet"]);
    std::string out;
    QVERIFY(Sandbox::ip({"netns", "exec", sandbox_->lanName(), "ping", "-c", "3", "-i", "0.2", "-W", "1", "192.0.2.1"}, &out));
    QTRY_VERIFY_WITH_TIMEOUT(std::stoll(object("/interface", "name", "ether1")["rx-packet"]) >= before + 3, 2500);
    QVERIFY(std::stoll(object("/interface", "name", "ether1")["tx-byte"]) > 0);
}

void TestNetProvider::interfaceSet()
{
    const std::string id = idOf("/interface", "name", "ether3");
    QVERIFY(store_->set("/interface", id, {{"mtu", "1400"}, {"comment", "uplink"}, {"disabled", "yes"}}).ok());
    std::string l = link("ether3");
    QVERIFY2(contains(l, "mtu 1400"), l.c_str());
    QVERIFY2(contains(l, "alias uplink"), l.c_str());
    QVERIFY2(!contains(l, ",UP"), l.c_str());
    QVERIFY(store_->set("/interface", id, {{"name", "lan-side"}, {"disabled", "no"}}).ok());
    l = link("lan-side");
    QVERIFY2(contains(l, ",UP"), l.c_str());
    QTRY_COMPARE(store_->find("/interface", id)->at("name"), std::string("lan-side"));
    // Errors name the property.
    auto s = store_->set("/interface", id, {{"name", "ether1"}});
    QVERIFY(!s.ok());
    QCOMPARE(s.error().property, std::string("name"));
    s = store_->set("/interface", id, {{"mtu", "10"}});
    QVERIFY(!s.ok());
    QCOMPARE(s.error().property, std::string("mtu"));
}

void TestNetProvider::bridgeAddSetRemove()
{
    auto id = store_->add("/interface/bridge", {});
    QVERIFY2(id.ok(), id.ok() ? "" : id.error().text().c_str());
    QCOMPARE(store_->find("/interface/bridge", *id)->at("name"), std::string("bridge1"));
    std::string l = link("bridge1");
    QVERIFY2(contains(l, "bridge forward_delay 1500"), l.c_str());
    QVERIFY2(contains(l, "stp_state 0"), l.c_str());
    QVERIFY2(contains(l, "priority 32768"), l.c_str());
    QVERIFY2(contains(l, "ageing_time 30000"), l.c_str());
    QVERIFY2(contains(l, "max_age 2000"), l.c_str());
    QVERIFY2(contains(l, ",UP"), l.c_str());
    QTRY_VERIFY(store_->find("/interface/bridge", *id)->at("mac-address") != "00:00:00:00:00:00");
    QTRY_COMPARE(object("/interface", "name", "bridge1")["type"], std::string("bridge"));

    auto second = store_->add("/interface/bridge", {{"name", "bridge7"}, {"disabled", "yes"}});
    QVERIFY(second.ok());
    QVERIFY(!contains(link("bridge7"), ",UP"));
    QCOMPARE(store_->find("/interface/bridge", *store_->add("/interface/bridge", {}))->at("name"),
             std::string("bridge2"));

    QVERIFY(store_->set("/interface/bridge", *id,
                        {{"protocol-mode", "stp"}, {"priority", "0x1000"}, {"forward-delay", "10s"},
                         {"max-message-age", "30s"}, {"ageing-time", "10m"}, {"mtu", "1400"}})
                .ok());
    l = link("bridge1");
    QVERIFY2(contains(l, "stp_state 1"), l.c_str());
    QVERIFY2(contains(l, "priority 4096"), l.c_str());
    QVERIFY2(contains(l, "forward_delay 1000"), l.c_str());
    QVERIFY2(contains(l, "max_age 3000"), l.c_str());
    QVERIFY2(contains(l, "ageing_time 60000"), l.c_str());
    QVERIFY2(contains(l, "mtu 1400"), l.c_str());

    QVERIFY(store_->set("/interface/bridge", *id, {{"arp", "disabled"}}).ok());
    QVERIFY(contains(link("bridge1"), "NOARP"));
    QVERIFY(store_->set("/interface/bridge", *id, {{"arp", "proxy-arp"}}).ok());
    QVERIFY(!contains(link("bridge1"), "NOARP"));
    std::string proxy;
    QVERIFY(Sandbox::ip({"netns", "exec", ns(), "cat", "/proc/sys/net/ipv4/conf/bridge1/proxy_arp"}, &proxy));
    QCOMPARE(proxy, std::string("1\n"));

    QVERIFY(store_->set("/interface/bridge", *id, {{"auto-mac", "no"}, {"admin-mac", "02:11:22:33:44:55"}}).ok());
    QVERIFY(contains(link("bridge1"), "02:11:22:33:44:55"));

    QVERIFY(store_->set("/interface/bridge", *id, {{"disabled", "yes"}}).ok());
    QVERIFY(!contains(link("bridge1"), ",UP"));
    QTRY_COMPARE(object("/interface", "name", "bridge1")["disabled"], std::string("yes"));
    QVERIFY(store_->set("/interface/bridge", *id, {{"disabled", "no"}, {"name", "br-lan"}}).ok());
    QVERIFY(contains(link("br-lan"), ",UP"));
    QVERIFY(link("bridge1").empty());

    QVERIFY(store_->remove("/interface/bridge", *id).ok());
    QVERIFY(link("br-lan").empty());
    QTRY_VERIFY(idOf("/interface", "name", "br-lan").empty());
}

void TestNetProvider::bridgeRejectsUnsupported()
{
    auto r = store_->add("/interface/bridge", {{"arp", "reply-only"}});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().property, std::string("arp"));
    QVERIFY(contains(r.error().message, "not supported on Linux"));
    r = store_->add("/interface/bridge", {{"auto-mac", "no"}});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().property, std::string("admin-mac"));
    r = store_->add("/interface/bridge", {{"name", "ether1"}});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().property, std::string("name"));
    r = store_->add("/interface/bridge", {{"forward-delay", "1s"}});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().property, std::string("forward-delay"));
    r = store_->add("/interface/bridge", {{"name", "bad/name"}});
    QVERIFY(!r.ok());
    // Nothing reached the kernel.
    QVERIFY(!contains(ipOut({"-n", ns(), "link", "show", "type", "bridge"}), "bridge"));
    // rstp runs as kernel STP.
    QVERIFY(store_->add("/interface/bridge", {{"protocol-mode", "rstp"}}).ok());
    QVERIFY(contains(link("bridge1"), "stp_state 1"));
}

void TestNetProvider::portAddRemove()
{
    QVERIFY(store_->add("/interface/bridge", {}).ok());
    auto port = store_->add("/interface/bridge/port", {{"interface", "ether2"}, {"bridge", "bridge1"}});
    QVERIFY2(port.ok(), port.ok() ? "" : port.error().text().c_str());
    std::string b = ipOut({"-n", ns(), "link", "show", "dev", "ether2"});
    QVERIFY2(contains(b, "master bridge1"), b.c_str());
    const std::string bl = runOut("bridge", {"-n", QString::fromStdString(ns()), "link"});
    QVERIFY2(contains(bl, "ether2") && contains(bl, "master bridge1"), bl.c_str());
    std::string l = link("ether2");
    QVERIFY2(contains(l, "priority 32 cost 10"), l.c_str());
    QVERIFY2(contains(l, "isolated off"), l.c_str());
    QTRY_COMPARE(store_->find("/interface/bridge/port", *port)->at("inactive"), std::string("no"));
    QTRY_COMPARE(object("/interface", "name", "ether2")["slave"], std::string("yes"));

    // The same interface twice; missing references; a bridge as a port.
    auto r = store_->add("/interface/bridge/port", {{"interface", "ether2"}, {"bridge", "bridge1"}});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().property, std::string("interface"));
    QCOMPARE(r.error().code, wire::ERROR_ALREADY_EXISTS);
    r = store_->add("/interface/bridge/port", {{"interface", "ether3"}, {"bridge", "nope"}});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().property, std::string("bridge"));
    r = store_->add("/interface/bridge/port", {{"interface", "nope"}, {"bridge", "bridge1"}});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().property, std::string("interface"));
    r = store_->add("/interface/bridge/port", {{"interface", "bridge1"}, {"bridge", "bridge1"}});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().property, std::string("interface"));

    // priority, path-cost, horizon -> Linux priority/4, cost, isolated.
    QVERIFY(store_->set("/interface/bridge/port", *port, {{"priority", "0x40"}, {"path-cost", "20"}, {"horizon", "1"}}).ok());
    l = link("ether2");
    QVERIFY2(contains(l, "priority 16 cost 20"), l.c_str());
    QVERIFY2(contains(l, "isolated on"), l.c_str());
    r = store_->add("/interface/bridge/port", {{"interface", "ether3"}, {"bridge", "bridge1"}, {"horizon", "2"}});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().property, std::string("horizon"));
    QVERIFY(!contains(ipOut({"-n", ns(), "link", "show", "dev", "ether3"}), "master"));

    QVERIFY(store_->set("/interface/bridge/port", *port, {{"disabled", "yes"}}).ok());
    QVERIFY(!contains(ipOut({"-n", ns(), "link", "show", "dev", "ether2"}), "master"));
    QVERIFY(store_->set("/interface/bridge/port", *port, {{"disabled", "no"}}).ok());
    QVERIFY(contains(ipOut({"-n", ns(), "link", "show", "dev", "ether2"}), "master bridge1"));
    QVERIFY(store_->remove("/interface/bridge/port", *port).ok());
    QVERIFY(!contains(ipOut({"-n", ns(), "link", "show", "dev", "ether2"}), "master"));

    // A port made outside shows as dynamic.
    QVERIFY(ipOk({"-n", ns(), "link", "set", "ether4", "master", "bridge1"}));
    QTRY_COMPARE_WITH_TIMEOUT(object("/interface/bridge/port", "interface", "ether4")["dynamic"], std::string("yes"), 1000);
    QVERIFY(store_->isObserved("/interface/bridge/port", idOf("/interface/bridge/port", "interface", "ether4")));
}

void TestNetProvider::vlanAddSetRemove()
{
    if (!ipOk({"-n", ns(), "link", "add", "link", "ether1", "name", "probe", "type", "vlan", "id", "9"}))
        QSKIP("this kernel has no 802.1Q vlan support (8021q module missing)");
    QVERIFY(ipOk({"-n", ns(), "link", "del", "probe"}));
    auto id = store_->add("/interface/vlan", {{"vlan-id", "100"}, {"interface", "ether1"}});
    QVERIFY2(id.ok(), id.ok() ? "" : id.error().text().c_str());
    std::string l = link("vlan1");
    QVERIFY2(contains(l, "vlan1@ether1"), l.c_str());
    QVERIFY2(contains(l, "id 100"), l.c_str());
    auto r = store_->add("/interface/vlan", {{"vlan-id", "100"}, {"interface", "ether1"}});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().property, std::string("vlan-id"));
    r = store_->add("/interface/vlan", {{"vlan-id", "5000"}, {"interface", "ether1"}});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().property, std::string("vlan-id"));
    r = store_->add("/interface/vlan", {{"vlan-id", "5"}, {"interface", "ether1"}, {"mtu", "9000"}});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().property, std::string("mtu"));
    QVERIFY(store_->set("/interface/vlan", *id, {{"vlan-id", "200"}, {"interface", "ether2"}}).ok());
    l = link("vlan1");
    QVERIFY2(contains(l, "vlan1@ether2") && contains(l, "id 200"), l.c_str());
    QVERIFY(store_->remove("/interface/vlan", *id).ok());
    QVERIFY(link("vlan1").empty());
}

void TestNetProvider::addressesStaticAndDynamic()
{
    auto id = store_->add("/ip/address", {{"address", "192.168.88.1/24"}, {"interface", "ether1"}});
    QVERIFY2(id.ok(), id.ok() ? "" : id.error().text().c_str());
    const Properties* p = store_->find("/ip/address", *id);
    QCOMPARE(p->at("network"), std::string("192.168.88.0"));
    QCOMPARE(p->at("broadcast"), std::string("192.168.88.255"));
    QCOMPARE(p->at("dynamic"), std::string("no"));
    std::string a = ipOut({"-n", ns(), "address", "show", "dev", "ether1"});
    QVERIFY2(contains(a, "inet 192.168.88.1/24 brd 192.168.88.255"), a.c_str());

    auto r = store_->add("/ip/address", {{"address", "192.168.88.1/24"}, {"interface", "ether1"}});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().property, std::string("address"));
    r = store_->add("/ip/address", {{"address", "10.0.0.1/24"}, {"interface", "nope"}});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().property, std::string("interface"));
    r = store_->add("/ip/address", {{"address", "10.0.0.300/24"}, {"interface", "ether1"}});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().property, std::string("address"));

    auto host = store_->add("/ip/address", {{"address", "10.1.1.1/32"}, {"interface", "ether2"}});
    QVERIFY(host.ok());
    QCOMPARE(store_->find("/ip/address", *host)->at("broadcast"), std::string());
    QCOMPARE(store_->find("/ip/address", *host)->at("network"), std::string("10.1.1.1"));

    // Added outside: dynamic, derived values too; our own never duplicated.
    QVERIFY(ipOk({"-n", ns(), "address", "add", "10.9.9.9/16", "dev", "ether3"}));
    QTRY_COMPARE_WITH_TIMEOUT(object("/ip/address", "address", "10.9.9.9/16")["dynamic"], std::string("yes"), 1000);
    auto dyn = object("/ip/address", "address", "10.9.9.9/16");
    QCOMPARE(dyn["network"], std::string("10.9.0.0"));
    QCOMPARE(dyn["broadcast"], std::string("10.9.255.255"));
    QCOMPARE(dyn["interface"], std::string("ether3"));
    int count = 0;
    for (const auto& oid : store_->ids("/ip/address"))
        count += store_->find("/ip/address", oid)->at("address") == "192.168.88.1/24";
    QCOMPARE(count, 1);
    auto s = store_->set("/ip/address", idOf("/ip/address", "address", "10.9.9.9/16"), {{"comment", "x"}});
    QVERIFY(!s.ok());
    QVERIFY(ipOk({"-n", ns(), "address", "del", "10.9.9.9/16", "dev", "ether3"}));
    QTRY_VERIFY_WITH_TIMEOUT(idOf("/ip/address", "address", "10.9.9.9/16").empty(), 1000);

    // Disabled: out of the kernel, kept in config.
    QVERIFY(store_->set("/ip/address", *id, {{"disabled", "yes"}}).ok());
    QVERIFY(!contains(ipOut({"-n", ns(), "address", "show", "dev", "ether1"}), "192.168.88.1"));
    QVERIFY(store_->find("/ip/address", *id));
    QVERIFY(store_->set("/ip/address", *id, {{"disabled", "no"}, {"address", "192.168.89.1/23"}}).ok());
    a = ipOut({"-n", ns(), "address", "show", "dev", "ether1"});
    QVERIFY2(contains(a, "192.168.89.1/23 brd 192.168.89.255"), a.c_str());
    QCOMPARE(store_->find("/ip/address", *id)->at("network"), std::string("192.168.88.0"));
    QVERIFY(store_->remove("/ip/address", *id).ok());
    QVERIFY(!contains(ipOut({"-n", ns(), "address", "show", "dev", "ether1"}), "inet "));
}

void TestNetProvider::failedApplyLeavesNothing()
{
    // Moving a port to an interface Linux cannot bridge (a tun): step 1
    // (release ether2) succeeds, step 2 (enslave tun5) fails, step 1 is undone.
    QVERIFY(ipOk({"-n", ns(), "tuntap", "add", "mode", "tun", "tun5"}));
    QVERIFY(store_->add("/interface/bridge", {}).ok());
    auto port = store_->add("/interface/bridge/port", {{"interface", "ether2"}, {"bridge", "bridge1"}, {"path-cost", "33"}});
    QVERIFY(port.ok());
    provider_->sync();
    auto s = store_->set("/interface/bridge/port", *port, {{"interface", "tun5"}});
    QVERIFY(!s.ok());
    qInfo("refused: %s", s.error().text().c_str());
    QCOMPARE(store_->find("/interface/bridge/port", *port)->at("interface"), std::string("ether2"));
    std::string l = link("ether2");
    QVERIFY2(contains(l, "master bridge1"), l.c_str());
    QVERIFY2(contains(l, "cost 33"), l.c_str());
    QVERIFY(!contains(link("tun5"), "master"));

    // A failed add leaves no object and nothing in the kernel.
    auto r = store_->add("/interface/bridge/port", {{"interface", "tun5"}, {"bridge", "bridge1"}});
    QVERIFY(!r.ok());
    QVERIFY(!contains(link("tun5"), "master"));
    QCOMPARE(store_->ids("/interface/bridge/port").size(), std::size_t(1));
}

void TestNetProvider::followsRenameAndRecreates()
{
    QVERIFY(store_->add("/interface/bridge", {}).ok());
    QVERIFY(store_->add("/interface/bridge/port", {{"interface", "ether2"}, {"bridge", "bridge1"}}).ok());
    QVERIFY(store_->add("/ip/address", {{"address", "10.5.0.1/24"}, {"interface", "bridge1"}}).ok());
    provider_->sync();
    // Renamed outside: the configuration follows the link.
    QVERIFY(ipOk({"-n", ns(), "link", "set", "bridge1", "down"}));
    QVERIFY(ipOk({"-n", ns(), "link", "set", "bridge1", "name", "br-x"}));
    QVERIFY(ipOk({"-n", ns(), "link", "set", "ether2", "name", "uplink"}));
    QElapsedTimer t;
    t.start();
    QTRY_VERIFY_WITH_TIMEOUT(!idOf("/interface/bridge", "name", "br-x").empty(), 1000);
    qInfo("outside rename followed after %lld ms", static_cast<long long>(t.elapsed()));
    QTRY_COMPARE_WITH_TIMEOUT(object("/interface/bridge/port", "bridge", "br-x")["interface"], std::string("uplink"), 1000);
    QCOMPARE(object("/ip/address", "address", "10.5.0.1/24")["interface"], std::string("br-x"));
    // Deleted outside: the daemon owns it and makes it again, with its port and address.
    QVERIFY(ipOk({"-n", ns(), "link", "del", "br-x"}));
    QTRY_VERIFY_WITH_TIMEOUT(contains(link("br-x"), "bridge"), 1000);
    QTRY_VERIFY_WITH_TIMEOUT(contains(link("uplink"), "master br-x"), 1000);
    QTRY_VERIFY_WITH_TIMEOUT(contains(ipOut({"-n", ns(), "address", "show", "dev", "br-x"}), "10.5.0.1/24"), 1000);
}

void TestNetProvider::reappliesOnRestart()
{
    stopDaemon();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("config.db").toStdString();
    {
        auto db = Database::open(path);
        QVERIFY(db.ok());
        startDaemon(db->get());
        QVERIFY(store_->add("/interface/bridge", {{"protocol-mode", "stp"}, {"priority", "0x2000"}}).ok());
        QVERIFY(store_->add("/interface/bridge", {{"name", "off"}, {"disabled", "yes"}}).ok());
        QVERIFY(store_->add("/interface/bridge/port", {{"interface", "ether2"}, {"bridge", "bridge1"}}).ok());
        QVERIFY(store_->add("/interface/bridge/port", {{"interface", "ether3"}, {"bridge", "bridge1"}, {"disabled", "yes"}}).ok());
        QVERIFY(store_->add("/ip/address", {{"address", "10.7.0.1/24"}, {"interface", "bridge1"}}).ok());
        QVERIFY(store_->add("/ip/address", {{"address", "10.8.0.1/24"}, {"interface", "ether1"}, {"disabled", "yes"}}).ok());
        stopDaemon();  // like kill -9: the kernel keeps everything
    }
    const std::string indexBefore = ipOut({"-n", ns(), "-o", "link", "show", "dev", "bridge1"}).substr(0, 4);
    // Drift while the daemon was down.
    QVERIFY(ipOk({"-n", ns(), "link", "set", "ether2", "nomaster"}));
    QVERIFY(ipOk({"-n", ns(), "link", "set", "ether3", "master", "bridge1"}));
    QVERIFY(ipOk({"-n", ns(), "address", "del", "10.7.0.1/24", "dev", "bridge1"}));
    QVERIFY(ipOk({"-n", ns(), "address", "add", "10.8.0.1/24", "dev", "ether1"}));
    QVERIFY(ipOk({"-n", ns(), "link", "set", "off", "up"}));

    auto db = Database::open(path);
    QVERIFY(db.ok());
    startDaemon(db->get());
    // Adopted, not re-created.
    QCOMPARE(ipOut({"-n", ns(), "-o", "link", "show", "dev", "bridge1"}).substr(0, 4), indexBefore);
    std::string l = link("bridge1");
    QVERIFY2(contains(l, "stp_state 1") && contains(l, "priority 8192"), l.c_str());
    QVERIFY(contains(link("ether2"), "master bridge1"));
    QVERIFY(!contains(link("ether3"), "master"));
    QVERIFY(!contains(link("off"), ",UP"));
    QVERIFY(contains(ipOut({"-n", ns(), "address", "show", "dev", "bridge1"}), "10.7.0.1/24"));
    QVERIFY(!contains(ipOut({"-n", ns(), "address", "show", "dev", "ether1"}), "10.8.0.1/24"));
    // Configured objects are not duplicated as dynamic ones.
    int addresses = 0;
    for (const auto& id : store_->ids("/ip/address")) {
        const Properties& a = *store_->find("/ip/address", id);
        if (a.at("interface") == "lo")
            continue;  // 127.0.0.1/8 is the kernel's: dynamic
        QVERIFY2(a.at("dynamic") == "no", (a.at("address") + " on " + a.at("interface")).c_str());
        ++addresses;
    }
    QCOMPARE(addresses, 2);
    QCOMPARE(store_->ids("/interface/bridge/port").size(), std::size_t(2));
    QCOMPARE(object("/interface/bridge/port", "interface", "ether3")["inactive"], std::string("no"));
    QCOMPARE(object("/interface/bridge/port", "interface", "ether2")["inactive"], std::string("no"));
    QVERIFY(store_->find("/interface/bridge", idOf("/interface/bridge", "name", "bridge1"))->at("mac-address") !=
            "00:00:00:00:00:00");
    stopDaemon();
}

QTEST_GUILESS_MAIN(TestNetProvider)
#include "test_net_provider.moc"
