// TlsPinning: the client's known_daemons file (trust on first use).

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "tls_pinning.h"

using mr::protocol::TlsPinning;

class TestTlsPinning : public QObject {
    Q_OBJECT
private slots:
    void display()
    {
        QCOMPARE(TlsPinning::display("abcdef01"), QString("AB:CD:EF:01"));
        QCOMPARE(TlsPinning::display(""), QString(""));
        const QString hex(64, 'a');
        const QString shown = TlsPinning::display(hex);
        QCOMPARE(shown.size(), 64 + 31);
        QCOMPARE(shown.count(':'), 31);
        QVERIFY(shown.startsWith("AA:AA"));
    }

    void unknownIsEmpty()
    {
        QTemporaryDir dir;
        TlsPinning p(dir.filePath("none/known_daemons"));
        QVERIFY(p.pinned("router:8729").isEmpty());
    }

    void pinAndLookUp()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("sub/dir/known_daemons");  // directories are created
        TlsPinning p(path);
        QCOMPARE(p.path(), path);
        QString error;
        const QString fp1 = QString(64, 'A');
        const QString fp2 = QString(64, 'b');
        const QString fp3 = QString(64, 'c');
        QVERIFY2(p.pin("router:8729", fp1, &error), qPrintable(error));
        QVERIFY(p.pin("router:87290", fp2, &error));
        QVERIFY(p.pin("other:8729", fp3, &error));
        QCOMPARE(p.pinned("router:8729"), fp1.toLower());  // stored lower case
        QCOMPARE(p.pinned("router:87290"), fp2);
        QCOMPARE(p.pinned("other:8729"), fp3);
        QVERIFY(p.pinned("router").isEmpty());
        QVERIFY(p.pinned("router:872").isEmpty());

        // Re-pinning replaces only that endpoint's line.
        const QString fp4 = QString(64, 'd');
        QVERIFY(p.pin("router:8729", fp4, &error));
        QCOMPARE(p.pinned("router:8729"), fp4);
        QCOMPARE(p.pinned("router:87290"), fp2);
        QCOMPARE(p.pinned("other:8729"), fp3);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray all = f.readAll();
        QCOMPARE(all.count('\n'), 3);
        QVERIFY(!all.contains(fp1.toLower().toLatin1()));

        // A second instance on the same file sees the same pins.
        QCOMPARE(TlsPinning(path).pinned("router:8729"), fp4);
    }

    void unwritableReportsError()
    {
        QTemporaryDir dir;
        QFile blocker(dir.filePath("file"));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        TlsPinning p(dir.filePath("file/known_daemons"));  // parent is a file
        QString error;
        QVERIFY(!p.pin("router:8729", QString(64, 'a'), &error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestTlsPinning)
#include "test_tls_pinning.moc"
