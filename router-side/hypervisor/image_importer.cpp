#include "image_importer.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "image_store.h"

namespace mr::hv {

namespace {

constexpr qint64 kChunk = 1 << 20;
constexpr qint64 kHead = 4096;
constexpr qint64 kMaxListing = 8 << 20;  // tar's listing output
constexpr int kMaxStderr = 4096;

// ------------------------------------------------------------ progress

// Maps the work of one stage onto a slice of 0..100 and reports each new percent once.
class Reporter {
public:
    Reporter(const ImageImporter::Progress& progress, const std::atomic<bool>* cancelled)
        : progress_(progress), cancelled_(cancelled)
    {
    }
    void stage(int from, int to)
    {
        from_ = from;
        to_ = to;
        at(0, 1);
    }
    void at(qint64 done, qint64 total)
    {
        const double f = total > 0 ? std::clamp(double(done) / double(total), 0.0, 1.0) : 1.0;
        const int p = from_ + int((to_ - from_) * f);
        if (p > last_) {
            last_ = p;
            if (progress_)
                progress_(p);
        }
    }
    bool cancelled() const { return cancelled_ && cancelled_->load(); }

private:
    const ImageImporter::Progress& progress_;
    const std::atomic<bool>* cancelled_;
    int from_ = 0;
    int to_ = 0;
    int last_ = -1;
};

mr::Error cancelledError()
{
    return mr::Error::failed("the import was cancelled");
}

mr::Error contentError(const std::string& message)
{
    return mr::Error::invalid("file-name", message);
}

std::string human(qint64 bytes)
{
    if (bytes >= (qint64(1) << 30) && bytes % (qint64(1) << 30) == 0)
        return std::to_string(bytes >> 30) + " GiB";
    if (bytes >= (1 << 20) && bytes % (1 << 20) == 0)
        return std::to_string(bytes >> 20) + " MiB";
    return std::to_string(bytes) + " bytes";
}

// ------------------------------------------------------------ formats

enum class Compression { None, Gzip, Xz, Bzip2, Zstd };

struct Decompressor {
    const char* program;
    const char* tarFlag;
    const char* package;
};

Decompressor decompressor(Compression c)
{
    switch (c) {
    case Compression::Gzip: return {"gzip", "--gzip", "gzip"};
    case Compression::Xz: return {"xz", "--xz", "xz-utils"};
    case Compression::Bzip2: return {"bzip2", "--bzip2", "bzip2"};
    case Compression::Zstd: return {"zstd", "--zstd", "zstd"};
    case Compression::None: break;
    }
    return {nullptr, nullptr, nullptr};
}

bool hasAt(const QByteArray& head, qsizetype offset, const QByteArray& magic)
{
    return head.size() >= offset + magic.size() && head.mid(offset, magic.size()) == magic;
}

Compression compressionOf(const QByteArray& head)
{
    if (hasAt(head, 0, QByteArray("\x1f\x8b", 2)))
        return Compression::Gzip;
    if (hasAt(head, 0, QByteArray("\xfd" "7zXZ\x00", 6)))
        return Compression::Xz;
    if (hasAt(head, 0, "BZh"))
        return Compression::Bzip2;
    if (hasAt(head, 0, QByteArray("\x28\xb5\x2f\xfd", 4)))
        return Compression::Zstd;
    return Compression::None;
}

bool isTar(const QByteArray& head)
{
    return hasAt(head, 257, "ustar");
}

bool isQcow2(const QByteArray& head)
{
    return hasAt(head, 0, QByteArray("QFI\xfb", 4));
}

// A partitioned (MBR or GPT) disk: what a bootable raw image starts with.
bool isPartitionedDisk(const QByteArray& head)
{
    return hasAt(head, 510, QByteArray("\x55\xaa", 2)) || hasAt(head, 512, "EFI PART");
}

bool isKernel(const QByteArray& head)
{
    return hasAt(head, 0x202, "HdrS") || hasAt(head, 0, "\x7f" "ELF");
}

bool isInitrd(const QByteArray& head)
{
    return compressionOf(head) != Compression::None || hasAt(head, 0, "070701") || hasAt(head, 0, "070702") ||
           hasAt(head, 0, "070707") || hasAt(head, 0, QByteArray("\x5d\x00\x00", 3)) ||
           hasAt(head, 0, QByteArray("\x02\x21\x4c\x18", 4)) || hasAt(head, 0, QByteArray("\x89LZO", 4));
}

bool isRootFs(const QByteArray& head)
{
    return hasAt(head, 1080, QByteArray("\x53\xef", 2)) || hasAt(head, 0, "hsqs");
}

QByteArray readHead(const QString& path, qint64 bytes = kHead)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.read(bytes);
}

mr::Result<QString> tool(const char* program, const char* package)
{
    const QString p = QStandardPaths::findExecutable(QString::fromLatin1(program));
    if (p.isEmpty())
        return mr::Error::failed(std::string(program) + " not found (install " + package + ")");
    return p;
}

// ------------------------------------------------------------ running tools

struct ToolRun {
    QString program;
    QStringList args;
    QString workDir;
    QString stdinFile;        // fed to the tool's standard input; progress follows it
    qint64 stdinLimit = -1;   // feed at most this much (peeking)
    // Standard output. Returning false stops the tool (enough, or an error the caller keeps).
    std::function<bool(const char* data, qint64 size)> out;
    qint64 fileSizeLimit = 0;  // RLIMIT_FSIZE: no file the tool writes grows beyond it
    qint64 memoryLimit = 0;    // RLIMIT_AS
    int cpuSeconds = 0;        // RLIMIT_CPU
};

struct ToolResult {
    bool stopped = false;  // out() asked to stop
    bool crashed = false;
    int exitCode = 0;
    QString errors;        // the end of standard error
};

mr::Result<ToolResult> run(const ToolRun& spec, Reporter& reporter)
{
    QProcess p;
    p.setProgram(spec.program);
    p.setArguments(spec.args);
    if (!spec.workDir.isEmpty())
        p.setWorkingDirectory(spec.workDir);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    env.remove(QStringLiteral("TAR_OPTIONS"));
    env.remove(QStringLiteral("GZIP"));
    env.remove(QStringLiteral("XZ_OPT"));
    env.remove(QStringLiteral("XZ_DEFAULTS"));
    p.setProcessEnvironment(env);
    const qint64 fsize = spec.fileSizeLimit;
    const qint64 mem = spec.memoryLimit;
    const int cpu = spec.cpuSeconds;
    p.setChildProcessModifier([fsize, mem, cpu] {
        // Async-signal-safe calls only: this runs between fork and exec.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        struct rlimit none = {0, 0};
        ::setrlimit(RLIMIT_CORE, &none);
        if (fsize > 0) {
            struct rlimit l = {rlim_t(fsize), rlim_t(fsize)};
            ::setrlimit(RLIMIT_FSIZE, &l);
        }
        if (mem > 0) {
            struct rlimit l = {rlim_t(mem), rlim_t(mem)};
            ::setrlimit(RLIMIT_AS, &l);
        }
        if (cpu > 0) {
            struct rlimit l = {rlim_t(cpu), rlim_t(cpu)};
            ::setrlimit(RLIMIT_CPU, &l);
        }
    });

    QFile in;
    qint64 inputSize = 0;
    if (!spec.stdinFile.isEmpty()) {
        in.setFileName(spec.stdinFile);
        if (!in.open(QIODevice::ReadOnly))
            return mr::Error::failed("cannot read " + spec.stdinFile.toStdString() + ": " +
                                     in.errorString().toStdString());
        inputSize = spec.stdinLimit >= 0 ? std::min(spec.stdinLimit, in.size()) : in.size();
    } else {
        p.setStandardInputFile(QProcess::nullDevice());
    }
    if (!spec.out)
        p.setStandardOutputFile(QProcess::nullDevice());
    p.start(QIODevice::ReadWrite);
    const std::string name = QFileInfo(spec.program).fileName().toStdString();
    if (!p.waitForStarted(10000))
        return mr::Error::failed("cannot run " + name + ": " + p.errorString().toStdString());

    ToolResult result;
    qint64 fed = 0;
    bool inputDone = spec.stdinFile.isEmpty();
    QByteArray errors;
    QByteArray buf(kChunk, Qt::Uninitialized);
    auto stop = [&p] {
        p.kill();
        p.waitForFinished(5000);
    };
    auto drain = [&]() -> bool {
        errors += p.readAllStandardError();
        if (errors.size() > kMaxStderr)
            errors = errors.right(kMaxStderr);
        if (!spec.out)
            return true;
        for (;;) {
            const qint64 n = p.read(buf.data(), buf.size());
            if (n <= 0)
                return true;
            if (!spec.out(buf.constData(), n))
                return false;
        }
    };
    for (;;) {
        if (reporter.cancelled()) {
            stop();
            return cancelledError();
        }
        if (!inputDone && p.bytesToWrite() < kChunk) {
            const qint64 want = std::min(kChunk, inputSize - fed);
            const QByteArray chunk = want > 0 ? in.read(want) : QByteArray();
            if (chunk.isEmpty()) {
                p.closeWriteChannel();
                inputDone = true;
            } else {
                p.write(chunk);
                fed += chunk.size();
                reporter.at(fed, inputSize);
            }
        }
        if (!drain()) {
            result.stopped = true;
            stop();
            break;
        }
        if (p.state() == QProcess::NotRunning) {
            if (!drain())
                result.stopped = true;
            break;
        }
        // Block until something happens; never spin.
        if (!inputDone && p.bytesToWrite() >= kChunk) {
            p.waitForBytesWritten(50);
        } else if (inputDone) {
            if (!spec.out || !p.waitForReadyRead(200))
                p.waitForFinished(spec.out ? 20 : 200);
        }
    }
    p.setReadChannel(QProcess::StandardError);
    errors += p.readAll();
    result.crashed = p.exitStatus() != QProcess::NormalExit;
    result.exitCode = p.exitCode();
    result.errors = QString::fromLocal8Bit(errors.right(kMaxStderr)).trimmed();
    return result;
}

std::string toolFailure(const char* what, const ToolResult& r)
{
    std::string msg = std::string(what) + " failed";
    if (r.crashed)
        msg += " (killed)";
    else
        msg += " (exit " + std::to_string(r.exitCode) + ")";
    if (!r.errors.isEmpty()) {
        const QStringList lines = r.errors.split('\n', Qt::SkipEmptyParts);
        msg += ": " + lines.mid(std::max<qsizetype>(0, lines.size() - 3)).join(QStringLiteral("; ")).toStdString();
    }
    return msg;
}

// The first bytes after decompression, without decompressing everything.
mr::Result<QByteArray> peekDecompressed(const QString& file, Compression c, Reporter& reporter)
{
    const Decompressor d = decompressor(c);
    auto program = tool(d.program, d.package);
    if (!program)
        return program.error();
    QByteArray head;
    ToolRun spec;
    spec.program = *program;
    spec.args = {QStringLiteral("-dc")};
    spec.stdinFile = file;
    spec.stdinLimit = 4 << 20;
    spec.cpuSeconds = 30;
    spec.out = [&head](const char* data, qint64 n) {
        head.append(data, std::min<qint64>(n, kHead - head.size()));
        return head.size() < kHead;
    };
    auto r = run(spec, reporter);
    if (!r)
        return r.error();
    if (head.isEmpty())
        return contentError(std::string("the file looks ") + d.program + " compressed but does not decompress" +
                            (r->errors.isEmpty() ? std::string() : ": " + r->errors.toStdString()));
    return head;
}

// ------------------------------------------------------------ archives

struct Member {
    char type = '-';
    qint64 size = 0;
    QString name;  // normalized: no "./", no trailing '/'
};

// Checks a member name and returns it normalized, or an error naming it.
mr::Result<QString> memberName(const QString& raw)
{
    const std::string shown = raw.toStdString();
    if (raw.startsWith('/'))
        return contentError("archive member " + shown + " has an absolute path");
    for (const QChar ch : raw)
        if (ch == '\\' || ch.unicode() < 0x20 || ch.unicode() == 0x7f)
            return contentError("archive member " + shown + " has unusual characters in its name");
    QStringList parts;
    for (const QString& part : raw.split('/', Qt::SkipEmptyParts)) {
        if (part == QLatin1String(".."))
            return contentError("archive member " + shown + " escapes the archive with '..'");
        if (part != QLatin1String("."))
            parts << part;
    }
    return parts.join('/');
}

// Parses `tar --list --verbose --numeric-owner --full-time --quoting-style=escape` and
// checks every member against the rules and limits.
mr::Result<std::vector<Member>> checkListing(const QByteArray& listing, const ImportLimits& limits)
{
    std::vector<Member> members;
    std::map<QString, char> seen;
    qint64 total = 0;
    for (const QByteArray& lineBytes : listing.split('\n')) {
        if (lineBytes.isEmpty())
            continue;
        const QString line = QString::fromUtf8(lineBytes);
        // mode owner/group size date time name
        int pos = 0;
        QStringList fields;
        for (int f = 0; f < 5; ++f) {
            while (pos < line.size() && line[pos] == ' ')
                ++pos;
            const int start = pos;
            while (pos < line.size() && line[pos] != ' ')
                ++pos;
            fields << line.mid(start, pos - start);
        }
        if (pos >= line.size() || fields[0].size() != 10)
            return contentError("cannot read the archive's listing: " + line.toStdString());
        const QString rawName = line.mid(pos + 1);
        Member m;
        m.type = fields[0][0].toLatin1();
        const std::string shown = rawName.toStdString();
        switch (m.type) {
        case '-':
        case 'd':
            break;
        case 'l':
            return contentError("archive member " + shown + " is a symbolic link; links are not accepted");
        case 'h':
            return contentError("archive member " + shown + " is a hard link; links are not accepted");
        case 'c':
        case 'b':
            return contentError("archive member " + shown + " is a device file");
        case 'p':
            return contentError("archive member " + shown + " is a named pipe");
        case 's':
            return contentError("archive member " + shown + " is a socket");
        default:
            return contentError("archive member " + shown + " has an unsupported type '" + std::string(1, m.type) +
                                "'");
        }
        auto name = memberName(rawName);
        if (!name)
            return name.error();
        m.name = *name;
        bool ok = false;
        m.size = fields[2].toLongLong(&ok);
        if (!ok || m.size < 0)
            return contentError("cannot read the size of archive member " + shown);
        if (m.name.isEmpty()) {
            if (m.type == 'd')
                continue;  // "./"
            return contentError("archive member " + shown + " has no name");
        }
        if (m.size > limits.maxFileBytes)
            return contentError("archive member " + shown + " is " + std::to_string(m.size) +
                                " bytes, more than the limit of " + human(limits.maxFileBytes) + " per file");
        total += m.size;
        if (total > limits.maxTotalBytes)
            return contentError("the archive unpacks to more than the limit of " + human(limits.maxTotalBytes));
        if (static_cast<int>(members.size()) >= limits.maxEntries)
            return contentError("the archive has more than " + std::to_string(limits.maxEntries) + " members");
        auto [it, inserted] = seen.emplace(m.name, m.type);
        if (!inserted) {
            if (m.type == 'd' && it->second == 'd')
                continue;
            return contentError("archive member " + shown + " appears more than once");
        }
        members.push_back(m);
    }
    // A file cannot also be a directory on the way to another member.
    for (const Member& m : members) {
        for (int slash = m.name.indexOf('/'); slash > 0; slash = m.name.indexOf('/', slash + 1)) {
            auto it = seen.find(m.name.left(slash));
            if (it != seen.end() && it->second != 'd')
                return contentError("archive member " + m.name.toStdString() + " lies under a file");
        }
    }
    if (members.empty())
        return contentError("the archive is empty");
    return members;
}

// What was unpacked, checked again on disk: only files and directories, within the limits.
mr::Status checkUnpacked(const QString& dir, const ImportLimits& limits)
{
    qint64 total = 0;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        struct stat st {};
        if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
            return mr::Error::failed("cannot inspect the unpacked " + path.toStdString());
        const std::string rel = QDir(dir).relativeFilePath(path).toStdString();
        if (S_ISDIR(st.st_mode))
            continue;
        if (!S_ISREG(st.st_mode))
            return contentError("archive member " + rel + " is not a regular file");
        if (st.st_size > limits.maxFileBytes)
            return contentError("archive member " + rel + " is larger than the limit of " +
                                human(limits.maxFileBytes) + " per file");
        total += st.st_size;
        if (total > limits.maxTotalBytes)
            return contentError("the archive unpacks to more than the limit of " + human(limits.maxTotalBytes));
    }
    return {};
}

mr::Result<std::vector<Member>> listArchive(const QString& file, Compression c, const ImportLimits& limits,
                                            Reporter& reporter)
{
    auto tar = tool("tar", "tar");
    if (!tar)
        return tar.error();
    QByteArray listing;
    bool tooLong = false;
    ToolRun spec;
    spec.program = *tar;
    // -P: show names exactly as stored, so that "/" and ".." are seen, not stripped.
    spec.args = {QStringLiteral("--list"), QStringLiteral("--verbose"), QStringLiteral("--numeric-owner"),
                 QStringLiteral("--full-time"), QStringLiteral("--quoting-style=escape"),
                 QStringLiteral("--absolute-names"), QStringLiteral("--file=-")};
    if (c != Compression::None)
        spec.args << QString::fromLatin1(decompressor(c).tarFlag);
    spec.stdinFile = file;
    spec.out = [&](const char* data, qint64 n) {
        listing.append(data, n);
        tooLong = listing.size() > kMaxListing;
        return !tooLong;
    };
    auto r = run(spec, reporter);
    if (!r)
        return r.error();
    if (tooLong)
        return contentError("the archive has too many members");
    if (r->crashed || r->exitCode != 0)
        return contentError(toolFailure("reading the archive", *r));
    return checkListing(listing, limits);
}

mr::Status extractArchive(const QString& file, Compression c, const QString& into, const ImportLimits& limits,
                          Reporter& reporter)
{
    auto tar = tool("tar", "tar");
    if (!tar)
        return tar.error();
    ToolRun spec;
    spec.program = *tar;
    spec.args = {QStringLiteral("--extract"), QStringLiteral("--file=-"), QStringLiteral("--directory=") + into,
                 QStringLiteral("--no-same-owner"), QStringLiteral("--no-same-permissions"),
                 QStringLiteral("--keep-old-files"),
                 QStringLiteral("--no-acls"), QStringLiteral("--no-selinux"), QStringLiteral("--no-xattrs"),
                 QStringLiteral("--warning=no-timestamp")};
    if (c != Compression::None)
        spec.args << QString::fromLatin1(decompressor(c).tarFlag);
    spec.stdinFile = file;
    // A member that grows beyond the per-file limit while unpacking (the
    // archive changed since it was listed) gets tar killed with SIGXFSZ.
    spec.fileSizeLimit = limits.maxFileBytes;
    auto r = run(spec, reporter);
    if (!r)
        return r.error();
    if (r->crashed || r->exitCode != 0)
        return contentError(toolFailure("unpacking the archive", *r));
    return checkUnpacked(into, limits);
}

// ------------------------------------------------------------ disks

struct DiskCheck {
    QString format;
    qint64 virtualBytes = 0;
};

mr::Result<DiskCheck> checkDisk(const QString& path, const QString& qemuImgGiven, Reporter& reporter)
{
    QString qemuImg = qemuImgGiven;
    if (qemuImg.isEmpty()) {
        auto t = tool("qemu-img", "qemu-utils");
        if (!t)
            return t.error();
        qemuImg = *t;
    }
    auto qemu = [&](const QStringList& args) -> mr::Result<QByteArray> {
        QByteArray out;
        ToolRun spec;
        spec.program = qemuImg;
        spec.args = args;
        // As OpenStack does for untrusted images: bounded memory and CPU.
        spec.memoryLimit = qint64(1) << 30;
        spec.cpuSeconds = 60;
        spec.out = [&out](const char* data, qint64 n) {
            out.append(data, n);
            return out.size() < (1 << 20);
        };
        auto r = run(spec, reporter);
        if (!r)
            return r.error();
        if (r->crashed || r->exitCode != 0)
            return contentError(toolFailure(("qemu-img " + args.value(0).toStdString()).c_str(), *r));
        return out;
    };
    auto info = qemu({QStringLiteral("info"), QStringLiteral("--output=json"), path});
    if (!info)
        return info.error();
    const QJsonObject o = QJsonDocument::fromJson(*info).object();
    DiskCheck d;
    d.format = o.value(QStringLiteral("format")).toString();
    d.virtualBytes = o.value(QStringLiteral("virtual-size")).toInteger();
    if (d.format == QLatin1String("qcow2")) {
        if (o.contains(QStringLiteral("backing-filename")) || o.contains(QStringLiteral("full-backing-filename")))
            return contentError("the qcow2 image has a backing file; only self-contained images are accepted");
        const QJsonObject data =
            o.value(QStringLiteral("format-specific")).toObject().value(QStringLiteral("data")).toObject();
        if (data.contains(QStringLiteral("data-file")))
            return contentError("the qcow2 image has an external data file; only self-contained images are accepted");
        auto check = qemu({QStringLiteral("check"), QStringLiteral("-q"), QStringLiteral("-f"), QStringLiteral("qcow2"),
                           path});
        if (!check)
            return contentError("the qcow2 image is damaged: " + check.error().message);
        return d;
    }
    if (d.format == QLatin1String("raw")) {
        if (!isPartitionedDisk(readHead(path, 1024)))
            return contentError("not a bootable disk image (no partition table), an archive or a qcow2 image");
        return d;
    }
    return contentError("disk images in " + d.format.toStdString() +
                        " format are not accepted; convert it to qcow2 or raw (qemu-img convert)");
}

// Decompresses (or copies) src to dst, within the size limit.
mr::Status unpackDisk(const QString& src, Compression c, const QString& dst, const ImportLimits& limits,
                      Reporter& reporter)
{
    QFile out(dst);
    if (!out.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return mr::Error::failed("cannot create " + dst.toStdString() + ": " + out.errorString().toStdString());
    qint64 written = 0;
    std::string writeError;
    bool tooLarge = false;
    auto sink = [&](const char* data, qint64 n) {
        if (written + n > limits.maxFileBytes) {
            tooLarge = true;
            return false;
        }
        if (out.write(data, n) != n) {
            writeError = out.errorString().toStdString();
            return false;
        }
        written += n;
        return true;
    };
    if (c == Compression::None) {
        QFile in(src);
        if (!in.open(QIODevice::ReadOnly))
            return mr::Error::failed("cannot read " + src.toStdString() + ": " + in.errorString().toStdString());
        QByteArray buf(kChunk, Qt::Uninitialized);
        for (;;) {
            if (reporter.cancelled())
                return cancelledError();
            const qint64 n = in.read(buf.data(), buf.size());
            if (n < 0)
                return mr::Error::failed("cannot read " + src.toStdString() + ": " + in.errorString().toStdString());
            if (n == 0)
                break;
            if (!sink(buf.constData(), n))
                break;
            reporter.at(written, in.size());
        }
    } else {
        const Decompressor d = decompressor(c);
        auto program = tool(d.program, d.package);
        if (!program)
            return program.error();
        ToolRun spec;
        spec.program = *program;
        spec.args = {QStringLiteral("-dc")};
        spec.stdinFile = src;
        spec.out = sink;
        auto r = run(spec, reporter);
        if (!r)
            return r.error();
        // gzip's 2 is a warning: OpenWrt images carry a signature after the gzip data.
        const bool warningOnly = c == Compression::Gzip && r->exitCode == 2;
        if (!r->stopped && (r->crashed || (r->exitCode != 0 && !warningOnly)))
            return contentError(toolFailure((std::string("decompressing (") + d.program + ")").c_str(), *r));
    }
    if (tooLarge)
        return contentError("the disk image is larger than the limit of " + human(limits.maxFileBytes));
    if (!writeError.empty())
        return mr::Error::failed("cannot write " + dst.toStdString() + ": " + writeError);
    if (!out.flush() || ::fsync(out.handle()) != 0)
        return mr::Error::failed("cannot write " + dst.toStdString() + ": " + out.errorString().toStdString());
    if (written == 0)
        return contentError("the disk image is empty");
    return {};
}

// ------------------------------------------------------------ choosing the parts of an archive

struct Parts {
    QString kernel;
    QString initrd;
    QString disk;  // a bootable disk, or the root file system with a kernel
    QString append;
    std::map<std::string, std::string> manifest;
};

// The directory holding the image: the top, or the single directory everything is in.
QString archiveRoot(const QString& unpacked)
{
    QString root = unpacked;
    for (int depth = 0; depth < 2; ++depth) {
        const QStringList entries = QDir(root).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
        if (entries.size() != 1 || !QFileInfo(root + '/' + entries[0]).isDir())
            break;
        root += '/' + entries[0];
    }
    return root;
}

mr::Result<QString> manifestPath(const QString& root, const std::string& key, const std::string& value)
{
    auto rel = memberName(QString::fromStdString(value));
    if (!rel || rel->isEmpty())
        return contentError("manifest " + key + "=" + value + " is not a path inside the archive");
    const QString path = root + '/' + *rel;
    const QFileInfo fi(path);
    if (fi.isSymLink() || !fi.isFile())
        return contentError("the manifest's " + key + "=" + value + " is not in the archive");
    return path;
}

mr::Result<Parts> chooseParts(const QString& unpacked)
{
    const QString root = archiveRoot(unpacked);
    Parts parts;
    const QString manifest = root + QStringLiteral("/manifest");
    if (QFileInfo(manifest).isFile()) {
        auto m = ImageStore::parseManifest(manifest);
        if (!m)
            return contentError("the archive's manifest: " + m.error().text());
        parts.manifest = *m;
        auto get = [&parts](const char* key) {
            auto it = parts.manifest.find(key);
            return it == parts.manifest.end() ? std::string() : it->second;
        };
        for (const char* key : {"kernel", "initrd", "disk", "rootfs"}) {
            const std::string v = get(key);
            if (v.empty())
                continue;
            auto p = manifestPath(root, key, v);
            if (!p)
                return p.error();
            (std::string(key) == "kernel" ? parts.kernel
             : std::string(key) == "initrd" ? parts.initrd
                                             : parts.disk) = *p;
        }
        parts.append = QString::fromStdString(!get("cmdline").empty() ? get("cmdline") : get("append"));
        if (parts.kernel.isEmpty() && parts.disk.isEmpty())
            return contentError("the archive's manifest names neither a kernel nor a disk");
        return parts;
    }

    // No manifest: recognize the parts by content, then by name.
    QStringList kernels, initrds, rootfss, disks;
    QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString base = QFileInfo(path).fileName().toLower();
        const QByteArray head = readHead(path, 2048);
        if (isKernel(head))
            kernels << path;
        else if ((base.startsWith(QLatin1String("initrd")) || base.startsWith(QLatin1String("initramfs"))) &&
                 isInitrd(head))
            initrds << path;
        else if (isRootFs(head))
            rootfss << path;
        else if (isQcow2(head) || isPartitionedDisk(head))
            disks << path;
    }
    auto names = [&root](const QStringList& l) {
        QStringList out;
        for (const QString& p : l)
            out << QDir(root).relativeFilePath(p);
        return out.join(QStringLiteral(", ")).toStdString();
    };
    if (kernels.size() > 1) {
        QStringList preferred;
        for (const QString& k : kernels)
            if (QFileInfo(k).fileName().startsWith(QLatin1String("vmlinuz")))
                preferred << k;
        if (preferred.size() != 1)
            return contentError("the archive holds several kernels (" + names(kernels) +
                                "); add a manifest naming one");
        kernels = preferred;
    }
    if (kernels.isEmpty()) {
        if (disks.size() == 1)
            parts.disk = disks[0];
        else if (disks.size() > 1)
            return contentError("the archive holds several disk images (" + names(disks) +
                                "); add a manifest naming one");
        else
            return contentError("the archive holds no Linux kernel (bzImage) and no bootable disk image");
        return parts;
    }
    parts.kernel = kernels[0];
    if (initrds.size() > 1)
        return contentError("the archive holds several initrds (" + names(initrds) + "); add a manifest naming one");
    if (initrds.size() == 1)
        parts.initrd = initrds[0];
    if (rootfss.size() > 1)
        return contentError("the archive holds several root file systems (" + names(rootfss) +
                            "); add a manifest naming one");
    if (rootfss.size() == 1)
        parts.disk = rootfss[0];
    if (parts.initrd.isEmpty() && parts.disk.isEmpty())
        return contentError("the archive holds a kernel but no initrd or root file system image");
    parts.append = QStringLiteral("console=ttyS0");
    if (!parts.disk.isEmpty() && parts.initrd.isEmpty())
        parts.append += QStringLiteral(" root=/dev/vda");
    return parts;
}

// ------------------------------------------------------------ finishing

mr::Status moveInto(const QString& from, const QString& to)
{
    if (::rename(QFile::encodeName(from).constData(), QFile::encodeName(to).constData()) != 0)
        return mr::Error::failed("cannot move " + from.toStdString() + " to " + to.toStdString() + ": " +
                                 std::strerror(errno));
    QFile::setPermissions(to, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    return {};
}

// Renames the finished image directory into the store without replacing anything.
mr::Result<std::string> publish(const QString& ready, const QString& imagesDir, const std::string& name,
                                bool renameIfTaken)
{
    for (int n = 1; n < 1000; ++n) {
        const std::string candidate = n == 1 ? name : name + "-" + std::to_string(n);
        if (n > 1 && candidate.size() > static_cast<std::size_t>(ImageStore::kMaxNameLength))
            break;
        const QString target = imagesDir + '/' + QString::fromStdString(candidate);
        if (candidate != ImageStore::kDefaultName &&
            ::renameat2(AT_FDCWD, QFile::encodeName(ready).constData(), AT_FDCWD,
                        QFile::encodeName(target).constData(), RENAME_NOREPLACE) == 0)
            return candidate;
        if (candidate != ImageStore::kDefaultName && errno != EEXIST && errno != ENOTEMPTY)
            return mr::Error::failed("cannot move the image into " + target.toStdString() + ": " +
                                     std::strerror(errno));
        if (!renameIfTaken)
            return mr::Error::exists("name", "an image named " + candidate + " exists already");
    }
    return mr::Error::exists("name", "no free image name like " + name);
}

mr::Result<int> memoryFrom(const std::map<std::string, std::string>& m, const char* key, int fallback,
                           const ImportLimits& limits)
{
    auto it = m.find(key);
    if (it == m.end() || it->second.empty())
        return fallback;
    bool ok = false;
    const int v = QString::fromStdString(it->second).toInt(&ok);
    if (!ok || v < limits.minMemoryMiB || v > limits.maxMemoryMiB)
        return contentError("the manifest's " + std::string(key) + "=" + it->second + " must be between " +
                            std::to_string(limits.minMemoryMiB) + " and " + std::to_string(limits.maxMemoryMiB) +
                            " MiB");
    return v;
}

}  // namespace

// ------------------------------------------------------------ the import

mr::Result<GuestImage> ImageImporter::importNow(const QString& file, const QString& imagesDir,
                                                const std::string& imageName, const ImportLimits& limits,
                                                const Options& options, const Progress& progress,
                                                const std::atomic<bool>* cancelled)
{
    if (auto st = ImageStore::validateName(imageName); !st)
        return st.error();
    struct stat st {};
    if (::stat(QFile::encodeName(file).constData(), &st) != 0 || !S_ISREG(st.st_mode))
        return mr::Error::notFound("no such file: " + QFileInfo(file).fileName().toStdString(), "file-name");
    if (st.st_size == 0)
        return contentError("the file is empty");
    if (!QDir().mkpath(imagesDir))
        return mr::Error::failed("cannot create " + imagesDir.toStdString());

    Reporter reporter(progress, cancelled);
    reporter.stage(0, 1);

    // Everything happens in a private directory next to the store: a failure
    // at any point removes it, success is one rename.
    QTemporaryDir work(imagesDir + QStringLiteral("/.import-") + QString::fromStdString(imageName) +
                       QStringLiteral("-XXXXXX"));
    if (!work.isValid())
        return mr::Error::failed("cannot create a work directory in " + imagesDir.toStdString() + ": " +
                                 work.errorString().toStdString());
    const QString ready = work.path() + QStringLiteral("/image");
    const QString unpacked = work.path() + QStringLiteral("/unpacked");
    if (!QDir().mkdir(ready) || !QDir().mkdir(unpacked))
        return mr::Error::failed("cannot create a work directory in " + work.path().toStdString());

    QByteArray head = readHead(file);
    const Compression compression = compressionOf(head);
    if (compression != Compression::None) {
        auto inner = peekDecompressed(file, compression, reporter);
        if (!inner)
            return inner.error();
        head = *inner;
    }

    GuestImage image;
    image.name = imageName;
    std::map<std::string, std::string> manifest;
    if (isTar(head)) {
        reporter.stage(1, 40);
        auto members = listArchive(file, compression, limits, reporter);
        if (!members)
            return members.error();
        reporter.stage(40, 90);
        if (auto s = extractArchive(file, compression, unpacked, limits, reporter); !s)
            return s.error();
        reporter.stage(90, 95);
        auto parts = chooseParts(unpacked);
        if (!parts)
            return parts.error();
        manifest = parts->manifest;
        if (!isKernel(readHead(parts->kernel)) && !parts->kernel.isEmpty())
            return contentError("the kernel " + QFileInfo(parts->kernel).fileName().toStdString() +
                                " is not a Linux kernel (bzImage or ELF)");
        if (!parts->initrd.isEmpty() && !isInitrd(readHead(parts->initrd)))
            return contentError("the initrd " + QFileInfo(parts->initrd).fileName().toStdString() +
                                " is not an initramfs (cpio, compressed or not)");
        if (!parts->kernel.isEmpty()) {
            if (auto s = moveInto(parts->kernel, ready + QStringLiteral("/vmlinuz")); !s)
                return s.error();
            image.kernel = ready + QStringLiteral("/vmlinuz");
            image.append = parts->append;
        }
        if (!parts->initrd.isEmpty()) {
            if (auto s = moveInto(parts->initrd, ready + QStringLiteral("/initrd.img")); !s)
                return s.error();
            image.initrd = ready + QStringLiteral("/initrd.img");
        }
        if (!parts->disk.isEmpty()) {
            const QString staged = ready + QStringLiteral("/disk.staged");
            if (auto s = moveInto(parts->disk, staged); !s)
                return s.error();
            if (image.kernel.isEmpty()) {
                auto d = checkDisk(staged, options.qemuImg, reporter);
                if (!d)
                    return d.error();
                image.diskFormat = d->format;
            } else {
                image.diskFormat = isQcow2(readHead(staged)) ? QStringLiteral("qcow2") : QStringLiteral("raw");
            }
            image.disk = ready + QStringLiteral("/disk.") +
                         (image.diskFormat == QLatin1String("qcow2") ? QStringLiteral("qcow2") : QStringLiteral("img"));
            if (auto s = moveInto(staged, image.disk); !s)
                return s.error();
        }
    } else if (isQcow2(head) || isPartitionedDisk(head)) {
        const QString staged = ready + QStringLiteral("/disk.staged");
        reporter.stage(1, 90);
        if (auto s = unpackDisk(file, compression, staged, limits, reporter); !s)
            return s.error();
        reporter.stage(90, 99);
        auto d = checkDisk(staged, options.qemuImg, reporter);
        if (!d)
            return d.error();
        image.diskFormat = d->format;
        image.disk = ready + QStringLiteral("/disk.") +
                     (image.diskFormat == QLatin1String("qcow2") ? QStringLiteral("qcow2") : QStringLiteral("img"));
        if (auto s = moveInto(staged, image.disk); !s)
            return s.error();
        image.defaultMemoryMiB = 128;
    } else {
        if (compression == Compression::None) {
            // Let qemu-img name the format (vmdk, vdi, ...) when it knows it.
            reporter.stage(1, 99);
            auto d = checkDisk(file, options.qemuImg, reporter);
            if (!d)
                return d.error();
        }
        return contentError("not an image: neither a tar archive, a qcow2 image nor a bootable disk image");
    }

    auto minMem = memoryFrom(manifest, "min-memory", image.minMemoryMiB, limits);
    if (!minMem)
        return minMem.error();
    image.minMemoryMiB = *minMem;
    auto defMem = memoryFrom(manifest, "default-memory", std::max(image.minMemoryMiB, image.defaultMemoryMiB), limits);
    if (!defMem)
        return defMem.error();
    image.defaultMemoryMiB = std::max(*defMem, image.minMemoryMiB);
    if (image.append.size() > 2047)
        return contentError("the kernel command line is longer than 2047 characters");
    if (auto s = ImageStore::writeManifest(ready, image); !s)
        return s.error();
    // The result must load exactly as the store will load it later.
    if (auto check = ImageStore::load(ready, imageName); !check)
        return check.error();

    if (reporter.cancelled())
        return cancelledError();
    auto name = publish(ready, imagesDir, imageName, options.renameIfTaken);
    if (!name)
        return name.error();
    auto loaded = ImageStore::load(imagesDir + '/' + QString::fromStdString(*name), *name);
    if (loaded && progress)
        progress(100);
    return loaded;
}

// ------------------------------------------------------------ the asynchronous front

struct ImageImporter::Job {
    std::string name;
    Progress progress;
    Done done;
    std::atomic<bool> cancelled{false};
    std::thread thread;
};

ImageImporter::ImageImporter(ImageStore& store, ImportLimits limits, QObject* parent)
    : QObject(parent), store_(store), limits_(limits)
{
    // Work directories of imports a crash interrupted.
    QDir dir(store_.imagesDir());
    const QStringList stale =
        dir.entryList({QStringLiteral(".import-*"), QStringLiteral(".remove-*")}, QDir::Dirs | QDir::Hidden);
    for (const QString& s : stale) {
        qInfo("removing the unfinished image import %s", qPrintable(s));
        QDir(dir.filePath(s)).removeRecursively();
    }
}

ImageImporter::~ImageImporter()
{
    for (auto& [id, job] : jobs_)
        job->cancelled = true;
    for (auto& [id, job] : jobs_)
        if (job->thread.joinable())
            job->thread.join();
}

mr::Status ImageImporter::start(const QString& file, const std::string& imageName, Progress progress, Done done)
{
    return start(file, imageName, std::move(progress), std::move(done), Options{});
}

mr::Status ImageImporter::start(const QString& file, const std::string& imageName, Progress progress, Done done,
                                const Options& options)
{
    const std::string name = imageName.empty() ? imageNameFor(file) : imageName;
    if (auto st = ImageStore::validateName(name); !st)
        return st;
    if (name == ImageStore::kDefaultName && !options.renameIfTaken)
        return mr::Error::exists("name", "the default image cannot be replaced");
    const QFileInfo fi(file);
    if (!fi.isFile())
        return mr::Error::notFound("no such file: " + fi.fileName().toStdString(), "file-name");
    for (const auto& [id, job] : jobs_)
        if (job->name == name)
            return mr::Error{wire::ERROR_BUSY, "image " + name + " is being imported already", "name"};

    const quint64 id = nextId_++;
    auto job = std::make_unique<Job>();
    job->name = name;
    job->progress = std::move(progress);
    job->done = std::move(done);
    Job* raw = job.get();
    jobs_.emplace(id, std::move(job));
    const QString imagesDir = store_.imagesDir();
    const ImportLimits limits = limits_;
    raw->thread = std::thread([this, id, raw, file, imagesDir, name, limits, options] {
        // The worker only posts to this object; the destructor joins it
        // before `this` goes away, and Qt drops what is still queued.
        Progress report = [this, id](int percent) {
            QMetaObject::invokeMethod(
                this,
                [this, id, percent] {
                    auto it = jobs_.find(id);
                    if (it != jobs_.end() && it->second->progress)
                        it->second->progress(percent);
                },
                Qt::QueuedConnection);
        };
        auto result = importNow(file, imagesDir, name, limits, options, report, &raw->cancelled);
        QMetaObject::invokeMethod(
            this, [this, id, result = std::move(result)]() mutable { finish(id, std::move(result)); },
            Qt::QueuedConnection);
    });
    return {};
}

void ImageImporter::finish(quint64 id, mr::Result<GuestImage> result)
{
    auto it = jobs_.find(id);
    if (it == jobs_.end())
        return;
    std::unique_ptr<Job> job = std::move(it->second);
    jobs_.erase(it);
    if (job->thread.joinable())
        job->thread.join();
    if (result)
        qInfo("imported guest image %s from %s", result->name.c_str(), qPrintable(result->directory));
    if (job->done)
        job->done(std::move(result));
}

std::string ImageImporter::imageNameFor(const QString& file)
{
    QString base = QFileInfo(file).fileName();
    static const char* const suffixes[] = {".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tgz",  ".txz",
                                           ".tbz2",   ".tar",    ".gz",      ".xz",      ".bz2",  ".zst",
                                           ".qcow2",  ".img",    ".raw",     ".bin",     ".image"};
    for (bool stripped = true; stripped;) {
        stripped = false;
        for (const char* s : suffixes) {
            if (base.size() > qsizetype(std::strlen(s)) && base.endsWith(QLatin1String(s), Qt::CaseInsensitive)) {
                base.chop(qsizetype(std::strlen(s)));
                stripped = true;
                break;
            }
        }
    }
    std::string name;
    for (const QChar ch : base) {
        const char c = ch.toLatin1();
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        name += ok ? c : '-';
    }
    while (!name.empty() && (name[0] == '.' || name[0] == '-'))
        name.erase(0, 1);
    if (name.size() > static_cast<std::size_t>(ImageStore::kMaxNameLength))
        name.resize(ImageStore::kMaxNameLength);
    while (!name.empty() && (name.back() == '.' || name.back() == '-'))
        name.pop_back();
    return name.empty() ? std::string("image") : name;
}

}  // namespace mr::hv
