#pragma once

#include <QString>
#include <QStringList>

#include "error.h"

namespace mr::hv {

// Starts a program that outlives us: double fork, own session, output to a log
// file, optionally inside a network namespace and with a file-size limit.
class DetachedProcess final {
public:
    struct Options {
        QString program;
        QStringList arguments;
        QString logFile;          // stdout and stderr (appended); /dev/null when empty
        QString netnsPath;        // setns() into this network namespace first
        qint64 fileSizeLimit = 0; // RLIMIT_FSIZE in bytes, SIGXFSZ ignored so writes fail with EFBIG
    };

    // Returns the pid of the started program once exec() succeeded.
    static mr::Result<qint64> spawn(const Options& options);

    // Whether pid is alive and its command line contains needle (guards
    // against a recycled pid when adopting).
    static bool isAlive(qint64 pid, const QString& needle = {});
};

}  // namespace mr::hv
