#include "transcript.h"

#include <sstream>
#include <vector>

#include "candidate_layout.h"
#include "cli_engine.h"
#include "command_lexer.h"
#include "test_backend.h"

namespace mr::cli::test {
namespace {

bool isPromptLine(const std::string& line, std::string& prompt, std::string& command)
{
    if (line.empty() || line[0] != '[')
        return false;
    const auto close = line.find("] ");
    if (close == std::string::npos)
        return false;
    const auto gt = line.find('>', close);
    if (gt == std::string::npos)
        return false;
    const std::string between = line.substr(close + 2, gt - close - 2);
    if (!between.empty() && between[0] != '/')
        return false;
    prompt = line.substr(0, gt + 1) + " ";
    command = gt + 2 <= line.size() ? line.substr(std::min(gt + 2, line.size())) : std::string();
    return true;
}

Properties assignments(const std::vector<Token>& tokens, std::size_t from)
{
    Properties p;
    for (std::size_t i = from; i < tokens.size(); ++i)
        p[tokens[i].name] = tokens[i].value;
    return p;
}

}  // namespace

std::string Transcript::replay(const std::string& text, const std::string& name)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        lines.push_back(l);
    while (!lines.empty() && lines.back().empty())
        lines.pop_back();

    TestBackend backend;
    CliEngine engine(backend);
    enum class Mode { Run, Tab, Help } mode = Mode::Run;

    std::size_t i = 0;
    while (i < lines.size()) {
        const std::string& line = lines[i];
        const std::string where = name + ":" + std::to_string(i + 1);
        if (line.rfind("#!", 0) == 0) {
            const auto tokens = CommandLexer::lex(line.substr(2)).tokens;
            ++i;
            if (tokens.empty() || tokens[0].text == "--")
                continue;
            const std::string& d = tokens[0].text;
            if (d == "width" && tokens.size() == 2)
                engine.setWidth(std::stoul(tokens[1].text));
            else if (d == "tab")
                mode = Mode::Tab;
            else if (d == "help")
                mode = Mode::Help;
            else if (d == "observe" && tokens.size() >= 2)
                backend.observe(tokens[1].text, assignments(tokens, 2));
            else if (d == "update" && tokens.size() >= 3) {
                if (!backend.update(tokens[1].text, tokens[2].text, assignments(tokens, 3)))
                    return where + ": no object " + tokens[2].text + " in " + tokens[1].text;
            } else
                return where + ": bad directive: " + line;
            continue;
        }
        std::string prompt, command;
        if (!isPromptLine(line, prompt, command))
            return where + ": expected a prompt line, got output without a command: '" + line + "'";
        if (prompt != engine.prompt())
            return where + ": prompt differs\n  expected: '" + prompt + "'\n  actual:   '" + engine.prompt() + "'";
        ++i;
        std::string expected;
        std::string p, c;
        while (i < lines.size() && lines[i].rfind("#!", 0) != 0 && !isPromptLine(lines[i], p, c))
            expected += lines[i++] + "\n";

        std::string actual;
        if (mode == Mode::Tab) {
            const Completion completion = engine.complete(command, command.size());
            actual = completion.insertion.empty() ? CandidateLayout::format(completion.candidates, engine.width())
                                                  : "<inserts '" + completion.insertion + "'>\n";
        } else if (mode == Mode::Help) {
            actual = engine.help(command, command.size());
        } else {
            const Outcome o = engine.execute(command);
            actual = o.output + (o.error.empty() ? "" : o.error + "\n");
        }
        mode = Mode::Run;
        if (i == lines.size()) {
            // The file's trailing blank lines were dropped; compare alike.
            while (!actual.empty() && actual.size() >= 2 && actual.substr(actual.size() - 2) == "\n\n")
                actual.pop_back();
        }
        if (actual != expected)
            return where + ": output of '" + command + "' differs\n--- expected\n" + expected + "--- actual\n" +
                   actual + "---";
    }
    return {};
}

}  // namespace mr::cli::test
