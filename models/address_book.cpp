#include "address_book.h"

#include <QSettings>

#include <algorithm>

namespace mr::ui {

namespace {
const QString kArray = QStringLiteral("managed/routers");
}

AddressBook::AddressBook(QObject* parent) : QObject(parent)
{
    QSettings settings;
    const int n = settings.beginReadArray(kArray);
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        Entry e;
        e.address = settings.value(QStringLiteral("address")).toString().trimmed();
        e.user = settings.value(QStringLiteral("user")).toString();
        e.note = settings.value(QStringLiteral("note")).toString();
        e.group = settings.value(QStringLiteral("group")).toString();
        e.passwordInKeychain = settings.value(QStringLiteral("keychain"), false).toBool();
        if (!e.address.isEmpty() && find(e.address, e.user) < 0)
            entries_.append(e);
    }
    settings.endArray();
}

QStringList AddressBook::groups() const
{
    QStringList out;
    for (const Entry& e : entries_)
        if (!e.group.isEmpty() && !out.contains(e.group))
            out.append(e.group);
    std::sort(out.begin(), out.end(), [](const QString& a, const QString& b) {
        return QString::localeAwareCompare(a, b) < 0;
    });
    return out;
}

int AddressBook::find(const QString& address, const QString& user) const
{
    for (int i = 0; i < entries_.size(); ++i)
        if (entries_[i].address == address.trimmed() && entries_[i].user == user)
            return i;
    return -1;
}

int AddressBook::save(const Entry& entry)
{
    Entry e = entry;
    e.address = e.address.trimmed();
    if (e.address.isEmpty())
        return -1;
    int i = find(e.address, e.user);
    if (i >= 0) {
        // Keeps what the keychain knows: saving a note does not forget a password.
        e.passwordInKeychain = e.passwordInKeychain || entries_[i].passwordInKeychain;
        if (entries_[i] == e)
            return i;
        entries_[i] = e;
    } else {
        entries_.append(e);
        i = static_cast<int>(entries_.size()) - 1;
    }
    store();
    return i;
}

bool AddressBook::update(int i, const Entry& entry)
{
    Entry e = entry;
    e.address = e.address.trimmed();
    if (i < 0 || i >= entries_.size() || e.address.isEmpty())
        return false;
    const int other = find(e.address, e.user);
    if (other >= 0 && other != i)
        return false;
    entries_[i] = e;
    store();
    return true;
}

void AddressBook::remove(int i)
{
    if (i < 0 || i >= entries_.size())
        return;
    entries_.removeAt(i);
    store();
}

void AddressBook::setPasswordInKeychain(int i, bool stored)
{
    if (i < 0 || i >= entries_.size() || entries_[i].passwordInKeychain == stored)
        return;
    entries_[i].passwordInKeychain = stored;
    store();
}

void AddressBook::store()
{
    QSettings settings;
    settings.remove(kArray);
    settings.beginWriteArray(kArray, static_cast<int>(entries_.size()));
    for (int i = 0; i < entries_.size(); ++i) {
        settings.setArrayIndex(i);
        const Entry& e = entries_[i];
        settings.setValue(QStringLiteral("address"), e.address);
        settings.setValue(QStringLiteral("user"), e.user);
        settings.setValue(QStringLiteral("note"), e.note);
        settings.setValue(QStringLiteral("group"), e.group);
        settings.setValue(QStringLiteral("keychain"), e.passwordInKeychain);
    }
    settings.endArray();
    emit changed();
}

}  // namespace mr::ui
