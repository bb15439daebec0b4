#include "error.h"

namespace mr {

std::string Error::text() const
{
    if (property.empty())
        return message;
    if (message.find(property) != std::string::npos)
        return message;
    return property + ": " + message;
}

wire::Error Error::toWire() const
{
    wire::Error e;
    e.set_code(code);
    e.set_message(message);
    e.set_property(property);
    return e;
}

Error Error::fromWire(const wire::Error& e)
{
    return {e.code(), e.message(), e.property()};
}

}  // namespace mr
