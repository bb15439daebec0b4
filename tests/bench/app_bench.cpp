// app_bench: the metabox benchmark (issue 5). Runs the app's windows
// (mr_metabox, offscreen platform) against a running metarouterd (started by
// scripts/bench-app) over its unix socket and prints:
//   1. the time from process start to the login window shown (painted),
//   2. RSS after login (main window shown),
//   3. the time to show a 10,000-row table: N /ip/address objects are added
//      first through the API (pipelined, as mr_bench does), then IP ▸
//      Addresses is opened and timed until the model has all rows and the
//      view has painted, then scrolled to the bottom (and through, page by page).
// Figures only; it never fails on speed.

#include <QAbstractItemView>
#include <QApplication>
#include <QCommandLineParser>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QScrollBar>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include <unistd.h>

#include "bench_client.h"
#include "menu_table_view.h"
#include "metabox_app.h"
#include "wait_until.h"

using namespace mr;
using namespace mr::bench;

namespace {

qint64 realtimeNs()
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// How long this process has existed, from /proc/self/stat (clock-tick resolution).
double processAgeMs()
{
    QFile f(QStringLiteral("/proc/self/stat"));
    if (!f.open(QIODevice::ReadOnly))
        return NAN;
    const QByteArray s = f.readAll();
    // Fields after the ")" that ends the command name; starttime is field 22.
    const QList<QByteArray> fields = s.mid(s.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 20)
        return NAN;
    const double startTicks = fields[19].toDouble();
    timespec boot{};
    clock_gettime(CLOCK_BOOTTIME, &boot);
    const double nowMs = double(boot.tv_sec) * 1e3 + double(boot.tv_nsec) / 1e6;
    return nowMs - startTicks * 1e3 / double(sysconf(_SC_CLK_TCK));
}

double rssMiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return NAN;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    return NAN;
}

double median(std::vector<double> v)
{
    if (v.empty())
        return NAN;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

QJsonValue num(double v)
{
    return std::isnan(v) ? QJsonValue() : QJsonValue(std::round(v * 1000) / 1000);
}

// Counts the paint events a widget receives.
class PaintCounter final : public QObject {
public:
    explicit PaintCounter(QObject* watched) { watched->installEventFilter(this); }
    int count = 0;

protected:
    bool eventFilter(QObject*, QEvent* e) override
    {
        if (e->type() == QEvent::Paint)
            ++count;
        return false;
    }
};

// Waits until w has painted once more (the paint has finished when the event
// loop returns to us).
bool waitForPaint(PaintCounter& p, int timeoutMs = 30000)
{
    const int before = p.count;
    return waitUntil([&] { return p.count > before; }, timeoutMs);
}

}  // namespace

int main(int argc, char** argv)
{
    const double ageAtMainMs = processAgeMs();
    QElapsedTimer sinceMain;
    sinceMain.start();
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");

    QApplication app(argc, argv);
    QTemporaryDir settingsDir;  // the bench leaves the user's settings alone
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());
    QApplication::setOrganizationName(QStringLiteral("MetaRouterBench"));
    QApplication::setApplicationName(QStringLiteral("metabox"));

    // ---------------------------------------------------------------- 1. start
    ui::MetaboxApp metabox;
    PaintCounter loginPaints(metabox.loginWindow());
    metabox.show();
    const bool loginShown = waitUntil([&] { return loginPaints.count > 0; }, 30000);
    const double mainToLoginMs = sinceMain.nsecsElapsed() / 1e6;
    const qint64 loginShownNs = realtimeNs();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("metabox benchmark (run by scripts/bench-app)"));
    parser.addHelpOption();
    QCommandLineOption stateDir("state-dir", "The daemon's state directory (api.sock, admin-password).", "dir");
    QCommandLineOption json("json", "Write the figures to this file.", "file");
    QCommandLineOption addrs("addresses", "Rows of the big table (default 10000).", "n", "10000");
    QCommandLineOption startNs("start-ns", "Wall clock (ns since the epoch) just before the process was started.",
                               "ns");
    QCommandLineOption runs("runs", "How often the big table is opened (default 3).", "n", "3");
    parser.addOptions({stateDir, json, addrs, startNs, runs});
    parser.process(app);
    if (!parser.isSet(stateDir)) {
        std::fprintf(stderr, "app_bench: --state-dir is required\n");
        return 2;
    }
    if (!loginShown) {
        std::fprintf(stderr, "app_bench: the login window was never painted\n");
        return 1;
    }
    const QString state = parser.value(stateDir);
    const int total = parser.value(addrs).toInt();
    // Process start: the launcher's clock if given (sub-millisecond), else /proc.
    double startToLoginMs = ageAtMainMs + mainToLoginMs;
    QString startClock = QStringLiteral("/proc/self/stat starttime (%1 ms ticks)").arg(1000 / sysconf(_SC_CLK_TCK));
    if (parser.isSet(startNs)) {
        startToLoginMs = double(loginShownNs - parser.value(startNs).toLongLong()) / 1e6;
        startClock = QStringLiteral("launcher's wall clock (--start-ns)");
    }
    const double rssLogin = rssMiB();

    QFile pw(state + "/admin-password");
    const QString password =
        qEnvironmentVariable("MR_PASSWORD", pw.open(QIODevice::ReadOnly) ? QString::fromUtf8(pw.readAll()).trimmed()
                                                                         : QString());

    // ---------------------------------------------------------------- 2. login
    ui::LoginWindow* lw = metabox.loginWindow();
    lw->address()->setEditText(state + "/api.sock");
    lw->user()->setText(QStringLiteral("admin"));
    lw->password()->setText(password);
    QElapsedTimer loginTimer;
    loginTimer.start();
    lw->connectToRouter();
    if (!waitUntil([&] { return metabox.mainWindow() != nullptr; }, 30000)) {
        std::fprintf(stderr, "app_bench: login failed: %s\n", qPrintable(lw->message()));
        return 1;
    }
    ui::MainWindow* mw = metabox.mainWindow();
    {
        PaintCounter mainPaints(mw);
        waitUntil([&] { return mainPaints.count > 0; }, 30000);
    }
    const double loginMs = loginTimer.nsecsElapsed() / 1e6;
    sleepInLoop(200);
    const double rssAfterLogin = rssMiB();

    // ------------------------------------------------- 3. add the rows (API)
    BenchClient api;
    protocol::ApiClient::Endpoint ep;
    ep.socketPath = state + "/api.sock";
    QString error;
    if (!api.open(ep, QStringLiteral("admin"), password, &error)) {
        std::fprintf(stderr, "app_bench: API: %s\n", qPrintable(error));
        return 1;
    }
    auto countRows = [&] {
        auto r = api.call(getRequest("/ip/address"), 120000);
        return r ? r->objects_size() : -1;
    };
    const int existing = countRows();
    int sent = 0, done = 0, failed = 0;
    std::string firstError;
    auto addReq = [&](int i) {
        i += existing;
        wire::Request r;
        auto* add = r.mutable_add();
        add->set_menu("/ip/address");
        (*add->mutable_properties())["address"] = "10." + std::to_string(100 + i / 62500) + "." +
                                                 std::to_string(i / 250 % 250) + "." + std::to_string(i % 250 + 1) +
                                                 "/32";
        (*add->mutable_properties())["interface"] = "ether1";
        return r;
    };
    const int window = 32;
    QElapsedTimer addTimer;
    addTimer.start();
    const int toAdd = std::max(0, total - std::max(existing, 0));
    while (done < toAdd) {
        while (sent < toAdd && sent - done < window) {
            api.api().request(addReq(sent), [&](const wire::Reply& r) {
                ++done;
                if (!replyError(r).empty() && failed++ == 0)
                    firstError = replyError(r);
            });
            ++sent;
        }
        const int target = done + 1;
        if (!waitUntil([&] { return done >= target; }, 60000)) {
            std::fprintf(stderr, "app_bench: add: no reply for 60 s\n");
            break;
        }
    }
    const double addSeconds = addTimer.nsecsElapsed() / 1e9;
    if (failed)
        std::fprintf(stderr, "app_bench: %d adds failed, first: %s\n", failed, firstError.c_str());
    api.call(getRequest("/system/identity"), 120000);  // the daemon has settled
    const int rows = countRows();
    std::fprintf(stderr, "app_bench: %d /ip/address objects (%d added in %.2f s)\n", rows, done - failed, addSeconds);

    // ------------------------------------------- 4. open, paint, scroll the table
    std::vector<double> openMs, scrollMs, pageMedianMs, pageMaxMs;
    double rssTable = NAN;
    const int nRuns = std::max(1, parser.value(runs).toInt());
    for (int run = 0; run < nRuns; ++run) {
        QElapsedTimer t;
        t.start();
        ui::MenuTableView* view = mw->openMenu(QStringLiteral("/ip/address"));
        if (!view) {
            std::fprintf(stderr, "app_bench: no /ip/address menu\n");
            return 1;
        }
        PaintCounter paints(view->table()->viewport());
        // The paint count when the rows arrived (recorded then: the paint may
        // follow within the same pass of the event loop).
        int paintedAtRows = -1;
        auto check = [&] {
            if (paintedAtRows < 0 && view->model()->rowCount() >= rows)
                paintedAtRows = paints.count;
        };
        QObject::connect(view->model(), &QAbstractItemModel::modelReset, &paints, check);
        QObject::connect(view->model(), &QAbstractItemModel::rowsInserted, &paints, check);
        check();
        if (!waitUntil([&] { return paintedAtRows >= 0; }, 120000)) {
            std::fprintf(stderr, "app_bench: the table has %d of %d rows after 120 s\n", view->model()->rowCount(),
                         rows);
            return 1;
        }
        waitUntil([&] { return paints.count > paintedAtRows; }, 30000);
        openMs.push_back(t.nsecsElapsed() / 1e6);

        QTableView* table = view->table();
        t.restart();
        table->scrollToBottom();
        waitForPaint(paints, 5000);
        scrollMs.push_back(t.nsecsElapsed() / 1e6);

        // Page by page from the top: each step until painted.
        QScrollBar* bar = table->verticalScrollBar();
        bar->setValue(0);
        waitForPaint(paints, 5000);
        std::vector<double> steps;
        const int pages = 100;
        for (int i = 1; i <= pages; ++i) {
            const int value = int(qint64(bar->maximum()) * i / pages);
            if (value == bar->value())
                continue;
            t.restart();
            bar->setValue(value);
            waitForPaint(paints, 5000);
            steps.push_back(t.nsecsElapsed() / 1e6);
        }
        pageMedianMs.push_back(median(steps));
        pageMaxMs.push_back(steps.empty() ? NAN : *std::max_element(steps.begin(), steps.end()));
        if (run == 0)
            rssTable = rssMiB();

        const int index = mw->tabs()->indexOf(view);
        emit mw->tabs()->tabCloseRequested(index);
        waitUntil([&] { return mw->tabs()->indexOf(view) < 0; }, 5000);
        sleepInLoop(300);
    }

    // ---------------------------------------------------------------- report
    auto fmt = [](double v) { return std::isnan(v) ? QStringLiteral("-") : QString::number(v, 'f', 1); };
    std::printf("metabox (Qt %s, %s platform), %d CPUs, load %s\n", qVersion(), qPrintable(QApplication::platformName()),
                QThread::idealThreadCount(),
                [] {
                    QFile f("/proc/loadavg");
                    return f.open(QIODevice::ReadOnly) ? f.readAll().split(' ').mid(0, 3).join(' ').toStdString()
                                                       : std::string("?");
                }()
                    .c_str());
    std::printf("  %-58s %10s\n", "what", "figure");
    std::printf("  %-58s %7s ms\n", "process start -> login window shown", qPrintable(fmt(startToLoginMs)));
    std::printf("  %-58s %7s ms\n", "  of which main() -> login window shown", qPrintable(fmt(mainToLoginMs)));
    std::printf("  %-58s %7s MiB\n", "RSS at the login window", qPrintable(fmt(rssLogin)));
    std::printf("  %-58s %7s ms\n", "Connect -> main window shown (unix socket)", qPrintable(fmt(loginMs)));
    std::printf("  %-58s %7s MiB\n", "RSS after login", qPrintable(fmt(rssAfterLogin)));
    const QString tableWhat = QStringLiteral("open IP > Addresses, %1 rows, until painted").arg(rows);
    std::printf("  %-58s %7s ms (median of %d, first %s)\n", qPrintable(tableWhat), qPrintable(fmt(median(openMs))),
                nRuns, qPrintable(fmt(openMs.front())));
    std::printf("  %-58s %7s ms (median)\n", "scroll to the bottom until painted", qPrintable(fmt(median(scrollMs))));
    std::printf("  %-58s %7s ms (max %s)\n", "scroll through, 100 steps: median step until painted",
                qPrintable(fmt(median(pageMedianMs))), qPrintable(fmt(*std::max_element(pageMaxMs.begin(), pageMaxMs.end()))));
    std::printf("  %-58s %7s MiB\n", "RSS with the table open (first run)", qPrintable(fmt(rssTable)));
    std::printf("  (start measured with the %s; rows added through the API: %d in %.2f s, %d in flight)\n",
                qPrintable(startClock), done - failed, addSeconds, window);

    QJsonObject out{
        {"start_to_login_window_ms", num(startToLoginMs)},
        {"main_to_login_window_ms", num(mainToLoginMs)},
        {"start_clock", startClock},
        {"rss_login_window_mib", num(rssLogin)},
        {"login_to_main_window_ms", num(loginMs)},
        {"rss_after_login_mib", num(rssAfterLogin)},
        {"table_rows", rows},
        {"table_open_to_painted_ms", num(median(openMs))},
        {"table_open_to_painted_ms_runs", [&] {
             QJsonArray a;
             for (double v : openMs)
                 a.append(num(v));
             return a;
         }()},
        {"scroll_to_bottom_ms", num(median(scrollMs))},
        {"scroll_step_median_ms", num(median(pageMedianMs))},
        {"scroll_step_max_ms", num(*std::max_element(pageMaxMs.begin(), pageMaxMs.end()))},
        {"rss_with_table_mib", num(rssTable)},
        {"addresses_added", done - failed},
        {"add_seconds", num(addSeconds)},
        {"add_window", window},
        {"qt", QString::fromLatin1(qVersion())},
        {"platform", QApplication::platformName()},
        {"cpus", QThread::idealThreadCount()},
    };
    if (parser.isSet(json)) {
        const QString path = parser.value(json);
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        if (f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            f.write(QJsonDocument(out).toJson());
            std::printf("figures written to %s\n", qPrintable(path));
        } else {
            std::fprintf(stderr, "app_bench: cannot write %s\n", qPrintable(path));
        }
    }
    return 0;
}
