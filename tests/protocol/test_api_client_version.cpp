// The handshake carries the software version both ways, and a client that
// meets a daemon of another protocol version stops with a message naming
// both, instead of talking past it. (The daemon's side of the check is in
// tests/agent/test_api_server.cpp, unsupportedVersion.)

#include <QLocalServer>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

#include "api_client.h"
#include "frame_codec.h"

using mr::protocol::ApiClient;
using mr::protocol::encodeFrame;
using mr::protocol::FrameDecoder;
using mr::protocol::kProtocolVersion;
namespace wire = mr::wire;

class TestApiClientVersion : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;

    // A fake daemon: accepts one client, reads its Hello, answers with a
    // Hello of the given protocol version.
    struct FakeDaemon {
        QLocalServer server;
        QLocalSocket* peer = nullptr;
        std::optional<wire::Hello> clientHello;
    };

    void serve(FakeDaemon& d, quint32 version)
    {
        connect(&d.server, &QLocalServer::newConnection, this, [&d, version] {
            d.peer = d.server.nextPendingConnection();
            auto decoder = std::make_shared<FrameDecoder>();
            connect(d.peer, &QLocalSocket::readyRead, d.peer, [&d, decoder, version] {
                const QByteArray b = d.peer->readAll();
                decoder->feed(std::string_view(b.constData(), static_cast<std::size_t>(b.size())));
                while (auto e = decoder->next()) {
                    if (!e->has_hello() || d.clientHello)
                        continue;
                    d.clientHello = e->hello();
                    wire::Envelope reply;
                    reply.mutable_hello()->set_version(version);
                    reply.mutable_hello()->set_software("metarouterd 9.9.0");
                    const std::string f = encodeFrame(reply);
                    d.peer->write(f.data(), static_cast<qint64>(f.size()));
                }
            });
        });
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void sameVersionConnects()
    {
        FakeDaemon d;
        serve(d, kProtocolVersion);
        QVERIFY(d.server.listen(dir_.filePath(QStringLiteral("same.sock"))));
        ApiClient client(QStringLiteral("mrcli 1.2.3"));
        QSignalSpy connected(&client, &ApiClient::connected);
        ApiClient::Endpoint ep;
        ep.socketPath = d.server.fullServerName();
        client.connectTo(ep);
        QVERIFY(connected.wait(5000));
        QVERIFY(d.clientHello);
        QCOMPARE(d.clientHello->version(), kProtocolVersion);
        QCOMPARE(d.clientHello->software(), std::string("mrcli 1.2.3"));
        QCOMPARE(client.serverSoftware(), QStringLiteral("metarouterd 9.9.0"));
        QVERIFY(client.isReady());
    }

    void otherVersionIsRefusedClearly()
    {
        FakeDaemon d;
        serve(d, kProtocolVersion + 1);
        QVERIFY(d.server.listen(dir_.filePath(QStringLiteral("other.sock"))));
        ApiClient client(QStringLiteral("mrcli 1.2.3"));
        QSignalSpy connected(&client, &ApiClient::connected);
        QSignalSpy disconnected(&client, &ApiClient::disconnected);
        ApiClient::Endpoint ep;
        ep.socketPath = d.server.fullServerName();
        client.connectTo(ep);
        QVERIFY(disconnected.wait(5000));
        QCOMPARE(connected.count(), 0);
        QVERIFY(!client.isReady());
        const QString reason = disconnected.at(0).at(0).toString();
        QVERIFY2(reason.contains(QStringLiteral("metarouterd 9.9.0")), qPrintable(reason));
        QVERIFY2(reason.contains(QStringLiteral("mrcli 1.2.3")), qPrintable(reason));
        QVERIFY2(reason.contains(QStringLiteral("version %1").arg(kProtocolVersion + 1)), qPrintable(reason));
        QVERIFY2(reason.contains(QStringLiteral("version %1").arg(kProtocolVersion)), qPrintable(reason));
        // The client hangs up: nothing more is sent after its Hello.
        QTRY_VERIFY_WITH_TIMEOUT(d.peer->state() == QLocalSocket::UnconnectedState, 5000);
    }
};

QTEST_GUILESS_MAIN(TestApiClientVersion)
#include "test_api_client_version.moc"
