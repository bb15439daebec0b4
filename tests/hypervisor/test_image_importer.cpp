// ImageImporter and ImageStore on archives and disks this test builds:
// accepted images, every kind of hostile archive, and that a failure leaves
// nothing behind.

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <optional>

#include "image_importer.h"
#include "image_store.h"

using mr::hv::GuestImage;
using mr::hv::ImageImporter;
using mr::hv::ImageStore;
using mr::hv::ImportLimits;

namespace {

// A minimal ustar writer, so that the test can make archives GNU tar would
// refuse to create (absolute names, "..", links, devices).
class TarWriter {
public:
    void add(const QByteArray& name, const QByteArray& data, char type = '0', const QByteArray& link = {},
             const char* mode = "0000644")
    {
        QByteArray h(512, '\0');
        auto put = [&h](int off, const QByteArray& v) { h.replace(off, v.size(), v); };
        put(0, name.left(100));
        put(100, mode);
        put(108, "0000000");
        put(116, "0000000");
        put(124, QByteArray::number(type == '0' ? data.size() : 0, 8).rightJustified(11, '0'));
        put(136, "00000000000");
        put(148, "        ");
        h[156] = type;
        put(157, link.left(100));
        put(257, QByteArray("ustar\0" "00", 8));
        put(265, "root");
        put(297, "root");
        put(329, "0000001");
        put(337, "0000003");
        unsigned sum = 0;
        for (char c : h)
            sum += static_cast<unsigned char>(c);
        put(148, QByteArray::number(sum, 8).rightJustified(6, '0') + '\0' + ' ');
        out_ += h;
        if (type == '0') {
            out_ += data;
            out_ += QByteArray((512 - data.size() % 512) % 512, '\0');
        }
    }
    QByteArray finish() const { return out_ + QByteArray(1024, '\0'); }

private:
    QByteArray out_;
};

QByteArray fakeKernel()
{
    QByteArray k(8192, '\x90');
    k.replace(0x202, 4, "HdrS");
    return k;
}

QByteArray fakeInitrd()
{
    QByteArray i = QByteArray("\x1f\x8b\x08\x00", 4);
    i += QByteArray(2000, 'i');
    return i;
}

QByteArray fakeDisk(int bytes = 1 << 20)
{
    QByteArray d(bytes, '\0');
    d.replace(0, 4, "\xeb\x63\x90\x10");
    d[510] = '\x55';
    d[511] = '\xaa';
    d.replace(4096, 9, "disk data");
    return d;
}

bool writeFile(const QString& path, const QByteArray& data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool runTool(const QString& program, const QStringList& args)
{
    QProcess p;
    p.start(program, args);
    return p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

}  // namespace

class TestImageImporter : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString images_;
    QString files_;

    // Imports synchronously (the worker's body) and records the progress.
    mr::Result<GuestImage> import(const QString& file, const std::string& name, const ImportLimits& limits = {},
                                  QList<int>* progress = nullptr)
    {
        QList<int> seen;
        auto r = ImageImporter::importNow(file, images_, name, limits, ImageImporter::Options{},
                                          [&seen](int p) { seen << p; }, nullptr);
        if (progress)
            *progress = seen;
        return r;
    }

    // The store holds exactly these images and no leftovers.
    void expectStore(const QStringList& names)
    {
        const QStringList all = QDir(images_).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot,
                                                        QDir::Name);
        QCOMPARE(all, names);
    }

    void expectRejected(const QString& file, const QString& messagePart, const ImportLimits& limits = {})
    {
        auto r = import(file, "bad", limits);
        QVERIFY2(!r, "imported a bad image");
        const QString text = QString::fromStdString(r.error().text());
        QVERIFY2(text.contains(messagePart), qPrintable(text));
        expectStore({});
    }

    QString tarFile(const QString& name, const QByteArray& tar, const char* compressor = nullptr)
    {
        const QString path = files_ + '/' + name;
        if (!compressor) {
            writeFile(path, tar);
            return path;
        }
        const QString plain = files_ + QStringLiteral("/staging.tar");
        writeFile(plain, tar);
        QFile::remove(plain + (qstrcmp(compressor, "xz") == 0 ? ".xz" : ".gz"));
        if (!runTool(QString::fromLatin1(compressor), {QStringLiteral("-f"), plain}))
            return {};
        QFile::remove(path);
        QFile::rename(plain + (qstrcmp(compressor, "xz") == 0 ? ".xz" : ".gz"), path);
        return path;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(tmp_.isValid());
        files_ = tmp_.path() + QStringLiteral("/files");
        QVERIFY(QDir().mkpath(files_));
    }

    void init()
    {
        images_ = tmp_.path() + QStringLiteral("/images");
        QDir(images_).removeRecursively();
    }

    void goodTgzWithManifest()
    {
        TarWriter t;
        t.add("img/", {}, '5', {}, "0000755");
        t.add("img/boot/", {}, '5', {}, "0000755");
        t.add("img/boot/vmlinuz-6.1", fakeKernel());
        t.add("img/boot/initrd.img-6.1", fakeInitrd());
        t.add("img/README", "not needed");
        t.add("img/manifest", "# test image\nkernel=boot/vmlinuz-6.1\ninitrd=boot/initrd.img-6.1\n"
                              "cmdline=console=ttyS0 rdinit=/bin/sh\nmin-memory=64\ndefault-memory=192\n");
        const QString file = tarFile(QStringLiteral("good.tgz"), t.finish(), "gzip");
        QList<int> progress;
        auto r = import(file, "good", {}, &progress);
        QVERIFY2(r, r ? "" : r.error().text().c_str());
        QCOMPARE(r->name, std::string("good"));
        QCOMPARE(r->directory, images_ + QStringLiteral("/good"));
        QCOMPARE(r->kernel, images_ + QStringLiteral("/good/vmlinuz"));
        QCOMPARE(r->initrd, images_ + QStringLiteral("/good/initrd.img"));
        QCOMPARE(r->append, QStringLiteral("console=ttyS0 rdinit=/bin/sh"));
        QCOMPARE(r->minMemoryMiB, 64);
        QCOMPARE(r->defaultMemoryMiB, 192);
        QVERIFY(!r->bootsFromDisk());
        QCOMPARE(readFile(r->kernel), fakeKernel());
        QCOMPARE(readFile(r->initrd), fakeInitrd());
        // Only what the image needs is kept.
        QCOMPARE(QDir(r->directory).entryList(QDir::Files, QDir::Name),
                 (QStringList{QStringLiteral("initrd.img"), QStringLiteral("manifest"), QStringLiteral("vmlinuz")}));
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last(), 100);
        QVERIFY(std::is_sorted(progress.begin(), progress.end()));
        expectStore({QStringLiteral("good")});

        // The store finds it as it was imported.
        ImageStore store(images_, {});
        auto found = store.find("good");
        QVERIFY(found);
        QCOMPARE(found->append, r->append);
        QCOMPARE(found->defaultMemoryMiB, 192);
        QCOMPARE(int(store.list().size()), 1);
    }

    void tarWithoutManifestIsRecognized()
    {
        TarWriter t;
        t.add("bzImage", fakeKernel());
        t.add("initramfs.cpio.gz", fakeInitrd());
        const QString file = tarFile(QStringLiteral("plain.tar.xz"), t.finish(), "xz");
        auto r = import(file, "plain");
        QVERIFY2(r, r ? "" : r.error().text().c_str());
        QCOMPARE(r->append, QStringLiteral("console=ttyS0"));
        QCOMPARE(readFile(r->initrd), fakeInitrd());
        QCOMPARE(r->minMemoryMiB, 96);
    }

    void pathEscapes_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QString>("message");
        QTest::newRow("dotdot") << QByteArray("../x") << QStringLiteral("escapes the archive with '..'");
        QTest::newRow("inner dotdot") << QByteArray("a/../../x") << QStringLiteral("'..'");
        QTest::newRow("absolute") << QByteArray("/abs") << QStringLiteral("absolute path");
        QTest::newRow("control char") << QByteArray("a\nb") << QStringLiteral("unusual characters");
    }
    void pathEscapes()
    {
        QFETCH(QByteArray, name);
        QFETCH(QString, message);
        TarWriter t;
        t.add("vmlinuz", fakeKernel());
        t.add(name, fakeInitrd());
        expectRejected(tarFile(QStringLiteral("escape.tar"), t.finish()), message);
        QVERIFY(!QFile::exists(tmp_.path() + QStringLiteral("/x")));
        QVERIFY(!QFile::exists(QStringLiteral("/abs")));
    }

    void linksAndDevices_data()
    {
        QTest::addColumn<char>("type");
        QTest::addColumn<QByteArray>("link");
        QTest::addColumn<QString>("message");
        QTest::newRow("symlink out") << '2' << QByteArray("/etc/passwd") << QStringLiteral("is a symbolic link");
        QTest::newRow("symlink in") << '2' << QByteArray("vmlinuz") << QStringLiteral("is a symbolic link");
        QTest::newRow("hardlink") << '1' << QByteArray("/etc/shadow") << QStringLiteral("is a hard link");
        QTest::newRow("char device") << '3' << QByteArray() << QStringLiteral("is a device file");
        QTest::newRow("block device") << '4' << QByteArray() << QStringLiteral("is a device file");
        QTest::newRow("fifo") << '6' << QByteArray() << QStringLiteral("named pipe");
    }
    void linksAndDevices()
    {
        QFETCH(char, type);
        QFETCH(QByteArray, link);
        QFETCH(QString, message);
        TarWriter t;
        t.add("vmlinuz", fakeKernel());
        t.add("initrd.img", {}, type, link);
        expectRejected(tarFile(QStringLiteral("links.tgz"), t.finish(), "gzip"), message);
    }

    void sizeLimits()
    {
        ImportLimits limits;
        limits.maxFileBytes = 5000;
        limits.maxTotalBytes = 9000;
        {
            TarWriter t;
            t.add("vmlinuz", fakeKernel());  // 8192 bytes
            t.add("initrd.img", fakeInitrd());
            expectRejected(tarFile(QStringLiteral("big.tgz"), t.finish(), "gzip"), QStringLiteral("per file"),
                           limits);
        }
        {
            limits.maxFileBytes = 9000;
            TarWriter t;
            t.add("vmlinuz", fakeKernel());
            t.add("initrd.img", fakeInitrd());
            expectRejected(tarFile(QStringLiteral("big.tgz"), t.finish(), "gzip"),
                           QStringLiteral("unpacks to more than the limit"), limits);
        }
        {
            // A compressed disk that inflates beyond the limit (a "zip bomb").
            const QString disk = files_ + QStringLiteral("/bomb.img");
            QVERIFY(writeFile(disk, fakeDisk(4 << 20)));
            QVERIFY(runTool(QStringLiteral("gzip"), {QStringLiteral("-f"), disk}));
            limits.maxFileBytes = 1 << 20;
            expectRejected(disk + QStringLiteral(".gz"), QStringLiteral("larger than the limit of 1 MiB"), limits);
        }
    }

    void duplicatesAndEmpty()
    {
        TarWriter t;
        t.add("vmlinuz", fakeKernel());
        t.add("vmlinuz", fakeInitrd());
        expectRejected(tarFile(QStringLiteral("dup.tar"), t.finish()), QStringLiteral("more than once"));
        TarWriter e;
        e.add("dir/", {}, '5', {}, "0000755");
        expectRejected(tarFile(QStringLiteral("empty.tar"), e.finish()), QStringLiteral("no Linux kernel"));
        TarWriter n;
        n.add("README", "just text");
        expectRejected(tarFile(QStringLiteral("nokernel.tar"), n.finish()), QStringLiteral("no Linux kernel"));
    }

    void badManifest()
    {
        TarWriter t;
        t.add("vmlinuz", fakeKernel());
        t.add("initrd.img", fakeInitrd());
        t.add("manifest", "kernel=vmlinuz\ninitrd=../../etc/passwd\n");
        expectRejected(tarFile(QStringLiteral("m1.tar"), t.finish()), QStringLiteral("initrd"));
        TarWriter u;
        u.add("vmlinuz", fakeKernel());
        u.add("initrd.img", fakeInitrd());
        u.add("manifest", "kernel=vmlinuz\ninitrd=initrd.img\nmin-memory=lots\n");
        expectRejected(tarFile(QStringLiteral("m2.tar"), u.finish()), QStringLiteral("min-memory"));
        TarWriter v;
        v.add("vmlinuz", "not a kernel at all");
        v.add("initrd.img", fakeInitrd());
        v.add("manifest", "kernel=vmlinuz\ninitrd=initrd.img\n");
        expectRejected(tarFile(QStringLiteral("m3.tar"), v.finish()), QStringLiteral("not a Linux kernel"));
    }

    void compressedRawDisks_data()
    {
        QTest::addColumn<QString>("compressor");
        QTest::addColumn<QString>("suffix");
        QTest::newRow("gzip") << QStringLiteral("gzip") << QStringLiteral(".gz");
        QTest::newRow("xz") << QStringLiteral("xz") << QStringLiteral(".xz");
        QTest::newRow("none") << QString() << QString();
    }
    void compressedRawDisks()
    {
        QFETCH(QString, compressor);
        QFETCH(QString, suffix);
        // A name that says nothing: detection is by content.
        const QString disk = files_ + QStringLiteral("/openwrt-x86-64-generic-ext4-combined.bin");
        QFile::remove(disk);
        QFile::remove(disk + suffix);
        QVERIFY(writeFile(disk, fakeDisk()));
        if (!compressor.isEmpty())
            QVERIFY(runTool(compressor, {QStringLiteral("-f"), disk}));
        if (compressor == QLatin1String("gzip")) {
            // OpenWrt appends a signature after the gzip stream.
            QFile f(disk + suffix);
            QVERIFY(f.open(QIODevice::Append));
            f.write(QByteArray(64, 's'));
        }
        QList<int> progress;
        auto r = import(disk + suffix, ImageImporter::imageNameFor(disk + suffix), {}, &progress);
        QVERIFY2(r, r ? "" : r.error().text().c_str());
        QCOMPARE(r->name, std::string("openwrt-x86-64-generic-ext4-comb"));
        QVERIFY(r->bootsFromDisk());
        QCOMPARE(r->diskFormat, QStringLiteral("raw"));
        QCOMPARE(readFile(r->disk), fakeDisk());
        QVERIFY(r->kernel.isEmpty());
        QCOMPARE(progress.last(), 100);
        // The uploaded file stays where it was.
        QVERIFY(QFile::exists(disk + suffix));
        expectStore({QString::fromStdString(r->name)});
    }

    void qcow2Disk()
    {
        const QString disk = files_ + QStringLiteral("/disk.qcow2");
        QFile::remove(disk);
        QVERIFY(runTool(QStringLiteral("qemu-img"),
                        {QStringLiteral("create"), QStringLiteral("-q"), QStringLiteral("-f"), QStringLiteral("qcow2"),
                         disk, QStringLiteral("64M")}));
        auto r = import(disk, "q");
        QVERIFY2(r, r ? "" : r.error().text().c_str());
        QCOMPARE(r->diskFormat, QStringLiteral("qcow2"));
        QCOMPARE(r->disk, images_ + QStringLiteral("/q/disk.qcow2"));

        // One with a backing file points outside the image: refused.
        const QString overlay = files_ + QStringLiteral("/overlay.qcow2");
        QFile::remove(overlay);
        QVERIFY(runTool(QStringLiteral("qemu-img"),
                        {QStringLiteral("create"), QStringLiteral("-q"), QStringLiteral("-f"), QStringLiteral("qcow2"),
                         QStringLiteral("-b"), disk, QStringLiteral("-F"), QStringLiteral("qcow2"), overlay}));
        auto bad = import(overlay, "overlay");
        QVERIFY(!bad);
        QVERIFY2(QString::fromStdString(bad.error().text()).contains(QStringLiteral("backing file")),
                 bad.error().text().c_str());
        expectStore({QStringLiteral("q")});
    }

    void garbage()
    {
        QByteArray junk;
        for (int i = 0; i < 100000; ++i)
            junk += char(i * 7919 % 251);
        const QString file = files_ + QStringLiteral("/openwrt.tgz");
        QVERIFY(writeFile(file, junk));
        expectRejected(file, QStringLiteral("not a bootable disk image"));
        // gzip magic, then garbage.
        QVERIFY(writeFile(file, QByteArray("\x1f\x8b\x08\x00", 4) + junk));
        expectRejected(file, QStringLiteral("not"));
        QVERIFY(writeFile(file, {}));
        expectRejected(file, QStringLiteral("empty"));
        expectRejected(files_ + QStringLiteral("/missing.tgz"), QStringLiteral("no such file"));
    }

    void nameTakenGetsASuffix()
    {
        const QString disk = files_ + QStringLiteral("/twice.img");
        QVERIFY(writeFile(disk, fakeDisk()));
        auto a = import(disk, "twice");
        auto b = import(disk, "twice");
        QVERIFY(a && b);
        QCOMPARE(b->name, std::string("twice-2"));
        auto c = ImageImporter::importNow(disk, images_, "twice", {}, ImageImporter::Options{false, {}}, {}, nullptr);
        QVERIFY(!c);
        QCOMPARE(c.error().code, mr::wire::ERROR_ALREADY_EXISTS);
        expectStore({QStringLiteral("twice"), QStringLiteral("twice-2")});

        ImageStore store(images_, {});
        QVERIFY(store.remove("twice"));
        QVERIFY(!store.find("twice"));
        QVERIFY(!store.remove("twice"));
        QVERIFY(!store.remove("default"));
        expectStore({QStringLiteral("twice-2")});
    }

    void asyncOnTheOwnersThread()
    {
        ImageStore store(images_, {});
        QDir().mkpath(images_ + QStringLiteral("/.import-stale-abc123"));
        ImageImporter importer(store);
        expectStore({});  // the crash leftover is gone
        const QString disk = files_ + QStringLiteral("/async.img.gz");
        QVERIFY(writeFile(files_ + QStringLiteral("/async.img"), fakeDisk(8 << 20)));
        QVERIFY(runTool(QStringLiteral("gzip"), {QStringLiteral("-f"), files_ + QStringLiteral("/async.img")}));

        QList<int> progress;
        std::optional<mr::Result<GuestImage>> result;
        bool wrongThread = false;
        auto st = importer.start(
            disk, {},
            [&](int p) {
                wrongThread |= QThread::currentThread() != thread();
                progress << p;
            },
            [&](mr::Result<GuestImage> r) {
                wrongThread |= QThread::currentThread() != thread();
                result = std::move(r);
            });
        QVERIFY(st);
        QVERIFY(!result);  // never from within start()
        QCOMPARE(importer.running(), 1);
        // The same name twice at once is refused.
        QVERIFY(!importer.start(disk, "async", {}, {}));
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 30000);
        QVERIFY2(*result, result->ok() ? "" : result->error().text().c_str());
        QCOMPARE((*result)->name, std::string("async"));
        QVERIFY(!wrongThread);
        QCOMPARE(progress.last(), 100);
        QCOMPARE(importer.running(), 0);
        QVERIFY(store.find("async"));

        // A bad file fails asynchronously with a clear error.
        std::optional<mr::Result<GuestImage>> bad;
        QVERIFY(writeFile(files_ + QStringLiteral("/junk"), QByteArray(5000, 'j')));
        QVERIFY(importer.start(files_ + QStringLiteral("/junk"), "junk", {}, [&](mr::Result<GuestImage> r) {
            bad = std::move(r);
        }));
        QTRY_VERIFY_WITH_TIMEOUT(bad.has_value(), 30000);
        QVERIFY(!*bad);
        expectStore({QStringLiteral("async")});
    }

    void destroyedWhileRunning()
    {
        ImageStore store(images_, {});
        const QString disk = files_ + QStringLiteral("/slow.img");
        QVERIFY(writeFile(disk, fakeDisk(64 << 20)));
        bool called = false;
        {
            ImageImporter importer(store);
            QVERIFY(importer.start(disk, "slow", {}, [&](mr::Result<GuestImage>) { called = true; }));
        }
        QCoreApplication::processEvents();
        QVERIFY(!called);
        // Either it finished before the cancel or it left nothing.
        const QStringList left = QDir(images_).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
        QVERIFY2(left.isEmpty() || left == QStringList{QStringLiteral("slow")}, qPrintable(left.join(',')));
    }

    void imageNames()
    {
        QCOMPARE(ImageImporter::imageNameFor(QStringLiteral("/x/openwrt.tgz")), std::string("openwrt"));
        QCOMPARE(ImageImporter::imageNameFor(QStringLiteral("debian.tar.gz")), std::string("debian"));
        QCOMPARE(ImageImporter::imageNameFor(QStringLiteral("my image (1).img.xz")), std::string("my-image--1"));
        QCOMPARE(ImageImporter::imageNameFor(QStringLiteral(".tgz")), std::string("tgz"));
        QVERIFY(!ImageStore::validateName("../x"));
        QVERIFY(!ImageStore::validateName(".hidden"));
        QVERIFY(!ImageStore::validateName(std::string(33, 'a')));
        QVERIFY(ImageStore::validateName("openwrt-23.05"));
    }

    void defaultImageFromTheBuild()
    {
        const QString dir = qEnvironmentVariable("MR_BUILD_DIR") + QStringLiteral("/guest");
        if (!QFile::exists(dir + QStringLiteral("/manifest")))
            QSKIP("the default guest image is not built");
        ImageStore store(images_, dir);
        auto img = store.find("default");
        QVERIFY2(img, img ? "" : img.error().text().c_str());
        QVERIFY(img->kernel.endsWith(QLatin1String("/vmlinuz")));
        QVERIFY(!img->append.isEmpty());
        QCOMPARE(int(store.list().size()), 1);
    }
};

QTEST_GUILESS_MAIN(TestImageImporter)
#include "test_image_importer.moc"
