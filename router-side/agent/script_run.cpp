#include "script_run.h"

namespace mr::agent {

void ScriptRun::start(Session& session, std::function<std::string()> identity, std::string script,
                      std::weak_ptr<void> alive, Done done)
{
    auto run = std::make_shared<ScriptRun>(session, std::move(identity), std::move(script), std::move(alive),
                                           std::move(done));
    run->run(0, 0);
}

ScriptRun::ScriptRun(Session& session, std::function<std::string()> identity, std::string script,
                     std::weak_ptr<void> alive, Done done)
    : backend_(session, std::move(identity)),
      engine_(backend_),
      session_(session),
      script_(std::move(script)),
      alive_(std::move(alive)),
      done_(std::move(done))
{
}

void ScriptRun::run(std::size_t offset, std::size_t line)
{
    const cli::Outcome out = engine_.runScript(script_, offset, line);
    output_ += out.output;
    if (!out.ok)
        return finish(out.error);
    if (!out.attach)
        return finish({});
    const cli::AttachRequest& a = *out.attach;
    if (!a.longRunning)
        return finish("failure: " + a.command + " needs a terminal: use mrcli --console " + a.target);
    auto self = shared_from_this();
    const std::size_t resumeOffset = out.resumeOffset;
    const std::size_t resumeLine = out.resumeLine;
    CommandJob job;
    job.progress = [self](const std::string& text) { self->output_ += text + "\n"; };
    job.done = [self, resumeOffset, resumeLine](Result<std::string> result) {
        if (self->alive_.expired())
            return;  // the client went away; nothing to answer
        if (!result)
            return self->finish("failure: " + result.error().text());
        self->output_ += *result;
        if (!result->empty() && result->back() != '\n')
            self->output_ += '\n';
        self->run(resumeOffset, resumeLine);
    };
    session_.commandAsync(a.menu, a.command, a.id, a.arguments, std::move(job));
}

void ScriptRun::finish(const std::string& error)
{
    if (!done_)
        return;
    wire::Reply reply;
    reply.set_output(output_);
    if (!error.empty()) {
        reply.mutable_error()->set_code(wire::ERROR_FAILED);
        reply.mutable_error()->set_message(error);
    }
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(reply));
}

}  // namespace mr::agent
