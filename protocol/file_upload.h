#pragma once
// Sends a local file to the router's /file over an upload stream (protocol in
// router-side/agent/upload_stream.h), paced by the stream's credit, with
// progress; done once the daemon confirms the file is stored. Cancelling (or
// a lost connection) leaves nothing on the router. Shared by metabox's Import
// Image and mrcli --upload.

#include <QFile>
#include <QObject>
#include <QPointer>
#include <QString>

#include "api_client.h"

namespace mr::protocol {

class FileUpload final : public QObject {
    Q_OBJECT
public:
    // remoteName empty: the local file's name.
    FileUpload(ApiClient* client, QString localFile, QString remoteName = {}, QObject* parent = nullptr);
    ~FileUpload() override;

    void start();
    // Closes the stream before the end-of-file marker: the daemon drops the
    // partial file. finished(false, "cancelled") follows.
    void cancel();

    QString remoteName() const { return remoteName_; }
    qint64 size() const { return size_; }
    qint64 sent() const { return sent_; }
    bool isRunning() const { return started_ && !finished_; }
    // After finished(false, ...): the local file was the problem, not the router.
    bool localFileFailed() const { return localFileFailed_; }

signals:
    void progress(qint64 sent, qint64 size);
    // ok: the daemon stored it (message is its "uploaded NAME SIZE"); else why not.
    void finished(bool ok, const QString& message);

private:
    void pump();
    void done(bool ok, const QString& message);
    void failLocalFile(const QString& why);

    QPointer<ApiClient> client_;
    QString localFile_;
    QString remoteName_;
    QFile file_;
    qint64 size_ = 0;
    qint64 sent_ = 0;
    quint32 stream_ = 0;
    quint64 credit_ = 0;
    bool started_ = false;
    bool eofSent_ = false;
    bool finished_ = false;
    bool localFileFailed_ = false;
    QByteArray reply_;
};

}  // namespace mr::protocol
