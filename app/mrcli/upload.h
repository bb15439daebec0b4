#pragma once
// mrcli --upload: runs a protocol::FileUpload and shows it the command-line
// way: progress on standard error, the daemon's confirmation on standard
// output, an exit code at the end.

#include <QObject>
#include <QString>

#include <memory>

#include "api_client.h"
#include "file_upload.h"

namespace mr::ui {

class Upload final : public QObject {
    Q_OBJECT
public:
    // remoteName empty: the local file's name.
    Upload(protocol::ApiClient& client, QString localFile, QString remoteName, QObject* parent = nullptr);

    // Call once logged in.
    void start();

signals:
    // 0: stored; 1: refused or failed; 2: the local file could not be read
    // (message says why).
    void finished(int exitCode, const QString& message);

private:
    void showProgress(bool force = false);

    protocol::FileUpload upload_;
    bool tty_ = false;
    int shownPercent_ = -1;
};

}  // namespace mr::ui
