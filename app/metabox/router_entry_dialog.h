#pragma once
// Edits one router of the Managed list: address, login, note and group.

#include <QDialog>

#include "address_book.h"

class QComboBox;
class QLabel;
class QLineEdit;

namespace mr::ui {

class RouterEntryDialog final : public QDialog {
    Q_OBJECT
public:
    RouterEntryDialog(const AddressBook::Entry& entry, const QStringList& groups, QWidget* parent = nullptr);

    // What the user typed; the keychain flag is carried over unchanged.
    AddressBook::Entry entry() const;
    QLineEdit* address() const { return address_; }
    QLineEdit* user() const { return user_; }
    QLineEdit* note() const { return note_; }
    QComboBox* group() const { return group_; }
    // Shown when the owner refuses what was typed (e.g. a duplicate).
    void showError(const QString& text);

private:
    AddressBook::Entry original_;
    QLineEdit* address_ = nullptr;
    QLineEdit* user_ = nullptr;
    QLineEdit* note_ = nullptr;
    QComboBox* group_ = nullptr;
    QLabel* error_ = nullptr;
};

}  // namespace mr::ui
