#pragma once
// The router's files (<state>/files, the /file menu): what users upload and
// import-image reads. Names are plain (no directories), never hidden; files
// being uploaded live under hidden names until they are complete.

#include <QDateTime>
#include <QString>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "error.h"

namespace mr::agent {

// Settings of the file area.
struct FileLimits {
    qint64 maxFileBytes = qint64(4) << 30;         // one upload
    qint64 freeSpaceReserve = qint64(64) << 20;   // an upload stops before the disk gets this full
    std::size_t maxNameLength = 128;
};

class FileStore final {
public:
    struct Entry {
        std::string name;
        qint64 size = 0;
        QDateTime created;
    };

    explicit FileStore(QString directory, FileLimits limits = {});

    const QString& directory() const { return dir_; }
    const FileLimits& limits() const { return limits_; }

    // Creates the directory (0700) and removes partial uploads a crash left.
    Status prepare();

    // 1..128 bytes, no '/', no NUL or control characters, not "." or "..",
    // not starting with '.' (hidden names are the store's own).
    Status validateName(const std::string& name) const;
    // The path of an existing file, for import-image file-name=...
    Result<QString> resolve(const std::string& name) const;
    std::vector<Entry> list() const;
    Status remove(const std::string& name);

    // Uploads: a name is reserved while its upload runs, so that two uploads
    // cannot race for it. begin returns the hidden temporary path to write.
    Result<QString> beginUpload(const std::string& name);
    // Moves the finished temporary file to its name; never replaces a file.
    Status commitUpload(const std::string& name, const QString& temporary);
    // Drops the reservation (and the temporary file, unless committed).
    void endUpload(const std::string& name, const QString& temporary);

    // Called after the set of files changed through this store.
    std::function<void()> changed;

private:
    QString dir_;
    FileLimits limits_;
    std::set<std::string> uploading_;
};

}  // namespace mr::agent
