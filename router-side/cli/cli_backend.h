#pragma once
// What the command-line engine needs from whoever runs it: the schema and
// the operations on menus, already restricted to the logged-in user. The
// daemon implements it over a Session; the guest over its own menus.

#include <string>
#include <vector>

#include "error.h"
#include "metarouter.pb.h"

namespace mr::cli {

class CliBackend {
public:
    virtual ~CliBackend() = default;

    // Menus this user may see.
    virtual const wire::Schema& schema() const = 0;
    virtual std::string user() const = 0;
    // Shown in the prompt: [user@identity] /menu>
    virtual std::string identity() const = 0;

    // Objects in the order print shows them.
    virtual Result<std::vector<wire::Object>> get(const std::string& menu) = 0;
    // Returns the new object's id.
    virtual Result<std::string> add(const std::string& menu, const Properties& properties) = 0;
    virtual Status set(const std::string& menu, const std::string& id, const Properties& properties,
                       const std::vector<std::string>& unset) = 0;
    virtual Status remove(const std::string& menu, const std::string& id) = 0;
    // Menu-specific commands from the schema (start, shut-down, ...). Returns output text.
    virtual Result<std::string> command(const std::string& menu, const std::string& command, const std::string& id,
                                        const Properties& arguments) = 0;
};

}  // namespace mr::cli
