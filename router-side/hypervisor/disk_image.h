#pragma once

#include <QString>

#include "error.h"

namespace mr::hv {

// What qemu-img and the file system say about one disk image.
struct DiskInfo {
    QString format;
    qint64 virtualBytes = 0;    // the size the guest sees
    qint64 allocatedBytes = 0;  // what the image really takes on the host (used-disk)
};

// A metarouter's qcow2 disk: creation, inspection, and the cap that keeps an
// "unlimited" disk from filling the host.
//
// The cap is a real resource limit, not a check: QEMU runs with RLIMIT_FSIZE
// (set at spawn, moved later with prlimit(2)), so a write that would grow the
// image file past it fails with EFBIG, QEMU reports an I/O error to the guest
// (werror=report) and the host's free space stays above the reserve.
class DiskImage final {
public:
    // disk-size "unlimited": the guest sees a large disk, the host cap applies.
    static constexpr qint64 kUnlimitedVirtualBytes = qint64(1) << 40;  // 1 TiB

    // Creates a qcow2 image of sizeBytes (0 = unlimited). Fails if the file exists.
    static mr::Status create(const QString& path, qint64 sizeBytes, const QString& qemuImg = {});
    static mr::Result<DiskInfo> info(const QString& path, const QString& qemuImg = {});
    // Bytes the file takes on disk (st_blocks), cheap enough to poll for used-disk.
    static mr::Result<qint64> allocatedBytes(const QString& path);
    // Free bytes on the file system holding path.
    static mr::Result<qint64> freeBytes(const QString& path);

    // How large the image file may become: its current size plus what the
    // host can spare above reserveBytes (split over `sharers` growing disks),
    // never more than the virtual size plus qcow2 metadata.
    static mr::Result<qint64> growthCap(const QString& path, qint64 reserveBytes, int sharers = 1);
    // Moves the running QEMU's RLIMIT_FSIZE to capBytes (needs root or same user).
    static mr::Status applyCap(qint64 pid, qint64 capBytes);
};

}  // namespace mr::hv
