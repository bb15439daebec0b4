// The terminal's throughput: megabytes of mixed text and escape sequences
// (colours, attributes, cursor moves, line and screen clears, scrolling, a
// full-screen redraw like top's) fed to the TerminalWidget on Qt's offscreen
// platform, painted as it goes. Prints MB/s, frames painted and the longest
// the event loop waited meanwhile (how long the window could not react),
// and the emulation alone without the widget's event loop, for comparison.
// Figures only: it never fails on speed.
//
//   term_bench [--mb N] [--json FILE]

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <cstdio>

#include "terminal_widget.h"

using mr::ui::TerminalWidget;

namespace {

// One screenful of everything a console shows: log lines in colour, a
// prompt with a command typed and erased, and a full-screen redraw.
QByteArray mixedChunk(int n)
{
    QByteArray out;
    for (int i = 0; i < 40; ++i) {
        out += "\x1b[3" + QByteArray::number((n + i) % 8) + "m" + QByteArray::number(n * 40 + i) +
               "\x1b[0m \x1b[1mjan/02 12:00:00\x1b[0m system,info \x1b[4mdevice\x1b[0m changed by admin "
               "\x1b[7m*" + QByteArray::number(i) + "\x1b[0m addresses 10.0.0.1/24 ether1 "
               "\x1b[38;5;" + QByteArray::number(16 + i) + "mcolour\x1b[0m \x1b[38;2;200;120;40mtruecolour\x1b[0m\r\n";
    }
    out += "[admin@MikroTik] > /interface print\x1b[5D\x1b[K\x08\x08\x08\r\n";
    // top-like: home, rows rewritten in place, the rest cleared.
    out += "\x1b[H";
    for (int r = 1; r <= 20; ++r)
        out += "\x1b[" + QByteArray::number(r) + ";1H\x1b[2K  PID " + QByteArray::number(1000 + r) +
               " root  20   0  \x1b[32m" + QByteArray::number(r * 3 % 100) + ".0\x1b[0m  qemu-system-x86_64";
    out += "\x1b[21;1H\x1b[J\x1b[40;1H";
    out += QStringLiteral("UTF-8: ĉu ŝi — 宽字符 ✓\r\n").toUtf8();
    return out;
}

}  // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    int megabytes = 32;
    QString json;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--mb") && i + 1 < args.size())
            megabytes = std::max(1, args[++i].toInt());
        else if (args[i] == QLatin1String("--json") && i + 1 < args.size())
            json = args[++i];
    }

    QByteArray data;
    for (int n = 0; data.size() < qsizetype(megabytes) * 1024 * 1024; ++n)
        data += mixedChunk(n);
    const double mb = double(data.size()) / (1024.0 * 1024.0);

    // With the widget: fed in 64 KiB reads as a stream would deliver them,
    // processed in slices, painted at most once per frame.
    TerminalWidget term;
    term.resize(1100, 700);
    term.show();
    int frames = 0;
    struct PaintCounter : QObject {
        int* frames;
        explicit PaintCounter(int* f) : frames(f) {}
        bool eventFilter(QObject*, QEvent* e) override
        {
            if (e->type() == QEvent::Paint)
                ++*frames;
            return false;
        }
    } counter(&frames);
    term.viewport()->installEventFilter(&counter);
    QCoreApplication::processEvents();
    frames = 0;

    QElapsedTimer clock;
    qint64 lastTick = 0, maxGap = 0;
    QTimer ticker;  // what a user's click would wait for
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        maxGap = std::max(maxGap, now - lastTick);
        lastTick = now;
    });
    qint64 fed = 0;
    clock.start();
    ticker.start();
    QTimer feeder;  // a stream's reads, paced by what the widget has consumed
    feeder.setInterval(0);
    QObject::connect(&feeder, &QTimer::timeout, [&] {
        if (fed >= data.size()) {
            feeder.stop();
            return;
        }
        if (term.pending() > 1024 * 1024)
            return;  // the window is full: the daemon waits for credit
        const qsizetype n = std::min<qsizetype>(64 * 1024, data.size() - fed);
        term.feed(data.mid(fed, n));
        fed += n;
    });
    feeder.start();
    while (fed < data.size() || term.pending() > 0)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    // Everything is on the screen once the last frame (at most one frame
    // period away) is painted.
    const int framesBefore = frames;
    while (frames == framesBefore && clock.elapsed() < 60000)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 20);
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    ticker.stop();
    const double painted = mb / seconds;

    // The emulation alone, in one go.
    TerminalWidget bare;
    bare.setTerminalSize(term.columns(), term.rows());
    QElapsedTimer alone;
    alone.start();
    bare.feed(data);
    bare.flush();
    const double emulation = mb / (double(alone.nsecsElapsed()) / 1e9);

    std::printf("terminal %dx%d cells, %.1f MiB of mixed text and escape sequences\n", term.columns(), term.rows(), mb);
    std::printf("METRIC term-throughput-mbps %.1f (through the widget, painted offscreen)\n", painted);
    std::printf("METRIC term-frames %d (%.0f per second)\n", frames, frames / seconds);
    std::printf("METRIC term-max-event-gap-ms %.1f (longest the window waited to react)\n", double(maxGap) / 1e6);
    std::printf("METRIC term-emulation-mbps %.1f (libvterm and scrollback alone, no painting)\n", emulation);
    std::printf("METRIC term-scrollback-lines %d\n", term.scrollbackSize());
    if (!json.isEmpty()) {
        QFile f(json);
        if (f.open(QIODevice::WriteOnly)) {
            f.write(QJsonDocument(QJsonObject{{"megabytes", mb},
                                              {"throughput_mbps", painted},
                                              {"frames", frames},
                                              {"max_event_gap_ms", double(maxGap) / 1e6},
                                              {"emulation_mbps", emulation}})
                        .toJson());
        }
    }
    return 0;
}
