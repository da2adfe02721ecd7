// The one arrowhead of the plot (the gradient field, the state arrows, the edge markers
// of balls that left the view): added to the current path of a canvas context, so that
// many arrows stroke or fill in one call.

// An arrowhead with its tip at (x, y) pointing along `angle` (radians, canvas axes):
// two barbs of length `size` at ±`spread` from the shaft; `closed` makes it a triangle
// (to fill), else an open V (to stroke).
export function arrowHead(c, x, y, angle, size, spread = 0.45, closed = false) {
  const lx = x - size * Math.cos(angle - spread);
  const ly = y - size * Math.sin(angle - spread);
  const rx = x - size * Math.cos(angle + spread);
  const ry = y - size * Math.sin(angle + spread);
  if (closed) {
    c.moveTo(x, y);
    c.lineTo(lx, ly);
    c.lineTo(rx, ry);
    c.closePath();
  } else {
    c.moveTo(lx, ly);
    c.lineTo(x, y);
    c.lineTo(rx, ry);
  }
}
