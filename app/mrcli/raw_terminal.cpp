#include "raw_terminal.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>

namespace mr::ui {
namespace {
termios g_saved;
bool g_active = false;

void restore(int sig)
{
    if (g_active)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}
}  // namespace

RawTerminal::RawTerminal()
{
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_) != 0)
        return;
    termios raw = saved_;
    cfmakeraw(&raw);
    raw.c_oflag |= OPOST;  // keep \n -> \r\n for our own messages
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) != 0)
        return;
    g_saved = saved_;
    g_active = active_ = true;
    std::signal(SIGTERM, restore);
    std::signal(SIGHUP, restore);
}

RawTerminal::~RawTerminal()
{
    if (active_) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
        g_active = false;
    }
}

bool RawTerminal::size(unsigned* columns, unsigned* rows)
{
    winsize ws{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)
        return false;
    *columns = ws.ws_col;
    *rows = ws.ws_row;
    return true;
}

bool RawTerminal::readSecret(const char* prompt, std::string* out)
{
    const int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return false;
    termios saved{}, quiet{};
    const bool isTty = tcgetattr(fd, &saved) == 0;
    if (isTty) {
        quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    (void)!write(fd, prompt, std::strlen(prompt));
    out->clear();
    char c;
    while (read(fd, &c, 1) == 1 && c != '\n' && c != '\r')
        out->push_back(c);
    (void)!write(fd, "\n", 1);
    if (isTty)
        tcsetattr(fd, TCSAFLUSH, &saved);
    close(fd);
    return true;
}

}  // namespace mr::ui
