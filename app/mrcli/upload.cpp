#include "upload.h"

#include <unistd.h>

#include <cstdio>

namespace mr::ui {

Upload::Upload(protocol::ApiClient& client, QString localFile, QString remoteName, QObject* parent)
    : QObject(parent), upload_(&client, std::move(localFile), std::move(remoteName))
{
    tty_ = isatty(STDERR_FILENO);
    connect(&upload_, &protocol::FileUpload::progress, this, [this] { showProgress(shownPercent_ < 0); });
    connect(&upload_, &protocol::FileUpload::finished, this, [this](bool ok, const QString& message) {
        if (!ok) {
            if (tty_ && shownPercent_ >= 0)
                std::fputc('\n', stderr);
            return emit finished(upload_.localFileFailed() ? 2 : 1, message);
        }
        showProgress(true);
        if (tty_)
            std::fputc('\n', stderr);
        std::fprintf(stdout, "%s\n", qPrintable(message));
        std::fflush(stdout);
        emit finished(0, {});
    });
}

void Upload::start()
{
    upload_.start();
}

void Upload::showProgress(bool force)
{
    const qint64 size = upload_.size();
    const qint64 sent = upload_.sent();
    const int percent = size > 0 ? int(sent * 100 / size) : 100;
    // On a terminal a line that updates; in a log one line per 10%.
    const int step = tty_ ? 1 : 10;
    if (!force && percent / step == shownPercent_ / step)
        return;
    if (!force && percent == shownPercent_)
        return;
    shownPercent_ = percent;
    if (tty_)
        std::fprintf(stderr, "\ruploading %s: %3d%% (%lld of %lld bytes)", qPrintable(upload_.remoteName()), percent,
                     static_cast<long long>(sent), static_cast<long long>(size));
    else
        std::fprintf(stderr, "uploading %s: %d%%\n", qPrintable(upload_.remoteName()), percent);
    std::fflush(stderr);
}

}  // namespace mr::ui
