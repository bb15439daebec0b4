#include "topology_positions.h"

#include <QSettings>

#include <algorithm>
#include <array>

namespace mr::ui {

namespace {
QString settingsKey(const QString& nodeKey)
{
    // Keys hold ':'; percent-encoded they stay one key in every format.
    return QString::fromLatin1(nodeKey.toUtf8().toPercentEncoding());
}
}  // namespace

TopologyPositions::TopologyPositions(QString group) : group_(std::move(group))
{
    if (group_.isEmpty())
        return;
    QSettings s;
    s.beginGroup(group_);
    for (const QString& key : s.childKeys())
        saved_.insert(QString::fromUtf8(QByteArray::fromPercentEncoding(key.toUtf8())), s.value(key).toPointF());
}

std::optional<QPointF> TopologyPositions::saved(const QString& nodeKey) const
{
    auto it = saved_.constFind(nodeKey);
    if (it == saved_.constEnd())
        return std::nullopt;
    return *it;
}

void TopologyPositions::save(const QString& nodeKey, const QPointF& pos)
{
    saved_.insert(nodeKey, pos);
    if (group_.isEmpty())
        return;
    QSettings s;
    s.beginGroup(group_);
    s.setValue(settingsKey(nodeKey), pos);
}

QHash<QString, QPointF> TopologyPositions::layout(const std::vector<Item>& items)
{
    // Per band: columns of items, each at most kMaxColumnHeight tall.
    struct Column {
        std::vector<const Item*> items;
        qreal width = 0, height = 0;
    };
    std::array<std::vector<Column>, 3> bands;
    for (const Item& item : items) {
        auto& band = bands[static_cast<std::size_t>(item.kind)];
        if (band.empty() || (band.back().height > 0 && band.back().height + item.size.height() > kMaxColumnHeight))
            band.emplace_back();
        Column& c = band.back();
        c.items.push_back(&item);
        c.width = std::max(c.width, item.size.width());
        c.height += item.size.height() + kRowGap;
    }
    qreal tallest = 0;
    for (const auto& band : bands)
        for (const Column& c : band)
            tallest = std::max(tallest, c.height);

    QHash<QString, QPointF> out;
    out.reserve(static_cast<int>(items.size()));
    qreal x = 0;
    // Interfaces, bridges, metarouters: the Kind order.
    for (const auto& band : bands) {
        if (band.empty())
            continue;
        for (const Column& c : band) {
            // Short columns are centred on the tallest.
            qreal y = (tallest - c.height) / 2;
            for (const Item* item : c.items) {
                out.insert(item->key, QPointF(x, y));
                y += item->size.height() + kRowGap;
            }
            x += c.width + kColumnGap;
        }
        x += kBandGap - kColumnGap;
    }
    return out;
}

}  // namespace mr::ui
