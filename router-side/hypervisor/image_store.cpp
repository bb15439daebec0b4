#include "image_store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <algorithm>
#include <map>

namespace mr::hv {

namespace {

constexpr qint64 kMaxManifestBytes = 64 * 1024;
constexpr int kMaxCmdline = 2047;  // x86 COMMAND_LINE_SIZE - 1

bool nameChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

}  // namespace

mr::Result<std::map<std::string, std::string>> ImageStore::parseManifest(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return mr::Error::notFound("no manifest in " + QFileInfo(path).path().toStdString());
    if (f.size() > kMaxManifestBytes)
        return mr::Error::invalid("manifest", "the manifest is larger than 64 KiB");
    std::map<std::string, std::string> out;
    int lineNo = 0;
    for (QByteArray line : f.readAll().split('\n')) {
        ++lineNo;
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const int eq = line.indexOf('=');
        if (eq <= 0)
            return mr::Error::invalid("manifest", "manifest line " + std::to_string(lineNo) + " is not key=value");
        out[line.left(eq).trimmed().toStdString()] = line.mid(eq + 1).trimmed().toStdString();
    }
    return out;
}

namespace {

// A file the manifest names: a plain name inside the image directory.
mr::Result<QString> imageFile(const QString& dir, const std::string& key, const std::string& value)
{
    if (value.empty() || value.find('/') != std::string::npos || value == "." || value == "..")
        return mr::Error::invalid("manifest", key + "=" + value + " must name a file in the image directory");
    const QString path = dir + '/' + QString::fromStdString(value);
    const QFileInfo fi(path);
    if (fi.isSymLink() || !fi.isFile())
        return mr::Error::notFound("image file " + value + " (" + key + ") is missing", "manifest");
    return path;
}

mr::Result<int> memoryValue(const std::map<std::string, std::string>& m, const char* key, int fallback)
{
    auto it = m.find(key);
    if (it == m.end() || it->second.empty())
        return fallback;
    bool ok = false;
    const int v = QString::fromStdString(it->second).toInt(&ok);
    if (!ok || v < 1 || v > (1 << 20))
        return mr::Error::invalid("manifest", std::string(key) + " must be a number of MiB, not " + it->second);
    return v;
}

}  // namespace

ImageStore::ImageStore(QString imagesDir, QString defaultImageDir)
    : imagesDir_(std::move(imagesDir)), defaultDir_(std::move(defaultImageDir))
{
}

mr::Status ImageStore::validateName(const std::string& name)
{
    if (name.empty())
        return mr::Error::invalid("name", "an image name must not be empty");
    if (name.size() > static_cast<std::size_t>(kMaxNameLength))
        return mr::Error::invalid("name", "an image name is at most 32 characters");
    if (name[0] == '.' || name[0] == '-')
        return mr::Error::invalid("name", "an image name must not start with '.' or '-'");
    if (!std::all_of(name.begin(), name.end(), nameChar))
        return mr::Error::invalid("name", "an image name may contain only letters, digits, '.', '_' and '-'");
    return {};
}

mr::Result<GuestImage> ImageStore::load(const QString& directory, const std::string& name)
{
    auto manifest = parseManifest(directory + QStringLiteral("/manifest"));
    if (!manifest)
        return manifest.error();
    const auto& m = *manifest;
    auto get = [&m](const char* key) {
        auto it = m.find(key);
        return it == m.end() ? std::string() : it->second;
    };

    GuestImage img;
    img.name = name;
    img.directory = directory;
    const std::string kernel = get("kernel");
    const std::string disk = !get("disk").empty() ? get("disk") : get("rootfs");
    if (kernel.empty() && disk.empty())
        return mr::Error::invalid("manifest", "the manifest names neither a kernel nor a disk");
    if (!kernel.empty()) {
        auto k = imageFile(directory, "kernel", kernel);
        if (!k)
            return k.error();
        img.kernel = *k;
        if (const std::string initrd = get("initrd"); !initrd.empty()) {
            auto i = imageFile(directory, "initrd", initrd);
            if (!i)
                return i.error();
            img.initrd = *i;
        }
        img.append = QString::fromStdString(!get("cmdline").empty() ? get("cmdline") : get("append"));
        if (img.append.size() > kMaxCmdline)
            return mr::Error::invalid("manifest", "the kernel command line is longer than 2047 characters");
    }
    if (!disk.empty()) {
        auto d = imageFile(directory, "disk", disk);
        if (!d)
            return d.error();
        img.disk = *d;
        img.diskFormat = QString::fromStdString(get("disk-format").empty() ? "raw" : get("disk-format"));
        if (img.diskFormat != QLatin1String("raw") && img.diskFormat != QLatin1String("qcow2"))
            return mr::Error::invalid("manifest", "disk-format must be raw or qcow2");
    }
    auto minMem = memoryValue(m, "min-memory", img.minMemoryMiB);
    if (!minMem)
        return minMem.error();
    img.minMemoryMiB = *minMem;
    auto defMem = memoryValue(m, "default-memory", std::max(img.minMemoryMiB, img.defaultMemoryMiB));
    if (!defMem)
        return defMem.error();
    img.defaultMemoryMiB = std::max(*defMem, img.minMemoryMiB);
    return img;
}

mr::Status ImageStore::writeManifest(const QString& directory, const GuestImage& image)
{
    QByteArray text = "# MetaRouter guest image (see router-side/hypervisor/image_store.h)\n";
    auto line = [&text](const char* key, const QString& value) {
        if (!value.isEmpty())
            text += QByteArray(key) + '=' + value.toUtf8() + '\n';
    };
    line("name", QString::fromStdString(image.name));
    line("kernel", image.kernel.isEmpty() ? QString() : QFileInfo(image.kernel).fileName());
    line("initrd", image.initrd.isEmpty() ? QString() : QFileInfo(image.initrd).fileName());
    line("cmdline", image.append);
    line("disk", image.disk.isEmpty() ? QString() : QFileInfo(image.disk).fileName());
    line("disk-format", image.disk.isEmpty() ? QString() : image.diskFormat);
    line("min-memory", QString::number(image.minMemoryMiB));
    line("default-memory", QString::number(image.defaultMemoryMiB));
    QSaveFile f(directory + QStringLiteral("/manifest"));
    if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size() || !f.commit())
        return mr::Error::failed("cannot write the manifest in " + directory.toStdString() + ": " +
                                 f.errorString().toStdString());
    return {};
}

mr::Result<GuestImage> ImageStore::find(const std::string& name) const
{
    if (name == kDefaultName) {
        if (defaultDir_.isEmpty())
            return mr::Error::notFound("the default guest image is not installed", "image");
        return load(defaultDir_, name);
    }
    if (auto st = validateName(name); !st)
        return mr::Error::notFound("no such image: " + name, "image");
    const QString dir = imagesDir_ + '/' + QString::fromStdString(name);
    const QFileInfo fi(dir);
    if (fi.isSymLink() || !fi.isDir())
        return mr::Error::notFound("no such image: " + name, "image");
    return load(dir, name);
}

bool ImageStore::contains(const std::string& name) const
{
    if (name == kDefaultName)
        return !defaultDir_.isEmpty();
    if (!validateName(name))
        return false;
    const QFileInfo fi(imagesDir_ + '/' + QString::fromStdString(name));
    return fi.exists() || fi.isSymLink();
}

std::vector<GuestImage> ImageStore::list() const
{
    std::vector<GuestImage> out;
    if (!defaultDir_.isEmpty()) {
        if (auto img = find(kDefaultName))
            out.push_back(std::move(*img));
        else
            qWarning("default guest image: %s", img.error().text().c_str());
    }
    // Hidden entries are imports in progress (or left by a crash).
    const QStringList names = QDir(imagesDir_).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString& n : names) {
        const std::string name = n.toStdString();
        if (name == kDefaultName || !validateName(name))
            continue;
        if (auto img = find(name))
            out.push_back(std::move(*img));
        else
            qWarning("guest image %s: %s", name.c_str(), img.error().text().c_str());
    }
    return out;
}

mr::Status ImageStore::remove(const std::string& name)
{
    if (name == kDefaultName)
        return mr::Error::invalid("image", "the default image cannot be removed");
    if (auto st = validateName(name); !st)
        return mr::Error::notFound("no such image: " + name, "image");
    const QString dir = imagesDir_ + '/' + QString::fromStdString(name);
    const QFileInfo fi(dir);
    if (!fi.exists() && !fi.isSymLink())
        return mr::Error::notFound("no such image: " + name, "image");
    if (fi.isSymLink()) {  // never made by the importer; never follow it
        if (!QFile::remove(dir))
            return mr::Error::failed("cannot remove image " + name);
        return {};
    }
    // Move it out of sight first so that a half-deleted image never loads.
    const QString trash = imagesDir_ + QStringLiteral("/.remove-") + QString::fromStdString(name);
    QDir(trash).removeRecursively();
    if (!QDir().rename(dir, trash))
        return mr::Error::failed("cannot remove image " + name);
    if (!QDir(trash).removeRecursively())
        qWarning("image %s: some files could not be deleted from %s", name.c_str(), qPrintable(trash));
    return {};
}

}  // namespace mr::hv
