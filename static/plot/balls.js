// The optimizers' balls, each in its colour and its own shape (circle, square, diamond…:
// OPTIMIZER_SHAPES in config.js), outlined dark then light so it reads on any colour map.
// A ball outside the view (it diverged, or it wandered off) is not lost: an arrowhead in
// its colour sits on the plot's edge where it left, pointing the way it went, labelled
// with what happened and when.

import { fmtCount } from "../format.js";
import { arrowHead } from "./arrow-shape.js";
import { placeLabels } from "./edge-labels.js";
import { HALO, colorOf, shapeOf, shapePath } from "./style.js";

const BALL_RADIUS = 6;
const FONT = "600 11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const DARK = HALO;
const LABEL_HEIGHT = 14; // px: an 11 px label and its halo

const DIM_ALPHA = 0.35; // the other balls while one optimizer is brought forward

// Draws the visible balls; returns {keys, order}: the keys drawn (inside the view or on
// its edge) in registry order, and the order they were painted in. With a `focus` key the
// others are dimmed and it is painted last, on top.
// `zoomed` ({domain}) when the map is zoomed: a ball only outside the zoomed window (inside
// the landscape's view, not diverged) gets its arrowhead without a label, so that the
// edge does not fill up with "left the view" for balls that are running fine.
// `placedLabels`, when given, receives the edge labels drawn: {text, x, y, w, h, wanted: {x, y}}.
export function drawBalls(c, view, runs, visible, labels, { focus = null, zoomed = null, placedLabels = [] } = {}) {
  const drawn = [];
  if (!runs) return { keys: drawn, order: drawn };
  const edge = [];
  // Reverse registry order: where balls overlap, the classic ones (SGD, Momentum)
  // stay visible and Adam hides its near-twin AdamW rather than the other way round.
  const order = [];
  for (let i = runs.keys.length - 1; i >= 0; i--) if (visible.has(runs.keys[i]) && runs.keys[i] !== focus) order.push(i);
  const at = runs.keys.indexOf(focus);
  if (at >= 0 && visible.has(focus)) order.push(at);
  for (const i of order) {
    const key = runs.keys[i];
    drawn.push(key);
    c.globalAlpha = focus && key !== focus ? DIM_ALPHA : 1;
    const [px, py] = view.toPixel(runs.positions[2 * i], runs.positions[2 * i + 1]);
    if (view.insidePlot(px, py)) drawBall(c, px, py, colorOf(key), shapeOf(key), runs.status[i]);
    else edge.push({ key, px, py, i });
  }
  c.globalAlpha = 1;
  const keys = [...drawn].sort((a, b) => runs.keys.indexOf(a) - runs.keys.indexOf(b));
  // Registry order for the labels: SGD's keeps its place, the later ones stack away from it.
  const wanted = [];
  for (const e of edge.reverse()) {
    const status = runs.status[e.i];
    const step = runs.diverged_step?.[e.i];
    const what = status === "diverged" ? `diverged at step ${fmtCount(step)}` : "left the view";
    const [x, y] = [runs.positions[2 * e.i], runs.positions[2 * e.i + 1]];
    const onlyZoom = zoomed && status !== "diverged" && x >= zoomed.domain[0] && x <= zoomed.domain[1]
      && y >= zoomed.domain[2] && y <= zoomed.domain[3];
    c.globalAlpha = focus && e.key !== focus ? DIM_ALPHA : 1;
    const box = edgeMarker(c, view, e.px, e.py, colorOf(e.key), onlyZoom ? "" : `${labels.get(e.key) ?? e.key} ${what}`);
    if (box) wanted.push({ ...box, alpha: c.globalAlpha });
  }
  const boxes = placeLabels(wanted, view.layout?.plot ?? { x: 0, y: 0, w: 0, h: 0 });
  boxes.forEach((box, i) => {
    c.globalAlpha = wanted[i].alpha;
    drawLabel(c, box, wanted[i].color);
    placedLabels.push({ text: box.text, x: box.x, y: box.y, w: box.w, h: box.h, wanted: { x: wanted[i].x, y: wanted[i].y } });
  });
  c.globalAlpha = 1;
  return { keys, order: drawn };
}

function drawBall(c, px, py, color, shape, status) {
  // A light ring, a dark ring, then the colour: strokes of one outline, widest first.
  c.beginPath();
  shapePath(c, shape, px, py, BALL_RADIUS);
  c.lineJoin = "round";
  c.lineWidth = 4.4;
  c.strokeStyle = "rgba(255, 255, 255, 0.75)";
  c.stroke();
  c.lineWidth = 2.4;
  c.strokeStyle = DARK;
  c.stroke();
  c.fillStyle = color;
  c.fill();
  if (status === "diverged") {
    // It stopped at its last finite position, inside the view.
    const r = BALL_RADIUS + 5;
    c.beginPath();
    c.moveTo(px - r, py - r);
    c.lineTo(px + r, py + r);
    c.moveTo(px + r, py - r);
    c.lineTo(px - r, py + r);
    c.lineWidth = 4;
    c.strokeStyle = DARK;
    c.stroke();
    c.lineWidth = 2;
    c.strokeStyle = color;
    c.stroke();
  } else if (status === "converged") {
    c.beginPath();
    c.arc(px, py, BALL_RADIUS + 5, 0, 2 * Math.PI);
    c.lineWidth = 1.5;
    c.strokeStyle = color;
    c.stroke();
  }
}

// Where the ray from the plot's centre to (px, py) crosses the plot's border.
export function edgePoint(plot, px, py) {
  const cx = plot.x + plot.w / 2;
  const cy = plot.y + plot.h / 2;
  let dx = px - cx;
  let dy = py - cy;
  if (!Number.isFinite(dx) || !Number.isFinite(dy) || (dx === 0 && dy === 0)) {
    dx = 1;
    dy = 0;
  }
  const t = Math.min(Math.abs((plot.w / 2) / (dx || 1e-12)), Math.abs((plot.h / 2) / (dy || 1e-12)));
  return { x: cx + dx * t, y: cy + dy * t, angle: Math.atan2(dy, dx) };
}

// Draws the arrowhead of a ball outside the view; returns where its label wants to go:
// {text, color, x, y, w, h} (top-left corner and size), inside the plot, away from the
// border it points at.
function edgeMarker(c, view, px, py, color, text) {
  const { plot } = view.layout;
  const { x, y, angle } = edgePoint(plot, px, py);
  const size = 11;
  // The arrowhead's tip touches the border from inside.
  const tx = x - Math.cos(angle) * 2;
  const ty = y - Math.sin(angle) * 2;
  c.beginPath();
  arrowHead(c, tx, ty, angle, size, 0.5, true);
  c.fillStyle = color;
  c.fill();
  c.lineWidth = 1.6;
  c.strokeStyle = DARK;
  c.stroke();
  if (!text) return null; // the arrowhead alone
  c.font = FONT;
  const w = c.measureText(text).width;
  const cx = tx - Math.cos(angle) * (size + 6);
  const cy = ty - Math.sin(angle) * (size + 6);
  return { text, color, x: cx - w / 2, y: cy - LABEL_HEIGHT / 2, w, h: LABEL_HEIGHT };
}

function drawLabel(c, box, color) {
  c.font = FONT;
  c.textAlign = "left";
  c.textBaseline = "middle";
  c.lineWidth = 3.5;
  c.strokeStyle = DARK;
  const y = box.y + box.h / 2;
  c.strokeText(box.text, box.x, y);
  c.fillStyle = color;
  c.fillText(box.text, box.x, y);
}
