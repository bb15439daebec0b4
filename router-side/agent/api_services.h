#pragma once
// What API sessions need from the rest of the daemon, gathered in one place
// so that the server does not depend on how each part is built.

#include <QString>

#include <functional>
#include <memory>
#include <string>

#include "byte_stream.h"
#include "error.h"
#include "metarouter.pb.h"

namespace mr::agent {

class ObjectStore;
class UserManager;
class LoginThrottle;
class Session;

struct ApiServices {
    ObjectStore* store = nullptr;
    UserManager* users = nullptr;
    LoginThrottle* throttle = nullptr;
    std::function<std::string()> identity;
    // Opens a stream of the given kind for a logged-in session.
    std::function<Result<std::unique_ptr<ByteStream>>(Session& session, const wire::OpenStreamRequest& request)>
        openStream;
    // Runs a CLI script non-interactively and answers once: a reply with the
    // output and, if a line failed, the error (output holds what ran before).
    // `alive` expires when the session goes away.
    std::function<void(Session& session, const std::string& script, std::weak_ptr<void> alive,
                       std::function<void(wire::Reply)> done)>
        cliExec;
};

}  // namespace mr::agent
