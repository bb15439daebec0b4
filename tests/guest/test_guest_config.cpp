// The guest configuration on a raw disk (GuestConfig's two slots): the newest
// slot with a valid checksum wins, so a write cut short (a crash, a power-off
// mid-write) leaves the previous configuration; a disk from before the slots
// (plain NUL-terminated text) still loads.

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "guest_config.h"

using mr::guest::GuestConfig;

class TestGuestConfig : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString disk_;
    static constexpr qint64 kDisk = 2 * GuestConfig::kSlotSize + 4096;

    GuestConfig config() const { return GuestConfig(disk_.toStdString(), GuestConfig::Storage::Slots); }
    // Saves a configuration whose identity is name.
    void saveIdentity(const std::string& name)
    {
        GuestConfig c = config();
        QVERIFY(c.load().ok());
        c.singleton("/system/identity")["name"] = name;
        QVERIFY(c.save().ok());
    }
    std::string loadedIdentity()
    {
        GuestConfig c = config();
        const mr::Status s = c.load();
        if (!s)
            return "error: " + s.error().text();
        return c.singleton("/system/identity")["name"];
    }
    void overwrite(qint64 at, const QByteArray& bytes)
    {
        QFile f(disk_);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.seek(at));
        QCOMPARE(f.write(bytes), bytes.size());
    }
    QByteArray read(qint64 at, qint64 n)
    {
        QFile f(disk_);
        if (!f.open(QIODevice::ReadOnly) || !f.seek(at))
            return {};
        return f.read(n);
    }

private slots:
    void init()
    {
        // A blank raw disk, as a new metarouter's.
        disk_ = dir_.filePath("vda");
        QFile f(disk_);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QVERIFY(f.resize(kDisk));
    }

    void blankDiskIsEmpty() { QCOMPARE(loadedIdentity(), std::string()); }

    void slotsAlternate()
    {
        saveIdentity("one");
        saveIdentity("two");
        saveIdentity("three");
        QCOMPARE(loadedIdentity(), std::string("three"));
        // Slot 0 has writes 1 and 3, slot 1 write 2.
        QVERIFY(read(0, GuestConfig::kSlotSize).contains("three"));
        QVERIFY(read(GuestConfig::kSlotSize, GuestConfig::kSlotSize).contains("two"));
    }

    void corruptNewestSlotFallsBack()
    {
        saveIdentity("old");
        saveIdentity("new");  // slot 1
        const QByteArray slot = read(GuestConfig::kSlotSize, 4096);
        const qsizetype at = slot.indexOf("new");
        QVERIFY(at > 0);
        overwrite(GuestConfig::kSlotSize + at, "NEW");  // one payload byte off: the CRC fails
        QCOMPARE(loadedIdentity(), std::string("old"));
        // The next save goes over the damaged slot, not over the good one.
        saveIdentity("newer");
        QCOMPARE(loadedIdentity(), std::string("newer"));
        QVERIFY(read(0, 4096).contains("old"));
    }

    void tornWriteFallsBack()
    {
        saveIdentity("kept");
        saveIdentity("torn");  // slot 1; then only its first 30 bytes "reached the disk"
        overwrite(GuestConfig::kSlotSize + 30, QByteArray(4000, '\0'));
        QCOMPARE(loadedIdentity(), std::string("kept"));
    }

    void bothSlotsBadIsAnError()
    {
        saveIdentity("a");
        saveIdentity("b");
        overwrite(8, QByteArray(1, '\x7f'));  // slot 0's sequence number (covered by the checksum)
        overwrite(GuestConfig::kSlotSize + 30, "xx");
        const std::string got = loadedIdentity();
        QVERIFY2(got.rfind("error: ", 0) == 0 && got.find("valid checksum") != std::string::npos, got.c_str());
    }

    void legacyTextLoads()
    {
        overwrite(0, QByteArray("mr-guest-config 1\nnext\t3\n/system/identity\t*0\tname=legacy\n") + '\0');
        QCOMPARE(loadedIdentity(), std::string("legacy"));
        saveIdentity("migrated");
        QCOMPARE(loadedIdentity(), std::string("migrated"));
    }

    void tooSmallDiskIsRefused()
    {
        QFile f(disk_);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.resize(GuestConfig::kSlotSize));
        f.close();
        GuestConfig c = config();
        QVERIFY(c.load().ok());
        c.singleton("/system/identity")["name"] = "x";
        const mr::Status s = c.save();
        QVERIFY(!s.ok());
        QVERIFY2(s.error().text().find("smaller than") != std::string::npos, s.error().text().c_str());
    }
};

QTEST_GUILESS_MAIN(TestGuestConfig)
#include "test_guest_config.moc"
