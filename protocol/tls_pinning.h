#pragma once
// Trust-on-first-use for daemon certificates, like SSH's known_hosts: the
// client remembers each daemon's SHA-256 certificate fingerprint and refuses
// a changed one.

#include <QString>

namespace mr::protocol {

class TlsPinning {
public:
    // A file with lines "host:port sha256-hex". Default:
    // $XDG_CONFIG_HOME/metarouter/known_daemons.
    explicit TlsPinning(QString path = defaultPath());

    static QString defaultPath();
    // "AB:CD:..." for display.
    static QString display(const QString& hexFingerprint);

    // Empty if this daemon was never seen.
    QString pinned(const QString& endpoint) const;
    bool pin(const QString& endpoint, const QString& hexFingerprint, QString* error = nullptr);

    QString path() const { return path_; }

private:
    QString path_;
};

}  // namespace mr::protocol
