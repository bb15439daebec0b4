#include "cli_stream.h"

namespace mr::agent {

CliStream::CliStream(Session& session, std::function<std::string()> identity)
    : backend_(session, std::move(identity)), engine_(backend_)
{
    terminal_ = std::make_unique<cli::TerminalSession>(engine_, [this](std::string_view bytes) {
        if (output)
            output(bytes);
    });
    terminal_->setQuitHandler([this] {
        if (ended)
            ended("logged out");
    });
    terminal_->setAttachHandler([this](const cli::AttachRequest& request) {
        // Consoles inside the command line come with the hypervisor; until
        // then say so and give the prompt back.
        terminal_->resume("console of " + request.target + " is not available on this router\r\n");
    });
}

void CliStream::begin()
{
    terminal_->start();
}

void CliStream::input(std::string_view bytes)
{
    terminal_->feed(bytes);
}

void CliStream::resize(unsigned columns, unsigned rows)
{
    terminal_->resize(columns, rows);
}

}  // namespace mr::agent
