#include "api_session.h"

#include <QTimer>

#include "frame_codec.h"
#include "login_throttle.h"
#include "object_store.h"
#include "user_manager.h"

namespace mr::agent {

ApiSession::ApiSession(protocol::ApiConnection* connection, QString source, const ApiServices& services,
                       QObject* parent)
    : QObject(parent), connection_(connection), source_(std::move(source)), services_(services)
{
    connection->setParent(this);
    connect(connection, &protocol::ApiConnection::received, this, &ApiSession::onReceived);
    connect(connection, &protocol::ApiConnection::closed, this, [this](const QString& reason) {
        if (!reason.isEmpty() && session_)
            qInfo("user %s from %s disconnected: %s", session_->user().name.c_str(), qPrintable(source_),
                  qPrintable(reason));
        streams_.clear();
        alive_.reset();
        session_.reset();
        emit finished();
    });
    connect(connection, &protocol::ApiConnection::drained, this, [this] {
        for (auto& [id, s] : streams_)
            pumpStream(id);
    });
}

ApiSession::~ApiSession()
{
    streams_.clear();
    session_.reset();
}

QString ApiSession::userName() const
{
    return session_ ? QString::fromStdString(session_->user().name) : QString();
}

void ApiSession::protocolError(const std::string& message)
{
    if (connection_)
        connection_->fail({wire::ERROR_PROTOCOL, message, {}});
}

void ApiSession::onReceived(const wire::Envelope& e)
{
    switch (state_) {
    case State::AwaitHello:
        if (e.body_case() != wire::Envelope::kHello)
            return protocolError("expected hello first");
        return onHello(e);
    case State::AwaitLogin:
        if (e.body_case() != wire::Envelope::kLogin)
            return protocolError("expected login");
        return onLogin(e);
    case State::Ready:
        break;
    }
    switch (e.body_case()) {
    case wire::Envelope::kRequest:
        return onRequest(e);
    case wire::Envelope::kStreamData: {
        const auto id = e.stream_data().stream();
        auto it = streams_.find(id);
        if (it == streams_.end())
            return;  // closed meanwhile
        if (e.stream_data().data().size() > kStreamWindow)
            return protocolError("stream data beyond the granted window");
        // Input is consumed at once, so the same credit is granted back.
        it->second.stream->input(e.stream_data().data());
        if (connection_ && streams_.count(id)) {
            wire::Envelope w;
            w.mutable_stream_window()->set_stream(id);
            w.mutable_stream_window()->set_credit(static_cast<std::uint32_t>(e.stream_data().data().size()));
            connection_->send(w);
        }
        return;
    }
    case wire::Envelope::kStreamWindow: {
        auto it = streams_.find(e.stream_window().stream());
        if (it != streams_.end()) {
            it->second.credit += e.stream_window().credit();
            pumpStream(it->first);
        }
        return;
    }
    case wire::Envelope::kStreamResize: {
        auto it = streams_.find(e.stream_resize().stream());
        if (it != streams_.end())
            it->second.stream->resize(e.stream_resize().columns(), e.stream_resize().rows());
        return;
    }
    case wire::Envelope::kStreamBreak: {
        auto it = streams_.find(e.stream_break().stream());
        if (it != streams_.end())
            it->second.stream->sendBreak();
        return;
    }
    case wire::Envelope::kStreamClose:
        return closeStream(e.stream_close().stream(), {}, false);
    case wire::Envelope::kHello:
    case wire::Envelope::kLogin:
        return protocolError("already logged in");
    default:
        return protocolError("unexpected message from a client");
    }
}

void ApiSession::onHello(const wire::Envelope& e)
{
    if (e.hello().version() != protocol::kProtocolVersion) {
        if (connection_)
            connection_->fail({wire::ERROR_UNSUPPORTED,
                               "protocol version " + std::to_string(e.hello().version()) +
                                   " is not supported; this daemon speaks version " +
                                   std::to_string(protocol::kProtocolVersion),
                               {}});
        return;
    }
    wire::Envelope out;
    out.mutable_hello()->set_version(protocol::kProtocolVersion);
    out.mutable_hello()->set_software("metarouterd " MR_VERSION);
    out.mutable_hello()->add_capabilities("streams");
    connection_->send(out);
    state_ = State::AwaitLogin;
}

void ApiSession::onLogin(const wire::Envelope& e)
{
    const int wait = services_.throttle->waitSeconds(source_);
    if (wait > 0) {
        replyError(e.id(), {wire::ERROR_BUSY,
                            "too many failed logins from " + source_.toStdString() + "; try again in " +
                                std::to_string(wait) + " s",
                            {}});
        return;
    }
    auto user = services_.users->authenticate(e.login().user(), e.login().password());
    if (!user) {
        services_.throttle->failed(source_);
        qWarning("login failure for user %s from %s", e.login().user().c_str(), qPrintable(source_));
        replyError(e.id(), user.error());
        if (++failedLogins_ >= 10 && connection_)
            connection_->fail({wire::ERROR_UNAUTHENTICATED, "too many failed logins", {}});
        return;
    }
    services_.throttle->succeeded(source_);
    session_ = std::make_unique<Session>(*services_.store, *user);
    state_ = State::Ready;
    qInfo("user %s logged in from %s", user->name.c_str(), qPrintable(source_));
    wire::Envelope out;
    out.set_id(e.id());
    auto* r = out.mutable_login_reply();
    r->set_user(user->name);
    r->set_group(user->group);
    r->set_identity(services_.identity ? services_.identity() : std::string("MikroTik"));
    *r->mutable_schema() = session_->schema();
    for (const auto& m : user->metarouters)
        r->add_allowed_metarouters(m);
    connection_->send(out);
}

void ApiSession::reply(std::uint64_t id, wire::Reply r)
{
    if (!connection_)
        return;
    wire::Envelope out;
    out.set_id(id);
    *out.mutable_reply() = std::move(r);
    connection_->send(out);
}

void ApiSession::replyError(std::uint64_t id, const Error& error)
{
    wire::Reply r;
    *r.mutable_error() = error.toWire();
    reply(id, std::move(r));
}

void ApiSession::onRequest(const wire::Envelope& e)
{
    const auto& req = e.request();
    const std::uint64_t id = e.id();
    Session& s = *session_;
    wire::Reply r;
    switch (req.kind_case()) {
    case wire::Request::kGet: {
        auto objs = s.get(req.get().menu());
        if (!objs)
            return replyError(id, objs.error());
        for (auto& o : *objs)
            *r.add_objects() = std::move(o);
        return reply(id, std::move(r));
    }
    case wire::Request::kAdd: {
        Properties p(req.add().properties().begin(), req.add().properties().end());
        auto newId = s.add(req.add().menu(), p);
        if (!newId)
            return replyError(id, newId.error());
        r.set_id(*newId);
        return reply(id, std::move(r));
    }
    case wire::Request::kSet: {
        Properties p(req.set().properties().begin(), req.set().properties().end());
        std::vector<std::string> unset(req.set().unset().begin(), req.set().unset().end());
        if (auto st = s.set(req.set().menu(), req.set().id(), p, unset); !st)
            return replyError(id, st.error());
        return reply(id, std::move(r));
    }
    case wire::Request::kRemove: {
        // All or nothing would need undo across providers; remove in order
        // and stop at the first failure, saying which.
        for (const auto& target : req.remove().ids())
            if (auto st = s.remove(req.remove().menu(), target); !st)
                return replyError(id, st.error());
        return reply(id, std::move(r));
    }
    case wire::Request::kCommand: {
        const auto& c = req.command();
        Properties args(c.arguments().begin(), c.arguments().end());
        if (s.isLongRunning(c.menu(), c.command())) {
            QPointer<ApiSession> self = this;
            std::weak_ptr<int> alive = alive_;
            CommandJob job;
            job.progress = [self, id, alive](const std::string& line) {
                if (!self || alive.expired())
                    return;
                wire::Reply progress;
                progress.set_in_progress(true);
                progress.set_output(line);
                self->reply(id, std::move(progress));
            };
            job.done = [self, id, alive](Result<std::string> result) {
                if (!self || alive.expired())
                    return;
                if (!result)
                    return self->replyError(id, result.error());
                wire::Reply done;
                done.set_output(*result);
                self->reply(id, std::move(done));
            };
            s.commandAsync(c.menu(), c.command(), c.id(), args, std::move(job));
            return;
        }
        auto out = s.command(c.menu(), c.command(), c.id(), args);
        if (!out)
            return replyError(id, out.error());
        r.set_output(*out);
        return reply(id, std::move(r));
    }
    case wire::Request::kSubscribe: {
        const std::string menu = req.subscribe().menu();
        QPointer<protocol::ApiConnection> conn = connection_;
        auto sub = std::make_shared<std::uint64_t>(0);
        auto subId = s.subscribe(menu, [conn, sub](std::uint64_t revision, const std::vector<wire::Change>& changes) {
            if (!conn)
                return;
            wire::Envelope ev;
            auto* event = ev.mutable_event();
            event->set_subscription(*sub);
            event->set_revision(revision);
            for (const auto& c : changes)
                *event->add_changes() = c;
            conn->send(ev);
        });
        if (!subId)
            return replyError(id, subId.error());
        *sub = *subId;
        auto objs = s.get(menu);
        if (objs)
            for (auto& o : *objs)
                *r.add_objects() = std::move(o);
        r.set_subscription(*subId);
        r.set_revision(services_.store->revision());
        return reply(id, std::move(r));
    }
    case wire::Request::kUnsubscribe:
        s.unsubscribe(req.unsubscribe().subscription());
        return reply(id, std::move(r));
    case wire::Request::kOpenStream:
        return openStream(id, req.open_stream());
    case wire::Request::kCliExec: {
        if (!services_.cliExec)
            return replyError(id, {wire::ERROR_UNSUPPORTED, "no command line in this daemon", {}});
        QPointer<ApiSession> self = this;
        services_.cliExec(s, req.cli_exec().script(), alive_, [self, id](wire::Reply r) {
            if (self)
                self->reply(id, std::move(r));
        });
        return;
    }
    default:
        return replyError(id, {wire::ERROR_UNSUPPORTED, "unknown request", {}});
    }
}

void ApiSession::openStream(std::uint64_t id, const wire::OpenStreamRequest& request)
{
    if (!services_.openStream)
        return replyError(id, {wire::ERROR_UNSUPPORTED, "streams are not available", {}});
    if (streams_.size() >= 64)
        return replyError(id, {wire::ERROR_BUSY, "too many open streams on this connection", {}});
    auto stream = services_.openStream(*session_, request);
    if (!stream)
        return replyError(id, stream.error());
    const std::uint32_t sid = nextStream_++;
    Stream& s = streams_[sid];
    s.stream = std::move(*stream);
    s.credit = request.window() ? request.window() : kStreamWindow;
    s.stream->output = [this, sid](std::string_view bytes) { streamOutput(sid, bytes); };
    s.stream->backlog = [this, sid]() -> std::int64_t {
        auto it = streams_.find(sid);
        return it == streams_.end() ? 0 : static_cast<std::int64_t>(it->second.backlog.size());
    };
    s.stream->ended = [this, sid](const std::string& reason) {
        // The stream may end from inside its own input(): close it later.
        QTimer::singleShot(0, this, [this, sid, reason] { closeStream(sid, reason, true); });
    };
    wire::Reply r;
    r.set_stream(sid);
    r.set_window(kStreamWindow);
    reply(id, std::move(r));
    if (request.columns() && request.rows())
        s.stream->resize(request.columns(), request.rows());
    s.stream->begin();
    pumpStream(sid);
}

void ApiSession::streamOutput(std::uint32_t id, std::string_view bytes)
{
    auto it = streams_.find(id);
    if (it == streams_.end())
        return;
    it->second.backlog.append(bytes);
    if (it->second.backlog.size() > kMaxStreamBacklog) {
        QTimer::singleShot(0, this, [this, id] { closeStream(id, "client too slow: output backlog exceeded", true); });
        return;
    }
    pumpStream(id);
}

void ApiSession::pumpStream(std::uint32_t id)
{
    auto it = streams_.find(id);
    if (it == streams_.end() || !connection_)
        return;
    Stream& s = it->second;
    while (!s.backlog.empty() && s.credit > 0 && !connection_->congested()) {
        const std::size_t n = std::min<std::size_t>({s.backlog.size(), s.credit, 16 * 1024});
        wire::Envelope e;
        e.mutable_stream_data()->set_stream(id);
        e.mutable_stream_data()->set_data(s.backlog.data(), n);
        if (!connection_->send(e))
            return;
        s.backlog.erase(0, n);
        s.credit -= n;
    }
}

void ApiSession::closeStream(std::uint32_t id, const std::string& reason, bool notify)
{
    auto it = streams_.find(id);
    if (it == streams_.end())
        return;
    pumpStream(id);  // flush what fits before saying goodbye
    auto stream = std::move(it->second.stream);
    streams_.erase(it);
    if (notify && connection_) {
        wire::Envelope e;
        e.mutable_stream_close()->set_stream(id);
        e.mutable_stream_close()->set_reason(reason);
        connection_->send(e);
    }
}

}  // namespace mr::agent
