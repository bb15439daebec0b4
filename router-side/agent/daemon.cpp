#include "daemon.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include "announcement.h"
#include "announcer.h"
#include "api_server.h"
#include "cli_engine.h"
#include "cli_stream.h"
#include "console_stream.h"
#include "database.h"
#include "file_provider.h"
#include "log_provider.h"
#include "login_throttle.h"
#include "metarouter_provider.h"
#include "net_provider.h"
#include "object_store.h"
#include "session.h"
#include "script_run.h"
#include "session_cli_backend.h"
#include "system_provider.h"
#include "tls_identity.h"
#include "upload_stream.h"
#include "user_manager.h"

namespace mr::agent {

Daemon::Daemon(Options options, QObject* parent) : QObject(parent), options_(std::move(options)) {}

Daemon::~Daemon()
{
    server_.reset();  // sessions first: they hold subscriptions in the store
    metarouters_.reset();  // leaves QEMU running
    store_.reset();
}

void Daemon::shutDown()
{
    if (metarouters_ && options_.stopMetaroutersOnExit) {
        qInfo("powering metarouters off: their network namespace goes away with the daemon");
        metarouters_->stopAll(10000);
    }
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
    hv::MetarouterProvider::Options hvOptions;
    hvOptions.stateDir = options_.stateDir;
    hvOptions.defaultImageDir = options_.guestImageDir;
    hvOptions.filesDir = options_.stateDir + "/files";
    hvOptions.accel = options_.accel == "kvm"   ? hv::MetarouterProvider::AccelMode::Kvm
                      : options_.accel == "tcg" ? hv::MetarouterProvider::AccelMode::Tcg
                                                : hv::MetarouterProvider::AccelMode::Auto;
    metarouters_ = std::make_unique<hv::MetarouterProvider>(hvOptions, system_.get());
    consoles_ = metarouters_.get();
    // Order matters for start(): identity before users (log lines name it),
    // host networking before anything that plugs into bridges.
    store_->registerProvider(system_.get());
    announcer_ = std::make_unique<Announcer>([system = system_.get()] { return system->identity(); },
                                             protocol::kDiscoveryPort);
    store_->registerProvider(announcer_.get());
    store_->registerProvider(log_.get());
    store_->registerProvider(users_.get());
    store_->registerProvider(net_.get());
    files_ = std::make_unique<FileProvider>(options_.stateDir + "/files");
    store_->registerProvider(files_.get());
    store_->registerProvider(metarouters_.get());
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
    // Consoles are looked up when opened: the registry may be set after start().
    auto openConsole = [this](Session& session, const std::string& target) -> Result<std::unique_ptr<ByteStream>> {
        auto console = ConsoleStream::open(session, consoles_, target);
        if (!console)
            return console.error();
        return std::unique_ptr<ByteStream>(std::move(*console));
    };
    FileProvider* files = files_.get();
    services.openStream = [system, openConsole, files](Session& session, const wire::OpenStreamRequest& request)
        -> Result<std::unique_ptr<ByteStream>> {
        switch (request.kind()) {
        case wire::STREAM_CLI: {
            auto stream = std::make_unique<CliStream>(
                session, [system] { return system->identity(); },
                [&session, openConsole](const std::string& target) { return openConsole(session, target); });
            return std::unique_ptr<ByteStream>(std::move(stream));
        }
        case wire::STREAM_CONSOLE:
            return openConsole(session, request.target());
        case wire::STREAM_UPLOAD: {
            if (!session.canWrite())
                return Error::denied("only users of group full may upload files");
            auto upload = UploadStream::open(files->files(), request.target());
            if (!upload)
                return upload.error();
            return std::unique_ptr<ByteStream>(std::move(*upload));
        }
        default:
            return Error{wire::ERROR_UNSUPPORTED, "this kind of stream is not available yet", {}};
        }
    };
    services.cliExec = [system](Session& session, const std::string& script, std::weak_ptr<void> alive,
                                std::function<void(wire::Reply)> done) {
        ScriptRun::start(session, [system] { return system->identity(); }, script, std::move(alive),
                         std::move(done));
    };
    server_ = std::make_unique<ApiServer>(services);

    const QString socketPath =
        options_.socketPath.isEmpty() ? options_.stateDir + QStringLiteral("/api.sock") : options_.socketPath;
    if (!QDir().mkpath(QFileInfo(socketPath).absolutePath()))
        return Error::failed("cannot create the directory of " + socketPath.toStdString());
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
        announcer_->setApi(server_->tlsPort(), identity->fingerprint());
        qInfo("listening on %s:%u (TLS 1.3, certificate SHA-256 %s)", qPrintable(options_.listenAddress.toString()),
              server_->tlsPort(), qPrintable(identity->fingerprint()));
    }
    qInfo("listening on %s", qPrintable(socketPath));
    return {};
}

}  // namespace mr::agent
