// The plot: canvas layers, bottom to top, each a module that draws from (state, model)
// and never changes either:
//   base       heatmap, iso-loss contours, axes, colour bar         (scene or layout change)
//   basins     basin map of a dropped grid                           (when a particle settles)
//   field      −∇f arrows, when shown                                (scene or layout change)
//   trails     the balls' paths, incrementally                       (every reply)
//   particles  the particles' kept paths, incrementally              (every flow reply)
//   top        minima and markers, particles, state arrows (when shown), balls, edge
//              markers, start ring, cursor
//
// createPlot(container) makes the canvases inside `container` and owns them.

import { createBaseLayer, drawMarkers } from "./base.js";
import { createBasinsLayer } from "./basins.js";
import { drawArrows } from "./arrows.js";
import { drawBalls } from "./balls.js";
import { createFieldLayer } from "./field.js";
import { drawCursor, drawStartMarker, hitStart } from "./overlays.js";
import { createParticlesLayer, drawParticles, particleAt } from "./particles.js";
import { createTrailsLayer, drawFocusTrail } from "./trails.js";
import { createView } from "./view.js";

const LAYERS = ["base", "basins", "field", "trails", "particles", "top"];

const sameExtent = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

// The optimizer brought forward: the outcome-table row under the pointer, else the
// selected one; only when its ball is shown.
function focusKey(state, visible) {
  const key = state.hovered ?? state.selected ?? null;
  return key && visible.has(key) ? key : null;
}

export function createPlot(container) {
  const canvases = {};
  for (const name of LAYERS) {
    const canvas = document.createElement("canvas");
    canvas.id = `layer-${name}`;
    canvas.setAttribute("aria-hidden", "true");
    canvases[name] = canvas;
  }
  container.replaceChildren(...LAYERS.map((name) => canvases[name]));
  const view = createView(container);
  const base = createBaseLayer(canvases.base, view);
  const basins = createBasinsLayer(canvases.basins, view);
  const field = createFieldLayer(canvases.field, view);
  const trails = createTrailsLayer(canvases.trails, view);
  const particles = createParticlesLayer(canvases.particles, view);
  const top = canvases.top.getContext("2d");
  let meta = null;
  let pending = null; // "scene" (new picture) or "box" (maybe resized), until the next frame
  let drawnKeys = [];
  let edgeLabels = []; // the labels of balls outside the view, as last drawn
  let drawOrder = [];
  let arrowCount = 0;
  let lastFocus = null;

  function sizeCanvases() {
    const { width, height, dpr } = view.layout;
    for (const canvas of Object.values(canvases)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
      canvas.getContext("2d").setTransform(dpr, 0, 0, dpr, 0, 0);
    }
  }

  // Runs in the animation frame, so that redrawing the base is the only big work of its task.
  // `extent` is the window shown: the zoomed one, or the landscape's domain.
  function applyLayout(extent) {
    const next = view.compute(extent);
    const old = view.layout;
    const same = old && ["width", "height", "dpr"].every((k) => next[k] === old[k]);
    const sameTransform = same && ["sx", "ox", "sy", "oy"].every((k) => next.tf[k] === old.tf[k]);
    const scene = pending === "scene";
    pending = null;
    if (sameTransform && !scene) return false; // e.g. ResizeObserver's first call
    view.layout = next;
    if (!same) sizeCanvases();
    else for (const canvas of Object.values(canvases)) canvas.getContext("2d").clearRect(0, 0, next.width, next.height);
    base.draw();
    field.draw();
    trails.invalidate();
    particles.relaid();
    return true;
  }

  function frame(model, state, ui, changed) {
    if (!base.picture) return;
    const extent = state.view ?? meta.domain ?? base.picture.extent;
    if (view.layout && !sameExtent(view.layout.extent, extent)) pending ??= "box"; // zoomed or panned
    const relaid = pending ? applyLayout(extent) : false;
    if (!view.layout) return;
    particles.draw(model.particles);
    basins.draw(model.particles, relaid);
    if (!(changed || relaid)) return;
    const focus = (lastFocus = focusKey(state, ui.visible));
    trails.draw(model, ui.visible, focus);
    const { width, height } = view.layout;
    top.clearRect(0, 0, width, height);
    top.save();
    view.clip(top);
    drawParticles(top, view, model.particles);
    drawMarkers(top, view, meta); // above the resting particles: a ★ is never hidden
    arrowCount = state.arrows ? drawArrows(top, view, model.runs, ui.visible) : 0; // under the balls
    if (focus) drawFocusTrail(top, view, focus, model.trails.get(focus)); // over the dimmed paths, under the balls
    const zoomed = state.view ? { domain: meta.domain } : null;
    edgeLabels = [];
    ({ keys: drawnKeys, order: drawOrder } = drawBalls(top, view, model.runs, ui.visible, ui.labels,
      { focus, zoomed, placedLabels: edgeLabels }));
    top.restore();
    // Zoomed, the start and the cursor may lie outside the window: clipped like the rest
    // (unzoomed they are in the domain, and a ring on its edge may show whole).
    top.save();
    if (state.view) view.clip(top);
    drawStartMarker(top, view, state.start, ui.dragStart);
    drawCursor(top, view, ui.cursor);
    top.restore();
  }

  return {
    top: canvases.top,
    setScene(scene, sceneMeta) {
      meta = sceneMeta;
      base.setPicture(scene, sceneMeta);
      field.set(null);
      pending = "scene";
    },
    // Another picture of the same landscape: a new colour map, or another window (zoomed,
    // panned, or back to the whole). The layers stay (the gradient field does not depend
    // on the colours); only the heatmap, contours and colour bar change.
    setPicture(picture, sceneMeta = meta) {
      meta = sceneMeta;
      base.setPicture(picture, sceneMeta);
      pending = "scene";
    },
    get picture() {
      const p = base.picture;
      return p ? { ...p, width: base.size[0], height: base.size[1] } : null;
    },
    get pictureExtent() {
      return base.picture ? [...base.picture.extent] : null;
    },
    setContours(contours) {
      base.setContours(contours);
      pending = "scene";
    },
    setField(next) {
      field.set(next);
      pending = "scene";
    },
    get hasField() {
      return field.shown;
    },
    get hasContours() {
      return Boolean(base.picture?.contours);
    },
    // Sizes the layers ahead of the first picture, so that its frame does not also
    // reallocate every canvas.
    prepare(extent) {
      if (view.layout) return;
      view.layout = view.compute(extent);
      sizeCanvases();
    },
    relayout() {
      pending ??= "box";
    },
    frame,
    toData: (px, py) => view.toData(px, py),
    toPixel: (x, y) => view.toPixel(x, y),
    insidePlot: (px, py) => view.insidePlot(px, py),
    hitStart: (start, px, py) => hitStart(view, start, px, py),
    particleAt: (p, px, py) => particleAt(view, p, px, py),
    get arrowCount() {
      return arrowCount;
    },
    get drawnKeys() {
      return [...drawnKeys];
    },
    get edgeLabels() {
      return edgeLabels.map((b) => ({ ...b }));
    },
    get drawOrder() {
      return [...drawOrder];
    },
    get focus() {
      return lastFocus;
    },
    // The heatmap's RGBA at CSS pixel (px, py) of the plot, as painted (no contours over it).
    heatmapPixel: (px, py) => base.pixelAt(px, py),
    get extent() {
      return view.layout ? [...view.layout.extent] : null;
    },
    get plotRect() {
      return view.layout ? { ...view.layout.plot } : null;
    },
  };
}
