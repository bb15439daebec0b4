#include "detached_process.h"

#include <QFile>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mr::hv {

namespace {

// Writes the whole buffer; only async-signal-safe calls (used after fork).
void writeAll(int fd, const void* data, size_t size)
{
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        size -= size_t(n);
    }
}

// In the grandchild: report {step, errno} and exit.
[[noreturn]] void childFail(int fd, int step)
{
    const int msg[2] = {step, errno};
    writeAll(fd, msg, sizeof msg);
    _exit(127);
}

const char* stepName(int step)
{
    switch (step) {
    case 1: return "opening the log file";
    case 2: return "entering the network namespace";
    case 3: return "setting the file size limit";
    case 4: return "starting";
    default: return "forking";
    }
}

}  // namespace

mr::Result<qint64> DetachedProcess::spawn(const Options& o)
{
    // Everything the children need is prepared before fork().
    std::vector<std::string> args;
    args.push_back(QFile::encodeName(o.program).toStdString());
    for (const QString& a : o.arguments)
        args.push_back(a.toLocal8Bit().toStdString());
    std::vector<char*> argv;
    for (auto& s : args)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    const std::string log = o.logFile.isEmpty() ? std::string("/dev/null") : QFile::encodeName(o.logFile).toStdString();
    const std::string netns = QFile::encodeName(o.netnsPath).toStdString();
    const rlim_t fsize = o.fileSizeLimit > 0 ? rlim_t(o.fileSizeLimit) : RLIM_INFINITY;

    int pidPipe[2];    // child -> us: the grandchild's pid
    int errPipe[2];    // grandchild -> us: why exec failed (closes on exec)
    if (::pipe2(pidPipe, O_CLOEXEC) != 0)
        return mr::Error::failed(std::string("pipe: ") + std::strerror(errno));
    if (::pipe2(errPipe, O_CLOEXEC) != 0) {
        ::close(pidPipe[0]);
        ::close(pidPipe[1]);
        return mr::Error::failed(std::string("pipe: ") + std::strerror(errno));
    }

    const pid_t child = ::fork();
    if (child < 0) {
        for (int fd : {pidPipe[0], pidPipe[1], errPipe[0], errPipe[1]})
            ::close(fd);
        return mr::Error::failed(std::string("fork: ") + std::strerror(errno));
    }
    if (child == 0) {
        ::setsid();
        const pid_t grandchild = ::fork();
        if (grandchild < 0)
            childFail(errPipe[1], 0);
        if (grandchild > 0) {
            const qint64 pid = grandchild;
            writeAll(pidPipe[1], &pid, sizeof pid);
            _exit(0);
        }
        // The grandchild: reparented to init when the child exits.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int s = 1; s < NSIG; ++s)
            ::signal(s, SIG_DFL);
        const int in = ::open("/dev/null", O_RDONLY);
        const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0640);
        if (in < 0 || out < 0)
            childFail(errPipe[1], 1);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(out, 2);
        if (!netns.empty()) {
            const int fd = ::open(netns.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0)
                childFail(errPipe[1], 2);
        }
        if (fsize != RLIM_INFINITY) {
            const rlimit lim{fsize, fsize};
            if (::setrlimit(RLIMIT_FSIZE, &lim) != 0)
                childFail(errPipe[1], 3);
            ::signal(SIGXFSZ, SIG_IGN);  // survives exec: writes past the limit fail with EFBIG
        }
        // Nothing of ours leaks into QEMU.
        for (int fd = 3; fd < 1024; ++fd)
            if (fd != errPipe[1])
                ::close(fd);
        ::execv(argv[0], argv.data());
        childFail(errPipe[1], 4);
    }

    ::close(pidPipe[1]);
    ::close(errPipe[1]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    qint64 pid = 0;
    ssize_t n;
    while ((n = ::read(pidPipe[0], &pid, sizeof pid)) < 0 && errno == EINTR) {
    }
    ::close(pidPipe[0]);
    int msg[2] = {0, 0};
    ssize_t m;
    while ((m = ::read(errPipe[0], msg, sizeof msg)) < 0 && errno == EINTR) {
    }
    ::close(errPipe[0]);
    if (m == ssize_t(sizeof msg))
        return mr::Error::failed(QStringLiteral("%1 %2: %3")
                                     .arg(QString::fromLatin1(stepName(msg[0])), o.program,
                                          QString::fromLocal8Bit(std::strerror(msg[1])))
                                     .toStdString());
    if (n != ssize_t(sizeof pid) || pid <= 0)
        return mr::Error::failed("could not start " + o.program.toStdString());
    return pid;
}

bool DetachedProcess::isAlive(qint64 pid, const QString& needle)
{
    if (pid <= 0 || (::kill(pid_t(pid), 0) != 0 && errno == ESRCH))
        return false;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        // A zombie is dead for our purposes.
        const QByteArray s = stat.readAll();
        const qsizetype close = s.lastIndexOf(')');
        if (close > 0 && s.size() > close + 2 && s.at(close + 2) == 'Z')
            return false;
    }
    if (needle.isEmpty())
        return true;
    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (!cmdline.open(QIODevice::ReadOnly))
        return false;
    return cmdline.readAll().contains(needle.toLocal8Bit());
}

}  // namespace mr::hv
