// The console's Ctrl-A escape: transparent bytes, the manual's help and
// "Welcome back!", quit/break/literal Ctrl-A/rate, unknown keys ignored,
// escapes split across feeds, and what is left after quit.

#include <QtTest>

#include <string>
#include <vector>

#include "console_escape.h"
#include "qtest_std_string.h"

using mr::protocol::ConsoleEscape;

namespace {

// Records what the machine did, in order: "C:bytes" to the console,
// "U:text" to the user, "BREAK", "QUIT".
struct Rig {
    std::vector<std::string> events;
    std::string console;
    int breaks = 0;
    int quits = 0;
    ConsoleEscape escape{ConsoleEscape::Handlers{
        [this](std::string_view b) {
            console += b;
            events.push_back("C:" + std::string(b));
        },
        [this](std::string_view t) { events.push_back("U:" + std::string(t)); },
        [this] {
            ++breaks;
            events.emplace_back("BREAK");
        },
        [this] {
            ++quits;
            events.emplace_back("QUIT");
        },
    }};
};

}  // namespace

class ConsoleEscapeTest : public QObject {
    Q_OBJECT

private slots:
    void transparentBytesPassInOnePiece()
    {
        Rig r;
        QCOMPARE(r.escape.feed("admin\r\nls -l\r\n"), std::size_t(14));
        QCOMPARE(r.events.size(), std::size_t(1));
        QCOMPARE(r.console, std::string("admin\r\nls -l\r\n"));
        QVERIFY(!r.escape.inCommand());
    }

    void manualTexts()
    {
        // The manual's words, exactly.
        QCOMPARE(std::string(ConsoleEscape::kHelp),
                 std::string("\r\n[Q - quit connection]      [B - send break]\r\n"
                             "[A - send Ctrl-A prefix]   [R - autoconfigure rate]\r\n"));
        QCOMPARE(std::string(ConsoleEscape::kWelcomeBack), std::string(" Welcome back!\r\n"));
        QCOMPARE(std::string(ConsoleEscape::kAttachBanner), std::string("[Ctrl-A is the prefix key]\r\n"));
    }

    void ctrlAShowsHelpThenQuitSaysWelcomeBack()
    {
        Rig r;
        QCOMPARE(r.escape.feed("ab\x01"), std::size_t(3));
        QVERIFY(r.escape.inCommand());
        QCOMPARE(r.events, (std::vector<std::string>{"C:ab", "U:" + std::string(ConsoleEscape::kHelp)}));
        QCOMPARE(r.escape.feed("q"), std::size_t(1));
        QCOMPARE(r.quits, 1);
        QVERIFY(r.escape.quitted());
        QCOMPARE(r.events.back(), std::string("QUIT"));
        QCOMPARE(r.events[r.events.size() - 2], "U:" + std::string(ConsoleEscape::kWelcomeBack));
        QCOMPARE(r.console, std::string("ab"));  // neither Ctrl-A nor q reached the guest
    }

    void quitLeavesTheRestUnconsumed()
    {
        Rig r;
        const std::string typed = "x\x01Q/interface print\r";
        const std::size_t used = r.escape.feed(typed);
        QCOMPARE(used, std::size_t(3));
        QCOMPARE(typed.substr(used), std::string("/interface print\r"));
        QCOMPARE(r.console, std::string("x"));
        // After quit the machine takes nothing more.
        QCOMPARE(r.escape.feed("more"), std::size_t(0));
        QCOMPARE(r.quits, 1);
    }

    void upperAndLowerCaseCommands()
    {
        for (const char* key : {"b", "B"}) {
            Rig r;
            r.escape.feed(std::string("1\x01") + key + "2");
            QCOMPARE(r.breaks, 1);
            // The break goes between the bytes typed before and after it.
            QCOMPARE(r.events.front(), std::string("C:1"));
            QCOMPARE(r.events[2], std::string("BREAK"));
            QCOMPARE(r.events.back(), std::string("C:2"));
            QVERIFY(!r.escape.inCommand());
        }
        Rig q;
        q.escape.feed("\x01Q");
        QCOMPARE(q.quits, 1);
    }

    void literalCtrlA()
    {
        for (const char* seq : {"\x01" "a", "\x01" "A", "\x01\x01"}) {
            Rig r;
            r.escape.feed(std::string("<") + seq + ">");
            QCOMPARE(r.console, std::string("<\x01>"));
            QVERIFY(!r.escape.inCommand());
            QCOMPARE(r.quits, 0);
        }
        // Ctrl-A twice, then again: a literal, then command state once more.
        Rig r;
        r.escape.feed("\x01\x01\x01");
        QCOMPARE(r.console, std::string("\x01"));
        QVERIFY(r.escape.inCommand());
    }

    void rateWithoutAHandlerDoesNotApply()
    {
        // A metarouter's console: R answers that it does not apply, sends nothing.
        Rig r;
        r.escape.feed("\x01r\x01R");
        QCOMPARE(r.console, std::string());
        QCOMPARE(r.events.size(), std::size_t(4));
        QCOMPARE(r.events[1], "U:" + std::string(ConsoleEscape::kRateAck));
        QCOMPARE(r.events[3], "U:" + std::string(ConsoleEscape::kRateAck));
        QVERIFY(std::string(ConsoleEscape::kRateAck).find("does not apply") != std::string::npos);
        QVERIFY(std::string(ConsoleEscape::kRateAck).find("virtual serial line") != std::string::npos);
        QVERIFY(!r.escape.inCommand());
    }

    void rateWithAHandlerRunsIt()
    {
        // A serial port: R runs its autoconfiguration, which reports by itself.
        std::vector<std::string> events;
        int rates = 0;
        ConsoleEscape escape{ConsoleEscape::Handlers{
            [&](std::string_view b) { events.push_back("C:" + std::string(b)); },
            [&](std::string_view t) { events.push_back("U:" + std::string(t)); },
            [&] { events.emplace_back("BREAK"); },
            [&] { events.emplace_back("QUIT"); },
            [&] {
                ++rates;
                events.emplace_back("RATE");
            },
        }};
        escape.feed("x\x01Ry\x01r");
        QCOMPARE(rates, 2);
        QCOMPARE(events, (std::vector<std::string>{"C:x", "U:" + std::string(ConsoleEscape::kHelp), "RATE", "C:y",
                                                   "U:" + std::string(ConsoleEscape::kHelp), "RATE"}));
        QVERIFY(!escape.inCommand());
    }

    void everyCommandKey()
    {
        // Each of the 256 byte values after Ctrl-A: only the manual's keys act,
        // and every key leaves command state.
        for (int k = 0; k < 256; ++k) {
            const char key = char(k);
            Rig r;
            QCOMPARE(r.escape.feed(std::string("\x01") + key), std::size_t(2));
            QVERIFY(!r.escape.inCommand());
            const std::vector<std::string> help{"U:" + std::string(ConsoleEscape::kHelp)};
            std::vector<std::string> expected = help;
            switch (key) {
            case 'q':
            case 'Q':
                expected.push_back("U:" + std::string(ConsoleEscape::kWelcomeBack));
                expected.emplace_back("QUIT");
                break;
            case 'b':
            case 'B':
                expected.emplace_back("BREAK");
                expected.push_back("U:" + std::string(ConsoleEscape::kBreakSent));
                break;
            case 'a':
            case 'A':
            case ConsoleEscape::kPrefix:
                expected.emplace_back("C:\x01");
                break;
            case 'r':
            case 'R':
                expected.push_back("U:" + std::string(ConsoleEscape::kRateAck));
                break;
            default:
                break;  // ignored: nothing reaches the console
            }
            QVERIFY2(r.events == expected, qPrintable(QString::number(k)));
            QCOMPARE(r.escape.quitted(), key == 'q' || key == 'Q');
        }
    }

    void unknownKeysAreIgnoredAndReturnToTransparent()
    {
        Rig r;
        r.escape.feed("\x01x\x01\r\x01\x1b" "abc");
        QCOMPARE(r.console, std::string("abc"));
        QCOMPARE(r.breaks + r.quits, 0);
        QVERIFY(!r.escape.inCommand());
    }

    void splitAcrossFeeds()
    {
        Rig r;
        r.escape.feed("hello\x01");
        QVERIFY(r.escape.inCommand());
        r.escape.feed("b");
        QCOMPARE(r.breaks, 1);
        r.escape.feed("\x01");
        r.escape.feed("a");
        r.escape.feed("\x01");
        QCOMPARE(r.escape.feed("q"), std::size_t(1));
        QCOMPARE(r.console, std::string("hello\x01"));
        QCOMPARE(r.quits, 1);
    }

    void quitHandlerMayDestroyTheMachine()
    {
        auto escape = std::make_unique<ConsoleEscape>(ConsoleEscape::Handlers{});
        std::string said;
        escape = std::make_unique<ConsoleEscape>(ConsoleEscape::Handlers{
            {}, [&](std::string_view t) { said += t; }, {}, [&] { escape.reset(); }});
        QCOMPARE(escape->feed("\x01q rest"), std::size_t(2));
        QVERIFY(!escape);
        QVERIFY(said.find("Welcome back!") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(ConsoleEscapeTest)
#include "test_console_escape.moc"
