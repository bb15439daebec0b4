#pragma once
// Runs the command-line engine against a logged-in user's Session, so that
// the CLI can do exactly what the user's group allows, no more.

#include <functional>
#include <string>

#include "cli_backend.h"
#include "session.h"

namespace mr::agent {

class SessionCliBackend final : public cli::CliBackend {
public:
    SessionCliBackend(Session& session, std::function<std::string()> identity)
        : session_(session), identity_(std::move(identity))
    {
    }

    const wire::Schema& schema() const override { return session_.schema(); }
    std::string user() const override { return session_.user().name; }
    std::string identity() const override { return identity_ ? identity_() : std::string("MikroTik"); }

    Result<std::vector<wire::Object>> get(const std::string& menu) override { return session_.get(menu); }
    Result<std::string> add(const std::string& menu, const Properties& p) override { return session_.add(menu, p); }
    Status set(const std::string& menu, const std::string& id, const Properties& p,
               const std::vector<std::string>& unset) override
    {
        return session_.set(menu, id, p, unset);
    }
    Status remove(const std::string& menu, const std::string& id) override { return session_.remove(menu, id); }
    Result<std::string> command(const std::string& menu, const std::string& command, const std::string& id,
                                const Properties& arguments) override
    {
        return session_.command(menu, command, id, arguments);
    }

private:
    Session& session_;
    std::function<std::string()> identity_;
};

}  // namespace mr::agent
