// TerminalSession over raw bytes: echo, editing keys (also split across
// feeds), history, Ctrl-C/Ctrl-D, Tab and '?', CRLF output, attach.

#include <QtTest>

#include <cctype>

#include "cli_engine.h"
#include "qtest_std_string.h"
#include "key_decoder.h"
#include "terminal_session.h"
#include "test_backend.h"

using mr::cli::CliEngine;
using mr::cli::Key;
using mr::cli::KeyDecoder;
using mr::cli::TerminalSession;
using mr::cli::test::TestBackend;

namespace {

struct Rig {
    TestBackend backend;
    CliEngine engine{backend};
    std::string out;
    TerminalSession session{engine, [this](std::string_view s) { out += s; }};
    int quits = 0;
    std::optional<mr::cli::AttachRequest> attach;

    Rig()
    {
        session.setQuitHandler([this] { ++quits; });
        session.setAttachHandler([this](const mr::cli::AttachRequest& r) { attach = r; });
        session.start();
    }
    std::string take()
    {
        std::string s;
        s.swap(out);
        return s;
    }
    std::string bridgeProp(const std::string& name, const std::string& p)
    {
        const auto* o = backend.findByKey("/interface/bridge", name);
        return o && o->properties().count(p) ? o->properties().at(p) : "<none>";
    }
};


// Just enough of a VT100 to check where the session's output leaves text
// and cursor: autowrap with the pending-wrap column, CR, LF, BS, cursor
// up/forward/back, erase to end of screen.
class Screen {
public:
    explicit Screen(std::size_t width) : width_(width) {}

    void write(std::string_view s)
    {
        for (std::size_t i = 0; i < s.size(); ++i) {
            const char c = s[i];
            if (c == '\x1b' && i + 1 < s.size() && s[i + 1] == '[') {
                std::size_t j = i + 2;
                int n = 0;
                bool any = false;
                while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
                    n = n * 10 + (s[j++] - '0'), any = true;
                if (!any)
                    n = 1;
                const char f = j < s.size() ? s[j] : 0;
                if (f == 'A')
                    row_ = row_ >= std::size_t(n) ? row_ - n : 0;
                else if (f == 'C')
                    col_ = std::min(width_ - 1, col_ + n);
                else if (f == 'D')
                    col_ = col_ >= std::size_t(n) ? col_ - n : 0;
                else if (f == 'J') {
                    line(row_).resize(std::min(line(row_).size(), col_));
                    rows_.resize(row_ + 1);
                }
                pending_ = false;
                i = j;
                continue;
            }
            if (c == '\r') {
                col_ = 0;
                pending_ = false;
            } else if (c == '\n') {
                ++row_;
                pending_ = false;
            } else if (c == '\b') {
                if (col_ > 0)
                    --col_;
                pending_ = false;
            } else {
                if (pending_) {
                    ++row_;
                    col_ = 0;
                    pending_ = false;
                }
                auto& l = line(row_);
                if (l.size() <= col_)
                    l.resize(col_ + 1, ' ');
                l[col_] = c;
                if (col_ + 1 == width_)
                    pending_ = true;
                else
                    ++col_;
            }
        }
    }
    std::string& line(std::size_t r)
    {
        if (rows_.size() <= r)
            rows_.resize(r + 1);
        return rows_[r];
    }
    // Rows from `first` joined: wrapped text reads as one line again.
    std::string text(std::size_t first) const
    {
        std::string out;
        for (std::size_t r = first; r < rows_.size(); ++r)
            out += rows_[r];
        while (!out.empty() && out.back() == ' ')
            out.pop_back();
        return out;
    }
    std::size_t row() const { return row_; }
    std::size_t col() const { return col_; }

private:
    std::size_t width_;
    std::vector<std::string> rows_;
    std::size_t row_ = 0, col_ = 0;
    bool pending_ = false;
};

}  // namespace

class TestTerminalSession : public QObject {
    Q_OBJECT
private slots:
    void decoderHandlesSplitSequences()
    {
        KeyDecoder d;
        std::vector<Key> keys;
        for (char c : std::string("\x1b[A\x1bOB\x1b[3~\x1b[1;5~\x1b[F"))
            for (const Key& k : d.feed(std::string_view(&c, 1)))
                keys.push_back(k);
        const std::vector<Key> expected{{Key::Type::Up}, {Key::Type::Down}, {Key::Type::Delete}, {Key::Type::Home},
                                        {Key::Type::End}};
        QCOMPARE(keys.size(), expected.size());
        QVERIFY(keys == expected);
        // CR LF is one Enter, LF alone is one, CR CR two.
        QCOMPARE(d.feed("\r\n").size(), std::size_t(1));
        QCOMPARE(d.feed("\n").size(), std::size_t(1));
        QCOMPARE(d.feed("\r").size(), std::size_t(1));
        QCOMPARE(d.feed("\n\r").size(), std::size_t(1));  // the LF belonged to the previous CR
        QCOMPARE(d.feed("\r\r").size(), std::size_t(2));
        // Garbage CSI does not swallow what follows forever.
        const auto after = d.feed("\x1b[123456789012345678901234x");
        QVERIFY(!after.empty());
        QCOMPARE(after.back().type, Key::Type::Char);
    }

    void promptAndEcho()
    {
        Rig r;
        QCOMPARE(r.take(), std::string("[admin@MikroTik] > "));
        r.session.feed("/ip address");
        QCOMPARE(r.take(), std::string("/ip address"));
        r.session.feed("\r");
        QCOMPARE(r.take(), std::string("\r\n[admin@MikroTik] /ip address> "));
    }

    void outputUsesCrlf()
    {
        Rig r;
        r.take();
        r.session.feed("/interface bridge add name=br1\r/interface bridge print\r\n");
        const std::string out = r.take();
        QVERIFY(out.find("Flags: X - disabled, R - running\r\n") != std::string::npos);
        for (std::size_t i = 0; i < out.size(); ++i)
            if (out[i] == '\n')
                QVERIFY2(i > 0 && out[i - 1] == '\r', "bare LF in output");
        // CRLF was one Enter: exactly two new prompts after the two commands.
        std::size_t prompts = 0;
        for (std::size_t p = 0; (p = out.find("[admin@MikroTik] > ", p)) != std::string::npos; ++p)
            ++prompts;
        QCOMPARE(prompts, std::size_t(2));
    }

    void backspaceBothCodes()
    {
        Rig r;
        r.take();
        r.session.feed("/interface bridge add name=brXY");
        r.take();
        r.session.feed("\x7f");
        QCOMPARE(r.take(), std::string("\b \b"));
        r.session.feed("\x08Z\r");
        QCOMPARE(r.bridgeProp("brZ", "name"), std::string("brZ"));
    }

    void editingInTheMiddleWithSplitArrows()
    {
        Rig r;
        r.session.feed("/interface bridge add name=b mtu=1400");
        // Cursor left 9 times, with the escape sequences cut in odd places.
        const std::string lefts = [] {
            std::string s;
            for (int i = 0; i < 9; ++i)
                s += "\x1b[D";
            return s;
        }();
        for (std::size_t i = 0; i < lefts.size(); i += 2)
            r.session.feed(lefts.substr(i, 2));
        r.session.feed("r1");
        QCOMPARE(r.session.editor().text(), std::string("/interface bridge add name=br1 mtu=1400"));
        // Home, Delete, End, Left, Right: edits land where the cursor is.
        r.session.feed("\x1b[H\x1b[3~");
        QCOMPARE(r.session.editor().text(), std::string("interface bridge add name=br1 mtu=1400"));
        r.session.feed("/\x1b[F");
        QCOMPARE(r.session.editor().cursor(), r.session.editor().text().size());
        r.session.feed("\r");
        QCOMPARE(r.bridgeProp("br1", "mtu"), std::string("1400"));
    }

    void history()
    {
        Rig r;
        r.session.feed("/interface bridge add name=h1\r");
        r.session.feed("/interface bridge set h1 mtu=1300\r");
        r.session.feed("/ip addr");  // a draft, kept while browsing
        r.session.feed("\x1b[A\x1b[A");
        QCOMPARE(r.session.editor().text(), std::string("/interface bridge add name=h1"));
        r.session.feed("\x1b[B");
        QCOMPARE(r.session.editor().text(), std::string("/interface bridge set h1 mtu=1300"));
        r.session.feed("\x1b[B");
        QCOMPARE(r.session.editor().text(), std::string("/ip addr"));
        r.session.feed("\x15\x1b[A\x7f\x7f\x7f\x7f" "1400\r");  // Ctrl-U, up, edit the recalled line
        QCOMPARE(r.bridgeProp("h1", "mtu"), std::string("1400"));
        QCOMPARE(r.session.editor().history().size(), std::size_t(3));
    }

    void ctrlCAbortsTheLine()
    {
        Rig r;
        r.take();
        r.session.feed("/interface bridge add name=never\x03");
        QCOMPARE(r.take(), std::string("/interface bridge add name=never\r\n[admin@MikroTik] > "));
        r.session.feed("\r");
        QVERIFY(!r.backend.findByKey("/interface/bridge", "never"));
        QVERIFY(r.session.editor().history().empty());
    }

    void ctrlDLogsOutOnlyOnEmptyLine()
    {
        Rig r;
        r.session.feed("abc\x1b[D\x04");
        QCOMPARE(r.session.editor().text(), std::string("ab"));
        QCOMPARE(r.quits, 0);
        r.session.feed("\x15\x04");
        QCOMPARE(r.quits, 1);
        QVERIFY(r.session.closed());
        r.take();
        r.session.feed("/interface bridge add name=late\r");
        QVERIFY(r.out.empty());
        QVERIFY(!r.backend.findByKey("/interface/bridge", "late"));
    }

    void quitCommand()
    {
        Rig r;
        r.session.feed("quit\r");
        QCOMPARE(r.quits, 1);
        QVERIFY(r.session.closed());
    }

    void tabCompletesAndDoubleTabLists()
    {
        Rig r;
        r.session.feed("/metarouter\r");
        r.take();
        r.session.feed("interface add \t");
        QCOMPARE(r.take(), std::string("interface add "));  // nothing to add yet
        r.session.feed("\t");
        const std::string listing = r.take();
        QVERIFY2(listing.find("\r\ncomment    disabled") != std::string::npos, listing.c_str());
        // Then prompt and line again, below the listing.
        QVERIFY(listing.find("virtual-machine\r\n") < listing.find("[admin@MikroTik] /metarouter> interface add "));
        r.session.feed("virt\t");
        QCOMPARE(r.session.editor().text(), std::string("interface add virtual-machine="));
    }

    void questionMarkShowsHelpAndKeepsTheLine()
    {
        Rig r;
        r.session.feed("/interface bridge add mtu=");
        r.take();
        r.session.feed("?");
        const std::string out = r.take();
        QVERIFY(out.find("68..65535") != std::string::npos);
        QVERIFY(out.find("[admin@MikroTik] > /interface bridge add mtu=") != std::string::npos);
        QCOMPARE(r.session.editor().text(), std::string("/interface bridge add mtu="));
        // Inside quotes '?' is text.
        r.session.feed("1500 name=\"what?\"\r");
        QCOMPARE(r.bridgeProp("what?", "mtu"), std::string("1500"));
    }

    void attachStopsInputUntilResume()
    {
        Rig r;
        r.backend.observe("/metarouter", {{"name", "mr1"}, {"state", "running"}});
        r.session.feed("/metarouter console mr1\r");
        QVERIFY(r.attach.has_value());
        QCOMPARE(r.attach->target, std::string("mr1"));
        QVERIFY(r.session.attached());
        r.take();
        r.session.feed("typed into the console\r");
        QVERIFY(r.out.empty());
        r.session.resume("Welcome back!\n");
        QCOMPARE(r.take(), std::string("Welcome back!\r\n[admin@MikroTik] > "));
        QVERIFY(!r.session.attached());
    }

    void longLinesWrapAtTheWidth()
    {
        Rig r;
        r.session.resize(30, 24);
        QCOMPARE(r.engine.width(), std::size_t(30));
        r.take();
        // Prompt is 19 columns: the line crosses two row boundaries.
        const std::string line = "/interface bridge add name=wrapped comment=aaaaaaaaaaaaaaaaaaaa";
        r.session.feed(line);
        r.session.feed("\x01");  // Home: the redraw climbs the rows it wrapped to
        QVERIFY2(r.take().find("\x1b[2A") != std::string::npos, "cursor did not go up two rows");
        r.session.feed("\r");
        QCOMPARE(r.bridgeProp("wrapped", "comment"), std::string("aaaaaaaaaaaaaaaaaaaa"));
    }

    void screenStaysRightWhileEditingWrappedLines()
    {
        Rig r;
        r.session.resize(30, 24);
        Screen screen(30);
        screen.write(r.take());
        const std::string prompt = r.engine.prompt();
        auto check = [&](const char* step) {
            screen.write(r.take());
            const auto& ed = r.session.editor();
            std::string expected = prompt + ed.text();
            while (expected.back() == ' ')
                expected.pop_back();
            if (screen.text(0) != expected)
                qWarning("screen '%s' line '%s'", screen.text(0).c_str(), expected.c_str());
            QVERIFY2(screen.text(0) == expected, step);
            const std::size_t p = prompt.size() + ed.cursor();
            QVERIFY2(screen.row() == p / 30 && screen.col() == p % 30, step);
        };
        // Type up to, across and past the first and second row boundaries.
        for (char c : std::string("/interface bridge add name=abcdefghijklmnopqrstuvwxyz0123456789")) {
            r.session.feed(std::string_view(&c, 1));
            check("typing");
        }
        for (int i = 0; i < 12; ++i) {
            r.session.feed("\x7f");
            check("backspace at the end");
        }
        for (int i = 0; i < 20; ++i) {
            r.session.feed("\x1b[D");
            check("left");
        }
        r.session.feed("XYZ");
        check("insert in the middle");
        r.session.feed("\x7f\x7f");
        check("backspace in the middle");
        r.session.feed("\x01");
        check("home");
        r.session.feed("\x05");
        check("end");
        r.session.feed("\x1b[A");  // nothing in history: line stays
        check("up");
        r.session.feed("\x0b\x01\x0b");
        check("kill");
        r.session.feed("/interface bridge add name=exactly-to-the-edge");
        check("retype");
    }

    void utf8MovesByCharacter()
    {
        Rig r;
        r.session.feed("/interface bridge add name=x comment=h\xc3\xa9");
        r.session.feed("\x7f");
        QCOMPARE(r.session.editor().text(), std::string("/interface bridge add name=x comment=h"));
        r.session.feed("\xc3\xa9\xc3\xa9\x1b[D\x1b[D\x7f\r");
        const auto* o = r.backend.findByKey("/interface/bridge", "x");
        QVERIFY(o);
        QCOMPARE(o->properties().at("comment"), std::string("\xc3\xa9\xc3\xa9"));
    }
};

QTEST_APPLESS_MAIN(TestTerminalSession)
#include "test_terminal_session.moc"
