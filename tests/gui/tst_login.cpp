// metabox's login window against a real sandboxed metarouterd over TLS, from
// the sandbox's client LAN (this process enters namespace NAME-lan, as a PC
// plugged into ether1 would be): the Neighbors tab hears the daemon's
// announcements and forgets it once they are turned off; the first TLS
// connection asks about the fingerprint, the second is silent, a daemon
// with a new certificate at the same address is refused with a warning;
// wrong password, refused connection, unreachable host and another protocol
// version each get their message while the window keeps running; the
// Managed list saves, groups, edits and removes routers and never puts a
// password in the settings.

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSslSocket>
#include <QTabWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>
#include <QTreeWidget>

#include <memory>

#include "daemon_fixture.h"
#include "frame_codec.h"
#include "gui_test_util.h"
#include "metabox_app.h"
#include "neighbor_model.h"
#include "router_entry_dialog.h"
#include "tls_identity.h"
#include "tls_pinning.h"

using mr::test::DaemonFixture;
using mr::test::submitLogin;
using namespace mr::ui;

namespace {

constexpr const char* kRouter = "10.92.0.1";

// A TLS server that answers the client's Hello with another protocol
// version, as a newer or older metarouterd would.
class OtherVersionServer final : public QTcpServer {
public:
    explicit OtherVersionServer(mr::agent::TlsIdentity identity) : identity_(std::move(identity)) {}

protected:
    void incomingConnection(qintptr fd) override
    {
        auto* s = new QSslSocket(this);
        if (!s->setSocketDescriptor(fd)) {
            delete s;
            return;
        }
        s->setLocalCertificate(identity_.certificate());
        s->setPrivateKey(identity_.key());
        auto decoder = std::make_shared<mr::protocol::FrameDecoder>();
        connect(s, &QSslSocket::readyRead, s, [s, decoder] {
            const QByteArray in = s->readAll();
            decoder->feed(std::string_view(in.constData(), static_cast<std::size_t>(in.size())));
            while (auto e = decoder->next()) {
                if (!e->has_hello())
                    continue;
                mr::wire::Envelope out;
                out.mutable_hello()->set_version(mr::protocol::kProtocolVersion + 98);
                out.mutable_hello()->set_software("metarouterd 9.0.0");
                s->write(QByteArray::fromStdString(mr::protocol::encodeFrame(out)));
            }
        });
        s->startServerEncryption();
    }

private:
    mr::agent::TlsIdentity identity_;
};

}  // namespace

class TestLogin : public QObject {
    Q_OBJECT

    std::unique_ptr<DaemonFixture> daemon_;
    QTemporaryDir home_;
    QString sandbox_;
    QString shots_;
    int hostNs_ = -1;
    QString firstFingerprint_;

    // The main thread (which makes every socket here) moves to the client
    // LAN of the sandbox, plugged into the router's ether1.
    bool enterLan()
    {
        const QByteArray path = "/run/netns/" + (sandbox_ + "-lan").toLocal8Bit();
        const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
        const bool ok = fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0;
        if (fd >= 0)
            ::close(fd);
        return ok;
    }

    bool leaveLan() { return ::setns(hostNs_, CLONE_NEWNET) == 0; }

    // Starts a daemon listening for TLS, with 10.92.0.1/24 on ether1 and
    // 10.92.0.2/24 on the LAN side; this thread ends up on the LAN.
    bool startDaemon()
    {
        daemon_ = std::make_unique<DaemonFixture>(sandbox_);
        if (!daemon_->start({"--listen", "0.0.0.0:8729"})) {
            qWarning("%s", qPrintable(daemon_->daemonLog().right(2500)));
            return false;
        }
        auto r = daemon_->cli(QStringLiteral("/system identity set name=lab-router"));
        if (r.exitCode == 0)
            r = daemon_->cli(QStringLiteral("/ip address add address=%1/24 interface=ether1").arg(kRouter));
        if (r.exitCode != 0) {
            qWarning("mrcli: %s", qPrintable(r.err + r.out));
            return false;
        }
        if (DaemonFixture::exec("ip", {"-n", sandbox_ + "-lan", "addr", "add", "10.92.0.2/24", "dev", "lan1"})
                .exitCode != 0)
            return false;
        return enterLan();
    }

    QString fingerprint() const
    {
        QFile f(daemon_->stateDir() + "/fingerprint");
        return f.open(QIODevice::ReadOnly) ? QString::fromLatin1(f.readAll().trimmed()) : QString();
    }

    void shoot(QWidget* w, const QString& name)
    {
        QCoreApplication::processEvents();
        const QString path = shots_ + '/' + name + ".png";
        QVERIFY2(w->grab().save(path), qPrintable(path));
    }

    // As a mouse does it: a click, then the double-click event.
    static void doubleClick(QWidget* viewport, QPoint at)
    {
        QTest::mouseClick(viewport, Qt::LeftButton, {}, at);
        QTest::mouseDClick(viewport, Qt::LeftButton, {}, at);
    }

    static QString settingsText()
    {
        QSettings s;
        s.sync();
        QFile f(s.fileName());
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

    static QTreeWidgetItem* managedItem(LoginWindow* w, const QString& address)
    {
        const auto items = w->managedTree()->findItems(address, Qt::MatchExactly | Qt::MatchRecursive);
        return items.isEmpty() ? nullptr : items.first();
    }

private slots:
    void initTestCase()
    {
        // Pins (known_daemons) and settings of this test only.
        qputenv("HOME", home_.path().toLocal8Bit());
        qputenv("XDG_CONFIG_HOME", (home_.path() + "/.config").toLocal8Bit());
        mr::test::useTestSettings(home_.path() + "/settings", QStringLiteral("metabox-login"));
        shots_ = DaemonFixture::buildDir() + QStringLiteral("/screenshots");
        QDir().mkpath(shots_);
        hostNs_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        QVERIFY(hostNs_ >= 0);
        sandbox_ = QStringLiteral("mrlg%1").arg(getpid() % 100000);
        QVERIFY(startDaemon());
    }

    void cleanupTestCase()
    {
        if (hostNs_ >= 0) {
            leaveLan();
            ::close(hostNs_);
        }
        if (daemon_)
            daemon_->stop();
    }

    void neighborsListTheDaemonUntilTurnedOff()
    {
        MetaboxApp app;
        app.show();
        LoginWindow* w = app.loginWindow();
        NeighborModel* neighbors = w->neighbors();
        QVERIFY2(neighbors->isListening(), qPrintable(neighbors->errorString()));
        auto r = daemon_->cli(QStringLiteral("/ip neighbor discovery-settings set interval=2s"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QTRY_COMPARE_WITH_TIMEOUT(neighbors->rowCount(), 1, 10000);
        auto cell = [neighbors](int column, int role = Qt::DisplayRole) {
            return neighbors->index(0, column).data(role).toString();
        };
        QCOMPARE(cell(NeighborModel::Identity), QStringLiteral("lab-router"));
        QCOMPARE(cell(NeighborModel::Address), QString::fromLatin1(kRouter));
        QCOMPARE(cell(NeighborModel::Version), QStringLiteral(MR_VERSION));
        QCOMPARE(cell(NeighborModel::Fingerprint, NeighborModel::FingerprintRole), fingerprint());
        QVERIFY(mr::protocol::TlsPinning::display(fingerprint()).startsWith(cell(NeighborModel::Fingerprint)));
        QCOMPARE(neighbors->rejected(), 0);
        // Foreign traffic on the port is counted and ignored.
        neighbors->receive(QByteArray("MRND\x08\x02 not ours"), QHostAddress(QStringLiteral("10.92.0.9")));
        QCOMPARE(neighbors->rejected(), 1);
        QCOMPARE(neighbors->rowCount(), 1);

        // Double-click: Connect To is filled in and the password asked for.
        w->tabs()->setCurrentIndex(1);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        QTreeView* view = w->neighborsView();
        const QRect cellRect = view->visualRect(view->model()->index(0, 0));
        doubleClick(view->viewport(), cellRect.center());
        QCOMPARE(w->address()->currentText(), QString::fromLatin1(kRouter));
        QVERIFY2(w->message().contains(QStringLiteral("Enter the password")), qPrintable(w->message()));
        QCOMPARE(app.session()->state(), SessionController::State::Disconnected);
        w->password()->setText(QStringLiteral("••••••••"));
        shoot(w, QStringLiteral("login-neighbors"));

        // Turned off through the API: no more announcements, the entry expires.
        r = daemon_->cli(QStringLiteral("/ip neighbor discovery-settings set enabled=no"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QTRY_COMPARE_WITH_TIMEOUT(neighbors->rowCount(), 0, 15000);
        QTest::qWait(3000);  // more than an interval: it does not come back
        QCOMPARE(neighbors->rowCount(), 0);
    }

    void firstTlsConnectionAsksThenPins()
    {
        {
            MetaboxApp app;
            app.show();
            LoginWindow* w = app.loginWindow();
            // Wrong password first: asked about the certificate, then refused.
            submitLogin(w, QString::fromLatin1(kRouter), QStringLiteral("wrong-password"));
            QTRY_VERIFY_WITH_TIMEOUT(w->fingerprintQuestion() != nullptr, 10000);
            QMessageBox* q = w->fingerprintQuestion();
            QVERIFY2(q->text().contains(mr::protocol::TlsPinning::display(fingerprint())), qPrintable(q->text()));
            QVERIFY(q->text().contains(QStringLiteral("10.92.0.1:8729")));
            // Waiting for the answer does not hold the window.
            QCOMPARE(app.session()->state(), SessionController::State::AwaitingFingerprint);
            QVERIFY(!w->connectButton()->isEnabled());
            QVERIFY(q->isVisible());
            shoot(q, QStringLiteral("login-fingerprint"));
            q->button(QMessageBox::Yes)->click();
            QTRY_VERIFY_WITH_TIMEOUT(w->message().contains(QStringLiteral("Login failed")), 10000);
            QVERIFY(app.mainWindow() == nullptr);
            QVERIFY(w->connectButton()->isEnabled());

            // The pin was kept although the password was wrong: now silently in.
            QSignalSpy asked(app.session(), &SessionController::fingerprintUnknown);
            submitLogin(w, QString::fromLatin1(kRouter), daemon_->adminPassword());
            QTRY_VERIFY_WITH_TIMEOUT(app.mainWindow() != nullptr, 10000);
            QCOMPARE(asked.count(), 0);
            QVERIFY(!w->isVisible());
        }
        // A new app, the same pin: no question either.
        MetaboxApp app;
        app.show();
        QSignalSpy asked(app.session(), &SessionController::fingerprintUnknown);
        submitLogin(app.loginWindow(), QString::fromLatin1(kRouter), daemon_->adminPassword());
        QTRY_VERIFY_WITH_TIMEOUT(app.mainWindow() != nullptr, 10000);
        QCOMPARE(asked.count(), 0);
        QVERIFY(mr::protocol::TlsPinning().pinned(QStringLiteral("10.92.0.1:8729")) == fingerprint());
    }

    void connectionErrorsAreClearAndNeverBlock()
    {
        MetaboxApp app;
        app.show();
        LoginWindow* w = app.loginWindow();
        // Counts event-loop passes while an attempt is under way.
        int ticks = 0;
        QTimer ticker;
        connect(&ticker, &QTimer::timeout, this, [&] {
            if (app.session()->state() == SessionController::State::Connecting)
                ++ticks;
        });
        ticker.start(20);

        // Nothing listens there.
        submitLogin(w, QStringLiteral("127.0.0.1:1"), QStringLiteral("x"));
        QTRY_VERIFY_WITH_TIMEOUT(w->message().contains(QStringLiteral("connection refused")), 10000);
        QVERIFY2(w->message().contains(QStringLiteral("Could not reach")), qPrintable(w->message()));
        QVERIFY(w->connectButton()->isEnabled());

        // Nobody at this address of the LAN: ARP gives up after a few seconds.
        ticks = 0;
        submitLogin(w, QStringLiteral("10.92.0.99"), QStringLiteral("x"));
        QCOMPARE(app.session()->state(), SessionController::State::Connecting);
        QVERIFY(!w->connectButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(w->message().contains(QStringLiteral("Could not reach")), 20000);
        QVERIFY2(w->message().contains(QStringLiteral("unreachable"), Qt::CaseInsensitive) ||
                     w->message().contains(QStringLiteral("No route"), Qt::CaseInsensitive),
                 qPrintable(w->message()));
        QVERIFY2(ticks > 10, qPrintable(QString::number(ticks)));  // the loop ran while it tried
        QVERIFY(w->connectButton()->isEnabled());

        // No route at all from the LAN.
        submitLogin(w, QStringLiteral("192.0.2.1"), QStringLiteral("x"));
        QTRY_VERIFY_WITH_TIMEOUT(w->message().contains(QStringLiteral("Could not reach")), 10000);
        QVERIFY(w->connectButton()->isEnabled());

        // A router that speaks another protocol version.
        QTemporaryDir keyDir;
        auto identity = mr::agent::TlsIdentity::loadOrCreate(keyDir.path(), QStringLiteral("other-version"));
        QVERIFY(identity.ok());
        OtherVersionServer server(*identity);
        QVERIFY(server.listen(QHostAddress::LocalHost));
        const QString other = QStringLiteral("127.0.0.1:%1").arg(server.serverPort());
        submitLogin(w, other, QStringLiteral("x"));
        QTRY_VERIFY_WITH_TIMEOUT(w->fingerprintQuestion() != nullptr, 10000);
        w->fingerprintQuestion()->button(QMessageBox::Yes)->click();
        QTRY_VERIFY_WITH_TIMEOUT(w->message().contains(QStringLiteral("Version mismatch")), 10000);
        QVERIFY2(w->message().contains(QStringLiteral("version 99")), qPrintable(w->message()));
        QVERIFY(app.mainWindow() == nullptr);
        QVERIFY(w->connectButton()->isEnabled());
    }

    void managedListKeepsRoutersNotPasswords()
    {
        MetaboxApp app;
        app.show();
        LoginWindow* w = app.loginWindow();
        AddressBook* book = w->addressBook();
        QCOMPARE(book->entries().size(), 0);

        // Add/Set saves what is typed in.
        w->address()->setEditText(daemon_->socket());
        w->user()->setText(QStringLiteral("admin"));
        QTest::mouseClick(w->addSetButton(), Qt::LeftButton);
        QCOMPARE(book->entries().size(), 1);
        QTreeWidgetItem* item = managedItem(w, daemon_->socket());
        QVERIFY(item);

        // Edit: a note and a group; the list shows a group folder.
        w->managedTree()->setCurrentItem(item);
        w->editManaged(w->managedTree()->currentItem()->data(0, LoginWindow::kEntryRole).toInt());
        QTRY_VERIFY(w->entryDialog() != nullptr);
        w->entryDialog()->note()->setText(QStringLiteral("sandbox router"));
        w->entryDialog()->group()->setEditText(QStringLiteral("Lab"));
        w->entryDialog()->accept();
        QCOMPARE(book->entries().first().note, QStringLiteral("sandbox router"));
        QCOMPARE(book->groups(), QStringList{QStringLiteral("Lab")});
        item = managedItem(w, daemon_->socket());
        QVERIFY(item && item->parent() && item->parent()->text(0) == QStringLiteral("Lab"));

        // Logging in without "Keep password": nothing kept anywhere.
        QVERIFY(!w->rememberPassword()->isChecked());
        const QString password = daemon_->adminPassword();
        doubleClick(w->managedTree()->viewport(), w->managedTree()->visualItemRect(item).center());
        QVERIFY2(w->message().contains(QStringLiteral("Enter the password")), qPrintable(w->message()));
        w->password()->setText(password);
        QTest::mouseClick(w->connectButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(app.mainWindow() != nullptr, 10000);
        QVERIFY(!book->entries().first().passwordInKeychain);
        QVERIFY(!settingsText().contains(password));

        // With it: the OS keychain or, without one, a clear message; never settings.
        MetaboxApp again;
        again.show();
        LoginWindow* w2 = again.loginWindow();
        QCOMPARE(w2->addressBook()->entries().size(), 1);  // persisted
        w2->address()->setEditText(daemon_->socket());
        w2->user()->setText(QStringLiteral("admin"));
        w2->password()->setText(password);
        w2->rememberPassword()->setChecked(true);
        QTest::mouseClick(w2->connectButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(again.mainWindow() != nullptr, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(w2->message().contains(QStringLiteral("keychain")), 15000);
        const bool kept = w2->addressBook()->entries().first().passwordInKeychain;
        if (kept) {
            QVERIFY2(w2->message().contains(QStringLiteral("is kept in the keychain")), qPrintable(w2->message()));
        } else {
            QVERIFY2(w2->message().contains(QStringLiteral("was not kept")), qPrintable(w2->message()));
            QVERIFY(!w2->rememberPassword()->isChecked());
        }
        qInfo("keychain: %s", qPrintable(w2->message()));
        QVERIFY(!settingsText().contains(password));

        // Remove: gone from the list and from the settings.
        item = managedItem(w2, daemon_->socket());
        QVERIFY(item);
        w2->removeManaged(item->data(0, LoginWindow::kEntryRole).toInt());
        QCOMPARE(w2->addressBook()->entries().size(), 0);
        QVERIFY(!managedItem(w2, daemon_->socket()));
        QCOMPARE(AddressBook().entries().size(), 0);
    }

    void screenshotOfManagedRouters()
    {
        AddressBook book;
        const struct {
            const char* address;
            const char* note;
            const char* group;
        } routers[] = {{"10.92.0.1", "sandbox router", "Lab"},
                       {"10.92.0.7:8800", "second lab box", "Lab"},
                       {"core-gw.example.net", "core gateway", "Datacenter"},
                       {"192.168.88.1", "home", ""}};
        for (const auto& r : routers)
            QVERIFY(book.save({QString::fromLatin1(r.address), QStringLiteral("admin"), QString::fromLatin1(r.note),
                               QString::fromLatin1(r.group), false}) >= 0);
        MetaboxApp app;
        app.show();
        LoginWindow* w = app.loginWindow();
        QCOMPARE(w->managedTree()->topLevelItemCount(), 3);  // one router, two group folders
        w->managedTree()->setCurrentItem(managedItem(w, QStringLiteral("10.92.0.1")));
        QCOMPARE(w->address()->currentText(), QStringLiteral("10.92.0.1"));
        QVERIFY(QTest::qWaitForWindowExposed(w));
        shoot(w, QStringLiteral("login-managed"));
    }

    void changedCertificateIsRefused()
    {
        // The same sandbox and address, a fresh state: a new certificate.
        firstFingerprint_ = fingerprint();
        QVERIFY(leaveLan());
        QVERIFY(daemon_->stop());
        daemon_.reset();
        QVERIFY(startDaemon());
        MetaboxApp app;
        app.show();
        LoginWindow* w = app.loginWindow();
        QSignalSpy asked(app.session(), &SessionController::fingerprintUnknown);
        submitLogin(w, QString::fromLatin1(kRouter), daemon_->adminPassword());
        QTRY_VERIFY_WITH_TIMEOUT(w->message().contains(QStringLiteral("identity has changed")), 10000);
        QCOMPARE(asked.count(), 0);
        QVERIFY(app.mainWindow() == nullptr);
        auto* warning = w->findChild<QMessageBox*>(QStringLiteral("fingerprintChanged"));
        QVERIFY(warning);
        // Both fingerprints, the new one as pinned earlier, and where the pin is.
        const QString details = warning->informativeText();
        auto shows = [&details](const QString& hex) {  // on two lines of 16 bytes
            const QString d = mr::protocol::TlsPinning::display(hex);
            return details.contains(d.left(47) + '\n' + d.mid(48));
        };
        QVERIFY2(shows(fingerprint()), qPrintable(details));
        QVERIFY2(shows(firstFingerprint_), qPrintable(details));
        QVERIFY2(details.contains(QStringLiteral("known_daemons")), qPrintable(details));
        shoot(warning, QStringLiteral("login-certificate-changed"));
        QVERIFY(w->connectButton()->isEnabled());
    }
};

QTEST_MAIN(TestLogin)
#include "tst_login.moc"
