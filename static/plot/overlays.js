// Pointer and keyboard feedback over the plot: the start ring (◎, dragged to move the
// shared start) and the keyboard cursor.

const START_RADIUS = 9;

export function hitStart(view, start, px, py) {
  if (!view.layout || !start) return false;
  const [sx, sy] = view.toPixel(start[0], start[1]);
  return Math.hypot(px - sx, py - sy) <= START_RADIUS + 6;
}

export function drawStartMarker(c, view, start, dragStart) {
  if (!start) return;
  const [sx, sy] = view.toPixel(start[0], start[1]);
  if (dragStart) {
    const [dx, dy] = view.toPixel(dragStart[0], dragStart[1]);
    c.setLineDash([4, 4]);
    c.beginPath();
    c.moveTo(sx, sy);
    c.lineTo(dx, dy);
    c.strokeStyle = "rgba(255, 255, 255, 0.6)";
    c.lineWidth = 1;
    c.stroke();
    c.setLineDash([]);
    startRing(c, dx, dy, 1);
    startRing(c, sx, sy, 0.35);
  } else {
    startRing(c, sx, sy, 1);
  }
}

function startRing(c, px, py, alpha) {
  const r = START_RADIUS;
  c.save();
  c.globalAlpha = alpha;
  c.beginPath();
  c.arc(px, py, r, 0, 2 * Math.PI);
  for (const [ax, ay] of [[-1, 0], [1, 0], [0, -1], [0, 1]]) {
    c.moveTo(px + ax * (r + 4), py + ay * (r + 4));
    c.lineTo(px + ax * (r - 3), py + ay * (r - 3));
  }
  c.lineWidth = 3.5;
  c.strokeStyle = "rgba(8, 10, 18, 0.85)";
  c.stroke();
  c.lineWidth = 1.6;
  c.strokeStyle = "#ffffff";
  c.stroke();
  c.restore();
}

// A dashed square with a centre dot: where Enter drops a particle.
export function drawCursor(c, view, point) {
  if (!point) return;
  const [px, py] = view.toPixel(point[0], point[1]);
  c.save();
  c.setLineDash([3, 3]);
  c.lineWidth = 1.5;
  c.strokeStyle = "#ffffff";
  c.strokeRect(px - 8, py - 8, 16, 16);
  c.setLineDash([]);
  c.beginPath();
  c.arc(px, py, 1.8, 0, 2 * Math.PI);
  c.fillStyle = "#ffffff";
  c.fill();
  c.restore();
}
