#include "upload.h"

#include <unistd.h>

#include <QFileInfo>

#include <cstdio>

#include "error.h"

namespace mr::ui {

namespace {
constexpr qint64 kChunk = 16384;
constexpr quint32 kReplyWindow = 4096;  // the daemon answers with one short line
}  // namespace

Upload::Upload(protocol::ApiClient& client, QString localFile, QString remoteName, QObject* parent)
    : QObject(parent), client_(client), localFile_(std::move(localFile)), remoteName_(std::move(remoteName))
{
    if (remoteName_.isEmpty())
        remoteName_ = QFileInfo(localFile_).fileName();
    tty_ = isatty(STDERR_FILENO);
}

void Upload::start()
{
    file_.setFileName(localFile_);
    if (!QFileInfo(localFile_).isFile() || !file_.open(QIODevice::ReadOnly))
        return done(2, QStringLiteral("cannot read %1: %2")
                           .arg(localFile_, file_.isOpen() ? file_.errorString() : QStringLiteral("not a file")));
    size_ = file_.size();

    connect(&client_, &protocol::ApiClient::streamCredit, this, [this](quint32 stream, quint32 credit) {
        if (stream != stream_)
            return;
        credit_ += credit;
        pump();
    });
    connect(&client_, &protocol::ApiClient::streamData, this, [this](quint32 stream, const QByteArray& data) {
        if (stream != stream_)
            return;
        reply_ += data.left(kReplyWindow);
        client_.grantStreamCredit(stream, static_cast<quint32>(data.size()));
        if (reply_.startsWith("uploaded "))
            confirmed_ = true;
    });
    connect(&client_, &protocol::ApiClient::streamClosed, this, [this](quint32 stream, const QString& reason) {
        if (stream != stream_)
            return;
        stream_ = 0;
        if (!reason.isEmpty())
            return done(1, reason);
        if (!confirmed_ || !eofSent_)
            return done(1, QStringLiteral("the daemon closed the upload without confirming it"));
        showProgress(true);
        if (tty_)
            std::fputc('\n', stderr);
        std::fputs(reply_.constData(), stdout);
        std::fflush(stdout);
        done(0, {});
    });

    wire::Request req;
    auto* open = req.mutable_open_stream();
    open->set_kind(wire::STREAM_UPLOAD);
    open->set_target(remoteName_.toStdString());
    open->set_window(kReplyWindow);
    client_.request(req, [this](const wire::Reply& reply) {
        if (reply.error().code() != wire::ERROR_NONE)
            return done(1, QString::fromStdString(Error::fromWire(reply.error()).text()));
        stream_ = reply.stream();
        credit_ = reply.window();
        showProgress(true);
        pump();
    });
}

void Upload::pump()
{
    while (stream_ && !eofSent_ && credit_ > 0) {
        const qint64 want = std::min<qint64>(kChunk, static_cast<qint64>(credit_));
        const QByteArray chunk = file_.read(want);
        if (chunk.isEmpty()) {
            if (file_.error() != QFile::NoError)
                return done(2, QStringLiteral("cannot read %1: %2").arg(localFile_, file_.errorString()));
            // End of file: an empty chunk. The daemon answers once the file is stored.
            client_.sendStreamData(stream_, {});
            eofSent_ = true;
            break;
        }
        client_.sendStreamData(stream_, chunk);
        credit_ -= static_cast<quint64>(chunk.size());
        sent_ += chunk.size();
        showProgress();
    }
}

void Upload::showProgress(bool force)
{
    const int percent = size_ > 0 ? int(sent_ * 100 / size_) : 100;
    // On a terminal a line that updates; in a log one line per 10%.
    const int step = tty_ ? 1 : 10;
    if (!force && percent / step == shownPercent_ / step)
        return;
    if (!force && percent == shownPercent_)
        return;
    shownPercent_ = percent;
    if (tty_)
        std::fprintf(stderr, "\ruploading %s: %3d%% (%lld of %lld bytes)", qPrintable(remoteName_), percent,
                     static_cast<long long>(sent_), static_cast<long long>(size_));
    else
        std::fprintf(stderr, "uploading %s: %d%%\n", qPrintable(remoteName_), percent);
    std::fflush(stderr);
}

void Upload::done(int code, const QString& message)
{
    if (finished_)
        return;
    finished_ = true;
    if (code != 0 && stream_) {
        client_.closeStream(stream_);  // cancels: the daemon removes the partial file
        stream_ = 0;
    }
    if (code != 0 && tty_ && shownPercent_ >= 0)
        std::fputc('\n', stderr);
    emit finished(code, message);
}

}  // namespace mr::ui
