#pragma once
// An interactive command-line session as a byte stream: the client's raw
// terminal bytes go to the line editor, its output goes back. A console
// command (`/metarouter console mr1`) attaches the console inside the same
// stream, with the Ctrl-A escape, until Ctrl-A Q gives the prompt back.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "byte_stream.h"
#include "cli_engine.h"
#include "console_escape.h"
#include "error.h"
#include "session_cli_backend.h"
#include "terminal_session.h"

namespace mr::agent {

class CliStream final : public ByteStream {
public:
    // Opens the console of a metarouter (name or *id) for this session.
    using ConsoleOpener = std::function<Result<std::unique_ptr<ByteStream>>(const std::string& target)>;

    CliStream(Session& session, std::function<std::string()> identity, ConsoleOpener openConsole = {});
    ~CliStream() override;

    void input(std::string_view bytes) override;
    void resize(unsigned columns, unsigned rows) override;
    void sendBreak() override;
    void begin() override;

private:
    void attachConsole(const cli::AttachRequest& request);
    // import-image and other long-running commands: progress, then the prompt.
    void runLongCommand(const cli::AttachRequest& request);
    // Back to the prompt; the console stream is released once out of its callbacks.
    void detachConsole(const std::string& message);
    void write(std::string_view bytes)
    {
        if (output)
            output(bytes);
    }

    Session& session_;
    // Expires with the stream: a long-running command may finish later.
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
    SessionCliBackend backend_;
    cli::CliEngine engine_;
    std::unique_ptr<cli::TerminalSession> terminal_;
    ConsoleOpener openConsole_;
    std::shared_ptr<ByteStream> console_;  // while a console is attached
    std::optional<protocol::ConsoleEscape> escape_;
};

}  // namespace mr::agent
