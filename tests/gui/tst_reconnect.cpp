// metabox when the connection drops: the daemon is stopped and started again
// (same state directory and sandbox); the main window stays, says it is
// reconnecting, backs off 1 s, 2 s, 4 s…, logs in again with the same
// credentials, the open tables resubscribe and reload (no duplicates) and
// follow mrcli again, and an open property dialog keeps what was typed.

#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <unistd.h>

#include "daemon_fixture.h"
#include "gui_test_util.h"
#include "menu_table_view.h"
#include "metabox_app.h"
#include "property_dialog.h"
#include "property_field.h"

using mr::test::DaemonFixture;
using namespace mr::ui;

class TestReconnect : public QObject {
    Q_OBJECT

    std::unique_ptr<DaemonFixture> daemon_;
    QTemporaryDir settingsDir_;

    static bool tableHas(MenuTableView* view, const QString& name)
    {
        auto* m = view->model();
        for (int r = 0; r < m->rowCount(); ++r)
            if (m->propertiesAt(r).count("name") && m->propertiesAt(r).at("name") == name.toStdString())
                return true;
        return false;
    }

    // Every id and every name once.
    static bool noDuplicates(MenuTableView* view)
    {
        auto* m = view->model();
        QSet<QString> ids, names;
        for (int r = 0; r < m->rowCount(); ++r) {
            ids.insert(QString::fromStdString(m->idAt(r)));
            names.insert(QString::fromStdString(m->propertiesAt(r).at("name")));
            if (m->rowOf(m->idAt(r)) != r)
                return false;
        }
        return ids.size() == m->rowCount() && names.size() == m->rowCount();
    }

private slots:
    void initTestCase()
    {
        mr::test::useTestSettings(settingsDir_.path(), QStringLiteral("metabox-reconnect"));
        daemon_ = std::make_unique<DaemonFixture>(QStringLiteral("mrrc%1").arg(getpid() % 100000));
        QVERIFY2(daemon_->start(), qPrintable(daemon_->daemonLog().right(2500)));
    }

    void cleanupTestCase()
    {
        if (daemon_)
            daemon_->stop();
    }

    void backOff()
    {
        int ms = 0;
        QList<int> seen;
        for (int i = 0; i < 8; ++i)
            seen << (ms = SessionController::nextRetryMs(ms));
        QCOMPARE(seen, (QList<int>{1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000}));
    }

    void reconnectsAfterDaemonRestart()
    {
        MetaboxApp app;
        MainWindow* mw = mr::test::logIn(app, daemon_->socket(), daemon_->adminPassword());
        QVERIFY(mw);
        SessionController* session = app.session();
        QList<int> delays;
        connect(session, &SessionController::reconnectScheduled, this, [&delays](int ms) { delays << ms; });

        MenuTableView* interfaces = mw->openMenu(QStringLiteral("/interface"));
        QVERIFY(interfaces);
        QTRY_VERIFY_WITH_TIMEOUT(tableHas(interfaces, QStringLiteral("ether4")), 10000);
        auto r = daemon_->cli(QStringLiteral("/interface bridge add name=brbefore"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QTRY_VERIFY_WITH_TIMEOUT(tableHas(interfaces, QStringLiteral("brbefore")), 10000);

        // A half-filled add dialog, open across the outage.
        MenuTableView* bridges = mw->openMenu(QStringLiteral("/interface/bridge"));
        QTRY_VERIFY_WITH_TIMEOUT(tableHas(bridges, QStringLiteral("brbefore")), 10000);
        QPointer<PropertyDialog> dialog = bridges->openAddDialog();
        QVERIFY(dialog);
        auto* nameEdit = qobject_cast<QLineEdit*>(dialog->field(QStringLiteral("name"))->editor());
        QVERIFY(nameEdit);
        QTest::keyClicks(nameEdit, QStringLiteral("brtyped"));
        mw->openMenu(QStringLiteral("/interface"));  // back to the Interfaces tab
        QVERIFY(mw->tabs()->currentWidget()->isAncestorOf(interfaces));

        // The daemon goes away: the window stays and says so.
        QVERIFY(daemon_->stop());
        QTRY_VERIFY_WITH_TIMEOUT(session->state() == SessionController::State::Reconnecting, 10000);
        QCOMPARE(app.mainWindow(), mw);
        QVERIFY(mw->isVisible());
        QVERIFY(!app.loginWindow()->isVisible());
        QVERIFY2(mw->connectionText().contains(QStringLiteral("Disconnected — reconnecting…")),
                 qPrintable(mw->connectionText()));
        // Backing off while it is down: 1 s, then 2 s.
        QTRY_VERIFY_WITH_TIMEOUT(delays.size() >= 2, 8000);
        QCOMPARE(delays.mid(0, 2), (QList<int>{1000, 2000}));
        QVERIFY(dialog && dialog->isVisible() && dialog->isEnabled() && nameEdit->isEnabled());

        // Back with the same state: logged in again, the table is live.
        QVERIFY2(daemon_->start(), qPrintable(daemon_->daemonLog().right(2500)));
        QTRY_VERIFY_WITH_TIMEOUT(session->state() == SessionController::State::LoggedIn, 40000);
        QCOMPARE(app.mainWindow(), mw);
        QVERIFY2(mw->connectionText().contains(QStringLiteral("Connected")), qPrintable(mw->connectionText()));
        QTRY_VERIFY_WITH_TIMEOUT(interfaces->model()->subscription() != 0 && tableHas(interfaces, "ether4"), 10000);
        QVERIFY(tableHas(interfaces, QStringLiteral("brbefore")));
        QVERIFY(noDuplicates(interfaces));
        QVERIFY(interfaces->table()->isEnabled());

        r = daemon_->cli(QStringLiteral("/interface bridge add name=brafter"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QTRY_VERIFY_WITH_TIMEOUT(tableHas(interfaces, QStringLiteral("brafter")), 10000);
        QVERIFY(noDuplicates(interfaces));
        QTRY_VERIFY_WITH_TIMEOUT(tableHas(bridges, QStringLiteral("brafter")), 10000);
        QVERIFY(noDuplicates(bridges));

        // What was typed is still there and goes out on the new connection.
        QVERIFY(dialog);
        QCOMPARE(nameEdit->text(), QStringLiteral("brtyped"));
        dialog->apply(true);
        QTRY_VERIFY_WITH_TIMEOUT(tableHas(bridges, QStringLiteral("brtyped")), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(tableHas(interfaces, QStringLiteral("brtyped")), 10000);
        QVERIFY(noDuplicates(interfaces));
        QVERIFY(DaemonFixture::exec("ip", {"-n", daemon_->sandbox(), "link", "show", "brtyped"}).exitCode == 0);
    }

    void userDisconnectDoesNotReconnect()
    {
        MetaboxApp app;
        QVERIFY(mr::test::logIn(app, daemon_->socket(), daemon_->adminPassword()));
        app.session()->disconnectFromRouter();
        QTRY_COMPARE_WITH_TIMEOUT(app.session()->state(), SessionController::State::Disconnected, 5000);
        QTest::qWait(1500);
        QCOMPARE(app.session()->state(), SessionController::State::Disconnected);
    }
};

QTEST_MAIN(TestReconnect)
#include "tst_reconnect.moc"
