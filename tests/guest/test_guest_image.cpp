// The default guest image: what it contains, that it is built reproducibly,
// and that it boots under TCG with 96 MiB to the login prompt, names its NICs
// in slot order and powers off on the ACPI power button.

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <iostream>

#include "qmp_client.h"

using mr::hv::QmpClient;

namespace {

QString guestDir()
{
    return qEnvironmentVariable("MR_BUILD_DIR", QStringLiteral(".")) + QStringLiteral("/guest");
}

QMap<QString, QString> manifest()
{
    QMap<QString, QString> m;
    QFile f(guestDir() + QStringLiteral("/manifest"));
    if (f.open(QIODevice::ReadOnly))
        for (const QByteArray& line : f.readAll().split('\n'))
            if (!line.startsWith('#') && line.contains('='))
                m.insert(QString::fromUtf8(line.left(line.indexOf('='))), QString::fromUtf8(line.mid(line.indexOf('=') + 1)));
    return m;
}

QByteArray shell(const QString& command)
{
    QProcess p;
    p.start(QStringLiteral("sh"), {QStringLiteral("-c"), command});
    p.waitForFinished(60000);
    return p.readAllStandardOutput();
}

}  // namespace

class GuestImageTest : public QObject {
    Q_OBJECT

private slots:
    void manifestDescribesTheImage()
    {
        const auto m = manifest();
        QCOMPARE(m.value(QStringLiteral("kernel")), QStringLiteral("vmlinuz"));
        QCOMPARE(m.value(QStringLiteral("initrd")), QStringLiteral("initrd.img"));
        QVERIFY(m.value(QStringLiteral("cmdline")).contains(QLatin1String("console=ttyS0")));
        QCOMPARE(m.value(QStringLiteral("min-memory")), QStringLiteral("96"));
    }

    void initrdHoldsWhatTheGuestNeeds()
    {
        const QByteArray list = shell(QStringLiteral("gzip -dc '%1/initrd.img' | cpio -it --quiet").arg(guestDir()));
        for (const char* want : {"init", "bin/busybox", "bin/sh", "sbin/init", "etc/inittab", "etc/rc", "bin/mr-login",
                                 "sbin/mr-ifname", "sbin/mr-hotplug", "sbin/mr-probe", "sbin/mr-dhcp-event", "etc/acpi/PWRF/00000080",
                                 "virtio_net.ko", "virtio_pci.ko", "virtio_blk.ko", "net_failover.ko", "button.ko",
                                 "evdev.ko", "modules.dep", "etc/modules"})
            QVERIFY2(list.contains(want), want);
        // Only the modules asked for and their dependencies.
        QVERIFY(!list.contains("nouveau"));
        QVERIFY(list.count(".ko\n") < 64);
        const QByteArray owners = shell(QStringLiteral("gzip -dc '%1/initrd.img' | cpio -itv --quiet | awk '{print $3\":\"$4}' | sort -u").arg(guestDir()));
        QCOMPARE(owners.trimmed(), QByteArray("root:root"));
    }

    void buildIsReproducible()
    {
        QFile argsFile(QStringLiteral(MR_GUEST_BUILD_ARGS_FILE));
        QVERIFY(argsFile.open(QIODevice::ReadOnly));
        QStringList args;
        for (const QByteArray& l : argsFile.readAll().split('\n'))
            if (!l.isEmpty())
                args << QString::fromUtf8(l);
        QTemporaryDir out;
        args << QStringLiteral("--out") << out.path();
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral("sh"), args);
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAll().constData());
        QFile a(guestDir() + QStringLiteral("/initrd.img")), b(out.path() + QStringLiteral("/initrd.img"));
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QVERIFY2(a.readAll() == b.readAll(), "two builds of the guest image differ");
    }

    void bootsNamesNicsAndPowersOff()
    {
        QTemporaryDir dir;
        const QString qmpPath = dir.path() + QStringLiteral("/qmp.sock");
        QProcess qemu;
        qemu.setProcessChannelMode(QProcess::MergedChannels);
        // Two NICs on a host-less hub, in slots 5 and 4: ether1 must be slot 4.
        qemu.start(QStringLiteral("qemu-system-x86_64"),
                   {QStringLiteral("-nodefaults"), QStringLiteral("-display"), QStringLiteral("none"),
                    QStringLiteral("-accel"), QStringLiteral("tcg"), QStringLiteral("-m"), QStringLiteral("96"),
                    QStringLiteral("-kernel"), guestDir() + QStringLiteral("/vmlinuz"),
                    QStringLiteral("-initrd"), guestDir() + QStringLiteral("/initrd.img"),
                    QStringLiteral("-append"), manifest().value(QStringLiteral("cmdline")),
                    QStringLiteral("-serial"), QStringLiteral("stdio"),
                    QStringLiteral("-netdev"), QStringLiteral("hubport,id=a,hubid=0"),
                    QStringLiteral("-device"), QStringLiteral("virtio-net-pci,netdev=a,addr=5,mac=02:00:00:00:00:05"),
                    QStringLiteral("-netdev"), QStringLiteral("hubport,id=b,hubid=0"),
                    QStringLiteral("-device"), QStringLiteral("virtio-net-pci,netdev=b,addr=4,mac=02:00:00:00:00:04"),
                    QStringLiteral("-qmp"), QStringLiteral("unix:%1,server=on,wait=off").arg(qmpPath),
                    QStringLiteral("-no-reboot")});
        QVERIFY(qemu.waitForStarted());
        QElapsedTimer t;
        t.start();
        QByteArray out;
        auto waitFor = [&](const QByteArray& what, int ms) {
            return QTest::qWaitFor([&] {
                out += qemu.readAll();
                return out.contains(what) || qemu.state() == QProcess::NotRunning;
            }, ms) && out.contains(what);
        };
        QVERIFY2(waitFor("MetaRouter Login:", 60000), out.right(2000).constData());
        std::cout << "METRIC guest-boot-to-login-ms " << t.elapsed() << std::endl;
        qemu.write("admin\n");
        QVERIFY(waitFor("Password:", 10000));
        qemu.write("\n");
        // The guest command line, on the guest's own kernel.
        QVERIFY2(waitFor("[admin@MikroTik] >", 20000), out.right(2000).constData());
        // ether1, ether2 in slot order, both administratively up (running
        // follows the carrier a moment later).
        qemu.write("/interface ethernet print\r");
        QVERIFY2(waitFor("02:00:00:00:00:05", 20000), out.right(2000).constData());
        const QByteArray table = out.mid(out.lastIndexOf("/interface ethernet print"));
        QVERIFY2(table.contains("ether1 ") && table.contains("ether2 ") && !table.contains(" X  ether") &&
                     table.indexOf("ether1") < table.indexOf("02:00:00:00:00:04") &&
                     table.indexOf("02:00:00:00:00:04") < table.indexOf("02:00:00:00:00:05"),
                 table.constData());
        QmpClient qmp;
        QSignalSpy ready(&qmp, &QmpClient::ready);
        qmp.connectToServer(qmpPath, 5000);
        QVERIFY(ready.wait(5000));
        qmp.execute(QStringLiteral("system_powerdown"));
        const bool off = QTest::qWaitFor([&] { return qemu.state() == QProcess::NotRunning; }, 30000);
        if (!off) {
            qemu.kill();
            qemu.waitForFinished();
        }
        QVERIFY(off);
        out += qemu.readAll();
        QVERIFY(out.contains("MetaRouter: shutting down"));
        QCOMPARE(qemu.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(GuestImageTest)
#include "test_guest_image.moc"
