#pragma once
// A bootable guest image a metarouter runs: the built-in default image or
// one brought in with import-image.

#include <QString>

#include <string>

namespace mr::hv {

struct GuestImage {
    std::string name;        // "default", or the imported file's base name ("openwrt")
    QString directory;       // where its files live
    // Kernel boot (kernel + initrd/root image) ...
    QString kernel;
    QString initrd;
    QString append;          // kernel command line
    // ... or a bootable disk, used as the backing file of each metarouter's qcow2.
    QString disk;
    QString diskFormat;      // "raw" or "qcow2"
    int minMemoryMiB = 96;   // below this it does not boot
    int defaultMemoryMiB = 128;

    bool bootsFromDisk() const { return !disk.isEmpty(); }
};

}  // namespace mr::hv
