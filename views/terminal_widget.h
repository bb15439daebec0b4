#pragma once
// A terminal emulator widget on libvterm (0.1.4's API): paints the screen
// with colours and attributes, a blinking cursor, scrollback, selection with
// copy/paste and font zoom. It knows no transport: bytes come in through
// feed(), typed bytes leave through typed(), and a resize is announced by
// sizeChanged() for the far end's terminal.

#include <QAbstractScrollArea>
#include <QByteArray>
#include <QColor>
#include <QElapsedTimer>
#include <QFont>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <cstdint>
#include <deque>
#include <vector>

struct VTerm;
struct VTermScreen;
struct VTermState;

namespace mr::ui {

class TerminalWidget final : public QAbstractScrollArea {
    Q_OBJECT
public:
    // One character cell as painted (screen and scrollback alike).
    struct Cell {
        char32_t ch = 0;      // 0: empty; a wide character's second half has width 0
        QRgb fg = 0;
        QRgb bg = 0;
        bool defaultBg = true;
        bool bold = false;
        bool underline = false;
        bool italic = false;
        bool reverse = false;
        bool strike = false;
        quint8 width = 1;
    };

    static constexpr int kScrollbackLines = 10000;
    static constexpr int kMinPointSize = 6;
    static constexpr int kMaxPointSize = 40;

    explicit TerminalWidget(QWidget* parent = nullptr);
    ~TerminalWidget() override;

    // Output of the far end. Queued and processed in slices between which
    // the event loop runs, so a burst of megabytes never freezes the window;
    // consumed() reports what has been processed (for flow control).
    void feed(const QByteArray& bytes);
    // Processes everything queued now (tests, benchmarks).
    void flush();
    qsizetype pending() const { return pendingBytes_; }

    int columns() const { return cols_; }
    int rows() const { return rows_; }
    // Sets the terminal's size in cells (normally it follows the widget).
    void setTerminalSize(int columns, int rows);

    // The visible screen (not the scrollback), one string per row, trailing
    // blanks removed; a wide character occupies one QChar pair, not two cells.
    QStringList screenLines() const;
    QString screenText() const { return screenLines().join(QLatin1Char('\n')); }
    Cell cellAt(int row, int column) const;  // a screen cell
    int scrollbackSize() const { return int(scrollback_.size()); }
    QString scrollbackLine(int index) const;  // 0: the oldest
    struct CursorPos {
        int row = 0;
        int column = 0;
    };
    CursorPos cursor() const { return cursor_; }
    bool cursorVisible() const { return cursorVisible_; }

    // Selection in lines counted from the top of the scrollback.
    void selectAll();
    void clearSelection();
    QString selectedText() const;
    void copy();
    void paste();  // the clipboard, as typed (bracketed if the far end asked)

    void zoomIn() { setPointSize(font_.pointSize() + 1); }
    void zoomOut() { setPointSize(font_.pointSize() - 1); }
    void resetZoom() { setPointSize(basePointSize_); }
    int pointSize() const { return font_.pointSize(); }
    QSizeF cellSize() const { return {cellWidth_, qreal(cellHeight_)}; }
    // Where a screen cell is painted, in viewport coordinates.
    QRectF cellRect(int row, int column) const;
    void setPointSize(int points);

    // Scrollback view: 0 is the live screen, n is n lines back.
    int scrolledBack() const;
    void scrollToBottom();

    // Sends bytes as if typed (the escape bar, pasting, tests).
    void type(const QByteArray& bytes) { emit typed(bytes); }

    QSize sizeHint() const override;

signals:
    void typed(const QByteArray& bytes);
    // The terminal's own answers to the far end's queries (cursor position,
    // device attributes): for the far end, not through a console escape.
    void response(const QByteArray& bytes);
    void sizeChanged(int columns, int rows);
    void consumed(qint64 bytes);
    void titleChanged(const QString& title);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void focusInEvent(QFocusEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;
    bool focusNextPrevChild(bool next) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    // libvterm's C callbacks (in the .cpp) reach the members below.
    friend struct TerminalCallbacks;

    struct Pos {
        int line = 0;  // from the top of the scrollback
        int column = 0;
    };

    void processPending();
    void scheduleRepaint();
    void restartBlink();  // shown now, hidden a blink period later
    void updateMetrics();
    void fitToViewport();  // as many cells as the viewport holds
    void updateScrollBar();
    void flushOutput();
    Cell blankCell() const;
    Cell cellOfLine(int line, int column) const;  // a line of scrollback + screen
    QString lineText(int line, int from, int to) const;
    Pos posAt(const QPoint& p) const;
    bool isSelected(int line, int column) const;
    int topLine() const;  // first painted line, in scrollback + screen lines

    VTerm* vt_ = nullptr;
    VTermScreen* screen_ = nullptr;
    VTermState* state_ = nullptr;
    int cols_ = 80;
    int rows_ = 24;

    // Received, not yet processed: the buffers as they came (shared, not
    // copied), the first one consumed up to pendingAt_.
    std::deque<QByteArray> pending_;
    qsizetype pendingAt_ = 0;
    qsizetype pendingBytes_ = 0;
    bool processScheduled_ = false;
    QByteArray output_;  // what libvterm produced for the far end

    std::deque<std::vector<Cell>> scrollback_;
    CursorPos cursor_;
    bool cursorVisible_ = true;
    bool cursorBlinks_ = true;
    int cursorShape_ = 1;  // VTERM_PROP_CURSORSHAPE_BLOCK
    bool blinkOn_ = true;
    QTimer blink_;
    QTimer repaint_;  // coalesces damage: at most one paint per frame
    bool followOutput_ = true;  // the view sticks to the live screen
    bool adjusting_ = false;    // updateScrollBar() is moving the bar
    int trimmed_ = 0;           // scrollback lines dropped since the last updateScrollBar()
    bool processing_ = false;   // inside vterm_input_write: output is a response

    QFont font_;
    QFont boldFont_;
    int basePointSize_ = 11;
    qreal cellWidth_ = 8;
    int cellHeight_ = 16;
    int ascent_ = 12;
    QColor defaultFg_{0xd8, 0xd8, 0xd8};
    QColor defaultBg_{0x1c, 0x1f, 0x24};
    QColor selectionBg_{0x3a, 0x5f, 0x9f};

    bool selecting_ = false;
    bool hasSelection_ = false;
    Pos selAnchor_;
    Pos selEnd_;
};

}  // namespace mr::ui
