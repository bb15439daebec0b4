#include "console_stream.h"

#include "console_registry.h"
#include "schema_values.h"
#include "session.h"

namespace mr::agent {

namespace {

constexpr const char* kMenu = "/metarouter";

const std::string* valueOf(const wire::Object& o, const char* name)
{
    auto it = o.properties().find(name);
    return it == o.properties().end() ? nullptr : &it->second;
}

}  // namespace

Result<std::unique_ptr<ConsoleStream>> ConsoleStream::open(Session& session, hv::ConsoleRegistry* registry,
                                                           const std::string& target)
{
    if (target.empty())
        return Error::invalid("target", "which metarouter's console? give its name");
    // Through the session: a tenant sees only their own metarouters, so
    // anyone else's is simply not there.
    auto objects = session.get(kMenu);
    if (!objects)
        return objects.error();
    const wire::Object* found = nullptr;
    for (const auto& o : *objects) {
        const std::string* name = valueOf(o, "name");
        if ((name && *name == target) || o.id() == target) {
            found = &o;
            break;
        }
    }
    if (!found)
        return Error::notFound("no such metarouter: " + target);
    const std::string* namePtr = valueOf(*found, "name");
    const std::string name = namePtr ? *namePtr : target;

    // Typing into a guest is a change: full users, and tenants on their own
    // metarouters (the schema's console command says so), not the read group.
    const wire::MenuSchema* menu = protocol::findMenu(session.schema(), kMenu);
    const wire::CommandSchema* command = menu ? protocol::findCommand(*menu, "console") : nullptr;
    const bool allowed = session.canWrite() ||
                         (command ? (session.isTenant() ? command->tenant() : command->read_only()) : session.isTenant());
    if (!allowed)
        return Error::denied("not allowed: user " + session.user().name + " (group " + session.user().group +
                             ") cannot use consoles");

    if (!registry)
        return Error{wire::ERROR_UNSUPPORTED, "consoles are not available in this daemon", {}};
    hv::ConsoleMux* mux = registry->console(name);
    if (!mux)
        return Error::failed("metarouter " + name + " is not running: start it first");
    return std::make_unique<ConsoleStream>(mux, registry, name);
}

ConsoleStream::ConsoleStream(hv::ConsoleMux* mux, hv::ConsoleRegistry* registry, std::string name)
    : mux_(mux), registry_(registry), name_(std::move(name))
{
    gonePoll_.setInterval(kGonePollMs);
    connect(&gonePoll_, &QTimer::timeout, this, &ConsoleStream::checkGone);
    if (!mux_)
        return;
    connect(mux_, &QObject::destroyed, this, [this] {
        client_ = 0;
        end("console of " + name_ + " closed: the metarouter stopped");
    });
    // QEMU's socket goes away when the guest powers off, and also briefly
    // while the daemon re-adopts it: ask the registry whether it is gone.
    connect(mux_, &hv::ConsoleMux::connectedChanged, this, [this](bool connected) {
        if (connected)
            gonePoll_.stop();
        else if (!ended_)
            gonePoll_.start();
    });
}

ConsoleStream::~ConsoleStream()
{
    ended_ = true;
    if (mux_ && client_)
        mux_->detach(client_);
}

void ConsoleStream::begin()
{
    if (ended_)
        return;
    if (!mux_)
        return end("console of " + name_ + " closed: the metarouter stopped");
    hv::ConsoleMux::Client c;
    c.output = [this](const QByteArray& data) {
        if (!ended_ && output)
            output(std::string_view(data.constData(), static_cast<std::size_t>(data.size())));
    };
    c.dropped = [this](const QString& reason) {
        client_ = 0;
        end(reason.toStdString());
    };
    c.backlog = [this]() -> qint64 { return backlog ? static_cast<qint64>(backlog()) : 0; };
    client_ = mux_->attach(std::move(c));
    if (!mux_->isConnected())
        gonePoll_.start();
}

void ConsoleStream::input(std::string_view bytes)
{
    if (ended_ || !mux_ || !client_ || bytes.empty())
        return;
    const Status st = mux_->write(client_, QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size())));
    if (st) {
        inputRefused_ = false;
        return;
    }
    // Said once in the output, not per keystroke.
    if (!inputRefused_ && output)
        output("\r\n[" + st.error().message + "]\r\n");
    inputRefused_ = true;
}

void ConsoleStream::sendBreak()
{
    if (ended_ || !mux_)
        return;
    if (const Status st = mux_->sendBreak(); !st && output)
        output("\r\n[break not sent: " + st.error().message + "]\r\n");
}

void ConsoleStream::checkGone()
{
    if (ended_ || !mux_) {
        gonePoll_.stop();
        return;
    }
    if (mux_->isConnected()) {
        gonePoll_.stop();
        return;
    }
    if (registry_ && registry_->console(name_) != mux_)
        end("console of " + name_ + " closed: the metarouter stopped");
}

void ConsoleStream::end(const std::string& reason)
{
    if (ended_)
        return;
    ended_ = true;
    gonePoll_.stop();
    if (mux_ && client_)
        mux_->detach(client_);
    client_ = 0;
    // Last: the owner may destroy this stream from its handler.
    if (auto handler = ended)
        handler(reason);
}

}  // namespace mr::agent
