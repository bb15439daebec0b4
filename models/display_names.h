#pragma once
// People-facing names for schema names: "vm-mac-address" -> "VM MAC Address",
// "shut-down" -> "Shut Down", as WinBox titles its columns and buttons.

#include <QString>

#include <string>

namespace mr::ui {

QString displayName(const std::string& schemaName);

}  // namespace mr::ui
