#pragma once
// mrcli's one job: log in to metarouterd and then run a script, attach the
// interactive command line, or attach a metarouter's console, exiting with
// a status scripts can rely on.

#include <QObject>
#include <QSocketNotifier>
#include <QString>
#include <QStringList>

#include <memory>
#include <string>

#include "api_client.h"
#include "raw_terminal.h"

namespace mr::ui {

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

    Options options_;
    protocol::ApiClient client_;
    std::unique_ptr<RawTerminal> raw_;
    std::unique_ptr<QSocketNotifier> stdin_;
    quint32 stream_ = 0;
    quint64 credit_ = 0;        // bytes the daemon lets us send
    QByteArray outgoing_;       // typed but not yet sent
    bool stdinEof_ = false;
    bool finished_ = false;
};

}  // namespace mr::ui
