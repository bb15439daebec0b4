// mrcli: the router's command line and metarouter consoles from a terminal
// or a script.

#include <unistd.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

#include "mrcli_client.h"

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("mrcli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MR_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("MetaRouter command line.\n"
                       "  mrcli --socket /run/metarouter/api.sock                interactive command line\n"
                       "  mrcli router.example:8729 /interface print             run one command\n"
                       "  mrcli --socket S < script.rsc                          run a script\n"
                       "  mrcli --socket S --console mr1                         attach a metarouter's console\n"
                       "  mrcli --socket S --upload openwrt.tgz [--as NAME]      upload a file to /file"));
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption socketOpt(QStringLiteral("socket"), QStringLiteral("Connect to the daemon's unix socket."),
                                 QStringLiteral("path"));
    QCommandLineOption userOpt(QStringList{QStringLiteral("u"), QStringLiteral("user")},
                               QStringLiteral("User name (default admin)."), QStringLiteral("user"),
                               QStringLiteral("admin"));
    QCommandLineOption fpOpt(QStringLiteral("fingerprint"),
                             QStringLiteral("Expected SHA-256 fingerprint of the daemon's certificate."),
                             QStringLiteral("hex"));
    QCommandLineOption pinOpt(QStringLiteral("known-daemons"),
                              QStringLiteral("File of remembered daemon fingerprints."), QStringLiteral("file"));
    QCommandLineOption consoleOpt(QStringLiteral("console"), QStringLiteral("Attach a metarouter's console."),
                                  QStringLiteral("name"));
    QCommandLineOption uploadOpt(QStringLiteral("upload"), QStringLiteral("Upload a local file to /file."),
                                 QStringLiteral("file"));
    QCommandLineOption asOpt(QStringLiteral("as"), QStringLiteral("Name of the uploaded file (default: its own)."),
                             QStringLiteral("name"));
    parser.addOptions({socketOpt, userOpt, fpOpt, pinOpt, consoleOpt, uploadOpt, asOpt});
    parser.addPositionalArgument(QStringLiteral("host[:port]"), QStringLiteral("Daemon to connect to over TLS."));
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("Command to run, then exit."),
                                 QStringLiteral("[command ...]"));
    parser.process(app);

    mr::ui::MrcliClient::Options o;
    QStringList args = parser.positionalArguments();
    if (parser.isSet(socketOpt)) {
        o.endpoint.socketPath = parser.value(socketOpt);
    } else {
        if (args.isEmpty()) {
            std::fprintf(stderr, "mrcli: give --socket PATH or HOST[:PORT] (see --help)\n");
            return 2;
        }
        const QString target = args.takeFirst();
        const int colon = target.lastIndexOf(':');
        if (colon > 0 && !target.endsWith(']')) {
            bool ok = false;
            const uint port = target.mid(colon + 1).toUInt(&ok);
            if (!ok || port == 0 || port > 65535) {
                std::fprintf(stderr, "mrcli: bad port in %s\n", qPrintable(target));
                return 2;
            }
            o.endpoint.host = target.left(colon);
            o.endpoint.port = static_cast<quint16>(port);
        } else {
            o.endpoint.host = target;
        }
        o.endpoint.host.remove('[').remove(']');
    }
    o.endpoint.fingerprint = parser.value(fpOpt);
    o.endpoint.pinFile = parser.value(pinOpt);
    o.user = parser.value(userOpt);
    o.console = parser.value(consoleOpt);
    o.upload = parser.value(uploadOpt);
    o.uploadAs = parser.value(asOpt);
    o.script = args.join(' ');
    o.readScript = o.script.isEmpty() && o.console.isEmpty() && o.upload.isEmpty() && !isatty(STDIN_FILENO);

    mr::ui::MrcliClient client(o);
    QObject::connect(&client, &mr::ui::MrcliClient::done, &app, [](int code) { QCoreApplication::exit(code); },
                     Qt::QueuedConnection);
    // Start inside the event loop: a connection can fail synchronously, and
    // exit() before exec() would be lost.
    QTimer::singleShot(0, &client, &mr::ui::MrcliClient::start);
    return app.exec();
}
