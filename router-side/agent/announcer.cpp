#include "announcer.h"

#include <QNetworkInterface>

#include <algorithm>
#include <cstdlib>

#include "announcement.h"
#include "object_store.h"
#include "schema_builder.h"

namespace mr::agent {

using namespace mr::protocol;

namespace {
constexpr const char* kSettings = "/ip/neighbor/discovery-settings";
constexpr int kDefaultIntervalS = 30;
}  // namespace

Announcer::Announcer(std::function<std::string()> identity, quint16 port, QObject* parent)
    : QObject(parent), identity_(std::move(identity)), port_(port)
{
    connect(&timer_, &QTimer::timeout, this, &Announcer::announce);
}

std::vector<wire::MenuSchema> Announcer::menus() const
{
    return {MenuBuilder(kSettings)
                .describe("whether and how often the router announces itself to clients on its networks "
                          "(UDP broadcast to port " + std::to_string(kDiscoveryPort) + ")")
                .singleton().settable().detailByDefault()
                .property(boolean("enabled").def("yes").describe(
                    "announce identity, version, API port and certificate fingerprint on every up IPv4 interface"))
                .property(duration("interval").range(1, 3600).def(std::to_string(kDefaultIntervalS)).describe(
                    "time between announcements; clients forget a router after three missed ones"))};
}

bool Announcer::persists(const std::string& menu) const
{
    return menu == kSettings;
}

void Announcer::start(ObjectStore& store)
{
    const std::string id =
        store.ensureSingleton(kSettings, {{"enabled", "yes"}, {"interval", std::to_string(kDefaultIntervalS)}});
    const Properties* p = store.find(kSettings, id);
    configure(p ? *p : Properties{});
}

Status Announcer::apply(const Mutation& mutation)
{
    if (mutation.menu == kSettings)
        configure(mutation.after);
    return {};
}

void Announcer::revert(const Mutation& mutation)
{
    if (mutation.menu == kSettings)
        configure(mutation.before);
}

void Announcer::configure(const Properties& settings)
{
    const auto enabled = settings.find("enabled");
    const auto interval = settings.find("interval");
    const bool on = enabled == settings.end() || enabled->second != "no";
    intervalS_ = interval != settings.end() ? std::max(1, std::atoi(interval->second.c_str())) : kDefaultIntervalS;
    if (!on) {
        timer_.stop();
        return;
    }
    timer_.start(intervalS_ * 1000);
    // The first round once the event loop runs: by then the daemon has
    // told us its API port and fingerprint, and a change shows at once.
    QTimer::singleShot(0, this, [this] {
        if (timer_.isActive())
            announce();
    });
}

void Announcer::setApi(quint16 port, const QString& fingerprint)
{
    apiPort_ = port;
    fingerprint_ = fingerprint.toStdString();
}

int Announcer::announce()
{
    wire::Announcement a;
    a.set_identity(identity_());
    a.set_software("metarouterd " MR_VERSION);
    a.set_api_port(apiPort_);
    a.set_fingerprint(fingerprint_);
    a.set_interval(static_cast<quint32>(intervalS_));
    int sent = 0;
    QString error;
    const auto wanted = QNetworkInterface::IsUp | QNetworkInterface::IsRunning | QNetworkInterface::CanBroadcast;
    for (const QNetworkInterface& nic : QNetworkInterface::allInterfaces()) {
        if ((nic.flags() & wanted) != wanted || (nic.flags() & QNetworkInterface::IsLoopBack))
            continue;
        for (const QNetworkAddressEntry& entry : nic.addressEntries()) {
            if (entry.ip().protocol() != QAbstractSocket::IPv4Protocol || entry.broadcast().isNull())
                continue;
            a.set_interface(nic.name().toStdString());
            a.set_address(entry.ip().toString().toStdString());
            a.set_mac_address(nic.hardwareAddress().toStdString());
            const std::string datagram = encodeAnnouncement(a);
            if (socket_.writeDatagram(datagram.data(), static_cast<qint64>(datagram.size()), entry.broadcast(),
                                      port_) < 0)
                error = nic.name() + ": " + socket_.errorString();
            else
                ++sent;
        }
    }
    // One line per new problem, not one per interval.
    if (error != lastError_ && !error.isEmpty())
        qWarning("neighbor discovery: cannot announce on %s", qPrintable(error));
    lastError_ = error;
    return sent;
}

}  // namespace mr::agent
