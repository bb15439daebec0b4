#pragma once
// The passwords the user asked metabox to remember, in the OS keychain
// through QtKeychain (Secret Service or KWallet, Keychain, Credential
// Manager). Never a plain-text fallback: without a keychain nothing is kept
// and the caller gets a message saying so.

#include <QObject>
#include <QString>

#include <functional>

namespace mr::ui {

class PasswordVault final : public QObject {
    Q_OBJECT
public:
    // error is empty on success; password is set only by read().
    using Done = std::function<void(const QString& error)>;
    using Read = std::function<void(const QString& password, const QString& error)>;

    explicit PasswordVault(QObject* parent = nullptr);

    // All asynchronous: a keychain may ask the user, the window keeps running.
    void write(const QString& key, const QString& password, Done done);
    void read(const QString& key, Read done);
    // Forgetting one that is not there is not an error.
    void remove(const QString& key, Done done);

    static QString service() { return QStringLiteral("MetaBox"); }
};

}  // namespace mr::ui
