// Metarouter consoles end to end: a real metarouterd boots a metarouter
// under TCG; `mrcli --console` driven by a script (stdin a pipe) sees the
// login prompt, logs in and runs guest command-line commands (mr-shell: the
// prompt follows `/system identity set name=X`); two clients at once, a late
// joiner's replay, a tenant refused someone else's console; and in a real
// terminal (tmux) the CLI's `/metarouter console c1` with Ctrl-A Q back to
// the host prompt, and mrcli's own escape. Prints the echo latency.

#include <QElapsedTimer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QtTest>

#include <algorithm>
#include <iostream>
#include <memory>
#include <vector>

#include "daemon_fixture.h"

using mr::test::DaemonFixture;

namespace {

// One `mrcli --console NAME` with its standard input a pipe.
class ConsoleClient {
public:
    ConsoleClient(const DaemonFixture& daemon, const QString& name, const QString& user = QStringLiteral("admin"),
                  const QString& password = {})
    {
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("MR_PASSWORD", password.isEmpty() ? daemon.adminPassword() : password);
        p.setProcessEnvironment(env);
        p.start(DaemonFixture::buildDir() + "/app/mrcli/mrcli",
                {"--socket", daemon.socket(), "-u", user, "--console", name});
        p.waitForStarted();
    }
    ~ConsoleClient()
    {
        if (p.state() != QProcess::NotRunning) {
            p.kill();
            p.waitForFinished(3000);
        }
    }

    // Output so far contains `text` (after offset `from`).
    bool waitFor(const QByteArray& text, int ms = 10000, qsizetype from = 0)
    {
        QElapsedTimer t;
        t.start();
        while (true) {
            out += p.readAllStandardOutput();
            if (out.indexOf(text, from) >= 0)
                return true;
            if (t.elapsed() > ms || p.state() == QProcess::NotRunning)
                return false;
            p.waitForReadyRead(50);
        }
    }
    void type(const QByteArray& bytes)
    {
        p.write(bytes);
        p.waitForBytesWritten(1000);
    }
    // Closes standard input; returns the exit code (-1: did not exit).
    int finish(int ms = 5000)
    {
        p.closeWriteChannel();
        if (!p.waitForFinished(ms))
            return -1;
        out += p.readAllStandardOutput();
        err += p.readAllStandardError();
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }

    QProcess p;
    QByteArray out;
    QByteArray err;
};

// A terminal for programs that insist on one: a tmux server of our own.
class Tmux {
public:
    explicit Tmux(QString socketName) : socket_(std::move(socketName)) {}
    ~Tmux() { DaemonFixture::exec("tmux", {"-L", socket_, "kill-server"}); }

    bool start(const QString& command)
    {
        return DaemonFixture::exec("tmux", {"-L", socket_, "new-session", "-d", "-s", "t", "-x", "132", "-y", "50",
                                            command})
                   .exitCode == 0;
    }
    void keys(const QStringList& keys) { DaemonFixture::exec("tmux", QStringList{"-L", socket_, "send-keys", "-t", "t"} + keys); }
    void literal(const QString& text) { DaemonFixture::exec("tmux", {"-L", socket_, "send-keys", "-t", "t", "-l", text}); }
    QString screen() const
    {
        return DaemonFixture::exec("tmux", {"-L", socket_, "capture-pane", "-p", "-t", "t", "-S", "-200"}).out;
    }
    bool waitFor(const QString& text, int ms = 10000, QString* seen = nullptr) const
    {
        QString s;
        const bool ok = QTest::qWaitFor([&] {
            s = screen();
            return s.contains(text);
        }, ms);
        if (seen)
            *seen = s;
        return ok;
    }
    bool alive() const
    {
        return DaemonFixture::exec("tmux", {"-L", socket_, "has-session", "-t", "t"}).exitCode == 0;
    }

private:
    QString socket_;
};

}  // namespace

class ConsolesTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void scriptLogsInAndRunsACommand();
    void twoClientsAndALateJoiner();
    void refusedConsoles();
    void cliConsoleInATerminal();
    void mrcliEscapeInATerminal();
    void shutDownEndsTheConsole();
    void cleanupTestCase();

private:
    std::unique_ptr<DaemonFixture> daemon_;
    QString mrcli_;
};

void ConsolesTest::initTestCase()
{
    daemon_ = std::make_unique<DaemonFixture>(QStringLiteral("mrcon"));
    // MR_TEST_ACCEL=tcg forces the slow path KVM hosts would not take.
    QStringList args;
    if (qEnvironmentVariableIsSet("MR_TEST_ACCEL"))
        args << "--accel" << qEnvironmentVariable("MR_TEST_ACCEL");
    QVERIFY(daemon_->start(args));
    mrcli_ = DaemonFixture::buildDir() + "/app/mrcli/mrcli";
    const auto add = daemon_->cli("/metarouter add name=c1");
    QVERIFY2(add.exitCode == 0, qPrintable(add.out + add.err + daemon_->daemonLog()));
    // Booting under TCG: wait for the guest's login prompt on the console.
    QElapsedTimer t;
    t.start();
    bool up = false;
    while (!up && t.elapsed() < 60000) {
        ConsoleClient c(*daemon_, "c1");
        up = c.waitFor("MetaRouter Login:", 60000 - int(t.elapsed()));
        if (!up) {
            c.finish(2000);
            QVERIFY2(c.err.contains("not running") || c.err.isEmpty(), c.err.constData());
            QTest::qWait(300);
        }
    }
    QVERIFY2(up, qPrintable(daemon_->cli("/metarouter print").out + daemon_->daemonLog()));
    std::cout << "METRIC add-to-login-prompt-ms " << t.elapsed() << std::endl;
}

void ConsolesTest::scriptLogsInAndRunsACommand()
{
    ConsoleClient c(*daemon_, "c1");
    QVERIFY(c.waitFor("MetaRouter Login:"));  // the replay, at once
    qsizetype from = c.out.size();
    c.type("admin\n");
    QVERIFY2(c.waitFor("Password:", 10000, from), c.out.constData());
    c.type("\n");
    // mr-shell, the guest's command line, with its default identity.
    QVERIFY2(c.waitFor("[admin@MikroTik] >", 10000, from), c.out.constData());
    from = c.out.size();
    // The prompt follows the identity: only the guest's output has it.
    c.type("/system identity set name=MR42\n");
    QVERIFY2(c.waitFor("[admin@MR42] >", 10000, from), c.out.constData());
    // Output round trip (the typed echo has `print`, not `name: `).
    from = c.out.size();
    c.type("/system identity print\n");
    QVERIFY2(c.waitFor("name: MR42", 10000, from), c.out.constData());
    QVERIFY2(c.waitFor("[admin@MR42] >", 5000, from), c.out.constData());

    // Echo latency through mrcli and the daemon: a key to the guest's
    // command line and its echo back, typed on a comment line.
    from = c.out.size();
    c.type("#");
    QVERIFY2(c.waitFor("#", 5000, from), c.out.constData());
    std::vector<double> ms;
    for (int i = 0; i < 20; ++i) {
        const qsizetype before = c.out.size();
        QElapsedTimer t;
        t.start();
        c.type("x");
        while (c.out.size() == before && t.elapsed() < 3000) {
            c.p.waitForReadyRead(3000);
            c.out += c.p.readAllStandardOutput();
        }
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    c.type("\n");
    std::sort(ms.begin(), ms.end());
    std::cout << "METRIC console-echo-latency-ms median " << ms[ms.size() / 2] << " max " << ms.back() << std::endl;
    QVERIFY(ms[ms.size() / 2] < 1000);

    // End of input: mrcli sends what is left and exits 0.
    QCOMPARE(c.finish(), 0);
}

void ConsolesTest::twoClientsAndALateJoiner()
{
    ConsoleClient a(*daemon_, "c1");
    ConsoleClient b(*daemon_, "c1");
    QVERIFY2(a.waitFor("[admin@MR42] >"), a.out.constData());
    QVERIFY2(b.waitFor("[admin@MR42] >"), b.out.constData());
    const qsizetype fromA = a.out.size(), fromB = b.out.size();
    a.type("/system identity set name=TWO2\n");
    QVERIFY2(a.waitFor("[admin@TWO2] >", 10000, fromA), a.out.constData());
    QVERIFY2(b.waitFor("[admin@TWO2] >", 10000, fromB), b.out.constData());
    // Both type into the same command line.
    b.type("/system identity set name=FROMB5\n");
    QVERIFY2(a.waitFor("[admin@FROMB5] >", 10000, fromA), a.out.constData());
    QVERIFY2(b.waitFor("[admin@FROMB5] >", 10000, fromB), b.out.constData());

    // A late joiner gets the recent screen without typing anything.
    ConsoleClient late(*daemon_, "c1");
    QVERIFY2(late.waitFor("[admin@FROMB5] >", 5000), late.out.constData());
    QCOMPARE(late.finish(), 0);
    QCOMPARE(a.finish(), 0);
    QCOMPARE(b.finish(), 0);
}

void ConsolesTest::refusedConsoles()
{
    QCOMPARE(daemon_->cli("/user add name=t1 group=tenant metarouters=other password=pw1").exitCode, 0);
    {
        ConsoleClient c(*daemon_, "c1", "t1", "pw1");
        QCOMPARE(c.finish(10000), 1);
        QVERIFY2(c.err.contains("cannot open the console of c1: no such metarouter: c1"), c.err.constData());
        QVERIFY(!c.out.contains("MetaRouter"));
    }
    {
        ConsoleClient c(*daemon_, "nope");
        QCOMPARE(c.finish(10000), 1);
        QVERIFY2(c.err.contains("no such metarouter: nope"), c.err.constData());
    }
    {
        // A tenant's own metarouter is fine.
        QCOMPARE(daemon_->cli("/user add name=t2 group=tenant metarouters=c1 password=pw2").exitCode, 0);
        ConsoleClient c(*daemon_, "c1", "t2", "pw2");
        QVERIFY2(c.waitFor("[admin@FROMB5] >"), c.out.constData());
        QCOMPARE(c.finish(), 0);
    }
    // Through the tenant's own command line, the same answer.
    const auto r = daemon_->cli("/metarouter console c1", "t1", "pw1");
    QVERIFY(r.exitCode != 0);
}

void ConsolesTest::cliConsoleInATerminal()
{
    Tmux tmux(QStringLiteral("mrcon-cli-%1").arg(QCoreApplication::applicationPid()));
    QVERIFY(tmux.start(QStringLiteral("env MR_PASSWORD='%1' '%2' --socket '%3'")
                           .arg(daemon_->adminPassword(), mrcli_, daemon_->socket())));
    QString seen;
    QVERIFY2(tmux.waitFor("[admin@MikroTik] >", 10000, &seen), qPrintable(seen));
    tmux.literal("/metarouter console c1");
    tmux.keys({"Enter"});
    QVERIFY2(tmux.waitFor("[Ctrl-A is the prefix key]", 10000, &seen), qPrintable(seen));
    tmux.literal("/system identity set name=CLI42");
    tmux.keys({"Enter"});
    QVERIFY2(tmux.waitFor("[admin@CLI42] >", 10000, &seen), qPrintable(seen));
    // Ctrl-A shows the manual's help; Q says Welcome back! and the host
    // prompt returns.
    tmux.keys({"C-a"});
    QVERIFY2(tmux.waitFor("[A - send Ctrl-A prefix]   [R - autoconfigure rate]", 5000, &seen), qPrintable(seen));
    QVERIFY(seen.contains("[Q - quit connection]      [B - send break]"));
    tmux.keys({"q"});
    QVERIFY2(tmux.waitFor(" Welcome back!", 5000, &seen), qPrintable(seen));
    QVERIFY2(QTest::qWaitFor([&] {
        seen = tmux.screen();
        const qsizetype at = seen.lastIndexOf(" Welcome back!");
        return at >= 0 && seen.indexOf("[admin@MikroTik] >", at) > at;
    }, 5000), qPrintable(seen));
    // Back at the host's command line.
    tmux.literal("/metarouter print");
    tmux.keys({"Enter"});
    QVERIFY2(tmux.waitFor("c1", 5000, &seen), qPrintable(seen));
    tmux.literal("quit");
    tmux.keys({"Enter"});
    QVERIFY(QTest::qWaitFor([&] { return !tmux.alive(); }, 5000));
}

void ConsolesTest::mrcliEscapeInATerminal()
{
    Tmux tmux(QStringLiteral("mrcon-esc-%1").arg(QCoreApplication::applicationPid()));
    // The exit status lands on the screen once mrcli is gone.
    QVERIFY(tmux.start(QStringLiteral("env MR_PASSWORD='%1' '%2' --socket '%3' --console c1; echo EXIT=$?; sleep 30")
                           .arg(daemon_->adminPassword(), mrcli_, daemon_->socket())));
    QString seen;
    QVERIFY2(tmux.waitFor("[Ctrl-A is the prefix key]", 10000, &seen), qPrintable(seen));
    tmux.literal("/system identity set name=ESC9");
    tmux.keys({"Enter"});
    QVERIFY2(tmux.waitFor("[admin@ESC9] >", 10000, &seen), qPrintable(seen));
    tmux.keys({"C-a"});
    tmux.keys({"r"});
    QVERIFY2(tmux.waitFor("virtual serial line", 5000, &seen), qPrintable(seen));
    tmux.keys({"C-a"});
    tmux.keys({"Q"});
    QVERIFY2(tmux.waitFor("EXIT=0", 5000, &seen), qPrintable(seen));
    QVERIFY(seen.contains(" Welcome back!"));
}

void ConsolesTest::shutDownEndsTheConsole()
{
    ConsoleClient c(*daemon_, "c1");
    QVERIFY2(c.waitFor("[admin@ESC9] >"), c.out.constData());
    const auto r = daemon_->cli("/metarouter shut-down c1");
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    // The daemon closes the stream; mrcli says why and exits non-zero.
    QVERIFY(c.p.waitForFinished(30000));
    c.err += c.p.readAllStandardError();
    QCOMPARE(c.p.exitCode(), 1);
    QVERIFY2(c.err.contains("console of c1 closed: the metarouter stopped"), c.err.constData());
    ConsoleClient after(*daemon_, "c1");
    QCOMPARE(after.finish(10000), 1);
    QVERIFY2(after.err.contains("metarouter c1 is not running"), after.err.constData());
}

void ConsolesTest::cleanupTestCase()
{
    if (daemon_) {
        daemon_->cli("/metarouter remove c1");
        QVERIFY(daemon_->stop());
    }
}

QTEST_GUILESS_MAIN(ConsolesTest)
#include "tst_consoles.moc"
