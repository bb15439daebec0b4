#pragma once
// Shared by the net tests: unique namespace names and running ip(8).

#include <QProcess>
#include <QString>
#include <QStringList>

#include <atomic>
#include <string>
#include <vector>

#include <unistd.h>

#include "sandbox.h"

namespace mr::net::test {

inline std::string uniqueName(const char* prefix)
{
    static std::atomic<int> counter{0};
    return std::string(prefix) + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

// Output of `ip args...`; empty on failure.
inline std::string ipOut(const std::vector<std::string>& args)
{
    std::string out;
    if (!Sandbox::ip(args, &out))
        return {};
    return out;
}

inline bool ipOk(const std::vector<std::string>& args)
{
    return static_cast<bool>(Sandbox::ip(args));
}

// Standard output of any program (bridge(8), ...); empty on failure.
inline std::string runOut(const QString& program, const QStringList& args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return {};
    return p.readAllStandardOutput().toStdString();
}

inline bool contains(const std::string& haystack, const std::string& needle)
{
    return haystack.find(needle) != std::string::npos;
}

}  // namespace mr::net::test
