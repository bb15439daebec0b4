// DiskImage: qcow2 creation and inspection, and the RLIMIT_FSIZE cap that
// makes writes past the host reserve fail instead of filling the host.

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

#include "detached_process.h"
#include "disk_image.h"

using namespace mr::hv;

class DiskImageTest : public QObject {
    Q_OBJECT

private slots:
    void createAndInfo()
    {
        QTemporaryDir d;
        const QString p = d.path() + QStringLiteral("/a.qcow2");
        QVERIFY(DiskImage::create(p, 32000 * 1024).ok());
        auto info = DiskImage::info(p);
        QVERIFY(info.ok());
        QCOMPARE(info->format, QStringLiteral("qcow2"));
        QCOMPARE(info->virtualBytes, qint64(32000) * 1024);
        QVERIFY(info->allocatedBytes > 0 && info->allocatedBytes < 1024 * 1024);
        QVERIFY(!DiskImage::create(p, 1024 * 1024).ok());  // exists

        const QString u = d.path() + QStringLiteral("/unlimited.qcow2");
        QVERIFY(DiskImage::create(u, 0).ok());
        QCOMPARE(DiskImage::info(u)->virtualBytes, DiskImage::kUnlimitedVirtualBytes);
        QVERIFY(!DiskImage::info(d.path() + QStringLiteral("/none.qcow2")).ok());
    }

    void growthCapFollowsFreeSpace()
    {
        QTemporaryDir d;
        const QString p = d.path() + QStringLiteral("/a.qcow2");
        QVERIFY(DiskImage::create(p, 0).ok());
        auto free = DiskImage::freeBytes(p);
        QVERIFY(free.ok());
        const qint64 size = QFileInfo(p).size();
        // A reserve bigger than the free space leaves no room to grow at all.
        QCOMPARE(*DiskImage::growthCap(p, *free + (qint64(1) << 30)), size);
        auto cap = DiskImage::growthCap(p, 0, 2);
        QVERIFY(cap.ok());
        QVERIFY(*cap > size && *cap <= size + *free / 2 + 4096);
    }

    void capMakesWritesFailNotTheHost()
    {
        const QString qemuIo = QStandardPaths::findExecutable(QStringLiteral("qemu-io"));
        if (qemuIo.isEmpty())
            QSKIP("qemu-io not installed (qemu-utils)");
        QTemporaryDir d;
        const QString p = d.path() + QStringLiteral("/a.qcow2");
        QVERIFY(DiskImage::create(p, 0).ok());
        const qint64 cap = QFileInfo(p).size() + 2 * 1024 * 1024;
        DetachedProcess::Options o;
        o.program = qemuIo;
        o.arguments = {QStringLiteral("-f"), QStringLiteral("qcow2"), QStringLiteral("-c"),
                       QStringLiteral("write -P 0xab 0 16M"), p};
        o.logFile = d.path() + QStringLiteral("/io.log");
        o.fileSizeLimit = cap;
        auto pid = DetachedProcess::spawn(o);
        QVERIFY(pid.ok());
        QVERIFY(QTest::qWaitFor([&] { return !DetachedProcess::isAlive(*pid); }, 20000));
        QFile log(o.logFile);
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray text = log.readAll();
        QVERIFY2(text.contains("failed") || text.contains("rror"), text.constData());
        QVERIFY(QFileInfo(p).size() <= cap);

        // prlimit on a live process: lower the cap of a running sleeper.
        DetachedProcess::Options s;
        s.program = QStringLiteral("/bin/sleep");
        s.arguments = {QStringLiteral("5")};
        auto sp = DetachedProcess::spawn(s);
        QVERIFY(sp.ok());
        QVERIFY(DiskImage::applyCap(*sp, 12345).ok());
        QFile limits(QStringLiteral("/proc/%1/limits").arg(*sp));
        QVERIFY(limits.open(QIODevice::ReadOnly));
        QVERIFY(limits.readAll().contains("12345"));
        ::kill(pid_t(*sp), SIGKILL);
    }
};

QTEST_GUILESS_MAIN(DiskImageTest)
#include "test_disk_image.moc"
