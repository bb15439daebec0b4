#include "terminal_session.h"

#include "candidate_layout.h"
#include "cli_text.h"

namespace mr::cli {

TerminalSession::TerminalSession(CliEngine& engine, Writer writer)
    : engine_(engine), writer_(std::move(writer)), columns_(engine.width())
{
}

std::size_t TerminalSession::promptWidth() const
{
    return text::displayWidth(prompt_);
}

void TerminalSession::start()
{
    newPrompt();
}

void TerminalSession::newPrompt()
{
    prompt_ = engine_.prompt();
    cursorRow_ = 0;
    if (editor_.text().empty())
        write(prompt_);
    else
        refresh();
}

void TerminalSession::resize(std::size_t columns, std::size_t rows)
{
    (void)rows;
    if (columns == 0)
        return;
    columns_ = columns;
    engine_.setWidth(columns);
}

void TerminalSession::resume(std::string_view message)
{
    if (closed_)
        return;
    attached_ = false;
    write(text::toCrlf(message));
    newPrompt();
}

void TerminalSession::feed(std::string_view bytes)
{
    for (const Key& key : decoder_.feed(bytes)) {
        if (closed_ || attached_)
            return;
        handle(key);
    }
}

void TerminalSession::refresh()
{
    const std::size_t cols = columns_ ? columns_ : 80;
    std::string out;
    if (cursorRow_ > 0)
        out += "\x1b[" + std::to_string(cursorRow_) + "A";
    // Erase before writing: an erase at the last column would eat the
    // character written there.
    out += "\r\x1b[J" + prompt_ + editor_.text();
    const std::size_t endPos = promptWidth() + text::displayWidth(editor_.text());
    // At the last column the terminal waits to wrap; make it wrap so that
    // the cursor row is known.
    if (endPos > 0 && endPos % cols == 0)
        out += "\r\n";
    const std::size_t endRow = endPos / cols;
    const std::size_t target =
        promptWidth() + text::displayWidth(std::string_view(editor_.text()).substr(0, editor_.cursor()));
    const std::size_t targetRow = target / cols;
    const std::size_t targetCol = target % cols;
    if (endRow > targetRow)
        out += "\x1b[" + std::to_string(endRow - targetRow) + "A";
    if (endPos % cols != targetCol || endRow != targetRow) {
        out += "\r";
        if (targetCol > 0)
            out += "\x1b[" + std::to_string(targetCol) + "C";
    }
    cursorRow_ = targetRow;
    write(out);
}

void TerminalSession::finishLine()
{
    if (!editor_.atEnd()) {
        editor_.end();
        refresh();
    }
    write("\r\n");
    cursorRow_ = 0;
}

void TerminalSession::insertText(std::string_view s)
{
    const bool simple = editor_.atEnd();
    editor_.insert(s);
    const std::size_t endPos = promptWidth() + text::displayWidth(editor_.text());
    if (simple && endPos % columns_ != 0 && endPos / columns_ == cursorRow_) {
        write(s);
        return;
    }
    refresh();
}

void TerminalSession::backspace()
{
    const bool simple = editor_.atEnd();
    const std::size_t before = promptWidth() + text::displayWidth(editor_.text());
    if (!editor_.backspace())
        return;
    if (simple && before % columns_ != 0 && (before - 1) / columns_ == cursorRow_) {
        write("\b \b");
        return;
    }
    refresh();
}

void TerminalSession::handle(const Key& key)
{
    const bool wasTab = lastWasTab_;
    lastWasTab_ = false;
    switch (key.type) {
    case Key::Type::Char:
        if (key.ch == '?' && !editor_.inQuotes()) {
            showHelp();
            return;
        }
        insertText(std::string_view(&key.ch, 1));
        return;
    case Key::Type::Enter: enter(); return;
    case Key::Type::Backspace: backspace(); return;
    case Key::Type::Delete:
        if (editor_.deleteForward())
            refresh();
        return;
    case Key::Type::Left:
        if (editor_.left())
            refresh();
        return;
    case Key::Type::Right:
        if (editor_.right())
            refresh();
        return;
    case Key::Type::Home:
        editor_.home();
        refresh();
        return;
    case Key::Type::End:
        editor_.end();
        refresh();
        return;
    case Key::Type::Up:
        if (editor_.historyUp())
            refresh();
        return;
    case Key::Type::Down:
        if (editor_.historyDown())
            refresh();
        return;
    case Key::Type::Tab:
        lastWasTab_ = wasTab;
        tab();
        return;
    case Key::Type::Interrupt:
        finishLine();
        editor_.replace({});
        newPrompt();
        return;
    case Key::Type::EndOfFile:
        if (editor_.text().empty()) {
            write("\r\n");
            closed_ = true;
            if (onQuit_)
                onQuit_();
        } else if (editor_.deleteForward()) {
            refresh();
        }
        return;
    case Key::Type::KillToEnd:
        editor_.killToEnd();
        refresh();
        return;
    case Key::Type::KillToStart:
        editor_.killToStart();
        refresh();
        return;
    case Key::Type::DeleteWord:
        editor_.deleteWordBack();
        refresh();
        return;
    case Key::Type::Redraw:
        write("\x1b[H\x1b[2J");
        cursorRow_ = 0;
        refresh();
        return;
    }
}

void TerminalSession::enter()
{
    finishLine();
    const std::string line = editor_.text();
    editor_.commit();
    Outcome outcome = engine_.execute(line);
    write(text::toCrlf(outcome.output));
    if (!outcome.error.empty())
        write(text::toCrlf(outcome.error + "\n"));
    if (outcome.quit) {
        closed_ = true;
        if (onQuit_)
            onQuit_();
        return;
    }
    if (outcome.attach) {
        attached_ = true;
        if (onAttach_)
            onAttach_(*outcome.attach);
        return;
    }
    newPrompt();
}

void TerminalSession::tab()
{
    const Completion c = engine_.complete(editor_.text(), editor_.cursor());
    if (!c.insertion.empty()) {
        insertText(c.insertion);
        // Still ambiguous after the common part: the next Tab lists.
        lastWasTab_ = c.candidates.size() > 1;
        return;
    }
    if (c.candidates.empty())
        return;
    if (!lastWasTab_) {
        lastWasTab_ = true;
        return;
    }
    // Second Tab without progress: show what could come.
    lastWasTab_ = false;
    const std::size_t cursor = editor_.cursor();
    finishLine();
    write(text::toCrlf(CandidateLayout::format(c.candidates, columns_)));
    while (editor_.cursor() > cursor)
        editor_.left();
    newPrompt();
}

void TerminalSession::showHelp()
{
    const std::string help = engine_.help(editor_.text(), editor_.cursor());
    const std::size_t cursor = editor_.cursor();
    finishLine();
    write(text::toCrlf(help));
    while (editor_.cursor() > cursor)
        editor_.left();
    newPrompt();
}

}  // namespace mr::cli
