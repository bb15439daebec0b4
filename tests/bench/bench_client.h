#pragma once
// One logged-in API connection for the benchmark: ApiClient plus blocking
// helpers (connect and log in, one request and its reply) built on spinUntil.

#include <QObject>
#include <QString>

#include <memory>
#include <optional>

#include "api_client.h"

namespace mr::bench {

class BenchClient final : public QObject {
    Q_OBJECT
public:
    explicit BenchClient(QObject* parent = nullptr);
    ~BenchClient() override;

    // Connects (TLS with the fingerprint pinned explicitly, or the unix
    // socket) and logs in. On failure, error says why.
    bool open(const protocol::ApiClient::Endpoint& endpoint, const QString& user, const QString& password,
              QString* error, int timeoutMs = 30000);
    // Sends one request and waits for its reply; nullopt on a time-out.
    std::optional<wire::Reply> call(const wire::Request& request, int timeoutMs = 60000);

    protocol::ApiClient& api() { return *api_; }

private:
    std::unique_ptr<protocol::ApiClient> api_;
};

// Request builders.
wire::Request getRequest(const std::string& menu);
wire::Request cliRequest(const std::string& script);
// Bytes of the frame that carries this request / reply (length prefix included).
int requestFrameBytes(const wire::Request& request, quint64 id = 1);
int replyFrameBytes(const wire::Reply& reply, quint64 id = 1);
int eventFrameBytes(const wire::Event& event);
// "code: message" of an error reply; empty on success.
std::string replyError(const wire::Reply& reply);

}  // namespace mr::bench
