// The balls' paths, drawn incrementally: each frame strokes only the points appended
// since the last one; a reset, a change of who is shown, or a new layout redraws all.
//
// Each path is drawn in its optimizer's colour and dash pattern (OPTIMIZER_DASHES) over a
// wider, dark, translucent halo, so it reads on every colour map. Within a frame all the
// halos go first and the colours after, so one path's halo never covers another's colour
// drawn in the same frame. A path's dash phase carries over from frame to frame (the
// pixel length drawn so far is kept per path), so a dash pattern unfolds as one line
// whatever the number of steps per frame.

import { HALO, colorOf, dashOf } from "./style.js";

const LINE_WIDTH = 1.9;
const HALO_WIDTH = 4.6;
const HALO_ALPHA = 0.8; // tests/test_colours.py: every colour keeps 3:1 against it on every colour map
const NO_DASH = [];
const DIM_ALPHA = 0.22; // the other paths while one optimizer is brought forward

export function createTrailsLayer(canvas, view) {
  const c = canvas.getContext("2d");
  const drawn = new Map(); // key -> {generation, appended, length (CSS px drawn so far)}
  let shownKey = null; // which balls the drawing shows, as a string

  // Pixel length of the polyline xy[first .. end) (NaN points break it).
  function pixelLength(xy, first, end) {
    const { sx, sy } = view.layout.tf;
    let length = 0;
    for (let i = first + 1; i < end; i++) {
      const dx = xy[2 * i] - xy[2 * i - 2];
      const dy = xy[2 * i + 1] - xy[2 * i - 1];
      if (Number.isNaN(dx) || Number.isNaN(dy)) continue;
      length += Math.hypot(sx * dx, sy * dy);
    }
    return length;
  }

  return {
    canvas,
    invalidate() {
      shownKey = null;
    },
    // `focus`: the key brought forward (drawn on the top layer by drawFocusTrail), or null.
    draw(model, visible, focus = null) {
      const key = `${[...visible].join(",")}|${focus ?? ""}`;
      const full = shownKey !== key
        || [...model.trails].some(([k, t]) => drawn.get(k)?.generation !== t.generation);
      c.save();
      view.clip(c);
      if (full) {
        c.clearRect(0, 0, view.layout.width, view.layout.height);
        drawn.clear();
        shownKey = key;
      }
      // What each visible path adds this frame. Reverse registry order, as for the
      // balls: SGD ends up on top, Adam above AdamW.
      const pieces = [];
      for (const [k, trail] of [...model.trails].reverse()) {
        const mark = drawn.get(k) ?? { generation: trail.generation, appended: 0, length: 0 };
        drawn.set(k, mark);
        const fresh = trail.appended - mark.appended;
        mark.appended = trail.appended;
        if (!visible.has(k) || k === focus || fresh <= 0) continue;
        // From the last point already drawn (or the very first point) to the newest.
        const from = Math.max(0, trail.length - fresh - 1);
        if (trail.length - from < 2) continue;
        pieces.push({ k, trail, from, offset: mark.length });
        mark.length += pixelLength(trail.xy, from, trail.length);
      }
      if (pieces.length) {
        c.lineJoin = "round";
        // Butt ends: consecutive frames' halos meet edge to edge instead of stacking two
        // translucent round caps (a darker bead at every frame's joint).
        c.lineCap = "butt";
        c.setLineDash(NO_DASH);
        c.lineWidth = HALO_WIDTH;
        c.strokeStyle = HALO;
        c.globalAlpha = HALO_ALPHA * (focus ? DIM_ALPHA : 1);
        c.beginPath();
        for (const { trail, from } of pieces) view.tracePolyline(c, trail.xy, from, trail.length);
        c.stroke();
        c.lineCap = "round";
        c.lineWidth = LINE_WIDTH;
        c.globalAlpha = focus ? DIM_ALPHA : 1;
        for (const { k, trail, from, offset } of pieces) {
          c.beginPath();
          view.tracePolyline(c, trail.xy, from, trail.length);
          c.strokeStyle = colorOf(k);
          c.setLineDash(dashOf(k));
          c.lineDashOffset = offset;
          c.stroke();
        }
        c.setLineDash(NO_DASH);
      }
      c.restore();
    },
  };
}

// The path brought forward, whole, at full alpha, into `c` (the top layer, redrawn every
// frame), so that it lies over every dimmed path whatever was drawn after it.
export function drawFocusTrail(c, view, key, trail) {
  if (!trail || trail.length < 2) return;
  c.save();
  c.lineJoin = "round";
  c.lineCap = "round";
  c.beginPath();
  view.tracePolyline(c, trail.xy, 0, trail.length);
  c.lineWidth = HALO_WIDTH + 1;
  c.strokeStyle = HALO;
  c.globalAlpha = HALO_ALPHA;
  c.stroke();
  c.globalAlpha = 1;
  c.lineWidth = LINE_WIDTH + 0.6;
  c.strokeStyle = colorOf(key);
  c.setLineDash(dashOf(key));
  c.stroke();
  c.restore();
}
