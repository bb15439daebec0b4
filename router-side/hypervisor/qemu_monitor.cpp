#include "qemu_monitor.h"

#include <QJsonArray>
#include <QTimer>

#include <memory>

#include "qmp_client.h"

namespace mr::hv {

QemuMonitor::QemuMonitor(QmpClient& client, QObject* parent) : QObject(parent), client_(client)
{
    connect(&client_, &QmpClient::event, this,
            [this](const QString& name, const QJsonObject& data, double) { onEvent(name, data); });
}

void QemuMonitor::onEvent(const QString& name, const QJsonObject& data)
{
    if (name == QLatin1String("SHUTDOWN"))
        emit shutdown(data.value(QStringLiteral("guest")).toBool(), data.value(QStringLiteral("reason")).toString());
    else if (name == QLatin1String("POWERDOWN"))
        emit powerdown();
    else if (name == QLatin1String("RESET"))
        emit reset(data.value(QStringLiteral("guest")).toBool());
    else if (name == QLatin1String("STOP"))
        emit stopped();
    else if (name == QLatin1String("RESUME"))
        emit resumed();
    else if (name == QLatin1String("DEVICE_DELETED") && data.contains(QStringLiteral("device")))
        emit deviceDeleted(data.value(QStringLiteral("device")).toString());
}

void QemuMonitor::simple(const QString& command, const QJsonObject& args, Done done)
{
    client_.execute(command, args, [done = std::move(done)](mr::Result<QJsonValue> r) {
        if (!done)
            return;
        done(r ? mr::Status{} : mr::Status{r.error()});
    });
}

void QemuMonitor::queryStatus(std::function<void(mr::Result<VmStatus>)> done)
{
    client_.execute(QStringLiteral("query-status"), {}, [done = std::move(done)](mr::Result<QJsonValue> r) {
        if (!r)
            return done(r.error());
        const QJsonObject o = r->toObject();
        done(VmStatus{o.value(QStringLiteral("running")).toBool(), o.value(QStringLiteral("status")).toString()});
    });
}

void QemuMonitor::queryBlockStats(std::function<void(mr::Result<std::vector<BlockStats>>)> done)
{
    client_.execute(QStringLiteral("query-blockstats"), {}, [done = std::move(done)](mr::Result<QJsonValue> r) {
        if (!r)
            return done(r.error());
        std::vector<BlockStats> out;
        for (const QJsonValue v : r->toArray()) {
            const QJsonObject o = v.toObject();
            const QJsonObject s = o.value(QStringLiteral("stats")).toObject();
            BlockStats b;
            b.device = o.value(QStringLiteral("qdev")).toString();
            if (b.device.isEmpty())
                b.device = o.value(QStringLiteral("device")).toString();
            if (b.device.isEmpty())
                b.device = o.value(QStringLiteral("node-name")).toString();
            b.readOps = s.value(QStringLiteral("rd_operations")).toInteger();
            b.writeOps = s.value(QStringLiteral("wr_operations")).toInteger();
            b.readBytes = s.value(QStringLiteral("rd_bytes")).toInteger();
            b.writeBytes = s.value(QStringLiteral("wr_bytes")).toInteger();
            out.push_back(b);
        }
        done(std::move(out));
    });
}

void QemuMonitor::queryPeripherals(std::function<void(mr::Result<std::vector<QString>>)> done)
{
    client_.execute(QStringLiteral("qom-list"), {{QStringLiteral("path"), QStringLiteral("/machine/peripheral")}},
                    [done = std::move(done)](mr::Result<QJsonValue> r) {
                        if (!r)
                            return done(r.error());
                        std::vector<QString> out;
                        for (const QJsonValue v : r->toArray()) {
                            const QJsonObject o = v.toObject();
                            if (o.value(QStringLiteral("type")).toString().startsWith(QLatin1String("child<")))
                                out.push_back(o.value(QStringLiteral("name")).toString());
                        }
                        done(std::move(out));
                    });
}

void QemuMonitor::systemPowerdown(Done done) { simple(QStringLiteral("system_powerdown"), {}, std::move(done)); }
void QemuMonitor::systemReset(Done done) { simple(QStringLiteral("system_reset"), {}, std::move(done)); }
void QemuMonitor::quit(Done done) { simple(QStringLiteral("quit"), {}, std::move(done)); }
void QemuMonitor::stop(Done done) { simple(QStringLiteral("stop"), {}, std::move(done)); }
void QemuMonitor::cont(Done done) { simple(QStringLiteral("cont"), {}, std::move(done)); }

void QemuMonitor::addNic(const NicSpec& nic, Done done)
{
    const QString netdev = nic.id + QStringLiteral("-net");
    const QJsonObject netdevArgs{{QStringLiteral("type"), QStringLiteral("tap")},
                                 {QStringLiteral("id"), netdev},
                                 {QStringLiteral("ifname"), nic.ifname},
                                 {QStringLiteral("script"), QStringLiteral("no")},
                                 {QStringLiteral("downscript"), QStringLiteral("no")}};
    const QJsonObject deviceArgs{{QStringLiteral("driver"), QStringLiteral("virtio-net-pci")},
                                 {QStringLiteral("id"), nic.id},
                                 {QStringLiteral("netdev"), netdev},
                                 {QStringLiteral("mac"), nic.mac}};
    client_.execute(QStringLiteral("netdev_add"), netdevArgs,
                    [this, netdev, deviceArgs, done = std::move(done)](mr::Result<QJsonValue> r) mutable {
                        if (!r)
                            return done(r.error());
                        client_.execute(QStringLiteral("device_add"), deviceArgs,
                                        [this, netdev, done = std::move(done)](mr::Result<QJsonValue> r2) {
                                            if (r2)
                                                return done({});
                                            client_.execute(QStringLiteral("netdev_del"),
                                                            {{QStringLiteral("id"), netdev}});
                                            done(r2.error());
                                        });
                    });
}

void QemuMonitor::removeNic(const QString& nicId, Done done, int timeoutMs)
{
    // Shared between the DEVICE_DELETED handler and the timeout; the first wins.
    struct Op {
        Done done;
        QMetaObject::Connection conn;
        QTimer timer;
    };
    auto op = std::make_shared<Op>();
    op->done = std::move(done);
    const QString netdev = nicId + QStringLiteral("-net");
    auto finish = [this, op, netdev](mr::Status s) {
        if (!op->done)
            return;
        disconnect(op->conn);
        op->timer.stop();
        op->timer.disconnect();  // breaks the op -> timer -> slot -> op cycle
        // The backend goes only once the device is gone.
        if (s)
            client_.execute(QStringLiteral("netdev_del"), {{QStringLiteral("id"), netdev}});
        auto d = std::move(op->done);
        op->done = nullptr;
        d(std::move(s));
    };
    op->conn = connect(this, &QemuMonitor::deviceDeleted, this, [nicId, finish](const QString& id) {
        if (id == nicId)
            finish({});
    });
    op->timer.setSingleShot(true);
    connect(&op->timer, &QTimer::timeout, this, [finish, nicId] {
        finish(mr::Error::failed("the guest did not release " + nicId.toStdString() + " in time"));
    });
    op->timer.start(timeoutMs);
    client_.execute(QStringLiteral("device_del"), {{QStringLiteral("id"), nicId}},
                    [finish](mr::Result<QJsonValue> r) {
                        if (!r)
                            finish(r.error());
                    });
}

}  // namespace mr::hv
