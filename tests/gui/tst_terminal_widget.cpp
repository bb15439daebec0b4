// The terminal widget against scripted escape sequences: text, colours and
// attributes, cursor moves, clears, scrolling into the scrollback, scroll
// regions, wide characters, keys typed, answers to queries, resizing, zoom,
// selection with copy/paste, and a burst processed in slices.

#include <QApplication>
#include <QClipboard>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>

#include "terminal_widget.h"

using mr::ui::TerminalWidget;

namespace {
QByteArray typedBytes(const QSignalSpy& spy)
{
    QByteArray all;
    for (const auto& args : spy)
        all += args.at(0).toByteArray();
    return all;
}
}  // namespace

class TestTerminalWidget : public QObject {
    Q_OBJECT

    // A fixed 40x10 terminal, independent of the widget's pixel size.
    std::unique_ptr<TerminalWidget> make()
    {
        auto t = std::make_unique<TerminalWidget>();
        t->resize(600, 300);
        t->show();
        t->setTerminalSize(40, 10);
        return t;
    }
    static void run(TerminalWidget& t, const QByteArray& bytes)
    {
        t.feed(bytes);
        t.flush();
    }

private slots:
    void textAndNewlines()
    {
        auto t = make();
        run(*t, "MetaRouter Login: admin\r\nPassword: \r\n[admin@MikroTik] > ");
        const QStringList lines = t->screenLines();
        QCOMPARE(lines.size(), 10);
        QCOMPARE(lines[0], QStringLiteral("MetaRouter Login: admin"));
        QCOMPARE(lines[1], QStringLiteral("Password:"));
        QCOMPARE(lines[2], QStringLiteral("[admin@MikroTik] >"));
        QCOMPARE(t->cursor().row, 2);
        QCOMPARE(t->cursor().column, 19);
        // A line feed alone moves down, not back to column 0.
        run(*t, "\r\nab\ncd");
        QCOMPARE(t->screenLines()[3], QStringLiteral("ab"));
        QCOMPARE(t->screenLines()[4], QStringLiteral("  cd"));
    }

    void coloursAndAttributes()
    {
        auto t = make();
        run(*t, "\x1b[31mR\x1b[0m \x1b[1;32mG\x1b[0m \x1b[44mB\x1b[0m \x1b[38;5;196mX\x1b[0m "
                "\x1b[38;2;1;2;3mT\x1b[0m \x1b[4mU\x1b[0m \x1b[7mV\x1b[0m \x1b[3mI\x1b[0m N");
        QCOMPARE(t->screenLines()[0], QStringLiteral("R G B X T U V I N"));
        const auto red = t->cellAt(0, 0);
        QVERIFY2(qRed(red.fg) > 180 && qGreen(red.fg) < 60 && qBlue(red.fg) < 60, qPrintable(QColor(red.fg).name()));
        QVERIFY(red.defaultBg && !red.bold);
        const auto green = t->cellAt(0, 2);
        QVERIFY(green.bold);
        QVERIFY2(qGreen(green.fg) > 180 && qRed(green.fg) < 120, qPrintable(QColor(green.fg).name()));
        const auto blue = t->cellAt(0, 4);
        QVERIFY(!blue.defaultBg);
        QVERIFY2(qBlue(blue.bg) > 150 && qRed(blue.bg) < 100, qPrintable(QColor(blue.bg).name()));
        QCOMPARE(t->cellAt(0, 6).fg, qRgb(255, 0, 0));   // 256-colour palette 196
        QCOMPARE(t->cellAt(0, 8).fg, qRgb(1, 2, 3));     // true colour
        QVERIFY(t->cellAt(0, 10).underline);
        QVERIFY(t->cellAt(0, 12).reverse);
        QVERIFY(t->cellAt(0, 14).italic);
        const auto plain = t->cellAt(0, 16);
        QVERIFY(!plain.bold && !plain.underline && !plain.reverse && !plain.italic && plain.defaultBg);
        QCOMPARE(plain.fg, t->cellAt(0, 1).fg);  // back to the default colour
        QVERIFY(plain.fg != red.fg);
    }

    void cursorMovesAndClears()
    {
        auto t = make();
        run(*t, "\x1b[5;10HX\x1b[1;1HA\x1b[3;3HB\x1b[2AC\x1b[10GD");
        QCOMPARE(t->screenLines()[4], QStringLiteral("         X"));
        QCOMPARE(t->screenLines()[0], QStringLiteral("A  C     D"));
        QCOMPARE(t->screenLines()[2], QStringLiteral("  B"));
        QCOMPARE(t->cursor().row, 0);
        QCOMPARE(t->cursor().column, 10);
        // Erase to the end of the line, then the whole screen.
        run(*t, "\x1b[1;3H\x1b[K");
        QCOMPARE(t->screenLines()[0], QStringLiteral("A"));
        run(*t, "\x1b[2J");
        for (const QString& line : t->screenLines())
            QVERIFY(line.isEmpty());
        // Hidden and shown cursor.
        run(*t, "\x1b[?25l");
        QVERIFY(!t->cursorVisible());
        run(*t, "\x1b[?25h");
        QVERIFY(t->cursorVisible());
    }

    void scrollingFillsTheScrollback()
    {
        auto t = make();
        QByteArray lines;
        for (int i = 1; i <= 30; ++i)
            lines += "line " + QByteArray::number(i) + "\r\n";
        run(*t, lines);
        // 30 lines and the cursor's empty one on 10 rows: 21 went up.
        QCOMPARE(t->scrollbackSize(), 21);
        QCOMPARE(t->scrollbackLine(0), QStringLiteral("line 1"));
        QCOMPARE(t->scrollbackLine(20), QStringLiteral("line 21"));
        QCOMPARE(t->screenLines()[0], QStringLiteral("line 22"));
        QCOMPARE(t->screenLines()[8], QStringLiteral("line 30"));
        // The view follows the output; scrolling back shows older lines.
        QCOMPARE(t->scrolledBack(), 0);
        t->verticalScrollBar()->setValue(5);
        QCOMPARE(t->scrolledBack(), 16);
        run(*t, "more\r\n");
        QCOMPARE(t->scrolledBack(), 17);  // stays on what the user looks at
        t->scrollToBottom();
        QCOMPARE(t->scrolledBack(), 0);
    }

    void scrollRegionKeepsTheRest()
    {
        auto t = make();
        run(*t, "top\x1b[10;1Hbottom\x1b[2;4r\x1b[2;1Ha\r\nb\r\nc\r\nd\r\ne");
        const QStringList lines = t->screenLines();
        QCOMPARE(lines[0], QStringLiteral("top"));
        QCOMPARE(lines[1], QStringLiteral("c"));
        QCOMPARE(lines[2], QStringLiteral("d"));
        QCOMPARE(lines[3], QStringLiteral("e"));
        QCOMPARE(lines[9], QStringLiteral("bottom"));
        QCOMPARE(t->scrollbackSize(), 0);  // a region's lines are not history
    }

    void wideCharactersAndSplitUtf8()
    {
        auto t = make();
        const QByteArray text = QStringLiteral("宽字x").toUtf8();
        // Byte by byte: a character split across reads still decodes.
        for (char c : text)
            t->feed(QByteArray(1, c));
        t->flush();
        QCOMPARE(t->screenLines()[0], QStringLiteral("宽字x"));
        QCOMPARE(int(t->cellAt(0, 0).width), 2);
        QCOMPARE(int(t->cellAt(0, 1).width), 0);
        QCOMPARE(t->cellAt(0, 2).ch, U'字');
        QCOMPARE(t->cellAt(0, 4).ch, U'x');
        QCOMPARE(t->cursor().column, 5);
    }

    void keysAreTyped()
    {
        auto t = make();
        t->setFocus();
        QSignalSpy typed(t.get(), &TerminalWidget::typed);
        QTest::keyClicks(t.get(), QStringLiteral("ls"));
        QTest::keyClick(t.get(), Qt::Key_Return);
        QTest::keyClick(t.get(), Qt::Key_A, Qt::ControlModifier);
        QTest::keyClick(t.get(), Qt::Key_C, Qt::ControlModifier);
        QTest::keyClick(t.get(), Qt::Key_Up);
        QTest::keyClick(t.get(), Qt::Key_Tab);
        QTest::keyClick(t.get(), Qt::Key_Backspace);
        QTest::keyClick(t.get(), Qt::Key_Escape);
        QTest::keyClick(t.get(), Qt::Key_F1);
        QCOMPARE(typedBytes(typed), QByteArray("ls\r\x01\x03\x1b[A\t\x7f\x1b\x1bOP"));
        // Application cursor keys, as the far end asks for them.
        typed.clear();
        run(*t, "\x1b[?1h");
        QTest::keyClick(t.get(), Qt::Key_Up);
        QCOMPARE(typedBytes(typed), QByteArray("\x1bOA"));
    }

    void queriesAreAnsweredApart()
    {
        auto t = make();
        QSignalSpy typed(t.get(), &TerminalWidget::typed);
        QSignalSpy response(t.get(), &TerminalWidget::response);
        run(*t, "\x1b[3;7H\x1b[6n");
        QCOMPARE(typedBytes(response), QByteArray("\x1b[3;7R"));
        QCOMPARE(typed.count(), 0);  // not through a console's escape
    }

    void resizeAndZoomAnnounceTheSize()
    {
        TerminalWidget t;
        QSignalSpy size(&t, &TerminalWidget::sizeChanged);
        t.resize(800, 400);
        t.show();
        QVERIFY(QTest::qWaitForWindowExposed(&t));
        QTRY_VERIFY(size.count() > 0);
        const int cols = t.columns(), rows = t.rows();
        QVERIFY2(cols > 40 && rows > 10, qPrintable(QStringLiteral("%1x%2").arg(cols).arg(rows)));
        QCOMPARE(size.last().at(0).toInt(), cols);
        QCOMPARE(size.last().at(1).toInt(), rows);
        t.resize(400, 200);
        QTRY_VERIFY(t.columns() < cols);
        QCOMPARE(size.last().at(0).toInt(), t.columns());
        // Bigger glyphs, fewer cells.
        const int before = t.columns();
        t.setFocus();
        QTest::keyClick(&t, Qt::Key_Plus, Qt::ControlModifier);
        QTest::keyClick(&t, Qt::Key_Plus, Qt::ControlModifier);
        QVERIFY(t.columns() < before);
        QCOMPARE(size.last().at(0).toInt(), t.columns());
        QTest::keyClick(&t, Qt::Key_0, Qt::ControlModifier);
        QCOMPARE(t.columns(), before);
        t.setPointSize(1000);
        QCOMPARE(t.pointSize(), TerminalWidget::kMaxPointSize);
    }

    void selectionCopyAndPaste()
    {
        auto t = make();
        run(*t, "first line\r\nsecond line\r\n");
        QVERIFY(t->selectedText().isEmpty());
        t->selectAll();
        QCOMPARE(t->selectedText().trimmed(), QStringLiteral("first line\nsecond line"));
        t->clearSelection();
        t->copy();  // nothing selected: the clipboard is left alone
        QApplication::clipboard()->setText(QStringLiteral("/system identity print\nquit"));
        QSignalSpy typed(t.get(), &TerminalWidget::typed);
        t->setFocus();
        QTest::keyClick(t.get(), Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(typedBytes(typed), QByteArray("/system identity print\rquit"));
        // Bracketed when the far end asked for it.
        typed.clear();
        run(*t, "\x1b[?2004h");
        t->paste();
        QCOMPARE(typedBytes(typed), QByteArray("\x1b[200~/system identity print\rquit\x1b[201~"));
        t->selectAll();
        t->copy();
        QCOMPARE(QApplication::clipboard()->text().trimmed(), QStringLiteral("first line\nsecond line"));
    }

    void mouseSelects()
    {
        auto t = make();
        run(*t, "alpha beta gamma\r\nnext\r\n");
        auto at = [&](int row, qreal column) {
            const QRectF cell = t->cellRect(row, int(column));
            return QPoint(int(cell.left() + (column - int(column)) * cell.width()), int(cell.center().y()));
        };
        // A double click takes the word.
        QTest::mouseDClick(t->viewport(), Qt::LeftButton, {}, at(0, 7.5));
        QCOMPARE(t->selectedText(), QStringLiteral("beta"));
        // A drag from the middle of row 0 to row 1.
        QTest::mousePress(t->viewport(), Qt::LeftButton, {}, at(0, 11));
        QMouseEvent move(QEvent::MouseMove, at(1, 2), t->viewport()->mapToGlobal(at(1, 2)), Qt::NoButton,
                         Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(t->viewport(), &move);
        QTest::mouseRelease(t->viewport(), Qt::LeftButton, {}, at(1, 2));
        QCOMPARE(t->selectedText(), QStringLiteral("gamma\nne"));
        // A click clears it.
        QTest::mouseClick(t->viewport(), Qt::LeftButton, {}, at(1, 1));
        QVERIFY(t->selectedText().isEmpty());
    }

    void burstIsProcessedInSlices()
    {
        auto t = make();
        QSignalSpy consumed(t.get(), &TerminalWidget::consumed);
        QByteArray chunk;
        for (int i = 0; i < 1000; ++i)
            chunk += "\x1b[1;3" + QByteArray::number(i % 8) + "mline " + QByteArray::number(i) +
                     " \x1b[0mwith some text to fill the row\r\n";
        QByteArray burst;
        while (burst.size() < 8 * 1024 * 1024)
            burst += chunk;
        t->feed(burst);
        QCOMPARE(t->pending(), burst.size());
        // One pass of the event loop handles one slice, not the whole burst.
        QCoreApplication::processEvents();
        QVERIFY(consumed.count() >= 1);
        qint64 done = 0;
        for (const auto& args : consumed)
            done += args.at(0).toLongLong();
        QVERIFY2(done > 0 && done < burst.size(), qPrintable(QString::number(done)));
        QTRY_COMPARE_WITH_TIMEOUT(t->pending(), qsizetype(0), 60000);
        done = 0;
        for (const auto& args : consumed)
            done += args.at(0).toLongLong();
        QCOMPARE(done, qint64(burst.size()));
        QCOMPARE(t->scrollbackSize(), TerminalWidget::kScrollbackLines);
        QCOMPARE(t->screenLines()[8], QStringLiteral("line 999 with some text to fill the row").left(40));
    }

    void paintsTheCells()
    {
        auto t = make();
        run(*t, "\x1b[41m    \x1b[0m");
        QTest::qWait(50);
        const QImage img = t->viewport()->grab().toImage();
        const QColor bg = img.pixelColor(t->cellRect(0, 1).center().toPoint());
        QVERIFY2(bg.red() > 150 && bg.green() < 80, qPrintable(bg.name()));
        // Beyond the red cells, the default background.
        const QColor beyond = img.pixelColor(img.width() / 2, img.height() / 2);
        QVERIFY2(beyond.red() < 60 && beyond.green() < 60, qPrintable(beyond.name()));
    }

    void paintsTheCursor()
    {
        auto t = make();
        run(*t, "ab");
        t->activateWindow();
        t->setFocus();
        QTRY_VERIFY(t->hasFocus());
        QTest::qWait(30);
        const QRectF cell = t->cellRect(0, 2);
        // Focused: a light block (just shown: it blinks off only later).
        QImage img = t->viewport()->grab().toImage();
        QVERIFY2(img.pixelColor(cell.center().toPoint()).lightness() > 150,
                 qPrintable(img.pixelColor(cell.center().toPoint()).name()));
        // Without focus: an outline, the inside shows the background.
        t->clearFocus();
        QTest::qWait(30);
        img = t->viewport()->grab().toImage();
        QVERIFY(img.pixelColor(cell.center().toPoint()).lightness() < 80);
        bool edge = false;
        for (int dx = -1; dx <= 2; ++dx)
            edge |= img.pixelColor(int(cell.left()) + dx, int(cell.center().y())).lightness() > 150;
        QVERIFY(edge);
        // Hidden by the far end: not painted.
        run(*t, "\x1b[?25l");
        QTest::qWait(30);
        img = t->viewport()->grab().toImage();
        for (int dx = -1; dx <= 2; ++dx)
            QVERIFY(img.pixelColor(int(cell.left()) + dx, int(cell.center().y())).lightness() < 80);
    }
};

QTEST_MAIN(TestTerminalWidget)
#include "tst_terminal_widget.moc"
