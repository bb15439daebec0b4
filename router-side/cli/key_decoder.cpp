#include "key_decoder.h"

namespace mr::cli {
namespace {

bool cursorKey(char c, Key::Type& type)
{
    switch (c) {
    case 'A': type = Key::Type::Up; return true;
    case 'B': type = Key::Type::Down; return true;
    case 'C': type = Key::Type::Right; return true;
    case 'D': type = Key::Type::Left; return true;
    case 'H': type = Key::Type::Home; return true;
    case 'F': type = Key::Type::End; return true;
    default: return false;
    }
}

}  // namespace

void KeyDecoder::finishCsi(char final, std::vector<Key>& keys)
{
    Key::Type type;
    if (final == '~') {
        // "1;5~" style modifiers: the key is the first number.
        const std::string n = params_.substr(0, params_.find(';'));
        if (n == "1" || n == "7")
            keys.push_back({Key::Type::Home});
        else if (n == "4" || n == "8")
            keys.push_back({Key::Type::End});
        else if (n == "3")
            keys.push_back({Key::Type::Delete});
    } else if (cursorKey(final, type)) {
        keys.push_back({type});
    }
    params_.clear();
    state_ = State::Normal;
}

std::vector<Key> KeyDecoder::feed(std::string_view bytes)
{
    std::vector<Key> keys;
    for (char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        const bool afterCr = afterCr_;
        afterCr_ = false;
        switch (state_) {
        case State::Escape:
            if (c == '[') {
                state_ = State::Csi;
            } else if (c == 'O') {
                state_ = State::Ss3;
            } else if (c != 0x1b) {
                state_ = State::Normal;  // Alt-key: not bound
            }
            continue;
        case State::Csi:
            if ((c >= '0' && c <= '9') || c == ';') {
                params_ += c;
                if (params_.size() > 16) {  // garbage, not a key
                    params_.clear();
                    state_ = State::Normal;
                }
            } else if (u >= 0x40 && u <= 0x7e) {
                finishCsi(c, keys);
            } else {
                params_.clear();
                state_ = State::Normal;
            }
            continue;
        case State::Ss3: {
            Key::Type type;
            if (cursorKey(c, type))
                keys.push_back({type});
            state_ = State::Normal;
            continue;
        }
        case State::Normal:
            break;
        }
        switch (u) {
        case 0x0d:
            keys.push_back({Key::Type::Enter});
            afterCr_ = true;
            break;
        case 0x0a:
        case 0x00:
            if (!afterCr && u == 0x0a)
                keys.push_back({Key::Type::Enter});
            break;
        case 0x7f:
        case 0x08: keys.push_back({Key::Type::Backspace}); break;
        case 0x09: keys.push_back({Key::Type::Tab}); break;
        case 0x03: keys.push_back({Key::Type::Interrupt}); break;
        case 0x04: keys.push_back({Key::Type::EndOfFile}); break;
        case 0x01: keys.push_back({Key::Type::Home}); break;
        case 0x05: keys.push_back({Key::Type::End}); break;
        case 0x02: keys.push_back({Key::Type::Left}); break;
        case 0x06: keys.push_back({Key::Type::Right}); break;
        case 0x10: keys.push_back({Key::Type::Up}); break;
        case 0x0e: keys.push_back({Key::Type::Down}); break;
        case 0x0b: keys.push_back({Key::Type::KillToEnd}); break;
        case 0x15: keys.push_back({Key::Type::KillToStart}); break;
        case 0x17: keys.push_back({Key::Type::DeleteWord}); break;
        case 0x0c: keys.push_back({Key::Type::Redraw}); break;
        case 0x1b: state_ = State::Escape; break;
        default:
            if (u >= 0x20)
                keys.push_back({Key::Type::Char, c});
            break;
        }
    }
    return keys;
}

}  // namespace mr::cli
