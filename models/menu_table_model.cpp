#include "menu_table_model.h"

#include <QColor>

#include <algorithm>

#include "api_client.h"
#include "display_names.h"
#include "schema_values.h"

namespace mr::ui {

namespace {
const Properties kNoProperties;

bool isNumeric(wire::PropertyType type)
{
    return type == wire::TYPE_INTEGER || type == wire::TYPE_SIZE || type == wire::TYPE_DURATION;
}
}  // namespace

MenuTableModel::MenuTableModel(wire::MenuSchema menu, QObject* parent)
    : QAbstractTableModel(parent), menu_(std::move(menu))
{
    // The menu's print columns first, then every other property.
    std::vector<bool> used(static_cast<std::size_t>(menu_.properties_size()), false);
    for (const auto& c : menu_.columns()) {
        for (int i = 0; i < menu_.properties_size(); ++i) {
            if (menu_.properties(i).name() == c.property() && !used[static_cast<std::size_t>(i)]) {
                columns_.push_back(i);
                used[static_cast<std::size_t>(i)] = true;
            }
        }
    }
    for (int i = 0; i < menu_.properties_size(); ++i)
        if (!used[static_cast<std::size_t>(i)])
            columns_.push_back(i);
}

const wire::PropertySchema* MenuTableModel::columnProperty(int column) const
{
    const int c = column - (hasFlagsColumn() ? 1 : 0);
    if (c < 0 || c >= static_cast<int>(columns_.size()))
        return nullptr;
    return &menu_.properties(columns_[static_cast<std::size_t>(c)]);
}

int MenuTableModel::columnOf(const std::string& property) const
{
    for (int c = 0; c < columnCount(); ++c)
        if (const auto* p = columnProperty(c); p && p->name() == property)
            return c;
    return -1;
}

int MenuTableModel::rowOf(const std::string& id) const
{
    return rowById_.value(QString::fromStdString(id), -1);
}

std::string MenuTableModel::idAt(int row) const
{
    return row >= 0 && row < rowCount() ? rows_[static_cast<std::size_t>(row)].id : std::string();
}

const Properties& MenuTableModel::propertiesAt(int row) const
{
    return row >= 0 && row < rowCount() ? rows_[static_cast<std::size_t>(row)].properties : kNoProperties;
}

QString MenuTableModel::flagsAt(int row) const
{
    const Properties& props = propertiesAt(row);
    QString letters;
    for (const auto& f : menu_.flags()) {
        auto it = props.find(f.property());
        const bool yes = it != props.end() && it->second == "yes";
        const bool known = it != props.end() && !it->second.empty();
        if (known && yes != f.inverted())
            letters += QString::fromStdString(f.letter());
    }
    return letters;
}

void MenuTableModel::subscribe(protocol::ApiClient* client)
{
    if (client_)
        disconnect(client_, nullptr, this, nullptr);
    client_ = client;
    subscription_ = 0;
    connect(client, &protocol::ApiClient::event, this, &MenuTableModel::onEvent);
    wire::Request req;
    req.mutable_subscribe()->set_menu(menu_.path());
    QPointer<MenuTableModel> self = this;
    client->request(req, [self](const wire::Reply& reply) {
        if (!self)
            return;
        if (reply.error().code() != wire::ERROR_NONE) {
            self->lastError_ = QString::fromStdString(Error::fromWire(reply.error()).text());
            emit self->subscribeFailed(self->lastError_);
            return;
        }
        self->subscription_ = reply.subscription();
        self->resetObjects(reply.objects(), reply.revision());
        emit self->subscribed();
    });
}

void MenuTableModel::onEvent(const wire::Event& event)
{
    if (subscription_ == 0 || event.subscription() != subscription_)
        return;
    applyChanges(event.changes(), event.revision());
}

MenuTableModel::Row MenuTableModel::toRow(const wire::Object& object)
{
    Row r;
    r.id = object.id();
    for (const auto& [k, v] : object.properties())
        r.properties[k] = v;
    return r;
}

void MenuTableModel::resetObjects(const google::protobuf::RepeatedPtrField<wire::Object>& objects, quint64 revision)
{
    beginResetModel();
    rows_.clear();
    rows_.reserve(static_cast<std::size_t>(objects.size()));
    for (const auto& o : objects)
        rows_.push_back(toRow(o));
    rowById_.clear();
    rebuildIndex();
    revision_ = revision;
    endResetModel();
}

void MenuTableModel::rebuildIndex(int fromRow)
{
    for (int r = fromRow; r < rowCount(); ++r)
        rowById_.insert(QString::fromStdString(rows_[static_cast<std::size_t>(r)].id), r);
}

void MenuTableModel::applyChanges(const google::protobuf::RepeatedPtrField<wire::Change>& changes, quint64 revision)
{
    if (revision != 0 && revision <= revision_)
        return;  // already in the snapshot
    std::vector<int> removed;
    std::vector<Row> added;
    int changedFirst = -1;
    int changedLast = -1;
    for (const auto& c : changes) {
        const int row = rowOf(c.object().id());
        switch (c.kind()) {
        case wire::Change::REMOVED:
            if (row >= 0)
                removed.push_back(row);
            break;
        case wire::Change::CHANGED:
        case wire::Change::ADDED:
            if (row >= 0) {
                rows_[static_cast<std::size_t>(row)] = toRow(c.object());
                changedFirst = changedFirst < 0 ? row : std::min(changedFirst, row);
                changedLast = std::max(changedLast, row);
            } else {
                // A CHANGED for an unknown id is treated as an addition.
                auto dup = std::find_if(added.begin(), added.end(),
                                        [&](const Row& r) { return r.id == c.object().id(); });
                if (dup != added.end())
                    *dup = toRow(c.object());
                else
                    added.push_back(toRow(c.object()));
            }
            break;
        default:
            break;
        }
    }
    if (changedFirst >= 0)
        emit dataChanged(index(changedFirst, 0), index(changedLast, columnCount() - 1));

    if (!removed.empty()) {
        std::sort(removed.begin(), removed.end());
        removed.erase(std::unique(removed.begin(), removed.end()), removed.end());
        // From the bottom up, one removal per contiguous run.
        int i = static_cast<int>(removed.size()) - 1;
        while (i >= 0) {
            const int last = removed[static_cast<std::size_t>(i)];
            int first = last;
            while (i > 0 && removed[static_cast<std::size_t>(i - 1)] == first - 1)
                first = removed[static_cast<std::size_t>(--i)];
            --i;
            beginRemoveRows({}, first, last);
            rows_.erase(rows_.begin() + first, rows_.begin() + last + 1);
            endRemoveRows();
        }
        rowById_.clear();
        rebuildIndex();
    }

    if (!added.empty()) {
        const int first = rowCount();
        beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
        for (auto& r : added)
            rows_.push_back(std::move(r));
        rebuildIndex(first);
        endInsertRows();
    }
    if (revision != 0)
        revision_ = revision;
}

int MenuTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int MenuTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(columns_.size()) + (hasFlagsColumn() ? 1 : 0);
}

QVariant MenuTableModel::rawValue(const wire::PropertySchema& property, const std::string& stored) const
{
    if (isNumeric(property.type())) {
        if (auto n = protocol::parseInteger(stored))
            return QVariant::fromValue<qlonglong>(*n);
        return QVariant::fromValue<qlonglong>(-1);  // "unlimited"/empty sort first
    }
    return QString::fromStdString(stored);
}

QVariant MenuTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
        return {};
    const Row& row = rows_[static_cast<std::size_t>(index.row())];
    if (role == IdRole)
        return QString::fromStdString(row.id);
    const wire::PropertySchema* p = columnProperty(index.column());
    if (role == PropertyRole)
        return p ? QString::fromStdString(p->name()) : QString();
    if (!p) {
        if (role == Qt::DisplayRole || role == RawRole)
            return flagsAt(index.row());
        if (role == Qt::ToolTipRole) {
            QStringList parts;
            for (const auto& f : menu_.flags())
                if (flagsAt(index.row()).contains(QString::fromStdString(f.letter())))
                    parts << QString::fromStdString(f.letter() + " - " + f.description());
            return parts.join('\n');
        }
        return {};
    }
    auto it = row.properties.find(p->name());
    const std::string stored = it == row.properties.end() ? std::string() : it->second;
    switch (role) {
    case Qt::DisplayRole:
        // Built on demand: a 10,000-row table formats only what is visible.
        return stored.empty() ? QString() : QString::fromStdString(protocol::formatValue(*p, stored));
    case RawRole:
        return rawValue(*p, stored);
    case Qt::TextAlignmentRole:
        if (isNumeric(p->type()))
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if (flagsAt(index.row()).contains('X'))
            return QColor(Qt::gray);
        return {};
    default:
        return {};
    }
}

QVariant MenuTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    const wire::PropertySchema* p = columnProperty(section);
    if (role == Qt::DisplayRole) {
        if (!p)
            return QString();
        return displayName(p->name());
    }
    if (role == Qt::ToolTipRole) {
        if (!p) {
            QStringList parts;
            for (const auto& f : menu_.flags())
                parts << QString::fromStdString(f.letter() + " - " + f.description());
            return parts.join('\n');
        }
        return QString::fromStdString(p->description());
    }
    if (role == PropertyRole)
        return p ? QString::fromStdString(p->name()) : QString();
    return {};
}

}  // namespace mr::ui
