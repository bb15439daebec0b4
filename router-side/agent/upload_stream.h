#pragma once
// A file upload (STREAM_UPLOAD, target = file name) into the FileStore.
//
// Protocol on the stream:
//   client -> daemon  the file's bytes, in StreamData within the granted credit;
//   client -> daemon  one empty StreamData: end of file;
//   daemon -> client  "uploaded NAME SIZE\n" once the file is safely stored
//                     under its name, then StreamClose with an empty reason.
// Any failure (name taken, size limit, disk full) closes the stream with the
// reason and removes the partial file. A client that closes the stream (or
// loses the connection) before the end-of-file marker cancels the upload:
// nothing is left behind. An empty marker is used rather than the client's
// StreamClose so that a cancelled upload can never be mistaken for a
// complete one.

#include <QString>

#include <memory>
#include <string>

#include "byte_stream.h"
#include "error.h"

namespace mr::agent {

class FileStore;

class UploadStream final : public ByteStream {
public:
    // Reserves the name and creates the hidden temporary file.
    static Result<std::unique_ptr<UploadStream>> open(FileStore& files, const std::string& name);
    ~UploadStream() override;

    void input(std::string_view bytes) override;

    const std::string& name() const { return name_; }
    qint64 received() const { return received_; }
    bool committed() const { return committed_; }

private:
    UploadStream(FileStore& files, std::string name, QString temporary, int fd);
    void fail(const std::string& reason);
    void commit();

    FileStore& files_;
    std::string name_;
    QString temporary_;
    int fd_ = -1;
    qint64 received_ = 0;
    qint64 unsynced_ = 0;
    bool finished_ = false;
    bool committed_ = false;
};

}  // namespace mr::agent
