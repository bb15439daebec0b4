#pragma once

#include <string>
#include <vector>

#include "guest_backend.h"
#include "kernel_net.h"

namespace mr::guest {

// The guest's side of the report channel: tells the host its identity,
// interfaces and IPv4 addresses as one JSON line on the virtio-serial port
// org.metarouter.report, at start, whenever they change (rtnetlink
// notifications, the configuration rewritten) and each time the host
// (re)connects. The host checks every line (GuestReportParser); this side
// keeps within the same bounds so that a big router is cut short, not refused.
class GuestReporter {
public:
    struct Options {
        GuestBackend::Options backend;  // where the configuration (the identity) is
        std::string port;               // device or FIFO to write; "" finds the port by name
        std::string portsDir = "/sys/class/virtio-ports";
        int settleMs = 200;             // changes closer together make one report
    };

    // The host's limits (GuestReportParser::Limits in router-side/hypervisor).
    static constexpr std::size_t kMaxInterfaces = 64;
    static constexpr std::size_t kMaxAddresses = 256;
    static constexpr std::size_t kMaxIdentityChars = 64;

    explicit GuestReporter(Options options);

    // Reports until killed. Returns an exit status only when it cannot start;
    // without a report port it waits forever instead (init would respawn it).
    int run();

    // The report line, newline included, for the system as it is now.
    std::string snapshot();

    static std::string encode(const std::string& identity, const std::vector<KernelNet::Link>& links,
                              const std::vector<KernelNet::Address>& addresses);
    // /dev/vportNpM of the virtio-serial port called name, or "".
    static std::string findPort(const std::string& portsDir, const std::string& name);
    // The host's interface name rule: Linux's, narrowed to [A-Za-z0-9_.@+-].
    static bool reportableName(const std::string& name);

private:
    Options options_;
    GuestBackend backend_;
    KernelNet net_;
};

}  // namespace mr::guest
