// Pointer input on the plot: hover reads the landscape (or a particle's path), a click
// drops a particle, pressing and dragging paints a stream of particles along the pointer
// (one per PAINT_SPACING_PX of travel, sent at most once per frame), and dragging the ◎
// ring (or shift-dragging) moves the shared start. Using the pointer hides the keyboard
// cursor (keyboard.js): it would otherwise mark a stale point, e.g. the old start.
// While zoomed a click's drop waits DOUBLE_CLICK_MS: a double-click zooms back out
// (zoom.js) and drops nothing.

import { PAINT_SPACING_PX } from "../config.js";
import { roundCoordinate } from "../store.js";

const DOUBLE_CLICK_MS = 450; // longer than the usual double-click interval (400–500 ms)

export function createPlotInput(canvas, { plot, store, actions, readout, ui, redraw }) {
  let press = null; // {x, y, drag, painted: [[x, y]...], last: [px, py]}
  let batch = [];
  let clicks = []; // points of clicks waiting to be told apart from a double-click
  let clickTimer = null;

  function dropClick(point) {
    if (!store.state.view) return actions.drop([point]);
    clicks.push(point);
    clearTimeout(clickTimer);
    clickTimer = setTimeout(() => {
      actions.drop(clicks);
      clicks = [];
    }, DOUBLE_CLICK_MS);
  }
  canvas.addEventListener("dblclick", () => {
    clearTimeout(clickTimer);
    clicks = [];
  });

  const local = (e) => {
    const box = canvas.getBoundingClientRect();
    return [e.clientX - box.left, e.clientY - box.top];
  };
  const clampedData = (px, py) => {
    const [xmin, xmax, ymin, ymax] = store.model.meta.domain;
    const span = Math.max(xmax - xmin, ymax - ymin);
    const [x, y] = plot.toData(px, py);
    return [
      roundCoordinate(Math.min(xmax, Math.max(xmin, x)), span),
      roundCoordinate(Math.min(ymax, Math.max(ymin, y)), span),
    ];
  };

  function flushBatch() {
    if (batch.length) actions.drop(batch);
    batch = [];
  }

  canvas.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    const [px, py] = local(e);
    if (!plot.insidePlot(px, py)) return;
    const drag = e.shiftKey || plot.hitStart(store.state.start, px, py);
    press = { x: px, y: py, drag, painting: false, last: [px, py] };
    canvas.setPointerCapture(e.pointerId);
    if (e.pointerType !== "mouse" && !drag) read(px, py); // a finger cannot hover: a tap reads
    if (ui.cursor) {
      ui.cursor = null;
      redraw();
    }
    if (drag) {
      ui.dragStart = clampedData(px, py);
      canvas.style.cursor = "grabbing";
      redraw();
    }
  });

  canvas.addEventListener("pointermove", (e) => {
    const [px, py] = local(e);
    if (press?.drag) {
      ui.dragStart = clampedData(px, py);
      redraw();
      readout.probe(ui.dragStart); // the readout shows where the balls will start
      return;
    }
    if (press && plot.insidePlot(px, py)) {
      const travelled = Math.hypot(px - press.last[0], py - press.last[1]);
      if (!press.painting && Math.hypot(px - press.x, py - press.y) >= PAINT_SPACING_PX) {
        press.painting = true;
        batch.push(plot.toData(press.x, press.y));
      }
      if (press.painting && travelled >= PAINT_SPACING_PX) {
        batch.push(plot.toData(px, py));
        press.last = [px, py];
        requestAnimationFrame(flushBatch);
      }
    }
    if (!plot.insidePlot(px, py)) {
      readout.idle();
      canvas.style.cursor = "default";
      return;
    }
    canvas.style.cursor = plot.hitStart(store.state.start, px, py) ? "grab" : "crosshair";
    read(px, py);
  });

  // What is under (px, py): a particle's path, else x, y, f and ∇f.
  function read(px, py) {
    const particles = store.model.particles;
    const hit = plot.particleAt(particles, px, py);
    if (hit >= 0) readout.particle(particles, hit);
    else readout.probe(plot.toData(px, py));
  }

  canvas.addEventListener("pointerleave", (e) => {
    // A lifted finger "leaves" at once: what its tap read stays until the next tap.
    if (!press?.drag && e.pointerType === "mouse") readout.idle();
  });

  canvas.addEventListener("pointerup", (e) => {
    if (!press) return;
    const [px, py] = local(e);
    if (press.drag) {
      const start = clampedData(px, py);
      ui.dragStart = null;
      canvas.style.cursor = "grab";
      const now = store.state.start;
      if (start[0] !== now[0] || start[1] !== now[1]) actions.start(start);
      redraw();
    } else if (!press.painting && Math.hypot(px - press.x, py - press.y) < PAINT_SPACING_PX) {
      dropClick(plot.toData(px, py));
    } else {
      flushBatch();
    }
    press = null;
  });

  function cancel() {
    press = null;
    batch = [];
    ui.dragStart = null;
    redraw();
  }
  canvas.addEventListener("pointercancel", cancel);
  return { cancel }; // zoom.js: a press that became half of a pinch
}
