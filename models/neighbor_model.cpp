#include "neighbor_model.h"

#include <QNetworkDatagram>

#include "announcement.h"
#include "api_client.h"
#include "tls_pinning.h"

namespace mr::ui {

namespace {
constexpr int kMissedAnnouncements = 3;

QString text(const std::string& s)
{
    return QString::fromStdString(s);
}
}  // namespace

NeighborModel::NeighborModel(QObject* parent) : QAbstractTableModel(parent)
{
    connect(&socket_, &QUdpSocket::readyRead, this, &NeighborModel::readPending);
    // The age column moves every second, and entries expire.
    connect(&tick_, &QTimer::timeout, this, [this] {
        expire();
        if (!rows_.empty())
            emit dataChanged(index(0, Age), index(static_cast<int>(rows_.size()) - 1, Age), {Qt::DisplayRole});
    });
    tick_.start(1000);
}

bool NeighborModel::listen(quint16 port)
{
    socket_.close();
    if (port == 0)
        port = protocol::kDiscoveryPort;
    // Shared: another metabox on this computer listens too.
    if (!socket_.bind(QHostAddress::AnyIPv4, port, QUdpSocket::ShareAddress | QUdpSocket::ReuseAddressHint)) {
        error_ = tr("cannot listen for router announcements on UDP port %1: %2").arg(port).arg(socket_.errorString());
        return false;
    }
    error_.clear();
    return true;
}

void NeighborModel::readPending()
{
    while (socket_.hasPendingDatagrams()) {
        const QNetworkDatagram d = socket_.receiveDatagram(protocol::kMaxAnnouncementSize + 1);
        receive(d.data(), d.senderAddress());
    }
}

void NeighborModel::receive(const QByteArray& datagram, const QHostAddress& sender)
{
    auto a = protocol::decodeAnnouncement(
        std::string_view(datagram.constData(), static_cast<std::size_t>(datagram.size())));
    if (!a) {
        ++rejected_;
        return;
    }
    // The address announced is the one to connect to; a datagram claiming
    // another router's address from elsewhere is ignored.
    const QHostAddress announced(text(a->address()));
    if (!sender.isNull() && !sender.isEqual(announced, QHostAddress::ConvertV4MappedToIPv4)) {
        ++rejected_;
        return;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (std::size_t i = 0; i < rows_.size(); ++i) {
        if (rows_[i].announcement.address() != a->address())
            continue;
        rows_[i] = {*a, now};
        const int row = static_cast<int>(i);
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    if (static_cast<int>(rows_.size()) >= kMaxNeighbors) {
        ++rejected_;
        return;
    }
    const int row = static_cast<int>(rows_.size());
    beginInsertRows({}, row, row);
    rows_.push_back({*a, now});
    endInsertRows();
}

qint64 NeighborModel::ageSeconds(const Neighbor& n) const
{
    return n.lastSeen.secsTo(QDateTime::currentDateTimeUtc());
}

void NeighborModel::expire()
{
    for (int i = static_cast<int>(rows_.size()) - 1; i >= 0; --i) {
        const Neighbor& n = rows_[static_cast<std::size_t>(i)];
        if (ageSeconds(n) <= qint64(n.announcement.interval()) * kMissedAnnouncements)
            continue;
        beginRemoveRows({}, i, i);
        rows_.erase(rows_.begin() + i);
        endRemoveRows();
    }
}

int NeighborModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int NeighborModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NeighborModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= static_cast<int>(rows_.size()))
        return {};
    const Neighbor& n = rows_[static_cast<std::size_t>(index.row())];
    const wire::Announcement& a = n.announcement;
    if (role == ConnectRole) {
        const QString address = text(a.address());
        if (a.api_port() == 0)
            return QString();  // no TLS listener: nothing to connect to
        return a.api_port() == protocol::ApiClient::kDefaultPort ? address
                                                                 : address + ':' + QString::number(a.api_port());
    }
    if (role == FingerprintRole)
        return text(a.fingerprint());
    if (role == Qt::ToolTipRole)
        return tr("%1 on %2 (%3, %4)\nCertificate SHA-256: %5")
            .arg(text(a.identity()), text(a.address()), text(a.interface()), text(a.mac_address()),
                 a.fingerprint().empty() ? tr("none") : text(a.fingerprint()));
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (index.column()) {
    case Identity:
        return text(a.identity());
    case Address:
        if (role == SortRole)
            return QHostAddress(text(a.address())).toIPv4Address();
        return a.api_port() == 0 ? tr("%1 (no API)").arg(text(a.address()))
                                 : data(index.siblingAtColumn(Identity), ConnectRole);
    case Version: {
        const QString software = text(a.software());
        return software.startsWith(QLatin1String("metarouterd ")) ? software.mid(12) : software;
    }
    case Fingerprint:
        // Enough to recognise it; the tooltip has it all.
        return a.fingerprint().empty() ? QString() : protocol::TlsPinning::display(text(a.fingerprint()).left(16));
    case Age:
        if (role == SortRole)
            return ageSeconds(n);
        return tr("%1 s").arg(ageSeconds(n));
    default:
        return {};
    }
}

QVariant NeighborModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Identity:
        return tr("Identity");
    case Address:
        return tr("Address");
    case Version:
        return tr("Version");
    case Fingerprint:
        return tr("Fingerprint");
    case Age:
        return tr("Age");
    default:
        return {};
    }
}

}  // namespace mr::ui
