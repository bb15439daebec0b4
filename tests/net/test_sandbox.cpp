// metarouterd --sandbox: namespace creation, re-entry after a crash, removal.

#include <QtTest>

#include <sys/stat.h>

#include "net_test_util.h"
#include "sandbox.h"

using namespace mr::net;
using namespace mr::net::test;

namespace {

ino_t inode(const std::string& path)
{
    struct stat st {};
    return stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

}  // namespace

class TestSandbox : public QObject {
    Q_OBJECT
private slots:
    void createsBothNamespacesWithPorts();
    void entersAndLeaves();
    void reentryKeepsState();
    void removeDeletesBoth();
    void rejectsBadNames();
};

void TestSandbox::createsBothNamespacesWithPorts()
{
    Sandbox sb(uniqueName("mrsb"));
    QVERIFY2(sb.setUp().ok(), "setUp failed");
    QVERIFY(Sandbox::exists(sb.name()));
    QVERIFY(Sandbox::exists(sb.lanName()));
    const std::string list = ipOut({"netns", "list"});
    QVERIFY(contains(list, sb.name()));
    QVERIFY(contains(list, sb.lanName()));
    for (int i = 1; i <= 4; ++i) {
        const std::string ether = ipOut({"-n", sb.name(), "-d", "link", "show", "dev", "ether" + std::to_string(i)});
        QVERIFY2(contains(ether, "veth"), ether.c_str());
        QVERIFY2(contains(ether, "UP"), ether.c_str());
        const std::string lan = ipOut({"-n", sb.lanName(), "link", "show", "dev", "lan" + std::to_string(i)});
        QVERIFY2(contains(lan, "state UP"), lan.c_str());
    }
    QVERIFY(contains(ipOut({"-n", sb.name(), "link", "show", "dev", "lo"}), "UP"));
    QVERIFY(contains(ipOut({"-n", sb.lanName(), "link", "show", "dev", "lo"}), "UP"));
    // Only the four ports and lo in the router namespace.
    const std::string all = ipOut({"-n", sb.name(), "-o", "link", "show"});
    QCOMPARE(std::count(all.begin(), all.end(), '\n'), 5);
    QVERIFY(sb.remove().ok());
}

void TestSandbox::entersAndLeaves()
{
    Sandbox sb(uniqueName("mrsb"));
    QVERIFY(sb.setUp().ok());
    const ino_t host = inode("/proc/thread-self/ns/net");
    QVERIFY(sb.enter().ok());
    QVERIFY(sb.entered());
    QCOMPARE(inode("/proc/thread-self/ns/net"), inode("/run/netns/" + sb.name()));
    // Unqualified ip now sees the sandbox's links.
    QVERIFY(contains(ipOut({"link", "show", "dev", "ether3"}), "ether3"));
    QVERIFY(sb.leave().ok());
    QCOMPARE(inode("/proc/thread-self/ns/net"), host);
    QVERIFY(sb.remove().ok());
}

void TestSandbox::reentryKeepsState()
{
    const std::string name = uniqueName("mrsb");
    {
        Sandbox first(name);
        QVERIFY(first.setUp().ok());
        QVERIFY(first.enter().ok());
        QVERIFY(first.leave().ok());
        // State a running daemon would have made, then a "kill -9" (no remove()).
        QVERIFY(ipOk({"-n", name, "link", "add", "br-marker", "type", "bridge"}));
        QVERIFY(ipOk({"-n", name, "link", "set", "ether2", "down"}));
        QVERIFY(ipOk({"-n", name, "link", "del", "ether3"}));
    }
    const std::string before = ipOut({"-n", name, "link", "show", "dev", "br-marker"});
    Sandbox again(name);
    QVERIFY(again.setUp().ok());
    QVERIFY(again.enter().ok());
    QCOMPARE(ipOut({"-n", name, "link", "show", "dev", "br-marker"}), before);  // same link, same index
    QVERIFY(!contains(ipOut({"-n", name, "link", "show", "dev", "ether2"}), ",UP"));  // left as it was
    QVERIFY(contains(ipOut({"-n", name, "link", "show", "dev", "ether3"}), "ether3"));  // re-created
    QVERIFY(contains(ipOut({"-n", again.lanName(), "link", "show", "dev", "lan3"}), "state UP"));
    QVERIFY(again.remove().ok());
}

void TestSandbox::removeDeletesBoth()
{
    Sandbox sb(uniqueName("mrsb"));
    QVERIFY(sb.setUp().ok());
    QVERIFY(sb.enter().ok());
    QVERIFY(sb.remove().ok());
    QVERIFY(!sb.entered());
    QVERIFY(!Sandbox::exists(sb.name()));
    QVERIFY(!Sandbox::exists(sb.lanName()));
    const std::string list = ipOut({"netns", "list"});
    QVERIFY(!contains(list, sb.name()));
}

void TestSandbox::rejectsBadNames()
{
    for (const char* bad : {"", "../etc", "a/b", "-x", "with space"}) {
        Sandbox sb(bad);
        auto s = sb.setUp();
        QVERIFY2(!s.ok(), bad);
        QCOMPARE(s.error().property, std::string("sandbox"));
    }
}

QTEST_GUILESS_MAIN(TestSandbox)
#include "test_sandbox.moc"
