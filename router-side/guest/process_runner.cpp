#include "process_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mr::guest {

Result<ProcessRunner::Output> ProcessRunner::run(const std::vector<std::string>& argv, const std::string& input)
{
    if (argv.empty())
        return Error::failed("nothing to run");
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0)
        return Error::failed(std::string("pipe: ") + std::strerror(errno));
    if (pipe2(out, O_CLOEXEC) != 0) {
        close(in[0]);
        close(in[1]);
        return Error::failed(std::string("pipe: ") + std::strerror(errno));
    }
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0)
        return Error::failed(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        execv(args[0], args.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    // Small inputs only (a ruleset): the pipe buffer takes them whole.
    const auto oldPipe = signal(SIGPIPE, SIG_IGN);
    std::size_t done = 0;
    while (done < input.size()) {
        const ssize_t n = write(in[1], input.data() + done, input.size() - done);
        if (n <= 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    close(in[1]);
    Output o;
    char buf[4096];
    for (;;) {
        const ssize_t n = read(out[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        o.text.append(buf, static_cast<std::size_t>(n));
    }
    close(out[0]);
    signal(SIGPIPE, oldPipe);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    o.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (o.exitCode == 127 && o.text.empty())
        return Error::failed(argv[0] + " is not available");
    return o;
}

}  // namespace mr::guest
