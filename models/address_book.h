#pragma once
// The Managed list of the login window: routers the user saved, with login,
// note and group, kept in QSettings. Never holds a password: whether one is
// in the OS keychain is a flag, the secret itself lives only there.

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

namespace mr::ui {

class AddressBook final : public QObject {
    Q_OBJECT
public:
    struct Entry {
        QString address;  // what Connect To takes: host, host:port or a socket path
        QString user;
        QString note;
        QString group;
        bool passwordInKeychain = false;
        // The keychain entry's key for this router and login.
        QString keychainKey() const { return user + '@' + address; }
        bool operator==(const Entry&) const = default;
    };

    // Loads from QSettings (the application's default settings).
    explicit AddressBook(QObject* parent = nullptr);

    const QList<Entry>& entries() const { return entries_; }
    // Distinct non-empty groups, sorted.
    QStringList groups() const;
    // Index of the entry for address and user, or -1.
    int find(const QString& address, const QString& user) const;

    // Adds, or replaces the entry with the same address and user; an entry
    // without an address is refused. Returns its index or -1.
    int save(const Entry& entry);
    // Replaces entry i (it may change address or user); false if i is out
    // of range, the address is empty, or another entry already has them.
    bool update(int i, const Entry& entry);
    void remove(int i);
    void setPasswordInKeychain(int i, bool stored);

signals:
    void changed();

private:
    void store();

    QList<Entry> entries_;
};

}  // namespace mr::ui
