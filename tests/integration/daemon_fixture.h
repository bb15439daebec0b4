#pragma once
// Runs a real metarouterd in a sandbox of its own for a test, and mrcli
// against it; removes the sandbox and state afterwards.

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace mr::test {

class DaemonFixture {
public:
    struct Run {
        int exitCode = -1;
        QString out;
        QString err;
    };

    // name: a short unique sandbox name (namespaces NAME and NAME-lan).
    explicit DaemonFixture(QString name);
    ~DaemonFixture();

    bool start(QStringList extraArgs = {});
    // SIGTERM and wait: a clean stop (removes the sandbox).
    bool stop();
    // SIGKILL: the sandbox and kernel state stay.
    void kill9();

    QString stateDir() const { return state_.path(); }
    QString socket() const { return state_.path() + "/api.sock"; }
    QString sandbox() const { return name_; }
    QString adminPassword() const;
    QString daemonLog() const;

    // mrcli --socket ... -u user COMMAND...; password from MR_PASSWORD.
    Run cli(const QString& command, const QString& user = "admin", QString password = {},
            const QByteArray& stdinData = {}) const;
    // Any program, e.g. ip -n NAME link.
    static Run exec(const QString& program, const QStringList& args, const QByteArray& stdinData = {},
                    int timeoutMs = 30000);

    static QString buildDir();

private:
    QString name_;
    QTemporaryDir state_;
    std::unique_ptr<QProcess> daemon_;
};

}  // namespace mr::test
