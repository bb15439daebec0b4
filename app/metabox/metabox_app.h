#pragma once
// The app's windows and their order: the login window until a session is up,
// then the main window; back to login when the user or the router ends it.

#include <QObject>

#include <memory>

#include "login_window.h"
#include "main_window.h"
#include "session_controller.h"

namespace mr::ui {

class MetaboxApp final : public QObject {
    Q_OBJECT
public:
    explicit MetaboxApp(QObject* parent = nullptr);
    ~MetaboxApp() override;

    void show();
    SessionController* session() { return &session_; }
    LoginWindow* loginWindow() { return &login_; }
    MainWindow* mainWindow() { return main_.get(); }

private:
    SessionController session_;
    LoginWindow login_;
    std::unique_ptr<MainWindow> main_;
};

}  // namespace mr::ui
