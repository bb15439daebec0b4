#pragma once
// An interactive command-line session over a raw byte stream: decodes the
// keys a client's raw-mode terminal sends, edits the line with echo,
// history, Tab completion and '?' help, runs entered lines through the
// engine and writes everything back with CRLF line ends.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "cli_engine.h"
#include "key_decoder.h"
#include "line_editor.h"

namespace mr::cli {

class TerminalSession {
public:
    using Writer = std::function<void(std::string_view bytes)>;
    using AttachHandler = std::function<void(const AttachRequest& request)>;
    using QuitHandler = std::function<void()>;

    TerminalSession(CliEngine& engine, Writer writer);

    // Called when a command wants a stream (console); input is ignored
    // until resume().
    void setAttachHandler(AttachHandler handler) { onAttach_ = std::move(handler); }
    // Called once when the user logs out (quit, Ctrl-D on an empty line).
    void setQuitHandler(QuitHandler handler) { onQuit_ = std::move(handler); }

    // Writes the first prompt.
    void start();
    void feed(std::string_view bytes);
    void resize(std::size_t columns, std::size_t rows);
    // Back from an attached stream: writes `message` and a fresh prompt.
    void resume(std::string_view message = {});

    bool attached() const { return attached_; }
    bool closed() const { return closed_; }
    const LineEditor& editor() const { return editor_; }

private:
    void handle(const Key& key);
    void enter();
    void tab();
    void showHelp();
    void insertText(std::string_view s);
    void backspace();
    // Redraws prompt and line wherever they wrapped to, cursor in place.
    void refresh();
    // Cursor to the end of the line, then a new line: before output.
    void finishLine();
    void newPrompt();
    void write(std::string_view s) { writer_(s); }
    std::size_t promptWidth() const;

    CliEngine& engine_;
    Writer writer_;
    AttachHandler onAttach_;
    QuitHandler onQuit_;
    KeyDecoder decoder_;
    LineEditor editor_;
    std::string prompt_;
    std::size_t columns_ = 80;
    std::size_t cursorRow_ = 0;  // terminal row of the cursor, counted from the prompt's
    bool lastWasTab_ = false;
    bool attached_ = false;
    bool closed_ = false;
};

}  // namespace mr::cli
