#pragma once
// The daemon's TLS key and self-signed certificate: created with OpenSSL in
// the state directory on first start (key readable by root only), loaded on
// later starts, with the SHA-256 fingerprint clients pin.

#include <QSslCertificate>
#include <QSslKey>
#include <QString>

#include "error.h"

namespace mr::agent {

class TlsIdentity {
public:
    // Loads DIR/key.pem and DIR/cert.pem, creating them if absent.
    static Result<TlsIdentity> loadOrCreate(const QString& stateDir, const QString& commonName);

    const QSslCertificate& certificate() const { return certificate_; }
    const QSslKey& key() const { return key_; }
    // Lower-case hex SHA-256 of the DER certificate.
    QString fingerprint() const;

private:
    QSslCertificate certificate_;
    QSslKey key_;
};

}  // namespace mr::agent
