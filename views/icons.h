#pragma once
// The app's own SVG icons, compiled in from resources/icons (resources/icons.qrc).

#include <QIcon>
#include <QString>

namespace mr::ui {

// The icon resources/icons/<name>.svg; a null icon if there is none.
QIcon icon(const QString& name);

}  // namespace mr::ui
