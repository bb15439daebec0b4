#include "metarouter_provider.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QStringList>

#include <algorithm>
#include <cstdio>

#include <pwd.h>

#include "disk_image.h"
#include "file_store.h"
#include "guest_report_channel.h"
#include "image_importer.h"
#include "metarouter_menus.h"
#include "object_store.h"
#include "qemu_monitor.h"
#include "system_provider.h"
#include "tap_device.h"
#include "vm_instance.h"

namespace mr::hv {

using agent::Mutation;
using namespace menus;

namespace {

// What QEMU itself needs beside the guest's RAM (TCG translation cache,
// device models), counted when deciding whether the host can take a VM.
constexpr int kQemuOverheadMiB = 64;

std::string get(const Properties& p, const std::string& key)
{
    auto it = p.find(key);
    return it == p.end() ? std::string() : it->second;
}

bool yes(const Properties& p, const std::string& key)
{
    return get(p, key) == "yes";
}

bool changed(const Mutation& m, const std::string& key)
{
    return get(m.before, key) != get(m.after, key);
}

long long toNumber(const std::string& s, long long fallback = 0)
{
    try {
        return s.empty() ? fallback : std::stoll(s);
    } catch (...) {
        return fallback;
    }
}

std::string randomMac()
{
    // Locally administered, unicast: 02:xx:xx:xx:xx:xx as in the manual.
    auto* rng = QRandomGenerator::system();
    char buf[18];
    std::snprintf(buf, sizeof buf, "02:%02X:%02X:%02X:%02X:%02X", rng->bounded(256), rng->bounded(256),
                  rng->bounded(256), rng->bounded(256), rng->bounded(256));
    return buf;
}

Status validName(const std::string& name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_.-]{1,32}$"));
    if (!re.match(QString::fromStdString(name)).hasMatch() || name == "." || name == "..")
        return Error::invalid("name", "invalid name '" + name +
                                          "': use 1 to 32 letters, digits, '-', '_' and '.'");
    return {};
}

// Hex number of a store id: "*1A" -> "1A"; names NICs and static taps.
std::string idSuffix(const std::string& id)
{
    return id.size() > 1 ? id.substr(1) : id;
}

QString nicId(const std::string& ifaceId)
{
    return QStringLiteral("nic") + QString::fromStdString(idSuffix(ifaceId));
}

qint64 memAvailableMiB()
{
    QFile f(QStringLiteral("/proc/meminfo"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith("MemAvailable:"))
            return line.mid(13).trimmed().split(' ').value(0).toLongLong() / 1024;
    return 0;
}

qint64 rssMiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (pid <= 0 || !f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() / 1024;
    return 0;
}

}  // namespace

MetarouterProvider::MetarouterProvider(Options options, agent::SystemProvider* system, QObject* parent)
    : QObject(parent),
      options_(std::move(options)),
      system_(system),
      images_(options_.stateDir + QStringLiteral("/images"), options_.defaultImageDir)
{
    connect(&pollTimer_, &QTimer::timeout, this, &MetarouterProvider::poll);
}

MetarouterProvider::~MetarouterProvider()
{
    // Instances first: their QMP replies must not reach a half-destroyed provider.
    for (auto& [id, vm] : vms_)
        vm->disconnect(this);
    vms_.clear();
}

std::vector<wire::MenuSchema> MetarouterProvider::menus() const
{
    return menus::all();
}

bool MetarouterProvider::persists(const std::string& menu) const
{
    return menu == kMetarouter || menu == kInterface || menu == kSettings;
}

// ------------------------------------------------------------------ lookups

Properties MetarouterProvider::props(const std::string& menu, const std::string& id) const
{
    const Properties* p = store_ ? store_->find(menu, id) : nullptr;
    return p ? *p : Properties{};
}

MetarouterSettings MetarouterProvider::settings() const
{
    return MetarouterSettings::fromProperties(props(kSettings, settingsId_));
}

std::string MetarouterProvider::vmIdByName(const std::string& name) const
{
    return name.empty() ? std::string() : store_->findBy(kMetarouter, "name", name);
}

QString MetarouterProvider::runtimeDir(const std::string& name) const
{
    return options_.stateDir + QStringLiteral("/metarouters/") + QString::fromStdString(name);
}

QString MetarouterProvider::diskPath(const std::string& name) const
{
    return runtimeDir(name) + QStringLiteral("/disk.qcow2");
}

VmInstance* MetarouterProvider::instance(const std::string& vmId) const
{
    auto it = vms_.find(vmId);
    return it == vms_.end() ? nullptr : it->second.get();
}

std::vector<std::string> MetarouterProvider::interfacesOf(const std::string& vmId) const
{
    std::vector<std::string> out;
    const std::string name = get(props(kMetarouter, vmId), "name");
    for (const std::string& id : store_->ids(kInterface))
        if (get(props(kInterface, id), "virtual-machine") == name)
            out.push_back(id);
    return out;
}

// ------------------------------------------------------------------ start

void MetarouterProvider::start(agent::ObjectStore& store)
{
    store_ = &store;
    Properties defaults;
    for (const auto& menu : menus::all())
        if (menu.path() == kSettings)
            for (const auto& p : menu.properties())
                defaults[p.name()] = p.default_value();
    settingsId_ = store.ensureSingleton(kSettings, defaults);

    if (auto st = netlink_.open(); !st)
        qWarning("metarouter: netlink: %s", st.error().text().c_str());
    if (const passwd* pw = ::getpwnam(options_.qemuUser.toLocal8Bit().constData())) {
        qemuUid_ = pw->pw_uid;
        qemuGid_ = pw->pw_gid;
    } else {
        qWarning("metarouter: no user %s; QEMU runs as uid 65534", qPrintable(options_.qemuUser));
        options_.qemuUser = QStringLiteral("65534:65534");
    }

    // The accelerator is decided once; metarouters wait for it.
    if (options_.accel != AccelMode::Auto) {
        AccelChoice c;
        c.accel = options_.accel == AccelMode::Kvm ? Accel::Kvm : Accel::Tcg;
        c.reason = QStringLiteral("%1: chosen with --accel").arg(c.accel == Accel::Kvm ? "KVM" : "TCG");
        QTimer::singleShot(0, this, [this, c] { onAccelChosen(c); });
    } else {
        auto image = images_.find(ImageStore::kDefaultName);
        AccelProbe::Options o;
        if (image) {
            o.kernel = image->kernel;
            o.initrd = image->initrd;
        }
        probe_ = std::make_unique<AccelProbe>(o);
        connect(probe_.get(), &AccelProbe::finished, this, &MetarouterProvider::onAccelChosen);
        probe_->start();
    }

    for (const std::string& id : store.ids(kInterface)) {
        const Properties p = props(kInterface, id);
        if (yes(p, "disabled") || vmIdByName(get(p, "virtual-machine")).empty())
            continue;
        if (auto st = setUpHost(id, p); !st)
            qWarning("metarouter interface %s: %s", get(p, "interface").c_str(), st.error().text().c_str());
    }
    for (const std::string& id : store.ids(kMetarouter)) {
        const Properties p = props(kMetarouter, id);
        const std::string name = get(p, "name");
        VmInstance& vm = ensureInstance(id, name);
        if (vm.tryAdopt()) {
            qInfo("metarouter %s: adopted the running QEMU (pid %lld)", name.c_str(), vm.pid());
            if (yes(p, "disabled"))
                vm.shutDown(settings().shutDownTimeoutS * 1000);
            continue;
        }
        if (yes(p, "disabled"))
            continue;
        if (auto st = startVm(id); !st)
            qWarning("metarouter %s: cannot start: %s", name.c_str(), st.error().text().c_str());
    }
    pollTimer_.start(options_.pollMs);
    schedulePublish();
}

void MetarouterProvider::onAccelChosen(const AccelChoice& choice)
{
    accelKnown_ = true;
    accel_ = choice.accel;
    const std::string name = choice.accel == Accel::Kvm ? "kvm" : "tcg";
    qInfo("metarouter: accelerator %s (%s)", name.c_str(), qPrintable(choice.reason));
    if (system_)
        system_->setVirtualization(name, choice.reason.toStdString());
    if (probe_)
        probe_.release()->deleteLater();  // we are inside its signal
    const auto waiting = std::exchange(waitingForAccel_, {});
    for (const std::string& id : waiting) {
        if (!store_->find(kMetarouter, id) || yes(props(kMetarouter, id), "disabled"))
            continue;
        if (auto st = launch(id); !st)
            qWarning("metarouter %s: cannot start: %s", get(props(kMetarouter, id), "name").c_str(),
                     st.error().text().c_str());
    }
    schedulePublish();
}

// ------------------------------------------------------------------ /metarouter

Result<GuestImage> MetarouterProvider::imageOf(const Properties& p) const
{
    std::string name = get(p, "image");
    if (name.empty())
        name = ImageStore::kDefaultName;
    auto image = images_.find(name);
    if (!image)
        return Error::invalid("image", "image '" + name + "' is not available: " + image.error().message);
    return image;
}

Status MetarouterProvider::checkMemory(const std::string& selfId, int memoryMiB) const
{
    const MetarouterSettings s = settings();
    qint64 claimable = 0;  // RAM that running guests were given but have not touched yet
    for (const auto& [id, vm] : vms_) {
        if (id == selfId)
            continue;
        const bool waiting = waitingForAccel_.count(id) != 0;
        if (!vm->isUp() && !waiting)
            continue;
        const qint64 given = toNumber(get(props(kMetarouter, id), "memory-size")) + kQemuOverheadMiB;
        claimable += std::max<qint64>(0, given - (waiting ? 0 : rssMiB(vm->pid())));
    }
    const qint64 available = memAvailableMiB();
    const qint64 spare = available - s.hostMemoryReserveMiB - claimable;
    const qint64 need = memoryMiB + kQemuOverheadMiB;
    if (need > spare)
        return Error{wire::ERROR_BUSY,
                     "not enough host memory for memory-size=" + std::to_string(memoryMiB) + "MiB (" +
                         std::to_string(need) + " MiB with QEMU): the host has " + std::to_string(available) +
                         " MiB available, keeps " + std::to_string(s.hostMemoryReserveMiB) +
                         " MiB (host-memory-reserve in /metarouter settings) and running metarouters may still claim " +
                         std::to_string(claimable) + " MiB",
                     "memory-size"};
    return {};
}

Status MetarouterProvider::prepareMetarouter(Mutation& m)
{
    Properties& a = m.after;
    if (m.kind == Mutation::Kind::Remove)
        return {};
    const MetarouterSettings s = settings();
    if (m.kind == Mutation::Kind::Add) {
        if (get(a, "name").empty()) {
            for (int n = 1;; ++n) {
                const std::string candidate = "mr" + std::to_string(n);
                if (vmIdByName(candidate).empty()) {
                    a["name"] = candidate;
                    break;
                }
            }
        }
        if (int(store_->ids(kMetarouter).size()) >= s.maxMetarouters)
            return Error{wire::ERROR_BUSY,
                         "there are " + std::to_string(s.maxMetarouters) +
                             " metarouters already (max-metarouters in /metarouter settings)",
                         "name"};
    }
    const std::string name = get(a, "name");
    if (auto st = validName(name); !st)
        return st;
    const std::string other = vmIdByName(name);
    if (!other.empty() && other != m.id)
        return Error::exists("name", "a metarouter named '" + name + "' exists already");

    VmInstance* vm = instance(m.id);
    const bool up = (vm && vm->isUp()) || waitingForAccel_.count(m.id);
    if (m.kind == Mutation::Kind::Set) {
        if (changed(m, "name") && up)
            return Error::invalid("name", "shut " + get(m.before, "name") + " down before renaming it");
        if (changed(m, "disk-size"))
            return Error::invalid("disk-size", "disk-size cannot be changed once the disk exists; "
                                               "remove the metarouter and add it again");
        if (changed(m, "image") && up)
            return Error::invalid("image", "shut " + name + " down before changing its image");
    }
    auto image = imageOf(a);
    if (!image)
        return image.error();
    if (get(a, "memory-size").empty() || get(a, "memory-size") == "0")
        a["memory-size"] = std::to_string(image->defaultMemoryMiB);
    const int memory = int(toNumber(get(a, "memory-size")));
    if (memory < s.minMemoryMiB || memory > s.maxMemoryMiB)
        return Error::invalid("memory-size", "memory-size must be between " + std::to_string(s.minMemoryMiB) +
                                                 " and " + std::to_string(s.maxMemoryMiB) +
                                                 " MiB (min-memory, max-memory in /metarouter settings)");
    if (memory < image->minMemoryMiB)
        return Error::invalid("memory-size", "image '" + image->name + "' needs at least " +
                                                 std::to_string(image->minMemoryMiB) + " MiB");
    const bool starting = !yes(a, "disabled") && (m.kind == Mutation::Kind::Add || yes(m.before, "disabled"));
    if (starting)
        if (auto st = checkMemory(m.id, memory); !st)
            return st;
    if (m.kind == Mutation::Kind::Add) {
        a["state"] = yes(a, "disabled") ? "disabled" : "booting";
        a["used-disk"] = "0";
        a["disk-reads"] = "0";
        a["disk-writes"] = "0";
    } else if (changed(m, "disabled")) {
        a["state"] = yes(a, "disabled") ? (up ? "shutting-down" : "disabled") : "booting";
    }
    return {};
}

Status MetarouterProvider::createDisk(const Properties& p)
{
    const std::string name = get(p, "name");
    if (!QDir().mkpath(runtimeDir(name)))
        return Error::failed("cannot create " + runtimeDir(name).toStdString());
    const QString disk = diskPath(name);
    if (QFile::exists(disk))
        return {};
    auto image = imageOf(p);
    if (!image)
        return image.error();
    const qint64 bytes = toNumber(get(p, "disk-size")) * 1024;
    if (!image->bootsFromDisk())
        return DiskImage::create(disk, bytes);
    // A disk image is the backing file: the metarouter writes only its own qcow2.
    QStringList args{QStringLiteral("create"), QStringLiteral("-q"), QStringLiteral("-f"), QStringLiteral("qcow2"),
                     QStringLiteral("-F"), image->diskFormat, QStringLiteral("-b"), image->disk, disk};
    if (bytes > 0)
        args << QString::number((bytes + 511) / 512 * 512);
    QProcess qemuImg;
    qemuImg.start(QStandardPaths::findExecutable(QStringLiteral("qemu-img")), args);
    if (!qemuImg.waitForFinished(30000) || qemuImg.exitStatus() != QProcess::NormalExit || qemuImg.exitCode() != 0)
        return Error::failed("qemu-img create: " +
                             QString::fromLocal8Bit(qemuImg.readAllStandardError()).trimmed().toStdString());
    return {};
}

VmInstance& MetarouterProvider::ensureInstance(const std::string& vmId, const std::string& name)
{
    if (VmInstance* vm = instance(vmId))
        return *vm;
    auto vm = std::make_unique<VmInstance>(runtimeDir(name));
    VmInstance* raw = vm.get();
    connect(raw, &VmInstance::stateChanged, this, &MetarouterProvider::schedulePublish);
    connect(raw, &VmInstance::countersChanged, this, &MetarouterProvider::schedulePublish);
    connect(&raw->guestReport(), &GuestReportChannel::reportChanged, this, &MetarouterProvider::schedulePublish);
    connect(raw, &VmInstance::stopped, this, [this, vmId](const QString& reason, bool unexpected) {
        onStopped(vmId, reason, unexpected);
    });
    connect(raw, &VmInstance::controlReady, this, [this, vmId](bool) { reconcileNics(vmId); });
    connect(raw, &VmInstance::restartDue, this, [this, vmId] {
        const Properties p = props(kMetarouter, vmId);
        VmInstance* vm = instance(vmId);
        if (p.empty() || yes(p, "disabled") || !vm || vm->isUp())
            return;
        qInfo("metarouter %s: restarting", get(p, "name").c_str());
        if (auto st = startVm(vmId); !st) {
            qWarning("metarouter %s: restart failed: %s", get(p, "name").c_str(), st.error().text().c_str());
            vm->scheduleRestart();
        }
    });
    vms_[vmId] = std::move(vm);
    return *raw;
}

Status MetarouterProvider::startVm(const std::string& vmId)
{
    const Properties p = props(kMetarouter, vmId);
    VmInstance& vm = ensureInstance(vmId, get(p, "name"));
    if (vm.isUp() || waitingForAccel_.count(vmId))
        return Error::failed(get(p, "name") + " is already running");
    if (!accelKnown_) {
        waitingForAccel_.insert(vmId);
        schedulePublish();
        return {};
    }
    return launch(vmId);
}

Status MetarouterProvider::launch(const std::string& vmId)
{
    const Properties p = props(kMetarouter, vmId);
    const std::string name = get(p, "name");
    VmInstance& vm = ensureInstance(vmId, name);
    auto image = imageOf(p);
    if (!image)
        return image.error();
    if (auto st = createDisk(p); !st)
        return st;

    VmSpec spec;
    spec.name = QString::fromStdString(name);
    spec.runtimeDir = runtimeDir(name);
    spec.memoryMiB = int(toNumber(get(p, "memory-size"), image->defaultMemoryMiB));
    spec.accel = accel_;
    if (!image->kernel.isEmpty()) {  // a kernel with a root-filesystem disk boots the kernel too
        spec.kernel = image->kernel;
        spec.initrd = image->initrd;
        spec.append = image->append;
    }
    spec.disk = diskPath(name);
    spec.runAs = options_.qemuUser;
    spec.sandbox = true;
    std::vector<std::string> plugged;
    for (const std::string& ifaceId : interfacesOf(vmId)) {
        const Properties ip = props(kInterface, ifaceId);
        if (yes(ip, "disabled"))
            continue;
        if (!nics_.count(ifaceId))
            if (auto st = setUpHost(ifaceId, ip); !st)
                return st;
        spec.nics.push_back(nicSpec(ifaceId, ip));
        plugged.push_back(ifaceId);
    }
    int growing = 1;
    for (const auto& [id, other] : vms_)
        growing += (id != vmId && other->isUp()) ? 1 : 0;
    if (auto cap = DiskImage::growthCap(spec.disk, settings().diskFreeReserveMiB << 20, growing))
        spec.fileSizeLimit = std::max<qint64>(*cap, 1);
    vm.setRuntimeDir(spec.runtimeDir);
    if (auto st = vm.start(spec); !st)
        return st;
    for (const std::string& ifaceId : plugged)
        nics_[ifaceId].plugged = true;
    qInfo("metarouter %s: started QEMU (pid %lld, %d MiB, %s)", name.c_str(), vm.pid(), spec.memoryMiB,
          accel_ == Accel::Kvm ? "kvm" : "tcg");
    schedulePublish();
    return {};
}

void MetarouterProvider::onStopped(const std::string& vmId, const QString& reason, bool unexpected)
{
    for (auto& [id, nic] : nics_)
        if (nic.vmId == vmId)
            nic.plugged = false;
    const Properties p = props(kMetarouter, vmId);
    const std::string name = get(p, "name");
    VmInstance* vm = instance(vmId);
    if (unexpected) {
        qWarning("metarouter %s stopped unexpectedly: %s", name.c_str(), qPrintable(reason));
        if (vm && !p.empty() && !yes(p, "disabled")) {
            vm->scheduleRestart();
            qWarning("metarouter %s: restarting it shortly", name.c_str());
        }
    } else {
        qInfo("metarouter %s stopped: %s", name.c_str(), qPrintable(reason));
    }
    if (startAfterStop_.erase(vmId) && vm && !p.empty() && !yes(p, "disabled"))
        if (auto st = startVm(vmId); !st)
            qWarning("metarouter %s: cannot start: %s", name.c_str(), st.error().text().c_str());
    schedulePublish();
}

void MetarouterProvider::reconcileNics(const std::string& vmId)
{
    VmInstance* vm = instance(vmId);
    QemuMonitor* monitor = vm ? vm->monitor() : nullptr;
    if (!monitor)
        return;
    QPointer<MetarouterProvider> self(this);
    monitor->queryPeripherals([self, vmId](Result<std::vector<QString>> devices) {
        if (!self || !devices)
            return;
        std::set<QString> present(devices->begin(), devices->end());
        std::set<QString> wanted;
        for (const std::string& ifaceId : self->interfacesOf(vmId)) {
            const Properties ip = self->props(kInterface, ifaceId);
            if (yes(ip, "disabled") || !self->nics_.count(ifaceId))
                continue;
            wanted.insert(nicId(ifaceId));
            Nic& nic = self->nics_[ifaceId];
            nic.vmId = vmId;
            nic.plugged = present.count(nicId(ifaceId)) != 0;
            if (!nic.plugged)
                self->plug(ifaceId);
        }
        VmInstance* vm = self->instance(vmId);
        for (const QString& d : present)
            if (d.startsWith(QLatin1String("nic")) && !wanted.count(d) && vm && vm->monitor())
                vm->monitor()->removeNic(d, [d](Status st) {
                    if (!st)
                        qWarning("metarouter: cannot unplug %s: %s", qPrintable(d), st.error().text().c_str());
                });
        self->schedulePublish();
    });
}

Status MetarouterProvider::applyMetarouter(const Mutation& m)
{
    if (m.kind == Mutation::Kind::Add) {
        if (auto st = createDisk(m.after); !st) {
            QDir(runtimeDir(get(m.after, "name"))).removeRecursively();
            return st;
        }
        ensureInstance(m.id, get(m.after, "name"));
        if (!yes(m.after, "disabled")) {
            // The object is not in the store yet: start from the event loop.
            QPointer<MetarouterProvider> self(this);
            const std::string id = m.id;
            QTimer::singleShot(0, this, [self, id] {
                if (!self || !self->store_->find(kMetarouter, id))
                    return;
                if (auto st = self->startVm(id); !st)
                    qWarning("metarouter %s: cannot start: %s",
                             get(self->props(kMetarouter, id), "name").c_str(), st.error().text().c_str());
                self->schedulePublish();
            });
        }
        return {};
    }
    if (m.kind == Mutation::Kind::Remove) {
        destroyVm(m.id, get(m.before, "name"));
        return {};
    }
    // Set
    VmInstance* vm = instance(m.id);
    if (changed(m, "name")) {
        const QString from = runtimeDir(get(m.before, "name"));
        const QString to = runtimeDir(get(m.after, "name"));
        if (QFile::exists(from) && !QDir().rename(from, to))
            return Error::failed("cannot move " + from.toStdString() + " to " + to.toStdString());
        if (vm)
            vm->setRuntimeDir(to);
        for (const std::string& id : store_->ids(kInterface))
            if (get(props(kInterface, id), "virtual-machine") == get(m.before, "name"))
                store_->update(kInterface, id, {{"virtual-machine", get(m.after, "name")}});
    }
    if (changed(m, "image")) {
        auto before = imageOf(m.before);
        auto after = imageOf(m.after);
        if ((before && before->bootsFromDisk()) || (after && after->bootsFromDisk())) {
            QFile::remove(diskPath(get(m.after, "name")));
            if (auto st = createDisk(m.after); !st)
                return st;
        }
    }
    if (changed(m, "disabled")) {
        if (yes(m.after, "disabled")) {
            waitingForAccel_.erase(m.id);
            startAfterStop_.erase(m.id);
            if (vm) {
                vm->cancelRestart();
                vm->shutDown(settings().shutDownTimeoutS * 1000);
            }
        } else {
            QPointer<MetarouterProvider> self(this);
            const std::string id = m.id;
            QTimer::singleShot(0, this, [self, id] {
                if (!self || !self->store_->find(kMetarouter, id))
                    return;
                VmInstance* v = self->instance(id);
                if (v && v->state() == VmInstance::State::ShuttingDown) {
                    self->startAfterStop_.insert(id);
                    return;
                }
                if (v && v->isUp())
                    return;
                if (auto st = self->startVm(id); !st)
                    qWarning("metarouter %s: cannot start: %s",
                             get(self->props(kMetarouter, id), "name").c_str(), st.error().text().c_str());
            });
        }
    }
    schedulePublish();
    return {};
}

void MetarouterProvider::destroyVm(const std::string& vmId, const std::string& name)
{
    for (const std::string& ifaceId : interfacesOf(vmId)) {
        tearDownHost(ifaceId, props(kInterface, ifaceId));
        store_->removeObserved(kInterface, ifaceId);
    }
    waitingForAccel_.erase(vmId);
    startAfterStop_.erase(vmId);
    if (VmInstance* vm = instance(vmId)) {
        vm->disconnect(this);
        vm->kill();
        vms_.erase(vmId);
    }
    if (!QDir(runtimeDir(name)).removeRecursively())
        qWarning("metarouter %s: could not delete all of %s", name.c_str(), qPrintable(runtimeDir(name)));
    qInfo("metarouter %s removed with its disk", name.c_str());
}

// ------------------------------------------------------------------ /metarouter/interface

std::string MetarouterProvider::freeVifName(const std::string& selfId) const
{
    std::set<std::string> used;
    for (const std::string& id : store_->ids(kInterface))
        if (id != selfId)
            used.insert(get(props(kInterface, id), "interface"));
    for (int n = 1;; ++n) {
        const std::string name = "vif" + std::to_string(n);
        if (!used.count(name) && !TapDevice::exists(name))
            return name;
    }
}

Status MetarouterProvider::prepareInterface(Mutation& m)
{
    if (m.kind == Mutation::Kind::Remove)
        return {};
    Properties& a = m.after;
    if (vmIdByName(get(a, "virtual-machine")).empty())
        return Error::notFound("no metarouter named '" + get(a, "virtual-machine") + "'", "virtual-machine");
    const bool dynamic = get(a, "type") != "static";
    if (dynamic) {
        if (m.kind == Mutation::Kind::Add || changed(m, "type"))
            a["interface"] = freeVifName(m.id);
        if (get(a, "dynamic-mac-address").empty())
            a["dynamic-mac-address"] = randomMac();
        const std::string bridge = get(a, "dynamic-bridge");
        if (!bridge.empty() && store_->findBy("/interface/bridge", "name", bridge).empty())
            return Error::notFound("no bridge named '" + bridge + "'", "dynamic-bridge");
    } else {
        const std::string iface = get(a, "static-interface");
        if (iface.empty())
            return Error::invalid("static-interface", "a static interface needs static-interface");
        const auto link = netlink_.link(iface);
        if (!link)
            return Error::notFound("no interface named '" + iface + "'", "static-interface");
        if (link->kind == "bridge" || link->kind == "tun")
            return Error::invalid("static-interface", iface + " cannot be handed to a metarouter (it is a " +
                                                          link->kind + ")");
        for (const std::string& id : store_->ids(kInterface))
            if (id != m.id && get(props(kInterface, id), "static-interface") == iface &&
                get(props(kInterface, id), "type") == "static")
                return Error::exists("static-interface", iface + " is given to another metarouter interface");
        const auto& mine = nics_.count(m.id) ? nics_.at(m.id).bridge : std::string();
        if (link->master > 0) {
            const auto master = netlink_.link(link->master);
            if (!master || master->name != mine)
                return Error::invalid("static-interface", iface + " is a port of " +
                                                              (master ? master->name : std::string("a bridge")) +
                                                              "; remove it from there first");
        }
        a["interface"] = "mrs" + idSuffix(m.id);
    }
    if (get(a, "vm-mac-address").empty())
        a["vm-mac-address"] = randomMac();
    if (m.kind == Mutation::Kind::Add)
        a["active"] = "no";
    return {};
}

Status MetarouterProvider::attachToBridge(const std::string& tap, const std::string& bridge)
{
    const int bridgeIndex = netlink_.indexOf(bridge);
    if (bridgeIndex <= 0)
        return Error::notFound("no bridge named '" + bridge + "'", "dynamic-bridge");
    const auto link = netlink_.link(tap);
    if (!link)
        return Error::failed("tap " + tap + " is missing");
    if (link->master == bridgeIndex)
        return {};
    return netlink_.setMaster(link->index, bridgeIndex);
}

Status MetarouterProvider::setUpHost(const std::string& ifaceId, const Properties& p)
{
    const std::string tap = get(p, "interface");
    Nic nic;
    nic.vmId = vmIdByName(get(p, "virtual-machine"));
    nic.tap = tap;
    if (get(p, "type") == "static") {
        // Linux cannot give a QEMU tap backend an existing NIC: the host
        // interface and the guest's tap become the only ports of a private
        // bridge (mrb<N>), which carries the traffic unchanged.
        nic.bridge = "mrb" + idSuffix(ifaceId);
        if (netlink_.indexOf(nic.bridge) <= 0) {
            net::BridgeParams params;
            if (auto st = netlink_.createBridge(nic.bridge, params, true); !st)
                return st;
        }
        if (auto st = TapDevice::ensure(tap, {}, qemuUid_, qemuGid_); !st)
            return st;
        const int bridgeIndex = netlink_.indexOf(nic.bridge);
        for (const std::string& port : {get(p, "static-interface"), tap}) {
            const auto link = netlink_.link(port);
            if (!link)
                return Error::notFound("no interface named '" + port + "'", "static-interface");
            if (link->master != bridgeIndex)
                if (auto st = netlink_.setMaster(link->index, bridgeIndex); !st)
                    return st;
        }
    } else {
        if (auto st = TapDevice::ensure(tap, get(p, "dynamic-mac-address"), qemuUid_, qemuGid_); !st)
            return st;
        if (!get(p, "dynamic-bridge").empty())
            if (auto st = attachToBridge(tap, get(p, "dynamic-bridge")); !st) {
                (void)TapDevice::remove(tap);
                return st;
            }
    }
    nics_[ifaceId] = nic;
    return {};
}

void MetarouterProvider::tearDownHost(const std::string& ifaceId, const Properties& p)
{
    auto it = nics_.find(ifaceId);
    const std::string tap = it != nics_.end() ? it->second.tap : get(p, "interface");
    const std::string bridge = it != nics_.end() ? it->second.bridge : std::string();
    if (!bridge.empty()) {
        if (const auto link = netlink_.link(get(p, "static-interface")); link && link->master > 0)
            (void)netlink_.setMaster(link->index, 0);
        if (const int index = netlink_.indexOf(bridge); index > 0)
            (void)netlink_.deleteLink(index);
    }
    if (const int index = netlink_.indexOf(tap); index > 0) {
        if (auto st = netlink_.deleteLink(index); !st)
            if (auto st2 = TapDevice::remove(tap); !st2)
                qWarning("metarouter: cannot delete %s: %s", tap.c_str(), st2.error().text().c_str());
    }
    if (it != nics_.end())
        nics_.erase(it);
}

NicSpec MetarouterProvider::nicSpec(const std::string& ifaceId, const Properties& p) const
{
    return {nicId(ifaceId), QString::fromStdString(get(p, "interface")),
            QString::fromStdString(get(p, "vm-mac-address"))};
}

void MetarouterProvider::plug(const std::string& ifaceId)
{
    auto it = nics_.find(ifaceId);
    if (it == nics_.end() || it->second.plugged)
        return;
    VmInstance* vm = instance(it->second.vmId);
    QemuMonitor* monitor = vm ? vm->monitor() : nullptr;
    if (!monitor)
        return;  // plugged at the next start, or when QMP comes up
    it->second.plugged = true;
    QPointer<MetarouterProvider> self(this);
    monitor->addNic(nicSpec(ifaceId, props(kInterface, ifaceId)), [self, ifaceId](Status st) {
        if (!self)
            return;
        auto jt = self->nics_.find(ifaceId);
        if (!st) {
            qWarning("metarouter interface %s: hot-plug failed: %s", ifaceId.c_str(), st.error().text().c_str());
            if (jt != self->nics_.end())
                jt->second.plugged = false;
        }
        self->schedulePublish();
    });
}

void MetarouterProvider::unplugThen(const std::string& ifaceId, std::function<void()> then)
{
    auto it = nics_.find(ifaceId);
    VmInstance* vm = it != nics_.end() ? instance(it->second.vmId) : nullptr;
    QemuMonitor* monitor = vm ? vm->monitor() : nullptr;
    if (it == nics_.end() || !it->second.plugged || !monitor) {
        then();
        return;
    }
    it->second.plugged = false;
    QPointer<MetarouterProvider> self(this);
    monitor->removeNic(nicId(ifaceId), [self, ifaceId, then = std::move(then)](Status st) {
        if (!self)
            return;
        if (!st)
            qWarning("metarouter interface %s: unplug: %s", ifaceId.c_str(), st.error().text().c_str());
        then();
        self->schedulePublish();
    });
}

Status MetarouterProvider::applyInterface(const Mutation& m)
{
    const std::string id = m.id;
    if (m.kind == Mutation::Kind::Add) {
        if (yes(m.after, "disabled"))
            return {};
        if (auto st = setUpHost(id, m.after); !st) {
            tearDownHost(id, m.after);
            return st;
        }
        // The object is not in the store yet; plug from the event loop.
        QPointer<MetarouterProvider> self(this);
        QTimer::singleShot(0, this, [self, id] {
            if (self && self->store_->find(kInterface, id))
                self->plug(id);
        });
        return {};
    }
    const Properties before = m.before;
    if (m.kind == Mutation::Kind::Remove) {
        QPointer<MetarouterProvider> self(this);
        unplugThen(id, [self, id, before] {
            if (self)
                self->tearDownHost(id, before);
        });
        return {};
    }
    // Set: bridge, host MAC and comment change in place; anything else
    // re-creates the interface (unplug, new tap, plug).
    bool inPlace = !yes(m.before, "disabled") && !yes(m.after, "disabled") && nics_.count(id);
    for (const auto& key : {"virtual-machine", "type", "static-interface", "vm-mac-address", "interface"})
        inPlace = inPlace && !changed(m, key);
    if (inPlace) {
        const std::string tap = get(m.after, "interface");
        if (changed(m, "dynamic-mac-address"))
            if (auto st = TapDevice::setMac(tap, get(m.after, "dynamic-mac-address")); !st)
                return st;
        if (changed(m, "dynamic-bridge")) {
            const std::string oldBridge = get(m.before, "dynamic-bridge");
            if (const auto link = netlink_.link(tap); link && !oldBridge.empty()) {
                const auto master = netlink_.link(link->master);
                if (master && master->name == oldBridge)
                    (void)netlink_.setMaster(link->index, 0);
            }
            if (!get(m.after, "dynamic-bridge").empty())
                if (auto st = attachToBridge(tap, get(m.after, "dynamic-bridge")); !st)
                    return st;
        }
        schedulePublish();
        return {};
    }
    const Properties after = m.after;
    QPointer<MetarouterProvider> self(this);
    unplugThen(id, [self, id, before, after] {
        if (!self)
            return;
        self->tearDownHost(id, before);
        if (yes(after, "disabled"))
            return;
        if (auto st = self->setUpHost(id, after); !st) {
            qWarning("metarouter interface %s: %s", get(after, "interface").c_str(), st.error().text().c_str());
            return;
        }
        self->nics_[id].vmId = self->vmIdByName(get(after, "virtual-machine"));
        self->plug(id);
    });
    return {};
}

// ------------------------------------------------------------------ provider entry points

Status MetarouterProvider::prepare(Mutation& mutation)
{
    if (mutation.menu == kMetarouter)
        return prepareMetarouter(mutation);
    if (mutation.menu == kInterface)
        return prepareInterface(mutation);
    if (mutation.menu == kSettings && mutation.kind == Mutation::Kind::Set) {
        const auto s = MetarouterSettings::fromProperties(mutation.after);
        if (s.minMemoryMiB > s.maxMemoryMiB)
            return Error::invalid("min-memory", "min-memory must not be above max-memory");
    }
    return {};
}

Status MetarouterProvider::apply(const Mutation& mutation)
{
    if (mutation.menu == kMetarouter)
        return applyMetarouter(mutation);
    if (mutation.menu == kInterface)
        return applyInterface(mutation);
    return {};
}

void MetarouterProvider::revert(const Mutation& mutation)
{
    if (mutation.menu == kMetarouter && mutation.kind == Mutation::Kind::Add)
        destroyVm(mutation.id, get(mutation.after, "name"));
    else if (mutation.menu == kInterface && mutation.kind == Mutation::Kind::Add)
        tearDownHost(mutation.id, mutation.after);
}

Result<std::string> MetarouterProvider::command(const std::string& menu, const std::string& cmd,
                                                const std::string& id, const Properties& arguments)
{
    (void)arguments;
    if (menu != kMetarouter)
        return Error::notFound("no such command: " + cmd);
    const Properties p = props(kMetarouter, id);
    const std::string name = get(p, "name");
    VmInstance* vm = instance(id);
    const bool up = (vm && vm->isUp()) || waitingForAccel_.count(id);
    if (cmd == "start") {
        if (yes(p, "disabled"))
            return Error::failed(name + " is disabled: enable it (disabled=no) to start it");
        if (vm && vm->state() == VmInstance::State::ShuttingDown) {
            startAfterStop_.insert(id);
            return std::string("starting again once shut down");
        }
        if (up)
            return Error::failed(name + " is already running");
        if (auto st = checkMemory(id, int(toNumber(get(p, "memory-size")))); !st)
            return st.error();
        if (auto st = startVm(id); !st)
            return st.error();
        schedulePublish();
        return std::string();
    }
    if (cmd == "shut-down") {
        startAfterStop_.erase(id);
        if (vm)
            vm->cancelRestart();
        if (waitingForAccel_.erase(id)) {
            schedulePublish();
            return std::string();
        }
        if (!up)
            return Error::failed(name + " is not running");
        vm->shutDown(settings().shutDownTimeoutS * 1000);
        return std::string();
    }
    if (cmd == "reboot") {
        if (!vm || !vm->isUp())
            return Error::failed(name + " is not running");
        if (auto st = vm->reboot(); !st)
            return st.error();
        return std::string();
    }
    if (cmd == "console")
        return Error{wire::ERROR_UNSUPPORTED,
                     "console is a stream: use /metarouter console " + name + " in the command line or mrcli --console",
                     {}};
    if (cmd == "import-image")
        return Error{wire::ERROR_UNSUPPORTED, "import-image is a long-running command", {}};
    return Error::notFound("no such command: " + cmd);
}

void MetarouterProvider::commandAsync(const std::string& menu, const std::string& cmd, const std::string& id,
                                      const Properties& arguments, agent::CommandJob job)
{
    if (menu != kMetarouter || cmd != "import-image")
        return job.done(command(menu, cmd, id, arguments));
    auto path = agent::FileStore(options_.filesDir).resolve(get(arguments, "file-name"));
    if (!path)
        return job.done(path.error());
    if (!importer_)
        importer_ = std::make_unique<ImageImporter>(images_);
    const std::string memory = get(arguments, "memory-size");
    const bool enabled = get(arguments, "enabled") != "no";
    auto progress = job.progress;
    auto done = job.done;
    QPointer<MetarouterProvider> self(this);
    auto lastPercent = std::make_shared<int>(-1);
    auto st = importer_->start(
        *path, {},
        [progress, lastPercent](int percent) {
            if (percent == *lastPercent || !progress)
                return;
            *lastPercent = percent;
            progress("imported: " + std::to_string(percent) + "%");
        },
        [self, done, memory, enabled](Result<GuestImage> image) {
            if (!self)
                return;
            if (!image)
                return done(image.error());
            // A metarouter that boots the new image, named after it.
            Properties p{{"image", image->name}, {"disabled", enabled ? "no" : "yes"}};
            if (!memory.empty())
                p["memory-size"] = memory;
            if (validName(image->name) && self->vmIdByName(image->name).empty())
                p["name"] = image->name;
            auto id = self->store_->add(kMetarouter, p);
            if (!id)
                return done(Error::failed("imported image '" + image->name +
                                          "', but cannot add a metarouter for it: " + id.error().text()));
            done("imported: 100%\nimage " + image->name + " boots metarouter " +
                 get(self->props(kMetarouter, *id), "name"));
        });
    if (!st)
        return job.done(st.error());
}

ConsoleMux* MetarouterProvider::console(const std::string& metarouterName)
{
    if (!store_)
        return nullptr;
    std::string id = vmIdByName(metarouterName);
    if (id.empty() && store_->find(kMetarouter, metarouterName))
        id = metarouterName;
    VmInstance* vm = instance(id);
    return vm && vm->isUp() ? &vm->console() : nullptr;
}

void MetarouterProvider::stopAll(int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    waitingForAccel_.clear();
    auto anyUp = [this] {
        return std::any_of(vms_.begin(), vms_.end(), [](const auto& e) { return e.second->isUp(); });
    };
    for (auto& [id, vm] : vms_)
        vm->shutDown(std::max(500, timeoutMs - 1000));
    QEventLoop loop;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (!anyUp() || clock.elapsed() > timeoutMs)
            loop.quit();
    });
    tick.start(50);
    if (anyUp())
        loop.exec();
    for (auto& [id, vm] : vms_)
        if (vm->isUp()) {
            qWarning("metarouter %s: not down after %d ms, stopping it hard",
                     get(props(kMetarouter, id), "name").c_str(), timeoutMs);
            vm->kill();
        }
}

// ------------------------------------------------------------------ observed state

void MetarouterProvider::schedulePublish()
{
    if (publishScheduled_)
        return;
    publishScheduled_ = true;
    QTimer::singleShot(0, this, [this] {
        publishScheduled_ = false;
        publish();
    });
}

void MetarouterProvider::publish()
{
    if (!store_)
        return;
    for (const std::string& id : store_->ids(kMetarouter)) {
        const Properties p = props(kMetarouter, id);
        VmInstance* vm = instance(id);
        std::string state;
        if (vm && vm->isUp())
            state = VmInstance::stateName(vm->state());
        else if (waitingForAccel_.count(id))
            state = "booting";
        else
            state = yes(p, "disabled") ? "disabled" : "stopped";
        Properties status{{"state", state}};
        if (accelKnown_)
            status["accelerator"] = accel_ == Accel::Kvm ? "kvm" : "tcg";
        if (vm) {
            status["disk-reads"] = std::to_string(vm->diskReads());
            status["disk-writes"] = std::to_string(vm->diskWrites());
            if (!vm->lastStopReason().isEmpty())
                status["last-stop-reason"] = vm->lastStopReason().toStdString();
        }
        addGuestReport(vm, status);
        if (auto used = DiskImage::allocatedBytes(diskPath(get(p, "name"))))
            status["used-disk"] = std::to_string(*used / 1024);
        store_->update(kMetarouter, id, status);
    }
    for (const std::string& id : store_->ids(kInterface)) {
        auto it = nics_.find(id);
        VmInstance* vm = it != nics_.end() ? instance(it->second.vmId) : nullptr;
        const bool active = it != nics_.end() && it->second.plugged && vm && vm->isUp();
        store_->update(kInterface, id, {{"active", active ? "yes" : "no"}});
    }
}

void MetarouterProvider::addGuestReport(VmInstance* vm, Properties& status)
{
    const GuestReport* r = vm && vm->isUp() && vm->guestReport().report() ? &*vm->guestReport().report() : nullptr;
    QStringList interfaces;
    QStringList addresses;
    if (r) {
        for (const GuestInterface& i : r->interfaces) {
            QString item = i.name;
            if (!i.mac.isEmpty())
                item += QLatin1Char(' ') + i.mac;
            item += i.disabled ? QStringLiteral(" disabled") : i.running ? QStringLiteral(" running")
                                                                        : QStringLiteral(" not-running");
            interfaces << item;
        }
        for (const GuestAddress& a : r->addresses)
            addresses << a.address + QStringLiteral(" on ") + a.interface;
    }
    // Empty values hide the properties: nothing is shown that the guest did not say.
    status["guest-identity"] = r ? r->identity.toStdString() : std::string();
    status["guest-interfaces"] = interfaces.join(QStringLiteral(", ")).toStdString();
    status["guest-addresses"] = addresses.join(QStringLiteral(", ")).toStdString();
    // The format of /log's time.
    status["guest-report-time"] =
        r ? vm->guestReport().reportTime().toString(QStringLiteral("MMM/dd/yyyy HH:mm:ss")).toStdString()
          : std::string();
}

void MetarouterProvider::poll()
{
    const MetarouterSettings s = settings();
    int growing = 0;
    for (const auto& [id, vm] : vms_)
        growing += vm->isUp() ? 1 : 0;
    for (const auto& [id, vm] : vms_) {
        if (!vm->isUp())
            continue;
        vm->poll();
        // Free space changes: move the cap of every growing disk with it.
        const QString disk = diskPath(get(props(kMetarouter, id), "name"));
        if (auto cap = DiskImage::growthCap(disk, s.diskFreeReserveMiB << 20, std::max(1, growing)))
            if (vm->pid() > 0)
                (void)DiskImage::applyCap(vm->pid(), std::max<qint64>(*cap, 1));
    }
    // A bridge deleted and added again loses its vifs: put them back.
    for (const auto& [id, nic] : nics_) {
        const Properties p = props(kInterface, id);
        const std::string bridge = get(p, "dynamic-bridge");
        if (nic.bridge.empty() && !bridge.empty() && netlink_.indexOf(bridge) > 0)
            (void)attachToBridge(nic.tap, bridge);
    }
    publish();
}

}  // namespace mr::hv
