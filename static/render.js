// Canvas layers of the plot, bottom to top:
//   base       heatmap, iso-loss contours, known minima, axes, colour bar (redrawn on scene/resize)
//   trails     the balls' paths, drawn incrementally (fully redrawn on reset/show/resize)
//   particles  gradient-flow particle tails on a layer that fades a little every frame,
//              so n particles cost O(n) per frame whatever their history
//   top        balls, end markers, particle dots, the start marker (redrawn when anything moved)
//
// The renderer reads `state` (what the user asked for), `model` (what Python computed)
// and `ui` (pointer feedback); it keeps only drawing caches of its own and never
// changes any of the three.

import {
  FALLBACK_COLOR,
  OPTIMIZER_COLORS,
  PARTICLE_COLOR,
  PARTICLE_REST_COLOR,
} from "./config.js";
import { fmt } from "./format.js";

const MARGIN = { left: 50, right: 96, top: 30, bottom: 42 };
const BAR = { gap: 14, width: 13 };
const FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const AXIS_COLOR = "rgba(214, 222, 238, 0.75)";
const LABEL_COLOR = "#b9c2d3";
const CONTOUR_COLOR = "rgba(255, 255, 255, 0.26)";
const TAIL_FADE = 0.12; // share of a tail's opacity removed per frame
const TAIL_IDLE_FRAMES = 90; // after this many frames without movement the tail layer is wiped
const BALL_RADIUS = 6;
const DOT_DIAMETER = 3; // particle dots, CSS px
const START_RADIUS = 9;

export function createPlot(container) {
  const layers = {
    base: container.querySelector("#layer-base"),
    trails: container.querySelector("#layer-trails"),
    particles: container.querySelector("#layer-particles"),
    top: container.querySelector("#layer-top"),
  };
  const ctx = Object.fromEntries(Object.entries(layers).map(([k, c]) => [k, c.getContext("2d")]));

  const heatmapImage = document.createElement("canvas");
  const barImage = document.createElement("canvas");
  let layout = null; // {width, height, dpr, plot: {x, y, w, h}, bar, extent, tf}
  let picture = null; // heatmap, contours, colour bar and minima of the current scene
  let pendingLayout = null; // "scene" (new picture) or "box" (maybe resized), until the next frame

  // Drawing caches.
  const trailDrawn = new Map(); // key -> {generation, appended}
  let trailsShow = null;
  let prevParticleXY = null;
  let tailIdleFrames = TAIL_IDLE_FRAMES;
  let drawnKeys = [];

  // --------------------------------------------------------------------------- geometry

  function computeLayout(extent) {
    const box = container.getBoundingClientRect();
    const width = Math.max(200, Math.floor(box.width));
    const height = Math.max(200, Math.floor(box.height));
    const [xmin, xmax, ymin, ymax] = extent;
    const aspect = (xmax - xmin) / (ymax - ymin);
    const availW = width - MARGIN.left - MARGIN.right;
    const availH = height - MARGIN.top - MARGIN.bottom;
    let w = availW;
    let h = w / aspect;
    if (h > availH) {
      h = availH;
      w = h * aspect;
    }
    w = Math.floor(w);
    h = Math.floor(h);
    const x = Math.round(MARGIN.left + (availW - w) / 2);
    const y = Math.round(MARGIN.top + (availH - h) / 2);
    // Data -> CSS pixels: px = ox + sx·x, py = oy + sy·y (sy < 0: y grows upwards).
    const sx = w / (xmax - xmin);
    const sy = -h / (ymax - ymin);
    return {
      width,
      height,
      dpr: window.devicePixelRatio || 1,
      extent,
      plot: { x, y, w, h },
      bar: { x: x + w + BAR.gap, y, w: BAR.width, h },
      tf: { sx, ox: x - sx * xmin, sy, oy: y - sy * ymax },
    };
  }

  function sizeCanvases() {
    const { width, height, dpr } = layout;
    for (const [name, canvas] of Object.entries(layers)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
      ctx[name].setTransform(dpr, 0, 0, dpr, 0, 0);
    }
  }

  function toPixel(x, y) {
    const { sx, ox, sy, oy } = layout.tf;
    return [ox + sx * x, oy + sy * y];
  }

  function toData(px, py) {
    const { sx, ox, sy, oy } = layout.tf;
    return [(px - ox) / sx, (py - oy) / sy];
  }

  // Appends the polyline xy[2·first .. 2·end) (data units) to the current path.
  function tracePolyline(c, xy, first, end) {
    const { sx, ox, sy, oy } = layout.tf;
    c.moveTo(ox + sx * xy[2 * first], oy + sy * xy[2 * first + 1]);
    for (let i = first + 1; i < end; i++) c.lineTo(ox + sx * xy[2 * i], oy + sy * xy[2 * i + 1]);
  }

  function insidePlot(px, py) {
    if (!layout) return false;
    const { plot } = layout;
    return px >= plot.x && px <= plot.x + plot.w && py >= plot.y && py <= plot.y + plot.h;
  }

  function clipToPlot(c) {
    const { plot } = layout;
    c.beginPath();
    c.rect(plot.x, plot.y, plot.w, plot.h);
    c.clip();
  }

  // --------------------------------------------------------------------------- base layer

  function setScene(scene, meta) {
    const { heatmap, contours, colorbar } = scene;
    heatmapImage.width = heatmap.width;
    heatmapImage.height = heatmap.height;
    const pixels = new Uint8ClampedArray(heatmap.rgba.buffer, heatmap.rgba.byteOffset, heatmap.rgba.length);
    heatmapImage.getContext("2d").putImageData(new ImageData(pixels, heatmap.width, heatmap.height), 0, 0);

    // LUT entry 0 is the lowest loss: it goes at the bottom of the bar.
    const lut = colorbar.lut;
    const steps = lut.length / 4;
    barImage.width = 1;
    barImage.height = steps;
    const column = new ImageData(1, steps);
    for (let i = 0; i < steps; i++) column.data.set(lut.subarray(4 * i, 4 * i + 4), 4 * (steps - 1 - i));
    barImage.getContext("2d").putImageData(column, 0, 0);

    picture = { extent: heatmap.extent, contours, colorbar, minima: meta.minima };
    pendingLayout = "scene";
  }

  // Contour lines that arrive after their picture (contourpy loads after the first frame).
  function setContours(contours) {
    if (!picture) return;
    picture.contours = contours;
    pendingLayout = "scene";
  }

  // Sizes the layers for a view of `extent` ahead of its picture, so that the frame
  // which draws the first picture does not also reallocate every canvas.
  function prepare(extent) {
    if (layout) return;
    layout = computeLayout(extent);
    sizeCanvases();
  }

  // The box may have changed size (ResizeObserver); checked on the next frame.
  function relayout() {
    pendingLayout ??= "box";
  }

  // Runs in the animation frame, not in the message or resize handler, so that the
  // base layer's drawing is the only sizeable work of its task.
  function applyLayout() {
    const next = computeLayout(picture.extent);
    const same = layout && ["width", "height", "dpr"].every((k) => next[k] === layout[k]);
    const sameTransform = same && ["sx", "ox", "sy", "oy"].every((k) => next.tf[k] === layout.tf[k]);
    const scene = pendingLayout === "scene";
    pendingLayout = null;
    if (sameTransform && !scene) return false; // e.g. ResizeObserver's first call: nothing to redo
    layout = next;
    if (!same) sizeCanvases();
    drawBase();
    trailsShow = null; // forces a full trail redraw
    prevParticleXY = null;
    ctx.particles.clearRect(0, 0, layout.width, layout.height);
    return true;
  }

  // One animation frame: `changed` when the model or state moved since the last one.
  function frame(model, state, ui, changed) {
    if (!picture) return;
    const relaid = pendingLayout ? applyLayout() : false;
    if (!layout) return;
    drawParticleTails(model.particles);
    if (changed || relaid) {
      drawTrails(model, state);
      drawTop(model, state, ui);
    }
  }

  function drawBase() {
    const c = ctx.base;
    const { plot, bar, width, height } = layout;
    c.clearRect(0, 0, width, height);

    c.imageSmoothingEnabled = true;
    c.imageSmoothingQuality = "high";
    c.drawImage(heatmapImage, plot.x, plot.y, plot.w, plot.h);

    c.save();
    clipToPlot(c);
    drawContours(c);
    drawMinima(c);
    c.restore();

    c.strokeStyle = "rgba(255, 255, 255, 0.28)";
    c.lineWidth = 1;
    c.strokeRect(plot.x - 0.5, plot.y - 0.5, plot.w + 1, plot.h + 1);
    drawAxes(c);
    drawColorbar(c, bar);
  }

  function drawContours(c) {
    if (!picture.contours) return; // contourpy still loading: they follow in a moment
    const { xy, offsets } = picture.contours;
    c.beginPath();
    for (let line = 0; line + 1 < offsets.length; line++) {
      if (offsets[line + 1] - offsets[line] >= 2) tracePolyline(c, xy, offsets[line], offsets[line + 1]);
    }
    c.strokeStyle = CONTOUR_COLOR;
    c.lineWidth = 0.9;
    c.stroke();
  }

  function drawMinima(c) {
    for (const m of picture.minima ?? []) {
      const [px, py] = toPixel(m.x, m.y);
      c.lineWidth = 1.5;
      c.strokeStyle = "rgba(10, 12, 20, 0.9)";
      if (m.is_global) {
        starPath(c, px, py, 8, 3.4);
        c.fillStyle = "#ffffff";
        c.fill();
        c.stroke();
      } else {
        c.beginPath();
        c.arc(px, py, 5.5, 0, 2 * Math.PI);
        c.lineWidth = 3.5;
        c.stroke();
        c.lineWidth = 1.6;
        c.strokeStyle = "#ffffff";
        c.stroke();
      }
    }
  }

  function drawAxes(c) {
    const { plot, extent } = layout;
    const [xmin, xmax, ymin, ymax] = extent;
    c.font = FONT;
    c.fillStyle = LABEL_COLOR;
    c.strokeStyle = AXIS_COLOR;
    c.lineWidth = 1;

    c.textAlign = "center";
    c.textBaseline = "top";
    c.beginPath();
    for (const t of niceTicks(xmin, xmax, Math.max(3, Math.round(plot.w / 90)))) {
      const [px] = toPixel(t, ymin);
      const x = Math.round(px) + 0.5;
      c.moveTo(x, plot.y + plot.h + 1);
      c.lineTo(x, plot.y + plot.h + 6);
      c.fillText(tickLabel(t), x, plot.y + plot.h + 9);
    }
    c.textAlign = "right";
    c.textBaseline = "middle";
    for (const t of niceTicks(ymin, ymax, Math.max(3, Math.round(plot.h / 90)))) {
      const [, py] = toPixel(xmin, t);
      const y = Math.round(py) + 0.5;
      c.moveTo(plot.x - 1, y);
      c.lineTo(plot.x - 6, y);
      c.fillText(tickLabel(t), plot.x - 9, y);
    }
    c.stroke();

    c.font = `italic ${FONT}`;
    c.textAlign = "center";
    c.textBaseline = "top";
    c.fillText("x", plot.x + plot.w / 2, plot.y + plot.h + 26);
    c.textAlign = "right";
    c.textBaseline = "middle";
    c.fillText("y", plot.x - 36, plot.y + plot.h / 2);
  }

  function drawColorbar(c, bar) {
    c.imageSmoothingEnabled = true;
    c.drawImage(barImage, bar.x, bar.y, bar.w, bar.h);
    c.strokeStyle = "rgba(255, 255, 255, 0.28)";
    c.strokeRect(bar.x - 0.5, bar.y - 0.5, bar.w + 1, bar.h + 1);
    c.font = FONT;
    c.fillStyle = LABEL_COLOR;
    c.strokeStyle = AXIS_COLOR;
    c.textAlign = "left";
    c.textBaseline = "middle";
    c.beginPath();
    for (const { pos, label } of picture.colorbar.ticks) {
      const y = Math.round(bar.y + (1 - pos) * bar.h) + 0.5;
      c.moveTo(bar.x + bar.w + 1, y);
      c.lineTo(bar.x + bar.w + 5, y);
      c.fillText(label, bar.x + bar.w + 8, y);
    }
    c.stroke();
    c.textAlign = "left";
    c.textBaseline = "bottom";
    c.fillText(picture.colorbar.scale === "log" ? "loss (log)" : "loss", bar.x, bar.y - 8);
  }

  // --------------------------------------------------------------------------- trails

  function drawTrails(model, state) {
    const c = ctx.trails;
    const full = trailsShow !== state.show
      || [...model.trails].some(([key, t]) => trailDrawn.get(key)?.generation !== t.generation);
    c.save();
    clipToPlot(c);
    if (full) {
      c.clearRect(0, 0, layout.width, layout.height);
      trailDrawn.clear();
      trailsShow = state.show;
    }
    c.lineWidth = 1.7;
    c.lineJoin = "round";
    c.lineCap = "round";
    // Reverse registry order, as for the balls: SGD ends up on top, Adam above AdamW.
    for (const [key, trail] of [...model.trails].reverse()) {
      const drawn = trailDrawn.get(key) ?? { generation: trail.generation, appended: 0 };
      trailDrawn.set(key, drawn);
      const fresh = trail.appended - drawn.appended;
      if (!visible(state, key) || fresh <= 0) {
        drawn.appended = trail.appended;
        continue;
      }
      // From the last point already drawn (or the very first point) to the newest.
      const from = Math.max(0, trail.length - fresh - 1);
      if (trail.length - from < 2) {
        drawn.appended = trail.appended;
        continue;
      }
      c.beginPath();
      tracePolyline(c, trail.xy, from, trail.length);
      c.strokeStyle = colorOf(key);
      c.globalAlpha = 0.9;
      c.stroke();
      drawn.appended = trail.appended;
    }
    c.restore();
  }

  // --------------------------------------------------------------------------- particle tails

  // Called once per animation frame; `particles` is the newest reply (or the same object again).
  function drawParticleTails(particles) {
    const c = ctx.particles;
    const { width, height } = layout;
    c.save();
    clipToPlot(c);
    if (tailIdleFrames < TAIL_IDLE_FRAMES) {
      c.globalCompositeOperation = "destination-out";
      c.fillStyle = `rgba(0, 0, 0, ${TAIL_FADE})`;
      c.fillRect(0, 0, width, height);
      c.globalCompositeOperation = "source-over";
      tailIdleFrames += 1;
    } else if (tailIdleFrames === TAIL_IDLE_FRAMES) {
      // 8-bit alpha never fades to exactly 0: wipe what is left once nothing moves.
      c.clearRect(0, 0, width, height);
      tailIdleFrames += 1;
    }
    const xy = particles?.xy;
    if (xy && prevParticleXY && prevParticleXY !== xy) {
      const n = Math.min(particles.count, prevParticleXY.length / 2);
      const { sx, ox, sy, oy } = layout.tf;
      c.beginPath();
      let moved = false;
      for (let i = 0; i < n; i++) {
        const x0 = prevParticleXY[2 * i];
        const y0 = prevParticleXY[2 * i + 1];
        const x1 = xy[2 * i];
        const y1 = xy[2 * i + 1];
        if (x0 === x1 && y0 === y1) continue;
        c.moveTo(ox + sx * x0, oy + sy * y0);
        c.lineTo(ox + sx * x1, oy + sy * y1);
        moved = true;
      }
      if (moved) {
        c.strokeStyle = "rgba(236, 242, 255, 0.7)";
        c.lineWidth = 1.3;
        c.lineCap = "butt"; // round caps cost a lot to rasterize in software
        c.stroke();
        tailIdleFrames = 0;
      }
    }
    if (!xy || particles.count === 0) {
      if (prevParticleXY && prevParticleXY.length) c.clearRect(0, 0, width, height);
      prevParticleXY = null;
    } else {
      prevParticleXY = xy;
    }
    c.restore();
  }

  // --------------------------------------------------------------------------- top layer

  function drawTop(model, state, ui) {
    const c = ctx.top;
    const { width, height } = layout;
    c.clearRect(0, 0, width, height);
    c.save();
    clipToPlot(c);
    drawParticleDots(c, model.particles);
    drawnKeys = [];
    const runs = model.runs;
    if (runs) {
      // Reverse registry order: where balls overlap, the classic ones (SGD, Momentum)
      // stay visible and Adam hides its near-twin AdamW rather than the other way round.
      for (let i = runs.keys.length - 1; i >= 0; i--) {
        const key = runs.keys[i];
        if (!visible(state, key)) continue;
        drawnKeys.unshift(key);
        const [px, py] = toPixel(runs.positions[2 * i], runs.positions[2 * i + 1]);
        drawBall(c, px, py, colorOf(key), runs.status[i]);
      }
    }
    c.restore();
    drawStartMarker(c, state.start, ui.dragStart);
  }

  // Dots as small squares in one path per colour: at a few CSS pixels they read as dots,
  // and without a GPU squares rasterize far faster than thousands of arcs.
  function drawParticleDots(c, particles) {
    if (!particles || particles.count === 0) return;
    const { xy, at_rest: atRest, count } = particles;
    const { sx, ox, sy, oy } = layout.tf;
    const half = DOT_DIAMETER / 2;
    for (const resting of [0, 1]) {
      c.beginPath();
      for (let i = 0; i < count; i++) {
        if ((atRest[i] ? 1 : 0) !== resting) continue;
        c.rect(ox + sx * xy[2 * i] - half, oy + sy * xy[2 * i + 1] - half, DOT_DIAMETER, DOT_DIAMETER);
      }
      c.fillStyle = resting ? PARTICLE_REST_COLOR : PARTICLE_COLOR;
      c.fill();
    }
  }

  function drawBall(c, px, py, color, status) {
    c.beginPath();
    c.arc(px, py, BALL_RADIUS, 0, 2 * Math.PI);
    c.fillStyle = color;
    c.fill();
    c.lineWidth = 2;
    c.strokeStyle = "rgba(8, 10, 18, 0.95)";
    c.stroke();
    c.beginPath();
    c.arc(px, py, BALL_RADIUS + 1.6, 0, 2 * Math.PI);
    c.lineWidth = 1;
    c.strokeStyle = "rgba(255, 255, 255, 0.75)";
    c.stroke();
    if (status === "diverged") {
      // End marker: the ball stopped at its last finite position.
      const r = BALL_RADIUS + 5;
      c.beginPath();
      c.moveTo(px - r, py - r);
      c.lineTo(px + r, py + r);
      c.moveTo(px + r, py - r);
      c.lineTo(px - r, py + r);
      c.lineWidth = 4;
      c.strokeStyle = "rgba(8, 10, 18, 0.9)";
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

  function drawStartMarker(c, start, dragStart) {
    if (!start) return;
    const [sx, sy] = toPixel(start[0], start[1]);
    if (dragStart) {
      const [dx, dy] = toPixel(dragStart[0], dragStart[1]);
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
    c.save();
    c.globalAlpha = alpha;
    c.beginPath();
    c.arc(px, py, START_RADIUS, 0, 2 * Math.PI);
    c.moveTo(px - START_RADIUS - 4, py);
    c.lineTo(px - START_RADIUS + 3, py);
    c.moveTo(px + START_RADIUS - 3, py);
    c.lineTo(px + START_RADIUS + 4, py);
    c.moveTo(px, py - START_RADIUS - 4);
    c.lineTo(px, py - START_RADIUS + 3);
    c.moveTo(px, py + START_RADIUS - 3);
    c.lineTo(px, py + START_RADIUS + 4);
    c.lineWidth = 3.5;
    c.strokeStyle = "rgba(8, 10, 18, 0.85)";
    c.stroke();
    c.lineWidth = 1.6;
    c.strokeStyle = "#ffffff";
    c.stroke();
    c.restore();
  }

  return {
    setScene,
    setContours,
    get hasContours() {
      return Boolean(picture?.contours);
    },
    prepare,
    relayout,
    frame,
    toData,
    toPixel,
    insidePlot,
    get drawnKeys() {
      return [...drawnKeys];
    },
    get plotRect() {
      return layout ? { ...layout.plot } : null;
    },
    hitStart(start, px, py) {
      if (!layout || !start) return false;
      const [sx, sy] = toPixel(start[0], start[1]);
      return Math.hypot(px - sx, py - sy) <= START_RADIUS + 6;
    },
  };
}

function visible(state, key) {
  return state.show === "all" || state.show === key;
}

function colorOf(key) {
  return OPTIMIZER_COLORS[key] ?? FALLBACK_COLOR;
}

function starPath(c, cx, cy, outer, inner) {
  c.beginPath();
  for (let i = 0; i < 10; i++) {
    const r = i % 2 ? inner : outer;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    const x = cx + r * Math.cos(a);
    const y = cy + r * Math.sin(a);
    if (i === 0) c.moveTo(x, y);
    else c.lineTo(x, y);
  }
  c.closePath();
}

// About `count` round tick values (1, 2 or 5 times a power of ten) inside [lo, hi].
export function niceTicks(lo, hi, count) {
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
  }
  return ticks;
}

function tickLabel(value) {
  return fmt(value, 4);
}
