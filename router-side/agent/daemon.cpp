#include "daemon.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>

#include "api_server.h"
#include "cli_engine.h"
#include "cli_stream.h"
#include "database.h"
#include "log_provider.h"
#include "login_throttle.h"
#include "net_provider.h"
#include "object_store.h"
#include "session.h"
#include "session_cli_backend.h"
#include "system_provider.h"
#include "tls_identity.h"
#include "user_manager.h"

namespace mr::agent {

Daemon::Daemon(Options options, QObject* parent) : QObject(parent), options_(std::move(options)) {}

Daemon::~Daemon()
{
    server_.reset();  // sessions first: they hold subscriptions in the store
    store_.reset();
}

quint16 Daemon::tlsPort() const
{
    return server_ ? server_->tlsPort() : 0;
}

Status Daemon::start()
{
    log_ = std::make_unique<LogProvider>();
    log_->install();

    if (!QDir().mkpath(options_.stateDir))
        return Error::failed("cannot create the state directory " + options_.stateDir.toStdString());
    QFile::setPermissions(options_.stateDir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);

    auto db = Database::open((options_.stateDir + "/config.db").toStdString());
    if (!db)
        return db.error();
    db_ = std::move(*db);

    store_ = std::make_unique<ObjectStore>(db_.get());
    system_ = std::make_unique<SystemProvider>(options_.stateDir);
    users_ = std::make_unique<UserManager>(options_.stateDir);
    net_ = std::make_unique<net::NetProvider>();
    // Order matters for start(): identity before users (log lines name it),
    // host networking before anything that plugs into bridges.
    store_->registerProvider(system_.get());
    store_->registerProvider(log_.get());
    store_->registerProvider(users_.get());
    store_->registerProvider(net_.get());
    if (auto st = store_->start(); !st)
        return st;
    if (auto st = net_->startStatus(); !st)
        return st;

    throttle_ = std::make_unique<LoginThrottle>();
    ApiServices services;
    services.store = store_.get();
    services.users = users_.get();
    services.throttle = throttle_.get();
    SystemProvider* system = system_.get();
    services.identity = [system] { return system->identity(); };
    services.openStream = [system](Session& session,
                                   const wire::OpenStreamRequest& request) -> Result<std::unique_ptr<ByteStream>> {
        switch (request.kind()) {
        case wire::STREAM_CLI: {
            auto stream = std::make_unique<CliStream>(session, [system] { return system->identity(); });
            return std::unique_ptr<ByteStream>(std::move(stream));
        }
        default:
            return Error{wire::ERROR_UNSUPPORTED, "this kind of stream is not available yet", {}};
        }
    };
    services.cliExec = [system](Session& session, const std::string& script) {
        SessionCliBackend backend(session, [system] { return system->identity(); });
        cli::CliEngine engine(backend);
        const cli::Outcome outcome = engine.runScript(script);
        wire::Reply reply;
        reply.set_output(outcome.output);
        if (!outcome.ok) {
            reply.mutable_error()->set_code(wire::ERROR_FAILED);
            reply.mutable_error()->set_message(outcome.error);
        }
        return reply;
    };
    server_ = std::make_unique<ApiServer>(services);

    const QString socketPath = options_.stateDir + "/api.sock";
    if (auto st = server_->listenLocal(socketPath); !st)
        return st;
    if (options_.listenTls) {
        auto identity = TlsIdentity::loadOrCreate(options_.stateDir, QStringLiteral("metarouterd"));
        if (!identity)
            return identity.error();
        if (auto st = server_->listenTls(options_.listenAddress, options_.listenPort, *identity); !st)
            return st;
        QSaveFile fp(options_.stateDir + "/fingerprint");
        if (fp.open(QIODevice::WriteOnly)) {
            fp.write(identity->fingerprint().toLatin1() + '\n');
            fp.commit();
        }
        qInfo("listening on %s:%u (TLS 1.3, certificate SHA-256 %s)", qPrintable(options_.listenAddress.toString()),
              server_->tlsPort(), qPrintable(identity->fingerprint()));
    }
    qInfo("listening on %s", qPrintable(socketPath));
    return {};
}

}  // namespace mr::agent
