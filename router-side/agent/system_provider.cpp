#include "system_provider.h"

#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <QFile>

#include <fstream>
#include <sstream>

#include "object_store.h"
#include "schema_builder.h"
#include "schema_values.h"

namespace mr::agent {

using namespace mr::protocol;

namespace {
constexpr const char* kIdentity = "/system/identity";
constexpr const char* kResource = "/system/resource";

long long meminfo(const std::string& key)
{
    std::ifstream in("/proc/meminfo");
    std::string name;
    long long value = 0;
    std::string unit;
    while (in >> name >> value >> unit)
        if (name == key + ":")
            return value * 1024;
    return 0;
}
// The router's uptime, not the daemon's: the daemon may restart at will.
long long hostUptimeSeconds()
{
    std::ifstream in("/proc/uptime");
    double up = 0;
    in >> up;
    return static_cast<long long>(up);
}
}  // namespace

SystemProvider::SystemProvider(QString stateDir, QObject* parent) : QObject(parent), stateDir_(std::move(stateDir))
{
    connect(&timer_, &QTimer::timeout, this, &SystemProvider::refresh);
}

std::vector<wire::MenuSchema> SystemProvider::menus() const
{
    return {MenuBuilder(kIdentity)
                .describe("the router's name, shown in the command-line prompt")
                .singleton().settable().detailByDefault()
                .property(text("name").def("MikroTik").describe("router name")),
            MenuBuilder(kResource)
                .describe("what the router has and uses")
                .singleton().detailByDefault()
                .property(duration("uptime").readOnly())
                .property(text("version").readOnly())
                .property(text("build-time").readOnly())
                .property(size("free-memory", "kiB").readOnly())
                .property(size("total-memory", "kiB").readOnly())
                .property(text("cpu").readOnly())
                .property(integer("cpu-count").readOnly())
                .property(integer("cpu-load").readOnly().unit("%"))
                .property(size("free-hdd-space", "kiB").readOnly())
                .property(size("total-hdd-space", "kiB").readOnly())
                .property(text("architecture-name").readOnly())
                .property(text("board-name").readOnly())
                .property(text("platform").readOnly())
                .property(text("virtualization").readOnly())
                .property(text("virtualization-reason").readOnly())};
}

bool SystemProvider::persists(const std::string& menu) const
{
    return menu == kIdentity;
}

void SystemProvider::start(ObjectStore& store)
{
    store_ = &store;
    identityId_ = store.ensureSingleton(kIdentity, {{"name", "MikroTik"}});
    utsname u{};
    uname(&u);
    std::string cpu = "unknown";
    {
        std::ifstream in("/proc/cpuinfo");
        for (std::string line; std::getline(in, line);)
            if (line.rfind("model name", 0) == 0) {
                cpu = line.substr(line.find(':') + 2);
                break;
            }
    }
    resourceId_ = store.ensureSingleton(
        kResource, {{"version", MR_VERSION},
                    {"build-time", __DATE__ " " __TIME__},
                    {"cpu", cpu},
                    {"cpu-count", std::to_string(sysconf(_SC_NPROCESSORS_ONLN))},
                    {"architecture-name", u.machine},
                    {"board-name", "Linux " + std::string(u.release)},
                    {"platform", "MetaRouter"},
                    {"virtualization", "not probed"}});
    refresh();
    timer_.start(1000);
}

Status SystemProvider::prepare(Mutation& m)
{
    if (m.menu == kIdentity && m.after.count("name") && m.after.at("name").empty())
        return Error::invalid("name", "identity name must not be empty");
    return {};
}

Status SystemProvider::apply(const Mutation&)
{
    return {};
}

std::string SystemProvider::identity() const
{
    const Properties* p = store_ ? store_->find(kIdentity, identityId_) : nullptr;
    return p && p->count("name") ? p->at("name") : "MikroTik";
}

void SystemProvider::setVirtualization(const std::string& accelerator, const std::string& reason)
{
    // One line for a property: QEMU's multi-line complaints are joined.
    std::string line;
    for (char c : reason) {
        if (c == '\n' || c == '\r') {
            if (!line.empty() && line.back() != ' ')
                line += "; ";
            continue;
        }
        line += c;
    }
    while (!line.empty() && (line.back() == ' ' || line.back() == ';'))
        line.pop_back();
    if (store_)
        store_->update(kResource, resourceId_, {{"virtualization", accelerator}, {"virtualization-reason", line}});
}

void SystemProvider::refresh()
{
    std::uint64_t busy = 0, total = 0;
    {
        std::ifstream in("/proc/stat");
        std::string cpu;
        in >> cpu;
        std::uint64_t v[8] = {};
        for (auto& x : v)
            in >> x;
        for (auto x : v)
            total += x;
        busy = total - v[3] - v[4];
    }
    int load = 0;
    if (total > lastTotal_ && lastTotal_ != 0)
        load = static_cast<int>(100 * (busy - lastBusy_) / (total - lastTotal_));
    lastBusy_ = busy;
    lastTotal_ = total;
    struct statvfs fs{};
    statvfs(stateDir_.toLocal8Bit().constData(), &fs);
    store_->update(kResource, resourceId_,
                   {{"uptime", std::to_string(hostUptimeSeconds())},
                    {"cpu-load", std::to_string(load)},
                    {"free-memory", std::to_string(meminfo("MemAvailable") / 1024)},
                    {"total-memory", std::to_string(meminfo("MemTotal") / 1024)},
                    {"free-hdd-space", std::to_string(static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize / 1024)},
                    {"total-hdd-space", std::to_string(static_cast<unsigned long long>(fs.f_blocks) * fs.f_frsize / 1024)}});
}

}  // namespace mr::agent
