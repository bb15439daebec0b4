// Typed property values: parsing what users type into the canonical stored
// text, formatting it back, and error messages that name the property.

#include <QTest>

#include "schema_builder.h"
#include "schema_values.h"

using namespace mr::protocol;
namespace wire = mr::wire;

namespace {

// Parses and returns the stored text; fails the test on error.
#define PARSE_OK(prop, in, expected)                                                                                   \
    do {                                                                                                               \
        auto r_ = parseValue((prop).schema(), in);                                                                     \
        QVERIFY2(r_.ok(), (std::string(in) + ": " + (r_.ok() ? std::string() : r_.error().text())).c_str());          \
        QCOMPARE(QString::fromStdString(*r_), QString::fromStdString(expected));                                       \
    } while (0)

// Expects an INVALID_ARGUMENT error naming the property in field and text.
#define PARSE_BAD(prop, in)                                                                                            \
    do {                                                                                                               \
        auto r_ = parseValue((prop).schema(), in);                                                                     \
        QVERIFY2(!r_.ok(), (std::string(in) + " was accepted as " + (r_.ok() ? *r_ : std::string())).c_str());        \
        QCOMPARE(r_.error().code, wire::ERROR_INVALID_ARGUMENT);                                                       \
        QCOMPARE(QString::fromStdString(r_.error().property), QString::fromStdString((prop).schema().name()));         \
        QVERIFY2(r_.error().message.find((prop).schema().name()) != std::string::npos, r_.error().message.c_str());   \
    } while (0)

}  // namespace

class TestSchemaValues : public QObject {
    Q_OBJECT
private slots:
    void integers()
    {
        auto mtu = integer("mtu").range(68, 65535);
        PARSE_OK(mtu, "1500", "1500");
        PARSE_OK(mtu, "68", "68");
        PARSE_OK(mtu, "65535", "65535");
        PARSE_OK(mtu, "0x5DC", "1500");
        PARSE_OK(mtu, "0X5dc", "1500");
        PARSE_BAD(mtu, "67");
        PARSE_BAD(mtu, "65536");
        PARSE_BAD(mtu, "-1500");
        PARSE_BAD(mtu, "");
        PARSE_BAD(mtu, "15OO");
        PARSE_BAD(mtu, "1500 ");
        PARSE_BAD(mtu, " 1500");
        PARSE_BAD(mtu, "0x");
        PARSE_BAD(mtu, "0xZZ");
        PARSE_BAD(mtu, "99999999999999999999999");
        {
            auto r = parseValue(mtu.schema(), "10");
            QVERIFY(!r.ok());
            QVERIFY2(r.error().message.find("68") != std::string::npos &&
                         r.error().message.find("65535") != std::string::npos,
                     r.error().message.c_str());
        }

        auto any = integer("offset");  // no range: any value
        PARSE_OK(any, "-42", "-42");
        PARSE_OK(any, "0", "0");
        PARSE_OK(any, "9223372036854775807", "9223372036854775807");
        PARSE_OK(any, "-0x10", "-16");
        // One sign, in front: not "--5", "-+5" or a sign after 0x.
        PARSE_BAD(any, "--5");
        PARSE_BAD(any, "-+5");
        PARSE_BAD(any, "+-5");
        PARSE_BAD(any, "0x-10");
        PARSE_BAD(any, "-");

        auto signedRange = integer("shift").range(-10, 10);
        PARSE_OK(signedRange, "-10", "-10");
        PARSE_BAD(signedRange, "-11");

        QCOMPARE(*parseInteger("0x8000"), 0x8000LL);
        QVERIFY(!parseInteger("0x").ok());
        QVERIFY(!parseInteger("").ok());
    }

    void hexFormatting()
    {
        auto prio = integer("priority").range(0, 0xFFFF).hex();
        PARSE_OK(prio, "0x8000", "32768");
        PARSE_OK(prio, "32768", "32768");
        QCOMPARE(formatValue(prio.schema(), "32768"), std::string("0x8000"));
        QCOMPARE(formatValue(prio.schema(), "0"), std::string("0x0"));
        QCOMPARE(formatValue(integer("mtu").schema(), "1500"), std::string("1500"));
    }

    void booleans()
    {
        auto b = boolean("disabled");
        PARSE_OK(b, "yes", "yes");
        PARSE_OK(b, "YES", "yes");
        PARSE_OK(b, "true", "yes");
        PARSE_OK(b, "no", "no");
        PARSE_OK(b, "No", "no");
        PARSE_OK(b, "false", "no");
        PARSE_BAD(b, "maybe");
        PARSE_BAD(b, "");
        PARSE_BAD(b, "1");
        PARSE_BAD(b, "yess");
    }

    void enums()
    {
        auto e = enumeration("protocol-mode").values({"none", "stp", "rstp"});
        PARSE_OK(e, "rstp", "rstp");
        PARSE_OK(e, "RSTP", "rstp");
        PARSE_OK(e, "None", "none");
        PARSE_BAD(e, "mstp");
        PARSE_BAD(e, "");
        PARSE_BAD(e, "rst");
        auto r = parseValue(e.schema(), "mstp");
        QVERIFY(!r.ok());
        // The message lists what is allowed.
        QVERIFY2(r.error().message.find("none, stp, rstp") != std::string::npos, r.error().message.c_str());
    }

    void macs()
    {
        auto m = mac("vm-mac-address");
        PARSE_OK(m, "02:00:00:aa:bb:cc", "02:00:00:AA:BB:CC");
        PARSE_OK(m, "02-00-00-AA-BB-CC", "02:00:00:AA:BB:CC");
        PARSE_OK(m, "FF:FF:FF:FF:FF:FF", "FF:FF:FF:FF:FF:FF");
        PARSE_BAD(m, "02:00:00:aa:bb");
        PARSE_BAD(m, "02:00:00:aa:bb:cc:dd");
        PARSE_BAD(m, "02:00:00:aa:bb:cg");
        PARSE_BAD(m, "0200.00aa.bbcc");
        PARSE_BAD(m, "020000aabbcc");
        PARSE_BAD(m, "");
        PARSE_BAD(m, "02:00:00:aa:bb:c");
        PARSE_BAD(m, "02:00:00:aa:bb:ccc");
    }

    void ipAddresses()
    {
        auto a = ip("gateway");
        PARSE_OK(a, "10.0.0.1", "10.0.0.1");
        PARSE_OK(a, "255.255.255.255", "255.255.255.255");
        PARSE_BAD(a, "10.0.0");
        PARSE_BAD(a, "10.0.0.256");
        PARSE_BAD(a, "10.0.0.1/24");
        PARSE_BAD(a, "host");
        PARSE_BAD(a, "");
    }

    void ipPrefixes()
    {
        auto p = ipPrefix("address");
        PARSE_OK(p, "10.0.0.1/24", "10.0.0.1/24");
        PARSE_OK(p, "10.0.0.1", "10.0.0.1/32");
        PARSE_OK(p, "0.0.0.0/0", "0.0.0.0/0");
        PARSE_OK(p, "192.168.88.1/32", "192.168.88.1/32");
        PARSE_BAD(p, "10.0.0.1/33");
        PARSE_BAD(p, "10.0.0.1/-1");
        PARSE_BAD(p, "10.0.0.1/");
        PARSE_BAD(p, "10.0.0.1/24x");
        PARSE_BAD(p, "10.0.0.1/ab");
        PARSE_BAD(p, "10.0.0/24");
        PARSE_BAD(p, "10.0.0.300/24");
        PARSE_BAD(p, "/24");
        PARSE_BAD(p, "");
        auto r = parseValue(p.schema(), "10.0.0.1/33");
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.find("prefix") != std::string::npos, r.error().message.c_str());
    }

    void durations()
    {
        auto d = duration("ageing-time");
        PARSE_OK(d, "5m", "300");
        PARSE_OK(d, "15s", "15");
        PARSE_OK(d, "1h30m", "5400");
        PARSE_OK(d, "1h2m3s", "3723");
        PARSE_OK(d, "00:05:00", "300");
        PARSE_OK(d, "01:30:00", "5400");
        PARSE_OK(d, "1d", "86400");
        PARSE_OK(d, "1w1d", "691200");
        PARSE_OK(d, "90", "90");
        PARSE_OK(d, "0s", "0");
        PARSE_BAD(d, "");
        PARSE_BAD(d, "m");
        PARSE_BAD(d, "5x");
        PARSE_BAD(d, "1h30");
        PARSE_BAD(d, "-5m");
        PARSE_BAD(d, "00:60:00");
        PARSE_BAD(d, "00:00:60");
        PARSE_BAD(d, "1:2");
        PARSE_BAD(d, "00:05:00x");
        PARSE_BAD(d, "5 m");

        auto ranged = duration("forward-delay").range(4, 30);
        PARSE_OK(ranged, "15s", "15");
        PARSE_BAD(ranged, "3s");
        PARSE_BAD(ranged, "1m");
        auto r = parseValue(ranged.schema(), "1m");
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.find("4s") != std::string::npos && r.error().message.find("30s") != std::string::npos,
                 r.error().message.c_str());

        QCOMPARE(formatDuration(0), std::string("0s"));
        QCOMPARE(formatDuration(15), std::string("15s"));
        QCOMPARE(formatDuration(300), std::string("5m"));
        QCOMPARE(formatDuration(5400), std::string("1h30m"));
        QCOMPARE(formatDuration(3723), std::string("1h2m3s"));
        QCOMPARE(formatDuration(86400 + 3600 + 60 + 1), std::string("1d1h1m1s"));
        QCOMPARE(formatDuration(604800 * 2 + 86400), std::string("2w1d"));
        QCOMPARE(formatValue(d.schema(), "300"), std::string("5m"));
        QCOMPARE(formatValue(d.schema(), "5400"), std::string("1h30m"));

        // Formatting and parsing agree.
        for (long long s : {0LL, 1LL, 59LL, 60LL, 61LL, 3599LL, 3600LL, 86399LL, 86400LL, 604799LL, 604800LL, 1234567LL}) {
            auto back = parseDuration(formatDuration(s));
            QVERIFY(back.ok());
            QCOMPARE(*back, s);
        }
    }

    void sizes()
    {
        auto mem = size("memory-size", "MiB").range(16, 4096);
        PARSE_OK(mem, "128", "128");
        PARSE_OK(mem, "128MiB", "128");
        PARSE_OK(mem, "128M", "128");
        PARSE_OK(mem, "128mb", "128");
        PARSE_OK(mem, "1G", "1024");
        PARSE_OK(mem, "1GiB", "1024");
        PARSE_OK(mem, "131072k", "128");
        PARSE_OK(mem, "131072KiB", "128");
        PARSE_BAD(mem, "8");
        PARSE_BAD(mem, "5G");
        PARSE_BAD(mem, "1000k");   // not whole MiB
        PARSE_BAD(mem, "128X");
        PARSE_BAD(mem, "1.5G");
        PARSE_BAD(mem, "M");
        PARSE_BAD(mem, "");
        PARSE_BAD(mem, "-128");
        PARSE_BAD(mem, "unlimited");  // no special zero for this one
        PARSE_BAD(mem, "0");
        QCOMPARE(formatValue(mem.schema(), "128"), std::string("128MiB"));

        auto disk = size("disk-size", "kiB").range(0, 1LL << 40).specialZero("unlimited");
        PARSE_OK(disk, "unlimited", "0");
        PARSE_OK(disk, "UNLIMITED", "0");
        PARSE_OK(disk, "0", "0");
        PARSE_OK(disk, "1M", "1024");
        PARSE_OK(disk, "2G", "2097152");
        PARSE_OK(disk, "2048b", "2");
        PARSE_BAD(disk, "1000b");
        PARSE_BAD(disk, "unlimite");
        QCOMPARE(formatValue(disk.schema(), "0"), std::string("unlimited"));
        QCOMPARE(formatValue(disk.schema(), "1024"), std::string("1024kiB"));

        auto limited = size("used-disk", "MiB").range(16, 64).specialZero("unlimited");
        PARSE_OK(limited, "unlimited", "0");
        PARSE_OK(limited, "0", "0");
        PARSE_BAD(limited, "8");
        auto r = parseValue(limited.schema(), "8");
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.find("unlimited") != std::string::npos, r.error().message.c_str());
    }

    // Sizes too large for the stored 64-bit number must be refused, not
    // wrapped to a negative or arbitrary value.
    void sizeOverflow()
    {
        auto any = size("total", "kiB");  // no range
        PARSE_OK(any, "9223372036854775807", "9223372036854775807");
        PARSE_BAD(any, "9223372036854775808");
        PARSE_BAD(any, "18446744073709551615");
        PARSE_BAD(any, "18446744073709551615G");
        PARSE_BAD(any, "99999999999999999999999");
        PARSE_BAD(any, "9223372036854775807G");
    }

    void nullable()
    {
        auto n = reference("bridge", "/interface/bridge").nullable();
        PARSE_OK(n, "none", "");
        PARSE_OK(n, "", "");
        PARSE_OK(n, "bridge1", "bridge1");
        QCOMPARE(formatValue(n.schema(), ""), std::string("none"));
        QCOMPARE(formatValue(n.schema(), "bridge1"), std::string("bridge1"));

        auto notNull = reference("interface", "/interface");
        PARSE_BAD(notNull, "");
        PARSE_OK(notNull, "none", "none");  // just a name then
        QCOMPARE(formatValue(notNull.schema(), ""), std::string(""));

        auto nullIp = ip("gateway").nullable();
        PARSE_OK(nullIp, "none", "");
        PARSE_OK(nullIp, "10.0.0.1", "10.0.0.1");
        PARSE_BAD(nullIp, "nowhere");
    }

    void strings()
    {
        auto s = text("comment");
        PARSE_OK(s, "", "");
        PARSE_OK(s, "hello world", "hello world");
        PARSE_OK(s, "ünïcödé", "ünïcödé");
        PARSE_OK(s, std::string(255, 'a'), std::string(255, 'a'));
        PARSE_BAD(s, std::string(256, 'a'));
        PARSE_BAD(s, std::string("a\nb"));
        PARSE_BAD(s, std::string("a\x1b[2Jb"));
        PARSE_BAD(s, std::string("a\x7f"));
        PARSE_BAD(s, std::string("a\0b", 3));
        auto shortName = text("name").range(0, 15);
        PARSE_OK(shortName, "ether1", "ether1");
        PARSE_BAD(shortName, "a-very-long-interface-name");
    }

    void arguments()
    {
        wire::ArgumentSchema a;
        a.set_name("count");
        a.set_type(wire::TYPE_INTEGER);
        a.set_min(1);
        a.set_max(10);
        QCOMPARE(*parseArgument(a, "0x5"), std::string("5"));
        auto r = parseArgument(a, "11");
        QVERIFY(!r.ok());
        QCOMPARE(r.error().property, std::string("count"));
        QVERIFY(r.error().message.find("count") != std::string::npos);
    }

    void errorText()
    {
        mr::Error e = mr::Error::invalid("mtu", "must be between 68 and 65535");
        QCOMPARE(e.text(), std::string("mtu: must be between 68 and 65535"));
        mr::Error f = mr::Error::invalid("mtu", "invalid number 'x' for mtu");
        QCOMPARE(f.text(), std::string("invalid number 'x' for mtu"));
        mr::Error g = mr::Error::failed("boom");
        QCOMPARE(g.text(), std::string("boom"));
        auto w = f.toWire();
        auto back = mr::Error::fromWire(w);
        QCOMPARE(back.code, wire::ERROR_INVALID_ARGUMENT);
        QCOMPARE(back.property, std::string("mtu"));
        QCOMPARE(back.message, f.message);
    }

    void lookups()
    {
        wire::Schema schema;
        *schema.add_menus() = MenuBuilder("/interface/bridge")
                                  .property(text("name"))
                                  .property(integer("mtu"))
                                  .command(CommandBuilder("monitor"))
                                  .build();
        const auto* m = findMenu(schema, "/interface/bridge");
        QVERIFY(m);
        QVERIFY(!findMenu(schema, "/interface"));
        QVERIFY(findProperty(*m, "mtu"));
        QCOMPARE(findProperty(*m, "mtu")->type(), wire::TYPE_INTEGER);
        QVERIFY(!findProperty(*m, "mru"));
        QVERIFY(findCommand(*m, "monitor"));
        QVERIFY(!findCommand(*m, "reboot"));
    }
};

QTEST_GUILESS_MAIN(TestSchemaValues)
#include "test_schema_values.moc"
