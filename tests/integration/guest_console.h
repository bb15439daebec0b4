#pragma once
// A metarouter's console as a script sees it: `mrcli --console NAME` with a
// pipe for standard input, and the guest command line's prompt as the
// marker that a command has finished.

#include <QByteArray>
#include <QProcess>
#include <QString>

#include "daemon_fixture.h"

namespace mr::test {

class GuestConsole {
public:
    GuestConsole(const DaemonFixture& daemon, const QString& name);
    ~GuestConsole();
    GuestConsole(const GuestConsole&) = delete;
    GuestConsole& operator=(const GuestConsole&) = delete;

    // Waits until marker appears at or after position from.
    bool waitFor(const QByteArray& marker, int timeoutMs, qsizetype from = 0);
    void send(const QByteArray& bytes);

    // Runs lines on the guest's command line (mr-shell), then
    // `/system identity set name=TAG`, and waits for the prompt
    // `[admin@TAG] >` that only the guest's output has (not the typed echo,
    // nor a replay of an earlier screen when TAG is new); returns the output
    // since.
    QByteArray run(const QByteArray& lines, const QByteArray& tag, int timeoutMs = 15000);
    // The same with a fresh MARKn tag, then the identity set back to
    // `identity`; returns only the lines' output ("TIMED OUT: ..." if the
    // guest did not answer).
    QByteArray runKeeping(const QByteArray& lines, const QByteArray& identity, int timeoutMs = 20000);

    bool running() const { return process_.state() == QProcess::Running; }
    QByteArray seen() const { return seen_; }
    qsizetype size();

private:
    QProcess process_;
    QByteArray seen_;
    int marks_ = 0;
};

}  // namespace mr::test
