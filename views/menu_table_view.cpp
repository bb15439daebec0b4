#include "menu_table_view.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPointer>
#include <QSettings>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

#include "api_client.h"
#include "display_names.h"
#include "icons.h"
#include "property_dialog.h"
#include "schema_values.h"

namespace mr::ui {

namespace {
QString commandTitle(const std::string& name)
{
    return displayName(name);
}

// The icons of the menus' own commands (others have text only).
QIcon commandIcon(const std::string& name)
{
    if (name == "start")
        return icon(QStringLiteral("start"));
    if (name == "shut-down" || name == "shutdown" || name == "stop")
        return icon(QStringLiteral("stop"));
    if (name == "reboot")
        return icon(QStringLiteral("reboot"));
    return {};
}

constexpr char kNeedsSelection[] = "mrNeedsSelection";
}  // namespace

MenuTableView::MenuTableView(protocol::ApiClient* client, const wire::Schema& schema, const wire::MenuSchema& menu,
                             QWidget* parent)
    : QWidget(parent),
      client_(client),
      schema_(schema),
      model_(menu),
      layoutGroup_(QStringLiteral("tables") + QString::fromStdString(menu.path()))
{
    proxy_.setSourceModel(&model_);
    proxy_.setSortRole(MenuTableModel::RawRole);
    proxy_.setFilterKeyColumn(-1);
    proxy_.setFilterCaseSensitivity(Qt::CaseInsensitive);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(2);
    auto* top = new QHBoxLayout;
    toolbar_ = new QToolBar(this);
    toolbar_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar_->setIconSize(QSize(16, 16));
    top->addWidget(toolbar_, 1);
    filter_ = new QLineEdit(this);
    filter_->setObjectName(QStringLiteral("filter"));
    filter_->setPlaceholderText(tr("Find"));
    filter_->setClearButtonEnabled(true);
    filter_->setMaximumWidth(220);
    top->addWidget(filter_);
    layout->addLayout(top);

    auto addAction = [this](const QString& name, const QString& text, const QIcon& actionIcon, auto slot) {
        QAction* a = toolbar_->addAction(actionIcon, text);
        a->setObjectName(name);
        connect(a, &QAction::triggered, this, slot);
        return a;
    };
    // As in WinBox: the everyday buttons are icons (their names in tooltips),
    // which leaves room for the menu's commands with their names.
    auto iconOnly = [this](QAction* a) {
        if (auto* b = qobject_cast<QToolButton*>(toolbar_->widgetForAction(a)))
            b->setToolButtonStyle(Qt::ToolButtonIconOnly);
        a->setToolTip(a->text());
    };
    if (menu.can_add())
        iconOnly(addAction(QStringLiteral("add"), tr("Add"), icon(QStringLiteral("add")), [this] { openAddDialog(); }));
    if (menu.can_remove())
        iconOnly(addAction(QStringLiteral("remove"), tr("Remove"), icon(QStringLiteral("remove")),
                           [this] { removeSelected(); }));
    if (menu.can_set() && protocol::findProperty(menu, "disabled")) {
        iconOnly(addAction(QStringLiteral("enable"), tr("Enable"), icon(QStringLiteral("enable")),
                           [this] { setDisabled(false); }));
        iconOnly(addAction(QStringLiteral("disable"), tr("Disable"), icon(QStringLiteral("disable")),
                           [this] { setDisabled(true); }));
    }
    if (menu.can_set() && !menu.singleton() && protocol::findProperty(menu, "comment"))
        iconOnly(addAction(QStringLiteral("comment"), tr("Comment"), icon(QStringLiteral("comment")),
                           [this] { openCommentDialog(); }));
    bool separated = false;
    for (const auto& c : menu.commands()) {
        // Consoles and uploads need their own windows; object commands fit a button.
        if (!c.targets_object() || c.streams() || c.long_running())
            continue;
        if (!separated) {
            toolbar_->addSeparator();
            separated = true;
        }
        const std::string name = c.name();
        QAction* a = addAction(QString::fromStdString(name), commandTitle(name), commandIcon(name),
                               [this, name] { runCommand(name); });
        a->setToolTip(QString::fromStdString(c.description()));
    }

    table_ = new QTableView(this);
    table_->setModel(&proxy_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(-1, Qt::AscendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setAlternatingRowColors(true);
    table_->setWordWrap(false);
    table_->verticalHeader()->hide();
    table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
    table_->horizontalHeader()->setHighlightSections(false);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    table_->horizontalHeader()->setSectionsMovable(true);
    table_->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(table_->horizontalHeader(), &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        QMenu* m = createColumnMenu(this);
        m->setAttribute(Qt::WA_DeleteOnClose);
        m->popup(table_->horizontalHeader()->viewport()->mapToGlobal(pos));
    });
    layout->addWidget(table_, 1);

    count_ = new QLabel(this);
    count_->setObjectName(QStringLiteral("count"));
    layout->addWidget(count_);

    connect(filter_, &QLineEdit::textChanged, &proxy_, &QSortFilterProxyModel::setFilterFixedString);
    connect(table_, &QTableView::doubleClicked, this,
            [this](const QModelIndex& index) { openEditDialog(proxy_.mapToSource(index).row()); });
    connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MenuTableView::updateActions);
    auto updateCount = [this] {
        count_->setText(tr("%n item(s)", nullptr, proxy_.rowCount()));
        updateActions();
    };
    connect(&proxy_, &QAbstractItemModel::rowsInserted, this, updateCount);
    connect(&proxy_, &QAbstractItemModel::rowsRemoved, this, updateCount);
    connect(&proxy_, &QAbstractItemModel::modelReset, this, updateCount);
    connect(&proxy_, &QAbstractItemModel::layoutChanged, this, updateCount);
    connect(&model_, &MenuTableModel::subscribed, this, &MenuTableView::fitColumns);
    // A reset of the model (a new snapshot) must not lose the remembered layout.
    connect(&proxy_, &QAbstractItemModel::modelReset, this, &MenuTableView::restoreLayout);
    // What the user does to the header is remembered; our own fitting is not.
    QHeaderView* header = table_->horizontalHeader();
    connect(header, &QHeaderView::sectionResized, this, [this, header](int logical, int, int newSize) {
        // Hiding a column resizes it to 0, and the last section stretches
        // with the window: neither is a width the user chose.
        if (applyingLayout_ || newSize <= 0 || header->isSectionHidden(logical))
            return;
        int last = -1;
        for (int v = header->count() - 1; v >= 0 && last < 0; --v)
            if (!header->isSectionHidden(header->logicalIndex(v)))
                last = header->logicalIndex(v);
        if (logical != last)
            saveLayout();
    });
    connect(header, &QHeaderView::sectionMoved, this, [this] {
        if (!applyingLayout_)
            saveLayout();
    });
    connect(header, &QHeaderView::sortIndicatorChanged, this, [this] {
        if (!applyingLayout_)
            saveLayout();
    });
    restoreLayout();
    connect(&model_, &MenuTableModel::subscribeFailed, this, &MenuTableView::message);
    updateCount();
    if (client_)
        model_.subscribe(client_);
}

void MenuTableView::setClient(protocol::ApiClient* client)
{
    client_ = client;
    for (auto* d : findChildren<PropertyDialog*>(QString(), Qt::FindDirectChildrenOnly))
        d->setClient(client);
    if (client_)
        model_.subscribe(client_);
}

void MenuTableView::setConnected(bool connected)
{
    toolbar_->setEnabled(connected);
    table_->setEnabled(connected);
}

void MenuTableView::fitColumns()
{
    if (widthsRestored_)
        return;  // the user's widths, remembered, win
    applyingLayout_ = true;
    // The menu's print widths give a sensible start; hidden extras stay narrow.
    const auto& menu = model_.menu();
    const int charWidth = table_->fontMetrics().horizontalAdvance(QLatin1Char('M'));
    if (model_.hasFlagsColumn())
        table_->setColumnWidth(0, charWidth * std::max(2, menu.flags_size()) + 8);
    for (int c = model_.hasFlagsColumn() ? 1 : 0; c < model_.columnCount(); ++c) {
        const auto* p = model_.columnProperty(c);
        int width = 0;
        for (const auto& col : menu.columns())
            if (p && col.property() == p->name())
                width = static_cast<int>(col.width());
        table_->resizeColumnToContents(c);
        if (p && p->type() == wire::TYPE_MAC)  // rows added later must fit too
            table_->setColumnWidth(c, table_->fontMetrics().horizontalAdvance(QStringLiteral("00:00:00:00:00:00")) + 12);
        if (width > 0)
            table_->setColumnWidth(c, std::max(table_->columnWidth(c), std::min(static_cast<int>(width), 20) * charWidth / 2));
        table_->setColumnWidth(c, std::min(table_->columnWidth(c), 180));
    }
    applyingLayout_ = false;
}

QString MenuTableView::columnKey(int column) const
{
    const auto* p = model_.columnProperty(column);
    return p ? QString::fromStdString(p->name()) : QStringLiteral("!flags");
}

int MenuTableView::columnOfKey(const QString& key) const
{
    for (int c = 0; c < model_.columnCount(); ++c)
        if (columnKey(c) == key)
            return c;
    return -1;
}

void MenuTableView::setLayoutSettingsGroup(const QString& group)
{
    layoutGroup_ = group;
    restoreLayout();
}

void MenuTableView::restoreHiddenColumns()
{
    const bool applying = applyingLayout_;
    applyingLayout_ = true;
    // Until the user chooses, the properties behind the flags (disabled,
    // running…) are left to the flags column, as in WinBox.
    const QSettings settings;
    const QString key = layoutGroup_ + QStringLiteral("/hiddenColumns");
    QStringList hidden;
    if (settings.contains(key)) {
        hidden = settings.value(key).toStringList();
    } else {
        for (const auto& f : model_.menu().flags())
            hidden << QString::fromStdString(f.property());
    }
    int visible = model_.columnCount();
    for (int c = 0; c < model_.columnCount(); ++c) {
        // Never hide every column, whatever the settings say.
        const bool hide = hidden.contains(columnKey(c)) && visible > 1;
        if (hide)
            --visible;
        table_->setColumnHidden(c, hide);
    }
    applyingLayout_ = applying;
}

void MenuTableView::restoreLayout()
{
    // Columns are stored by property name, so a schema that gained or lost a
    // property keeps the rest of the layout.
    QSettings settings;
    settings.beginGroup(layoutGroup_);
    applyingLayout_ = true;
    QHeaderView* header = table_->horizontalHeader();
    const QStringList order = settings.value(QStringLiteral("order")).toStringList();
    int visual = 0;
    for (const QString& key : order) {
        const int c = columnOfKey(key);
        if (c < 0)
            continue;
        header->moveSection(header->visualIndex(c), visual++);
    }
    const QVariantMap widths = settings.value(QStringLiteral("widths")).toMap();
    widthsRestored_ = false;
    for (auto it = widths.constBegin(); it != widths.constEnd(); ++it) {
        const int c = columnOfKey(it.key());
        if (c >= 0 && it.value().toInt() > 0) {
            table_->setColumnWidth(c, it.value().toInt());
            widthsRestored_ = true;
        }
    }
    const int sortColumn = columnOfKey(settings.value(QStringLiteral("sortColumn")).toString());
    const auto sortOrder = settings.value(QStringLiteral("sortOrder")).toInt() == Qt::DescendingOrder
                               ? Qt::DescendingOrder
                               : Qt::AscendingOrder;
    table_->sortByColumn(sortColumn, sortOrder);
    settings.endGroup();
    applyingLayout_ = false;
    restoreHiddenColumns();
}

void MenuTableView::saveLayout()
{
    QHeaderView* header = table_->horizontalHeader();
    QStringList hidden;
    QStringList order;
    QVariantMap widths;
    for (int v = 0; v < header->count(); ++v) {
        const int c = header->logicalIndex(v);
        order << columnKey(c);
        if (!isColumnVisible(c))
            hidden << columnKey(c);
        else
            widths.insert(columnKey(c), header->sectionSize(c));
    }
    QSettings settings;
    settings.beginGroup(layoutGroup_);
    // Stored even when empty: an empty list means "show all", no list the defaults.
    settings.setValue(QStringLiteral("hiddenColumns"), hidden);
    settings.setValue(QStringLiteral("order"), order);
    settings.setValue(QStringLiteral("widths"), widths);
    const int sortColumn = header->isSortIndicatorShown() ? header->sortIndicatorSection() : -1;
    settings.setValue(QStringLiteral("sortColumn"), sortColumn >= 0 && sortColumn < model_.columnCount()
                                                         ? columnKey(sortColumn)
                                                         : QString());
    settings.setValue(QStringLiteral("sortOrder"), static_cast<int>(header->sortIndicatorOrder()));
    widthsRestored_ = true;
}

bool MenuTableView::isColumnVisible(int column) const
{
    return !table_->isColumnHidden(column);
}

void MenuTableView::setColumnVisible(int column, bool visible)
{
    if (column < 0 || column >= model_.columnCount() || isColumnVisible(column) == visible)
        return;
    if (!visible) {
        int shown = 0;
        for (int c = 0; c < model_.columnCount(); ++c)
            shown += isColumnVisible(c) ? 1 : 0;
        if (shown <= 1)
            return;
    }
    applyingLayout_ = true;
    table_->setColumnHidden(column, !visible);
    if (visible && table_->columnWidth(column) == 0)
        table_->resizeColumnToContents(column);
    applyingLayout_ = false;
    saveLayout();
}

QMenu* MenuTableView::createColumnMenu(QWidget* parent)
{
    auto* m = new QMenu(parent);
    m->setObjectName(QStringLiteral("columnMenu"));
    int shown = 0;
    for (int c = 0; c < model_.columnCount(); ++c)
        shown += isColumnVisible(c) ? 1 : 0;
    for (int c = 0; c < model_.columnCount(); ++c) {
        QString text = model_.headerData(c, Qt::Horizontal).toString();
        if (text.isEmpty())
            text = tr("Flags");
        QAction* a = m->addAction(text);
        a->setObjectName(columnKey(c));
        a->setData(c);
        a->setCheckable(true);
        a->setChecked(isColumnVisible(c));
        // The last visible column stays: a table without columns has no header to bring them back.
        a->setEnabled(!(shown == 1 && isColumnVisible(c)));
        connect(a, &QAction::toggled, this, [this, c](bool on) { setColumnVisible(c, on); });
    }
    return m;
}

QInputDialog* MenuTableView::openCommentDialog()
{
    const std::vector<int> rows = selectedRows();
    if (rows.empty() || !client_)
        return nullptr;
    std::vector<std::string> ids;
    for (int row : rows)
        ids.push_back(model_.idAt(row));
    const Properties& first = model_.propertiesAt(rows.front());
    const auto it = first.find("comment");
    auto* d = new QInputDialog(this);
    d->setObjectName(QStringLiteral("commentDialog"));
    d->setAttribute(Qt::WA_DeleteOnClose);
    d->setWindowTitle(rows.size() == 1 ? tr("Comment") : tr("Comment (%n item(s))", nullptr, static_cast<int>(rows.size())));
    d->setLabelText(tr("Comment:"));
    d->setInputMode(QInputDialog::TextInput);
    d->setTextValue(it != first.end() ? QString::fromStdString(it->second) : QString());
    connect(d, &QInputDialog::textValueSelected, this, [this, ids](const QString& text) {
        if (!client_)
            return;
        QPointer<MenuTableView> self = this;
        for (const std::string& id : ids) {
            wire::Request req;
            req.mutable_set()->set_menu(model_.menu().path());
            req.mutable_set()->set_id(id);
            (*req.mutable_set()->mutable_properties())["comment"] = text.toStdString();
            client_->request(req, [self](const wire::Reply& r) {
                if (self)
                    self->report(r, tr("Comment"));
            });
        }
    });
    d->open();
    return d;
}

QAction* MenuTableView::action(const QString& name) const
{
    for (QAction* a : toolbar_->actions())
        if (a->objectName() == name)
            return a;
    return nullptr;
}

QAction* MenuTableView::addToolAction(const QString& name, const QString& text, const QIcon& actionIcon,
                                      std::function<void()> run, bool needsSelection)
{
    if (!commandsEnd_)
        commandsEnd_ = toolbar_->addSeparator();
    QAction* a = toolbar_->addAction(actionIcon, text);
    a->setObjectName(name);
    a->setProperty(kNeedsSelection, needsSelection);
    connect(a, &QAction::triggered, this, [run = std::move(run)] {
        if (run)
            run();
    });
    updateActions();
    return a;
}

std::vector<std::string> MenuTableView::selectedIds() const
{
    std::vector<std::string> ids;
    for (int row : selectedRows())
        ids.push_back(model_.idAt(row));
    return ids;
}

QStringList MenuTableView::selectedNames() const
{
    const std::string key = model_.menu().key_property();
    QStringList names;
    for (int row : selectedRows()) {
        const Properties& p = model_.propertiesAt(row);
        const auto it = key.empty() ? p.end() : p.find(key);
        names << QString::fromStdString(it != p.end() && !it->second.empty() ? it->second : model_.idAt(row));
    }
    return names;
}

std::vector<int> MenuTableView::selectedRows() const
{
    std::vector<int> rows;
    for (const QModelIndex& i : table_->selectionModel()->selectedRows())
        rows.push_back(proxy_.mapToSource(i).row());
    return rows;
}

void MenuTableView::updateActions()
{
    const bool any = !table_->selectionModel()->selectedRows().isEmpty();
    for (QAction* a : toolbar_->actions())
        if (!a->isSeparator() && a->objectName() != QLatin1String("add"))
        {
            const QVariant needs = a->property(kNeedsSelection);
            const bool alwaysOn = needs.isValid() && !needs.toBool();
            a->setEnabled(any || model_.menu().singleton() || alwaysOn);
        }
}

PropertyDialog* MenuTableView::openAddDialog()
{
    auto* d = new PropertyDialog(client_, schema_, model_.menu(), {}, {}, this);
    d->setAttribute(Qt::WA_DeleteOnClose);
    connect(d, &PropertyDialog::applied, this, [this] { emit message(tr("Added.")); });
    d->open();
    return d;
}

PropertyDialog* MenuTableView::openEditDialog(int modelRow)
{
    if (modelRow < 0 || modelRow >= model_.rowCount())
        return nullptr;
    const std::string id = model_.idAt(modelRow);
    auto* d = new PropertyDialog(client_, schema_, model_.menu(), id, model_.propertiesAt(modelRow), this);
    d->setAttribute(Qt::WA_DeleteOnClose);
    // Live status values while the dialog is open.
    connect(&model_, &QAbstractItemModel::dataChanged, d, [this, d, id] {
        const int row = model_.rowOf(id);
        if (row >= 0)
            d->updateStatus(model_.propertiesAt(row));
    });
    d->show();
    return d;
}

void MenuTableView::report(const wire::Reply& reply, const QString& what)
{
    if (reply.error().code() != wire::ERROR_NONE)
        emit message(tr("%1 failed: %2").arg(what, QString::fromStdString(Error::fromWire(reply.error()).text())));
    else if (!reply.in_progress())
        emit message(reply.output().empty() ? tr("%1: done.").arg(what) : QString::fromStdString(reply.output()));
}

void MenuTableView::setDisabled(bool disabled)
{
    if (!client_)
        return;
    QPointer<MenuTableView> self = this;
    for (int row : selectedRows()) {
        wire::Request req;
        req.mutable_set()->set_menu(model_.menu().path());
        req.mutable_set()->set_id(model_.idAt(row));
        (*req.mutable_set()->mutable_properties())["disabled"] = disabled ? "yes" : "no";
        client_->request(req, [self, disabled](const wire::Reply& r) {
            if (self)
                self->report(r, disabled ? tr("Disable") : tr("Enable"));
        });
    }
}

void MenuTableView::removeSelected()
{
    wire::Request req;
    req.mutable_remove()->set_menu(model_.menu().path());
    for (int row : selectedRows())
        req.mutable_remove()->add_ids(model_.idAt(row));
    if (req.remove().ids_size() == 0 || !client_)
        return;
    QPointer<MenuTableView> self = this;
    client_->request(req, [self](const wire::Reply& r) {
        if (self)
            self->report(r, tr("Remove"));
    });
}

void MenuTableView::runCommand(const std::string& command)
{
    if (!client_)
        return;
    QPointer<MenuTableView> self = this;
    const QString what = commandTitle(command);
    for (int row : selectedRows()) {
        wire::Request req;
        req.mutable_command()->set_menu(model_.menu().path());
        req.mutable_command()->set_command(command);
        req.mutable_command()->set_id(model_.idAt(row));
        client_->request(req, [self, what](const wire::Reply& r) {
            if (self)
                self->report(r, what);
        });
    }
}

}  // namespace mr::ui
