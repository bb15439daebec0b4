#include "daemon_fixture.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcessEnvironment>
#include <QThread>

#include <csignal>

namespace mr::test {

DaemonFixture::DaemonFixture(QString name) : name_(std::move(name)) {}

DaemonFixture::~DaemonFixture()
{
    if (daemon_ && daemon_->state() != QProcess::NotRunning)
        stop();
    // A test that killed the daemon leaves the namespaces: remove them.
    exec("ip", {"netns", "del", name_});
    exec("ip", {"netns", "del", name_ + "-lan"});
}

QString DaemonFixture::buildDir()
{
    return qEnvironmentVariable("MR_BUILD_DIR");
}

bool DaemonFixture::start(QStringList extraArgs)
{
    daemon_ = std::make_unique<QProcess>();
    daemon_->setProcessChannelMode(QProcess::MergedChannels);
    daemon_->setStandardOutputFile(state_.path() + "/daemon.log", QIODevice::Append);
    QStringList args{"--state-dir", state_.path(), "--sandbox", name_, "--no-listen"};
    if (extraArgs.contains("--listen"))
        args.removeAll("--no-listen");
    daemon_->start(buildDir() + "/router-side/agent/metarouterd", args + extraArgs);
    if (!daemon_->waitForStarted(5000))
        return false;
    QDeadlineTimer deadline(15000);
    QString lastError;
    while (!deadline.hasExpired()) {
        if (daemon_->state() == QProcess::NotRunning) {
            qWarning("metarouterd exited; its log:\n%s", qPrintable(daemonLog()));
            return false;
        }
        if (QFile::exists(socket()) && QFile(state_.path() + "/admin-password").size() > 0) {
            // The socket exists once listening; give the first poll a moment.
            Run r = cli("/system identity print");
            if (r.exitCode == 0)
                return true;
            lastError = r.err;
        }
        QThread::msleep(100);
    }
    qWarning("metarouterd did not come up (mrcli: %s); its log:\n%s", qPrintable(lastError),
             qPrintable(daemonLog()));
    return false;
}

bool DaemonFixture::stop()
{
    if (!daemon_ || daemon_->state() == QProcess::NotRunning)
        return true;
    daemon_->terminate();
    const bool ok = daemon_->waitForFinished(15000);
    if (!ok)
        daemon_->kill();
    daemon_->waitForFinished(5000);
    return ok && daemon_->exitStatus() == QProcess::NormalExit;
}

void DaemonFixture::kill9()
{
    if (!daemon_)
        return;
    ::kill(static_cast<pid_t>(daemon_->processId()), SIGKILL);
    daemon_->waitForFinished(5000);
}

QString DaemonFixture::adminPassword() const
{
    QFile f(state_.path() + "/admin-password");
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll()).trimmed();
}

QString DaemonFixture::daemonLog() const
{
    QFile f(state_.path() + "/daemon.log");
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

DaemonFixture::Run DaemonFixture::cli(const QString& command, const QString& user, QString password,
                                      const QByteArray& stdinData) const
{
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("MR_PASSWORD", password.isEmpty() && user == "admin" ? adminPassword() : password);
    p.setProcessEnvironment(env);
    QStringList args{"--socket", socket(), "-u", user};
    if (!command.isEmpty())
        args << command;
    p.start(buildDir() + "/app/mrcli/mrcli", args);
    p.waitForStarted();
    if (!stdinData.isEmpty())
        p.write(stdinData);
    p.closeWriteChannel();
    Run r;
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        r.err = "mrcli timed out";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err += QString::fromUtf8(p.readAllStandardError());
    return r;
}

DaemonFixture::Run DaemonFixture::exec(const QString& program, const QStringList& args, const QByteArray& stdinData,
                                       int timeoutMs)
{
    QProcess p;
    p.start(program, args);
    p.waitForStarted();
    if (!stdinData.isEmpty())
        p.write(stdinData);
    p.closeWriteChannel();
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = program + " timed out";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

}  // namespace mr::test
