#include "guest_console.h"

#include <QDeadlineTimer>
#include <QProcessEnvironment>

namespace mr::test {

GuestConsole::GuestConsole(const DaemonFixture& daemon, const QString& name)
{
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("MR_PASSWORD", daemon.adminPassword());
    process_.setProcessEnvironment(env);
    process_.setProcessChannelMode(QProcess::MergedChannels);
    process_.start(DaemonFixture::buildDir() + "/app/mrcli/mrcli", {"--socket", daemon.socket(), "--console", name});
    process_.waitForStarted();
}

GuestConsole::~GuestConsole()
{
    process_.closeWriteChannel();
    if (!process_.waitForFinished(3000)) {
        process_.kill();
        process_.waitForFinished();
    }
}

bool GuestConsole::waitFor(const QByteArray& marker, int timeoutMs, qsizetype from)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        seen_ += process_.readAll();
        if (seen_.indexOf(marker, from) >= 0)
            return true;
        if (process_.state() != QProcess::Running)
            return false;
        process_.waitForReadyRead(100);
    }
    return false;
}

void GuestConsole::send(const QByteArray& bytes)
{
    process_.write(bytes);
    process_.waitForBytesWritten(1000);
}

QByteArray GuestConsole::run(const QByteArray& lines, const QByteArray& tag, int timeoutMs)
{
    seen_ += process_.readAll();
    const qsizetype from = seen_.size();
    send(lines + "\n/system identity set name=" + tag + "\n");
    waitFor("[admin@" + tag + "] >", timeoutMs, from);
    return seen_.mid(from);
}

QByteArray GuestConsole::runKeeping(const QByteArray& lines, const QByteArray& identity, int timeoutMs)
{
    const QByteArray mark = "MARK" + QByteArray::number(++marks_);
    seen_ += process_.readAll();
    const qsizetype from = seen_.size();
    send(lines + "\n/system identity set name=" + mark + "\n");
    if (!waitFor("[admin@" + mark + "] >", timeoutMs, from))
        return "TIMED OUT: " + seen_.mid(from);
    const qsizetype end = seen_.indexOf("[admin@" + mark + "] >", from);
    send("/system identity set name=" + identity + "\n");
    if (!waitFor("[admin@" + identity + "] >", timeoutMs, end + 1))
        return "TIMED OUT: " + seen_.mid(from);
    return seen_.mid(from, end - from);
}

qsizetype GuestConsole::size()
{
    seen_ += process_.readAll();
    return seen_.size();
}

}  // namespace mr::test
