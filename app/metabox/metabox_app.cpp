#include "metabox_app.h"

namespace mr::ui {

MetaboxApp::MetaboxApp(QObject* parent) : QObject(parent), login_(&session_)
{
    connect(&session_, &SessionController::loggedIn, this, [this] {
        main_ = std::make_unique<MainWindow>(&session_);
        main_->show();
        login_.hide();
    });
    // Reconnecting gave up (password or certificate changed): log in again;
    // the main window stays until that succeeds.
    connect(&session_, &SessionController::failed, this, [this] {
        if (main_)
            login_.show();
    });
}

MetaboxApp::~MetaboxApp()
{
    // The windows go before the session they watch.
    main_.reset();
}

void MetaboxApp::show()
{
    login_.show();
}

}  // namespace mr::ui
