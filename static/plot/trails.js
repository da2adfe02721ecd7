// The balls' paths, drawn incrementally: each frame strokes only the points appended
// since the last one; a reset, a change of who is shown, or a new layout redraws all.

import { colorOf } from "./style.js";

export function createTrailsLayer(canvas, view) {
  const c = canvas.getContext("2d");
  const drawn = new Map(); // key -> {generation, appended}
  let shownKey = null; // which balls the drawing shows, as a string

  return {
    canvas,
    invalidate() {
      shownKey = null;
    },
    draw(model, visible) {
      const key = [...visible].join(",");
      const full = shownKey !== key
        || [...model.trails].some(([k, t]) => drawn.get(k)?.generation !== t.generation);
      c.save();
      view.clip(c);
      if (full) {
        c.clearRect(0, 0, view.layout.width, view.layout.height);
        drawn.clear();
        shownKey = key;
      }
      c.lineWidth = 1.7;
      c.lineJoin = "round";
      c.lineCap = "round";
      // Reverse registry order, as for the balls: SGD ends up on top, Adam above AdamW.
      for (const [k, trail] of [...model.trails].reverse()) {
        const mark = drawn.get(k) ?? { generation: trail.generation, appended: 0 };
        drawn.set(k, mark);
        const fresh = trail.appended - mark.appended;
        mark.appended = trail.appended;
        if (!visible.has(k) || fresh <= 0) continue;
        // From the last point already drawn (or the very first point) to the newest.
        const from = Math.max(0, trail.length - fresh - 1);
        if (trail.length - from < 2) continue;
        c.beginPath();
        view.tracePolyline(c, trail.xy, from, trail.length);
        c.strokeStyle = colorOf(k);
        c.globalAlpha = 0.9;
        c.stroke();
      }
      c.restore();
    },
  };
}
