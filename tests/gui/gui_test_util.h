#pragma once
// What the GUI tests share: settings kept out of the user's, and logging in
// to a daemon through metabox's login window as a user would.

#include <QString>

namespace mr::ui {
class LoginWindow;
class MainWindow;
class MetaboxApp;
}  // namespace mr::ui

namespace mr::test {

// Settings (INI, under dir) and standard paths of this test only, the
// organization MetaRouterTest and the given application name.
void useTestSettings(const QString& dir, const QString& applicationName);

// Fills in the login window (user admin) and clicks Connect; does not wait.
void submitLogin(ui::LoginWindow* w, const QString& address, const QString& password);

// Shows app, logs in as admin and waits for the main window: nullptr if it
// does not open within 10 s.
ui::MainWindow* logIn(ui::MetaboxApp& app, const QString& address, const QString& password);

}  // namespace mr::test
