#pragma once
// The topology's QGraphicsView: wheel zoom around the cursor, pan with the
// middle button or Space+drag, rubber-band selection, fit to view.

#include <QGraphicsView>
#include <QPoint>

namespace mr::ui {

class TopologyCanvas final : public QGraphicsView {
    Q_OBJECT
public:
    static constexpr qreal kMinZoom = 0.05;
    static constexpr qreal kMaxZoom = 4.0;

    explicit TopologyCanvas(QGraphicsScene* scene, QWidget* parent = nullptr);

    qreal zoom() const { return transform().m11(); }
    // Multiplies the zoom, kept within kMinZoom..kMaxZoom.
    void zoomBy(qreal factor);
    // Shows every node (never magnified beyond 1:1).
    void fitAll();
    bool isPanning() const { return panning_; }

protected:
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void drawBackground(QPainter* painter, const QRectF& rect) override;

private:
    bool panning_ = false;
    bool spaceHeld_ = false;
    QPoint lastPan_;
};

}  // namespace mr::ui
