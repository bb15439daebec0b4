// ApiConnection over a real QLocalServer / QLocalSocket pair: envelopes in
// both directions, a fatal error frame and a close on garbage, and a peer
// that stops reading is dropped instead of buffering without bound.

#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <google/protobuf/util/message_differencer.h>

#include <memory>
#include <vector>

#include "api_connection.h"
#include "frame_codec.h"

using mr::protocol::ApiConnection;
using mr::protocol::encodeFrame;
using mr::protocol::FrameDecoder;
namespace wire = mr::wire;

Q_DECLARE_METATYPE(mr::wire::Envelope)

class TestApiConnection : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    std::unique_ptr<QLocalServer> server_;

    // A connected pair: the server end and the client's raw socket.
    QLocalSocket* serverSide_ = nullptr;
    QLocalSocket* clientSide_ = nullptr;

    void makePair()
    {
        clientSide_ = new QLocalSocket(this);
        clientSide_->connectToServer(server_->fullServerName());
        QVERIFY(clientSide_->waitForConnected(3000));
        QVERIFY(server_->waitForNewConnection(3000));
        serverSide_ = server_->nextPendingConnection();
        QVERIFY(serverSide_);
    }

    static wire::Envelope hello(const std::string& software)
    {
        wire::Envelope e;
        e.mutable_hello()->set_version(1);
        e.mutable_hello()->set_software(software);
        return e;
    }

    // Reads whatever frames arrive on a raw socket until it closes.
    static std::vector<wire::Envelope> drainUntilClosed(QLocalSocket* s, FrameDecoder& d, int timeoutMs = 5000)
    {
        std::vector<wire::Envelope> out;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            if (s->bytesAvailable() == 0 && s->state() != QLocalSocket::ConnectedState)
                break;
            s->waitForReadyRead(50);
            const QByteArray b = s->readAll();
            d.feed(std::string_view(b.constData(), static_cast<std::size_t>(b.size())));
            while (auto e = d.next())
                out.push_back(*e);
            QCoreApplication::processEvents();
        }
        return out;
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<mr::wire::Envelope>();
        QVERIFY(dir_.isValid());
        server_ = std::make_unique<QLocalServer>();
        QVERIFY(server_->listen(dir_.filePath("conn.sock")));
    }

    void envelopesPassBothWays()
    {
        makePair();
        auto* a = new ApiConnection(serverSide_, this);
        auto* b = new ApiConnection(clientSide_, this);
        QSignalSpy ra(a, &ApiConnection::received);
        QSignalSpy rb(b, &ApiConnection::received);

        QVERIFY(b->send(hello("client")));
        wire::Envelope big;
        big.set_id(99);
        big.mutable_stream_data()->set_stream(4);
        big.mutable_stream_data()->set_data(std::string(300000, 'z'));  // more than one read() chunk
        QVERIFY(b->send(big));
        QVERIFY(b->send(hello("again")));
        QTRY_COMPARE_WITH_TIMEOUT(ra.count(), 3, 5000);
        QCOMPARE(ra[0][0].value<wire::Envelope>().hello().software(), std::string("client"));
        QVERIFY(google::protobuf::util::MessageDifferencer::Equals(ra[1][0].value<wire::Envelope>(), big));
        QCOMPARE(ra[2][0].value<wire::Envelope>().hello().software(), std::string("again"));

        QVERIFY(a->send(hello("server")));
        QTRY_COMPARE_WITH_TIMEOUT(rb.count(), 1, 5000);
        QCOMPARE(rb[0][0].value<wire::Envelope>().hello().software(), std::string("server"));
        QVERIFY(a->isOpen());
        QVERIFY(b->isOpen());

        // An orderly close is seen by the other end with an empty reason.
        QSignalSpy ca(a, &ApiConnection::closed);
        QSignalSpy cb(b, &ApiConnection::closed);
        b->close();
        QTRY_COMPARE_WITH_TIMEOUT(ca.count(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(cb.count(), 1, 5000);
        QVERIFY(ca[0][0].toString().isEmpty());
        QVERIFY(!a->isOpen());
        QVERIFY(!b->isOpen());
        QVERIFY(!b->send(hello("late")));
        delete a;
        delete b;
    }

    // Bytes that arrived before the ApiConnection was made are not lost.
    void bytesBeforeConstruction()
    {
        makePair();
        const std::string f = encodeFrame(hello("early"));
        clientSide_->write(f.data(), static_cast<qint64>(f.size()));
        QVERIFY(clientSide_->waitForBytesWritten(2000));
        QTRY_VERIFY_WITH_TIMEOUT(serverSide_->bytesAvailable() > 0 || serverSide_->waitForReadyRead(10), 3000);
        auto* a = new ApiConnection(serverSide_, this);
        QSignalSpy ra(a, &ApiConnection::received);
        QTRY_COMPARE_WITH_TIMEOUT(ra.count(), 1, 3000);
        QCOMPARE(ra[0][0].value<wire::Envelope>().hello().software(), std::string("early"));
        delete a;
        delete clientSide_;
    }

    void garbageGetsErrorFrameThenClose_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QByteArray>("expect");
        QTest::newRow("text") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n") << QByteArray("exceeds");
        QTest::newRow("100MiB header") << QByteArray("\x06\x40\x00\x00", 4) << QByteArray("exceeds");
        QTest::newRow("undecodable") << QByteArray("\x00\x00\x00\x03\x0f\x01\x02", 7) << QByteArray("undecodable");
        QTest::newRow("no body") << QByteArray("\x00\x00\x00\x02\x08\x05", 6) << QByteArray("body");
    }
    void garbageGetsErrorFrameThenClose()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QByteArray, expect);
        makePair();
        auto* a = new ApiConnection(serverSide_, this);
        QSignalSpy ra(a, &ApiConnection::received);
        QSignalSpy ca(a, &ApiConnection::closed);
        // A good frame first: it is delivered before the failure.
        const std::string good = encodeFrame(hello("ok"));
        clientSide_->write(good.data(), static_cast<qint64>(good.size()));
        clientSide_->write(bytes);
        clientSide_->flush();

        FrameDecoder d;
        const auto frames = drainUntilClosed(clientSide_, d);
        QVERIFY(!d.failed());
        QCOMPARE(frames.size(), std::size_t(1));
        QVERIFY(frames[0].has_fatal());
        QCOMPARE(frames[0].fatal().code(), wire::ERROR_PROTOCOL);
        QVERIFY2(frames[0].fatal().message().find(expect.toStdString()) != std::string::npos,
                 frames[0].fatal().message().c_str());
        QCOMPARE(clientSide_->state(), QLocalSocket::UnconnectedState);

        QTRY_COMPARE_WITH_TIMEOUT(ca.count(), 1, 3000);
        QVERIFY(!ca[0][0].toString().isEmpty());  // says why
        QCOMPARE(ra.count(), 1);
        QVERIFY(!a->isOpen());
        QVERIFY(!a->send(hello("after")));
        delete a;
        delete clientSide_;
    }

    // fail() on a healthy connection: the peer gets the error, then EOF.
    void explicitFail()
    {
        makePair();
        auto* a = new ApiConnection(serverSide_, this);
        auto* b = new ApiConnection(clientSide_, this);
        QSignalSpy rb(b, &ApiConnection::received);
        QSignalSpy cb(b, &ApiConnection::closed);
        a->fail({wire::ERROR_BUSY, "too many connections", {}});
        QVERIFY(!a->send(hello("x")));  // closing: nothing more goes out
        QTRY_COMPARE_WITH_TIMEOUT(cb.count(), 1, 5000);
        QCOMPARE(rb.count(), 1);
        const auto e = rb[0][0].value<wire::Envelope>();
        QVERIFY(e.has_fatal());
        QCOMPARE(e.fatal().code(), wire::ERROR_BUSY);
        QCOMPARE(e.fatal().message(), std::string("too many connections"));
        delete a;
        delete b;
    }

    void slowPeerIsDropped()
    {
        makePair();
        // The client takes nothing: its read buffer is tiny and never emptied,
        // so the kernel buffers fill and the server's output queue grows.
        clientSide_->setReadBufferSize(1024);
        auto* a = new ApiConnection(serverSide_, this);
        a->setMaxPending(1024 * 1024);
        QSignalSpy ca(a, &ApiConnection::closed);
        QPointer<QIODevice> device = a->device();

        wire::Envelope chunk;
        chunk.mutable_stream_data()->set_stream(1);
        chunk.mutable_stream_data()->set_data(std::string(32 * 1024, 'x'));
        qint64 sent = 0;
        bool dropped = false;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 10000) {
            if (!a->send(chunk)) {
                dropped = true;
                break;
            }
            sent += 32 * 1024;
            QVERIFY2(a->pendingBytes() <= 1024 * 1024, "output queue passed the limit");
            QTest::qWait(1);  // lets the socket push to the kernel until that is full
        }
        QVERIFY2(dropped, qPrintable(QStringLiteral("still open after %1 bytes").arg(sent)));
        QVERIFY(sent > 1024 * 1024 / 2);  // not dropped before the limit was near
        QVERIFY(!a->isOpen());
        QTRY_COMPARE_WITH_TIMEOUT(ca.count(), 1, 3000);
        QVERIFY2(ca[0][0].toString().contains("too slow"), qPrintable(ca[0][0].toString()));
        QVERIFY(!a->send(chunk));
        QVERIFY(!device || !device->isOpen());
        // The owner deletes a closed connection (as ApiSession does); the
        // client then sees the end of the stream once it reads again.
        delete a;
        clientSide_->setReadBufferSize(0);
        QElapsedTimer w;
        w.start();
        while (clientSide_->state() != QLocalSocket::UnconnectedState && w.elapsed() < 5000) {
            clientSide_->readAll();
            QTest::qWait(5);
        }
        QCOMPARE(clientSide_->state(), QLocalSocket::UnconnectedState);
        delete clientSide_;
    }

    // A peer that reads keeps the connection open under the same limit.
    void readingPeerIsNotDropped()
    {
        makePair();
        auto* a = new ApiConnection(serverSide_, this);
        auto* b = new ApiConnection(clientSide_, this);
        a->setMaxPending(1024 * 1024);
        QSignalSpy rb(b, &ApiConnection::received);
        wire::Envelope chunk;
        chunk.mutable_stream_data()->set_stream(1);
        chunk.mutable_stream_data()->set_data(std::string(32 * 1024, 'y'));
        int sent = 0;
        for (int i = 0; i < 200; ++i) {
            while (a->congested())
                QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
            QVERIFY(a->send(chunk));
            ++sent;
        }
        QTRY_COMPARE_WITH_TIMEOUT(rb.count(), sent, 10000);
        QVERIFY(a->isOpen());
        delete a;
        delete b;
    }
};

QTEST_GUILESS_MAIN(TestApiConnection)
#include "test_api_connection.moc"
