#include "password_vault.h"

#include <qt6keychain/keychain.h>

namespace mr::ui {

namespace {

QString explain(const QKeychain::Job* job)
{
    switch (job->error()) {
    case QKeychain::NoError:
        return {};
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return PasswordVault::tr("no OS keychain is available (on Linux a Secret Service such as GNOME Keyring or "
                                 "KWallet must be running): %1")
            .arg(job->errorString());
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        return PasswordVault::tr("the keychain refused access: %1").arg(job->errorString());
    case QKeychain::EntryNotFound:
        return PasswordVault::tr("no password is stored for this router");
    default:
#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN)
        // What QtKeychain reports when no Secret Service can be reached.
        if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
            return PasswordVault::tr("no OS keychain is reachable: there is no D-Bus session, so no Secret Service "
                                     "(GNOME Keyring, KWallet) to keep it");
#endif
        return PasswordVault::tr("the OS keychain failed: %1").arg(job->errorString());
    }
}

template <class J>
J* makeJob(QObject* parent, const QString& key)
{
    auto* job = new J(PasswordVault::service(), parent);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);  // never a password in a plain file
    job->setKey(key);
    return job;
}

}  // namespace

PasswordVault::PasswordVault(QObject* parent) : QObject(parent) {}

void PasswordVault::write(const QString& key, const QString& password, Done done)
{
    auto* job = makeJob<QKeychain::WritePasswordJob>(this, key);
    job->setTextData(password);
    connect(job, &QKeychain::Job::finished, this, [done = std::move(done)](QKeychain::Job* j) { done(explain(j)); });
    job->start();
}

void PasswordVault::read(const QString& key, Read done)
{
    auto* job = makeJob<QKeychain::ReadPasswordJob>(this, key);
    connect(job, &QKeychain::Job::finished, this, [done = std::move(done)](QKeychain::Job* j) {
        const QString error = explain(j);
        done(error.isEmpty() ? static_cast<QKeychain::ReadPasswordJob*>(j)->textData() : QString(), error);
    });
    job->start();
}

void PasswordVault::remove(const QString& key, Done done)
{
    auto* job = makeJob<QKeychain::DeletePasswordJob>(this, key);
    connect(job, &QKeychain::Job::finished, this, [done = std::move(done)](QKeychain::Job* j) {
        done(j->error() == QKeychain::EntryNotFound ? QString() : explain(j));
    });
    job->start();
}

}  // namespace mr::ui
