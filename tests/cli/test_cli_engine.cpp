// CliEngine against the in-memory backend: targets and numbering, what is
// validated before the backend is asked, completion, help, scripts,
// console attach and export round trips.

#include <QtTest>

#include <algorithm>

#include "cli_engine.h"
#include "export_writer.h"
#include "qtest_std_string.h"
#include "schema_builder.h"
#include "test_backend.h"

using mr::cli::CliEngine;
using mr::cli::Outcome;
using mr::cli::test::TestBackend;

namespace {

std::string prop(const TestBackend& b, const std::string& menu, const std::string& key, const std::string& name)
{
    const auto* o = b.findByKey(menu, key);
    if (!o)
        return "<missing>";
    auto it = o->properties().find(name);
    return it == o->properties().end() ? "<unset>" : it->second;
}

std::size_t count(TestBackend& b, const std::string& menu)
{
    return b.get(menu)->size();
}

bool contains(const std::vector<std::string>& v, const std::string& s)
{
    return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

class TestCliEngine : public QObject {
    Q_OBJECT
private slots:
    void promptFollowsMenuAndIdentity()
    {
        TestBackend b;
        CliEngine e(b);
        QCOMPARE(e.prompt(), std::string("[admin@MikroTik] > "));
        QVERIFY(e.execute("/interface bridge port").ok);
        QCOMPARE(e.prompt(), std::string("[admin@MikroTik] /interface bridge port> "));
        QCOMPARE(e.path(), std::string("/interface/bridge/port"));
        b.setUser("tenant1");
        QVERIFY(e.execute("/system identity set name=GW").ok);
        QCOMPARE(e.prompt(), std::string("[tenant1@GW] /interface bridge port> "));
    }

    void pathWithCommandDoesNotMove()
    {
        TestBackend b;
        CliEngine e(b);
        QVERIFY(e.execute("/interface bridge add name=br1").ok);
        QCOMPARE(e.path(), std::string("/"));
        QCOMPARE(prop(b, "/interface/bridge", "br1", "name"), std::string("br1"));
    }

    void numbersComeFromTheLastPrint()
    {
        TestBackend b;
        CliEngine e(b);
        e.execute("/interface bridge");
        e.execute("add name=a");
        e.execute("add name=b");
        QVERIFY(e.execute("print").ok);
        // Someone else removes "a": number 1 still means "b", as printed.
        const auto* a = b.findByKey("/interface/bridge", "a");
        QVERIFY(b.remove("/interface/bridge", a->id()).ok());
        const Outcome o = e.execute("set 1 mtu=1400");
        QVERIFY2(o.ok, o.error.c_str());
        QCOMPARE(prop(b, "/interface/bridge", "b", "mtu"), std::string("1400"));
        // Number 0 pointed at the removed object.
        const Outcome gone = e.execute("set 0 mtu=1400");
        QVERIFY(!gone.ok);
        QCOMPARE(gone.error, std::string("no such item (0)"));
    }

    void numbersWithoutPrintAreTheCurrentOrder()
    {
        TestBackend b;
        CliEngine e(b);
        // Each ';' part is read from the current menu, like a line of its own.
        const Outcome partly = e.execute("/interface bridge add name=a; add name=b");
        QVERIFY(!partly.ok);
        QCOMPARE(partly.error, std::string("bad command name add (line 1 column 31)"));
        QCOMPARE(count(b, "/interface/bridge"), std::size_t(1));
        e.execute("/interface bridge");
        QVERIFY(e.execute("add name=b; add name=c").ok);
        QCOMPARE(count(b, "/interface/bridge"), std::size_t(3));
        const Outcome o = e.execute("remove 0,2");
        QVERIFY2(o.ok, o.error.c_str());
        QCOMPARE(count(b, "/interface/bridge"), std::size_t(1));
        QCOMPARE(prop(b, "/interface/bridge", "b", "name"), std::string("b"));
    }

    void targetsByIdAndName()
    {
        TestBackend b;
        CliEngine e(b);
        e.execute("/interface bridge");
        e.execute("add name=a");
        e.execute("add name=b");
        const std::string idB = b.findByKey("/interface/bridge", "b")->id();
        QVERIFY(e.execute("set " + idB + " comment=x").ok);
        QCOMPARE(prop(b, "/interface/bridge", "b", "comment"), std::string("x"));
        QVERIFY(e.execute("disable a").ok);
        QCOMPARE(prop(b, "/interface/bridge", "a", "disabled"), std::string("yes"));
        QVERIFY(e.execute("enable numbers=a").ok);
        QCOMPARE(prop(b, "/interface/bridge", "a", "disabled"), std::string("no"));
        QVERIFY(!e.execute("remove a,nosuch").ok);
        QCOMPARE(e.execute("remove 99999999999999999999999").error,
                 std::string("no such item (99999999999999999999999)"));
        for (int i = 0; i < 10; ++i)
            e.execute("add name=n" + std::to_string(i));
        QCOMPARE(b.findByKey("/interface/bridge", "n9")->id(), std::string("*C"));
        QVERIFY(e.execute("set *c mtu=1280").ok);
        QCOMPARE(prop(b, "/interface/bridge", "n9", "mtu"), std::string("1280"));
        for (int i = 0; i < 10; ++i)
            e.execute("remove n" + std::to_string(i));
        QCOMPARE(count(b, "/interface/bridge"), std::size_t(2));  // nothing removed on a bad list
    }

    void validationHappensBeforeTheBackend()
    {
        TestBackend b;
        CliEngine e(b);
        e.execute("/interface bridge");
        const auto before = b.calls().size();
        for (const char* line : {"add name=x mtu=abc", "add name=x bogus=1", "add name=x running=yes",
                                 "add name=x arp=nonsense", "add name=x priority=0x10000"}) {
            const Outcome o = e.execute(line);
            QVERIFY2(!o.ok, line);
            QVERIFY2(!o.error.empty(), line);
        }
        for (auto i = before; i < b.calls().size(); ++i)
            QVERIFY2(b.calls()[i].rfind("add", 0) != 0, b.calls()[i].c_str());
        QCOMPARE(count(b, "/interface/bridge"), std::size_t(0));
    }

    void errorNamesThePropertyAndColumn()
    {
        TestBackend b;
        CliEngine e(b);
        Outcome o = e.execute("/interface bridge add name=br1 mtu=x");
        QVERIFY(o.error.find("mtu") != std::string::npos);
        QVERIFY(o.error.rfind("failure: ", 0) == 0);
        e.execute("/ip address");
        o = e.execute("add address=10.0.0.2/24 interfae=ether1");
        QCOMPARE(o.error, std::string("unknown property interfae (line 1 column 25)"));
    }

    void valuesAreCanonicalAndAbbreviated()
    {
        TestBackend b;
        CliEngine e(b);
        QVERIFY(e.execute("/interface bridge add name=br1 protocol-mode=rs ageing-time=1h priority=0x1000").ok);
        QCOMPARE(prop(b, "/interface/bridge", "br1", "protocol-mode"), std::string("rstp"));
        QCOMPARE(prop(b, "/interface/bridge", "br1", "ageing-time"), std::string("3600"));
        QCOMPARE(prop(b, "/interface/bridge", "br1", "priority"), std::string("4096"));
        QVERIFY(e.execute("/interface bridge set br1 !priority comment=\"a b\\\"c\"").ok);
        QCOMPARE(prop(b, "/interface/bridge", "br1", "priority"), std::string("32768"));
        QCOMPARE(prop(b, "/interface/bridge", "br1", "comment"), std::string("a b\"c"));
    }

    void addOnlyAndReadOnly()
    {
        TestBackend b;
        CliEngine e(b);
        e.execute("/metarouter add name=mr1");
        e.execute("/metarouter interface add virtual-machine=mr1 type=static comment=c1");
        Outcome o = e.execute("/metarouter interface add copy-from=0");
        QVERIFY2(o.ok, o.error.c_str());
        auto objects = *b.get("/metarouter/interface");
        QCOMPARE(objects.size(), std::size_t(2));
        QCOMPARE(objects[1].properties().at("type"), std::string("static"));
        QCOMPARE(objects[1].properties().at("comment"), std::string("c1"));
        QVERIFY(!objects[1].properties().count("copy-from"));
        o = e.execute("/metarouter interface set 0 copy-from=1");
        QVERIFY(!o.ok);
        QVERIFY(o.error.find("copy-from") != std::string::npos);
        o = e.execute("/metarouter set mr1 state=running");
        QVERIFY(o.error.find("read-only") != std::string::npos);
    }

    void menuCommandsAndAttach()
    {
        TestBackend b;
        CliEngine e(b);
        e.execute("/metarouter add name=mr1");
        e.execute("/metarouter add name=mr2");
        QVERIFY(e.execute("/metarouter shut-down mr2").ok);
        QCOMPARE(prop(b, "/metarouter", "mr2", "state"), std::string("stopped"));
        QVERIFY(b.calls().back().find("command /metarouter shut-down *2") == 0);

        const auto callsBefore = b.calls().size();
        Outcome o = e.execute("/metarouter console 1");
        QVERIFY2(o.ok, o.error.c_str());
        QVERIFY(o.attach.has_value());
        QCOMPARE(o.attach->menu, std::string("/metarouter"));
        QCOMPARE(o.attach->command, std::string("console"));
        QCOMPARE(o.attach->id, b.findByKey("/metarouter", "mr2")->id());
        QCOMPARE(o.attach->target, std::string("mr2"));
        for (auto i = callsBefore; i < b.calls().size(); ++i)
            QVERIFY(b.calls()[i].rfind("command", 0) != 0);  // streams are the session's job

        o = e.execute("/metarouter import-image file-name=openwrt.tgz");
        QVERIFY(o.ok);
        QCOMPARE(o.output, std::string(" imported: 100%\n"));
        QVERIFY(b.calls().back().find("file-name=openwrt.tgz") != std::string::npos);
        QVERIFY(!e.execute("/metarouter start mr1 extra").ok);
    }

    void quit()
    {
        TestBackend b;
        CliEngine e(b);
        QVERIFY(e.execute("quit").quit);
        QVERIFY(e.execute("/interface quit").quit);
        QVERIFY(!e.execute("print").quit);
    }

    void scriptStopsAtFirstErrorWithLineNumber()
    {
        TestBackend b;
        CliEngine e(b);
        const Outcome o = e.runScript("# a comment\n"
                                      "/interface bridge add name=br1\n"
                                      "\n"
                                      "/interface bridge print brief\n"
                                      "/interface bridge add name=br2 bogus=1\n"
                                      "/interface bridge add name=br3\n");
        QVERIFY(!o.ok);
        QCOMPARE(o.error, std::string("unknown property bogus (line 5 column 32)"));
        QVERIFY(o.output.find("br1") != std::string::npos);
        QVERIFY(b.findByKey("/interface/bridge", "br1"));
        QVERIFY(!b.findByKey("/interface/bridge", "br3"));
        // Continuation lines, CRLF.
        const Outcome c = e.runScript("/interface bridge add \\\r\n    name=br4 mtu=1400\r\n");
        QVERIFY2(c.ok, c.error.c_str());
        QCOMPARE(prop(b, "/interface/bridge", "br4", "mtu"), std::string("1400"));
    }

    // The guest's links: /interface/ethernet (keyed by default-name) exports
    // them; /interface shows the same objects and is left out. A NIC's name
    // equal to its default-name is a default.
    void exportWritesEachSettingOnce()
    {
        using namespace mr::protocol;
        auto links = [](const char* path) {
            return MenuBuilder(path)
                .settable()
                .property(text("name").unique())
                .property(text("default-name").readOnly())
                .property(integer("mtu").def("1500"))
                .property(text("comment"));
        };
        const mr::wire::MenuSchema all = links("/interface").key("name").exportedElsewhere();
        const mr::wire::MenuSchema ethernet = links("/interface/ethernet").key("default-name");
        auto link = [](const char* id, const char* name, const char* defaultName, const char* mtu) {
            mr::wire::Object o;
            o.set_id(id);
            (*o.mutable_properties())["name"] = name;
            (*o.mutable_properties())["default-name"] = defaultName;
            (*o.mutable_properties())["mtu"] = mtu;
            return o;
        };
        const std::vector<mr::wire::Object> objects{link("*2", "wan", "ether1", "1500"),
                                                    link("*3", "ether2", "ether2", "1400"),
                                                    link("*4", "ether3", "ether3", "1500")};
        mr::cli::ExportWriter w;
        w.addMenu(ethernet, objects);
        w.addMenu(all, objects);
        QCOMPARE(w.text(), std::string("/interface ethernet\nset ether1 name=wan\nset ether2 mtu=1400\n"));
        mr::cli::ExportWriter verbose(true);
        verbose.addMenu(all, objects);
        QCOMPARE(verbose.text(), std::string());
    }

    void exportReimportsToTheSameConfiguration()
    {
        TestBackend first;
        CliEngine e(first);
        const Outcome setup = e.runScript("/system identity set name=\"Edge GW\"\n"
                                          "/interface bridge add name=lan protocol-mode=stp comment=\"x y\"\n"
                                          "/interface bridge port add interface=ether2 bridge=lan horizon=3\n"
                                          "/metarouter add name=vm1 memory-size=64\n"
                                          "/metarouter interface add virtual-machine=vm1 type=static "
                                          "static-interface=ether3 vm-mac-address=02:00:00:00:AA:01\n"
                                          "/ip address add address=10.9.0.1/16 interface=lan\n"
                                          "/interface set ether4 mtu=9000\n");
        QVERIFY2(setup.ok, setup.error.c_str());
        const Outcome exported = e.execute("/export");
        QVERIFY(exported.ok);

        TestBackend second;
        CliEngine e2(second);
        const Outcome imported = e2.runScript(exported.output);
        QVERIFY2(imported.ok, (imported.error + "\n" + exported.output).c_str());
        QCOMPARE(e2.execute("/export").output, exported.output);
        QCOMPARE(second.identity(), std::string("Edge GW"));
        QCOMPARE(prop(second, "/interface", "ether4", "mtu"), std::string("9000"));
        for (const char* menu : {"/interface/bridge", "/interface/bridge/port", "/metarouter", "/metarouter/interface",
                                 "/ip/address"})
            QCOMPARE(count(second, menu), count(first, menu));
    }

    void completion()
    {
        TestBackend b;
        CliEngine e(b);
        auto c = e.complete("/int", 4);
        QCOMPARE(c.insertion, std::string("erface "));
        c = e.complete("/interface br", 13);
        QCOMPARE(c.insertion, std::string("idge "));
        c = e.complete("/interface/br", 13);
        QCOMPARE(c.insertion, std::string("idge "));
        c = e.complete("/interface bridge p", 19);
        QCOMPARE(c.insertion, std::string(""));
        QCOMPARE(c.candidates, (std::vector<std::string>{"port", "print"}));
        c = e.complete("/interface bridge add proto", 27);
        QCOMPARE(c.insertion, std::string("col-mode="));
        c = e.complete("/interface bridge add protocol-mode=", 36);
        QCOMPARE(c.candidates, (std::vector<std::string>{"none", "rstp", "stp"}));
        c = e.complete("/interface bridge add protocol-mode=r", 37);
        QCOMPARE(c.insertion, std::string("stp "));
        c = e.complete("/interface bridge add auto-mac=", 31);
        QCOMPARE(c.candidates, (std::vector<std::string>{"no", "yes"}));
        // References complete from the backend's objects.
        e.execute("/interface bridge add name=lan");
        c = e.complete("/interface bridge port add bridge=", 34);
        QCOMPARE(c.candidates, (std::vector<std::string>{"lan"}));
        QCOMPARE(c.insertion, std::string("lan "));
        c = e.complete("/interface bridge port add interface=eth", 40);
        QCOMPARE(c.insertion, std::string("er"));
        QCOMPARE(c.candidates.size(), std::size_t(4));
        // Targets complete by key.
        c = e.complete("/interface bridge set l", 23);
        QCOMPARE(c.insertion, std::string("an "));
        c = e.complete("/interface bridge set lan mt", 28);
        QCOMPARE(c.insertion, std::string("u="));
        // set does not offer what only add takes; add does not offer read-only.
        c = e.complete("/metarouter interface set 0 ", 28);
        QVERIFY(!contains(c.candidates, "copy-from"));
        c = e.complete("/metarouter interface add ", 26);
        QVERIFY(contains(c.candidates, "copy-from"));
        QVERIFY(!contains(c.candidates, "active"));
        // Mid-line: only what is left of the cursor counts.
        c = e.complete("/ip addr print", 8);
        QCOMPARE(c.insertion, std::string("ess "));
        // Unknown words complete to nothing rather than guessing.
        c = e.complete("/nosuch ", 8);
        QVERIFY(c.candidates.empty());
    }

    void help()
    {
        TestBackend b;
        CliEngine e(b);
        std::string h = e.help("", 0);
        QVERIFY(h.find("interface") != std::string::npos);
        QVERIFY(h.find("metarouter") != std::string::npos);
        h = e.help("/interface bridge add mtu=", 26);
        QVERIFY2(h.find("68..65535") != std::string::npos, h.c_str());
        h = e.help("/interface bridge add ", 22);
        QVERIFY(h.find("ageing-time -- How long") != std::string::npos);
        QVERIFY(h.find("running") == std::string::npos);
        h = e.help("/nosuch ", 8);
        QVERIFY(h.find("bad command name nosuch") != std::string::npos);
    }

    void widthWrapsDetail()
    {
        TestBackend b;
        CliEngine e(b);
        e.execute("/interface bridge add name=br1");
        e.setWidth(400);
        const std::string wide = e.execute("/interface bridge print").output;
        e.setWidth(40);
        const std::string narrow = e.execute("/interface bridge print").output;
        auto lines = [](const std::string& s) { return std::count(s.begin(), s.end(), '\n'); };
        QCOMPARE(lines(wide), 3);  // legend, one line, blank
        QVERIFY(lines(narrow) > 5);
        std::size_t start = 0;
        for (std::size_t nl; (nl = narrow.find('\n', start)) != std::string::npos; start = nl + 1)
            QVERIFY(nl - start <= 40);
    }

    void schemaDrivesEverything()
    {
        // A property added to a menu shows up without engine changes.
        auto schema = mr::cli::test::TestBackend().schema();
        auto* bridge = schema.mutable_menus(1);
        QCOMPARE(bridge->path(), std::string("/interface/bridge"));
        auto* p = bridge->add_properties();
        p->set_name("vlan-filtering");
        p->set_type(mr::wire::TYPE_BOOL);
        p->set_default_value("no");
        TestBackend b(schema);
        CliEngine e(b);
        QVERIFY(e.execute("/interface bridge add name=br1 vlan-filtering=yes").ok);
        QCOMPARE(prop(b, "/interface/bridge", "br1", "vlan-filtering"), std::string("yes"));
        QVERIFY(e.execute("/interface bridge print").output.find("vlan-filtering=yes") != std::string::npos);
        QVERIFY(e.execute("/export").output.find("vlan-filtering=yes") != std::string::npos);
        QCOMPARE(e.complete("/interface bridge add vlan", 26).insertion, std::string("-filtering="));
    }

    void largePrint()
    {
        TestBackend b;
        for (int i = 0; i < 1200; ++i)
            b.observe("/ip/address", {{"address", "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250) +
                                                      "/32"},
                                      {"interface", "ether1"}});
        CliEngine e(b);
        const Outcome o = e.execute("/ip address print");
        QVERIFY(o.ok);
        QVERIFY(o.output.find("\n   0 ") != std::string::npos);  // number column widens to 4
        QVERIFY(o.output.find("\n1199 ") != std::string::npos);
        QVERIFY(e.execute("/ip address set 1199 comment=last").ok);
    }
};

QTEST_APPLESS_MAIN(TestCliEngine)
#include "test_cli_engine.moc"
