#pragma once
// Paths and schemas of /metarouter, /metarouter/interface and
// /metarouter/settings, with the manual's property names, columns and flags.

#include <string>
#include <vector>

#include "metarouter.pb.h"

namespace mr::hv::menus {

inline const std::string kMetarouter = "/metarouter";
inline const std::string kInterface = "/metarouter/interface";
inline const std::string kSettings = "/metarouter/settings";

std::vector<wire::MenuSchema> all();

}  // namespace mr::hv::menus
