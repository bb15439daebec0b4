#include "tls_pinning.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTextStream>

namespace mr::protocol {

TlsPinning::TlsPinning(QString path) : path_(std::move(path)) {}

QString TlsPinning::defaultPath()
{
    QString base = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
    if (base.isEmpty())
        base = QDir::homePath() + "/.config";
    return base + "/metarouter/known_daemons";
}

QString TlsPinning::display(const QString& hex)
{
    QString out;
    for (int i = 0; i < hex.size(); i += 2) {
        if (i)
            out += ':';
        out += hex.mid(i, 2).toUpper();
    }
    return out;
}

QString TlsPinning::pinned(const QString& endpoint) const
{
    QFile f(path_);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    QTextStream in(&f);
    while (!in.atEnd()) {
        const QStringList parts = in.readLine().split(' ', Qt::SkipEmptyParts);
        if (parts.size() == 2 && parts[0] == endpoint)
            return parts[1].toLower();
    }
    return {};
}

bool TlsPinning::pin(const QString& endpoint, const QString& hex, QString* error)
{
    QStringList lines;
    {
        QFile f(path_);
        if (f.open(QIODevice::ReadOnly | QIODevice::Text)) {
            QTextStream in(&f);
            while (!in.atEnd()) {
                const QString line = in.readLine();
                if (!line.startsWith(endpoint + ' ') && !line.trimmed().isEmpty())
                    lines << line;
            }
        }
    }
    lines << endpoint + ' ' + hex.toLower();
    QDir().mkpath(QFileInfo(path_).absolutePath());
    QSaveFile out(path_);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error)
            *error = out.errorString();
        return false;
    }
    out.write(lines.join('\n').toUtf8() + '\n');
    if (!out.commit()) {
        if (error)
            *error = out.errorString();
        return false;
    }
    return true;
}

}  // namespace mr::protocol
