#pragma once

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <string>
#include <string_view>

#include "byte_stream.h"
#include "console_mux.h"
#include "error.h"

namespace mr::hv {
class ConsoleRegistry;
}

namespace mr::agent {

class Session;

// A metarouter's serial console as a byte stream: one client of the
// console's multiplexer. The guest's output (the recent screen first) goes
// to the stream, its input and breaks go to the guest; the stream ends when
// the multiplexer drops it (too slow) or the console goes away.
class ConsoleStream final : public QObject, public ByteStream {
    Q_OBJECT
public:
    // Finds the metarouter `target` (its name, or its *id) among those the
    // session may see, and its console. Clear errors: no such metarouter
    // (also for another tenant's), not allowed, not running.
    static Result<std::unique_ptr<ConsoleStream>> open(Session& session, hv::ConsoleRegistry* registry,
                                                       const std::string& target);

    // registry may be null: then only the console's destruction ends the stream.
    ConsoleStream(hv::ConsoleMux* mux, hv::ConsoleRegistry* registry, std::string name);
    ~ConsoleStream() override;

    // Attaches to the console; its recent output is written before this returns.
    void begin() override;
    void input(std::string_view bytes) override;
    void sendBreak() override;

    const std::string& name() const { return name_; }
    bool isEnded() const { return ended_; }

    static constexpr int kGonePollMs = 250;

private:
    void end(const std::string& reason);
    void checkGone();

    QPointer<hv::ConsoleMux> mux_;
    hv::ConsoleRegistry* registry_ = nullptr;
    std::string name_;
    hv::ConsoleMux::ClientId client_ = 0;
    QTimer gonePoll_;         // runs while the console's socket is away
    bool inputRefused_ = false;  // said so once; quiet until input goes through again
    bool ended_ = false;
};

}  // namespace mr::agent
