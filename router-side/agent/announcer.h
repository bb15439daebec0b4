#pragma once
// Neighbor discovery, the router's half: /ip/neighbor/discovery-settings and
// a UDP broadcast saying who we are (identity, version, API port, certificate
// fingerprint, address) on every up IPv4 interface, once per interval.

#include <QObject>
#include <QString>
#include <QTimer>
#include <QUdpSocket>

#include <functional>
#include <string>

#include "menu_provider.h"

namespace mr::agent {

class Announcer final : public QObject, public MenuProvider {
    Q_OBJECT
public:
    // identity: the current /system/identity name. port: where clients
    // listen (protocol::kDiscoveryPort; tests may pick another).
    explicit Announcer(std::function<std::string()> identity, quint16 port, QObject* parent = nullptr);

    std::vector<wire::MenuSchema> menus() const override;
    bool persists(const std::string& menu) const override;
    void start(ObjectStore& store) override;
    Status apply(const Mutation& mutation) override;
    void revert(const Mutation& mutation) override;

    // What the announcements advertise about the TLS API (port 0: none).
    void setApi(quint16 port, const QString& fingerprint);

    // One round now, on every eligible interface; returns the datagrams sent.
    int announce();
    bool enabled() const { return timer_.isActive(); }
    int intervalSeconds() const { return intervalS_; }

private:
    void configure(const Properties& settings);

    std::function<std::string()> identity_;
    quint16 port_;
    quint16 apiPort_ = 0;
    std::string fingerprint_;
    int intervalS_ = 30;
    QTimer timer_;
    QUdpSocket socket_;
    QString lastError_;
};

}  // namespace mr::agent
