#include "icons.h"

#include <QFile>
#include <QHash>

// Outside the namespace, as Q_INIT_RESOURCE requires; referencing it also keeps
// the linker from dropping the static library's resources.
static void initIconResources()
{
    Q_INIT_RESOURCE(icons);
}

namespace mr::ui {

QIcon icon(const QString& name)
{
    // Each SVG is parsed once; the toolbars of every table share it.
    static QHash<QString, QIcon> cache;
    static const bool initialised = (initIconResources(), true);
    Q_UNUSED(initialised);
    auto it = cache.constFind(name);
    if (it != cache.constEnd())
        return *it;
    const QString path = QStringLiteral(":/icons/%1.svg").arg(name);
    QIcon result = QFile::exists(path) ? QIcon(path) : QIcon();
    cache.insert(name, result);
    return result;
}

}  // namespace mr::ui
