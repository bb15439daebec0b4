#pragma once
// Where the daemon finds a running metarouter's console: implemented by the
// metarouter provider, used by console streams (API and CLI).

#include <string>

namespace mr::hv {

class ConsoleMux;

class ConsoleRegistry {
public:
    virtual ~ConsoleRegistry() = default;
    // The console of the metarouter with this name; nullptr when there is no
    // such metarouter or it is not running.
    virtual ConsoleMux* console(const std::string& metarouterName) = 0;
};

}  // namespace mr::hv
