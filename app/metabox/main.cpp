// metabox: the MetaRouter desktop app.

#include <QApplication>

#include "metabox_app.h"

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("MetaRouter"));
    QApplication::setApplicationName(QStringLiteral("metabox"));
    QApplication::setApplicationVersion(QStringLiteral(MR_VERSION));
    mr::ui::MetaboxApp metabox;
    metabox.show();
    return QApplication::exec();
}
