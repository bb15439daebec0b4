#include "upload_stream.h"

#include <QFile>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "file_store.h"

namespace mr::agent {

namespace {
// Start writing back every few MiB, so that the final fsync is short and
// does not hold up the event loop.
constexpr qint64 kWritebackBytes = 8 << 20;
}  // namespace

Result<std::unique_ptr<UploadStream>> UploadStream::open(FileStore& files, const std::string& name)
{
    auto tmp = files.beginUpload(name);
    if (!tmp)
        return tmp.error();
    const int fd = ::open(QFile::encodeName(*tmp).constData(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        const std::string why = std::strerror(errno);
        files.endUpload(name, *tmp);
        return Error::failed("cannot write " + name + ": " + why);
    }
    qInfo("upload of %s started", name.c_str());
    return std::unique_ptr<UploadStream>(new UploadStream(files, name, *tmp, fd));
}

UploadStream::UploadStream(FileStore& files, std::string name, QString temporary, int fd)
    : files_(files), name_(std::move(name)), temporary_(std::move(temporary)), fd_(fd)
{
}

UploadStream::~UploadStream()
{
    if (fd_ >= 0)
        ::close(fd_);
    if (!finished_)
        qInfo("upload of %s cancelled after %lld bytes", name_.c_str(), static_cast<long long>(received_));
    files_.endUpload(name_, committed_ ? QString() : temporary_);
}

void UploadStream::input(std::string_view bytes)
{
    if (finished_)
        return;
    if (bytes.empty())
        return commit();
    const FileLimits& limits = files_.limits();
    if (received_ + qint64(bytes.size()) > limits.maxFileBytes)
        return fail("upload failed: " + name_ + " is larger than the limit of " +
                    std::to_string(limits.maxFileBytes) + " bytes");
    struct statvfs vfs {};
    if (::fstatvfs(fd_, &vfs) == 0 &&
        qint64(vfs.f_bavail) * qint64(vfs.f_frsize) - qint64(bytes.size()) < limits.freeSpaceReserve)
        return fail("upload failed: not enough free space for " + name_);
    std::size_t off = 0;
    while (off < bytes.size()) {
        const ssize_t n = ::write(fd_, bytes.data() + off, bytes.size() - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail("upload failed: cannot write " + name_ + ": " + std::strerror(errno));
        off += static_cast<std::size_t>(n);
    }
    received_ += qint64(bytes.size());
    unsynced_ += qint64(bytes.size());
    if (unsynced_ >= kWritebackBytes) {
        ::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
        unsynced_ = 0;
    }
}

void UploadStream::commit()
{
    if (::fsync(fd_) != 0)
        return fail("upload failed: cannot write " + name_ + ": " + std::strerror(errno));
    ::close(fd_);
    fd_ = -1;
    if (auto st = files_.commitUpload(name_, temporary_); !st)
        return fail("upload failed: " + st.error().text());
    committed_ = true;
    finished_ = true;
    qInfo("uploaded %s (%lld bytes)", name_.c_str(), static_cast<long long>(received_));
    if (output)
        output("uploaded " + name_ + " " + std::to_string(received_) + "\n");
    if (ended)
        ended({});
}

void UploadStream::fail(const std::string& reason)
{
    finished_ = true;
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    ::unlink(QFile::encodeName(temporary_).constData());
    qWarning("%s", reason.c_str());
    if (ended)
        ended(reason);
}

}  // namespace mr::agent
