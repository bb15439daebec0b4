// QmpClient against a scripted QMP server: greeting before commands, replies
// matched by id, events, errors, timeouts and the line-size bound.

#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QTemporaryDir>
#include <QtTest>

#include "qemu_monitor.h"
#include "qmp_client.h"

using namespace mr::hv;

// Speaks just enough QMP: greeting, qmp_capabilities, and canned answers.
class FakeQmp : public QObject {
public:
    explicit FakeQmp(const QString& path)
    {
        QLocalServer::removeServer(path);
        server.listen(path);
        connect(&server, &QLocalServer::newConnection, this, [this] {
            sock = server.nextPendingConnection();
            sock->write(R"({"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}}, "capabilities": []}})"
                        "\n");
            connect(sock, &QLocalSocket::readyRead, this, [this] {
                buf += sock->readAll();
                qsizetype nl;
                while ((nl = buf.indexOf('\n')) >= 0) {
                    const QJsonObject cmd = QJsonDocument::fromJson(buf.left(nl)).object();
                    buf.remove(0, nl + 1);
                    received << cmd.value(QStringLiteral("execute")).toString();
                    handle(cmd);
                }
            });
        });
    }
    void send(const QByteArray& line) { sock->write(line + '\n'); }
    void handle(const QJsonObject& cmd)
    {
        const QString name = cmd.value(QStringLiteral("execute")).toString();
        const QJsonValue id = cmd.value(QStringLiteral("id"));
        QJsonObject reply{{QStringLiteral("id"), id}};
        if (name == QLatin1String("slow"))
            return;  // never answered
        if (name == QLatin1String("qmp_capabilities"))
            reply.insert(QStringLiteral("return"), QJsonObject{});
        else if (name == QLatin1String("query-status"))
            reply.insert(QStringLiteral("return"),
                         QJsonObject{{QStringLiteral("running"), true}, {QStringLiteral("status"), QStringLiteral("running")}});
        else
            reply.insert(QStringLiteral("error"), QJsonObject{{QStringLiteral("class"), QStringLiteral("CommandNotFound")},
                                                              {QStringLiteral("desc"), QStringLiteral("no such command")}});
        send(QJsonDocument(reply).toJson(QJsonDocument::Compact));
    }

    QLocalServer server;
    QLocalSocket* sock = nullptr;
    QByteArray buf;
    QStringList received;
};

class QmpClientTest : public QObject {
    Q_OBJECT

private slots:
    void init()
    {
        path = dir.path() + QStringLiteral("/qmp.sock");
        fake = std::make_unique<FakeQmp>(path);
    }
    void cleanup() { fake.reset(); }

    void greetingThenCommands()
    {
        QmpClient c;
        QSignalSpy ready(&c, &QmpClient::ready);
        // Queued before the connection exists; must go after qmp_capabilities.
        c.connectToServer(path, 2000);
        bool ok = false;
        QemuMonitor m(c);
        m.queryStatus([&](mr::Result<VmStatus> r) { ok = r.ok() && r->running; });
        QVERIFY(ready.wait(3000));
        QTRY_VERIFY(ok);
        QCOMPARE(fake->received.value(0), QStringLiteral("qmp_capabilities"));
        QCOMPARE(c.greeting().value(QStringLiteral("QMP")).toObject().value(QStringLiteral("version")).toObject()
                     .value(QStringLiteral("qemu")).toObject().value(QStringLiteral("major")).toInt(), 7);
    }

    void errorsEventsAndTimeouts()
    {
        QmpClient::Limits limits;
        limits.commandTimeoutMs = 300;
        QmpClient c(limits);
        QSignalSpy ready(&c, &QmpClient::ready);
        c.connectToServer(path, 2000);
        QVERIFY(ready.wait(3000));
        QemuMonitor m(c);
        QSignalSpy deleted(&m, &QemuMonitor::deviceDeleted);
        QSignalSpy shutdown(&m, &QemuMonitor::shutdown);

        QString err;
        c.execute(QStringLiteral("bogus"), {}, [&](mr::Result<QJsonValue> r) {
            if (!r)
                err = QString::fromStdString(r.error().message);
        });
        QTRY_VERIFY(err.contains(QLatin1String("no such command")));

        QString timeout;
        c.execute(QStringLiteral("slow"), {}, [&](mr::Result<QJsonValue> r) {
            if (!r)
                timeout = QString::fromStdString(r.error().message);
        });
        QTRY_VERIFY_WITH_TIMEOUT(timeout.contains(QLatin1String("timed out")), 2000);
        QVERIFY(c.isReady());  // a timeout does not end the connection

        fake->send(R"({"event": "DEVICE_DELETED", "data": {"device": "nic2", "path": "/machine/peripheral/nic2"}, "timestamp": {"seconds": 1, "microseconds": 2}})");
        fake->send(R"({"event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-shutdown"}, "timestamp": {"seconds": 1, "microseconds": 2}})");
        QTRY_COMPARE(deleted.count(), 1);
        QCOMPARE(deleted.at(0).at(0).toString(), QStringLiteral("nic2"));
        QTRY_COMPARE(shutdown.count(), 1);
        QCOMPARE(shutdown.at(0).at(0).toBool(), true);
    }

    void oversizedLineClosesTheConnection()
    {
        QmpClient::Limits limits;
        limits.maxLineBytes = 4096;
        QmpClient c(limits);
        QSignalSpy ready(&c, &QmpClient::ready);
        QSignalSpy closed(&c, &QmpClient::closed);
        c.connectToServer(path, 2000);
        QVERIFY(ready.wait(3000));
        QString pendingErr;
        c.execute(QStringLiteral("slow"), {}, [&](mr::Result<QJsonValue> r) {
            if (!r)
                pendingErr = QString::fromStdString(r.error().message);
        });
        QTRY_VERIFY(fake->received.contains(QStringLiteral("slow")));
        fake->sock->write(QByteArray(10000, 'x'));  // no newline: still too long
        QVERIFY(closed.wait(3000));
        QVERIFY(closed.at(0).at(0).toString().contains(QLatin1String("longer than")));
        QVERIFY(!pendingErr.isEmpty());  // every pending callback ran
        QCOMPARE(c.state(), QmpClient::State::Disconnected);
    }

    void noServerFailsAfterTimeout()
    {
        QmpClient c;
        QSignalSpy closed(&c, &QmpClient::closed);
        c.connectToServer(dir.path() + QStringLiteral("/absent.sock"), 300);
        QVERIFY(closed.wait(3000));
        bool called = false;
        c.execute(QStringLiteral("query-status"), {}, [&](mr::Result<QJsonValue> r) { called = !r.ok(); });
        QVERIFY(called);
    }

private:
    QTemporaryDir dir;
    QString path;
    std::unique_ptr<FakeQmp> fake;
};

QTEST_GUILESS_MAIN(QmpClientTest)
#include "test_qmp_client.moc"
