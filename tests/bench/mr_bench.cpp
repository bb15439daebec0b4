// mr_bench: the issue-2 benchmark. Drives a running metarouterd (started by
// scripts/bench in a sandbox) and prints, each beside a loopback TCP
// baseline measured in the same run and process:
//   1. request round trips per second over TLS and the unix socket,
//   2. adding and printing 10,000 /ip/address objects,
//   3. event latency with 50 subscribers.
// It prints figures; it never fails on speed.

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench_client.h"
#include "echo_client.h"
#include "echo_server.h"
#include "wait_until.h"

using namespace mr;
using namespace mr::bench;

namespace {

struct Config {
    QString stateDir;
    QString host = "127.0.0.1";
    quint16 port = 8729;
    QString user = "admin";
    QString jsonPath;
    int rttCount = 5000;
    double rttSeconds = 8;
    int addresses = 10000;
    int firstAddress = 0;  // index of the first address added (10.100.0.1 is 0)
    int addWindow = 32;
    double addSeconds = 90;
    QString interface = "ether1";
    int prints = 3;
    int subscribers = 50;
    int changes = 200;
    QString eventTransport = "tls";
};

QString readTrimmed(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll()).trimmed();
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return NAN;
    std::sort(v.begin(), v.end());
    const double rank = p / 100.0 * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(rank));
    const auto hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (rank - static_cast<double>(lo));
}

double maxOf(const std::vector<double>& v)
{
    return v.empty() ? NAN : *std::max_element(v.begin(), v.end());
}

QJsonValue num(double v)
{
    return std::isnan(v) ? QJsonValue() : QJsonValue(v);
}

void note(const char* fmt, const QString& s = {})
{
    std::fprintf(stderr, "mr_bench: ");
    std::fprintf(stderr, fmt, qPrintable(s));
    std::fprintf(stderr, "\n");
}

// Measures sequential round trips over an echo connection with these sizes.
struct RttResult {
    int count = 0;
    double seconds = 0;
    std::vector<double> latencyUs;
    double perSecond() const { return seconds > 0 ? count / seconds : NAN; }
};

RttResult echoRoundTrips(quint16 port, int requestBytes, int replyBytes, int count, double maxSeconds)
{
    RttResult r;
    EchoClient c;
    if (!c.open(port))
        return r;
    const QByteArray frame = EchoFrame::make(EchoFrame::Echo, static_cast<std::uint32_t>(replyBytes), 0, requestBytes);
    for (int i = 0; i < 50; ++i) {  // warm-up
        c.send(frame);
        waitUntil([&] { return c.received() == static_cast<std::uint64_t>(i + 1); }, 5000);
    }
    const std::uint64_t base = c.received();
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < count && t.nsecsElapsed() < maxSeconds * 1e9; ++i) {
        const qint64 t0 = t.nsecsElapsed();
        c.send(frame);
        if (!waitUntil([&] { return c.received() == base + i + 1; }, 10000))
            break;
        r.latencyUs.push_back((t.nsecsElapsed() - t0) / 1e3);
        ++r.count;
    }
    r.seconds = t.nsecsElapsed() / 1e9;
    return r;
}

// Sends count frames with at most window outstanding (pipelined adds' baseline).
RttResult echoPipelined(quint16 port, int requestBytes, int replyBytes, int count, int window)
{
    RttResult r;
    EchoClient c;
    if (!c.open(port) || count <= 0)
        return r;
    const QByteArray frame = EchoFrame::make(EchoFrame::Echo, static_cast<std::uint32_t>(replyBytes), 0, requestBytes);
    QElapsedTimer t;
    t.start();
    int sent = 0;
    while (c.received() < static_cast<std::uint64_t>(count)) {
        while (sent < count && sent - static_cast<int>(c.received()) < window) {
            c.send(frame);
            ++sent;
        }
        if (!waitUntil([&] { return c.received() >= static_cast<std::uint64_t>(count) ||
                                    (sent < count && sent - static_cast<int>(c.received()) < window); },
                       10000))
            break;
    }
    r.count = static_cast<int>(c.received());
    r.seconds = t.nsecsElapsed() / 1e9;
    return r;
}

struct Bench {
    Config cfg;
    EchoServer echo;
    quint16 echoPort = 0;
    QString password;
    QString fingerprint;
    QJsonObject json;
    std::vector<std::vector<QString>> table;  // rows: what, metarouter, baseline, ratio

    protocol::ApiClient::Endpoint endpoint(bool tls) const
    {
        protocol::ApiClient::Endpoint e;
        if (tls) {
            e.host = cfg.host;
            e.port = cfg.port;
            e.fingerprint = fingerprint;
            e.pinFile = QDir::temp().filePath("mr_bench-pins");  // never consulted: the fingerprint is given
        } else {
            e.socketPath = cfg.stateDir + "/api.sock";
        }
        return e;
    }

    std::unique_ptr<BenchClient> client(bool tls)
    {
        auto c = std::make_unique<BenchClient>();
        QString error;
        if (!c->open(endpoint(tls), cfg.user, password, &error)) {
            note("cannot open an API connection: %s", error);
            return nullptr;
        }
        return c;
    }

    void row(const QString& what, const QString& mr, const QString& base, const QString& ratio = {})
    {
        table.push_back({what, mr, base, ratio});
    }

    // ------------------------------------------------------------ 1. round trips
    void roundTrips()
    {
        QJsonObject out;
        const wire::Request req = getRequest("/system/identity");
        int requestBytes = 0, replyBytes = 0;
        double tlsRate = NAN, unixRate = NAN;
        for (bool tls : {true, false}) {
            const QString name = tls ? "tls" : "unix";
            auto c = client(tls);
            if (!c) {
                out[name] = QJsonValue();
                continue;
            }
            for (int i = 0; i < 50; ++i)  // warm-up
                c->call(req);
            RttResult r;
            QElapsedTimer t;
            t.start();
            for (int i = 0; i < cfg.rttCount && t.nsecsElapsed() < cfg.rttSeconds * 1e9; ++i) {
                const qint64 t0 = t.nsecsElapsed();
                auto reply = c->call(req, 10000);
                if (!reply || !replyError(*reply).empty()) {
                    note("get /system/identity failed: %s",
                         reply ? QString::fromStdString(replyError(*reply)) : QString("timed out"));
                    break;
                }
                r.latencyUs.push_back((t.nsecsElapsed() - t0) / 1e3);
                ++r.count;
                if (i == 0) {
                    requestBytes = requestFrameBytes(req);
                    replyBytes = replyFrameBytes(*reply);
                }
            }
            r.seconds = t.nsecsElapsed() / 1e9;
            out[name] = QJsonObject{{"requests", r.count},
                                    {"seconds", r.seconds},
                                    {"per_second", num(r.perSecond())},
                                    {"median_us", num(percentile(r.latencyUs, 50))},
                                    {"p99_us", num(percentile(r.latencyUs, 99))}};
            std::fprintf(stderr, "mr_bench: %s: %d round trips in %.2f s\n", qPrintable(name), r.count, r.seconds);
            (tls ? tlsRate : unixRate) = r.perSecond();
        }
        const RttResult e = echoRoundTrips(echoPort, requestBytes, replyBytes, cfg.rttCount, cfg.rttSeconds);
        out["tcp_echo"] = QJsonObject{{"requests", e.count},
                                      {"seconds", e.seconds},
                                      {"per_second", num(e.perSecond())},
                                      {"median_us", num(percentile(e.latencyUs, 50))},
                                      {"p99_us", num(percentile(e.latencyUs, 99))}};
        out["request_bytes"] = requestBytes;
        out["reply_bytes"] = replyBytes;
        json["round_trips"] = out;
        auto rate = [](double v) { return std::isnan(v) ? QString("n/a") : QString::number(v, 'f', 0) + " /s"; };
        auto ratio = [](double a, double b) {
            return std::isnan(a) || std::isnan(b) || a <= 0 ? QString() : QString::number(b / a, 'f', 1) + "x";
        };
        row(QString("get /system/identity round trips, TLS (%1 B / %2 B)").arg(requestBytes).arg(replyBytes),
            rate(tlsRate), rate(e.perSecond()), ratio(tlsRate, e.perSecond()));
        row("get /system/identity round trips, unix socket", rate(unixRate), rate(e.perSecond()),
            ratio(unixRate, e.perSecond()));
    }

    // ------------------------------------------------------------ 3. events
    void events()
    {
        QJsonObject out;
        const bool tls = cfg.eventTransport == "tls";
        std::vector<std::unique_ptr<BenchClient>> subs;
        QElapsedTimer clock;
        clock.start();
        const int n = cfg.subscribers, k = cfg.changes;
        // arrival[change][subscriber], ns on clock; -1 until it arrives.
        std::vector<std::vector<qint64>> arrival(static_cast<std::size_t>(k),
                                                 std::vector<qint64>(static_cast<std::size_t>(n), -1));
        std::vector<int> arrived(static_cast<std::size_t>(k), 0);
        QElapsedTimer setup;
        setup.start();
        for (int s = 0; s < n; ++s) {
            auto c = client(tls);
            if (!c)
                return;
            wire::Request sub;
            sub.mutable_subscribe()->set_menu("/system/identity");
            auto r = c->call(sub, 30000);
            if (!r || !replyError(*r).empty()) {
                note("subscribe failed: %s", r ? QString::fromStdString(replyError(*r)) : QString("timed out"));
                return;
            }
            QObject::connect(&c->api(), &protocol::ApiClient::event, c.get(), [&, s](const wire::Event& ev) {
                const qint64 now = clock.nsecsElapsed();
                for (const auto& ch : ev.changes()) {
                    auto it = ch.object().properties().find("name");
                    if (it == ch.object().properties().end() || it->second.rfind("bench-", 0) != 0)
                        continue;
                    const int i = std::atoi(it->second.c_str() + 6);
                    if (i < 0 || i >= k || arrival[i][s] >= 0)
                        continue;
                    arrival[i][s] = now;
                    ++arrived[i];
                }
            });
            subs.push_back(std::move(c));
        }
        const double setupSeconds = setup.nsecsElapsed() / 1e9;
        auto setter = client(tls);
        if (!setter)
            return;
        auto ident = setter->call(getRequest("/system/identity"));
        if (!ident || ident->objects_size() != 1) {
            note("cannot read /system/identity");
            return;
        }
        const std::string id = ident->objects(0).id();
        const std::string oldName = ident->objects(0).properties().at("name");
        std::vector<double> all, lastPerChange, firstPerChange, replyUs;
        int requestBytes = 0, eventBytes = 0, complete = 0;
        for (int i = 0; i < k; ++i) {
            wire::Request req;
            req.mutable_set()->set_menu("/system/identity");
            req.mutable_set()->set_id(id);
            (*req.mutable_set()->mutable_properties())["name"] = "bench-" + std::to_string(i);
            if (i == 0) {
                requestBytes = requestFrameBytes(req);
                wire::Event ev;
                ev.set_subscription(1);
                ev.set_revision(1000);
                auto* ch = ev.add_changes();
                ch->set_kind(wire::Change::CHANGED);
                ch->mutable_object()->set_id(id);
                (*ch->mutable_object()->mutable_properties())["name"] = "bench-" + std::to_string(i);
                eventBytes = eventFrameBytes(ev);
            }
            qint64 replied = -1;
            const qint64 t0 = clock.nsecsElapsed();
            setter->api().request(req, [&](const wire::Reply&) { replied = clock.nsecsElapsed(); });
            if (!waitUntil([&] { return replied >= 0 && arrived[i] == n; }, 10000)) {
                note("change %s: not every subscriber got its event within 10 s", QString::number(i));
                waitUntil([&] { return replied >= 0; }, 10000);
                continue;
            }
            ++complete;
            replyUs.push_back((replied - t0) / 1e3);
            double first = INFINITY, last = 0;
            for (int s = 0; s < n; ++s) {
                const double us = (arrival[i][s] - t0) / 1e3;
                all.push_back(us);
                first = std::min(first, us);
                last = std::max(last, us);
            }
            firstPerChange.push_back(first);
            lastPerChange.push_back(last);
        }
        {  // put the name back
            wire::Request req;
            req.mutable_set()->set_menu("/system/identity");
            req.mutable_set()->set_id(id);
            (*req.mutable_set()->mutable_properties())["name"] = oldName;
            setter->call(req);
        }
        subs.clear();

        // Baseline: the same fan-out through the echo server.
        std::vector<std::unique_ptr<EchoClient>> receivers;
        std::vector<std::vector<qint64>> bArrival(static_cast<std::size_t>(k),
                                                  std::vector<qint64>(static_cast<std::size_t>(n), -1));
        std::vector<int> bArrived(static_cast<std::size_t>(k), 0);
        bool baselineOk = true;
        for (int s = 0; s < n && baselineOk; ++s) {
            auto c = std::make_unique<EchoClient>();
            baselineOk = c->open(echoPort);
            if (!baselineOk)
                break;
            c->send(EchoFrame::make(EchoFrame::Register, 8, 0xffffffffu, requestBytes));
            baselineOk = waitUntil([&] { return c->received() == 1; }, 5000);
            c->onFrame = [&, s](std::uint32_t seq) {
                if (seq < static_cast<std::uint32_t>(k) && bArrival[seq][s] < 0) {
                    bArrival[seq][s] = clock.nsecsElapsed();
                    ++bArrived[seq];
                }
            };
            receivers.push_back(std::move(c));
        }
        std::vector<double> bAll, bLast;
        EchoClient sender;
        baselineOk = baselineOk && sender.open(echoPort);
        for (int i = 0; i < k && baselineOk; ++i) {
            const qint64 t0 = clock.nsecsElapsed();
            sender.send(EchoFrame::make(EchoFrame::FanOut, static_cast<std::uint32_t>(eventBytes),
                                        static_cast<std::uint32_t>(i), requestBytes));
            if (!waitUntil([&] { return bArrived[i] == n; }, 10000))
                break;
            double last = 0;
            for (int s = 0; s < n; ++s) {
                const double us = (bArrival[i][s] - t0) / 1e3;
                bAll.push_back(us);
                last = std::max(last, us);
            }
            bLast.push_back(last);
        }

        auto stats = [](const std::vector<double>& v) {
            return QJsonObject{{"median_us", num(percentile(v, 50))},
                               {"p99_us", num(percentile(v, 99))},
                               {"max_us", num(maxOf(v))}};
        };
        out["transport"] = cfg.eventTransport;
        out["subscribers"] = n;
        out["changes"] = k;
        out["changes_complete"] = complete;
        out["setup_seconds"] = setupSeconds;
        out["request_bytes"] = requestBytes;
        out["event_bytes"] = eventBytes;
        out["latency"] = stats(all);
        out["latency_last_subscriber"] = stats(lastPerChange);
        out["latency_first_subscriber"] = stats(firstPerChange);
        out["set_reply"] = stats(replyUs);
        out["tcp_fanout"] = QJsonObject{{"latency", stats(bAll)}, {"latency_last_subscriber", stats(bLast)},
                                        {"changes", static_cast<int>(bLast.size())}};
        json["events"] = out;

        auto ms = [](double us) { return std::isnan(us) ? QString("n/a") : QString::number(us / 1000.0, 'f', 2) + " ms"; };
        auto medianRatio = [](const std::vector<double>& a, const std::vector<double>& b) {
            const double x = percentile(a, 50), y = percentile(b, 50);
            return std::isnan(x) || std::isnan(y) || y <= 0 ? QString() : QString::number(x / y, 'f', 1) + "x";
        };
        auto trio = [&](const std::vector<double>& v) {
            return ms(percentile(v, 50)) + " / " + ms(percentile(v, 99)) + " / " + ms(maxOf(v));
        };
        row(QString("event latency, %1 subscribers (%2), %3 changes: median / p99 / max")
                .arg(n)
                .arg(cfg.eventTransport)
                .arg(complete),
            trio(all), trio(bAll), medianRatio(all, bAll));
        row(QString("  ... until the last of the %1 has it: median / p99 / max").arg(n), trio(lastPerChange),
            trio(bLast), medianRatio(lastPerChange, bLast));
        row("  ... set request's own reply: median / p99 / max", trio(replyUs), "");
    }

    // ------------------------------------------------------------ 2. addresses
    void addresses()
    {
        QJsonObject out;
        auto c = client(false);
        if (!c)
            return;
        const int total = cfg.addresses;
        auto addReq = [&](int i) {
            i += cfg.firstAddress;
            wire::Request r;
            auto* add = r.mutable_add();
            add->set_menu("/ip/address");
            (*add->mutable_properties())["address"] = "10." + std::to_string(100 + i / 62500) + "." +
                                                     std::to_string(i / 250 % 250) + "." +
                                                     std::to_string(i % 250 + 1) + "/32";
            (*add->mutable_properties())["interface"] = cfg.interface.toStdString();
            return r;
        };
        int sent = 0, done = 0, failed = 0;
        std::string firstError;
        QElapsedTimer t;
        t.start();
        std::vector<double> checkpoints;  // seconds at each 1000 adds
        const int addReplyBytes = [&] {
            wire::Reply r;
            r.set_id("*2710");
            return replyFrameBytes(r);
        }();
        while (done < total) {
            while (sent < total && sent - done < cfg.addWindow && t.nsecsElapsed() < cfg.addSeconds * 1e9) {
                c->api().request(addReq(sent), [&](const wire::Reply& r) {
                    ++done;
                    if (!replyError(r).empty()) {
                        if (failed++ == 0)
                            firstError = replyError(r);
                    }
                    if (done % 1000 == 0)
                        checkpoints.push_back(t.nsecsElapsed() / 1e9);
                });
                ++sent;
            }
            if (done == sent && (sent == total || t.nsecsElapsed() >= cfg.addSeconds * 1e9))
                break;
            const int target = done + 1;
            if (!waitUntil([&] { return done >= target; }, 60000)) {
                note("add: no reply for 60 s");
                break;
            }
        }
        const double addSeconds = t.nsecsElapsed() / 1e9;
        const int added = done - failed;
        if (failed)
            note("add: %s", QString("%1 failed, first: %2").arg(failed).arg(QString::fromStdString(firstError)));
        std::fprintf(stderr, "mr_bench: added %d addresses in %.2f s\n", added, addSeconds);
        QJsonArray cp;
        for (double s : checkpoints)
            cp.append(s);

        // How long the daemon stays busy afterwards (kernel events, status).
        QElapsedTimer settle;
        settle.start();
        c->call(getRequest("/system/identity"), 120000);
        const double firstRttAfter = settle.nsecsElapsed() / 1e9;

        const RttResult addBase = echoPipelined(echoPort, requestFrameBytes(addReq(0)), addReplyBytes,
                                                std::max(added, 1), cfg.addWindow);

        // print through the command line, and the raw get.
        auto timed = [&](const wire::Request& req, int* replyBytes, std::string* output, int* objects) {
            std::vector<double> secs;
            for (int i = 0; i < cfg.prints; ++i) {
                QElapsedTimer pt;
                pt.start();
                auto r = c->call(req, 120000);
                if (!r || !replyError(*r).empty()) {
                    note("print/get failed: %s", r ? QString::fromStdString(replyError(*r)) : QString("timed out"));
                    break;
                }
                secs.push_back(pt.nsecsElapsed() / 1e9);
                *replyBytes = replyFrameBytes(*r);
                if (output)
                    *output = r->output();
                if (objects)
                    *objects = r->objects_size();
            }
            return secs;
        };
        const wire::Request printReq = cliRequest("/ip address print");
        const wire::Request getReq = getRequest("/ip/address");
        int printBytes = 0, getBytes = 0, objects = 0;
        std::string printOut;
        const auto printSecs = timed(printReq, &printBytes, &printOut, nullptr);
        const auto getSecs = timed(getReq, &getBytes, nullptr, &objects);
        const int printLines = static_cast<int>(std::count(printOut.begin(), printOut.end(), '\n'));

        auto echoTimes = [&](int reqBytes, int repBytes) {
            std::vector<double> secs;
            EchoClient e;
            if (!e.open(echoPort))
                return secs;
            const QByteArray frame = EchoFrame::make(EchoFrame::Echo, static_cast<std::uint32_t>(repBytes), 0, reqBytes);
            for (int i = 0; i < cfg.prints; ++i) {
                QElapsedTimer et;
                et.start();
                e.send(frame);
                if (!waitUntil([&] { return e.received() == static_cast<std::uint64_t>(i + 1); }, 30000))
                    break;
                secs.push_back(et.nsecsElapsed() / 1e9);
            }
            return secs;
        };
        const auto printBase = echoTimes(requestFrameBytes(printReq), printBytes);
        const auto getBase = echoTimes(requestFrameBytes(getReq), getBytes);

        auto times = [](const std::vector<double>& v) {
            QJsonArray a;
            for (double s : v)
                a.append(s);
            return QJsonObject{{"median_seconds", num(percentile(v, 50))}, {"runs", a}};
        };
        out["requested"] = total;
        out["added"] = added;
        out["failed"] = failed;
        out["add_seconds"] = addSeconds;
        out["add_per_second"] = num(addSeconds > 0 ? added / addSeconds : NAN);
        out["add_window"] = cfg.addWindow;
        out["add_seconds_per_1000"] = cp;
        out["first_round_trip_after_adds_seconds"] = firstRttAfter;
        out["add_tcp_echo_per_second"] = num(addBase.perSecond());
        out["print"] = times(printSecs);
        out["print_reply_bytes"] = printBytes;
        out["print_lines"] = printLines;
        out["print_tcp_echo"] = times(printBase);
        out["get"] = times(getSecs);
        out["get_objects"] = objects;
        out["get_reply_bytes"] = getBytes;
        out["get_tcp_echo"] = times(getBase);
        json["addresses"] = out;

        auto rate = [](double v) { return std::isnan(v) ? QString("n/a") : QString::number(v, 'f', 0) + " /s"; };
        auto secs = [](double v) {
            if (std::isnan(v))
                return QString("n/a");
            if (v < 0.001)
                return QString::number(v * 1e6, 'f', 0) + " us";
            return v < 1 ? QString::number(v * 1000, 'f', 1) + " ms" : QString::number(v, 'f', 2) + " s";
        };
        auto ratio = [](double mr, double base) {
            return std::isnan(mr) || std::isnan(base) || base <= 0 ? QString() : QString::number(mr / base, 'f', 0) + "x";
        };
        const double addRate = addSeconds > 0 ? added / addSeconds : NAN;
        row(QString("add %1 /ip/address (API, %2 in flight)").arg(added).arg(cfg.addWindow),
            rate(addRate) + " (" + secs(addSeconds) + ")", rate(addBase.perSecond()),
            ratio(addBase.perSecond(), addRate));
        row("  first round trip after the adds", secs(firstRttAfter), "");
        const double p = percentile(printSecs, 50), pb = percentile(printBase, 50);
        const double g = percentile(getSecs, 50), gb = percentile(getBase, 50);
        row(QString("cli \"/ip address print\", %1 lines, %2 kB").arg(printLines).arg(printBytes / 1024), secs(p),
            secs(pb), ratio(p, pb));
        row(QString("API get /ip/address, %1 objects, %2 kB").arg(objects).arg(getBytes / 1024), secs(g), secs(gb),
            ratio(g, gb));
    }

    void printTable() const
    {
        const std::vector<QString> head{"measurement", "metarouterd", "TCP echo baseline", "time ratio"};
        std::vector<int> w(4, 0);
        for (int i = 0; i < 4; ++i)
            w[i] = head[i].size();
        for (const auto& r : table)
            for (int i = 0; i < 4; ++i)
                w[i] = std::max(w[i], static_cast<int>(r[i].size()));
        auto line = [&](const std::vector<QString>& r) {
            std::printf("%-*s  %*s  %*s  %*s\n", w[0], qPrintable(r[0]), w[1], qPrintable(r[1]), w[2],
                        qPrintable(r[2]), w[3], qPrintable(r[3]));
        };
        std::printf("\n");
        line(head);
        line({QString(w[0], '-'), QString(w[1], '-'), QString(w[2], '-'), QString(w[3], '-')});
        for (const auto& r : table)
            line(r);
        std::printf("\n");
        std::fflush(stdout);
    }
};

}  // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("mr_bench");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "The issue-2 benchmark: drives a running metarouterd and prints figures beside a loopback TCP baseline.\n"
        "Run it where the daemon's TLS listener is reachable (inside its sandbox namespace).");
    parser.addHelpOption();
    const QCommandLineOption stateDir("state-dir", "The daemon's state directory (api.sock, admin-password, "
                                                   "fingerprint).", "DIR");
    const QCommandLineOption listen("listen", "The daemon's TLS listener (default 127.0.0.1:8729).", "ADDR:PORT");
    const QCommandLineOption json("json", "Also write the figures as JSON to FILE.", "FILE");
    const QCommandLineOption rtt("rtt", "Round trips per transport (default 5000; at most 8 s each).", "N");
    const QCommandLineOption addrs("addresses", "/ip/address objects to add (default 10000).", "N");
    const QCommandLineOption firstAddr("first-address", "Index of the first address to add (default 0: "
                                                        "10.100.0.1/32), to add more to a running daemon.", "N");
    const QCommandLineOption addSecs("add-seconds", "Stop adding after this many seconds (default 90).", "S");
    const QCommandLineOption subs("subscribers", "Subscriber connections (default 50).", "N");
    const QCommandLineOption changes("changes", "Identity changes to time (default 200).", "K");
    const QCommandLineOption evTransport("event-transport", "tls or unix (default tls).", "T");
    const QCommandLineOption only("only", "Run only these parts, comma-separated: rtt,events,addresses.", "LIST");
    parser.addOptions({stateDir, listen, json, rtt, addrs, firstAddr, addSecs, subs, changes, evTransport, only});
    parser.process(app);

    Bench b;
    b.cfg.stateDir = parser.value(stateDir);
    if (b.cfg.stateDir.isEmpty()) {
        std::fprintf(stderr, "mr_bench: --state-dir is required\n");
        return 2;
    }
    if (parser.isSet(listen)) {
        const QString v = parser.value(listen);
        const int colon = v.lastIndexOf(':');
        b.cfg.host = v.left(colon);
        b.cfg.port = static_cast<quint16>(v.mid(colon + 1).toUInt());
    }
    b.cfg.jsonPath = parser.value(json);
    if (parser.isSet(rtt))
        b.cfg.rttCount = parser.value(rtt).toInt();
    if (parser.isSet(addrs))
        b.cfg.addresses = parser.value(addrs).toInt();
    if (parser.isSet(firstAddr))
        b.cfg.firstAddress = parser.value(firstAddr).toInt();
    if (parser.isSet(addSecs))
        b.cfg.addSeconds = parser.value(addSecs).toDouble();
    if (parser.isSet(subs))
        b.cfg.subscribers = parser.value(subs).toInt();
    if (parser.isSet(changes))
        b.cfg.changes = parser.value(changes).toInt();
    if (parser.isSet(evTransport))
        b.cfg.eventTransport = parser.value(evTransport);
    const QStringList parts =
        parser.isSet(only) ? parser.value(only).split(',') : QStringList{"rtt", "events", "addresses"};

    b.password = qEnvironmentVariable("MR_PASSWORD", readTrimmed(b.cfg.stateDir + "/admin-password"));
    b.fingerprint = readTrimmed(b.cfg.stateDir + "/fingerprint");
    b.echoPort = b.echo.start();
    if (!b.echoPort) {
        std::fprintf(stderr, "mr_bench: cannot listen on 127.0.0.1 for the TCP baseline\n");
        return 1;
    }

    QElapsedTimer total;
    total.start();
    // Events before addresses: 10,000 addresses keep the daemon busier.
    if (parts.contains("rtt"))
        b.roundTrips();
    if (parts.contains("events"))
        b.events();
    if (parts.contains("addresses"))
        b.addresses();

    QJsonObject meta{{"state_dir", b.cfg.stateDir},
                     {"listen", b.cfg.host + ":" + QString::number(b.cfg.port)},
                     {"seconds", total.nsecsElapsed() / 1e9},
                     {"cpus", QThread::idealThreadCount()}};
    b.json["run"] = meta;
    b.printTable();
    if (!b.cfg.jsonPath.isEmpty()) {
        QDir().mkpath(QFileInfo(b.cfg.jsonPath).absolutePath());
        QFile f(b.cfg.jsonPath);
        if (f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            f.write(QJsonDocument(b.json).toJson());
            std::printf("figures written to %s\n", qPrintable(b.cfg.jsonPath));
        } else {
            std::fprintf(stderr, "mr_bench: cannot write %s\n", qPrintable(b.cfg.jsonPath));
        }
    }
    return 0;
}
