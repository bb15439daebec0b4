// metabox against a real sandboxed metarouterd over its unix socket: login
// errors and success, live tables following mrcli, a bridge added through
// the property dialog reaching the kernel, errors shown on the field, and
// screenshots of what a user sees.

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QMenu>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableView>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <memory>

#include <unistd.h>

#include "daemon_fixture.h"
#include "gui_test_util.h"
#include "menu_table_view.h"
#include "metabox_app.h"
#include "property_dialog.h"
#include "property_field.h"

using mr::test::DaemonFixture;
using mr::test::submitLogin;
using namespace mr::ui;

class TestMetabox : public QObject {
    Q_OBJECT

    std::unique_ptr<DaemonFixture> daemon_;
    QTemporaryDir settingsDir_;
    QString shots_;

    void shoot(QWidget* w, const QString& name)
    {
        QCoreApplication::processEvents();
        const QString path = shots_ + '/' + name + ".png";
        QVERIFY2(w->grab().save(path), qPrintable(path));
    }

    static bool tableHas(MenuTableView* view, const QString& text)
    {
        auto* m = view->model();
        for (int r = 0; r < m->rowCount(); ++r)
            for (int c = 0; c < m->columnCount(); ++c)
                if (m->data(m->index(r, c)).toString() == text)
                    return true;
        return false;
    }

private slots:
    void initTestCase()
    {
        mr::test::useTestSettings(settingsDir_.path(), QStringLiteral("metabox"));
        shots_ = DaemonFixture::buildDir() + QStringLiteral("/screenshots");
        QDir().mkpath(shots_);
        daemon_ = std::make_unique<DaemonFixture>(QStringLiteral("mrgui%1").arg(getpid() % 100000));
        QVERIFY2(daemon_->start(), qPrintable(daemon_->daemonLog().right(2500)));
    }

    void cleanupTestCase()
    {
        if (daemon_)
            daemon_->stop();
    }

    void loginErrorsAreShown()
    {
        MetaboxApp app;
        app.show();
        submitLogin(app.loginWindow(), QStringLiteral("/nonexistent/api.sock"), QStringLiteral("x"));
        QTRY_VERIFY_WITH_TIMEOUT(app.loginWindow()->message().contains(QStringLiteral("Could not reach")), 5000);
        QVERIFY(app.loginWindow()->connectButton()->isEnabled());

        submitLogin(app.loginWindow(), daemon_->socket(), QStringLiteral("wrong-password"));
        QTRY_VERIFY_WITH_TIMEOUT(app.loginWindow()->message().contains(QStringLiteral("Login failed")), 10000);
        QVERIFY(app.mainWindow() == nullptr);
        QVERIFY(app.loginWindow()->connectButton()->isEnabled());
        QVERIFY(app.loginWindow()->isVisible());
    }

    void tablesFillAndFollowChanges()
    {
        MetaboxApp app;
        app.show();
        app.loginWindow()->address()->setEditText(daemon_->socket());
        app.loginWindow()->password()->setText(QStringLiteral("••••"));
        shoot(app.loginWindow(), QStringLiteral("login"));
        submitLogin(app.loginWindow(), daemon_->socket(), daemon_->adminPassword());
        QTRY_VERIFY_WITH_TIMEOUT(app.mainWindow() != nullptr, 10000);
        MainWindow* mw = app.mainWindow();
        QVERIFY(!app.loginWindow()->isVisible());
        QVERIFY2(mw->connectionText().contains(QStringLiteral("Connected")), qPrintable(mw->connectionText()));

        // The menu tree comes from the schema, in WinBox's order.
        QStringList titles;
        for (auto* item : mw->menuTree()->findItems(QStringLiteral("*"), Qt::MatchWildcard | Qt::MatchRecursive))
            titles << item->text(0);
        for (const char* t : {"Interfaces", "Bridge", "IP", "Addresses", "MetaROUTER", "System", "Identity",
                              "Resources", "Users", "Files", "Log", "About"})
            QVERIFY2(titles.contains(QString::fromLatin1(t)), t);
        // Bridge Ports and MetaROUTER Interfaces are tabs of their windows.
        QVERIFY(mw->openMenu(QStringLiteral("/interface/bridge/port")));
        QVERIFY(mw->openMenu(QStringLiteral("/metarouter/interface")));

        MenuTableView* interfaces = mw->openMenu(QStringLiteral("/interface"));
        QVERIFY(interfaces);
        QTRY_VERIFY_WITH_TIMEOUT(tableHas(interfaces, QStringLiteral("ether4")), 10000);

        // A change made elsewhere shows up without polling.
        auto r = daemon_->cli(QStringLiteral("/interface bridge add name=brcli"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QTRY_VERIFY_WITH_TIMEOUT(tableHas(interfaces, QStringLiteral("brcli")), 10000);
        const int row = interfaces->model()->rowOf(
            interfaces->model()
                ->data(interfaces->model()->index(interfaces->model()->rowCount() - 1, 0), MenuTableModel::IdRole)
                .toString()
                .toStdString());
        QVERIFY(row >= 0);
        r = daemon_->cli(QStringLiteral("/interface bridge set brcli disabled=yes"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (int i = 0; i < interfaces->model()->rowCount(); ++i)
                    if (interfaces->model()->propertiesAt(i).count("name") &&
                        interfaces->model()->propertiesAt(i).at("name") == "brcli")
                        return interfaces->model()->flagsAt(i).contains('X');
                return false;
            }(),
            10000);

        // The filter bar narrows the table.
        interfaces->filter()->setText(QStringLiteral("ether"));
        QCOMPARE(interfaces->proxy()->rowCount(), 4);
        interfaces->filter()->clear();
        mw->resize(1100, 560);
        shoot(mw, QStringLiteral("interfaces"));

        // Removing through the toolbar reaches the daemon.
        r = daemon_->cli(QStringLiteral("/interface bridge add name=brgone"));
        MenuTableView* bridges = mw->openMenu(QStringLiteral("/interface/bridge"));
        QTRY_VERIFY_WITH_TIMEOUT(tableHas(bridges, QStringLiteral("brgone")), 10000);
        for (int i = 0; i < bridges->proxy()->rowCount(); ++i)
            if (bridges->proxy()->data(bridges->proxy()->index(i, 1)).toString() == QLatin1String("brgone"))
                bridges->table()->selectRow(i);
        QVERIFY(bridges->action(QStringLiteral("remove"))->isEnabled());
        bridges->action(QStringLiteral("remove"))->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!tableHas(bridges, QStringLiteral("brgone")), 10000);
        QVERIFY(DaemonFixture::exec("ip", {"-n", daemon_->sandbox(), "link", "show", "brgone"}).exitCode != 0);
    }

    void propertyDialogAddsBridgeAndShowsErrors()
    {
        MetaboxApp app;
        app.show();
        submitLogin(app.loginWindow(), daemon_->socket(), daemon_->adminPassword());
        QTRY_VERIFY_WITH_TIMEOUT(app.mainWindow() != nullptr, 10000);
        MenuTableView* bridges = app.mainWindow()->openMenu(QStringLiteral("/interface/bridge"));
        QVERIFY(bridges);
        QTRY_VERIFY_WITH_TIMEOUT(tableHas(bridges, QStringLiteral("brcli")), 10000);

        PropertyDialog* d = bridges->openAddDialog();
        QVERIFY(d && d->isAdding());
        PropertyField* name = d->field(QStringLiteral("name"));
        QVERIFY(name);
        QVERIFY(qobject_cast<QSpinBox*>(d->field(QStringLiteral("mtu"))->editor()));
        QVERIFY(qobject_cast<QComboBox*>(d->field(QStringLiteral("protocol-mode"))
                                             ? d->field(QStringLiteral("protocol-mode"))->editor()
                                             : d->field(QStringLiteral("disabled"))->editor()));
        auto* nameEdit = qobject_cast<QLineEdit*>(name->editor());
        QVERIFY(nameEdit);
        nameEdit->setText(QStringLiteral("bridge1"));
        qobject_cast<QSpinBox*>(d->field(QStringLiteral("mtu"))->editor())->setValue(1400);
        QCoreApplication::processEvents();
        shoot(d, QStringLiteral("property-dialog"));
        d->apply(true);
        QTRY_VERIFY_WITH_TIMEOUT(tableHas(bridges, QStringLiteral("bridge1")), 10000);
        auto link = DaemonFixture::exec("ip", {"-n", daemon_->sandbox(), "link", "show", "bridge1"});
        QVERIFY2(link.exitCode == 0, qPrintable(link.err));
        QVERIFY2(link.out.contains(QStringLiteral("mtu 1400")), qPrintable(link.out));

        // Checked locally before sending: the rule is shown on the field.
        d = bridges->openAddDialog();
        name = d->field(QStringLiteral("name"));
        nameEdit = qobject_cast<QLineEdit*>(name->editor());
        QTest::keyClicks(nameEdit, QStringLiteral("a-name-far-too-long-for-linux"));
        QVERIFY(name->errorLabel()->isVisibleTo(d));
        QVERIFY(!name->errorLabel()->text().isEmpty());

        // Refused by the daemon: its error lands next to the offending field.
        nameEdit->setText(QStringLiteral("brcli"));
        name->clearError();
        d->apply(false);
        QTRY_VERIFY_WITH_TIMEOUT(name->errorLabel()->isVisibleTo(d), 10000);
        QVERIFY2(name->errorLabel()->text().contains(QStringLiteral("brcli")), qPrintable(name->errorLabel()->text()));
        QVERIFY(d->isVisible());
        d->reject();

        // Editing sends only what changed.
        int row = bridges->model()->rowOf("");
        for (int i = 0; i < bridges->model()->rowCount(); ++i)
            if (bridges->model()->propertiesAt(i).at("name") == "bridge1")
                row = i;
        d = bridges->openEditDialog(row);
        QVERIFY(d && !d->isAdding());
        QCOMPARE(qobject_cast<QLineEdit*>(d->field(QStringLiteral("name"))->editor())->text(), QStringLiteral("bridge1"));
        qobject_cast<QSpinBox*>(d->field(QStringLiteral("mtu"))->editor())->setValue(1300);
        d->apply(true);
        QTRY_VERIFY_WITH_TIMEOUT(
            DaemonFixture::exec("ip", {"-n", daemon_->sandbox(), "link", "show", "bridge1"}).out.contains("mtu 1300"),
            10000);
    }

    void commentButton()
    {
        MetaboxApp app;
        app.show();
        submitLogin(app.loginWindow(), daemon_->socket(), daemon_->adminPassword());
        QTRY_VERIFY_WITH_TIMEOUT(app.mainWindow() != nullptr, 10000);
        auto r = daemon_->cli(QStringLiteral("/interface bridge add name=brnote"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        MenuTableView* bridges = app.mainWindow()->openMenu(QStringLiteral("/interface/bridge"));
        QVERIFY(bridges);
        QTRY_VERIFY_WITH_TIMEOUT(tableHas(bridges, QStringLiteral("brnote")), 10000);
        QAction* comment = bridges->action(QStringLiteral("comment"));
        QVERIFY(comment);
        const int nameColumn = bridges->model()->columnOf("name");
        auto selectBridge = [&] {
            bridges->table()->clearSelection();
            for (int i = 0; i < bridges->proxy()->rowCount(); ++i)
                if (bridges->proxy()->data(bridges->proxy()->index(i, nameColumn)).toString() == QLatin1String("brnote"))
                    bridges->table()->selectRow(i);
        };
        selectBridge();
        QVERIFY(comment->isEnabled());

        comment->trigger();
        auto* d = bridges->findChild<QInputDialog*>(QStringLiteral("commentDialog"));
        QVERIFY(d);
        QVERIFY(d->isVisible());
        QCOMPARE(d->textValue(), QString());
        d->setTextValue(QStringLiteral("uplink to the lab"));
        d->accept();
        QTRY_VERIFY_WITH_TIMEOUT(
            daemon_->cli(QStringLiteral("/interface bridge print detail"))
                .out.contains(QStringLiteral("uplink to the lab")),
            10000);
        r = daemon_->cli(QStringLiteral("/interface bridge print"));
        QVERIFY2(r.out.contains(QStringLiteral(";;; uplink to the lab")), qPrintable(r.out));
        QTRY_VERIFY_WITH_TIMEOUT(!app.mainWindow()->statusBar()->currentMessage().isEmpty(), 10000);

        // Reopened, the dialog shows the current comment.
        QTRY_VERIFY_WITH_TIMEOUT(!bridges->findChild<QInputDialog*>(QStringLiteral("commentDialog")), 5000);
        selectBridge();
        comment->trigger();
        d = bridges->findChild<QInputDialog*>(QStringLiteral("commentDialog"));
        QVERIFY(d);
        QCOMPARE(d->textValue(), QStringLiteral("uplink to the lab"));
        d->reject();

        // Menus without a comment property have no button.
        MenuTableView* identity = app.mainWindow()->openMenu(QStringLiteral("/system/identity"));
        QVERIFY(identity);
        QVERIFY(!identity->action(QStringLiteral("comment")));
    }

    void columnChooserRemembersHiddenColumns()
    {
        MetaboxApp app;
        app.show();
        submitLogin(app.loginWindow(), daemon_->socket(), daemon_->adminPassword());
        QTRY_VERIFY_WITH_TIMEOUT(app.mainWindow() != nullptr, 10000);
        MainWindow* mw = app.mainWindow();
        MenuTableView* bridges = mw->openMenu(QStringLiteral("/interface/bridge"));
        QVERIFY(bridges);
        const int mtu = bridges->model()->columnOf("mtu");
        QVERIFY(mtu > 0);
        QVERIFY(bridges->isColumnVisible(mtu));
        QCOMPARE(bridges->table()->horizontalHeader()->contextMenuPolicy(), Qt::CustomContextMenu);

        // The chooser lists every column, checked when shown.
        std::unique_ptr<QMenu> menu(bridges->createColumnMenu());
        QCOMPARE(menu->actions().size(), bridges->model()->columnCount());
        QAction* mtuAction = menu->findChild<QAction*>(QStringLiteral("mtu"));
        QVERIFY(mtuAction);
        QVERIFY(mtuAction->isCheckable() && mtuAction->isChecked());
        mtuAction->trigger();  // unchecks: hides the column
        QVERIFY(!bridges->isColumnVisible(mtu));
        QVERIFY(bridges->table()->isColumnHidden(mtu));
        menu.reset();

        // Closed and opened again, the column stays hidden; other menus are untouched.
        auto* tabs = mw->findChild<QTabWidget*>(QStringLiteral("tabs"));
        QVERIFY(tabs);
        // The Bridge window's tab (Bridge and Ports inside) is the current one.
        QVERIFY(tabs->currentWidget()->isAncestorOf(bridges));
        QPointer<MenuTableView> closing = bridges;
        emit tabs->tabCloseRequested(tabs->currentIndex());
        QTRY_VERIFY(closing.isNull());
        bridges = mw->openMenu(QStringLiteral("/interface/bridge"));
        QVERIFY(bridges);
        QVERIFY(!bridges->isColumnVisible(mtu));
        QTRY_VERIFY_WITH_TIMEOUT(bridges->model()->rowCount() > 0, 10000);
        QVERIFY(!bridges->isColumnVisible(mtu));  // the snapshot did not bring it back
        MenuTableView* interfaces = mw->openMenu(QStringLiteral("/interface"));
        QVERIFY(interfaces->isColumnVisible(interfaces->model()->columnOf("mtu")));

        // Shown again through the chooser, and that is remembered too.
        menu.reset(bridges->createColumnMenu());
        QVERIFY(!menu->findChild<QAction*>(QStringLiteral("mtu"))->isChecked());
        menu->findChild<QAction*>(QStringLiteral("mtu"))->trigger();
        QVERIFY(bridges->isColumnVisible(mtu));
        const QString key = mw->routerSettingsGroup() + QStringLiteral("/tables/interface/bridge/hiddenColumns");
        QVERIFY(QSettings().contains(mw->routerSettingsGroup() + QStringLiteral("/tables/interface/bridge/order")));
        QVERIFY(!QSettings().value(key).toStringList().contains(QStringLiteral("mtu")));
        // The properties behind the flags start hidden (the flags column shows them).
        QVERIFY(!bridges->isColumnVisible(bridges->model()->columnOf("disabled")));
    }

    void metarouterTable()
    {
        MetaboxApp app;
        app.show();
        submitLogin(app.loginWindow(), daemon_->socket(), daemon_->adminPassword());
        QTRY_VERIFY_WITH_TIMEOUT(app.mainWindow() != nullptr, 10000);
        // Metarouters need the guest image; without it the table stays empty.
        const bool image = QFile::exists(DaemonFixture::buildDir() + "/guest/initrd.img");
        if (image) {
            auto r = daemon_->cli(QStringLiteral("/metarouter add name=mr0 memory-size=128 disabled=yes"));
            QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
            r = daemon_->cli(QStringLiteral("/metarouter add name=mr1 memory-size=128 disabled=no"));
            QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        }
        MenuTableView* mrs = app.mainWindow()->openMenu(QStringLiteral("/metarouter"));
        QVERIFY(mrs);
        if (!image) {
            app.mainWindow()->resize(1100, 560);
            shoot(app.mainWindow(), QStringLiteral("metarouter"));
            QSKIP("the guest image is not built (mr_guest_image): screenshot of the empty table only");
        }
        QTRY_VERIFY_WITH_TIMEOUT(tableHas(mrs, QStringLiteral("mr1")), 10000);
        // A guest boots under TCG in some seconds: show it running if it gets there.
        const int stateColumn = mrs->model()->columnOf("state");
        for (int i = 0; i < 300 && !tableHas(mrs, QStringLiteral("running")); ++i)
            QTest::qWait(100);
        QVERIFY(stateColumn > 0);
        for (const char* a : {"start", "shut-down", "reboot", "add", "remove", "enable", "disable"})
            QVERIFY2(mrs->action(QString::fromLatin1(a)), a);
        QCOMPARE(mrs->action(QStringLiteral("shut-down"))->text(), QStringLiteral("Shut Down"));
        // A command on a selected metarouter answers in the status bar.
        mrs->table()->selectRow(0);
        app.mainWindow()->statusBar()->clearMessage();
        mrs->action(QStringLiteral("shut-down"))->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!app.mainWindow()->statusBar()->currentMessage().isEmpty(), 10000);
        app.mainWindow()->resize(1100, 560);
        shoot(app.mainWindow(), QStringLiteral("metarouter"));

        // Its property dialog: typed editors on General, what QEMU reports on Status.
        const int mr1Row = mrs->model()->rowOf(mrs->model()->idAt(1));
        PropertyDialog* props = mrs->openEditDialog(mr1Row);
        QVERIFY(props);
        auto* pages = props->findChild<QTabWidget*>();
        QVERIFY(pages && pages->count() == 2);
        QCOMPARE(pages->tabText(1), QStringLiteral("Status"));
        QVERIFY(props->field(QStringLiteral("state")));
        QVERIFY(props->field(QStringLiteral("memory-size"))->editor()->toolTip().contains(QStringLiteral("MiB")));
        shoot(props, QStringLiteral("metarouter-properties"));
        pages->setCurrentIndex(1);
        shoot(props, QStringLiteral("metarouter-status"));
        props->reject();

        // Shut Down on the running one reaches QEMU.
        if (tableHas(mrs, QStringLiteral("running"))) {
            auto* proxy = mrs->proxy();
            for (int i = 0; i < proxy->rowCount(); ++i)
                if (proxy->data(proxy->index(i, 1)).toString() == QLatin1String("mr1"))
                    mrs->table()->selectRow(i);
            mrs->action(QStringLiteral("shut-down"))->trigger();
            const auto mr1State = [&] {
                const int row = mrs->model()->rowOf(mrs->model()->idAt(1));
                return mrs->model()->data(mrs->model()->index(row, stateColumn)).toString();
            };
            QTRY_VERIFY2_WITH_TIMEOUT(mr1State() == QLatin1String("stopped") ||
                                          mr1State() == QLatin1String("shutting-down"),
                                      qPrintable(mr1State()), 15000);
        }
    }
};

QTEST_MAIN(TestMetabox)
#include "tst_metabox.moc"
