#include "metabox_app.h"

namespace mr::ui {

MetaboxApp::MetaboxApp(QObject* parent) : QObject(parent), login_(&session_)
{
    connect(&session_, &SessionController::loggedIn, this, [this] {
        main_ = std::make_unique<MainWindow>(&session_);
        main_->show();
        login_.hide();
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
