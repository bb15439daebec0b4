#pragma once
// Runs a command-line script for one API request (`mrcli COMMAND`, a script
// on stdin), including long-running commands whose progress lines go into
// the output, and answers once at the end or at the first error.

#include <functional>
#include <memory>
#include <string>

#include "cli_engine.h"
#include "metarouter.pb.h"
#include "session_cli_backend.h"

namespace mr::agent {

class ScriptRun final : public std::enable_shared_from_this<ScriptRun> {
public:
    using Done = std::function<void(wire::Reply reply)>;

    // `alive` expires when the session goes away; a pending long-running
    // command then finishes without touching it.
    static void start(Session& session, std::function<std::string()> identity, std::string script,
                      std::weak_ptr<void> alive, Done done);

    ScriptRun(Session& session, std::function<std::string()> identity, std::string script,
              std::weak_ptr<void> alive, Done done);

private:
    void run(std::size_t offset, std::size_t line);
    void finish(const std::string& error);

    SessionCliBackend backend_;
    cli::CliEngine engine_;
    Session& session_;
    std::string script_;
    std::weak_ptr<void> alive_;
    Done done_;
    std::string output_;
};

}  // namespace mr::agent
