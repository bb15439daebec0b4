// The main window against a real sandboxed metarouterd: the WinBox menu tree
// (windows with inner tabs, icons), tabs and table layouts remembered per
// router across logins, the hooks other areas use (addTool, openWidgetTab,
// addTableAction), the About box, and MetaROUTER ▸ Import Image uploading a
// file with progress, importing it, refusing a second upload of the same
// name and cancelling an upload without leaving anything behind.

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUrl>

#include <memory>

#include <unistd.h>

#include "daemon_fixture.h"
#include "gui_test_util.h"
#include "import_image_dialog.h"
#include "menu_table_view.h"
#include "metabox_app.h"

using mr::test::DaemonFixture;
using namespace mr::ui;

class TestMainWindow : public QObject {
    Q_OBJECT

    std::unique_ptr<DaemonFixture> daemon_;
    QTemporaryDir settingsDir_;
    QTemporaryDir work_;
    QString shots_;

    // Logs in to address (the daemon's socket or a link to it); nullptr on failure.
    MainWindow* login(MetaboxApp& app, const QString& address)
    {
        return mr::test::logIn(app, address, daemon_->adminPassword());
    }

    static bool hasName(MenuTableView* view, const QString& name)
    {
        auto* m = view->model();
        for (int r = 0; r < m->rowCount(); ++r)
            if (m->propertiesAt(r).count("name") && m->propertiesAt(r).at("name") == name.toStdString())
                return true;
        return false;
    }

    static QTreeWidgetItem* treeItem(MainWindow* mw, const QString& title)
    {
        const auto items = mw->menuTree()->findItems(title, Qt::MatchExactly | Qt::MatchRecursive);
        return items.isEmpty() ? nullptr : items.first();
    }

    // A small bootable-looking image: a "kernel" with the bzImage magic, an
    // initrd of some windows of upload credit, and a manifest naming them.
    QString makeImage(const QString& name, int initrdBytes)
    {
        const QString dir = work_.path() + '/' + name;
        if (!QDir().mkpath(dir))
            return {};
        QByteArray kernel(8192, '\0');
        kernel.replace(0x202, 4, "HdrS");
        QFile k(dir + "/vmlinuz");
        if (!k.open(QIODevice::WriteOnly) || k.write(kernel) != kernel.size())
            return {};
        k.close();
        // The initrd: a cpio archive (the importer checks) of a file that
        // compresses poorly, so the upload takes several windows of credit.
        const QString root = dir + "/root";
        QDir().mkpath(root);
        QFile payload(root + "/payload");
        if (!payload.open(QIODevice::WriteOnly))
            return {};
        QByteArray junk(initrdBytes, '\0');
        quint32 x = 2463534242u;
        for (int n = 0; n < junk.size(); ++n) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            junk[n] = char(x);
        }
        payload.write(junk);
        payload.close();
        if (DaemonFixture::exec("sh", {"-c", "cd '" + root + "' && find . | cpio -o -H newc > ../initrd.img"})
                .exitCode != 0)
            return {};
        QFile m(dir + "/manifest");
        if (!m.open(QIODevice::WriteOnly))
            return {};
        m.write("kernel=vmlinuz\ninitrd=initrd.img\ncmdline=console=ttyS0\n");
        m.close();
        const QString tgz = work_.path() + '/' + name + ".tgz";
        if (DaemonFixture::exec("tar", {"-C", dir, "-czf", tgz, "vmlinuz", "initrd.img", "manifest"}).exitCode != 0)
            return {};
        return tgz;
    }

private slots:
    void initTestCase()
    {
        mr::test::useTestSettings(settingsDir_.path(), QStringLiteral("metabox-mainwin"));
        shots_ = DaemonFixture::buildDir() + QStringLiteral("/screenshots");
        QDir().mkpath(shots_);
        daemon_ = std::make_unique<DaemonFixture>(QStringLiteral("mrmw%1").arg(getpid() % 100000));
        QVERIFY2(daemon_->start(), qPrintable(daemon_->daemonLog().right(2500)));
    }

    void cleanupTestCase()
    {
        if (daemon_)
            daemon_->stop();
    }

    void menuTreeAsWinBox()
    {
        MetaboxApp app;
        MainWindow* mw = login(app, daemon_->socket());
        QVERIFY(mw);
        QStringList top;
        for (int i = 0; i < mw->menuTree()->topLevelItemCount(); ++i)
            top << mw->menuTree()->topLevelItem(i)->text(0);
        // WinBox's order; About stays last whatever other areas add.
        const QStringList expected{"Interfaces", "Bridge", "IP", "MetaROUTER", "System", "Files", "Log"};
        int at = -1;
        for (const QString& t : expected) {
            const int i = top.indexOf(t);
            QVERIFY2(i > at, qPrintable(t + " in " + top.join(',')));
            at = i;
        }
        QCOMPARE(top.last(), QStringLiteral("About"));
        for (const char* t : {"Addresses", "Identity", "Resources", "Users"})
            QVERIFY2(treeItem(mw, QString::fromLatin1(t)) && treeItem(mw, QString::fromLatin1(t))->parent(), t);
        // Every entry has its icon, rendered from the compiled-in SVG.
        for (const char* t : {"Interfaces", "Bridge", "IP", "MetaROUTER", "System", "Log", "About"}) {
            QTreeWidgetItem* item = treeItem(mw, QString::fromLatin1(t));
            QVERIFY2(item && !item->icon(0).pixmap(16, 16).isNull(), t);
        }
        QVERIFY(!mw->windowIcon().isNull());

        // Bridge is one tab with Bridge and Ports inside, as in WinBox.
        MenuTableView* ports = mw->openMenu(QStringLiteral("/interface/bridge/port"));
        QVERIFY(ports);
        auto* inner = qobject_cast<QTabWidget*>(mw->tabs()->currentWidget());
        QVERIFY(inner);
        QCOMPARE(inner->count(), 2);
        QCOMPARE(inner->currentWidget(), ports);
        QCOMPARE(inner->tabText(0), QStringLiteral("Bridge"));
        QCOMPARE(inner->tabText(1), QStringLiteral("Ports"));
        QCOMPARE(mw->tabs()->tabText(mw->tabs()->currentIndex()), QStringLiteral("Bridge"));
        // The Bridge entry brings the same tab forward rather than a second one.
        const int tabs = mw->tabs()->count();
        mw->openMenu(QStringLiteral("/interface/bridge"));
        QCOMPARE(mw->tabs()->count(), tabs);
        QCOMPARE(inner->currentWidget(), mw->menuTable(QStringLiteral("/interface/bridge")));

        // MetaROUTER: its table, its Interfaces list; Start, Shut Down, Reboot, Import Image.
        MenuTableView* mrs = mw->openMenu(QStringLiteral("/metarouter"));
        QVERIFY(mrs);
        QVERIFY(mw->openMenu(QStringLiteral("/metarouter/interface")));
        QCOMPARE(qobject_cast<QTabWidget*>(mw->tabs()->currentWidget())->tabText(1), QStringLiteral("Interfaces"));
        for (const char* a : {"start", "shut-down", "reboot", "import-image"})
            QVERIFY2(mrs->action(QString::fromLatin1(a)), a);
        QVERIFY(!mrs->action(QStringLiteral("start"))->icon().isNull());
        // Import Image needs no selection; Start does.
        QVERIFY(mrs->action(QStringLiteral("import-image"))->isEnabled());
        QVERIFY(!mrs->action(QStringLiteral("start"))->isEnabled());
    }

    void tabsAndLayoutRememberedPerRouter()
    {
        const QStringList keys{QStringLiteral("menu:/interface/bridge"), QStringLiteral("menu:/interface"),
                               QStringLiteral("menu:/log")};
        int nameWidth = 0;
        {
            MetaboxApp app;
            MainWindow* mw = login(app, daemon_->socket());
            QVERIFY(mw);
            while (mw->tabs()->count() > 0)
                emit mw->tabs()->tabCloseRequested(0);
            mw->openMenu(QStringLiteral("/interface/bridge"));
            MenuTableView* ifs = mw->openMenu(QStringLiteral("/interface"));
            mw->openMenu(QStringLiteral("/log"));
            QCOMPARE(mw->openTabKeys(), keys);
            QTRY_VERIFY_WITH_TIMEOUT(hasName(ifs, QStringLiteral("ether1")), 10000);
            // The user's layout: a column hidden, one widened, sorted by name descending.
            const int mtu = ifs->model()->columnOf("mtu");
            const int name = ifs->model()->columnOf("name");
            QVERIFY(mtu > 0 && name >= 0);
            ifs->setColumnVisible(mtu, false);
            nameWidth = ifs->table()->columnWidth(name) + 37;
            ifs->table()->horizontalHeader()->resizeSection(name, nameWidth);
            ifs->table()->sortByColumn(name, Qt::DescendingOrder);
            mw->openMenu(QStringLiteral("/interface/bridge"));  // the current tab
            mw->close();
        }
        {
            MetaboxApp app;
            MainWindow* mw = login(app, daemon_->socket());
            QVERIFY(mw);
            QCOMPARE(mw->openTabKeys(), keys);
            QCOMPARE(mw->tabs()->currentIndex(), 0);
            MenuTableView* ifs = mw->menuTable(QStringLiteral("/interface"));
            QVERIFY(ifs);
            QTRY_VERIFY_WITH_TIMEOUT(hasName(ifs, QStringLiteral("ether1")), 10000);
            const int name = ifs->model()->columnOf("name");
            QVERIFY(!ifs->isColumnVisible(ifs->model()->columnOf("mtu")));
            // The snapshot's arrival does not fit the columns over the user's widths.
            QCOMPARE(ifs->table()->columnWidth(name), nameWidth);
            QCOMPARE(ifs->table()->horizontalHeader()->sortIndicatorSection(), name);
            QCOMPARE(ifs->table()->horizontalHeader()->sortIndicatorOrder(), Qt::DescendingOrder);
            const QModelIndex first = ifs->proxy()->index(0, name);
            const QModelIndex last = ifs->proxy()->index(ifs->proxy()->rowCount() - 1, name);
            QVERIFY2(first.data().toString() > last.data().toString(),
                     qPrintable(first.data().toString() + " vs " + last.data().toString()));
            // Another menu keeps its own layout.
            MenuTableView* bridges = mw->menuTable(QStringLiteral("/interface/bridge"));
            QVERIFY(bridges && bridges->isColumnVisible(bridges->model()->columnOf("mtu")));
        }
        {
            // The same daemon under another address is another router to the
            // app: nothing of the first one's tabs or layout.
            const QString link = work_.path() + "/other.sock";
            QVERIFY(QFile::link(daemon_->socket(), link));
            MetaboxApp app;
            MainWindow* mw = login(app, link);
            QVERIFY(mw);
            QVERIFY(mw->routerSettingsGroup() != QStringLiteral("routers/") + QString::fromLatin1(QUrl::toPercentEncoding(daemon_->socket())));
            QCOMPARE(mw->tabs()->count(), 0);
            MenuTableView* ifs = mw->openMenu(QStringLiteral("/interface"));
            QVERIFY(ifs->isColumnVisible(ifs->model()->columnOf("mtu")));
            QCOMPARE(ifs->table()->horizontalHeader()->sortIndicatorSection(), -1);
        }
    }

    void hooksForOtherAreas()
    {
        MetaboxApp app;
        MainWindow* mw = login(app, daemon_->socket());
        QVERIFY(mw);
        int made = 0;
        mw->addTool(QStringLiteral("tool:probe"), QStringLiteral("Probe"), QIcon(), [&made] {
            ++made;
            auto* w = new QLabel(QStringLiteral("probe"));
            w->setObjectName(QStringLiteral("probe"));
            return w;
        });
        QTreeWidgetItem* item = treeItem(mw, QStringLiteral("Probe"));
        QVERIFY(item);
        QCOMPARE(mw->menuTree()->topLevelItem(mw->menuTree()->topLevelItemCount() - 1)->text(0), QStringLiteral("About"));
        emit mw->menuTree()->itemClicked(item, 0);
        QCOMPARE(made, 1);
        QCOMPARE(mw->tabs()->currentWidget()->objectName(), QStringLiteral("probe"));
        emit mw->menuTree()->itemClicked(item, 0);
        QCOMPARE(made, 1);  // brought forward, not made again

        // A keyed tab opened twice: the second widget is dropped.
        auto* first = new QLabel(QStringLiteral("console mr1"));
        QCOMPARE(mw->openWidgetTab(QStringLiteral("console:mr1"), QStringLiteral("Console mr1"), first), first);
        QPointer<QLabel> second = new QLabel(QStringLiteral("again"));
        QCOMPARE(mw->openWidgetTab(QStringLiteral("console:mr1"), QStringLiteral("Console mr1"), second), first);
        QTRY_VERIFY(second.isNull());
        // Closing it frees the key.
        emit mw->tabs()->tabCloseRequested(mw->tabs()->indexOf(first));
        QTRY_VERIFY(!mw->openTabKeys().contains(QStringLiteral("console:mr1")));

        // A table button (as Console on /metarouter), on tables opened before and after.
        MenuTableView* before = mw->openMenu(QStringLiteral("/interface"));
        QStringList ran;
        mw->addTableAction(QStringLiteral("/interface"), QStringLiteral("probe"), QStringLiteral("Probe"), QIcon(),
                           [&ran](MenuTableView* t) { ran << t->selectedNames(); });
        QAction* a = before->action(QStringLiteral("probe"));
        QVERIFY(a);
        QVERIFY(!a->isEnabled());  // nothing selected yet
        QTRY_VERIFY_WITH_TIMEOUT(hasName(before, QStringLiteral("ether2")), 10000);
        const int name = before->model()->columnOf("name");
        for (int i = 0; i < before->proxy()->rowCount(); ++i)
            if (before->proxy()->index(i, name).data().toString() == QLatin1String("ether2"))
                before->table()->selectRow(i);
        QVERIFY(a->isEnabled());
        a->trigger();
        QCOMPARE(ran, QStringList{QStringLiteral("ether2")});
        QVERIFY(!mw->openMenu(QStringLiteral("/interface/bridge"))->action(QStringLiteral("probe")));
        // Interfaces is a window of two tabs (Interface, VLAN): close the window.
        int outer = -1;
        for (int i = 0; i < mw->tabs()->count(); ++i)
            if (mw->tabs()->widget(i)->isAncestorOf(before))
                outer = i;
        QVERIFY(outer >= 0);
        emit mw->tabs()->tabCloseRequested(outer);
        QTRY_VERIFY(!mw->menuTable(QStringLiteral("/interface")));
        QVERIFY(mw->openMenu(QStringLiteral("/interface"))->action(QStringLiteral("probe")));
    }

    void aboutBox()
    {
        MetaboxApp app;
        MainWindow* mw = login(app, daemon_->socket());
        QVERIFY(mw);
        auto* about = mw->findChild<QAction*>(QStringLiteral("aboutAction"));
        QVERIFY(about);
        about->trigger();
        auto* box = mw->findChild<QMessageBox*>(QStringLiteral("aboutBox"));
        QVERIFY(box);
        QVERIFY(box->text().contains(QStringLiteral(MR_VERSION)));
        QVERIFY2(box->informativeText().contains(QStringLiteral("metarouterd")), qPrintable(box->informativeText()));
        QVERIFY(box->informativeText().contains(daemon_->socket()));
        QCoreApplication::processEvents();
        QVERIFY(box->grab().save(shots_ + "/about.png"));
        box->accept();
    }

    void importImage()
    {
        const QString image = makeImage(QStringLiteral("guiimg"), 600000);
        QVERIFY(!image.isEmpty());
        MetaboxApp app;
        MainWindow* mw = login(app, daemon_->socket());
        QVERIFY(mw);
        MenuTableView* mrs = mw->openMenu(QStringLiteral("/metarouter"));
        QVERIFY(mrs);
        mrs->action(QStringLiteral("import-image"))->trigger();
        auto* d = mrs->findChild<ImportImageDialog*>();
        QVERIFY(d);
        QVERIFY(!d->importButton()->isEnabled());  // no file yet
        d->fileEdit()->setText(image);
        QCOMPARE(d->remoteNameEdit()->text(), QStringLiteral("guiimg.tgz"));
        d->startEdit()->setChecked(false);  // no guest boot in this test
        int highest = 0;
        connect(d->progressBar(), &QProgressBar::valueChanged, this, [&highest, d](int v) {
            if (d->phase() == ImportImageDialog::Phase::Uploading)
                highest = std::max(highest, v);
        });
        QTest::mouseClick(d->importButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(d->phase() == ImportImageDialog::Phase::Done ||
                                     d->phase() == ImportImageDialog::Phase::Failed,
                                 60000);
        QVERIFY2(d->phase() == ImportImageDialog::Phase::Done, qPrintable(d->statusText() + "\n" + d->result()));
        QCOMPARE(highest, 100);  // the upload's progress went all the way
        QCOMPARE(d->progressBar()->value(), 100);
        QVERIFY2(d->result().contains(QStringLiteral("imported: 100%")), qPrintable(d->result()));
        QVERIFY2(d->result().contains(QStringLiteral("boots metarouter")), qPrintable(d->result()));
        QVERIFY(d->statusText().contains(QStringLiteral("guiimg")));
        QVERIFY(d->grab().save(shots_ + "/import-image.png"));
        // The new metarouter is in the table, disabled as asked.
        QTRY_VERIFY_WITH_TIMEOUT(hasName(mrs, QStringLiteral("guiimg")), 10000);
        auto print = daemon_->cli(QStringLiteral("/metarouter print detail"));
        QVERIFY2(print.out.contains(QStringLiteral("image=\"guiimg\"")), qPrintable(print.out));
        QVERIFY(daemon_->cli(QStringLiteral("/file print")).out.contains(QStringLiteral("guiimg.tgz")));

        // Done: only Close is left.
        QVERIFY(!d->importButton()->isEnabled());
        QCOMPARE(d->cancelButton()->text(), QStringLiteral("Close"));
        QTest::mouseClick(d->cancelButton(), Qt::LeftButton);
        QTRY_VERIFY(mrs->findChildren<ImportImageDialog*>().isEmpty());

        // Again under the same name: the router refuses the upload, said in the dialog.
        mrs->action(QStringLiteral("import-image"))->trigger();
        d = mrs->findChild<ImportImageDialog*>();
        QVERIFY(d);
        d->fileEdit()->setText(image);
        QTest::mouseClick(d->importButton(), Qt::LeftButton);
        QVERIFY(!d->importButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(d->phase() == ImportImageDialog::Phase::Failed, 20000);
        QVERIFY2(d->statusText().contains(QStringLiteral("exists already")), qPrintable(d->statusText()));
        QVERIFY(d->importButton()->isEnabled());
        d->reject();
        QTRY_VERIFY(mrs->findChildren<ImportImageDialog*>().isEmpty());

        // Cancelled in the middle of the upload: nothing stays on the router.
        const QString big = work_.path() + "/big.img";
        {
            QFile f(big);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QVERIFY(f.resize(64LL * 1024 * 1024));
        }
        mrs->action(QStringLiteral("import-image"))->trigger();
        d = mrs->findChild<ImportImageDialog*>();
        QVERIFY(d);
        d->fileEdit()->setText(big);
        d->startImport();
        QCOMPARE(d->phase(), ImportImageDialog::Phase::Uploading);
        QCOMPARE(d->cancelButton()->text(), QStringLiteral("Cancel"));
        QTRY_VERIFY_WITH_TIMEOUT(d->progressBar()->value() > 0, 20000);
        QTest::mouseClick(d->cancelButton(), Qt::LeftButton);
        QCOMPARE(d->phase(), ImportImageDialog::Phase::Failed);
        QVERIFY(d->statusText().contains(QStringLiteral("cancelled")));
        QVERIFY(d->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(
            QDir(daemon_->stateDir() + "/files").entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot) ==
                QStringList{QStringLiteral("guiimg.tgz")},
            10000);
        QVERIFY(!daemon_->cli(QStringLiteral("/file print")).out.contains(QStringLiteral("big.img")));
        d->reject();
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
