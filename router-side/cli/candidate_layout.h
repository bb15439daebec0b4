#pragma once
// Lays out completion candidates in columns, filled top to bottom, using
// as few rows as fit the terminal width (what double Tab shows).

#include <string>
#include <vector>

namespace mr::cli {

class CandidateLayout {
public:
    // Text with '\n' line ends; empty for no candidates.
    static std::string format(const std::vector<std::string>& candidates, std::size_t width);
};

}  // namespace mr::cli
