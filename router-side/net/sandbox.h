#pragma once
// metarouterd --sandbox NAME: a network namespace NAME (the router) with
// simulated physical ports ether1..4, veth pairs whose far ends lan1..4 sit
// in NAME-lan (the client LAN), both visible to `ip netns`.

#include <string>
#include <vector>

#include "error.h"

namespace mr::net {

class Sandbox {
public:
    explicit Sandbox(std::string name, int ports = 4);
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    const std::string& name() const { return name_; }
    std::string lanName() const { return name_ + "-lan"; }
    bool entered() const { return entered_; }

    // Whether /run/netns/NAME is a live network namespace.
    static bool exists(const std::string& ns);

    // Creates both namespaces, or re-uses them when they exist (a restart
    // after kill -9 keeps the running state), and makes sure ether1..N exist.
    Status setUp();
    // Moves the calling thread (and the threads it creates later) into NAME.
    // Call before any thread exists.
    Status enter();
    // Back to the namespace enter() was called from.
    Status leave();
    // Leaves if inside, then deletes NAME and NAME-lan.
    Status remove();

    // Runs ip(8) with args; its output (stdout and stderr) in *output.
    static Status ip(const std::vector<std::string>& args, std::string* output = nullptr);

private:
    Status ensureNamespace(const std::string& ns);

    std::string name_;
    int ports_;
    int originalNs_ = -1;
    bool entered_ = false;
};

}  // namespace mr::net
