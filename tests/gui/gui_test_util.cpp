#include "gui_test_util.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

#include "metabox_app.h"

namespace mr::test {

void useTestSettings(const QString& dir, const QString& applicationName)
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir);
    QCoreApplication::setOrganizationName(QStringLiteral("MetaRouterTest"));
    QCoreApplication::setApplicationName(applicationName);
}

void submitLogin(ui::LoginWindow* w, const QString& address, const QString& password)
{
    w->address()->setEditText(address);
    w->user()->setText(QStringLiteral("admin"));
    w->password()->setText(password);
    QTest::mouseClick(w->connectButton(), Qt::LeftButton);
}

ui::MainWindow* logIn(ui::MetaboxApp& app, const QString& address, const QString& password)
{
    app.show();
    submitLogin(app.loginWindow(), address, password);
    if (!QTest::qWaitFor([&] { return app.mainWindow() != nullptr; }, 10000))
        return nullptr;
    return app.mainWindow();
}

}  // namespace mr::test
