#pragma once
// Renders `print` output for one menu the way RouterOS does: the flags
// legend, a numbered table with a flags column, the name=value detail form
// wrapped to the terminal, and the "name: value" form of singletons.

#include <string>
#include <vector>

#include "metarouter.pb.h"

namespace mr::cli {

class PrintFormatter {
public:
    // One object with its positional number (its place in the full list,
    // so numbers stay valid when a filter hides some objects).
    struct Row {
        const wire::Object* object = nullptr;
        std::size_t number = 0;
    };

    PrintFormatter(const wire::MenuSchema& menu, std::size_t width);

    // "Flags: X - disabled, R - running\n", wrapped; empty without flags.
    std::string legend() const;
    // `total` is the size of the full list; it sets the number column's width.
    std::string table(const std::vector<Row>& rows, std::size_t total) const;
    std::string detail(const std::vector<Row>& rows, std::size_t total) const;
    std::string singleton(const wire::Object& object) const;

private:
    // Flags that are never set together share one character of the flags
    // column (RouterOS shows "R" where "X" would be: a disabled object has
    // no operational state), so a table keeps its columns narrow.
    std::vector<std::vector<const wire::Flag*>> slots(bool shared) const;
    std::string flagText(const wire::Object& object, bool shared) const;
    std::string cell(const std::string& property, const wire::Object& object) const;
    bool isFlagProperty(const std::string& property) const;

    const wire::MenuSchema& menu_;
    std::size_t width_;
};

}  // namespace mr::cli
