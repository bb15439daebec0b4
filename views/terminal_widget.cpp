#include "terminal_widget.h"

extern "C" {
#include <vterm.h>
}

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QFontDatabase>
#include <QFontMetricsF>
#include <QKeyEvent>
#include <QMenu>
#include <QPainter>
#include <QScrollBar>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

namespace mr::ui {

namespace {
// Work per slice before the event loop gets its turn again.
constexpr qsizetype kChunk = 64 * 1024;
constexpr int kSliceMs = 12;
constexpr int kFrameMs = 16;
constexpr int kBlinkMs = 530;
// Space between the viewport's edge and the cells, as terminals leave.
constexpr int kPadX = 6;
constexpr int kPadY = 4;
constexpr char32_t kWideTail = 0xFFFFFFFFu;  // libvterm's right half of a wide character

bool sameLook(const TerminalWidget::Cell& a, const TerminalWidget::Cell& b)
{
    return a.fg == b.fg && a.bg == b.bg && a.defaultBg == b.defaultBg && a.bold == b.bold &&
           a.underline == b.underline && a.italic == b.italic && a.reverse == b.reverse && a.strike == b.strike;
}
}  // namespace

// libvterm calls C functions with a user pointer; these forward to the widget.
struct TerminalCallbacks {
    static TerminalWidget* w(void* user) { return static_cast<TerminalWidget*>(user); }

    static TerminalWidget::Cell toCell(const TerminalWidget* t, VTermScreenCell c)
    {
        TerminalWidget::Cell out;
        out.ch = c.chars[0] == kWideTail ? 0 : c.chars[0];
        out.width = c.chars[0] == kWideTail ? 0 : quint8(c.width);
        out.defaultBg = VTERM_COLOR_IS_DEFAULT_BG(&c.bg);
        vterm_screen_convert_color_to_rgb(t->screen_, &c.fg);
        vterm_screen_convert_color_to_rgb(t->screen_, &c.bg);
        out.fg = qRgb(c.fg.rgb.red, c.fg.rgb.green, c.fg.rgb.blue);
        out.bg = qRgb(c.bg.rgb.red, c.bg.rgb.green, c.bg.rgb.blue);
        out.bold = c.attrs.bold;
        out.underline = c.attrs.underline != VTERM_UNDERLINE_OFF;
        out.italic = c.attrs.italic;
        out.reverse = c.attrs.reverse;
        out.strike = c.attrs.strike;
        return out;
    }

    static int damage(VTermRect, void* user)
    {
        w(user)->scheduleRepaint();
        return 1;
    }
    static int moveRect(VTermRect, VTermRect, void* user)
    {
        w(user)->scheduleRepaint();
        return 1;
    }
    static int moveCursor(VTermPos pos, VTermPos, int visible, void* user)
    {
        auto* t = w(user);
        t->cursor_ = {pos.row, pos.col};
        t->cursorVisible_ = visible;
        t->restartBlink();  // a moving cursor shows where it is
        t->scheduleRepaint();
        return 1;
    }
    static int setTermProp(VTermProp prop, VTermValue* val, void* user)
    {
        auto* t = w(user);
        switch (prop) {
        case VTERM_PROP_CURSORVISIBLE:
            t->cursorVisible_ = val->boolean;
            break;
        case VTERM_PROP_CURSORBLINK:
            t->cursorBlinks_ = val->boolean;
            break;
        case VTERM_PROP_CURSORSHAPE:
            t->cursorShape_ = val->number;
            break;
        case VTERM_PROP_TITLE:
            emit t->titleChanged(QString::fromUtf8(val->string ? val->string : ""));
            break;
        default:
            break;
        }
        t->scheduleRepaint();
        return 1;
    }
    static int bell(void*) { return 1; }
    static int resize(int, int, void*) { return 1; }
    static int pushLine(int cols, const VTermScreenCell* cells, void* user)
    {
        auto* t = w(user);
        // Trailing blanks take no memory: 10,000 lines stay small.
        int used = cols;
        while (used > 0 && cells[used - 1].chars[0] == 0 && VTERM_COLOR_IS_DEFAULT_BG(&cells[used - 1].bg) &&
               !cells[used - 1].attrs.reverse)
            --used;
        std::vector<TerminalWidget::Cell> line;
        line.reserve(std::size_t(used));
        for (int i = 0; i < used; ++i)
            line.push_back(toCell(t, cells[i]));
        t->scrollback_.push_back(std::move(line));
        if (int(t->scrollback_.size()) > TerminalWidget::kScrollbackLines) {
            t->scrollback_.pop_front();
            ++t->trimmed_;
        }
        return 1;
    }
    static int popLine(int cols, VTermScreenCell* cells, void* user)
    {
        auto* t = w(user);
        if (t->scrollback_.empty())
            return 0;
        const std::vector<TerminalWidget::Cell> line = std::move(t->scrollback_.back());
        t->scrollback_.pop_back();
        for (int i = 0; i < cols; ++i) {
            VTermScreenCell& c = cells[i];
            c = VTermScreenCell{};
            const TerminalWidget::Cell src = i < int(line.size()) ? line[std::size_t(i)] : t->blankCell();
            c.chars[0] = src.width == 0 ? kWideTail : src.ch;
            c.width = char(src.width == 0 ? 1 : src.width);
            c.attrs.bold = src.bold;
            c.attrs.underline = src.underline ? VTERM_UNDERLINE_SINGLE : VTERM_UNDERLINE_OFF;
            c.attrs.italic = src.italic;
            c.attrs.reverse = src.reverse;
            c.attrs.strike = src.strike;
            vterm_color_rgb(&c.fg, quint8(qRed(src.fg)), quint8(qGreen(src.fg)), quint8(qBlue(src.fg)));
            vterm_color_rgb(&c.bg, quint8(qRed(src.bg)), quint8(qGreen(src.bg)), quint8(qBlue(src.bg)));
            if (src.defaultBg)
                c.bg.type |= VTERM_COLOR_DEFAULT_BG;
        }
        return 1;
    }
    static void output(const char* bytes, std::size_t len, void* user)
    {
        w(user)->output_.append(bytes, qsizetype(len));
    }
};

TerminalWidget::TerminalWidget(QWidget* parent) : QAbstractScrollArea(parent)
{
    setObjectName(QStringLiteral("terminal"));
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_InputMethodEnabled, true);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    viewport()->setCursor(Qt::IBeamCursor);
    // The scroll bar in the terminal's colours, not the window's.
    verticalScrollBar()->setStyleSheet(QStringLiteral(
        "QScrollBar:vertical { background: #1c1f24; width: 12px; margin: 0; }"
        "QScrollBar::handle:vertical { background: #4a505a; min-height: 24px; border-radius: 4px; margin: 2px; }"
        "QScrollBar::add-line, QScrollBar::sub-line { height: 0; }"
        "QScrollBar::add-page, QScrollBar::sub-page { background: none; }"));
    viewport()->setAutoFillBackground(false);
    setFrameShape(QFrame::NoFrame);

    font_ = QFont(QStringLiteral("DejaVu Sans Mono"));
    if (!QFontInfo(font_).fixedPitch())
        font_ = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font_.setStyleHint(QFont::TypeWriter);
    font_.setKerning(false);
    font_.setPointSize(basePointSize_);
    updateMetrics();

    vt_ = vterm_new(rows_, cols_);
    vterm_set_utf8(vt_, 1);
    vterm_output_set_callback(vt_, &TerminalCallbacks::output, this);
    screen_ = vterm_obtain_screen(vt_);
    state_ = vterm_obtain_state(vt_);
    static const VTermScreenCallbacks callbacks = {
        &TerminalCallbacks::damage,   &TerminalCallbacks::moveRect, &TerminalCallbacks::moveCursor,
        &TerminalCallbacks::setTermProp, &TerminalCallbacks::bell,  &TerminalCallbacks::resize,
        &TerminalCallbacks::pushLine, &TerminalCallbacks::popLine,
    };
    vterm_screen_set_callbacks(screen_, &callbacks, this);
    // Scrolls are reported as moves, not as damage of every cell.
    vterm_screen_set_damage_merge(screen_, VTERM_DAMAGE_SCROLL);
    vterm_screen_enable_altscreen(screen_, 1);
    VTermColor fg, bg;
    vterm_color_rgb(&fg, quint8(defaultFg_.red()), quint8(defaultFg_.green()), quint8(defaultFg_.blue()));
    vterm_color_rgb(&bg, quint8(defaultBg_.red()), quint8(defaultBg_.green()), quint8(defaultBg_.blue()));
    vterm_state_set_default_colors(state_, &fg, &bg);
    vterm_state_set_bold_highbright(state_, 1);
    vterm_screen_reset(screen_, 1);

    repaint_.setSingleShot(true);
    repaint_.setInterval(kFrameMs);
    connect(&repaint_, &QTimer::timeout, viewport(), qOverload<>(&QWidget::update));
    blink_.setInterval(kBlinkMs);
    connect(&blink_, &QTimer::timeout, this, [this] {
        blinkOn_ = !blinkOn_;
        if (cursorBlinks_ && cursorVisible_)
            viewport()->update();
    });
    updateScrollBar();
}

TerminalWidget::~TerminalWidget()
{
    vterm_free(vt_);
}

QSize TerminalWidget::sizeHint() const
{
    return QSize(int(std::ceil(cellWidth_ * 80)) + 2 * kPadX + verticalScrollBar()->sizeHint().width(),
                 cellHeight_ * 24 + 2 * kPadY);
}

void TerminalWidget::feed(const QByteArray& bytes)
{
    if (bytes.isEmpty())
        return;
    pending_.push_back(bytes);
    pendingBytes_ += bytes.size();
    if (!processScheduled_) {
        processScheduled_ = true;
        QTimer::singleShot(0, this, &TerminalWidget::processPending);
    }
}

void TerminalWidget::flush()
{
    while (pending() > 0)
        processPending();
    vterm_screen_flush_damage(screen_);
    processing_ = true;
    flushOutput();
    processing_ = false;
}

void TerminalWidget::processPending()
{
    processScheduled_ = false;
    QElapsedTimer slice;
    slice.start();
    qint64 done = 0;
    processing_ = true;
    while (!pending_.empty()) {
        const QByteArray& front = pending_.front();
        const qsizetype n = std::min(kChunk, front.size() - pendingAt_);
        vterm_input_write(vt_, front.constData() + pendingAt_, std::size_t(n));
        pendingAt_ += n;
        pendingBytes_ -= n;
        done += n;
        if (pendingAt_ >= front.size()) {
            pending_.pop_front();
            pendingAt_ = 0;
        }
        if (slice.elapsed() >= kSliceMs)
            break;
    }
    vterm_screen_flush_damage(screen_);
    flushOutput();
    processing_ = false;
    updateScrollBar();
    if (done)
        emit consumed(done);
    if (pending() > 0 && !processScheduled_) {
        processScheduled_ = true;
        QTimer::singleShot(0, this, &TerminalWidget::processPending);
    }
}

void TerminalWidget::flushOutput()
{
    if (output_.isEmpty())
        return;
    const QByteArray out = std::exchange(output_, {});
    if (processing_)
        emit response(out);
    else
        emit typed(out);
}

void TerminalWidget::scheduleRepaint()
{
    if (!repaint_.isActive())
        repaint_.start();
}

void TerminalWidget::updateMetrics()
{
    boldFont_ = font_;
    boldFont_.setBold(true);
    const QFontMetricsF fm(font_);
    cellWidth_ = fm.horizontalAdvance(QLatin1Char('M'));
    cellHeight_ = int(std::ceil(fm.height()));
    ascent_ = int(std::ceil(fm.ascent()));
}

void TerminalWidget::setPointSize(int points)
{
    points = std::clamp(points, kMinPointSize, kMaxPointSize);
    if (points == font_.pointSize())
        return;
    font_.setPointSize(points);
    updateMetrics();
    fitToViewport();  // the cell grid changes: the far end hears about it
    viewport()->update();
}

void TerminalWidget::resizeEvent(QResizeEvent* event)
{
    QAbstractScrollArea::resizeEvent(event);
    fitToViewport();
}

void TerminalWidget::fitToViewport()
{
    const int cols = std::max(2, int((viewport()->width() - 2 * kPadX) / cellWidth_));
    const int rows = std::max(1, (viewport()->height() - 2 * kPadY) / cellHeight_);
    setTerminalSize(cols, rows);
}

void TerminalWidget::setTerminalSize(int columns, int rows)
{
    if (columns == cols_ && rows == rows_)
        return;
    cols_ = columns;
    rows_ = rows;
    vterm_set_size(vt_, rows_, cols_);
    vterm_screen_flush_damage(screen_);
    updateScrollBar();
    scheduleRepaint();
    emit sizeChanged(cols_, rows_);
}

void TerminalWidget::updateScrollBar()
{
    QScrollBar* bar = verticalScrollBar();
    adjusting_ = true;
    const int value = bar->value();
    bar->setRange(0, int(scrollback_.size()));
    bar->setPageStep(rows_);
    bar->setSingleStep(3);
    if (followOutput_)
        bar->setValue(bar->maximum());
    else
        bar->setValue(std::max(0, value - trimmed_));
    if (hasSelection_ && trimmed_) {
        selAnchor_.line -= trimmed_;
        selEnd_.line -= trimmed_;
    }
    trimmed_ = 0;
    adjusting_ = false;
}

void TerminalWidget::scrollContentsBy(int, int)
{
    if (!adjusting_)
        followOutput_ = verticalScrollBar()->value() >= verticalScrollBar()->maximum();
    viewport()->update();
}

int TerminalWidget::scrolledBack() const
{
    return verticalScrollBar()->maximum() - verticalScrollBar()->value();
}

void TerminalWidget::scrollToBottom()
{
    followOutput_ = true;
    verticalScrollBar()->setValue(verticalScrollBar()->maximum());
}

int TerminalWidget::topLine() const
{
    return verticalScrollBar()->value();
}

void TerminalWidget::restartBlink()
{
    blinkOn_ = true;
    if (hasFocus())
        blink_.start();
}

QRectF TerminalWidget::cellRect(int row, int column) const
{
    return QRectF(kPadX + column * cellWidth_, kPadY + (row + scrolledBack()) * cellHeight_, cellWidth_, cellHeight_);
}

TerminalWidget::Cell TerminalWidget::blankCell() const
{
    Cell c;
    c.fg = defaultFg_.rgb();
    c.bg = defaultBg_.rgb();
    return c;
}

TerminalWidget::Cell TerminalWidget::cellOfLine(int line, int column) const
{
    const int sb = int(scrollback_.size());
    if (line < sb) {
        const auto& cells = scrollback_[std::size_t(line)];
        return column < int(cells.size()) ? cells[std::size_t(column)] : blankCell();
    }
    VTermScreenCell c;
    if (!vterm_screen_get_cell(screen_, VTermPos{line - sb, column}, &c))
        return blankCell();
    return TerminalCallbacks::toCell(this, c);
}

TerminalWidget::Cell TerminalWidget::cellAt(int row, int column) const
{
    return cellOfLine(int(scrollback_.size()) + row, column);
}

QString TerminalWidget::lineText(int line, int from, int to) const
{
    QString text;
    for (int c = from; c < to; ++c) {
        const Cell cell = cellOfLine(line, c);
        if (cell.width == 0)
            continue;
        if (cell.ch == 0)
            text += QLatin1Char(' ');
        else
            text += QString::fromUcs4(&cell.ch, 1);
    }
    while (text.endsWith(QLatin1Char(' ')))
        text.chop(1);
    return text;
}

QStringList TerminalWidget::screenLines() const
{
    QStringList lines;
    const int sb = int(scrollback_.size());
    for (int r = 0; r < rows_; ++r)
        lines << lineText(sb + r, 0, cols_);
    return lines;
}

QString TerminalWidget::scrollbackLine(int index) const
{
    if (index < 0 || index >= int(scrollback_.size()))
        return {};
    return lineText(index, 0, int(scrollback_[std::size_t(index)].size()));
}

void TerminalWidget::paintEvent(QPaintEvent*)
{
    QPainter p(viewport());
    p.fillRect(viewport()->rect(), defaultBg_);
    p.translate(kPadX, kPadY);
    const int top = topLine();
    const int sb = int(scrollback_.size());
    const int visibleRows = std::min(rows_, (viewport()->height() - kPadY) / cellHeight_ + 1);
    std::vector<Cell> row(static_cast<std::size_t>(cols_));
    for (int r = 0; r < visibleRows; ++r) {
        const int line = top + r;
        if (line >= sb + rows_)
            break;
        const int y = r * cellHeight_;
        for (int c = 0; c < cols_; ++c) {
            Cell cell = cellOfLine(line, c);
            if (cell.reverse) {
                std::swap(cell.fg, cell.bg);
                cell.defaultBg = false;
            }
            if (hasSelection_ && isSelected(line, c)) {
                cell.bg = selectionBg_.rgb();
                cell.defaultBg = false;
            }
            row[std::size_t(c)] = cell;
        }
        // Runs of cells that look alike are one fill and one drawText.
        int c = 0;
        while (c < cols_) {
            const Cell& first = row[std::size_t(c)];
            int end = c + 1;
            if (first.width <= 1)
                while (end < cols_ && row[std::size_t(end)].width == 1 && sameLook(first, row[std::size_t(end)]))
                    ++end;
            else
                end = std::min(cols_, c + 2);
            const qreal x = c * cellWidth_;
            const QRectF rect(x, y, (end - c) * cellWidth_, cellHeight_);
            if (!first.defaultBg)
                p.fillRect(rect, QColor(first.bg));
            QString text;
            for (int i = c; i < end; ++i) {
                const Cell& cell = row[std::size_t(i)];
                if (cell.width == 0)
                    continue;
                if (cell.ch == 0 || cell.ch == ' ')
                    text += QLatin1Char(' ');
                else
                    text += QString::fromUcs4(&cell.ch, 1);
            }
            if (!text.trimmed().isEmpty() || first.underline || first.strike) {
                QFont f = first.bold ? boldFont_ : font_;
                f.setItalic(first.italic);
                f.setUnderline(first.underline);
                f.setStrikeOut(first.strike);
                p.setFont(f);
                p.setPen(QColor(first.fg));
                p.drawText(QPointF(x, y + ascent_), text);
            }
            c = end;
        }
    }

    // The cursor: a block (hollow without focus), underline or bar.
    const int cursorLine = sb + cursor_.row - top;
    if (cursorVisible_ && cursorLine >= 0 && cursorLine < visibleRows && (!cursorBlinks_ || blinkOn_ || !hasFocus())) {
        const Cell under = cellOfLine(sb + cursor_.row, cursor_.column);
        const qreal x = cursor_.column * cellWidth_;
        const int y = cursorLine * cellHeight_;
        const qreal w = cellWidth_ * (under.width == 2 ? 2 : 1);
        const QColor color(0xe8, 0xe8, 0xe8);
        if (!hasFocus()) {
            p.setPen(color);
            p.setBrush(Qt::NoBrush);
            p.drawRect(QRectF(x + 0.5, y + 0.5, w - 1, cellHeight_ - 1));
        } else if (cursorShape_ == VTERM_PROP_CURSORSHAPE_UNDERLINE) {
            p.fillRect(QRectF(x, y + cellHeight_ - 2, w, 2), color);
        } else if (cursorShape_ == VTERM_PROP_CURSORSHAPE_BAR_LEFT) {
            p.fillRect(QRectF(x, y, 2, cellHeight_), color);
        } else {
            p.fillRect(QRectF(x, y, w, cellHeight_), color);
            if (under.ch && under.ch != ' ') {
                p.setFont(under.bold ? boldFont_ : font_);
                p.setPen(defaultBg_);
                p.drawText(QPointF(x, y + ascent_), QString::fromUcs4(&under.ch, 1));
            }
        }
    }
}

void TerminalWidget::keyPressEvent(QKeyEvent* event)
{
    const Qt::KeyboardModifiers mods = event->modifiers();
    const bool ctrl = mods & Qt::ControlModifier;
    const bool shift = mods & Qt::ShiftModifier;
    const bool alt = mods & Qt::AltModifier;
    const int key = event->key();

    // Local shortcuts first: copy/paste, zoom, scrollback.
    if (ctrl && shift && key == Qt::Key_C)
        return copy();
    if (ctrl && shift && key == Qt::Key_V)
        return paste();
    if (ctrl && (key == Qt::Key_Plus || key == Qt::Key_Equal))
        return zoomIn();
    if (ctrl && key == Qt::Key_Minus)
        return zoomOut();
    if (ctrl && key == Qt::Key_0)
        return resetZoom();
    if (shift && key == Qt::Key_PageUp)
        return verticalScrollBar()->triggerAction(QAbstractSlider::SliderPageStepSub);
    if (shift && key == Qt::Key_PageDown)
        return verticalScrollBar()->triggerAction(QAbstractSlider::SliderPageStepAdd);

    int mod = VTERM_MOD_NONE;
    if (shift)
        mod |= VTERM_MOD_SHIFT;
    if (alt)
        mod |= VTERM_MOD_ALT;
    if (ctrl)
        mod |= VTERM_MOD_CTRL;
    const auto vmod = VTermModifier(mod);

    VTermKey vkey = VTERM_KEY_NONE;
    switch (key) {
    case Qt::Key_Return:
    case Qt::Key_Enter: vkey = VTERM_KEY_ENTER; break;
    case Qt::Key_Tab:
    case Qt::Key_Backtab: vkey = VTERM_KEY_TAB; break;
    case Qt::Key_Backspace: vkey = VTERM_KEY_BACKSPACE; break;
    case Qt::Key_Escape: vkey = VTERM_KEY_ESCAPE; break;
    case Qt::Key_Up: vkey = VTERM_KEY_UP; break;
    case Qt::Key_Down: vkey = VTERM_KEY_DOWN; break;
    case Qt::Key_Left: vkey = VTERM_KEY_LEFT; break;
    case Qt::Key_Right: vkey = VTERM_KEY_RIGHT; break;
    case Qt::Key_Insert: vkey = VTERM_KEY_INS; break;
    case Qt::Key_Delete: vkey = VTERM_KEY_DEL; break;
    case Qt::Key_Home: vkey = VTERM_KEY_HOME; break;
    case Qt::Key_End: vkey = VTERM_KEY_END; break;
    case Qt::Key_PageUp: vkey = VTERM_KEY_PAGEUP; break;
    case Qt::Key_PageDown: vkey = VTERM_KEY_PAGEDOWN; break;
    default:
        if (key >= Qt::Key_F1 && key <= Qt::Key_F12)
            vkey = VTermKey(VTERM_KEY_FUNCTION(key - Qt::Key_F1 + 1));
    }

    QByteArray direct;
    if (vkey != VTERM_KEY_NONE) {
        vterm_keyboard_key(vt_, vkey, key == Qt::Key_Backtab ? VTermModifier(mod | VTERM_MOD_SHIFT) : vmod);
    } else if (ctrl && key >= Qt::Key_A && key <= Qt::Key_Z) {
        // Control characters as such (Ctrl-A is the console escape's prefix).
        direct = QByteArray(1, char(key - Qt::Key_A + 1));
    } else if (ctrl && (key == Qt::Key_Space || key == Qt::Key_At)) {
        direct = QByteArray(1, '\0');
    } else if (ctrl && key >= Qt::Key_BracketLeft && key <= Qt::Key_Underscore) {
        direct = QByteArray(1, char(key - Qt::Key_BracketLeft + 0x1b));  // [ \ ] ^ _
    } else if (!event->text().isEmpty()) {
        const QList<uint> chars = event->text().toUcs4();
        for (uint ch : chars) {
            if (ch < 0x20 || ch == 0x7f)
                direct += char(ch);
            else
                vterm_keyboard_unichar(vt_, ch, alt ? VTERM_MOD_ALT : VTERM_MOD_NONE);
        }
    } else {
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    if (alt && !direct.isEmpty())
        direct.prepend('\x1b');
    flushOutput();
    if (!direct.isEmpty())
        emit typed(direct);
    // Typing brings the live screen back.
    if (scrolledBack() > 0)
        scrollToBottom();
    restartBlink();
    event->accept();
}

bool TerminalWidget::focusNextPrevChild(bool)
{
    return false;  // Tab belongs to the far end (completion), not to focus
}

void TerminalWidget::focusInEvent(QFocusEvent* event)
{
    QAbstractScrollArea::focusInEvent(event);
    restartBlink();
    viewport()->update();
}

void TerminalWidget::focusOutEvent(QFocusEvent* event)
{
    QAbstractScrollArea::focusOutEvent(event);
    blink_.stop();
    viewport()->update();
}

TerminalWidget::Pos TerminalWidget::posAt(const QPoint& point) const
{
    Pos p;
    p.line = std::clamp(topLine() + std::max(0, point.y() - kPadY) / cellHeight_, 0,
                        int(scrollback_.size()) + rows_ - 1);
    p.column = std::clamp(int(std::lround((point.x() - kPadX) / cellWidth_)), 0, cols_);
    return p;
}

bool TerminalWidget::isSelected(int line, int column) const
{
    Pos a = selAnchor_, b = selEnd_;
    if (std::tie(b.line, b.column) < std::tie(a.line, a.column))
        std::swap(a, b);
    return std::tie(a.line, a.column) <= std::tie(line, column) && std::tie(line, column) < std::tie(b.line, b.column);
}

void TerminalWidget::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::MiddleButton) {
        // X11's primary selection, pasted as typed.
        const QString text = QApplication::clipboard()->text(QClipboard::Selection);
        if (!text.isEmpty())
            emit typed(text.toUtf8().replace('\n', '\r'));
        return;
    }
    if (event->button() != Qt::LeftButton)
        return QAbstractScrollArea::mousePressEvent(event);
    selecting_ = true;
    if (hasSelection_) {
        hasSelection_ = false;
        viewport()->update();
    }
    selAnchor_ = selEnd_ = posAt(event->position().toPoint());
}

void TerminalWidget::mouseMoveEvent(QMouseEvent* event)
{
    if (!selecting_)
        return;
    selEnd_ = posAt(event->position().toPoint());
    hasSelection_ = std::tie(selEnd_.line, selEnd_.column) != std::tie(selAnchor_.line, selAnchor_.column);
    viewport()->update();
}

void TerminalWidget::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || !selecting_)
        return;
    selecting_ = false;
    if (hasSelection_ && QApplication::clipboard()->supportsSelection())
        QApplication::clipboard()->setText(selectedText(), QClipboard::Selection);
}

void TerminalWidget::mouseDoubleClickEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return;
    // A word: what lies between blanks around the clicked cell.
    const Pos at = posAt(event->position().toPoint());
    const int column = std::clamp(int((event->position().x() - kPadX) / cellWidth_), 0, cols_ - 1);
    auto blank = [&](int c) {
        const Cell cell = cellOfLine(at.line, c);
        return cell.ch == 0 || cell.ch == ' ';
    };
    if (blank(column))
        return;
    int from = column, to = column + 1;
    while (from > 0 && !blank(from - 1))
        --from;
    while (to < cols_ && !blank(to))
        ++to;
    selAnchor_ = {at.line, from};
    selEnd_ = {at.line, to};
    hasSelection_ = true;
    selecting_ = false;
    viewport()->update();
}

void TerminalWidget::selectAll()
{
    selAnchor_ = {0, 0};
    selEnd_ = {int(scrollback_.size()) + rows_ - 1, cols_};
    hasSelection_ = true;
    viewport()->update();
}

void TerminalWidget::clearSelection()
{
    hasSelection_ = false;
    viewport()->update();
}

QString TerminalWidget::selectedText() const
{
    if (!hasSelection_)
        return {};
    Pos a = selAnchor_, b = selEnd_;
    if (std::tie(b.line, b.column) < std::tie(a.line, a.column))
        std::swap(a, b);
    QStringList lines;
    for (int line = a.line; line <= b.line; ++line)
        lines << lineText(line, line == a.line ? a.column : 0, line == b.line ? b.column : cols_);
    return lines.join(QLatin1Char('\n'));
}

void TerminalWidget::copy()
{
    if (hasSelection_)
        QApplication::clipboard()->setText(selectedText());
}

void TerminalWidget::paste()
{
    const QString text = QApplication::clipboard()->text();
    if (text.isEmpty())
        return;
    // Lines end in CR as if typed; bracketed when the far end asked for it.
    vterm_keyboard_start_paste(vt_);
    flushOutput();
    emit typed(text.toUtf8().replace("\r\n", "\r").replace('\n', '\r'));
    vterm_keyboard_end_paste(vt_);
    flushOutput();
}

void TerminalWidget::contextMenuEvent(QContextMenuEvent* event)
{
    QMenu menu(this);
    QAction* copyAction = menu.addAction(tr("Copy"), QKeySequence(tr("Ctrl+Shift+C")), this, &TerminalWidget::copy);
    copyAction->setEnabled(hasSelection_);
    menu.addAction(tr("Paste"), QKeySequence(tr("Ctrl+Shift+V")), this, &TerminalWidget::paste)
        ->setEnabled(!QApplication::clipboard()->text().isEmpty());
    menu.addAction(tr("Select All"), this, &TerminalWidget::selectAll);
    menu.addSeparator();
    menu.addAction(tr("Zoom In"), QKeySequence(tr("Ctrl++")), this, &TerminalWidget::zoomIn);
    menu.addAction(tr("Zoom Out"), QKeySequence(tr("Ctrl+-")), this, &TerminalWidget::zoomOut);
    menu.addAction(tr("Normal Size"), QKeySequence(tr("Ctrl+0")), this, &TerminalWidget::resetZoom);
    menu.exec(event->globalPos());
}

}  // namespace mr::ui
