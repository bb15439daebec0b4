// QemuCommandLine: the arguments a metarouter's QEMU gets, and what is refused.

#include <QtTest>

#include "qemu_command_line.h"

using namespace mr::hv;

class QemuCommandLineTest : public QObject {
    Q_OBJECT

private:
    static VmSpec spec()
    {
        VmSpec s;
        s.name = QStringLiteral("mr1");
        s.runtimeDir = QStringLiteral("/run/metarouter/mr1");
        s.kernel = QStringLiteral("/img/vmlinuz");
        s.initrd = QStringLiteral("/img/initrd.img");
        s.append = QStringLiteral("console=ttyS0");
        s.disk = QStringLiteral("/var/lib/metarouter/mr1,a.qcow2");
        s.nics.push_back({QStringLiteral("nic1"), QStringLiteral("vif1"), QStringLiteral("02:aa:bb:cc:dd:ee")});
        return s;
    }

private slots:
    void fullCommandLine()
    {
        auto r = QemuCommandLine::arguments(spec());
        QVERIFY(r.ok());
        const QString a = r->join(QLatin1Char(' '));
        for (const char* want : {"-nodefaults", "-display none", "-accel tcg", "-m 96", "-kernel /img/vmlinuz",
                                 "-initrd /img/initrd.img", "-runas nobody", "-pidfile /run/metarouter/mr1/qemu.pid",
                                 "-sandbox on,obsolete=deny,spawn=deny,resourcecontrol=deny",
                                 "filename=/var/lib/metarouter/mr1,,a.qcow2", "werror=report",
                                 "tap,id=nic1-net,ifname=vif1,script=no,downscript=no",
                                 "virtio-net-pci,id=nic1,netdev=nic1-net,mac=02:aa:bb:cc:dd:ee",
                                 "socket,id=console,path=/run/metarouter/mr1/console.sock,server=on,wait=off,mux=on",
                                 "-serial chardev:console", "-mon chardev=qmp,mode=control",
                                 "-device virtio-serial-pci,id=vser0",
                                 "socket,id=report,path=/run/metarouter/mr1/report.sock,server=on,wait=off",
                                 "virtserialport,bus=vser0.0,chardev=report,name=org.metarouter.report"})
            QVERIFY2(a.contains(QLatin1String(want)), want);
        QVERIFY(!a.contains(QLatin1String("-daemonize")));
        QVERIFY(!a.contains(QLatin1String("bootindex")));
    }

    void kvmAndDiskBoot()
    {
        VmSpec s = spec();
        s.accel = Accel::Kvm;
        s.kernel.clear();
        auto r = QemuCommandLine::arguments(s);
        QVERIFY(r.ok());
        const QString a = r->join(QLatin1Char(' '));
        QVERIFY(a.contains(QLatin1String("-accel kvm -cpu host")));
        QVERIFY(a.contains(QLatin1String("bootindex=0")));
        QVERIFY(!a.contains(QLatin1String("-kernel")));
    }

    void refusesBadInput_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("property");
        QTest::newRow("name") << "name" << "name";
        QTest::newRow("memory") << "memory" << "memory-size";
        QTest::newRow("multicast mac") << "mac" << "vm-mac-address";
        QTest::newRow("long ifname") << "ifname" << "interface";
        QTest::newRow("duplicate nic") << "dup" << "interface";
        QTest::newRow("nothing to boot") << "boot" << "image";
        QTest::newRow("socket path") << "path" << "runtime-dir";
    }
    void refusesBadInput()
    {
        QFETCH(QString, what);
        QFETCH(QString, property);
        VmSpec s = spec();
        if (what == QLatin1String("name"))
            s.name = QStringLiteral("a b");
        else if (what == QLatin1String("memory"))
            s.memoryMiB = 8;
        else if (what == QLatin1String("mac"))
            s.nics[0].mac = QStringLiteral("01:00:00:00:00:01");
        else if (what == QLatin1String("ifname"))
            s.nics[0].ifname = QStringLiteral("averyveryverylongname");
        else if (what == QLatin1String("dup"))
            s.nics.push_back(s.nics[0]);
        else if (what == QLatin1String("boot"))
            s.kernel.clear(), s.disk.clear();
        else if (what == QLatin1String("path"))
            s.runtimeDir = QStringLiteral("/") + QString(120, QLatin1Char('x'));
        auto r = QemuCommandLine::arguments(s);
        QVERIFY(!r.ok());
        QCOMPARE(QString::fromStdString(r.error().property), property);
    }
};

QTEST_GUILESS_MAIN(QemuCommandLineTest)
#include "test_qemu_command_line.moc"
