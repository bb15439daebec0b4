// libFuzzer target for the frame codec: arbitrary bytes, fed in chunk sizes
// taken from the input itself. Every decoded envelope must survive
// re-encoding and decoding unchanged; a failed decoder must stay failed.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/message_differencer.h>

#include "frame_codec.h"

using mr::protocol::encodeFrame;
using mr::protocol::FrameDecoder;
using mr::protocol::kMaxFrameSize;

namespace {

[[noreturn]] void fail(const char* what)
{
    std::fprintf(stderr, "fuzz_frame_decoder: %s\n", what);
    std::abort();
}

void check(bool ok, const char* what)
{
    if (!ok)
        fail(what);
}

void roundTrip(const mr::wire::Envelope& e)
{
    check(e.body_case() != mr::wire::Envelope::BODY_NOT_SET, "decoded an envelope without a body");
    const std::string f = encodeFrame(e);
    check(f.size() >= 4 && f.size() - 4 <= kMaxFrameSize, "re-encoded frame out of bounds");
    FrameDecoder d;
    d.feed(f);
    auto again = d.next();
    check(again.has_value() && !d.failed(), "re-encoded envelope does not decode");
    check(google::protobuf::util::MessageDifferencer::Equals(e, *again), "round trip changed the envelope");
    check(!d.next().has_value() && d.buffered() == 0, "bytes left after one frame");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    // Invalid UTF-8 in string fields is a normal parse failure here; do not
    // let protobuf log each one.
    google::protobuf::SetLogHandler([](google::protobuf::LogLevel, const char*, int, const std::string&) {});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    // The first byte picks how the rest is split: a fixed chunk size, or
    // chunk sizes read from the stream itself.
    if (size == 0)
        return 0;
    const std::uint8_t mode = data[0];
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);

    FrameDecoder d;
    std::vector<mr::wire::Envelope> decoded;
    std::size_t consumed = 0;
    bool failedBefore = false;
    auto drain = [&] {
        while (auto e = d.next())
            decoded.push_back(std::move(*e));
        if (failedBefore)
            check(d.failed(), "decoder recovered after a failure");
        if (d.failed()) {
            failedBefore = true;
            check(d.error().code == mr::wire::ERROR_PROTOCOL, "failure is not ERROR_PROTOCOL");
            check(!d.error().message.empty(), "failure without a message");
            check(d.buffered() == 0, "failed decoder holds bytes");
        }
    };
    std::size_t pos = 0;
    while (pos < rest.size()) {
        std::size_t chunk;
        if (mode & 0x80) {
            chunk = static_cast<unsigned char>(rest[pos]) % 64 + 1;  // the length byte is fed too
        } else {
            chunk = (mode & 0x7f) + 1u;
        }
        chunk = std::min(chunk, rest.size() - pos);
        d.feed(rest.substr(pos, chunk));
        consumed += chunk;
        pos += chunk;
        drain();
    }
    drain();

    // Equivalent to a decoder fed everything at once.
    FrameDecoder whole;
    whole.feed(rest);
    std::size_t n = 0;
    while (auto e = whole.next()) {
        check(n < decoded.size(), "whole feed decoded more envelopes");
        check(google::protobuf::util::MessageDifferencer::Equals(*e, decoded[n]), "chunking changed an envelope");
        ++n;
    }
    check(n == decoded.size(), "whole feed decoded fewer envelopes");
    check(whole.failed() == d.failed(), "chunking changed the outcome");
    check(d.buffered() <= consumed, "buffered more than was fed");

    for (const auto& e : decoded)
        roundTrip(e);
    return 0;
}
