#include "property_dialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>

#include "api_client.h"
#include "display_names.h"
#include "property_field.h"
#include "schema_values.h"

namespace mr::ui {

namespace {
QString labelFor(const std::string& name)
{
    return displayName(name) + ':';
}

QString menuTitle(const wire::MenuSchema& menu)
{
    QString t = QString::fromStdString(menu.path()).mid(1).replace('/', ' ');
    return t.isEmpty() ? QString::fromStdString(menu.path()) : t;
}

// A tab with a form of fields; scrolls when the menu has many properties.
QFormLayout* addFormTab(QTabWidget* tabs, const QString& title)
{
    auto* scroll = new QScrollArea(tabs);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* page = new QWidget(scroll);
    auto* form = new QFormLayout(page);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    scroll->setWidget(page);
    tabs->addTab(scroll, title);
    return form;
}

// Tall enough to show every field without scrolling, up to a screenful.
void fitScrollAreas(QTabWidget* tabs)
{
    int height = 0;
    for (int i = 0; i < tabs->count(); ++i)
        if (auto* scroll = qobject_cast<QScrollArea*>(tabs->widget(i)))
            height = std::max(height, scroll->widget()->sizeHint().height());
    for (int i = 0; i < tabs->count(); ++i)
        tabs->widget(i)->setMinimumHeight(std::min(height + 4, 560));
}
}  // namespace

PropertyDialog::PropertyDialog(protocol::ApiClient* client, const wire::Schema& schema, wire::MenuSchema menu,
                               std::string id, const Properties& current, QWidget* parent)
    : QDialog(parent), client_(client), schema_(schema), menu_(std::move(menu)), id_(std::move(id))
{
    adding_ = id_.empty() && !menu_.singleton();
    setObjectName(QStringLiteral("PropertyDialog"));
    auto* layout = new QVBoxLayout(this);
    tabs_ = new QTabWidget(this);
    layout->addWidget(tabs_);

    QFormLayout* general = addFormTab(tabs_, tr("General"));
    QFormLayout* statusForm = nullptr;
    for (const auto& p : menu_.properties()) {
        if (p.read_only()) {
            if (adding_)
                continue;
            if (!statusForm)
                statusForm = addFormTab(tabs_, tr("Status"));
            auto* f = new PropertyField(p, true, statusForm->parentWidget());
            statusForm->addRow(labelFor(p.name()), f->editor());
            statusFields_.push_back(f);
            continue;
        }
        if (p.add_only() && !adding_)
            continue;
        auto* f = new PropertyField(p, false, general->parentWidget());
        auto* cell = new QWidget(general->parentWidget());
        auto* v = new QVBoxLayout(cell);
        v->setContentsMargins(0, 0, 0, 0);
        v->setSpacing(2);
        f->editor()->setParent(cell);
        f->errorLabel()->setParent(cell);
        v->addWidget(f->editor());
        v->addWidget(f->errorLabel());
        general->addRow(labelFor(p.name()), cell);
        fields_.push_back(f);
        if (p.type() == wire::TYPE_REFERENCE)
            loadChoices(f);
    }
    if (!adding_) {
        for (auto* f : fields_) {
            auto it = current.find(f->property().name());
            f->setStoredValue(it == current.end() ? std::string() : it->second);
        }
        updateStatus(current);
    }

    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("status"));
    status_->setWordWrap(true);
    status_->setStyleSheet(QStringLiteral("color: #c0392b;"));
    status_->hide();
    layout->addWidget(status_);

    buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Apply | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons_);
    connect(buttons_->button(QDialogButtonBox::Ok), &QPushButton::clicked, this, [this] { apply(true); });
    connect(buttons_->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, [this] { apply(false); });
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto name = current.find(menu_.key_property().empty() ? "name" : menu_.key_property());
    const QString what = menuTitle(menu_);
    if (adding_)
        setWindowTitle(tr("New %1").arg(what));
    else if (name != current.end() && !name->second.empty())
        setWindowTitle(tr("%1 <%2>").arg(what, QString::fromStdString(name->second)));
    else
        setWindowTitle(what);
    fitScrollAreas(tabs_);
    setMinimumWidth(440);
}

PropertyField* PropertyDialog::field(const QString& property) const
{
    for (auto* f : fields_)
        if (QString::fromStdString(f->property().name()) == property)
            return f;
    for (auto* f : statusFields_)
        if (QString::fromStdString(f->property().name()) == property)
            return f;
    return nullptr;
}

QString PropertyDialog::statusText() const
{
    return status_->isVisible() ? status_->text() : QString();
}

void PropertyDialog::setClient(protocol::ApiClient* client)
{
    client_ = client;
}

void PropertyDialog::updateStatus(const Properties& current)
{
    for (auto* f : statusFields_) {
        auto it = current.find(f->property().name());
        f->setStoredValue(it == current.end() ? std::string() : it->second);
    }
}

void PropertyDialog::loadChoices(PropertyField* field)
{
    if (!client_)
        return;
    const wire::MenuSchema* ref = protocol::findMenu(schema_, field->property().reference_menu());
    const std::string key = ref && !ref->key_property().empty() ? ref->key_property() : "name";
    wire::Request req;
    req.mutable_get()->set_menu(field->property().reference_menu());
    QPointer<PropertyField> f = field;
    client_->request(req, [f, key](const wire::Reply& reply) {
        if (!f || reply.error().code() != wire::ERROR_NONE)
            return;
        QStringList names;
        for (const auto& o : reply.objects()) {
            auto it = o.properties().find(key);
            if (it != o.properties().end() && !it->second.empty())
                names << QString::fromStdString(it->second);
        }
        f->setChoices(names);
    });
}

void PropertyDialog::apply(bool close)
{
    status_->hide();
    bool valid = true;
    wire::Request req;
    google::protobuf::Map<std::string, std::string>* props = nullptr;
    if (adding_) {
        req.mutable_add()->set_menu(menu_.path());
        props = req.mutable_add()->mutable_properties();
    } else {
        req.mutable_set()->set_menu(menu_.path());
        req.mutable_set()->set_id(id_);
        props = req.mutable_set()->mutable_properties();
    }
    for (auto* f : fields_) {
        f->clearError();
        if (!f->isChanged())
            continue;  // only what the user changed is sent
        if (!f->validate().isEmpty()) {
            valid = false;
            continue;
        }
        const std::string name = f->property().name();
        if (f->text().isEmpty()) {
            if (!adding_)
                req.mutable_set()->add_unset(name);
            continue;
        }
        (*props)[name] = f->text().toStdString();
    }
    if (!valid)
        return;
    if (!adding_ && props->empty() && req.set().unset_size() == 0) {
        if (close)
            accept();
        return;
    }
    if (!client_) {
        status_->setText(tr("Not connected."));
        status_->show();
        return;
    }
    setBusy(true);
    QPointer<PropertyDialog> self = this;
    client_->request(req, [self, close](const wire::Reply& reply) {
        if (!self)
            return;
        self->setBusy(false);
        if (reply.error().code() != wire::ERROR_NONE) {
            self->showReplyError(reply.error());
            return;
        }
        if (self->adding_) {
            self->adding_ = false;  // further Applies edit the new object
            self->id_ = reply.id();
            self->setWindowTitle(self->windowTitle().replace(tr("New "), QString()));
        }
        for (auto* f : self->fields_)
            f->markSaved();
        emit self->applied(QString::fromStdString(self->id_));
        if (close)
            self->accept();
    });
}

void PropertyDialog::showReplyError(const wire::Error& error)
{
    const QString text = QString::fromStdString(Error::fromWire(error).text());
    if (auto* f = field(QString::fromStdString(error.property())); f && !error.property().empty()) {
        f->showError(text);
        tabs_->setCurrentIndex(0);
        f->editor()->setFocus();
        return;
    }
    status_->setText(text);
    status_->show();
}

void PropertyDialog::setBusy(bool busy)
{
    buttons_->setEnabled(!busy);
    setCursor(busy ? Qt::BusyCursor : Qt::ArrowCursor);
}

}  // namespace mr::ui
