#pragma once
// The line being typed and the history of lines entered, without any
// terminal output: cursor moves keep to UTF-8 character boundaries.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mr::cli {

class LineEditor {
public:
    explicit LineEditor(std::size_t historySize = 200) : historySize_(historySize) {}

    const std::string& text() const { return text_; }
    std::size_t cursor() const { return cursor_; }
    bool atEnd() const { return cursor_ == text_.size(); }

    void insert(std::string_view s);
    bool backspace();
    bool deleteForward();
    bool left();
    bool right();
    void home() { cursor_ = 0; }
    void end() { cursor_ = text_.size(); }
    void killToEnd() { text_.erase(cursor_); }
    void killToStart();
    void deleteWordBack();
    // Replaces the line, cursor at its end.
    void replace(std::string text);

    // Whether the cursor sits inside an unclosed quote: '?' is text there.
    bool inQuotes() const;

    // Adds an entered line to the history and starts a fresh one.
    void commit();
    bool historyUp();
    bool historyDown();
    const std::vector<std::string>& history() const { return history_; }

private:
    std::size_t previousBoundary(std::size_t i) const;
    std::size_t nextBoundary(std::size_t i) const;

    std::string text_;
    std::size_t cursor_ = 0;
    std::vector<std::string> history_;
    std::size_t historyPos_ = 0;  // == history_.size(): the line being typed
    std::string draft_;           // what was typed before browsing history
    std::size_t historySize_;
};

}  // namespace mr::cli
