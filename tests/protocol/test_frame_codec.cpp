// FrameDecoder / encodeFrame: round trips, split and merged feeds, and the
// ways a peer can send a broken stream (oversize, undecodable, empty body).

#include <QTest>

#include <google/protobuf/util/message_differencer.h>

#include <string>
#include <vector>

#include "frame_codec.h"

using mr::protocol::encodeFrame;
using mr::protocol::FrameDecoder;
using mr::protocol::kMaxFrameSize;
namespace wire = mr::wire;

namespace {

std::string header(std::uint32_t size)
{
    std::string h(4, '\0');
    h[0] = static_cast<char>(size >> 24);
    h[1] = static_cast<char>(size >> 16);
    h[2] = static_cast<char>(size >> 8);
    h[3] = static_cast<char>(size);
    return h;
}

bool same(const wire::Envelope& a, const wire::Envelope& b)
{
    return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// A few envelopes of different kinds, including maps, bytes with NULs and
// nested messages.
std::vector<wire::Envelope> samples()
{
    std::vector<wire::Envelope> out;
    {
        wire::Envelope e;
        e.mutable_hello()->set_version(1);
        e.mutable_hello()->set_software("metarouterd 0.1.0");
        e.mutable_hello()->add_capabilities("streams");
        out.push_back(e);
    }
    {
        wire::Envelope e;
        e.set_id(7);
        e.mutable_login()->set_user("admin");
        e.mutable_login()->set_password("pässwörd");
        out.push_back(e);
    }
    {
        wire::Envelope e;
        e.set_id(0xFFFFFFFFFFFFULL);
        auto* add = e.mutable_request()->mutable_add();
        add->set_menu("/interface/bridge");
        (*add->mutable_properties())["name"] = "bridge1";
        (*add->mutable_properties())["mtu"] = "1500";
        (*add->mutable_properties())["comment"] = "";
        out.push_back(e);
    }
    {
        wire::Envelope e;
        e.set_id(9);
        auto* r = e.mutable_reply();
        r->set_subscription(3);
        r->set_revision(42);
        for (int i = 0; i < 50; ++i) {
            auto* o = r->add_objects();
            o->set_id("*" + std::to_string(i + 1));
            (*o->mutable_properties())["name"] = "ether" + std::to_string(i);
        }
        out.push_back(e);
    }
    {
        wire::Envelope e;
        e.mutable_stream_data()->set_stream(2);
        e.mutable_stream_data()->set_data(std::string("\0\x01\xff\r\n", 5));
        out.push_back(e);
    }
    {
        wire::Envelope e;
        e.mutable_fatal()->set_code(wire::ERROR_PROTOCOL);
        e.mutable_fatal()->set_message("bye");
        out.push_back(e);
    }
    {
        // A body whose fields are all defaults: it encodes to a couple of
        // bytes but still has its oneof case set.
        wire::Envelope e;
        e.mutable_stream_break();
        out.push_back(e);
    }
    return out;
}

}  // namespace

class TestFrameCodec : public QObject {
    Q_OBJECT
private slots:
    void headerIsBigEndianLength()
    {
        const auto e = samples()[2];
        const std::string f = encodeFrame(e);
        QCOMPARE(f.size(), 4 + e.ByteSizeLong());
        QCOMPARE(f.substr(0, 4), header(static_cast<std::uint32_t>(e.ByteSizeLong())));
        QCOMPARE(f.substr(4), e.SerializeAsString());
    }

    void roundTripEach()
    {
        for (const auto& e : samples()) {
            FrameDecoder d;
            d.feed(encodeFrame(e));
            auto got = d.next();
            QVERIFY2(got.has_value(), d.error().message.c_str());
            QVERIFY(same(*got, e));
            QVERIFY(!d.next().has_value());
            QVERIFY(!d.failed());
            QCOMPARE(d.buffered(), std::size_t(0));
        }
    }

    void byteByByte()
    {
        const auto all = samples();
        std::string stream;
        for (const auto& e : all)
            stream += encodeFrame(e);
        FrameDecoder d;
        std::vector<wire::Envelope> got;
        for (char c : stream) {
            d.feed(std::string_view(&c, 1));
            while (auto e = d.next())
                got.push_back(*e);
            QVERIFY(!d.failed());
        }
        QCOMPARE(got.size(), all.size());
        for (std::size_t i = 0; i < all.size(); ++i)
            QVERIFY2(same(got[i], all[i]), std::to_string(i).c_str());
        QCOMPARE(d.buffered(), std::size_t(0));
    }

    void severalFramesInOneFeed()
    {
        const auto all = samples();
        std::string stream;
        for (int round = 0; round < 3; ++round)
            for (const auto& e : all)
                stream += encodeFrame(e);
        FrameDecoder d;
        d.feed(stream);
        std::size_t n = 0;
        while (auto e = d.next()) {
            QVERIFY(same(*e, all[n % all.size()]));
            ++n;
        }
        QCOMPARE(n, all.size() * 3);
        QVERIFY(!d.failed());
    }

    // Frames cut at arbitrary points, with the decoder partly drained
    // between feeds (exercises the lazy compaction of its buffer).
    void unevenChunks()
    {
        const auto all = samples();
        std::string stream;
        for (int round = 0; round < 20; ++round)
            for (const auto& e : all)
                stream += encodeFrame(e);
        FrameDecoder d;
        std::size_t pos = 0, n = 0, chunk = 1;
        while (pos < stream.size()) {
            const std::size_t len = std::min(chunk, stream.size() - pos);
            d.feed(std::string_view(stream).substr(pos, len));
            pos += len;
            chunk = chunk * 7 % 211 + 1;
            if (auto e = d.next()) {  // at most one per feed: leaves some buffered
                QVERIFY(same(*e, all[n % all.size()]));
                ++n;
            }
        }
        while (auto e = d.next()) {
            QVERIFY(same(*e, all[n % all.size()]));
            ++n;
        }
        QCOMPARE(n, all.size() * 20);
        QVERIFY(!d.failed());
    }

    void incompleteFrameWaits()
    {
        const std::string f = encodeFrame(samples()[3]);
        FrameDecoder d;
        d.feed(std::string_view(f).substr(0, f.size() - 1));
        QVERIFY(!d.next().has_value());
        QVERIFY(!d.failed());
        QCOMPARE(d.buffered(), f.size() - 1);
        d.feed(std::string_view(f).substr(f.size() - 1));
        QVERIFY(d.next().has_value());
    }

    void maximumSizeHeaderWaits()
    {
        // Exactly the limit is allowed: the decoder waits for the body.
        FrameDecoder d;
        d.feed(header(kMaxFrameSize));
        QVERIFY(!d.next().has_value());
        QVERIFY(!d.failed());
    }

    void oversizeFails_data()
    {
        QTest::addColumn<quint32>("size");
        QTest::newRow("limit+1") << quint32(kMaxFrameSize + 1);
        QTest::newRow("100MiB") << quint32(100u * 1024 * 1024);
        QTest::newRow("4GiB-1") << quint32(0xFFFFFFFFu);
        QTest::newRow("ascii GET ") << quint32(0x47455420u);
    }
    void oversizeFails()
    {
        QFETCH(quint32, size);
        FrameDecoder d;
        d.feed(encodeFrame(samples()[0]));  // a good frame first
        d.feed(header(size));
        QVERIFY(d.next().has_value());
        QVERIFY(!d.next().has_value());
        QVERIFY(d.failed());
        QCOMPARE(d.error().code, wire::ERROR_PROTOCOL);
        QVERIFY2(d.error().message.find("exceeds") != std::string::npos, d.error().message.c_str());
        QVERIFY(d.error().message.find(std::to_string(size)) != std::string::npos);
        QCOMPARE(d.buffered(), std::size_t(0));  // does not hold on to anything
    }

    void undecodableFails_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("wire type 7") << QByteArray("\x0f\x01\x02", 3);
        QTest::newRow("truncated varint") << QByteArray("\x08\xff\xff", 3);
        QTest::newRow("length beyond body") << QByteArray("\x12\x7f\x00", 3);
        QTest::newRow("field number 0") << QByteArray("\x00\x01", 2);
        QTest::newRow("text") << QByteArray("hello, world");
        QTest::newRow("bad utf8 in string") << QByteArray("\x12\x06\x1a\x04\xff\xfe\xfd\xfc", 8);
    }
    void undecodableFails()
    {
        QFETCH(QByteArray, body);
        FrameDecoder d;
        d.feed(header(static_cast<std::uint32_t>(body.size())) + body.toStdString());
        QVERIFY(!d.next().has_value());
        QVERIFY(d.failed());
        QCOMPARE(d.error().code, wire::ERROR_PROTOCOL);
        QVERIFY(!d.error().message.empty());
    }

    void emptyBodyFails()
    {
        {
            FrameDecoder d;
            d.feed(header(0));
            QVERIFY(!d.next().has_value());
            QVERIFY(d.failed());
            QCOMPARE(d.error().code, wire::ERROR_PROTOCOL);
        }
        {
            // Only an id, no body.
            wire::Envelope e;
            e.set_id(5);
            FrameDecoder d;
            d.feed(encodeFrame(e));
            QVERIFY(!d.next().has_value());
            QVERIFY(d.failed());
            QCOMPARE(d.error().code, wire::ERROR_PROTOCOL);
            QVERIFY(d.error().message.find("body") != std::string::npos);
        }
    }

    void staysFailed()
    {
        FrameDecoder d;
        d.feed(header(0xFFFFFFFFu));
        QVERIFY(!d.next().has_value());
        QVERIFY(d.failed());
        const std::string msg = d.error().message;
        for (int i = 0; i < 3; ++i) {
            d.feed(encodeFrame(samples()[0]));
            QVERIFY(!d.next().has_value());
            QVERIFY(d.failed());
            QCOMPARE(d.error().message, msg);
            QCOMPARE(d.buffered(), std::size_t(0));
        }
    }

    // A valid frame followed by garbage: the valid one is delivered, then
    // the decoder fails.
    void goodThenBad()
    {
        FrameDecoder d;
        d.feed(encodeFrame(samples()[1]) + header(3) + std::string("\x0f\x01\x02", 3) + encodeFrame(samples()[0]));
        auto first = d.next();
        QVERIFY(first.has_value());
        QVERIFY(first->has_login());
        QVERIFY(!d.next().has_value());
        QVERIFY(d.failed());
        QVERIFY(!d.next().has_value());
    }

    void largeFrameRoundTrip()
    {
        wire::Envelope e;
        e.mutable_stream_data()->set_stream(1);
        e.mutable_stream_data()->set_data(std::string(5 * 1024 * 1024, 'x'));
        const std::string f = encodeFrame(e);
        FrameDecoder d;
        for (std::size_t pos = 0; pos < f.size(); pos += 65536)
            d.feed(std::string_view(f).substr(pos, 65536));
        auto got = d.next();
        QVERIFY(got.has_value());
        QCOMPARE(got->stream_data().data().size(), std::size_t(5 * 1024 * 1024));
    }
};

QTEST_GUILESS_MAIN(TestFrameCodec)
#include "test_frame_codec.moc"
