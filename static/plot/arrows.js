// State arrows: why each visible ball moves. At each ball, from Python's snapshot
// (`runs.arrows`, finite by contract):
//   −∇f        the way down at that point (exact, without noise)   thin white, open head
//   step       θ_t − θ_{t−1}, the step just taken                  thick, ball colour, filled head
//   velocity   the momentum buffer as a displacement (has_velocity) dashed, ball colour, open head
// Directions are exact (data → pixels is an axis-aligned scaling, the same for all).
// Lengths are per kind and per frame: the longest arrow of a kind among the visible balls
// is drawn at a fixed length (lengthPx) and every other one of that kind at that length
// times √(its size / the longest's), so within a kind longer means larger and sizes 100×
// apart both stay visible (Momentum's overshoot, Adam's per-coordinate scaling); lengths
// of different kinds do not compare. At most 3 arrows per ball; no allocation per frame
// beyond the canvas calls.

import { arrowHead } from "./arrow-shape.js";
import { HALO, colorOf } from "./style.js";

const KINDS = ["gradient", "step", "velocity"];
const MIN_PX = 3; // shorter (after scaling) is drawn as nothing: the ball covers it
const GRADIENT_COLOR = "#ffffff";
const DASH = [5, 3.5];
const NO_DASH = [];
const maxPx = new Float64Array(KINDS.length);

// The longest arrow of a kind, in px: a fifth of the plot's short side, 36 … 70 px.
function lengthPx(plot) {
  return Math.max(36, Math.min(70, 0.2 * Math.min(plot.w, plot.h)));
}

// Draws the arrows of the visible balls; returns how many were drawn.
export function drawArrows(c, view, runs, visible) {
  const arrows = runs?.arrows;
  if (!arrows) return 0;
  const { sx, sy } = view.layout.tf;
  const n = runs.keys.length;
  const hasVelocity = arrows.has_velocity;
  maxPx.fill(0);
  for (let i = 0; i < n; i++) {
    if (!visible.has(runs.keys[i])) continue;
    for (let k = 0; k < KINDS.length; k++) {
      if (k === 2 && !hasVelocity?.[i]) continue;
      const v = arrows[KINDS[k]];
      if (!v) continue;
      const len = Math.hypot(sx * v[2 * i], sy * v[2 * i + 1]);
      if (len > maxPx[k]) maxPx[k] = len;
    }
  }
  const target = lengthPx(view.layout.plot);
  let drawn = 0;
  c.save();
  c.lineJoin = "round";
  c.lineCap = "round";
  // Pass 0 strokes every arrow's dark halo in one path; pass 1 the colours, per ball.
  for (let pass = 0; pass < 2; pass++) {
    if (pass === 0) {
      c.beginPath();
      c.setLineDash(NO_DASH);
    }
    for (let i = n - 1; i >= 0; i--) {
      const key = runs.keys[i];
      if (!visible.has(key)) continue;
      const x = runs.positions[2 * i];
      const y = runs.positions[2 * i + 1];
      const [px, py] = view.toPixel(x, y);
      if (!view.insidePlot(px, py)) continue;
      for (let k = 0; k < KINDS.length; k++) {
        if (k === 2 && !hasVelocity?.[i]) continue;
        const v = arrows[KINDS[k]];
        if (!v || !(maxPx[k] > 0)) continue;
        const raw = Math.hypot(sx * v[2 * i], sy * v[2 * i + 1]);
        if (!(raw > 0)) continue;
        // Length target·√(raw / longest): the order and the direction are kept, and an
        // arrow 100 times shorter than the longest still shows (at a tenth).
        const len = target * Math.sqrt(raw / maxPx[k]);
        const dx = (len / raw) * sx * v[2 * i];
        const dy = (len / raw) * sy * v[2 * i + 1];
        if (!(len >= MIN_PX)) continue;
        if (pass === 0) {
          trace(c, px, py, dx, dy, len, k);
          drawn++;
        } else {
          stroke(c, px, py, dx, dy, len, k, colorOf(key));
        }
      }
    }
    if (pass === 0) {
      c.strokeStyle = HALO;
      c.globalAlpha = 0.85;
      c.lineWidth = 5.5;
      c.stroke();
      c.globalAlpha = 1;
    }
  }
  c.restore();
  return drawn;
}

// Adds one arrow (shaft and head) from (px, py) along (dx, dy) to the current path.
function trace(c, px, py, dx, dy, len, kind) {
  const angle = Math.atan2(dy, dx);
  const head = Math.min(kind === 1 ? 9 : 7, 0.45 * len);
  // The step's filled head starts where its shaft ends.
  const shaft = kind === 1 ? Math.max(0, len - head * 0.8) / len : 1;
  c.moveTo(px, py);
  c.lineTo(px + dx * shaft, py + dy * shaft);
  arrowHead(c, px + dx, py + dy, angle, head, kind === 1 ? 0.5 : 0.45, kind === 1);
}

function stroke(c, px, py, dx, dy, len, kind, color) {
  if (kind !== 2) {
    c.beginPath();
    trace(c, px, py, dx, dy, len, kind);
  }
  if (kind === 0) {
    c.setLineDash(NO_DASH);
    c.lineWidth = 1.6;
    c.strokeStyle = GRADIENT_COLOR;
    c.stroke();
  } else if (kind === 1) {
    c.setLineDash(NO_DASH);
    c.lineWidth = 2.8;
    c.strokeStyle = color;
    c.fillStyle = color;
    c.stroke();
    c.fill();
  } else {
    // A dashed shaft under a solid head.
    c.beginPath();
    c.moveTo(px, py);
    c.lineTo(px + dx, py + dy);
    c.setLineDash(DASH);
    c.lineWidth = 2;
    c.strokeStyle = color;
    c.stroke();
    c.beginPath();
    arrowHead(c, px + dx, py + dy, Math.atan2(dy, dx), Math.min(7, 0.45 * len));
    c.setLineDash(NO_DASH);
    c.stroke();
  }
}
