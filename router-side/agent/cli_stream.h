#pragma once
// An interactive command-line session as a byte stream: the client's raw
// terminal bytes go to the line editor, its output goes back.

#include <functional>
#include <memory>
#include <string>

#include "byte_stream.h"
#include "cli_engine.h"
#include "session_cli_backend.h"
#include "terminal_session.h"

namespace mr::agent {

class CliStream final : public ByteStream {
public:
    CliStream(Session& session, std::function<std::string()> identity);

    void input(std::string_view bytes) override;
    void resize(unsigned columns, unsigned rows) override;
    void begin() override;

private:
    SessionCliBackend backend_;
    cli::CliEngine engine_;
    std::unique_ptr<cli::TerminalSession> terminal_;
};

}  // namespace mr::agent
