// Wiring and the animation loop.
//
// Data flows one way: an input event changes `state` → the worker's Python computes →
// the reply lands in `model` → the renderer reads state and model and draws. Requests
// that restart the run (scene, reset) go one at a time; edits made meanwhile are merged
// and sent next, and a rejected edit leaves the previous state in place.

import { BOOT_TIMEOUT_MS, LEGEND_PERIOD_MS, TRAIL_CAPACITY } from "./config.js";
import { createControls } from "./controls.js";
import { fmt } from "./format.js";
import { createLegend } from "./legend.js";
import { startPython } from "./python.js";
import { createPlot } from "./render.js";
import { landscapeMeta, parseHash, roundCoordinate, serializeHash } from "./state.js";
import { Trail } from "./trails.js";

const $ = (id) => document.getElementById(id);

// Main-thread tasks over 50 ms (the page's budget), for the tests and the console.
const longTasks = [];
if (PerformanceObserver.supportedEntryTypes?.includes("longtask")) {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: Math.round(e.startTime), ms: Math.round(e.duration) });
  }).observe({ type: "longtask", buffered: true });
}

// ----------------------------------------------------------------------------- status

const statusEl = $("status");
const statusText = $("status-text");
const statusProgress = $("status-progress");
const noticeEl = $("notice");
$("notice-close").addEventListener("click", () => clearNotice());

function setStatus(kind, text, fraction) {
  statusEl.dataset.state = kind;
  statusText.textContent = text;
  statusProgress.hidden = kind !== "loading";
  if (fraction !== undefined) statusProgress.value = fraction;
}

function showNotice(text, kind = "warn") {
  $("notice-text").textContent = text;
  noticeEl.dataset.kind = kind;
  noticeEl.hidden = false;
}

function clearNotice() {
  noticeEl.hidden = true;
  $("notice-text").textContent = "";
  delete noticeEl.dataset.kind;
}

// ----------------------------------------------------------------------------- the three objects

let state = null; // what the user asked for (see state.js)
const model = {
  // what Python computed
  catalog: null,
  meta: null, // the current landscape's catalog entry
  runs: null, // <snapshot>
  trails: new Map(), // optimizer key -> Trail
  particles: null, // <particles>
};
const ui = { dragStart: null }; // pointer feedback the renderer shows

const python = startPython({
  onProgress: (text, fraction) => setStatus("loading", text, fraction),
  timeoutMs: BOOT_TIMEOUT_MS,
  prefetch: prefetchArgs(location.hash),
  onEvent: onWorkerEvent,
});

// The picture the first frame will most likely need, for the worker to compute as soon
// as Python is up, before the page has even asked. Only a hint: app.py validates it and
// parseHash() below still decides (and reports) what is shown.
function prefetchArgs(hash) {
  const params = new URLSearchParams(String(hash).replace(/^#/, ""));
  return { landscape: params.get("landscape"), colormap: params.get("cmap") };
}
const plot = createPlot($("plot"));
let controls = null;
let legend = null;
let dirty = true;
let legendDirty = true;

boot();

async function boot() {
  setStatus("loading", "Loading Python runtime…", 0.02);
  let ms;
  try {
    let stages;
    let workerOffset;
    ({ ms, stages, workerOffset } = await python.ready);
    hook.bootStages = stages;
    hook.workerOffset = Math.round(workerOffset); // worker start, ms after navigation
  } catch (err) {
    setStatus("error", err.message); // says what went wrong and what to do
    return;
  }
  try {
    setStatus("loading", "Computing the landscape…", 0.9);
    const catalog = await python.call("init");
    model.catalog = catalog;
    // Built while the landscape computes (controls stay disabled until Ready).
    controls = createControls(catalog, handlers);
    legend = createLegend($("legend"), catalog.optimizers);
    const { state: wanted, problems } = parseHash(location.hash, catalog);
    controls.sync(wanted);
    plot.prepare(landscapeMeta(catalog, wanted.landscape).domain);
    const scene = await python.call("scene", sceneArgs(wanted));
    state = wanted;
    applyScene(scene);
    writeHash();
    if (problems.length) showNotice(problems.join("\n"), "warn");
  } catch (err) {
    setStatus("error", `Python started, but computing the first landscape failed: ${err.message}. ` +
      "Reload the page; if it persists, rebuild with ./dev serve and report the message.");
    console.error(err);
    return;
  }
  bindPointer();
  new ResizeObserver(() => {
    plot.relayout();
    dirty = true;
  }).observe($("plot"));
  window.addEventListener("hashchange", onHashChange);
  requestAnimationFrame(frame);
  await new Promise((drawn) => requestAnimationFrame(drawn)); // the loop's first frame drew the scene
  hook.bootMs = Math.round(performance.now());
  hook.workerBootMs = ms;
  controls.setEnabled(true);
  setStatus("ready", `Python loaded in ${(performance.now() / 1000).toFixed(1)} s · Ready`, 1);
  python.loadLater(); // contourpy: the contour lines follow the first frame
}

function sceneArgs(s) {
  return { landscape: s.landscape, lr: s.lr, beta: s.beta, start: s.start, resolution: s.resolution, colormap: s.colormap };
}

function writeHash() {
  history.replaceState(null, "", `#${serializeHash(state, model.catalog)}`);
}

// ----------------------------------------------------------------------------- applying replies

function applyScene(scene) {
  model.meta = landscapeMeta(model.catalog, scene.landscape);
  const title = document.createElement("strong");
  title.textContent = `${model.meta.label}. `;
  $("description").replaceChildren(title, model.meta.description);
  plot.setScene(scene, model.meta);
  if (!scene.contours && contoursAvailable) fetchContours();
  restartTrails(scene.runs);
  model.particles = scene.particles;
  dirty = legendDirty = true;
}

// contourpy loads after Ready; scenes computed before then come without contour lines.
let contoursAvailable = false;

function onWorkerEvent(event) {
  if (event.name === "contours-available") {
    contoursAvailable = true;
    if (model.meta && !plot.hasContours) fetchContours();
    warmPictures();
  } else if (event.name === "contours-failed") {
    showNotice(`Iso-loss contour lines are unavailable: ${event.message}`, "warn");
  }
}

// Idle time after the first frame: the worker computes every landscape's picture once,
// one landscape per request (these interleave with the animation's), so that switching
// landscapes later only has to paint.
async function warmPictures() {
  const idle = () =>
    new Promise((go) => (window.requestIdleCallback ? requestIdleCallback(go, { timeout: 500 }) : setTimeout(go, 50)));
  for (;;) {
    await idle();
    if (!state) continue;
    let reply;
    try {
      reply = await python.call("warm", { colormap: state.colormap, resolution: state.resolution });
    } catch {
      return; // only a head start: a switch computes its picture anyway
    }
    if (!reply.remaining) return;
  }
}

async function fetchContours() {
  try {
    const reply = await python.call("contours", { resolution: state?.resolution });
    if (reply.landscape === model.meta?.key) {
      plot.setContours(reply.contours);
      dirty = true;
    }
  } catch (err) {
    showNotice(`Could not draw the contour lines: ${err.message}`, "warn");
  }
}

function restartTrails(runs) {
  model.runs = runs;
  runs.keys.forEach((key, i) => {
    if (!model.trails.has(key)) model.trails.set(key, new Trail(TRAIL_CAPACITY));
    model.trails.get(key).clear(runs.positions[2 * i], runs.positions[2 * i + 1]);
  });
  dirty = legendDirty = true;
}

function applyAdvance(reply, steps) {
  const n = reply.runs.keys.length;
  const trails = reply.runs.keys.map((key) => model.trails.get(key));
  const path = reply.path; // [steps, n, 2]
  for (let s = 0; s < steps; s++) {
    for (let i = 0; i < n; i++) trails[i].push(path[2 * (s * n + i)], path[2 * (s * n + i) + 1]);
  }
  model.runs = reply.runs;
  model.particles = reply.particles;
  dirty = legendDirty = true;
}

// ----------------------------------------------------------------------------- changes

// A restart (scene or reset) in flight, and edits waiting for it.
let restarting = false;
let queued = null;

function propose(patch) {
  queued = { ...(queued ?? {}), ...patch };
  if (!restarting) flush();
}

async function flush() {
  const patch = queued;
  queued = null;
  restarting = true;
  const next = { ...state, ...patch };
  const needScene = next.landscape !== state.landscape;
  const recolorOnly = !needScene && Object.keys(patch).length > 0 && Object.keys(patch).every((k) => k === "colormap");
  try {
    if (needScene) {
      const scene = await python.call("scene", sceneArgs(next));
      Object.assign(state, patch); // only the patch: Play, Show or Speed may have changed meanwhile
      applyScene(scene);
    } else {
      if (next.colormap !== state.colormap) {
        // A new colormap repaints the picture; the balls and particles keep going.
        const picture = await python.call("recolor", { colormap: next.colormap, resolution: next.resolution });
        plot.setScene(picture, model.meta);
        if (!picture.contours && contoursAvailable) fetchContours();
        dirty = true;
      }
      if (!recolorOnly) {
        const reply = await python.call("reset", { lr: next.lr, beta: next.beta, start: next.start });
        restartTrails(reply.runs);
        model.particles = reply.particles;
      }
      Object.assign(state, patch);
    }
    writeHash();
    if (noticeEl.dataset.kind === "error") clearNotice();
  } catch (err) {
    showNotice(`Could not apply ${describePatch(patch)}: ${err.message}. The previous settings are kept.`, "error");
  } finally {
    restarting = false;
    // With edits still queued (a slider being dragged) the controls keep showing them.
    if (queued) flush();
    else controls.sync(state);
  }
}

function describePatch(patch) {
  const keys = Object.keys(patch);
  if (!keys.length) return "the reset";
  return keys.map((k) => `${k}=${Array.isArray(patch[k]) ? patch[k].map(fmt).join(",") : patch[k]}`).join(", ");
}

const handlers = {
  landscape(key) {
    const meta = landscapeMeta(model.catalog, key);
    propose({ landscape: key, lr: meta.default_lr, start: [...meta.start] });
  },
  lr(lr) {
    propose({ lr });
  },
  beta(beta) {
    propose({ beta });
  },
  colormap(colormap) {
    propose({ colormap });
  },
  show(show) {
    state.show = show;
    afterLocalChange();
  },
  speed(speed) {
    state.speed = speed;
    afterLocalChange();
  },
  play() {
    state.playing = !state.playing;
    controls.sync(state);
  },
  step() {
    state.playing = false;
    manualSteps += 1;
    controls.sync(state);
  },
  reset() {
    propose({});
  },
  dropGrid() {
    particleCall("drop_grid", { n: 12 });
  },
  clear() {
    particleCall("clear", {});
  },
};

function afterLocalChange() {
  writeHash();
  controls.sync(state);
  dirty = legendDirty = true;
}

async function particleCall(cmd, args) {
  try {
    const reply = await python.call(cmd, args);
    model.particles = reply.particles;
    dirty = legendDirty = true;
  } catch (err) {
    showNotice(`${cmd === "drop" ? "Could not drop a particle" : `Could not ${cmd.replace("_", " ")}`}: ${err.message}`, "error");
  }
}

function onHashChange() {
  const { state: wanted, problems } = parseHash(location.hash, model.catalog);
  if (problems.length) showNotice(problems.join("\n"), "warn");
  state.show = wanted.show;
  state.speed = wanted.speed;
  const patch = {};
  for (const key of ["landscape", "lr", "beta", "colormap"]) if (wanted[key] !== state[key]) patch[key] = wanted[key];
  if (wanted.start.some((v, i) => v !== state.start[i])) patch.start = wanted.start;
  if (Object.keys(patch).length) propose(patch);
  else afterLocalChange();
}

// ----------------------------------------------------------------------------- the plot's pointer input

function bindPointer() {
  const canvas = $("layer-top");
  let press = null; // {x, y, drag}
  let probing = false;
  let probeNext = null;
  const readout = $("readout");

  const local = (e) => {
    const box = canvas.getBoundingClientRect();
    return [e.clientX - box.left, e.clientY - box.top];
  };
  const clampedData = (px, py) => {
    const [xmin, xmax, ymin, ymax] = model.meta.domain;
    const span = Math.max(xmax - xmin, ymax - ymin);
    const [x, y] = plot.toData(px, py);
    return [
      roundCoordinate(Math.min(xmax, Math.max(xmin, x)), span),
      roundCoordinate(Math.min(ymax, Math.max(ymin, y)), span),
    ];
  };

  canvas.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    const [px, py] = local(e);
    if (!plot.insidePlot(px, py)) return;
    const drag = e.shiftKey || plot.hitStart(state.start, px, py);
    press = { x: px, y: py, drag };
    if (drag) {
      ui.dragStart = clampedData(px, py);
      canvas.setPointerCapture(e.pointerId);
      canvas.style.cursor = "grabbing";
      dirty = true;
    }
  });

  canvas.addEventListener("pointermove", (e) => {
    const [px, py] = local(e);
    if (press?.drag) {
      ui.dragStart = clampedData(px, py);
      dirty = true;
      probe(ui.dragStart); // the readout shows where the balls will start
      return;
    }
    if (!plot.insidePlot(px, py)) {
      readout.textContent = "Hover over the map to read x, y, f and ∇f.";
      canvas.style.cursor = "default";
      return;
    }
    canvas.style.cursor = plot.hitStart(state.start, px, py) ? "grab" : "crosshair";
    probe(plot.toData(px, py));
  });

  canvas.addEventListener("pointerleave", () => {
    if (!press?.drag) readout.textContent = "Hover over the map to read x, y, f and ∇f.";
  });

  canvas.addEventListener("pointerup", (e) => {
    if (!press) return;
    const [px, py] = local(e);
    if (press.drag) {
      const start = clampedData(px, py);
      ui.dragStart = null;
      canvas.style.cursor = "grab";
      if (start[0] !== state.start[0] || start[1] !== state.start[1]) propose({ start });
      dirty = true;
    } else if (Math.hypot(px - press.x, py - press.y) < 6) {
      particleCall("drop", { points: [plot.toData(px, py)] });
    }
    press = null;
  });

  canvas.addEventListener("pointercancel", () => {
    press = null;
    ui.dragStart = null;
    dirty = true;
  });

  // One probe in flight; the newest cursor position goes next.
  async function probe(point) {
    probeNext = point;
    if (probing) return;
    probing = true;
    while (probeNext) {
      const [x, y] = probeNext;
      probeNext = null;
      try {
        const r = await python.call("probe", { x, y });
        readout.textContent = `x = ${fmt(r.x)}, y = ${fmt(r.y)}   f = ${fmt(r.f)}   ∇f = (${fmt(r.gx)}, ${fmt(r.gy)})`;
      } catch (err) {
        readout.textContent = `Could not evaluate f here: ${err.message}`;
      }
    }
    probing = false;
  }
}

// ----------------------------------------------------------------------------- the animation loop

let advancing = false; // at most one advance request in flight
let manualSteps = 0; // Step clicks not yet sent
let lastLegend = 0;
const frameWork = new Float64Array(600); // main-thread ms per frame, a ring
let frameCount = 0;

async function advance(steps) {
  advancing = true;
  try {
    const reply = await python.call("advance", { steps });
    applyAdvance(reply, steps);
  } catch (err) {
    state.playing = false;
    controls.sync(state);
    showNotice(`The run stopped: ${err.message}`, "error");
  } finally {
    advancing = false;
  }
}

function frame(now) {
  const t0 = performance.now();
  if (!advancing && !restarting && !queued) {
    if (manualSteps > 0) {
      const steps = manualSteps;
      manualSteps = 0;
      advance(steps);
    } else if (state.playing) {
      advance(state.speed);
    }
  }
  plot.frame(model, state, ui, dirty);
  dirty = false;
  if (legendDirty && now - lastLegend >= LEGEND_PERIOD_MS) {
    legend.update(model.runs, state.show);
    const p = model.particles;
    let resting = 0;
    if (p) for (let i = 0; i < p.count; i++) resting += p.at_rest[i];
    controls.showParticleCount(p ? p.count : 0, resting);
    lastLegend = now;
    legendDirty = false;
  }
  frameWork[frameCount++ % frameWork.length] = performance.now() - t0;
  requestAnimationFrame(frame);
}

// ----------------------------------------------------------------------------- test and debug hook

// Read-only views for tests and the console, plus `frame()`: one frame's worth of
// Play (state.speed steps) through the same path the loop uses.
const hook = {
  bootMs: null, // navigation start to Ready
  workerBootMs: null, // worker start to Python ready
  bootStages: null, // [stage, ms since the worker started]
  snapshot() {
    const r = model.runs;
    if (!r) return null;
    return {
      step: r.step,
      keys: [...r.keys],
      positions: r.keys.map((_, i) => [r.positions[2 * i], r.positions[2 * i + 1]]),
      loss: Array.from(r.loss),
      best: Array.from(r.best),
      status: [...r.status],
    };
  },
  particles() {
    const p = model.particles;
    if (!p) return null;
    return {
      count: p.count,
      xy: Array.from({ length: p.count }, (_, i) => [p.xy[2 * i], p.xy[2 * i + 1]]),
      atRest: Array.from(p.at_rest, Boolean),
      loss: Array.from(p.loss),
    };
  },
  state() {
    return state ? structuredClone(state) : null;
  },
  longTasks() {
    return longTasks.map((t) => ({ ...t }));
  },
  trailLengths() {
    return Object.fromEntries([...model.trails].map(([k, t]) => [k, t.length]));
  },
  drawnKeys() {
    return plot.drawnKeys;
  },
  hasContours() {
    return plot.hasContours;
  },
  toPixel(x, y) {
    return plot.toPixel(x, y);
  },
  plotRect() {
    return plot.plotRect;
  },
  // Main-thread work per animation frame (ms) over the frames since `since` (a frame count).
  frameStats(since = 0) {
    const from = Math.max(since, frameCount - frameWork.length);
    const work = [];
    for (let i = from; i < frameCount; i++) work.push(frameWork[i % frameWork.length]);
    work.sort((a, b) => a - b);
    const at = (q) => (work.length ? work[Math.floor(q * (work.length - 1))] : 0);
    return { frames: frameCount, measured: work.length, p50: at(0.5), p95: at(0.95), max: at(1) };
  },
  async idle() {
    while (advancing || restarting || queued || manualSteps > 0) await new Promise((r) => setTimeout(r, 5));
  },
  async frame() {
    await hook.idle();
    await advance(state.speed);
  },
  // For the benchmark: an n×n particle grid through the same call as the button (12×12).
  async dropGrid(n) {
    await hook.idle();
    await particleCall("drop_grid", { n });
  },
  // For the benchmark: selects `key` as a user does and resolves with the milliseconds
  // from the change until the next frame starts after the one that drew the new
  // heatmap (so the picture has been presented), and whether its contours were drawn.
  async timeSceneSwitch(key) {
    await hook.idle();
    const select = document.getElementById("landscape");
    const t0 = performance.now();
    select.value = key;
    select.dispatchEvent(new Event("change"));
    await hook.idle();
    await new Promise((drawn) => requestAnimationFrame(drawn)); // the loop's frame draws first
    await new Promise((presented) => requestAnimationFrame(presented));
    return { ms: performance.now() - t0, contours: plot.hasContours };
  },
};
window.__playground = hook;
