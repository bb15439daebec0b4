#pragma once
// import-image: turns an uploaded file into a guest image in the ImageStore,
// on a worker thread so that the daemon's event loop never waits for gzip,
// tar or qemu-img.
//
// Accepted, detected by content (magic bytes, then qemu-img), not by name:
//  - a tar archive (.tar, or gzip/xz compressed: .tgz, .tar.gz, .tar.xz)
//    holding a kernel, an optional initrd / root image and an optional
//    manifest (format: image_store.h). Without a manifest the kernel is the
//    file named vmlinuz* / bzImage / kernel / *.bin that is an x86 bzImage
//    (or ELF), the initrd the one named initrd* / initramfs* / rootfs*, and
//    the command line "console=ttyS0". Only regular files and directories
//    are accepted: no absolute paths, no "..", no links of any kind, no
//    devices or fifos, size limits per file and in total, checked from the
//    listing before anything is unpacked and again while unpacking.
//  - a bootable disk image, raw or qcow2, optionally gzip or xz compressed
//    (OpenWrt's generic-ext4-combined.img.gz). A qcow2 must not have a
//    backing file or an external data file.
//
// The work happens in <imagesDir>/.import-<name>-XXXXXX and is renamed to
// <imagesDir>/<name> only when everything succeeded: a failed or cancelled
// import leaves nothing behind.
//
// Tools: GNU tar, gzip and xz (run with QProcess from the worker thread),
// qemu-img. libarchive is not a dependency of the project; GNU tar's
// --verbose listing is parsed and then it extracts into an empty private
// directory with --no-same-owner --no-same-permissions --no-overwrite-dir.

#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "error.h"
#include "guest_image.h"

namespace mr::hv {

class ImageStore;

// Limits of one import (settings; defaults sane for a router's flash/disk).
struct ImportLimits {
    qint64 maxFileBytes = qint64(4) << 30;    // any one unpacked file (a disk image), 4 GiB
    qint64 maxTotalBytes = qint64(8) << 30;   // everything unpacked together, 8 GiB
    int maxEntries = 1000;                    // members of an archive
    qint64 maxManifestBytes = 64 * 1024;
    int minMemoryMiB = 16;                    // manifest values outside these are errors
    int maxMemoryMiB = 1 << 20;
};

class ImageImporter final : public QObject {
    Q_OBJECT
public:
    using Progress = std::function<void(int percent)>;               // 0..100, increasing
    using Done = std::function<void(mr::Result<GuestImage> image)>;  // exactly once

    struct Options {
        // When the name is taken: false = error; true = the next free
        // "<name>-2", "<name>-3", ... (GuestImage::name says which).
        bool renameIfTaken = true;
        QString qemuImg;  // empty: from PATH
    };

    explicit ImageImporter(ImageStore& store, ImportLimits limits = {}, QObject* parent = nullptr);
    // Cancels running imports and waits for their workers; their done() is
    // not called.
    ~ImageImporter() override;

    // Starts importing `file` as image `imageName` (empty: derived from the
    // file name, see imageNameFor). Returns at once; an error here (bad name,
    // missing file, the same name being imported already) means progress and
    // done will not be called. Otherwise progress() and then done() are
    // called later on the thread that owns this object (the daemon's), never
    // from within start().
    mr::Status start(const QString& file, const std::string& imageName, Progress progress, Done done);
    mr::Status start(const QString& file, const std::string& imageName, Progress progress, Done done,
                     const Options& options);

    // Imports running now.
    int running() const { return static_cast<int>(jobs_.size()); }

    // "openwrt.tgz" -> "openwrt", "openwrt-x86-64-generic-ext4-combined.img.gz"
    // -> "openwrt-x86-64-generic-ext4-combined"; characters outside the name
    // alphabet become '-', cut to ImageStore::kMaxNameLength.
    static std::string imageNameFor(const QString& file);

    // The whole import, synchronously on the calling thread (the worker's
    // body; tests use it too). cancelled may be null.
    static mr::Result<GuestImage> importNow(const QString& file, const QString& imagesDir,
                                            const std::string& imageName, const ImportLimits& limits,
                                            const Options& options, const Progress& progress,
                                            const std::atomic<bool>* cancelled);

private:
    struct Job;
    void finish(quint64 id, mr::Result<GuestImage> result);

    ImageStore& store_;
    ImportLimits limits_;
    quint64 nextId_ = 1;
    std::map<quint64, std::unique_ptr<Job>> jobs_;
};

}  // namespace mr::hv
