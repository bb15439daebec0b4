#pragma once
// Builds `export` output: the commands that recreate the configuration.
// Objects are written as `add` lines and singletons as `set`; objects of
// menus one cannot add to (kernel links) are written as `set <name>` lines
// after every `add`, so that a re-import finds the objects they name.
// Menus that only show objects another menu exports (export_elsewhere) are
// left out, so that each setting is written once.

#include <string>
#include <vector>

#include "metarouter.pb.h"

namespace mr::cli {

class ExportWriter {
public:
    // verbose: write default values too.
    explicit ExportWriter(bool verbose = false) : verbose_(verbose) {}

    void addMenu(const wire::MenuSchema& menu, const std::vector<wire::Object>& objects);
    std::string text() const { return early_ + adds_ + sets_; }

private:
    // name=value pairs worth writing for one object, or empty.
    std::string assignments(const wire::MenuSchema& menu, const wire::Object& object, bool skipKey) const;

    bool verbose_;
    // Sets of objects named by a read-only key (a NIC's default-name): they
    // exist before anything is added, and adds may refer to their new names.
    std::string early_;
    std::string adds_;
    std::string sets_;
};

}  // namespace mr::cli
