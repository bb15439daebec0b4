#include "line_editor.h"

namespace mr::cli {
namespace {

bool continuation(char c)
{
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

std::size_t LineEditor::previousBoundary(std::size_t i) const
{
    if (i == 0)
        return 0;
    --i;
    while (i > 0 && continuation(text_[i]))
        --i;
    return i;
}

std::size_t LineEditor::nextBoundary(std::size_t i) const
{
    if (i >= text_.size())
        return text_.size();
    ++i;
    while (i < text_.size() && continuation(text_[i]))
        ++i;
    return i;
}

void LineEditor::insert(std::string_view s)
{
    text_.insert(cursor_, s);
    cursor_ += s.size();
}

bool LineEditor::backspace()
{
    if (cursor_ == 0)
        return false;
    const std::size_t from = previousBoundary(cursor_);
    text_.erase(from, cursor_ - from);
    cursor_ = from;
    return true;
}

bool LineEditor::deleteForward()
{
    if (cursor_ >= text_.size())
        return false;
    text_.erase(cursor_, nextBoundary(cursor_) - cursor_);
    return true;
}

bool LineEditor::left()
{
    if (cursor_ == 0)
        return false;
    cursor_ = previousBoundary(cursor_);
    return true;
}

bool LineEditor::right()
{
    if (cursor_ >= text_.size())
        return false;
    cursor_ = nextBoundary(cursor_);
    return true;
}

void LineEditor::killToStart()
{
    text_.erase(0, cursor_);
    cursor_ = 0;
}

void LineEditor::deleteWordBack()
{
    std::size_t i = cursor_;
    while (i > 0 && text_[i - 1] == ' ')
        --i;
    while (i > 0 && text_[i - 1] != ' ')
        --i;
    text_.erase(i, cursor_ - i);
    cursor_ = i;
}

void LineEditor::replace(std::string text)
{
    text_ = std::move(text);
    cursor_ = text_.size();
}

bool LineEditor::inQuotes() const
{
    bool quoted = false;
    for (std::size_t i = 0; i < cursor_ && i < text_.size(); ++i) {
        if (text_[i] == '\\') {
            ++i;
            continue;
        }
        if (text_[i] == '"')
            quoted = !quoted;
    }
    return quoted;
}

void LineEditor::commit()
{
    if (!text_.empty() && (history_.empty() || history_.back() != text_)) {
        history_.push_back(text_);
        if (history_.size() > historySize_)
            history_.erase(history_.begin());
    }
    text_.clear();
    cursor_ = 0;
    draft_.clear();
    historyPos_ = history_.size();
}

bool LineEditor::historyUp()
{
    if (historyPos_ == 0 || history_.empty())
        return false;
    if (historyPos_ >= history_.size()) {
        historyPos_ = history_.size();
        draft_ = text_;
    }
    --historyPos_;
    replace(history_[historyPos_]);
    return true;
}

bool LineEditor::historyDown()
{
    if (historyPos_ >= history_.size())
        return false;
    ++historyPos_;
    replace(historyPos_ == history_.size() ? draft_ : history_[historyPos_]);
    return true;
}

}  // namespace mr::cli
