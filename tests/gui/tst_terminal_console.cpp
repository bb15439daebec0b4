// metabox's consoles against a real sandboxed metarouterd: the MetaROUTER
// table's Console button opens a tab on a running metarouter (one TCG boot)
// that shows the guest's login prompt and logs in, with the escape bar,
// "does not apply" for R and "Welcome back!"; openConsole() for the
// topology; New Terminal runs commands on the router's command line.
// Saves build/screenshots/console.png.

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <unistd.h>

#include "daemon_fixture.h"
#include "gui_test_util.h"
#include "menu_table_view.h"
#include "metabox_app.h"
#include "terminal_tab.h"
#include "terminal_widget.h"

using mr::test::DaemonFixture;
using namespace mr::ui;

class TestTerminalConsole : public QObject {
    Q_OBJECT

    std::unique_ptr<DaemonFixture> daemon_;
    QTemporaryDir settingsDir_;
    QString shots_;

    static QString screen(TerminalTab* tab)
    {
        tab->terminal()->flush();
        QStringList all;
        for (int i = 0; i < tab->terminal()->scrollbackSize(); ++i)
            all << tab->terminal()->scrollbackLine(i);
        all << tab->terminal()->screenLines();
        return all.join('\n');
    }
    static bool screenHas(TerminalTab* tab, const QString& text) { return screen(tab).contains(text); }
    static void typeLine(TerminalTab* tab, const QString& line)
    {
        QTest::keyClicks(tab->terminal(), line);
        QTest::keyClick(tab->terminal(), Qt::Key_Return);
    }

    std::unique_ptr<MetaboxApp> loggedIn()
    {
        auto app = std::make_unique<MetaboxApp>();
        [&] { QVERIFY(mr::test::logIn(*app, daemon_->socket(), daemon_->adminPassword())); }();
        return app;
    }

private slots:
    void initTestCase()
    {
        mr::test::useTestSettings(settingsDir_.path(), QStringLiteral("metabox"));
        shots_ = DaemonFixture::buildDir() + QStringLiteral("/screenshots");
        QDir().mkpath(shots_);
        daemon_ = std::make_unique<DaemonFixture>(QStringLiteral("mrterm%1").arg(getpid() % 10000));
        QVERIFY2(daemon_->start(), qPrintable(daemon_->daemonLog().right(2500)));
    }

    void cleanupTestCase()
    {
        if (daemon_)
            daemon_->stop();
    }

    void newTerminalRunsCommands()
    {
        auto app = loggedIn();
        MainWindow* mw = app->mainWindow();
        // The menu tree's entry: a new session each time, each in its tab.
        QVERIFY(mw->openTool(QStringLiteral("tool:terminal")) == nullptr);
        auto* tab = qobject_cast<TerminalTab*>(mw->tabs()->currentWidget());
        QVERIFY(tab);
        QCOMPARE(mw->tabs()->tabText(mw->tabs()->currentIndex()), QStringLiteral("Terminal"));
        QTRY_VERIFY_WITH_TIMEOUT(screenHas(tab, QStringLiteral("] >")), 10000);
        typeLine(tab, QStringLiteral("/interface bridge add name=brterm"));
        QTRY_VERIFY_WITH_TIMEOUT(
            DaemonFixture::exec("ip", {"-n", daemon_->sandbox(), "link", "show", "brterm"}).exitCode == 0, 10000);
        typeLine(tab, QStringLiteral("/interface bridge print"));
        QTRY_VERIFY2_WITH_TIMEOUT(screen(tab).count(QStringLiteral("brterm")) >= 2, qPrintable(screen(tab)), 10000);
        // A second one beside it.
        mw->openTool(QStringLiteral("tool:terminal"));
        auto* second = qobject_cast<TerminalTab*>(mw->tabs()->currentWidget());
        QVERIFY(second && second != tab);
        QCOMPARE(mw->tabs()->tabText(mw->tabs()->currentIndex()), QStringLiteral("Terminal 2"));
        QTRY_VERIFY_WITH_TIMEOUT(screenHas(second, QStringLiteral("] >")), 10000);
        QVERIFY(tab->isConnected());
        // Ctrl-A Q ends it here too.
        QTest::keyClick(second->terminal(), Qt::Key_A, Qt::ControlModifier);
        QTest::keyClick(second->terminal(), Qt::Key_Q);
        QVERIFY(screenHas(second, QStringLiteral("Welcome back!")));
        QVERIFY(!second->isConnected());
    }

    void consoleLogsInToAMetarouter()
    {
        if (!QFile::exists(DaemonFixture::buildDir() + "/guest/initrd.img"))
            QSKIP("the guest image is not built (mr_guest_image)");
        auto r = daemon_->cli(QStringLiteral("/metarouter add name=mr1"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        auto app = loggedIn();
        MainWindow* mw = app->mainWindow();
        mw->resize(1100, 640);
        MenuTableView* mrs = mw->openMenu(QStringLiteral("/metarouter"));
        QVERIFY(mrs);
        QTRY_VERIFY_WITH_TIMEOUT(mrs->proxy()->rowCount() == 1, 10000);
        QAction* console = mrs->action(QStringLiteral("console"));
        QVERIFY(console);
        mrs->table()->selectRow(0);
        QVERIFY(console->isEnabled());
        console->trigger();
        auto* tab = qobject_cast<TerminalTab*>(mw->tabs()->currentWidget());
        QVERIFY(tab);
        QCOMPARE(mw->tabs()->tabText(mw->tabs()->currentIndex()), QStringLiteral("Console mr1"));

        // Booting under TCG: until the guest runs, the console cannot open;
        // Reconnect until it shows the login prompt.
        QElapsedTimer t;
        t.start();
        while (!screenHas(tab, QStringLiteral("MetaRouter Login:")) && t.elapsed() < 90000) {
            if (!tab->isConnected() && tab->reconnectButton()->isEnabled()) {
                QTest::qWait(500);
                tab->reconnectButton()->click();
            }
            QTest::qWait(200);
        }
        QVERIFY2(screenHas(tab, QStringLiteral("MetaRouter Login:")), qPrintable(screen(tab)));
        tab->terminal()->setFocus();
        typeLine(tab, QStringLiteral("admin"));
        QTRY_VERIFY2_WITH_TIMEOUT(screenHas(tab, QStringLiteral("Password:")), qPrintable(screen(tab)), 10000);
        QTest::keyClick(tab->terminal(), Qt::Key_Return);
        QTRY_VERIFY2_WITH_TIMEOUT(screenHas(tab, QStringLiteral("[admin@")), qPrintable(screen(tab)), 10000);
        typeLine(tab, QStringLiteral("/system identity print"));
        QTRY_VERIFY2_WITH_TIMEOUT(screenHas(tab, QStringLiteral("name:")), qPrintable(screen(tab)), 10000);
        QTRY_VERIFY(screen(tab).trimmed().endsWith(QStringLiteral("] >")));
        // Within a blink period of the last output: the cursor shows.
        QTest::qWait(60);
        const QString path = shots_ + QStringLiteral("/console.png");
        QVERIFY2(mw->grab().save(path), qPrintable(path));

        // The topology's way in: the same tab, brought forward.
        mw->tabs()->setCurrentIndex(0);
        QCOMPARE(mw->openConsole(QStringLiteral("mr1")), static_cast<QWidget*>(tab));
        QCOMPARE(mw->tabs()->currentWidget(), static_cast<QWidget*>(tab));

        // The escape bar; R does not apply to a metarouter's console; Q leaves.
        QTest::keyClick(tab->terminal(), Qt::Key_A, Qt::ControlModifier);
        QVERIFY(tab->escapeBar()->isVisible());
        QTest::keyClick(tab->terminal(), Qt::Key_R);
        QVERIFY(!tab->escapeBar()->isVisible());
        QTRY_VERIFY(screenHas(tab, QStringLiteral("autoconfigure rate does not apply")));
        QVERIFY(tab->isConnected());
        QTest::keyClick(tab->terminal(), Qt::Key_A, Qt::ControlModifier);
        QTest::keyClick(tab->terminal(), Qt::Key_Q);
        QVERIFY(screenHas(tab, QStringLiteral("Welcome back!")));
        QVERIFY(!tab->isConnected());
        QVERIFY(tab->quitByUser());
        // Reconnecting replays the console's recent output.
        tab->reconnectButton()->click();
        QTRY_VERIFY(tab->isConnected());

        // A metarouter that does not exist: a clear error in its tab.
        auto* none = qobject_cast<TerminalTab*>(mw->openConsole(QStringLiteral("nosuch")));
        QVERIFY(none && none != tab);
        QTRY_VERIFY2(screenHas(none, QStringLiteral("cannot open the console of nosuch")), qPrintable(screen(none)));
        QVERIFY(!none->isConnected());
    }
};

QTEST_MAIN(TestTerminalConsole)
#include "tst_terminal_console.moc"
