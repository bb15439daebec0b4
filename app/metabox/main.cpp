// metabox: the MetaRouter desktop app.

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QLineEdit>

#include <cstdio>
#include <cstring>

#include "icons.h"
#include "login_window.h"
#include "metabox_app.h"

int main(int argc, char** argv)
{
    // Answered before QApplication exists, so that it works without a display
    // (package checks, scripts); the text is QCommandLineParser's.
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
            std::printf("metabox %s\n", MR_VERSION);
            return 0;
        }
    }
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("MetaRouter"));
    QApplication::setWindowIcon(mr::ui::icon(QStringLiteral("metabox")));
    QApplication::setApplicationName(QStringLiteral("metabox"));
    QApplication::setApplicationVersion(QStringLiteral(MR_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "MetaRouter desktop app. With a router address it fills in the login window; with MR_PASSWORD set in the "
        "environment it also connects."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption userOpt(QStringList{QStringLiteral("u"), QStringLiteral("user")},
                               QStringLiteral("User name (default admin)."), QStringLiteral("user"),
                               QStringLiteral("admin"));
    parser.addOption(userOpt);
    parser.addPositionalArgument(QStringLiteral("router"),
                                 QStringLiteral("host, host:port, or the path of a daemon's unix socket"),
                                 QStringLiteral("[router]"));
    parser.process(app);

    mr::ui::MetaboxApp metabox;
    metabox.show();
    if (!parser.positionalArguments().isEmpty()) {
        mr::ui::LoginWindow* login = metabox.loginWindow();
        login->address()->setEditText(parser.positionalArguments().first());
        login->user()->setText(parser.value(userOpt));
        const QString password = qEnvironmentVariable("MR_PASSWORD");
        if (!password.isEmpty()) {
            login->password()->setText(password);
            login->connectToRouter();
        }
    }
    return QApplication::exec();
}
