#include "disk_image.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

namespace mr::hv {

namespace {

mr::Result<QString> qemuImgPath(const QString& given)
{
    if (!given.isEmpty())
        return given;
    const QString p = QStandardPaths::findExecutable(QStringLiteral("qemu-img"));
    if (p.isEmpty())
        return mr::Error::failed("qemu-img not found (install qemu-utils)");
    return p;
}

mr::Result<QByteArray> runQemuImg(const QString& qemuImg, const QStringList& args)
{
    auto program = qemuImgPath(qemuImg);
    if (!program)
        return program.error();
    QProcess p;
    p.start(*program, args, QIODevice::ReadOnly);
    if (!p.waitForStarted(5000))
        return mr::Error::failed("cannot run qemu-img: " + p.errorString().toStdString());
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished(1000);
        return mr::Error::failed("qemu-img timed out");
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return mr::Error::failed("qemu-img " + args.value(0).toStdString() + ": " +
                                 QString::fromLocal8Bit(p.readAllStandardError()).trimmed().toStdString());
    return p.readAllStandardOutput();
}

}  // namespace

mr::Status DiskImage::create(const QString& path, qint64 sizeBytes, const QString& qemuImg)
{
    if (sizeBytes < 0)
        return mr::Error::invalid("disk-size", "must not be negative");
    if (QFile::exists(path))
        return mr::Error::exists("disk", "disk image " + path.toStdString() + " already exists");
    const qint64 size = sizeBytes == 0 ? kUnlimitedVirtualBytes : sizeBytes;
    // qcow2 sizes are whole sectors.
    const qint64 rounded = (size + 511) / 512 * 512;
    auto r = runQemuImg(qemuImg, {QStringLiteral("create"), QStringLiteral("-q"), QStringLiteral("-f"),
                                  QStringLiteral("qcow2"), QStringLiteral("-o"),
                                  QStringLiteral("lazy_refcounts=on"), path, QString::number(rounded)});
    if (!r)
        return r.error();
    return {};
}

mr::Result<DiskInfo> DiskImage::info(const QString& path, const QString& qemuImg)
{
    // -U: the image is usually open (and locked) by a running QEMU.
    auto r = runQemuImg(qemuImg, {QStringLiteral("info"), QStringLiteral("-U"), QStringLiteral("--output=json"), path});
    if (!r)
        return r.error();
    const QJsonObject o = QJsonDocument::fromJson(*r).object();
    DiskInfo d;
    d.format = o.value(QStringLiteral("format")).toString();
    d.virtualBytes = o.value(QStringLiteral("virtual-size")).toInteger();
    d.allocatedBytes = o.value(QStringLiteral("actual-size")).toInteger();
    return d;
}

mr::Result<qint64> DiskImage::allocatedBytes(const QString& path)
{
    struct stat st{};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return mr::Error::notFound("cannot stat " + path.toStdString() + ": " + std::strerror(errno));
    return qint64(st.st_blocks) * 512;
}

mr::Result<qint64> DiskImage::freeBytes(const QString& path)
{
    struct statvfs s{};
    if (::statvfs(QFile::encodeName(path).constData(), &s) != 0)
        return mr::Error::failed("cannot statvfs " + path.toStdString() + ": " + std::strerror(errno));
    return qint64(s.f_bavail) * qint64(s.f_frsize);
}

mr::Result<qint64> DiskImage::growthCap(const QString& path, qint64 reserveBytes, int sharers)
{
    struct stat st{};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return mr::Error::notFound("cannot stat " + path.toStdString() + ": " + std::strerror(errno));
    auto free = freeBytes(path);
    if (!free)
        return free.error();
    const qint64 spare = std::max<qint64>(0, *free - reserveBytes) / std::max(1, sharers);
    return qint64(st.st_size) + spare;
}

mr::Status DiskImage::applyCap(qint64 pid, qint64 capBytes)
{
    const rlimit lim{rlim_t(capBytes), rlim_t(capBytes)};
    if (::prlimit(pid_t(pid), RLIMIT_FSIZE, &lim, nullptr) != 0)
        return mr::Error::failed("prlimit(" + std::to_string(pid) + "): " + std::strerror(errno));
    return {};
}

}  // namespace mr::hv
