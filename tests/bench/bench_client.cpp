#include "bench_client.h"

#include "wait_until.h"

namespace mr::bench {

BenchClient::BenchClient(QObject* parent) : QObject(parent), api_(std::make_unique<protocol::ApiClient>("mr_bench"))
{
}

// Deleting the ApiClient closes the connection without calling the handlers
// of requests still pending (they may refer to the caller's locals).
BenchClient::~BenchClient() = default;

bool BenchClient::open(const protocol::ApiClient::Endpoint& endpoint, const QString& user, const QString& password,
                       QString* error, int timeoutMs)
{
    bool connected = false, loggedIn = false, failed = false;
    QString why;
    auto c1 = connect(api_.get(), &protocol::ApiClient::connected, this, [&] {
        connected = true;
        api_->login(user, password);
    });
    auto c2 = connect(api_.get(), &protocol::ApiClient::loggedIn, this, [&] { loggedIn = true; });
    auto c3 = connect(api_.get(), &protocol::ApiClient::loginFailed, this, [&](const QString& m) {
        failed = true;
        why = "login failed: " + m;
    });
    auto c4 = connect(api_.get(), &protocol::ApiClient::disconnected, this, [&](const QString& m) {
        failed = true;
        if (why.isEmpty())
            why = "disconnected: " + m;
    });
    auto c5 = connect(api_.get(), &protocol::ApiClient::fingerprintUnknown, this, [&](const QString& fp) {
        failed = true;
        why = "daemon fingerprint " + fp + " not given";
        api_->acceptFingerprint(false);
    });
    api_->connectTo(endpoint);
    const bool done = waitUntil([&] { return loggedIn || failed; }, timeoutMs);
    for (const auto& c : {c1, c2, c3, c4, c5})
        disconnect(c);
    if (!done)
        why = connected ? "login timed out" : "connect timed out";
    if (error)
        *error = why;
    return loggedIn && !failed;
}

std::optional<wire::Reply> BenchClient::call(const wire::Request& request, int timeoutMs)
{
    auto result = std::make_shared<std::optional<wire::Reply>>();
    api_->request(request, [result](const wire::Reply& r) { *result = r; });
    if (!waitUntil([&] { return result->has_value(); }, timeoutMs))
        return std::nullopt;
    return std::move(*result);
}

wire::Request getRequest(const std::string& menu)
{
    wire::Request r;
    r.mutable_get()->set_menu(menu);
    return r;
}

wire::Request cliRequest(const std::string& script)
{
    wire::Request r;
    r.mutable_cli_exec()->set_script(script);
    return r;
}

int requestFrameBytes(const wire::Request& request, quint64 id)
{
    wire::Envelope e;
    e.set_id(id);
    *e.mutable_request() = request;
    return 4 + static_cast<int>(e.ByteSizeLong());
}

int replyFrameBytes(const wire::Reply& reply, quint64 id)
{
    wire::Envelope e;
    e.set_id(id);
    *e.mutable_reply() = reply;
    return 4 + static_cast<int>(e.ByteSizeLong());
}

int eventFrameBytes(const wire::Event& event)
{
    wire::Envelope e;
    *e.mutable_event() = event;
    return 4 + static_cast<int>(e.ByteSizeLong());
}

std::string replyError(const wire::Reply& reply)
{
    if (reply.error().code() == wire::ERROR_NONE)
        return {};
    return std::to_string(reply.error().code()) + ": " + reply.error().message();
}

}  // namespace mr::bench
