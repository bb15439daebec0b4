// Image import end to end, with parts nobody here wrote: Debian's own kernel
// and initramfs (linux-image-amd64) packed in a .tgz with a manifest whose
// command line stops Debian's initramfs at a shell on ttyS0 (break=top).
// mrcli --upload sends it to /file, `/metarouter import-image` imports it
// (imported: 100%) and creates a metarouter that boots it; its console
// shows the initramfs shell. Also: upload rules (no overwrite, read users
// refused, hostile names) and a hostile archive refused with a clear error.

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "daemon_fixture.h"

using mr::test::DaemonFixture;

namespace {

struct DebianParts {
    QString kernel;
    QString initrd;
};

// The newest kernel in /boot with its initrd.
DebianParts debianParts()
{
    const QStringList kernels = QDir(QStringLiteral("/boot")).entryList({QStringLiteral("vmlinuz-*")}, QDir::Files,
                                                                        QDir::Name | QDir::Reversed);
    for (const QString& k : kernels) {
        const QString version = k.mid(int(qstrlen("vmlinuz-")));
        const QString initrd = QStringLiteral("/boot/initrd.img-") + version;
        if (QFile::exists(initrd))
            return {QStringLiteral("/boot/") + k, initrd};
    }
    return {};
}

DaemonFixture::Run upload(const DaemonFixture& d, const QString& file, const QString& as,
                          const QString& user = QStringLiteral("admin"), const QString& password = {})
{
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("MR_PASSWORD", password.isEmpty() ? d.adminPassword() : password);
    p.setProcessEnvironment(env);
    QStringList args{"--socket", d.socket(), "-u", user, "--upload", file};
    if (!as.isEmpty())
        args << "--as" << as;
    p.start(DaemonFixture::buildDir() + "/app/mrcli/mrcli", args);
    p.waitForStarted();
    p.closeWriteChannel();
    DaemonFixture::Run r;
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        r.err = "mrcli --upload timed out";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

}  // namespace

class ImageImportTest : public QObject {
    Q_OBJECT

    QTemporaryDir work_;
    std::unique_ptr<DaemonFixture> d_;

private slots:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root (network namespaces)");
        if (!QFile::exists(DaemonFixture::buildDir() + "/router-side/agent/metarouterd"))
            QSKIP("metarouterd is not built");
        d_ = std::make_unique<DaemonFixture>(QStringLiteral("mrimg%1").arg(QCoreApplication::applicationPid() % 10000));
        QVERIFY(d_->start());
    }

    void cleanupTestCase() { d_.reset(); }

    void uploadRules()
    {
        const QString f = work_.path() + "/hello.txt";
        QFile out(f);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QByteArray(300000, 'h'));  // several windows of credit
        out.close();

        auto r = upload(*d_, f, {});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains("uploaded hello.txt 300000"), qPrintable(r.out));
        auto print = d_->cli("/file print");
        QVERIFY2(print.out.contains("hello.txt") && print.out.contains("300000"), qPrintable(print.out));
        QFile stored(d_->stateDir() + "/files/hello.txt");
        QVERIFY(stored.open(QIODevice::ReadOnly));
        QCOMPARE(stored.readAll(), QByteArray(300000, 'h'));

        // No overwrite; no path in the name.
        r = upload(*d_, f, {});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("exists already"), qPrintable(r.err));
        r = upload(*d_, f, "../escape.txt");
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("'/'"), qPrintable(r.err));
        QVERIFY(!QFile::exists(d_->stateDir() + "/escape.txt"));
        r = upload(*d_, f, ".hidden");
        QCOMPARE(r.exitCode, 1);

        // Only full users upload.
        QVERIFY(d_->cli("/user add name=reader group=read password=Reader-pass-1").exitCode == 0);
        r = upload(*d_, f, "reader.txt", "reader", "Reader-pass-1");
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("full"), qPrintable(r.err));

        QVERIFY(d_->cli("/file remove hello.txt").exitCode == 0);
        QVERIFY(!QFile::exists(d_->stateDir() + "/files/hello.txt"));
        QTRY_VERIFY(!d_->cli("/file print").out.contains("hello.txt"));
        // Nothing half-written is left behind.
        QCOMPARE(QDir(d_->stateDir() + "/files").entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList());
    }

    void hostileArchiveIsRefused()
    {
        const QString dir = work_.path() + "/evil";
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(QFile::link("/etc/shadow", dir + "/initrd.img"));
        QFile k(dir + "/vmlinuz");
        QVERIFY(k.open(QIODevice::WriteOnly));
        k.write(QByteArray(4096, 'k'));
        k.close();
        QCOMPARE(DaemonFixture::exec("tar", {"-C", dir, "-czf", work_.path() + "/evil.tgz", "vmlinuz", "initrd.img"})
                     .exitCode,
                 0);
        QVERIFY(upload(*d_, work_.path() + "/evil.tgz", {}).exitCode == 0);
        auto r = d_->cli("/metarouter import-image file-name=evil.tgz");
        QVERIFY(r.exitCode != 0);
        QVERIFY2((r.out + r.err).contains("symbolic link"), qPrintable(r.out + r.err));
        QVERIFY(!QFile::exists(d_->stateDir() + "/images/evil"));
        const QStringList left =
            QDir(d_->stateDir() + "/images").entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
        QVERIFY2(left.isEmpty(), qPrintable(left.join(',')));
        r = d_->cli("/metarouter import-image file-name=no-such.tgz");
        QVERIFY(r.exitCode != 0);
    }

    void debianKernelAndInitramfsBoot()
    {
        const DebianParts parts = debianParts();
        if (parts.kernel.isEmpty())
            QSKIP("no /boot/vmlinuz-* with its initrd (install linux-image-amd64)");
        const QString dir = work_.path() + "/debian";
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(QFile::copy(parts.kernel, dir + "/vmlinuz"));
        QVERIFY(QFile::copy(parts.initrd, dir + "/initrd.img"));
        // break=top: Debian's /init mounts /proc, /sys, /dev and starts its
        // busybox shell on the console before looking for a root file system.
        QFile m(dir + "/manifest");
        QVERIFY(m.open(QIODevice::WriteOnly));
        m.write("# Debian's own kernel and initramfs, stopped at the initramfs shell\n"
                "kernel=vmlinuz\ninitrd=initrd.img\n"
                "cmdline=console=ttyS0 break=top\n"
                "min-memory=256\ndefault-memory=512\n");
        m.close();
        QCOMPARE(DaemonFixture::exec("tar", {"-C", dir, "-czf", work_.path() + "/debian.tgz", "vmlinuz", "initrd.img",
                                             "manifest"},
                                     {}, 120000)
                     .exitCode,
                 0);

        auto r = upload(*d_, work_.path() + "/debian.tgz", {});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(d_->cli("/file print").out.contains("debian.tgz"), "debian.tgz not in /file");

        r = d_->cli("/metarouter import-image file-name=debian.tgz memory-size=512");
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err + "\n" + d_->daemonLog().right(3000)));
        QVERIFY2(r.out.contains("imported: 100%"), qPrintable(r.out));
        QVERIFY(QFile::exists(d_->stateDir() + "/images/debian/manifest"));

        // The metarouter import-image created boots the image.
        QString print;
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         print = d_->cli("/metarouter print").out;
                         return print.contains("debian") && print.contains("running");
                     },
                     60000),
                 qPrintable(print + "\n" + d_->daemonLog().right(4000)));

        QProcess console;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("MR_PASSWORD", d_->adminPassword());
        console.setProcessEnvironment(env);
        console.start(DaemonFixture::buildDir() + "/app/mrcli/mrcli",
                      {"--socket", d_->socket(), "--console", "debian"});
        QVERIFY(console.waitForStarted());
        QByteArray seen;
        QElapsedTimer t;
        t.start();
        bool poked = false;
        while (!seen.contains("(initramfs)") && t.elapsed() < 150000 && console.state() == QProcess::Running) {
            console.waitForReadyRead(500);
            seen += console.readAllStandardOutput();
            // The prompt may have been printed before we attached: ask again.
            if (!poked && seen.contains("BusyBox")) {
                console.write("\n");
                poked = true;
            }
            if (t.elapsed() > 60000 && !poked) {
                console.write("\n");
                poked = true;
            }
        }
        console.write("echo MARK-$((6*7))\n");
        (void)QTest::qWaitFor(
            [&] {
                console.waitForReadyRead(200);
                seen += console.readAllStandardOutput();
                return seen.contains("MARK-42");
            },
            20000);
        console.kill();
        console.waitForFinished(3000);
        QVERIFY2(seen.contains("(initramfs)"), seen.right(3000).constData());
        QVERIFY2(seen.contains("MARK-42"), seen.right(2000).constData());
        qInfo("the console showed the imported Debian initramfs shell %lld ms after attaching", static_cast<long long>(t.elapsed()));
    }
};

QTEST_GUILESS_MAIN(ImageImportTest)
#include "tst_image_import.moc"
