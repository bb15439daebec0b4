#pragma once
// Follows the kernel's links and IPv4 addresses through an nl_cache_mngr
// whose socket a QSocketNotifier watches (links are re-dumped after each
// batch of events), and refreshes link counters on a timer. Emits changed()
// after each batch of netlink events or refresh.

#include <QObject>
#include <QTimer>

#include <memory>

#include "error.h"
#include "kernel_state.h"

class QSocketNotifier;
struct nl_cache;
struct nl_cache_mngr;
struct nl_object;
struct nl_sock;

namespace mr::net {

class LinkMonitor final : public QObject {
    Q_OBJECT
public:
    explicit LinkMonitor(QObject* parent = nullptr);
    ~LinkMonitor() override;

    // Opens the cache manager in the calling thread's network namespace.
    Status start(int refreshMs = 1000);
    // Reads pending events now (the notifier does it otherwise).
    void poll();
    // Re-reads links (with counters) and addresses from the kernel.
    void refresh();

    KernelState snapshot() const;

signals:
    // structural: something other than counters may have changed.
    void changed(bool structural);

private:
    void onReadable();
    static void onCacheChange(nl_cache*, nl_object*, int, void* self);

    nl_cache_mngr* mngr_ = nullptr;
    nl_cache* links_ = nullptr;     // managed: a source of events only
    nl_cache* linkDump_ = nullptr;  // what snapshot() reports
    nl_cache* addresses_ = nullptr;
    nl_sock* refreshSock_ = nullptr;
    std::unique_ptr<QSocketNotifier> notifier_;
    QTimer timer_;
    bool eventSeen_ = false;

};

}  // namespace mr::net
