#include "candidate_layout.h"

#include <algorithm>

#include "cli_text.h"

namespace mr::cli {

std::string CandidateLayout::format(const std::vector<std::string>& candidates, std::size_t width)
{
    const std::size_t n = candidates.size();
    if (n == 0)
        return {};
    constexpr std::size_t gap = 2;
    std::size_t rows = 1;
    std::vector<std::size_t> widths;
    for (; rows <= n; ++rows) {
        const std::size_t cols = (n + rows - 1) / rows;
        widths.assign(cols, 0);
        for (std::size_t i = 0; i < n; ++i)
            widths[i / rows] = std::max(widths[i / rows], text::displayWidth(candidates[i]));
        std::size_t total = 0;
        for (std::size_t c = 0; c < cols; ++c)
            total += widths[c] + (c + 1 < cols ? gap : 0);
        if (total <= width || cols == 1)
            break;
    }
    std::string out;
    for (std::size_t r = 0; r < rows; ++r) {
        std::string line;
        for (std::size_t c = 0; c < widths.size(); ++c) {
            const std::size_t i = c * rows + r;
            if (i >= n)
                break;
            line += text::padRight(candidates[i], widths[c] + gap);
        }
        out += line + "\n";
    }
    return text::trimLineEnds(out);
}

}  // namespace mr::cli
