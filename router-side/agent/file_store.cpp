#include "file_store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mr::agent {

namespace {
constexpr const char* kUploadPrefix = ".upload-";
}

FileStore::FileStore(QString directory, FileLimits limits) : dir_(std::move(directory)), limits_(limits) {}

Status FileStore::prepare()
{
    if (!QDir().mkpath(dir_))
        return Error::failed("cannot create " + dir_.toStdString());
    QFile::setPermissions(dir_, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    const QStringList stale =
        QDir(dir_).entryList({QString::fromLatin1(kUploadPrefix) + '*'}, QDir::Files | QDir::Hidden | QDir::System);
    for (const QString& s : stale) {
        qInfo("removing the unfinished upload %s", qPrintable(s));
        QFile::remove(dir_ + '/' + s);
    }
    return {};
}

Status FileStore::validateName(const std::string& name) const
{
    if (name.empty())
        return Error::invalid("name", "a file name must not be empty");
    if (name.size() > limits_.maxNameLength)
        return Error::invalid("name", "a file name is at most " + std::to_string(limits_.maxNameLength) + " bytes");
    if (name == "." || name == ".." || name.find('/') != std::string::npos)
        return Error::invalid("name", "a file name must not contain '/' or be '.' or '..'");
    if (name[0] == '.')
        return Error::invalid("name", "a file name must not start with '.'");
    for (unsigned char c : name)
        if (c < 0x20 || c == 0x7f || c == '\\')
            return Error::invalid("name", "a file name must not contain control characters or '\\'");
    return {};
}

Result<QString> FileStore::resolve(const std::string& name) const
{
    if (auto st = validateName(name); !st)
        return Error::invalid("file-name", st.error().message);
    const QString path = dir_ + '/' + QString::fromStdString(name);
    struct stat st {};
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0 || !S_ISREG(st.st_mode))
        return Error::notFound("no such file: " + name, "file-name");
    return path;
}

std::vector<FileStore::Entry> FileStore::list() const
{
    std::vector<Entry> out;
    const QFileInfoList infos = QDir(dir_).entryInfoList(QDir::Files | QDir::NoSymLinks, QDir::Name);
    for (const QFileInfo& fi : infos) {
        const std::string name = fi.fileName().toStdString();
        if (!validateName(name))
            continue;
        QDateTime created = fi.birthTime();
        if (!created.isValid())
            created = fi.lastModified();
        out.push_back({name, fi.size(), created});
    }
    return out;
}

Status FileStore::remove(const std::string& name)
{
    auto path = resolve(name);
    if (!path)
        return path.error();
    if (::unlink(QFile::encodeName(*path).constData()) != 0)
        return Error::failed("cannot remove " + name + ": " + std::strerror(errno));
    if (changed)
        changed();
    return {};
}

Result<QString> FileStore::beginUpload(const std::string& name)
{
    if (auto st = validateName(name); !st)
        return st.error();
    if (uploading_.count(name))
        return Error::exists("name", "file " + name + " is being uploaded already");
    const QString target = dir_ + '/' + QString::fromStdString(name);
    struct stat st {};
    if (::lstat(QFile::encodeName(target).constData(), &st) == 0)
        return Error::exists("name", "file " + name + " exists already; remove it first");
    if (auto s = prepare(); !s && !QFileInfo(dir_).isDir())
        return s.error();
    for (int attempt = 0; attempt < 16; ++attempt) {
        const QString tmp = dir_ + '/' + QString::fromLatin1(kUploadPrefix) +
                            QString::number(QRandomGenerator::global()->generate64(), 36);
        const int fd = ::open(QFile::encodeName(tmp).constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            ::close(fd);
            uploading_.insert(name);
            return tmp;
        }
        if (errno != EEXIST)
            return Error::failed("cannot create a file in " + dir_.toStdString() + ": " + std::strerror(errno));
    }
    return Error::failed("cannot create a temporary file in " + dir_.toStdString());
}

Status FileStore::commitUpload(const std::string& name, const QString& temporary)
{
    const QString target = dir_ + '/' + QString::fromStdString(name);
    if (::renameat2(AT_FDCWD, QFile::encodeName(temporary).constData(), AT_FDCWD,
                    QFile::encodeName(target).constData(), RENAME_NOREPLACE) != 0) {
        if (errno == EEXIST)
            return Error::exists("name", "file " + name + " exists already; remove it first");
        return Error::failed("cannot store " + name + ": " + std::strerror(errno));
    }
    // The rename itself must survive a power cut too.
    const int dfd = ::open(QFile::encodeName(dir_).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    if (changed)
        changed();
    return {};
}

void FileStore::endUpload(const std::string& name, const QString& temporary)
{
    uploading_.erase(name);
    if (!temporary.isEmpty())
        ::unlink(QFile::encodeName(temporary).constData());  // ENOENT once committed
}

}  // namespace mr::agent
