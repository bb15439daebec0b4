#pragma once
// The routers announcing themselves on the local networks (metarouterd's
// UDP broadcast, see protocol/announcement.h): one row per router address,
// refreshed by each announcement and dropped after three missed ones.

#include <QAbstractTableModel>
#include <QDateTime>
#include <QString>
#include <QTimer>
#include <QUdpSocket>

#include <vector>

#include "metarouter.pb.h"

namespace mr::ui {

class NeighborModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Identity, Address, Version, Fingerprint, Age, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1,  // raw values (age in seconds)
        ConnectRole,                  // what to type in Connect To: "10.0.0.1", "10.0.0.1:8800"; empty: no API
        FingerprintRole,              // the full hex fingerprint
    };
    // More announcers than this on one LAN is a flood, not routers.
    static constexpr int kMaxNeighbors = 256;

    explicit NeighborModel(QObject* parent = nullptr);

    // Starts listening on port (protocol::kDiscoveryPort by default). False
    // with errorString() when the port cannot be bound.
    bool listen(quint16 port = 0);
    QString errorString() const { return error_; }
    bool isListening() const { return socket_.state() == QAbstractSocket::BoundState; }
    // Datagrams received that were not announcements (for diagnostics).
    int rejected() const { return rejected_; }

    // Takes one datagram; public so that tests can feed foreign traffic.
    void receive(const QByteArray& datagram, const QHostAddress& sender);
    // Drops entries not heard from in three intervals.
    void expire();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Neighbor {
        wire::Announcement announcement;
        QDateTime lastSeen;
    };

    void readPending();
    qint64 ageSeconds(const Neighbor& n) const;

    std::vector<Neighbor> rows_;
    QUdpSocket socket_;
    QTimer tick_;
    QString error_;
    int rejected_ = 0;
};

}  // namespace mr::ui
