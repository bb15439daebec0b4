#pragma once
// Slows down password guessing: after a few failed logins from one source,
// further attempts from it are refused for a delay that doubles each time.

#include <QElapsedTimer>
#include <QString>

#include <map>

namespace mr::agent {

class LoginThrottle {
public:
    // Seconds the source must still wait; 0 when it may try now.
    int waitSeconds(const QString& source) const;
    void failed(const QString& source);
    void succeeded(const QString& source);

    static constexpr int kFreeAttempts = 3;
    static constexpr int kMaxDelaySeconds = 60;

private:
    struct Entry {
        int failures = 0;
        qint64 blockedUntilMs = 0;
    };
    qint64 nowMs() const;

    std::map<QString, Entry> entries_;
    QElapsedTimer clock_;
};

}  // namespace mr::agent
