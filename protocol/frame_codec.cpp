#include "frame_codec.h"

namespace mr::protocol {

std::string encodeFrame(const wire::Envelope& envelope)
{
    const std::size_t size = envelope.ByteSizeLong();
    std::string out(4 + size, '\0');
    out[0] = static_cast<char>((size >> 24) & 0xff);
    out[1] = static_cast<char>((size >> 16) & 0xff);
    out[2] = static_cast<char>((size >> 8) & 0xff);
    out[3] = static_cast<char>(size & 0xff);
    envelope.SerializeWithCachedSizesToArray(reinterpret_cast<std::uint8_t*>(out.data() + 4));
    return out;
}

void FrameDecoder::feed(std::string_view bytes)
{
    if (failed_)
        return;
    // Compact lazily so that a stream of small frames does not copy per frame.
    if (offset_ > 0 && offset_ >= buffer_.size() / 2) {
        buffer_.erase(0, offset_);
        offset_ = 0;
    }
    buffer_.append(bytes);
}

std::optional<wire::Envelope> FrameDecoder::next()
{
    if (failed_ || buffered() < 4)
        return std::nullopt;
    const auto* p = reinterpret_cast<const unsigned char*>(buffer_.data() + offset_);
    const std::uint32_t size = (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) |
                               (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
    if (size > kMaxFrameSize) {
        fail("frame of " + std::to_string(size) + " bytes exceeds the limit of " +
             std::to_string(kMaxFrameSize) + " bytes");
        return std::nullopt;
    }
    if (buffered() < 4 + std::size_t(size))
        return std::nullopt;
    wire::Envelope envelope;
    if (!envelope.ParseFromArray(buffer_.data() + offset_ + 4, static_cast<int>(size))) {
        fail("undecodable message");
        return std::nullopt;
    }
    if (envelope.body_case() == wire::Envelope::BODY_NOT_SET) {
        fail("message without a body");
        return std::nullopt;
    }
    offset_ += 4 + size;
    if (offset_ == buffer_.size()) {
        buffer_.clear();
        offset_ = 0;
    }
    return envelope;
}

void FrameDecoder::fail(std::string message)
{
    failed_ = true;
    error_ = {wire::ERROR_PROTOCOL, std::move(message), {}};
    buffer_.clear();
    offset_ = 0;
}

}  // namespace mr::protocol
