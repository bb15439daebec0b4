#include "kernel_state.h"

#include <linux/if.h>

namespace mr::net {

bool LinkState::up() const
{
    return (flags & IFF_UP) != 0;
}

bool LinkState::running() const
{
    return (flags & IFF_UP) && (flags & IFF_RUNNING);
}

const LinkState* KernelState::link(int index) const
{
    auto it = links.find(index);
    return it == links.end() ? nullptr : &it->second;
}

const LinkState* KernelState::linkByName(const std::string& name) const
{
    for (const auto& [index, l] : links)
        if (l.name == name)
            return &l;
    return nullptr;
}

std::string KernelState::addressKey(int index, const std::string& prefix)
{
    return std::to_string(index) + " " + prefix;
}

}  // namespace mr::net
