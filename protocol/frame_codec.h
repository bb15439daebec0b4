#pragma once
// Length-prefixed framing of Envelopes: 4-byte big-endian length, then the
// serialized Envelope. Qt-free so that it can be fuzzed on its own.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "error.h"
#include "metarouter.pb.h"

namespace mr::protocol {

inline constexpr std::uint32_t kMaxFrameSize = 16u * 1024u * 1024u;
inline constexpr std::uint32_t kProtocolVersion = 1;

// Serializes one envelope as a frame (header + body).
std::string encodeFrame(const wire::Envelope& envelope);

// Splits a byte stream into envelopes. After the first error the decoder
// stays failed: the connection must be closed.
class FrameDecoder {
public:
    // Appends received bytes.
    void feed(std::string_view bytes);

    // Next complete envelope; nullopt when more bytes are needed or on error
    // (check failed()).
    std::optional<wire::Envelope> next();

    bool failed() const { return failed_; }
    const Error& error() const { return error_; }
    std::size_t buffered() const { return buffer_.size() - offset_; }

private:
    void fail(std::string message);

    std::string buffer_;
    std::size_t offset_ = 0;
    bool failed_ = false;
    Error error_;
};

}  // namespace mr::protocol
