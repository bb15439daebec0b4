#pragma once
// The guest images a metarouter can boot: the built-in default image and the
// ones import-image unpacked under <state>/images/<name>/, each described by
// a manifest.
//
// Manifest format (file "manifest" in the image directory; the default
// image's build writes the same one). One "key=value" per line, '#' starts a
// comment line, blank lines ignored, unknown keys ignored (kept for people).
// File names are relative to the image directory and may not contain '/'.
//
//   kernel=vmlinuz            kernel boot: the kernel ...
//   initrd=initrd.img         ... and its initrd / initramfs (optional)
//   cmdline=console=ttyS0     kernel command line (also accepted: append=)
//   disk=disk.img             disk boot: a bootable raw or qcow2 disk
//   disk-format=raw           "raw" or "qcow2" (the importer fills it in)
//   min-memory=96             MiB below which the image does not boot
//   default-memory=128        MiB a metarouter gets when memory-size is unset
//   name=...                  free text (the default image's build name)
//
// Exactly one of kernel / disk. default-memory defaults to max(min-memory, 128).

#include <QString>

#include <map>
#include <string>
#include <vector>

#include "error.h"
#include "guest_image.h"

namespace mr::hv {

class ImageStore final {
public:
    static constexpr const char* kDefaultName = "default";
    static constexpr int kMaxNameLength = 32;

    // imagesDir: <state>/images (created on demand). defaultImageDir: the
    // built-in image (<build>/guest or the installed copy); may be empty.
    ImageStore(QString imagesDir, QString defaultImageDir);

    const QString& imagesDir() const { return imagesDir_; }
    const QString& defaultImageDir() const { return defaultDir_; }

    // "default" is the built-in image; anything else <imagesDir>/<name>.
    mr::Result<GuestImage> find(const std::string& name) const;
    // Every image that loads (default first, then by name). Broken ones are
    // skipped with a warning in the log.
    std::vector<GuestImage> list() const;
    bool contains(const std::string& name) const;
    // Deletes an imported image. The caller makes sure no metarouter uses it
    // (its disk's backing file may be the image's disk). "default" cannot go.
    mr::Status remove(const std::string& name);

    // Image names: 1..32 of [A-Za-z0-9._-], not starting with '.' or '-'.
    static mr::Status validateName(const std::string& name);
    // Reads <directory>/manifest and checks the files it names exist inside
    // the directory. name is what the image is called in the store.
    static mr::Result<GuestImage> load(const QString& directory, const std::string& name);
    // The key=value pairs of a manifest file (comments and blanks skipped).
    static mr::Result<std::map<std::string, std::string>> parseManifest(const QString& path);
    // Writes <directory>/manifest for an image (atomically).
    static mr::Status writeManifest(const QString& directory, const GuestImage& image);

private:
    QString imagesDir_;
    QString defaultDir_;
};

}  // namespace mr::hv
