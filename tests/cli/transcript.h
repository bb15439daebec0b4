#pragma once
// Replays a transcript file — a session as the manual prints it, prompt
// and typed line followed by the expected output — through a CliEngine
// over a TestBackend, and reports the first difference.
//
// Lines starting with "#!" are directives, not output:
//   #! width N                       terminal width from here on
//   #! tab                           the next line is completed with double Tab, not run
//   #! help                          the next line gets '?' help at its end, not run
//   #! observe /menu k=v ...         an object a provider reports (no validation)
//   #! update /menu key k=v ...      provider changes to an object named by key or id
//   #! -- text                       a comment

#include <string>

namespace mr::cli::test {

class Transcript {
public:
    // Empty when the whole transcript matched; else what differed, where.
    static std::string replay(const std::string& text, const std::string& name);
};

}  // namespace mr::cli::test
