#include "topology_canvas.h"

#include <QGraphicsItem>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QScrollBar>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace mr::ui {

TopologyCanvas::TopologyCanvas(QGraphicsScene* scene, QWidget* parent) : QGraphicsView(scene, parent)
{
    setObjectName(QStringLiteral("topologyCanvas"));
    setRenderHint(QPainter::Antialiasing);
    setDragMode(RubberBandDrag);
    setRubberBandSelectionMode(Qt::IntersectsItemShape);
    setTransformationAnchor(AnchorUnderMouse);
    setResizeAnchor(AnchorViewCenter);
    // Only what changed is repainted; the background grid is cached.
    setViewportUpdateMode(SmartViewportUpdate);
    setCacheMode(CacheBackground);
    setOptimizationFlag(DontSavePainterState);
    setFocusPolicy(Qt::StrongFocus);
    // Panned with the middle button or Space+drag; the scene is much larger
    // than the drawing, so scroll bars would only say "somewhere".
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
}

void TopologyCanvas::zoomBy(qreal factor)
{
    const qreal target = std::clamp(zoom() * factor, kMinZoom, kMaxZoom);
    if (target == zoom())
        return;
    const qreal f = target / zoom();
    scale(f, f);
}

void TopologyCanvas::fitAll()
{
    QRectF r;
    for (QGraphicsItem* item : scene()->items())
        if (!item->parentItem() && item->isVisible())
            r |= item->sceneBoundingRect();
    if (r.isEmpty())
        return;
    fitInView(r.adjusted(-30, -30, 30, 30), Qt::KeepAspectRatio);
    if (zoom() > 1.0) {
        const qreal f = 1.0 / zoom();
        scale(f, f);
        centerOn(r.center());
    }
    if (zoom() < kMinZoom) {
        const qreal f = kMinZoom / zoom();
        scale(f, f);
    }
}

void TopologyCanvas::wheelEvent(QWheelEvent* event)
{
    const QPoint delta = event->angleDelta();
    if (delta.y() == 0) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    zoomBy(std::pow(1.15, delta.y() / 120.0));
    event->accept();
}

void TopologyCanvas::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::MiddleButton || (spaceHeld_ && event->button() == Qt::LeftButton)) {
        panning_ = true;
        lastPan_ = event->position().toPoint();
        viewport()->setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void TopologyCanvas::mouseMoveEvent(QMouseEvent* event)
{
    if (panning_) {
        const QPoint p = event->position().toPoint();
        const QPoint d = p - lastPan_;
        lastPan_ = p;
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - d.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - d.y());
        event->accept();
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void TopologyCanvas::mouseReleaseEvent(QMouseEvent* event)
{
    if (panning_ && (event->button() == Qt::MiddleButton || event->button() == Qt::LeftButton)) {
        panning_ = false;
        viewport()->setCursor(spaceHeld_ ? Qt::OpenHandCursor : Qt::ArrowCursor);
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void TopologyCanvas::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        spaceHeld_ = true;
        viewport()->setCursor(Qt::OpenHandCursor);
        event->accept();
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void TopologyCanvas::keyReleaseEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        spaceHeld_ = false;
        viewport()->setCursor(Qt::ArrowCursor);
        event->accept();
        return;
    }
    QGraphicsView::keyReleaseEvent(event);
}

void TopologyCanvas::drawBackground(QPainter* painter, const QRectF& rect)
{
    painter->fillRect(rect, QColor(0xf6, 0xf8, 0xfa));
    // A dot grid, thinned out when zoomed far out.
    qreal step = 40;
    while (step * zoom() < 16)
        step *= 2;
    painter->setPen(QPen(QColor(0xd5, 0xdb, 0xe2), 0));
    const qreal left = std::floor(rect.left() / step) * step;
    const qreal top = std::floor(rect.top() / step) * step;
    QVector<QPointF> dots;
    for (qreal x = left; x < rect.right(); x += step)
        for (qreal y = top; y < rect.bottom(); y += step)
            dots.append(QPointF(x, y));
    painter->drawPoints(dots.constData(), static_cast<int>(dots.size()));
}

}  // namespace mr::ui
