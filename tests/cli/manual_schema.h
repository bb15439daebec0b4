#pragma once
// The schema of the menus the MetaROUTER manual shows, for the CLI tests:
// what the daemon's providers publish, written down independently.

#include "metarouter.pb.h"

namespace mr::cli::test {

wire::Schema manualSchema();

}  // namespace mr::cli::test
