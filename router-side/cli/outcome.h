#pragma once
// What running a command line produced, for whoever shows it: a terminal
// session, `mrcli COMMAND`, or a script run.

#include <optional>
#include <string>
#include <vector>

#include "error.h"

namespace mr::cli {

// A command whose schema has streams=true (a console): the engine does not
// run it but hands it to the session, which opens the stream.
// A command that answers later (long_running: import-image) is handed over
// the same way, so that the session can show its progress.
struct AttachRequest {
    std::string menu;     // "/metarouter"
    std::string command;  // "console"
    std::string id;       // "*1"
    std::string target;   // the object's key value ("mr1"), or its id
    Properties arguments;
    bool longRunning = false;  // a long-running command, not a stream
};

// The result of a line or a script.
struct Outcome {
    std::string output;  // '\n' line ends
    std::string error;   // one line, empty on success
    bool ok = true;
    bool quit = false;   // the user logged out
    std::optional<AttachRequest> attach;
    // runScript stopped at `attach`: where the script goes on afterwards.
    std::size_t resumeOffset = 0;
    std::size_t resumeLine = 0;
};

// Tab completion of the word that ends at the cursor.
struct Completion {
    std::size_t wordStart = 0;           // offset of the word in the line
    std::string word;                    // what is typed of it
    std::string insertion;               // text to insert at the cursor
    std::vector<std::string> candidates; // every match, sorted
};

}  // namespace mr::cli
