#pragma once
// mrcli --upload: sends a local file to the daemon's /file over an upload
// stream (protocol in router-side/agent/upload_stream.h), paced by the
// stream's credit, with progress on standard error; done once the daemon
// confirms the file is stored.

#include <QFile>
#include <QObject>
#include <QString>

#include "api_client.h"

namespace mr::ui {

class Upload final : public QObject {
    Q_OBJECT
public:
    // remoteName empty: the local file's name.
    Upload(protocol::ApiClient& client, QString localFile, QString remoteName, QObject* parent = nullptr);

    // Call once logged in.
    void start();

signals:
    // 0: stored; 1: refused or failed (message says why).
    void finished(int exitCode, const QString& message);

private:
    void pump();
    void showProgress(bool force = false);
    void done(int code, const QString& message);

    protocol::ApiClient& client_;
    QString localFile_;
    QString remoteName_;
    QFile file_;
    qint64 size_ = 0;
    qint64 sent_ = 0;
    quint32 stream_ = 0;
    quint64 credit_ = 0;
    bool eofSent_ = false;
    bool confirmed_ = false;
    bool finished_ = false;
    bool tty_ = false;
    int shownPercent_ = -1;
    QByteArray reply_;
};

}  // namespace mr::ui
