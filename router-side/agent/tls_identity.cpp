#include "tls_identity.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <QCryptographicHash>
#include <QFile>
#include <QSaveFile>

#include <memory>

namespace mr::agent {
namespace {

template <class T, void (*F)(T*)>
struct Deleter {
    void operator()(T* p) const { F(p); }
};
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

QByteArray bioBytes(BIO* bio)
{
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return QByteArray(data, static_cast<int>(n));
}

Status writeFile(const QString& path, const QByteArray& data, QFile::Permissions perms)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return Error::failed("cannot write " + path.toStdString() + ": " + f.errorString().toStdString());
    f.setPermissions(perms);
    f.write(data);
    if (!f.commit())
        return Error::failed("cannot write " + path.toStdString() + ": " + f.errorString().toStdString());
    return {};
}

Status create(const QString& keyPath, const QString& certPath, const QString& cn)
{
    PKey key(EVP_EC_gen("P-256"));
    if (!key)
        return Error::failed("cannot generate a TLS key");
    Cert cert(X509_new());
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 20L * 365 * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    const QByteArray cnBytes = cn.toUtf8();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cnBytes.constData()),
                               -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("MetaRouter"), -1, -1,
                               0);
    X509_set_issuer_name(cert.get(), name);
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
        return Error::failed("cannot sign the TLS certificate");

    Bio keyBio(BIO_new(BIO_s_mem()));
    Bio certBio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    PEM_write_bio_X509(certBio.get(), cert.get());
    if (auto st = writeFile(keyPath, bioBytes(keyBio.get()), QFile::ReadOwner | QFile::WriteOwner); !st)
        return st;
    return writeFile(certPath, bioBytes(certBio.get()), QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup |
                                                            QFile::ReadOther);
}

}  // namespace

Result<TlsIdentity> TlsIdentity::loadOrCreate(const QString& dir, const QString& commonName)
{
    const QString keyPath = dir + "/key.pem";
    const QString certPath = dir + "/cert.pem";
    if (!QFile::exists(keyPath) || !QFile::exists(certPath)) {
        if (auto st = create(keyPath, certPath, commonName); !st)
            return st.error();
    }
    QFile kf(keyPath), cf(certPath);
    if (!kf.open(QIODevice::ReadOnly) || !cf.open(QIODevice::ReadOnly))
        return Error::failed("cannot read the TLS key or certificate in " + dir.toStdString());
    TlsIdentity id;
    id.key_ = QSslKey(kf.readAll(), QSsl::Ec, QSsl::Pem);
    if (id.key_.isNull())
        return Error::failed("unreadable TLS key " + keyPath.toStdString());
    const auto certs = QSslCertificate::fromData(cf.readAll(), QSsl::Pem);
    if (certs.isEmpty())
        return Error::failed("unreadable TLS certificate " + certPath.toStdString());
    id.certificate_ = certs.first();
    return id;
}

QString TlsIdentity::fingerprint() const
{
    return QString::fromLatin1(QCryptographicHash::hash(certificate_.toDer(), QCryptographicHash::Sha256).toHex());
}

}  // namespace mr::agent
