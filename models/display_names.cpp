#include "display_names.h"

#include <QSet>
#include <QStringList>

namespace mr::ui {

QString displayName(const std::string& schemaName)
{
    static const QSet<QString> acronyms{QStringLiteral("mtu"), QStringLiteral("mac"), QStringLiteral("arp"),
                                        QStringLiteral("ip"),  QStringLiteral("vm"),  QStringLiteral("id"),
                                        QStringLiteral("cpu"), QStringLiteral("hdd"), QStringLiteral("pvid"),
                                        QStringLiteral("vlan"), QStringLiteral("stp"), QStringLiteral("rstp")};
    QStringList words = QString::fromStdString(schemaName).split('-', Qt::SkipEmptyParts);
    for (auto& w : words) {
        if (acronyms.contains(w.toLower()))
            w = w.toUpper();
        else
            w[0] = w[0].toUpper();
    }
    return words.join(' ');
}

}  // namespace mr::ui
