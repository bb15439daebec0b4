#pragma once
// Typed property values: checks text a user typed against a property's
// schema, gives its canonical stored form, and formats stored values for
// display. Shared by the daemon, the CLI engine and the clients.

#include <string>
#include <string_view>

#include "error.h"
#include "metarouter.pb.h"

namespace mr::protocol {

// Canonical stored text for `input`, or an error naming the property and rule.
Result<std::string> parseValue(const wire::PropertySchema& property, std::string_view input);

// How a stored value is shown (print, export, dialogs).
std::string formatValue(const wire::PropertySchema& property, const std::string& stored);

// Same for a command argument.
Result<std::string> parseArgument(const wire::ArgumentSchema& argument, std::string_view input);

// Duration text ("1h2m3s", "5m", "15s") for seconds, and back.
std::string formatDuration(long long seconds);
Result<long long> parseDuration(std::string_view text);

// Integer with optional 0x prefix.
Result<long long> parseInteger(std::string_view text);

// Lookups; nullptr when absent.
const wire::MenuSchema* findMenu(const wire::Schema& schema, std::string_view path);
const wire::PropertySchema* findProperty(const wire::MenuSchema& menu, std::string_view name);
const wire::CommandSchema* findCommand(const wire::MenuSchema& menu, std::string_view name);

}  // namespace mr::protocol
