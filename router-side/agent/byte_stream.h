#pragma once
// A byte stream multiplexed on an API connection: a CLI session, a
// metarouter console. The connection feeds it the client's bytes and
// delivers what it writes; flow control is the connection's job.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace mr::agent {

class ByteStream {
public:
    virtual ~ByteStream() = default;

    // Output is connected: say hello (a prompt, the console's recent screen).
    virtual void begin() {}
    // Bytes the client typed or sent.
    virtual void input(std::string_view bytes) = 0;
    virtual void resize(unsigned columns, unsigned rows) { (void)columns; (void)rows; }
    virtual void sendBreak() {}

    // Set by the owner before any input: where output goes, and how the
    // stream says it has ended (logout, console gone).
    std::function<void(std::string_view bytes)> output;
    std::function<void(const std::string& reason)> ended;
    // Set by the owner: output bytes written but not yet sent to the client,
    // so that a stream fed from elsewhere (a console) can tell a slow client.
    std::function<std::int64_t()> backlog;
};

}  // namespace mr::agent
