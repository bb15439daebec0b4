#include "file_upload.h"

#include <QFileInfo>

#include "error.h"

namespace mr::protocol {

namespace {
constexpr qint64 kChunk = 16384;
constexpr quint32 kReplyWindow = 4096;  // the daemon answers with one short line
}  // namespace

FileUpload::FileUpload(ApiClient* client, QString localFile, QString remoteName, QObject* parent)
    : QObject(parent), client_(client), localFile_(std::move(localFile)), remoteName_(std::move(remoteName))
{
    if (remoteName_.isEmpty())
        remoteName_ = QFileInfo(localFile_).fileName();
}

FileUpload::~FileUpload()
{
    // Gone before the end: the daemon must not keep half a file.
    if (stream_ && client_ && !finished_)
        client_->closeStream(stream_);
}

void FileUpload::start()
{
    if (started_)
        return;
    started_ = true;
    if (!client_)
        return done(false, tr("not connected"));
    file_.setFileName(localFile_);
    if (!QFileInfo(localFile_).isFile())
        return failLocalFile(tr("not a file"));
    if (!file_.open(QIODevice::ReadOnly))
        return failLocalFile(file_.errorString());
    size_ = file_.size();

    connect(client_, &ApiClient::streamCredit, this, [this](quint32 stream, quint32 credit) {
        if (stream != stream_ || !stream_)
            return;
        credit_ += credit;
        pump();
    });
    connect(client_, &ApiClient::streamData, this, [this](quint32 stream, const QByteArray& data) {
        if (stream != stream_ || !stream_)
            return;
        reply_ += data.left(kReplyWindow);
        if (client_)
            client_->grantStreamCredit(stream, static_cast<quint32>(data.size()));
    });
    connect(client_, &ApiClient::streamClosed, this, [this](quint32 stream, const QString& reason) {
        if (stream != stream_ || !stream_)
            return;
        stream_ = 0;
        if (!reason.isEmpty())
            return done(false, reason);
        if (!eofSent_ || !reply_.startsWith("uploaded "))
            return done(false, tr("the router closed the upload without confirming it"));
        done(true, QString::fromUtf8(reply_).trimmed());
    });
    connect(client_, &ApiClient::disconnected, this, [this] {
        stream_ = 0;
        done(false, tr("the connection was lost during the upload"));
    });

    wire::Request req;
    auto* open = req.mutable_open_stream();
    open->set_kind(wire::STREAM_UPLOAD);
    open->set_target(remoteName_.toStdString());
    open->set_window(kReplyWindow);
    QPointer<FileUpload> self = this;
    client_->request(req, [self](const wire::Reply& reply) {
        if (!self || self->finished_) {
            // Cancelled while the stream was being opened.
            if (self && self->client_ && reply.stream())
                self->client_->closeStream(reply.stream());
            return;
        }
        if (reply.error().code() != wire::ERROR_NONE)
            return self->done(false, QString::fromStdString(Error::fromWire(reply.error()).text()));
        self->stream_ = reply.stream();
        self->credit_ = reply.window();
        emit self->progress(0, self->size_);
        self->pump();
    });
}

void FileUpload::cancel()
{
    if (finished_)
        return;
    if (stream_ && client_)
        client_->closeStream(stream_);
    stream_ = 0;
    done(false, tr("cancelled"));
}

void FileUpload::pump()
{
    while (stream_ && client_ && !eofSent_ && credit_ > 0) {
        const qint64 want = std::min<qint64>(kChunk, static_cast<qint64>(credit_));
        const QByteArray chunk = file_.read(want);
        if (chunk.isEmpty()) {
            if (file_.error() != QFile::NoError) {
                client_->closeStream(stream_);
                stream_ = 0;
                return failLocalFile(file_.errorString());
            }
            // End of file: an empty chunk. The daemon answers once the file is stored.
            client_->sendStreamData(stream_, {});
            eofSent_ = true;
            break;
        }
        client_->sendStreamData(stream_, chunk);
        credit_ -= static_cast<quint64>(chunk.size());
        sent_ += chunk.size();
        emit progress(sent_, size_);
    }
}

void FileUpload::failLocalFile(const QString& why)
{
    localFileFailed_ = true;
    done(false, tr("cannot read %1: %2").arg(localFile_, why));
}

void FileUpload::done(bool ok, const QString& message)
{
    if (finished_)
        return;
    finished_ = true;
    file_.close();
    emit finished(ok, message);
}

}  // namespace mr::protocol
