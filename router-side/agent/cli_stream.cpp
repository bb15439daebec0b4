#include "cli_stream.h"

#include <QTimer>

namespace mr::agent {

CliStream::CliStream(Session& session, std::function<std::string()> identity, ConsoleOpener openConsole)
    : session_(session), backend_(session, std::move(identity)), engine_(backend_), openConsole_(std::move(openConsole))
{
    terminal_ = std::make_unique<cli::TerminalSession>(engine_, [this](std::string_view bytes) { write(bytes); });
    terminal_->setQuitHandler([this] {
        if (ended)
            ended("logged out");
    });
    terminal_->setAttachHandler([this](const cli::AttachRequest& request) { attachConsole(request); });
}

CliStream::~CliStream()
{
    if (console_) {
        console_->output = nullptr;
        console_->backlog = nullptr;
        console_->ended = nullptr;
    }
}

void CliStream::begin()
{
    terminal_->start();
}

void CliStream::runLongCommand(const cli::AttachRequest& request)
{
    // The prompt stays away while it runs; progress lines overwrite each
    // other in place, as RouterOS shows "imported: 40%".
    std::weak_ptr<int> alive = alive_;
    CommandJob job;
    job.progress = [this, alive](const std::string& line) {
        if (!alive.expired())
            write("\r " + line + "\x1b[K");
    };
    job.done = [this, alive](Result<std::string> result) {
        if (alive.expired())
            return;
        std::string text = "\r\n";
        if (!result)
            text += "failure: " + result.error().text() + "\r\n";
        else if (!result->empty())
            text += *result + (result->back() == '\n' ? "" : "\r\n");
        std::string crlf;
        for (char c : text) {
            if (c == '\n' && (crlf.empty() || crlf.back() != '\r'))
                crlf += '\r';
            crlf += c;
        }
        terminal_->resume(crlf);
    };
    session_.commandAsync(request.menu, request.command, request.id, request.arguments, std::move(job));
}

void CliStream::attachConsole(const cli::AttachRequest& request)
{
    if (request.longRunning)
        return runLongCommand(request);
    if (!openConsole_) {
        terminal_->resume("console of " + request.target + " is not available on this router\r\n");
        return;
    }
    auto opened = openConsole_(request.target);
    if (!opened) {
        terminal_->resume(opened.error().text() + "\r\n");
        return;
    }
    console_ = std::shared_ptr<ByteStream>(std::move(*opened));
    ByteStream* console = console_.get();
    console->output = [this](std::string_view bytes) { write(bytes); };
    console->backlog = [this]() -> std::int64_t { return backlog ? backlog() : 0; };
    console->ended = [this](const std::string& reason) { detachConsole("\r\n" + reason + "\r\n"); };
    escape_.emplace(protocol::ConsoleEscape::Handlers{
        [console](std::string_view bytes) { console->input(bytes); },
        [this](std::string_view text) { write(text); },
        [console] { console->sendBreak(); },
        [this] { detachConsole({}); },
    });
    write(protocol::ConsoleEscape::kAttachBanner);
    console->begin();  // the console's recent output
}

void CliStream::detachConsole(const std::string& message)
{
    if (!console_)
        return;
    // Called from the console's `ended` or the escape's quit: release the
    // console once they have returned, and hear nothing more from it
    // meanwhile (a ConsoleStream calls `ended` from a copy, so resetting it
    // here is safe).
    std::shared_ptr<ByteStream> doomed = std::move(console_);
    doomed->output = nullptr;
    doomed->backlog = nullptr;
    doomed->ended = nullptr;
    QTimer::singleShot(0, [doomed] {});
    terminal_->resume(message);
}

void CliStream::input(std::string_view bytes)
{
    if (console_ && escape_) {
        const std::size_t used = escape_->feed(bytes);
        if (console_ || used >= bytes.size())
            return;
        bytes.remove_prefix(used);  // typed after Ctrl-A Q: for the prompt
    }
    terminal_->feed(bytes);
}

void CliStream::sendBreak()
{
    if (console_)
        console_->sendBreak();
}

void CliStream::resize(unsigned columns, unsigned rows)
{
    terminal_->resize(columns, rows);
    if (console_)
        console_->resize(columns, rows);
}

}  // namespace mr::agent
