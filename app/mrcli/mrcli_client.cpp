#include "mrcli_client.h"

#include <unistd.h>

#include <QCoreApplication>
#include <QFile>
#include <QTimer>

#include <cstdio>
#include <iostream>

#include "tls_pinning.h"
#include "upload.h"

namespace mr::ui {

namespace {
constexpr quint32 kWindow = 256 * 1024;

void writeOut(const std::string& bytes)
{
    std::size_t off = 0;
    while (off < bytes.size()) {
        const ssize_t n = ::write(STDOUT_FILENO, bytes.data() + off, bytes.size() - off);
        if (n <= 0)
            return;
        off += static_cast<std::size_t>(n);
    }
}
}  // namespace

MrcliClient::MrcliClient(Options options, QObject* parent)
    : QObject(parent), options_(std::move(options)), client_(QStringLiteral("mrcli " MR_VERSION))
{
    connect(&client_, &protocol::ApiClient::fingerprintUnknown, this, [this](const QString& fp) {
        const QString shown = protocol::TlsPinning::display(fp);
        if (!isatty(STDIN_FILENO)) {
            finish(2, QStringLiteral("the daemon at %1 is not known yet (certificate SHA-256 %2); pass "
                                     "--fingerprint %3 or connect once interactively to trust it")
                          .arg(options_.endpoint.text(), shown, fp));
            return;
        }
        std::fprintf(stderr, "The daemon at %s is not known yet.\nIts certificate SHA-256 fingerprint is\n  %s\n"
                             "Trust it and remember it? (yes/no) ",
                     qPrintable(options_.endpoint.text()), qPrintable(shown));
        std::string answer;
        std::getline(std::cin, answer);
        client_.acceptFingerprint(answer == "yes" || answer == "y");
    });
    connect(&client_, &protocol::ApiClient::connected, this, [this] {
        QString password = options_.password;
        if (password.isEmpty())
            password = qEnvironmentVariable("MR_PASSWORD");
        if (password.isEmpty()) {
            std::string typed;
            const std::string prompt = options_.user.toStdString() + "@" + options_.endpoint.text().toStdString() +
                                       " password: ";
            if (!RawTerminal::readSecret(prompt.c_str(), &typed)) {
                finish(2, QStringLiteral("no password: set MR_PASSWORD or run from a terminal"));
                return;
            }
            password = QString::fromStdString(typed);
        }
        client_.login(options_.user, password);
    });
    connect(&client_, &protocol::ApiClient::loginFailed, this,
            [this](const QString& message) { finish(3, QStringLiteral("login failed: ") + message); });
    connect(&client_, &protocol::ApiClient::loggedIn, this, &MrcliClient::onLoggedIn);
    connect(&client_, &protocol::ApiClient::disconnected, this, [this](const QString& reason) {
        finish(stream_ ? 0 : 2, reason.isEmpty() ? QString() : QStringLiteral("disconnected: ") + reason);
    });
    connect(&client_, &protocol::ApiClient::streamData, this, [this](quint32 stream, const QByteArray& data) {
        if (stream != stream_)
            return;
        writeOut(data.toStdString());
        client_.grantStreamCredit(stream, static_cast<quint32>(data.size()));
    });
    connect(&client_, &protocol::ApiClient::streamCredit, this, [this](quint32 stream, quint32 credit) {
        if (stream != stream_)
            return;
        credit_ += credit;
        pumpInput();
    });
    connect(&client_, &protocol::ApiClient::streamClosed, this, [this](quint32 stream, const QString& reason) {
        if (stream != stream_)
            return;
        stream_ = 0;
        raw_.reset();
        // A console the daemon closed (metarouter stopped, client too slow)
        // is not a normal detach; a command line that logged out is.
        if (!options_.console.isEmpty())
            return finish(1, "\n" + (reason.isEmpty() ? QStringLiteral("console of %1 closed").arg(options_.console)
                                                       : reason));
        finish(0, reason);
    });
}

MrcliClient::~MrcliClient() = default;

void MrcliClient::start()
{
    client_.connectTo(options_.endpoint);
}

void MrcliClient::onLoggedIn()
{
    if (!options_.upload.isEmpty())
        return startUpload();
    if (!options_.console.isEmpty())
        return openStream(wire::STREAM_CONSOLE, options_.console);
    if (!options_.script.isEmpty() || options_.readScript)
        return runScript();
    openStream(wire::STREAM_CLI, {});
}

void MrcliClient::runScript()
{
    QString script = options_.script;
    if (options_.readScript) {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly)) {
            finish(2, QStringLiteral("cannot read the script from standard input"));
            return;
        }
        script = QString::fromUtf8(in.readAll());
    }
    wire::Request req;
    req.mutable_cli_exec()->set_script(script.toStdString());
    client_.request(req, [this](const wire::Reply& reply) {
        writeOut(reply.output());
        if (reply.error().code() != wire::ERROR_NONE) {
            finish(1, QString::fromStdString(Error::fromWire(reply.error()).text()));
            return;
        }
        finish(0);
    });
}

void MrcliClient::openStream(wire::StreamKind kind, const QString& target)
{
    wire::Request req;
    auto* open = req.mutable_open_stream();
    open->set_kind(kind);
    open->set_target(target.toStdString());
    open->set_window(kWindow);
    unsigned cols = 80, rows = 24;
    RawTerminal::size(&cols, &rows);
    open->set_columns(cols);
    open->set_rows(rows);
    client_.request(req, [this](const wire::Reply& reply) {
        if (reply.error().code() != wire::ERROR_NONE) {
            const QString why = QString::fromStdString(Error::fromWire(reply.error()).text());
            finish(1, options_.console.isEmpty()
                          ? why
                          : QStringLiteral("cannot open the console of %1: %2").arg(options_.console, why));
            return;
        }
        stream_ = reply.stream();
        credit_ = reply.window();
        raw_ = std::make_unique<RawTerminal>();
        if (!options_.console.isEmpty() && isatty(STDIN_FILENO)) {
            escape_.emplace(protocol::ConsoleEscape::Handlers{
                [this](std::string_view bytes) { sendInput(QByteArray(bytes.data(), qsizetype(bytes.size()))); },
                [](std::string_view text) { writeOut(std::string(text)); },
                [this] {
                    if (stream_)
                        client_.sendStreamBreak(stream_);
                },
                [this] { detachConsole(); },
            });
            writeOut(std::string(protocol::ConsoleEscape::kAttachBanner));
        }
        stdin_ = std::make_unique<QSocketNotifier>(STDIN_FILENO, QSocketNotifier::Read);
        connect(stdin_.get(), &QSocketNotifier::activated, this, &MrcliClient::onStdin);
    });
}

void MrcliClient::onStdin()
{
    char buf[4096];
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) {
        // End of input: a script driving a console is done once it is sent.
        stdin_->setEnabled(false);
        stdinEof_ = true;
        pumpInput();
        return;
    }
    if (escape_) {
        escape_->feed(std::string_view(buf, static_cast<std::size_t>(n)));
        return;
    }
    sendInput(QByteArray(buf, static_cast<int>(n)));
}

void MrcliClient::detachConsole()
{
    pumpInput();  // what was typed before Ctrl-A Q, as far as credit allows
    if (stdin_)
        stdin_->setEnabled(false);
    if (stream_)
        client_.closeStream(stream_);
    stream_ = 0;
    // Leave after the event loop has written the close.
    QTimer::singleShot(0, this, [this] { finish(0); });
}

void MrcliClient::sendInput(const QByteArray& bytes)
{
    outgoing_ += bytes;
    pumpInput();
}

void MrcliClient::pumpInput()
{
    while (stream_ && !outgoing_.isEmpty() && credit_ > 0) {
        const qsizetype n = std::min<qsizetype>(outgoing_.size(), static_cast<qsizetype>(std::min<quint64>(credit_, 16384)));
        client_.sendStreamData(stream_, outgoing_.left(n));
        outgoing_.remove(0, n);
        credit_ -= static_cast<quint64>(n);
    }
    // Pause reading while the daemon cannot take more.
    if (stdin_ && !stdinEof_)
        stdin_->setEnabled(outgoing_.size() < 65536);
    if (stdinEof_ && outgoing_.isEmpty() && stream_) {
        // Let the last output arrive before closing.
        QTimer::singleShot(500, this, [this] {
            if (stream_)
                client_.closeStream(stream_);
            stream_ = 0;
            finish(0);
        });
        stdinEof_ = false;
    }
}

void MrcliClient::finish(int code, const QString& message)
{
    if (finished_)
        return;
    finished_ = true;
    raw_.reset();
    if (!message.isEmpty())
        std::fprintf(stderr, "%s\n", qPrintable(message));
    client_.disconnectFromServer();
    emit done(code);
}

void MrcliClient::startUpload()
{
    upload_ = std::make_unique<Upload>(client_, options_.upload, options_.uploadAs);
    connect(upload_.get(), &Upload::finished, this, [this](int code, const QString& message) { finish(code, message); });
    upload_->start();
}

}  // namespace mr::ui
