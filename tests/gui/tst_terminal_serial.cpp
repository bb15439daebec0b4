// A serial console over a pseudo-terminal pair: the app opens the slave
// path through QtSerialPort, the test plays the router on the master. Bytes
// both ways, the escape bar and its keys, break, autoconfigure rate (the
// master sees the rate the app sets on the slave and answers in text only
// at 38400), quit, reconnect, a hang-up, and the port dialog's checks.
//
// A Linux pty has no break: TIOCSBRK on the slave succeeds and nothing
// reaches the master (pty_ops has no break_ctl, no TIOCGICOUNT either), so
// the test checks what can be seen: the break is set and cleared on the
// port without error and the line keeps working around it.

#include <QLabel>
#include <QComboBox>
#include <QPushButton>
#include <QSettings>
#include <QSocketNotifier>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include "serial_dialog.h"
#include "serial_transport.h"
#include "terminal_tab.h"
#include "terminal_widget.h"

using namespace mr::ui;

namespace {

// The router's end of the pty.
class FakeRouter : public QObject {
public:
    enum class Mode { Collect, AnswerAt38400, Garbage };

    FakeRouter()
    {
        char name[128] = {};
        ok = ::openpty(&master, &slave, name, nullptr, nullptr) == 0;
        path = QString::fromLatin1(name);
        ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
        notifier = std::make_unique<QSocketNotifier>(master, QSocketNotifier::Read);
        connect(notifier.get(), &QSocketNotifier::activated, this, [this] { onRead(); });
    }
    ~FakeRouter() override
    {
        notifier.reset();
        closeSlave();
        if (master >= 0)
            ::close(master);
    }
    void closeSlave()
    {
        if (slave >= 0)
            ::close(slave);
        slave = -1;
    }
    void write(const QByteArray& bytes) const { QVERIFY(::write(master, bytes.constData(), size_t(bytes.size())) == bytes.size()); }
    speed_t speed() const
    {
        termios t{};
        ::tcgetattr(master, &t);
        return ::cfgetospeed(&t);
    }
    termios attrs() const
    {
        termios t{};
        ::tcgetattr(master, &t);
        return t;
    }
    bool hungUp() const
    {
        pollfd p{master, POLLIN, 0};
        return ::poll(&p, 1, 0) == 1 && (p.revents & POLLHUP);
    }

    int master = -1;
    int slave = -1;
    bool ok = false;
    QString path;
    QByteArray received;
    int probes = 0;
    Mode mode = Mode::Collect;

private:
    void onRead()
    {
        char buf[4096];
        const ssize_t n = ::read(master, buf, sizeof buf);
        if (n <= 0) {
            // No slave open (EIO): wait for the next one without spinning.
            notifier->setEnabled(false);
            QTimer::singleShot(50, this, [this] { notifier->setEnabled(true); });
            return;
        }
        const QByteArray bytes(buf, int(n));
        received += bytes;
        if (mode == Mode::Collect || !bytes.contains('\r'))
            return;
        ++probes;
        // A console at 38400 baud: only that rate reads as text.
        if (mode == Mode::AnswerAt38400 && speed() == B38400)
            write("\r\nMikroTik Login: ");
        else
            write(QByteArray("\xff\xfe\x80\x9f\xe0\x00\xf8\x86\x1f\xc3", 10));
    }

    std::unique_ptr<QSocketNotifier> notifier;
};

}  // namespace

class TestTerminalSerial : public QObject {
    Q_OBJECT

    QTemporaryDir settingsDir_;

    static bool screenHas(TerminalTab& tab, const QString& text)
    {
        tab.terminal()->flush();
        const QStringList lines = tab.terminal()->screenLines();
        for (int i = 0; i < tab.terminal()->scrollbackSize(); ++i)
            if (tab.terminal()->scrollbackLine(i).contains(text))
                return true;
        return lines.join('\n').contains(text);
    }
    static void ctrlA(TerminalTab& tab, Qt::Key key, Qt::KeyboardModifiers mods = Qt::NoModifier)
    {
        QTest::keyClick(tab.terminal(), Qt::Key_A, Qt::ControlModifier);
        QVERIFY(tab.inEscape());
        QTest::keyClick(tab.terminal(), key, mods);
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir_.path());
    }

    void consoleOverAPty()
    {
        FakeRouter router;
        QVERIFY(router.ok);
        auto* transport = new SerialTransport(router.path, 115200);
        TerminalTab tab(transport);
        tab.resize(800, 400);
        tab.show();
        QVERIFY(!tab.isConnected());
        tab.connectTransport();
        QTRY_VERIFY(tab.isConnected());
        router.closeSlave();  // the app's is the only one now
        QTRY_VERIFY(screenHas(tab, QStringLiteral("[Ctrl-A is the prefix key]")));
        // The app set the line up: raw 8N1 at the chosen rate.
        const termios t = router.attrs();
        QCOMPARE(router.speed(), speed_t(B115200));
        QVERIFY(!(t.c_lflag & (ICANON | ECHO)));
        QCOMPARE(t.c_cflag & CSIZE, tcflag_t(CS8));
        QVERIFY(!(t.c_cflag & PARENB));

        // Router to screen, keys to router.
        router.write("\r\nMikroTik 6.49 (stable)\r\nMikroTik Login: ");
        QTRY_VERIFY(screenHas(tab, QStringLiteral("MikroTik Login:")));
        tab.terminal()->setFocus();
        QTest::keyClicks(tab.terminal(), QStringLiteral("admin"));
        QTest::keyClick(tab.terminal(), Qt::Key_Return);
        QTRY_COMPARE(router.received, QByteArray("admin\r"));

        // Ctrl-A shows the bar; an unknown key leaves it and sends nothing.
        router.received.clear();
        QTest::keyClick(tab.terminal(), Qt::Key_A, Qt::ControlModifier);
        QVERIFY(tab.escapeBar()->isVisible());
        QCOMPARE(tab.escapeBar()->text(), QStringLiteral("[Q - quit connection] [B - send break] "
                                                         "[A - send Ctrl-A prefix] [R - autoconfigure rate]"));
        QTRY_VERIFY(screenHas(tab, QStringLiteral("[B - send break]")));
        QTest::keyClick(tab.terminal(), Qt::Key_X);
        QVERIFY(!tab.escapeBar()->isVisible());
        QTest::keyClick(tab.terminal(), Qt::Key_Z);
        QTRY_COMPARE(router.received, QByteArray("z"));

        // Ctrl-A twice and Ctrl-A A: a literal Ctrl-A.
        router.received.clear();
        ctrlA(tab, Qt::Key_A, Qt::ControlModifier);
        ctrlA(tab, Qt::Key_A);
        QTRY_COMPARE(router.received, QByteArray("\x01\x01"));

        // Ctrl-A B: a break on the port (set, then cleared), the line goes on.
        router.received.clear();
        QTest::keyClicks(tab.terminal(), QStringLiteral("b4"));
        ctrlA(tab, Qt::Key_B);
        QVERIFY(transport->breakActive());
        QTRY_VERIFY(screenHas(tab, QStringLiteral("[break sent]")));
        QTRY_VERIFY(!transport->breakActive());
        QTest::keyClicks(tab.terminal(), QStringLiteral("after"));
        QTRY_COMPARE(router.received, QByteArray("b4after"));

        // Ctrl-A R: tries the rates and keeps the one that reads as text.
        router.received.clear();
        router.mode = FakeRouter::Mode::AnswerAt38400;
        ctrlA(tab, Qt::Key_R);
        QTRY_VERIFY_WITH_TIMEOUT(screenHas(tab, QStringLiteral("[autoconfigure rate: 38400 baud]")), 10000);
        QCOMPARE(transport->baudRate(), 38400);
        QCOMPARE(router.speed(), speed_t(B38400));
        QCOMPARE(router.probes, 3);  // 115200, 57600, 38400
        QVERIFY(router.received.count('\r') >= 3);
        QVERIFY(screenHas(tab, QStringLiteral("MikroTik Login:")));
        // The garbage heard at the wrong rates is not shown.
        for (const QString& line : tab.terminal()->screenLines())
            QVERIFY2(!line.contains(QChar(0xfffd)), qPrintable(line));

        // When no rate reads well, it stays where it was.
        router.mode = FakeRouter::Mode::Garbage;
        router.probes = 0;
        ctrlA(tab, Qt::Key_R, Qt::ShiftModifier);
        QTRY_VERIFY_WITH_TIMEOUT(screenHas(tab, QStringLiteral("no rate gave readable text; staying at 38400 baud")),
                                 15000);
        QCOMPARE(router.probes, int(SerialTransport::probeRates().size()));
        QCOMPARE(transport->baudRate(), 38400);
        QCOMPARE(router.speed(), speed_t(B38400));
        router.mode = FakeRouter::Mode::Collect;

        // Ctrl-A Q: "Welcome back!", the port is closed, the tab stays.
        router.received.clear();
        ctrlA(tab, Qt::Key_Q);
        QVERIFY(screenHas(tab, QStringLiteral("Welcome back!")));
        QVERIFY(!tab.isConnected());
        QVERIFY(tab.quitByUser());
        QVERIFY(!transport->isOpen());
        QTRY_VERIFY(router.hungUp());
        QVERIFY(tab.reconnectButton()->isVisible());
        QTest::keyClicks(tab.terminal(), QStringLiteral("lost"));
        QTest::qWait(100);
        QCOMPARE(router.received, QByteArray());  // nothing goes to a closed line

        // Enter connects again.
        QTest::keyClick(tab.terminal(), Qt::Key_Return);
        QTRY_VERIFY(tab.isConnected());
        QTest::keyClicks(tab.terminal(), QStringLiteral("again"));
        QTRY_COMPARE(router.received, QByteArray("again"));
        QCOMPARE(router.speed(), speed_t(B38400));  // the rate found is kept
    }

    void theFarEndHangsUp()
    {
        auto router = std::make_unique<FakeRouter>();
        QVERIFY(router->ok);
        const QString path = router->path;
        TerminalTab tab(new SerialTransport(path, 9600));
        tab.show();
        tab.connectTransport();
        QTRY_VERIFY(tab.isConnected());
        router.reset();  // the master goes: the slave hangs up
        QTRY_VERIFY_WITH_TIMEOUT(!tab.isConnected(), 5000);
        QVERIFY(screenHas(tab, path));
        QVERIFY(!tab.quitByUser());
    }

    void portThatCannotBeOpened()
    {
        TerminalTab tab(new SerialTransport(QStringLiteral("/dev/nonexistent-tty"), 9600));
        tab.show();
        tab.connectTransport();
        QTRY_VERIFY(screenHas(tab, QStringLiteral("cannot open /dev/nonexistent-tty")));
        QVERIFY(!tab.isConnected());
        QVERIFY(tab.reconnectButton()->isEnabled());
    }

    void dialogChecksItsInput()
    {
        FakeRouter router;
        SerialDialog d;
        d.portBox()->setEditText(QStringLiteral("/dev/nonexistent-tty"));
        d.baudBox()->setEditText(QStringLiteral("9600"));
        d.accept();
        QCOMPARE(d.result(), int(QDialog::Rejected));
        QVERIFY(d.errorLabel()->text().contains(QStringLiteral("does not exist")));
        d.portBox()->setEditText(router.path);
        d.baudBox()->setEditText(QStringLiteral("fast"));
        d.accept();
        QCOMPARE(d.result(), int(QDialog::Rejected));
        QVERIFY(d.errorLabel()->text().contains(QStringLiteral("baud rate")));
        QVERIFY(QSettings().value(QStringLiteral("serial/port")).toString().isEmpty());  // nothing kept yet
        d.baudBox()->setEditText(QStringLiteral("57600"));
        d.accept();
        QCOMPARE(d.result(), int(QDialog::Accepted));
        QCOMPARE(d.port(), router.path);
        QCOMPARE(d.baudRate(), 57600);
        // Remembered for next time.
        SerialDialog again;
        QCOMPARE(again.port(), router.path);
        QCOMPARE(again.baudRate(), 57600);
    }

    void textScore()
    {
        QCOMPARE(SerialTransport::textScore("ab"), 0.0);  // too little to judge
        QCOMPARE(SerialTransport::textScore("\r\nLogin: "), 1.0);
        QVERIFY(SerialTransport::textScore(QByteArray("\xff\xfe\x80\x9f\xe0\x00\xf8", 7)) < 0.5);
    }
};

QTEST_MAIN(TestTerminalSerial)
#include "tst_terminal_serial.moc"
