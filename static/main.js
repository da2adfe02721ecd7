// Wiring: the store, the Python worker, the session, the plot and the panels, and the
// animation loop that ties them to the screen. No logic of its own beyond that.

import { BOOT_TIMEOUT_MS, BUSY_LEGEND_PERIOD_MS, BUSY_PANEL_BALLS, LEGEND_PERIOD_MS } from "./config.js";
import { registerOffline } from "./offline.js";
import { createControls } from "./panels/controls.js";
import { createExpression } from "./panels/expression.js";
import { createKeyboard } from "./panels/keyboard.js";
import { createLegend } from "./panels/legend.js";
import { createLossChart } from "./panels/loss-chart.js";
import { createNotes } from "./panels/notes.js";
import { createNotices } from "./panels/notices.js";
import { createOptimizerSettings } from "./panels/optimizer-settings.js";
import { createPlotInput } from "./panels/plot-input.js";
import { createPresentation } from "./panels/presentation.js";
import { createReadout } from "./panels/readout.js";
import { createSweep } from "./panels/sweep.js";
import { createTakeaway } from "./panels/takeaway.js";
import { createTimeline } from "./panels/timeline.js";
import { sceneAt } from "./model/timeline.js";
import { createZoom } from "./panels/zoom.js";
import { createPlot } from "./plot/index.js";
import { colorOf } from "./plot/style.js";
import { startPython } from "./python.js";
import { createSession } from "./session.js";
import { createSide } from "./side.js";
import { createStore, landscapeMeta, parseHash, visibleKeys } from "./store.js";
import { createHook } from "./test-hook.js";

const $ = (id) => document.getElementById(id);

const notices = createNotices({
  status: $("status"), statusText: $("status-text"), statusProgress: $("status-progress"),
  notice: $("notice"), noticeText: $("notice-text"), noticeClose: $("notice-close"),
});
const store = createStore();
const python = startPython({
  onProgress: (text, fraction) => notices.status("loading", text, fraction),
  timeoutMs: BOOT_TIMEOUT_MS,
  prefetch: prefetchArgs(location.hash),
  onEvent: onWorkerEvent,
});
const side = createSide(); // the second Python worker, started on first need
const plot = createPlot($("plot"));
const ui = { dragStart: null, cursor: null, visible: new Set(), labels: new Map() }; // what the plot shows besides state and model
let panels = null;
let zoom = null; // zoom and pan of the map (panels/zoom.js)
let contoursAvailable = false;

const session = createSession({
  python,
  store,
  notices,
  on: {
    scene(scene, meta) {
      plot.setScene(scene, meta);
      if (store.state?.view) store.set({ view: null }); // a new landscape shows whole
      panels?.notes.showLandscape(meta);
      if (!scene.contours && contoursAvailable) fetchContours();
    },
    picture(picture) {
      plot.setPicture(picture, store.model.meta); // the gradient field stays
      zoom?.refresh(); // a zoomed window gets its own picture in the new colours
      if (!picture.contours && contoursAvailable) fetchContours();
    },
    field: (field) => plot.setField(field),
    rules: (rules) => panels?.notes.setRules(rules),
    // Python refused some settings: shown at their fields when the settings panel shows
    // them; returns the rest (for the notice).
    problems: (problems) => panels?.settings.showProblems(problems) ?? problems,
    // "Your own f(x, y)" chosen in the Landscape select, or asked for by the URL.
    customEditor: () => panels?.expression.open(),
    customFromUrl(spec) {
      session.actions.holdHash(true);
      panels?.expression.apply(spec, { fromUrl: true });
    },
  },
});
const hook = createHook({ store, session, plot, python, side, ui });
window.__playground = hook;

// The picture the first frame will most likely need, for the worker to compute as soon
// as Python is up. Only a hint: app.py validates it and parseHash() still decides.
function prefetchArgs(hash) {
  const params = new URLSearchParams(String(hash).replace(/^#/, ""));
  return { landscape: params.get("landscape"), colormap: params.get("cmap") };
}

boot();

async function boot() {
  notices.status("loading", "Loading Python runtime…", 0.02);
  try {
    const { ms, stages, workerOffset } = await python.ready;
    Object.assign(hook.boot, { stages, workerOffset: Math.round(workerOffset), workerMs: ms });
  } catch (err) {
    notices.status("error", err.message); // says what went wrong and what to do
    return;
  }
  let pendingCustom = null;
  try {
    notices.status("loading", "Computing the landscape…", 0.9);
    const catalog = await python.call("init");
    session.model.catalog = catalog;
    const { state: parsed, problems } = parseHash(location.hash, catalog);
    let wanted;
    ({ pendingCustom, ...wanted } = parsed); // a typed landscape: compiled once the page runs
    store.state = wanted;
    panels = createPanels(catalog);
    panels.controls.sync(wanted);
    plot.prepare(landscapeMeta(catalog, wanted.landscape).domain);
    problems.push(...(await session.firstScene(wanted))); // and Python's word on the URL's settings
    if (pendingCustom) session.actions.holdHash(true); // the URL's f(x, y) stays in it while it compiles
    session.writeHash();
    if (wanted.field) session.fetchField();
    if (problems.length) notices.show(problems.join("\n"), "warn");
  } catch (err) {
    notices.status("error", `Python started, but computing the first landscape failed: ${err.message}. ` +
      "Reload the page; if it persists, rebuild with ./dev serve and report the message.");
    console.error(err);
    return;
  }
  new ResizeObserver(() => {
    plot.relayout();
    panels.chart.resize();
    session.markDirty();
  }).observe($("plot"));
  window.addEventListener("hashchange", () => session.onHashChange());
  requestAnimationFrame(frame);
  await new Promise((drawn) => requestAnimationFrame(drawn)); // the loop's first frame drew the scene
  hook.boot.ms = Math.round(performance.now());
  python.loadLater(); // contourpy: the contour lines follow the first frame
  registerOffline(); // the service worker: offline after this visit (static/offline.js)
  const loadedIn = (performance.now() / 1000).toFixed(1);
  if (pendingCustom) {
    // A shared link's f(x, y): until it is shown the page says it is being built, never
    // "Ready" over the landscape it replaces, and the controls stay disabled (an edit now
    // would change that landscape, not the link's).
    const onStage = (text, fraction) => notices.status("loading", text, fraction);
    onStage("Building your f(x, y): starting…", 0.01);
    await panels.expression.apply(pendingCustom, { fromUrl: true, onStage });
  }
  panels.controls.setEnabled(true);
  notices.status("ready", `Python loaded in ${loadedIn} s · Ready`, 1);
}

function createPanels(catalog) {
  const optimizers = catalog.optimizers.map((o) => ({ ...o, color: colorOf(o.key) }));
  ui.labels = new Map(catalog.optimizers.map((o) => [o.key, o.label]));
  const readout = createReadout($("readout"), python, { model: () => store.model, digits: () => zoom?.digits() ?? {} });
  const created = {
    controls: createControls(catalog, store, session.actions),
    expression: createExpression($("expression"), { store, side, actions: session.actions, catalog }),
    legend: createLegend($("legend"), catalog, store, {
      toggle: session.actions.toggle,
      openSettings: (key, opener) => created.settings.open(key, opener),
    }),
    settings: createOptimizerSettings($("optimizer-settings"), catalog, store, session.actions),
    notes: createNotes($("notes"), catalog, store, session.actions),
    chart: createLossChart($("loss-chart"), { optimizers, height: 170 }),
    sweep: createSweep($("sweep"), {
      catalog, store, python, actions: session.actions, visible: () => visibleKeys(store.state, catalog),
    }),
    takeaway: createTakeaway($("takeaway"), { python, side, store, visible: () => visibleKeys(store.state, catalog) }),
    readout,
    timeline: createTimeline($("timeline"), { store, actions: session.actions }),
  };
  const redraw = () => session.markDirty();
  const input = createPlotInput(plot.top, { plot, store, actions: session.actions, readout, ui, redraw });
  zoom = createZoom(plot.top, {
    plot, store, python, cancelPress: input.cancel, onError: (text) => notices.show(text, "warn"),
    onPicture(picture) {
      plot.setPicture(picture);
      session.markDirty();
    },
  });
  createPresentation({ button: $("present"), helpEl: $("help"), store, actions: session.actions }); // before the keyboard's Escape
  createKeyboard({
    plotEl: $("plot"), helpEl: $("help"), helpButton: $("help-open"), store, actions: session.actions, readout, ui, redraw,
    zoom,
  });
  store.subscribe((state, patch) => {
    if ("show" in patch) ui.visible = visibleKeys(state, catalog);
    if ("landscape" in patch && !ui.cursor) readout.idle(); // no stale values from the old landscape
    session.markDirty();
  });
  ui.visible = visibleKeys(store.state, catalog);
  hook.sweep = created.sweep; // settled() and summary() for tests and the benchmark
  hook.takeaway = created.takeaway;
  hook.chart = created.chart;
  hook.expression = created.expression;
  return created;
}

function onWorkerEvent(event) {
  if (event.name === "contours-available") {
    contoursAvailable = true;
    if (store.model.meta && !plot.hasContours) fetchContours();
    warmPictures();
  } else if (event.name === "contours-failed") {
    notices.show(`Iso-loss contour lines are unavailable: ${event.message}`, "warn");
  }
}

async function fetchContours() {
  if (store.state?.view) return zoom.refresh(); // the zoomed window's picture brings its own
  try {
    const reply = await python.call("contours", { resolution: store.state?.resolution });
    if (reply.landscape === store.model.meta?.key) {
      plot.setContours(reply.contours);
      session.markDirty();
    }
  } catch (err) {
    notices.show(`Could not draw the contour lines: ${err.message}`, "warn");
  }
}

// Idle time after the first frame: the worker computes every landscape's picture once,
// one per request (interleaved with the animation's), so that a later switch only paints.
async function warmPictures() {
  const idle = () =>
    new Promise((go) => (window.requestIdleCallback ? requestIdleCallback(go, { timeout: 500 }) : setTimeout(go, 50)));
  for (;;) {
    await idle();
    if (!store.state) continue;
    let reply;
    try {
      reply = await python.call("warm", { colormap: store.state.colormap, resolution: store.state.resolution });
    } catch {
      return; // only a head start: a switch computes its picture anyway
    }
    if (!reply.remaining) return;
  }
}

// ----------------------------------------------------------------------------- the loop

let lastPanels = 0;
let chartDue = false;
const panelPeriod = () => (ui.visible.size > BUSY_PANEL_BALLS ? BUSY_LEGEND_PERIOD_MS : LEGEND_PERIOD_MS);

// The panels follow at ~10 Hz (5 Hz with more than eight balls shown): the outcome table
// on one frame, the loss chart on the next, so that no frame pays for both (each costs
// Chromium a few ms of layout, paint and rasterisation on top of the plot's layers).
function frame(now) {
  const t0 = performance.now();
  session.tick(now);
  const model = store.model;
  const changed = session.takeDirty();
  if (changed) hook.panelsDirty = true;
  // The live run, or the scene at the step the timeline shows (static/model/timeline.js).
  const shown = sceneAt(model, store.state.viewStep);
  plot.frame({ ...model, runs: shown.runs, trails: shown.trails }, store.state, ui, changed);
  if (chartDue) {
    panels.chart.update(model.history, ui.visible, shown.step);
    chartDue = false;
  } else if (hook.panelsDirty && now - lastPanels >= panelPeriod()) {
    panels.legend.update(shown.runs, ui.visible);
    panels.timeline.update(model, store.state, shown.step);
    panels.controls.showRate(session.rate(now));
    const p = model.particles;
    panels.controls.showParticleCount(p ? p.count : 0, p ? p.count - p.moving : 0);
    lastPanels = now;
    hook.panelsDirty = false;
    chartDue = true;
  }
  hook.recordFrame(performance.now() - t0);
  requestAnimationFrame(frame);
}
