#pragma once
// Runs a helper program (nft) with text on its standard input and returns
// what it printed; used where rtnetlink is not the interface.

#include <string>
#include <vector>

#include "error.h"

namespace mr::guest {

class ProcessRunner {
public:
    struct Output {
        int exitCode = -1;
        std::string text;  // stdout and stderr together
    };
    static Result<Output> run(const std::vector<std::string>& argv, const std::string& input = {});
};

}  // namespace mr::guest
