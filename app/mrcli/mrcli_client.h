#pragma once
// mrcli's one job: log in to metarouterd and then run a script, attach the
// interactive command line, or attach a metarouter's console, exiting with
// a status scripts can rely on.

#include <QObject>
#include <QSocketNotifier>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <string>

#include "api_client.h"
#include "console_escape.h"
#include "raw_terminal.h"

namespace mr::ui {

class Upload;

class MrcliClient final : public QObject {
    Q_OBJECT
public:
    struct Options {
        protocol::ApiClient::Endpoint endpoint;
        QString user = QStringLiteral("admin");
        QString password;       // empty: MR_PASSWORD, else a prompt
        QString script;         // run this and exit (may be empty with readScript)
        bool readScript = false;  // script comes from standard input
        QString console;        // attach this metarouter's console
        QString upload;         // send this local file to /file (see upload.h)
        QString uploadAs;       // ... under this name (default: its own)
    };

    explicit MrcliClient(Options options, QObject* parent = nullptr);
    ~MrcliClient() override;

    void start();

signals:
    void done(int exitCode);

private:
    void onLoggedIn();
    void runScript();
    void openStream(wire::StreamKind kind, const QString& target);
    void onStdin();
    void sendInput(const QByteArray& bytes);
    void pumpInput();
    void finish(int code, const QString& message = {});
    void startUpload();
    // Ctrl-A Q: close the console stream and exit 0.
    void detachConsole();

    Options options_;
    protocol::ApiClient client_;
    std::unique_ptr<RawTerminal> raw_;
    std::unique_ptr<QSocketNotifier> stdin_;
    quint32 stream_ = 0;
    quint64 credit_ = 0;        // bytes the daemon lets us send
    QByteArray outgoing_;       // typed but not yet sent
    // A console from a terminal: typed keys go through the Ctrl-A escape.
    // From a script (stdin not a terminal) bytes pass through untouched.
    std::optional<protocol::ConsoleEscape> escape_;
    bool stdinEof_ = false;
    bool finished_ = false;
    std::unique_ptr<Upload> upload_;
};

}  // namespace mr::ui
