// topology_bench: the Topology tab with 500 nodes (issue 6), on Qt's
// offscreen platform, no daemon: the five source menus are fed a synthetic
// router (host interfaces, bridges, metarouters with two vifs each, every
// vif and interface a bridge port) and it prints
//   1. the time to build the drawing from the snapshot,
//   2. the frame time of the whole drawing rendered into a QImage (fit to
//      view), repeatedly, with a zoom step between frames,
//   3. the frame time at 1:1 while panning across the drawing (render into a
//      QImage, and the viewport's own repaint),
//   4. the time from one change event to the drawing updated.
// Figures only; it never fails on speed.

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "menu_table_model.h"
#include "topology_canvas.h"
#include "topology_model.h"
#include "topology_view.h"

using namespace mr;
using namespace mr::ui;
using Source = TopologyModel::Source;

namespace {

struct Stats {
    double mean = 0, median = 0, p95 = 0, max = 0;
};

Stats stats(std::vector<double> v)
{
    Stats s;
    if (v.empty())
        return s;
    std::sort(v.begin(), v.end());
    for (double x : v)
        s.mean += x;
    s.mean /= static_cast<double>(v.size());
    s.median = v[v.size() / 2];
    s.p95 = v[std::min(v.size() - 1, static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(v.size()))) - 1)];
    s.max = v.back();
    return s;
}

QJsonObject json(const Stats& s)
{
    auto r = [](double x) { return std::round(x * 1000) / 1000; };
    return {{"mean_ms", r(s.mean)}, {"median_ms", r(s.median)}, {"p95_ms", r(s.p95)}, {"max_ms", r(s.max)}};
}

wire::Schema schema()
{
    wire::Schema s;
    for (int i = 0; i < TopologyModel::kSourceCount; ++i)
        s.add_menus()->set_path(TopologyModel::sourcePath(static_cast<Source>(i)));
    return s;
}

wire::Object object(const std::string& id, std::initializer_list<std::pair<const char*, std::string>> props)
{
    wire::Object o;
    o.set_id(id);
    for (const auto& [k, v] : props)
        (*o.mutable_properties())[k] = v;
    return o;
}

std::string id(int n)
{
    return "*" + QString::number(n, 16).toUpper().toStdString();
}

// interfaces + bridges + metarouters nodes; each metarouter has two vifs,
// the first a port of a bridge; every interface is a port of a bridge.
void feed(TopologyModel& m, int interfaces, int bridges, int metarouters)
{
    google::protobuf::RepeatedPtrField<wire::Object> ifs, brs, ports, mrs, mifs;
    int nextIf = 1;
    for (int i = 1; i <= interfaces; ++i)
        *ifs.Add() = object(id(nextIf++), {{"name", "ether" + std::to_string(i)}, {"type", "ether"},
                                           {"running", i % 7 ? "yes" : "no"}});
    for (int b = 1; b <= bridges; ++b) {
        *ifs.Add() = object(id(nextIf++), {{"name", "bridge" + std::to_string(b)}, {"type", "bridge"}, {"running", "yes"}});
        *brs.Add() = object(id(b), {{"name", "bridge" + std::to_string(b)}, {"running", "yes"}});
    }
    int port = 1;
    for (int i = 1; i <= interfaces; ++i)
        *ports.Add() = object(id(port++), {{"interface", "ether" + std::to_string(i)},
                                           {"bridge", "bridge" + std::to_string(1 + i % bridges)}, {"dynamic", "no"}});
    int vif = 1;
    for (int r = 1; r <= metarouters; ++r) {
        *mrs.Add() = object(id(r), {{"name", "mr" + std::to_string(r)}, {"state", r % 3 ? "running" : "stopped"}});
        for (int k = 0; k < 2; ++k, ++vif) {
            const std::string name = "vif" + std::to_string(vif);
            *ifs.Add() = object(id(nextIf++), {{"name", name}, {"type", "vif"}, {"running", r % 3 ? "yes" : "no"}});
            *mifs.Add() = object(id(vif), {{"virtual-machine", "mr" + std::to_string(r)}, {"type", "dynamic"},
                                          {"interface", name}, {"active", r % 3 ? "yes" : "no"}});
            if (k == 0)
                *ports.Add() = object(id(port++), {{"interface", name},
                                                   {"bridge", "bridge" + std::to_string(1 + r % bridges)},
                                                   {"dynamic", "no"}});
        }
    }
    m.menuModel(Source::Interface)->resetObjects(ifs, 1);
    m.menuModel(Source::Bridge)->resetObjects(brs, 1);
    m.menuModel(Source::Port)->resetObjects(ports, 1);
    m.menuModel(Source::Metarouter)->resetObjects(mrs, 1);
    m.menuModel(Source::MetarouterInterface)->resetObjects(mifs, 1);
}

double renderFrame(TopologyCanvas* canvas, QImage& image)
{
    QElapsedTimer t;
    t.start();
    image.fill(Qt::white);
    QPainter p(&image);
    canvas->render(&p);
    p.end();
    return static_cast<double>(t.nsecsElapsed()) / 1e6;
}

}  // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    QCommandLineOption nodesOpt("nodes", "Nodes in the drawing (default 500).", "n", "500");
    QCommandLineOption framesOpt("frames", "Frames per figure (default 60).", "n", "60");
    QCommandLineOption jsonOpt("json", "Write the figures to this file.", "file");
    parser.addOptions({nodesOpt, framesOpt, jsonOpt});
    parser.process(app);
    const int nodes = std::max(10, parser.value(nodesOpt).toInt());
    const int frames = std::max(5, parser.value(framesOpt).toInt());
    // The proportions of a busy router: 30% host interfaces, 10% bridges, 60% metarouters.
    const int bridges = std::max(1, nodes / 10);
    const int interfaces = nodes * 3 / 10;
    const int metarouters = nodes - bridges - interfaces;

    TopologyView view(schema(), QString());
    view.resize(1600, 1000);
    view.show();
    QCoreApplication::processEvents();
    TopologyModel* model = view.model();
    TopologyCanvas* canvas = view.canvas();

    QElapsedTimer t;
    t.start();
    feed(*model, interfaces, bridges, metarouters);
    model->rebuild();  // the model's pass, then the view's sync (a direct signal)
    const double buildMs = static_cast<double>(t.nsecsElapsed()) / 1e6;
    view.fitToView();
    QCoreApplication::processEvents();

    QImage image(canvas->viewport()->size(), QImage::Format_ARGB32_Premultiplied);
    // All 500 nodes in view, a zoom step between frames.
    renderFrame(canvas, image);  // warm-up: fonts, icons
    std::vector<double> fit;
    for (int i = 0; i < frames; ++i) {
        canvas->zoomBy(i % 2 ? 1 / 1.1 : 1.1);
        fit.push_back(renderFrame(canvas, image));
    }

    // 1:1, panning across the drawing.
    view.fitToView();
    canvas->zoomBy(1.0 / canvas->zoom());
    std::vector<double> pan, repaint;
    // Across the drawing (not the empty margin around it), row by row.
    const QRectF drawing = view.scene()->itemsBoundingRect();
    for (int i = 0; i < frames; ++i) {
        const qreal fx = (i % 8 + 0.5) / 8.0;
        const qreal fy = ((i / 8) % 4 + 0.5) / 4.0;
        canvas->centerOn(drawing.left() + fx * drawing.width(), drawing.top() + fy * drawing.height());
        pan.push_back(renderFrame(canvas, image));
        QElapsedTimer r;
        r.start();
        canvas->viewport()->repaint();
        repaint.push_back(static_cast<double>(r.nsecsElapsed()) / 1e6);
    }

    // One event: a metarouter changes state; the drawing follows.
    std::vector<double> update;
    for (int i = 0; i < frames; ++i) {
        google::protobuf::RepeatedPtrField<wire::Change> changes;
        auto* c = changes.Add();
        c->set_kind(wire::Change::CHANGED);
        *c->mutable_object() = object(id(1), {{"name", "mr1"}, {"state", i % 2 ? "running" : "rebooting"}});
        QElapsedTimer u;
        u.start();
        model->menuModel(Source::Metarouter)->applyChanges(changes, static_cast<quint64>(2 + i));
        model->rebuild();
        update.push_back(static_cast<double>(u.nsecsElapsed()) / 1e6);
    }

    const int drawn = static_cast<int>(model->nodes().size());
    const Stats sf = stats(fit), sp = stats(pan), sr = stats(repaint), su = stats(update);
    std::printf("topology: %d nodes (%d interfaces, %d bridges, %d metarouters with 2 vifs), %d lines; "
                "viewport %dx%d\n",
                drawn, interfaces, bridges, metarouters, view.edgeCount(), image.width(), image.height());
    std::printf("  build the drawing from the snapshot: %.1f ms\n", buildMs);
    std::printf("  frame, all nodes in view (render to QImage, zoom step): mean %.1f ms, median %.1f, p95 %.1f "
                "(%.0f fps)\n",
                sf.mean, sf.median, sf.p95, 1000.0 / std::max(0.001, sf.mean));
    std::printf("  frame at 1:1 while panning (render to QImage): mean %.1f ms, median %.1f, p95 %.1f\n", sp.mean,
                sp.median, sp.p95);
    std::printf("  viewport repaint at 1:1 while panning: mean %.1f ms, median %.1f, p95 %.1f\n", sr.mean, sr.median,
                sr.p95);
    std::printf("  one change event to drawing updated: mean %.2f ms, median %.2f, p95 %.2f\n", su.mean, su.median,
                su.p95);
    if (parser.isSet(jsonOpt)) {
        const QJsonObject out{{"nodes", drawn},
                              {"lines", view.edgeCount()},
                              {"build_ms", std::round(buildMs * 1000) / 1000},
                              {"frame_fit", json(sf)},
                              {"frame_pan", json(sp)},
                              {"repaint_pan", json(sr)},
                              {"update", json(su)}};
        QDir().mkpath(QFileInfo(parser.value(jsonOpt)).absolutePath());
        QFile f(parser.value(jsonOpt));
        if (f.open(QIODevice::WriteOnly))
            f.write(QJsonDocument(out).toJson());
    }
    return drawn == nodes ? 0 : 1;
}
