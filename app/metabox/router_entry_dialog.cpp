#include "router_entry_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace mr::ui {

RouterEntryDialog::RouterEntryDialog(const AddressBook::Entry& entry, const QStringList& groups, QWidget* parent)
    : QDialog(parent), original_(entry)
{
    setObjectName(QStringLiteral("routerEntryDialog"));
    setWindowTitle(entry.address.isEmpty() ? tr("Add Router") : tr("Router %1").arg(entry.address));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    address_ = new QLineEdit(entry.address, this);
    address_->setPlaceholderText(tr("host, host:port or /path/to/api.sock"));
    user_ = new QLineEdit(entry.user, this);
    note_ = new QLineEdit(entry.note, this);
    group_ = new QComboBox(this);
    group_->setEditable(true);
    group_->addItem(QString());
    group_->addItems(groups);
    group_->setEditText(entry.group);
    form->addRow(tr("Address:"), address_);
    form->addRow(tr("Login:"), user_);
    form->addRow(tr("Note:"), note_);
    form->addRow(tr("Group:"), group_);
    layout->addLayout(form);
    error_ = new QLabel(this);
    error_->setStyleSheet(QStringLiteral("color: #c0392b;"));
    error_->setWordWrap(true);
    error_->hide();
    layout->addWidget(error_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto updateOk = [this, buttons] {
        buttons->button(QDialogButtonBox::Ok)->setEnabled(!address_->text().trimmed().isEmpty());
    };
    connect(address_, &QLineEdit::textChanged, this, updateOk);
    updateOk();
    resize(sizeHint().expandedTo(QSize(360, 0)));
}

AddressBook::Entry RouterEntryDialog::entry() const
{
    AddressBook::Entry e = original_;
    e.address = address_->text().trimmed();
    e.user = user_->text().trimmed();
    e.note = note_->text().trimmed();
    e.group = group_->currentText().trimmed();
    // Another router or login: the stored password belonged to the old one.
    if (e.address != original_.address || e.user != original_.user)
        e.passwordInKeychain = false;
    return e;
}

void RouterEntryDialog::showError(const QString& text)
{
    error_->setText(text);
    error_->setVisible(!text.isEmpty());
}

}  // namespace mr::ui
