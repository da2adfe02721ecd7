// Zoom and pan of the map. The window shown lives in the store (state.view: [xmin, xmax,
// ymin, ymax], or null for the landscape's own domain); every layer maps through it.
//
//   wheel            zoom about the pointer          two fingers   pinch to zoom, drag to pan
//   right/middle drag  pan                           double-click  back to the whole landscape
//   + / −            zoom about the centre (keyboard.js)     Shift+arrows  pan     Z  whole landscape
//
// The plain drag keeps dropping particles and moving the start (plot-input.js). While a
// gesture goes on the old picture is stretched over the new window; once the window has
// rested for PICTURE_DEBOUNCE_MS, Python computes the window's own picture at full
// resolution (app.py "picture": f on the window's grid, on the window's colour scale).

const MIN_FRACTION = 1e-4; // the narrowest window, as a fraction of the domain's span
const WHEEL_RATE = 0.0015; // zoom factor e^(rate · wheel pixels)
export const KEY_FACTOR = 1.5; // one + or − press
export const PAN_FRACTION = 1 / 8; // one Shift+arrow press moves the window this much of its span
const PICTURE_DEBOUNCE_MS = 150;

export function createZoom(canvas, { plot, store, python, cancelPress, onPicture, onError }) {
  const domain = () => store.model.meta.domain;
  const current = () => store.state.view ?? domain();
  let gesture = null; // {anchor: [x, y] data, spans: [w, h], pointers: Map id -> [px, py], dist}
  const touches = new Map(); // touch pointers down on the map: id -> [px, py]
  let timer = null;
  let requesting = false;

  const local = (e) => {
    const box = canvas.getBoundingClientRect();
    return [e.clientX - box.left, e.clientY - box.top];
  };

  // The window of spans [w, h] that puts data point `anchor` under CSS pixel `px`, held
  // inside the domain and between MIN_FRACTION of it and all of it (null: all of it).
  function windowAt(anchor, px, [w, h]) {
    const [dx0, dx1, dy0, dy1] = domain();
    const ratio = Math.min(1, Math.max(MIN_FRACTION, w / (dx1 - dx0)));
    if (ratio >= 1) return null;
    const sw = ratio * (dx1 - dx0);
    const sh = ratio * (dy1 - dy0);
    const r = plot.plotRect;
    let x0 = anchor[0] - ((px[0] - r.x) / r.w) * sw;
    let y1 = anchor[1] + ((px[1] - r.y) / r.h) * sh;
    x0 = Math.min(dx1 - sw, Math.max(dx0, x0));
    y1 = Math.min(dy1, Math.max(dy0 + sh, y1));
    return [x0, x0 + sw, y1 - sh, y1];
  }

  function setView(view) {
    const now = store.state.view;
    if (view === now || (view && now && view.every((v, i) => v === now[i]))) return;
    store.set({ view }); // only what the map shows: no run changes, nothing for Python to accept
  }

  const spans = (v) => [v[1] - v[0], v[3] - v[2]];
  const centre = (v) => [(v[0] + v[1]) / 2, (v[2] + v[3]) / 2];
  const centrePx = () => {
    const r = plot.plotRect;
    return [r.x + r.w / 2, r.y + r.h / 2];
  };

  // Zoom by `factor` (< 1 zooms in) keeping data point `anchor` under pixel `px`.
  function zoomBy(factor, anchor = centre(current()), px = centrePx()) {
    if (!store.model?.meta || !plot.plotRect) return;
    const [w, h] = spans(current());
    setView(windowAt(anchor, px, [w * factor, h * factor]));
  }

  // Pan by fractions (fx, fy) of the window's span (fy > 0: up).
  function pan(fx, fy) {
    if (!store.model?.meta || !store.state.view) return;
    const v = current();
    const [w, h] = spans(v);
    setView(windowAt([v[0] + fx * w, v[3] + fy * h], [plot.plotRect.x, plot.plotRect.y], [w, h]));
  }

  // Pans (without zooming) so that `point` is inside the window: the keyboard cursor's.
  function reveal(point) {
    const v = store.state.view;
    if (!v || (point[0] >= v[0] && point[0] <= v[1] && point[1] >= v[2] && point[1] <= v[3])) return;
    setView(windowAt(point, centrePx(), spans(v)));
  }

  canvas.addEventListener("wheel", (e) => {
    if (!plot.insidePlot(...local(e))) return;
    e.preventDefault(); // the page does not scroll under the map
    const pixels = e.deltaMode === 1 ? 16 * e.deltaY : e.deltaMode === 2 ? 400 * e.deltaY : e.deltaY;
    const px = local(e);
    zoomBy(Math.exp(WHEEL_RATE * pixels), plot.toData(...px), px);
  }, { passive: false });

  // Capture phase: these run before plot-input's, which must not see a pan or a pinch.
  canvas.addEventListener("pointerdown", (e) => {
    const px = local(e);
    if (!plot.insidePlot(...px) || !store.model?.meta) return;
    if (e.pointerType === "touch") touches.set(e.pointerId, px);
    const pinch = touches.size === 2;
    if (!(pinch || e.button === 1 || e.button === 2)) return;
    e.preventDefault(); // no autoscroll (middle button)
    e.stopImmediatePropagation();
    if (pinch) cancelPress(); // the first finger's press is now half of a pinch
    canvas.setPointerCapture(e.pointerId);
    const points = pinch ? [...touches.values()] : [px];
    const mid = midpoint(points);
    gesture = { anchor: plot.toData(...mid), spans: spans(current()), dist: spread(points), pinch };
  }, { capture: true });

  canvas.addEventListener("pointermove", (e) => {
    if (touches.has(e.pointerId)) touches.set(e.pointerId, local(e));
    if (!gesture) return;
    e.stopImmediatePropagation();
    const points = gesture.pinch ? [...touches.values()] : [local(e)];
    const factor = gesture.pinch && spread(points) > 0 ? gesture.dist / spread(points) : 1;
    const [w, h] = gesture.spans;
    setView(windowAt(gesture.anchor, midpoint(points), [w * factor, h * factor]));
  }, { capture: true });

  const end = (e) => {
    touches.delete(e.pointerId);
    if (!gesture) return;
    e.stopImmediatePropagation();
    if (!gesture.pinch || touches.size < 2) gesture = null;
  };
  canvas.addEventListener("pointerup", end, { capture: true });
  canvas.addEventListener("pointercancel", end, { capture: true });
  canvas.addEventListener("contextmenu", (e) => e.preventDefault()); // the right button pans
  canvas.addEventListener("dblclick", () => setView(null));

  // The picture of the window shown, once it has rested; one request at a time.
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(request, PICTURE_DEBOUNCE_MS);
  }

  async function request() {
    if (requesting) return schedule();
    const state = store.state;
    const view = state.view;
    const landscape = store.model.meta?.key;
    requesting = true;
    try {
      const reply = await python.call("picture", { window: view, resolution: state.resolution, colormap: state.colormap });
      const now = store.state;
      if (reply.landscape === store.model.meta?.key && landscape === reply.landscape && same(now.view, view)
        && now.colormap === state.colormap) onPicture(reply);
    } catch (err) {
      onError(`Could not draw the zoomed map: ${err.message}`);
    } finally {
      requesting = false;
    }
  }

  store.subscribe((state, patch) => {
    if ("view" in patch && !same(plot.pictureExtent, state.view ?? store.model.meta?.domain)) schedule();
  });

  return {
    zoomBy,
    pan,
    reveal,
    reset: () => setView(null),
    // Significant digits the readout needs on the zoomed map for x, y (to tell pixels
    // apart) and for f (to tell apart losses of the window's colour range).
    digits() {
      const v = store.state?.view;
      if (!v) return {};
      const need = (size, gap) => Math.min(12, Math.max(3, Math.ceil(Math.log10(size / gap)) + 3));
      const range = plot.picture?.colorbar.range;
      const f = range && range[1] > range[0] ? need(Math.max(...range.map(Math.abs)), range[1] - range[0]) : 3;
      return { xy: need(Math.max(...v.map(Math.abs), 1e-300), Math.min(v[1] - v[0], v[3] - v[2])), f };
    },
    // The picture shown no longer fits the window (a new colormap, contour lines loaded).
    refresh() {
      if (store.state?.view) schedule();
    },
  };
}

function same(a, b) {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function midpoint(points) {
  const n = points.length;
  return [points.reduce((s, p) => s + p[0], 0) / n, points.reduce((s, p) => s + p[1], 0) / n];
}

function spread(points) {
  return points.length < 2 ? 0 : Math.hypot(points[0][0] - points[1][0], points[0][1] - points[1][1]);
}
