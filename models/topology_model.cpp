#include "topology_model.h"

#include <QSet>

#include <algorithm>

#include "api_client.h"
#include "error.h"
#include "menu_table_model.h"
#include "schema_values.h"

namespace mr::ui {

namespace {
constexpr const char* kPaths[TopologyModel::kSourceCount] = {
    "/interface", "/interface/bridge", "/interface/bridge/port", "/metarouter", "/metarouter/interface",
};

QString value(const Properties& p, const char* key)
{
    auto it = p.find(key);
    return it == p.end() ? QString() : QString::fromStdString(it->second);
}

bool yes(const Properties& p, const char* key)
{
    auto it = p.find(key);
    return it != p.end() && it->second == "yes";
}

// The node a menu row stands for: its key, id and the flags every kind has.
TopologyModel::Node nodeOf(const MenuTableModel& m, int row, TopologyModel::Node::Kind kind, QString type)
{
    const Properties& p = m.propertiesAt(row);
    TopologyModel::Node n;
    n.kind = kind;
    n.name = value(p, "name");
    n.key = TopologyModel::nodeKey(kind, n.name);
    n.id = QString::fromStdString(m.idAt(row));
    n.type = std::move(type);
    n.running = yes(p, "running");
    n.disabled = yes(p, "disabled");
    return n;
}

QString replyError(const wire::Reply& reply)
{
    if (reply.error().code() == wire::ERROR_NONE)
        return {};
    return QString::fromStdString(Error::fromWire(reply.error()).text());
}
}  // namespace

const char* TopologyModel::sourcePath(Source s)
{
    return kPaths[static_cast<int>(s)];
}

QString TopologyModel::Link::key() const
{
    return QString::number(static_cast<int>(kind)) + '|' + interface + '|' + target;
}

QString TopologyModel::nodeKey(Node::Kind kind, const QString& name)
{
    switch (kind) {
    case Node::Kind::Interface: return QStringLiteral("interface:") + name;
    case Node::Kind::Bridge: return QStringLiteral("bridge:") + name;
    case Node::Kind::Metarouter: return QStringLiteral("metarouter:") + name;
    }
    return name;
}

TopologyModel::TopologyModel(const wire::Schema& schema, QObject* parent) : QObject(parent), schema_(schema)
{
    rebuildTimer_.setSingleShot(true);
    rebuildTimer_.setInterval(0);
    connect(&rebuildTimer_, &QTimer::timeout, this, &TopologyModel::rebuild);
    for (int i = 0; i < kSourceCount; ++i) {
        const wire::MenuSchema* menu = protocol::findMenu(schema_, kPaths[i]);
        if (!menu)
            continue;
        auto model = std::make_unique<MenuTableModel>(*menu);
        // Any change of any source: one rebuild per event-loop pass, however
        // many events a batch brings.
        connect(model.get(), &QAbstractItemModel::modelReset, this, &TopologyModel::scheduleRebuild);
        connect(model.get(), &QAbstractItemModel::rowsInserted, this, &TopologyModel::scheduleRebuild);
        connect(model.get(), &QAbstractItemModel::rowsRemoved, this, &TopologyModel::scheduleRebuild);
        connect(model.get(), &QAbstractItemModel::dataChanged, this, &TopologyModel::scheduleRebuild);
        connect(model.get(), &MenuTableModel::subscribed, this, [this] {
            if (--pendingSnapshots_ == 0)
                emit subscribed();
        });
        connect(model.get(), &MenuTableModel::subscribeFailed, this, &TopologyModel::subscribeFailed);
        sources_[static_cast<std::size_t>(i)] = std::move(model);
    }
}

TopologyModel::~TopologyModel() = default;

void TopologyModel::subscribe(protocol::ApiClient* client)
{
    client_ = client;
    pendingSnapshots_ = 0;
    for (auto& s : sources_)
        if (s)
            ++pendingSnapshots_;
    for (auto& s : sources_)
        if (s)
            s->subscribe(client);
}

bool TopologyModel::isSubscribed() const
{
    return client_ && pendingSnapshots_ == 0;
}

void TopologyModel::scheduleRebuild()
{
    if (!rebuildTimer_.isActive())
        rebuildTimer_.start();
}

const TopologyModel::Node* TopologyModel::node(const QString& key) const
{
    const int i = nodeIndex_.value(key, -1);
    return i < 0 ? nullptr : &nodes_[static_cast<std::size_t>(i)];
}

TopologyModel::Endpoint TopologyModel::endpointOf(const QString& interfaceName) const
{
    return endpoints_.value(interfaceName);
}

void TopologyModel::rebuild()
{
    rebuildTimer_.stop();
    std::vector<Node> nodes;
    std::vector<Link> links;

    // Link state of every host link, by name.
    struct LinkState {
        QString id, type;
        bool running = false, disabled = false;
    };
    QHash<QString, LinkState> linkState;
    if (auto* m = menuModel(Source::Interface)) {
        linkState.reserve(m->rowCount());
        for (int r = 0; r < m->rowCount(); ++r) {
            const Properties& p = m->propertiesAt(r);
            linkState.insert(value(p, "name"), {QString::fromStdString(m->idAt(r)), value(p, "type"),
                                                yes(p, "running"), yes(p, "disabled")});
        }
    }

    // Metarouters, then their interfaces as ports.
    QHash<QString, int> metarouterIndex;
    if (auto* m = menuModel(Source::Metarouter)) {
        for (int r = 0; r < m->rowCount(); ++r) {
            Node n = nodeOf(*m, r, Node::Kind::Metarouter, QStringLiteral("metarouter"));
            n.state = value(m->propertiesAt(r), "state");
            n.running = n.state == QLatin1String("running");
            metarouterIndex.insert(n.name, static_cast<int>(nodes.size()));
            nodes.push_back(std::move(n));
        }
    }
    QSet<QString> portLinks;  // host links drawn as metarouter ports, not as nodes
    if (auto* m = menuModel(Source::MetarouterInterface)) {
        for (int r = 0; r < m->rowCount(); ++r) {
            const Properties& p = m->propertiesAt(r);
            const int owner = metarouterIndex.value(value(p, "virtual-machine"), -1);
            if (owner < 0)
                continue;
            Port port;
            port.id = QString::fromStdString(m->idAt(r));
            port.interface = value(p, "interface");
            port.isStatic = value(p, "type") == QLatin1String("static");
            port.staticInterface = value(p, "static-interface");
            port.dynamicBridge = value(p, "dynamic-bridge");
            port.active = yes(p, "active");
            port.disabled = yes(p, "disabled");
            port.running = linkState.value(port.interface).running;
            if (!port.interface.isEmpty())
                portLinks.insert(port.interface);
            if (port.isStatic && !port.staticInterface.isEmpty())
                links.push_back({Link::Kind::StaticBinding, port.interface,
                                 nodeKey(Node::Kind::Interface, port.staticInterface), port.id, false,
                                 port.disabled || !port.active});
            nodes[static_cast<std::size_t>(owner)].ports.push_back(std::move(port));
        }
    }
    for (Node& n : nodes)
        std::sort(n.ports.begin(), n.ports.end(), [](const Port& a, const Port& b) {
            // vif2 before vif10
            if (a.interface.size() != b.interface.size())
                return a.interface.size() < b.interface.size();
            return a.interface < b.interface;
        });

    // Bridges: the configured ones. The private bridges a static binding
    // uses (mrb*) are plumbing and drawn as the binding's line instead.
    QSet<QString> bridges;
    if (auto* m = menuModel(Source::Bridge)) {
        for (int r = 0; r < m->rowCount(); ++r) {
            Node n = nodeOf(*m, r, Node::Kind::Bridge, QStringLiteral("bridge"));
            bridges.insert(n.name);
            nodes.push_back(std::move(n));
        }
    }

    // Host interfaces: everything else but loopback, bridges and the links
    // already drawn as metarouter ports.
    if (auto* m = menuModel(Source::Interface)) {
        for (int r = 0; r < m->rowCount(); ++r) {
            const Properties& p = m->propertiesAt(r);
            const QString name = value(p, "name");
            const QString type = value(p, "type");
            if (type == QLatin1String("loopback") || type == QLatin1String("bridge") || bridges.contains(name) ||
                portLinks.contains(name))
                continue;
            nodes.push_back(nodeOf(*m, r, Node::Kind::Interface, type));
        }
    }

    QHash<QString, int> index;
    QHash<QString, Endpoint> endpoints;
    index.reserve(static_cast<int>(nodes.size()));
    for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
        const Node& n = nodes[static_cast<std::size_t>(i)];
        index.insert(n.key, i);
        if (n.kind == Node::Kind::Interface)
            endpoints.insert(n.name, {n.key, -1});
        for (int k = 0; k < static_cast<int>(n.ports.size()); ++k)
            if (!n.ports[static_cast<std::size_t>(k)].interface.isEmpty())
                endpoints.insert(n.ports[static_cast<std::size_t>(k)].interface, {n.key, k});
    }

    // Bridge membership: the ports whose both ends are drawn.
    if (auto* m = menuModel(Source::Port)) {
        for (int r = 0; r < m->rowCount(); ++r) {
            const Properties& p = m->propertiesAt(r);
            const QString iface = value(p, "interface");
            const QString bridge = value(p, "bridge");
            if (!bridges.contains(bridge) || !endpoints.contains(iface))
                continue;
            links.push_back({Link::Kind::BridgePort, iface, nodeKey(Node::Kind::Bridge, bridge),
                             QString::fromStdString(m->idAt(r)), yes(p, "dynamic"),
                             yes(p, "disabled") || yes(p, "inactive")});
        }
    }
    // Static bindings to interfaces that are not drawn are left out.
    links.erase(std::remove_if(links.begin(), links.end(),
                               [&](const Link& l) {
                                   return l.kind == Link::Kind::StaticBinding && !index.contains(l.target);
                               }),
                links.end());

    nodes_ = std::move(nodes);
    links_ = std::move(links);
    nodeIndex_ = std::move(index);
    endpoints_ = std::move(endpoints);
    emit changed();
}

void TopologyModel::portOf(const QString& interfaceName, QString* id, bool* dynamic, QString* bridge) const
{
    *id = QString();
    *dynamic = false;
    *bridge = QString();
    auto* m = menuModel(Source::Port);
    if (!m)
        return;
    for (int r = 0; r < m->rowCount(); ++r) {
        const Properties& p = m->propertiesAt(r);
        if (value(p, "interface") != interfaceName)
            continue;
        // A configured port wins over the dynamic one the kernel shows.
        const bool dyn = yes(p, "dynamic");
        if (!id->isEmpty() && dyn)
            continue;
        *id = QString::fromStdString(m->idAt(r));
        *dynamic = dyn;
        *bridge = value(p, "bridge");
        if (!dyn)
            return;
    }
}

QString TopologyModel::bridgeOf(const QString& interfaceName) const
{
    QString id, bridge;
    bool dynamic = false;
    portOf(interfaceName, &id, &dynamic, &bridge);
    return bridge;
}

const TopologyModel::Port* TopologyModel::metarouterPort(const QString& interfaceName, QString* metarouter) const
{
    const Endpoint e = endpointOf(interfaceName);
    const Node* n = node(e.nodeKey);
    if (!n || e.port < 0)
        return nullptr;
    if (metarouter)
        *metarouter = n->name;
    return &n->ports[static_cast<std::size_t>(e.port)];
}

QString TopologyModel::staticOwner(const QString& interfaceName) const
{
    const QString key = nodeKey(Node::Kind::Interface, interfaceName);
    for (const Link& l : links_)
        if (l.kind == Link::Kind::StaticBinding && l.target == key) {
            QString metarouter;
            metarouterPort(l.interface, &metarouter);
            return metarouter;
        }
    return {};
}

void TopologyModel::send(const wire::Request& request, Done done)
{
    if (!client_) {
        if (done)
            done(tr("Not connected."));
        return;
    }
    client_->request(request, [done = std::move(done)](const wire::Reply& reply) {
        if (done)
            done(replyError(reply));
    });
}

void TopologyModel::attach(const QString& interfaceName, const QString& bridge, Done done)
{
    QString portId, current;
    bool dynamic = false;
    portOf(interfaceName, &portId, &dynamic, &current);
    if (current == bridge && !portId.isEmpty()) {
        if (done)
            done({});
        return;
    }
    // Bridging it would tear it from the guest it is handed to.
    if (const QString owner = staticOwner(interfaceName); !owner.isEmpty()) {
        if (done)
            done(tr("%1 is bound to metarouter %2 (a static interface); remove that binding first")
                     .arg(interfaceName, owner));
        return;
    }
    wire::Request req;
    const Port* vif = metarouterPort(interfaceName);
    if (vif && vif->isStatic) {
        if (done)
            done(tr("%1 is a static interface of a metarouter and cannot join a bridge").arg(interfaceName));
        return;
    }
    if (vif && !vif->dynamicBridge.isEmpty()) {
        // The vif joins a bridge by itself at every start: move that setting,
        // or the next start would take it back.
        auto* set = req.mutable_set();
        set->set_menu(sourcePath(Source::MetarouterInterface));
        set->set_id(vif->id.toStdString());
        (*set->mutable_properties())["dynamic-bridge"] = bridge.toStdString();
    } else if (!portId.isEmpty() && !dynamic) {
        auto* set = req.mutable_set();
        set->set_menu(sourcePath(Source::Port));
        set->set_id(portId.toStdString());
        (*set->mutable_properties())["bridge"] = bridge.toStdString();
    } else {
        auto* add = req.mutable_add();
        add->set_menu(sourcePath(Source::Port));
        (*add->mutable_properties())["interface"] = interfaceName.toStdString();
        (*add->mutable_properties())["bridge"] = bridge.toStdString();
    }
    send(req, std::move(done));
}

void TopologyModel::detach(const QString& interfaceName, Done done)
{
    QString portId, bridge;
    bool dynamic = false;
    portOf(interfaceName, &portId, &dynamic, &bridge);
    if (const QString owner = staticOwner(interfaceName); !owner.isEmpty()) {
        if (done)
            done(tr("%1 is bound to metarouter %2 (a static interface), not a port of a bridge")
                     .arg(interfaceName, owner));
        return;
    }
    wire::Request req;
    const Port* vif = metarouterPort(interfaceName);
    if (vif && !vif->isStatic && !vif->dynamicBridge.isEmpty() && (portId.isEmpty() || dynamic)) {
        auto* set = req.mutable_set();
        set->set_menu(sourcePath(Source::MetarouterInterface));
        set->set_id(vif->id.toStdString());
        set->add_unset("dynamic-bridge");
    } else if (!portId.isEmpty() && !dynamic) {
        req.mutable_remove()->set_menu(sourcePath(Source::Port));
        req.mutable_remove()->add_ids(portId.toStdString());
    } else if (!portId.isEmpty()) {
        if (done)
            done(tr("%1 was made a port of %2 outside the router's configuration; it cannot be removed here")
                     .arg(interfaceName, bridge));
        return;
    } else {
        if (done)
            done(tr("%1 is not a port of any bridge").arg(interfaceName));
        return;
    }
    send(req, std::move(done));
}

void TopologyModel::runCommand(const QString& metarouter, const std::string& command, Done done)
{
    const Node* n = node(nodeKey(Node::Kind::Metarouter, metarouter));
    if (!n) {
        if (done)
            done(tr("no metarouter named %1").arg(metarouter));
        return;
    }
    wire::Request req;
    req.mutable_command()->set_menu(sourcePath(Source::Metarouter));
    req.mutable_command()->set_command(command);
    req.mutable_command()->set_id(n->id.toStdString());
    send(req, std::move(done));
}

void TopologyModel::addBridge(std::function<void(const QString& error, const QString& name)> done)
{
    if (!client_) {
        if (done)
            done(tr("Not connected."), {});
        return;
    }
    wire::Request req;
    req.mutable_add()->set_menu(sourcePath(Source::Bridge));
    QPointer<TopologyModel> self = this;
    client_->request(req, [self, done = std::move(done)](const wire::Reply& reply) {
        const QString error = replyError(reply);
        if (!error.isEmpty() || !self || !self->client_) {
            if (done)
                done(error, {});
            return;
        }
        // The reply has the id; the name is the daemon's choice.
        wire::Request get;
        get.mutable_get()->set_menu(sourcePath(Source::Bridge));
        const std::string id = reply.id();
        self->client_->request(get, [id, done](const wire::Reply& r) {
            QString name;
            for (const auto& o : r.objects())
                if (o.id() == id)
                    if (auto it = o.properties().find("name"); it != o.properties().end())
                        name = QString::fromStdString(it->second);
            if (done)
                done(replyError(r), name);
        });
    });
}

void TopologyModel::removeBridge(const QString& bridge, Done done)
{
    const Node* n = node(nodeKey(Node::Kind::Bridge, bridge));
    if (!n) {
        if (done)
            done(tr("no bridge named %1").arg(bridge));
        return;
    }
    wire::Request req;
    req.mutable_remove()->set_menu(sourcePath(Source::Bridge));
    req.mutable_remove()->add_ids(n->id.toStdString());
    send(req, std::move(done));
}

}  // namespace mr::ui
