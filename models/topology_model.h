#pragma once
// The router's layer-2 topology, derived live from five menus (/interface,
// /interface/bridge, /interface/bridge/port, /metarouter,
// /metarouter/interface): host interfaces, bridges and metarouters with
// their interfaces as ports, and the links between them. Also the edits a
// topology editor makes (attach to / detach from a bridge, commands).

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <array>
#include <functional>
#include <memory>
#include <vector>

#include "metarouter.pb.h"

namespace mr::protocol {
class ApiClient;
}

namespace mr::ui {

class MenuTableModel;

class TopologyModel final : public QObject {
    Q_OBJECT
public:
    // The five source menus, in the order of menuModel().
    enum class Source { Interface, Bridge, Port, Metarouter, MetarouterInterface };
    static constexpr int kSourceCount = 5;
    static const char* sourcePath(Source s);

    // A metarouter's interface: a port on its node.
    struct Port {
        QString id;               // in /metarouter/interface
        QString interface;        // the host link carrying it (vif1, mrs1)
        bool isStatic = false;
        QString staticInterface;  // type static: the host interface handed over
        QString dynamicBridge;    // type dynamic: the bridge it joins by itself
        bool active = false;      // plugged into the running guest
        bool disabled = false;
        bool running = false;     // the host link's running flag
        bool operator==(const Port&) const = default;
    };

    struct Node {
        enum class Kind { Interface, Bridge, Metarouter };
        Kind kind = Kind::Interface;
        QString key;         // unique across kinds: "interface:ether1", "bridge:br0", "metarouter:mr1"
        QString name;
        QString id;          // in the node's own menu
        QString type;        // interface: ether, vlan...; bridge: "bridge"; metarouter: "metarouter"
        QString state;       // metarouter: booting, running, stopped...
        bool running = false;
        bool disabled = false;
        std::vector<Port> ports;  // metarouters only
        bool operator==(const Node&) const = default;
    };

    struct Link {
        enum class Kind { BridgePort, StaticBinding };
        Kind kind = Kind::BridgePort;
        QString interface;   // the link name at one end: an interface node's name or a port's interface
        QString target;      // node key at the other end: the bridge, or the statically bound interface
        QString id;          // the bridge port's id, or the metarouter interface's id
        bool dynamic = false;   // a port the system made (e.g. a vif's dynamic-bridge)
        bool inactive = false;  // disabled or inactive port
        QString key() const;
        bool operator==(const Link&) const = default;
    };

    // Where an interface name is drawn: a node, or a port of a metarouter.
    struct Endpoint {
        QString nodeKey;
        int port = -1;  // index in the node's ports; -1: the node itself
        bool isValid() const { return !nodeKey.isEmpty(); }
    };

    // Done callbacks get an empty string on success, else the daemon's error.
    using Done = std::function<void(const QString& error)>;

    // Menus missing from the schema (a tenant user's) are left out.
    explicit TopologyModel(const wire::Schema& schema, QObject* parent = nullptr);
    ~TopologyModel() override;

    static QString nodeKey(Node::Kind kind, const QString& name);

    // Subscribes every source menu through client (again after a reconnection).
    void subscribe(protocol::ApiClient* client);
    bool isSubscribed() const;
    // The source table of a menu; nullptr when the router has no such menu.
    // Tests feed these directly (resetObjects / applyChanges).
    MenuTableModel* menuModel(Source s) const { return sources_[static_cast<std::size_t>(s)].get(); }
    const wire::Schema& schema() const { return schema_; }

    const std::vector<Node>& nodes() const { return nodes_; }
    const std::vector<Link>& links() const { return links_; }
    const Node* node(const QString& key) const;
    Endpoint endpointOf(const QString& interfaceName) const;
    // The bridge an interface is a port of (configured or dynamic), or empty.
    QString bridgeOf(const QString& interfaceName) const;
    // Rebuilds nodes and links from the sources now (normally once per
    // event-loop pass after they change).
    void rebuild();

    // Makes interfaceName a port of bridge: a new /interface/bridge/port,
    // or the existing one moved; a vif that joined by its dynamic-bridge
    // gets a new dynamic-bridge instead.
    void attach(const QString& interfaceName, const QString& bridge, Done done);
    // Takes interfaceName off its bridge (the reverse of attach()).
    void detach(const QString& interfaceName, Done done);
    // A /metarouter command (start, shut-down, reboot) on one metarouter.
    void runCommand(const QString& metarouter, const std::string& command, Done done);
    // A bridge with the daemon's default name (bridge1, ...); done gets the error, name the new name.
    void addBridge(std::function<void(const QString& error, const QString& name)> done);
    void removeBridge(const QString& bridge, Done done);

signals:
    // Nodes or links changed (coalesced: at most once per event-loop pass).
    void changed();
    // Every source delivered its snapshot.
    void subscribed();
    void subscribeFailed(const QString& message);

private:
    void scheduleRebuild();
    void send(const wire::Request& request, Done done);
    void portOf(const QString& interfaceName, QString* id, bool* dynamic, QString* bridge) const;
    const Port* metarouterPort(const QString& interfaceName, QString* metarouter = nullptr) const;
    // The metarouter a host interface is statically handed to, or empty.
    QString staticOwner(const QString& interfaceName) const;

    wire::Schema schema_;
    std::array<std::unique_ptr<MenuTableModel>, kSourceCount> sources_;
    QPointer<protocol::ApiClient> client_;
    int pendingSnapshots_ = 0;
    QTimer rebuildTimer_;
    std::vector<Node> nodes_;
    std::vector<Link> links_;
    QHash<QString, int> nodeIndex_;         // key -> index in nodes_
    QHash<QString, Endpoint> endpoints_;    // interface name -> where it is drawn
};

}  // namespace mr::ui
