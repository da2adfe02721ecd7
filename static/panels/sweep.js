// The learning-rate sweep: for the current landscape and start, every shown optimizer that
// takes a learning rate is run at POINTS log-spaced lrs over the landscape's lr range for
// N steps (the worker's `sweep` command: one vectorised run of POINTS particles per
// optimizer, lr per particle) and plotted by uPlot (static/vendor/uplot/, pinned and
// hash-checked) as final loss − f* (or the steps it took to get within the threshold)
// against lr, log–log, one line per optimizer in its colour and dash.
//
//   const sweep = createSweep(section, { catalog, store, python, actions, visible });
//   sweep.settled();   // resolves once no sweep is waiting or running (tests, benchmark)
//   sweep.summary();   // what is drawn, as plain data (tests)
//
// `actions` are the session's: sweep(open), sweepSteps(n) and lr(lr) (the lr slider's).
// `visible()` returns the Set of optimizer keys the plot shows.
//
// What the chart shows, per optimizer:
//   - its line: the final loss minus the target f* (floored at FLOOR), or the first step at
//     which f − f* < threshold; no point where the run diverged or never got there;
//   - × in its row of the strip along the top edge: the lrs at which the run diverged;
//   - its stable band, shaded in its colour (a faint wash over the plot and a bar in its
//     lane of the strip along the bottom): the widest contiguous run of lrs whose run got
//     within the threshold (f − f* < threshold) within N steps without diverging;
//   - a dashed vertical line: the page's current shared lr. A click sets that lr.
// The caption under the chart states each band in numbers; a hidden table repeats the
// chart for screen readers. The panel re-runs the sweep (debounced) when the landscape,
// start, shown set, β, noise, per-optimizer settings or N change while it is open; a sweep
// whose inputs changed while it ran is dropped, never drawn.

import uPlot from "../vendor/uplot/uPlot.esm.js";
import { LIMITS } from "../config.js";
import { MISSING, fmt, fmtCount } from "../format.js";
import { colorOf, dashOf, swatchSvg } from "../plot/style.js";
import { roundLr, settingsEntries, sweepStepsOf } from "../store.js";
import { ensureStylesheets } from "./stylesheets.js";

const STYLESHEETS = [
  new URL("../vendor/uplot/uPlot.min.css", import.meta.url).href,
  new URL("./sweep.css", import.meta.url).href,
];
export const POINTS = 64;
export const THRESHOLD = 1e-3;
const DEBOUNCE_MS = 300;
const HEIGHT = 260;
const FLOOR = 1e-12; // final − f* below this is drawn at this value (a log axis has no 0)
const AXIS_COLOR = "#98a2b5";
const GRID_COLOR = "rgba(152, 162, 181, 0.13)";
const TICK_COLOR = "rgba(152, 162, 181, 0.35)";
const MARKER_COLOR = "rgba(230, 233, 240, 0.75)";
const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const LABEL_FONT = '600 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const STRIP_ROW = 6; // CSS px per optimizer in the top (diverged) and bottom (band) strips
const STRIP_MAX = 40; // at most this many CSS px per strip, however many optimizers
const METRICS = {
  final: { label: "Final loss − f*", axis: "final loss − f*" },
  reached: { label: "Steps to f − f* < threshold", axis: "steps to f − f* < threshold" },
};

export function createSweep(container, { catalog, store, python, actions, visible }) {
  ensureStylesheets(STYLESHEETS);
  const labels = new Map(catalog.optimizers.map((o) => [o.key, o.label]));
  const takesLr = new Map(catalog.optimizers.map((o) => [o.key, takesLearningRate(o)]));
  const [minSteps, maxSteps] = catalog.limits?.sweep_steps ?? [10, 5000];
  const dom = buildDom(container, minSteps, maxSteps);

  let result = null; // the reply drawn (with its .signature)
  let metric = "final";
  let u = null;
  let plotHeight = HEIGHT - 48; // CSS px of the plot area, measured after each layout
  let timer = null;
  let inflight = null; // signature of the sweep in flight
  let lastSig = null; // signature of the last sweep finished (drawn, failed or nothing to sweep)
  let again = false; // inputs changed while a sweep ran
  let clickedAt = null;
  let waiters = [];
  const timing = { clicked: null, sent: null, replied: null, drawn: null, workerMs: null, ms: null };
  let hoverIdx = null;
  let highlight = null; // the optimizer whose legend entry is hovered or focused

  dom.toggle.addEventListener("click", () => {
    clickedAt = performance.now();
    actions.sweep(!store.state.sweep);
  });
  dom.steps.addEventListener("change", () => {
    const text = dom.steps.value.trim();
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < minSteps || n > maxSteps) {
      showStepsProblem(`Steps must be a whole number in ${fmtCount(minSteps)} … ${fmtCount(maxSteps)}; `
        + `kept ${fmtCount(sweepStepsOf(store.state, catalog))}.`);
      return;
    }
    showStepsProblem("");
    actions.sweepSteps(n);
  });
  dom.metric.addEventListener("change", () => {
    metric = dom.metric.value;
    if (result) draw(result);
  });

  store.subscribe((state, patch) => {
    syncControls(state);
    if (!state.sweep) {
      if ("sweep" in patch || result || timer) close();
      return;
    }
    if ("sweep" in patch && lastSig === null && !inflight) {
      schedule(0); // opened: at once (the benchmark times click → painted chart)
      return;
    }
    if ("lr" in patch && u) {
      u.redraw(false); // only the lr marker moves
      showKey();
    }
    if (signature(state) !== (inflight ?? lastSig)) schedule(DEBOUNCE_MS);
  });
  syncControls(store.state);
  if (store.state?.sweep) schedule(0);

  const resizeObserver = typeof ResizeObserver === "function"
    ? new ResizeObserver(() => u && resize()) : null;
  resizeObserver?.observe(dom.plot);

  // ------------------------------------------------------------------ running

  function sweepKeys(state) {
    const shown = visible();
    return catalog.optimizers.map((o) => o.key).filter((k) => shown.has(k) && takesLr.get(k));
  }

  // Everything the worker's sweep reads from the page's state: a change re-runs it.
  function signature(state) {
    return JSON.stringify([state.landscape, state.start, state.beta, state.noise ?? 0,
      settingsEntries(state.settings ?? {}, catalog), sweepKeys(state), sweepStepsOf(state, catalog)]);
  }

  // Python computes with the scene the worker holds; wait until the page shows that scene.
  function sceneReady() {
    const model = store.model;
    return Boolean(model?.runs && model.meta && model.meta.key === store.state.landscape);
  }

  function schedule(delay) {
    clearTimeout(timer);
    if (inflight) {
      again = true;
      showStatus(progressText(store.state), "running");
      return;
    }
    showStatus(progressText(store.state), "running");
    timer = setTimeout(run, delay);
  }

  async function run() {
    timer = null;
    const state = store.state;
    if (!state.sweep) return;
    if (!sceneReady()) {
      timer = setTimeout(run, 100);
      return;
    }
    const keys = sweepKeys(state);
    const sig = signature(state);
    if (!keys.length) {
      lastSig = sig;
      result = null;
      destroyChart();
      showStatus("None of the shown optimizers takes a learning rate: show one that does (Show, above) to sweep.", "idle");
      settle();
      return;
    }
    inflight = sig;
    again = false;
    showStatus(progressText(state), "running");
    Object.assign(timing, { clicked: clickedAt, sent: performance.now(), replied: null, drawn: null, workerMs: null, ms: null });
    clickedAt = null;
    let reply = null;
    let failure = null;
    try {
      reply = await python.call("sweep", { keys, steps: sweepStepsOf(state, catalog), points: POINTS, threshold: THRESHOLD });
    } catch (err) {
      failure = err;
    }
    inflight = null;
    timing.replied = performance.now();
    const current = store.state.sweep && signature(store.state) === sig;
    if (!current) {
      if (store.state.sweep) schedule(again ? DEBOUNCE_MS : 0);
      else settle();
      return;
    }
    lastSig = sig;
    if (failure) {
      result = null;
      destroyChart();
      showStatus(`Could not sweep: ${failure.message}`, "error");
    } else {
      result = {
        ...reply, signature: sig, label: landscapeLabel(reply.landscape),
        target: Number.isFinite(reply.target) ? reply.target : 0, // none: the loss itself
      };
      timing.workerMs = reply.elapsed_ms ?? null;
      draw(result);
      timing.drawn = performance.now();
      const started = timing.clicked ?? timing.sent;
      timing.ms = timing.drawn - started;
      showStatus(doneText(result, timing.replied - timing.sent), "done");
    }
    if (again) schedule(DEBOUNCE_MS);
    else settle();
  }

  function close() {
    clearTimeout(timer);
    timer = null;
    again = false;
    result = null;
    lastSig = null;
    destroyChart();
    showStatus("", "idle");
    if (!inflight) settle();
  }

  function settle() {
    const done = waiters;
    waiters = [];
    for (const fn of done) fn();
  }

  function landscapeLabel(key) {
    return catalog.landscapes.find((l) => l.key === key)?.label ?? key;
  }

  function progressText(state) {
    const k = sweepKeys(state).length;
    return `Sweeping ${k} optimizer${k === 1 ? "" : "s"} × ${POINTS} lrs × ${fmtCount(sweepStepsOf(state, catalog))} steps…`;
  }

  function doneText(r, ms) {
    const k = r.rows.length;
    const skipped = (r.skipped ?? []).map((key) => labels.get(key) ?? key);
    return `${k} optimizer${k === 1 ? "" : "s"} × ${r.lrs.length} lrs × ${fmtCount(r.steps)} steps on ${r.label}: `
      + `${fmtCount(ms)} ms.`
      + (skipped.length ? ` Not swept (no learning rate): ${skipped.join(", ")}.` : "");
  }

  // ------------------------------------------------------------------ drawing

  function seriesValues(row) {
    const n = row.final.length;
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      if (row.diverged[i] >= 0) out[i] = null;
      else if (metric === "final") {
        const v = row.final[i] - result.target;
        out[i] = Number.isFinite(v) ? Math.max(v, FLOOR) : null;
      } else out[i] = row.reached[i] >= 0 ? Math.max(row.reached[i], 1) : null;
    }
    return out;
  }

  function draw(r) {
    const data = [Array.from(r.lrs), ...r.rows.map(seriesValues)];
    const [dataLo, dataHi] = dataRange(data.slice(1), metric === "reached" ? [1, r.steps] : [FLOOR, 1]);
    destroyChart();
    dom.chart.hidden = false; // before measuring its width
    const n = r.rows.length;
    const strip = Math.min(STRIP_MAX, 4 + n * STRIP_ROW);
    const rowPx = (strip - 4) / n;
    const width = Math.max(Math.floor(dom.plot.clientWidth), 160);
    u = new uPlot(
      {
        width,
        height: HEIGHT,
        legend: { show: false },
        cursor: {
          y: false,
          drag: { x: false, y: false, setScale: false },
          points: { size: 6, width: 1.5, fill: "#141822" },
        },
        focus: { alpha: 0.25 },
        scales: {
          x: { time: false, distr: 3, log: 10, range: () => [r.lrs[0] / 1.08, r.lrs[r.lrs.length - 1] * 1.08] },
          // Whole decades for the data, plus room for the two strips at the top and bottom.
          y: { distr: 3, log: 10, range: () => stripRange(dataLo, dataHi, strip, plotHeight) },
        },
        axes: [
          axis("learning rate", (_, splits) => splits.map((v) => (v == null ? "" : fmt(v))), {
            size: 24,
            labelSize: 16,
            space: 40,
            splits: (self, _i, min, max) => lrSplits(self, min, max),
            filter: (_, s) => s,
          }),
          axis(yLabel(r), (_, splits) => splits.map((v) => yTick(v)), {
            size: 50,
            labelSize: 18,
            space: 16,
            splits: () => decadeSplits(dataLo, dataHi, plotHeight),
            filter: (_, s) => s,
          }),
        ],
        series: [
          { label: "lr" },
          ...r.rows.map((row, i) => ({
            label: labels.get(row.key) ?? row.key,
            stroke: colorOf(row.key),
            width: 1.6,
            dash: dashOf(row.key).map((d) => d * devicePixelRatio),
            cap: "round",
            spanGaps: false,
            // A point with no neighbour has no line: drawn as a dot.
            points: {
              show: false, size: 5, width: 1, stroke: colorOf(row.key), fill: colorOf(row.key), filter: isolated(data[i + 1]),
            },
          })),
        ],
        hooks: {
          drawClear: [(self) => drawWashes(self, r)],
          draw: [(self) => drawStrips(self, r, rowPx), (self) => drawLrMarker(self)],
          setSize: [(self) => (plotHeight = self.bbox.height / devicePixelRatio || plotHeight)],
          setCursor: [(self) => showHover(self.cursor.idx, self.cursor.left >= 0)],
        },
      },
      data,
      dom.plot,
    );
    const over = u.over;
    over.setAttribute("role", "img");
    over.setAttribute("tabindex", "0");
    over.setAttribute("aria-describedby", dom.tableId);
    over.setAttribute("aria-label", `Learning-rate sweep on ${r.label}. ${captionText(r)} `
      + "Click, or use the arrow keys and Enter, to run the balls at a learning rate.");
    // A click sets the lr the hover line shows (the sweep's lr under the cursor), so
    // what was read is what runs.
    over.addEventListener("click", (e) => {
      const idx = hoverIdx ?? nearestIndex(result.lrs, u.posToVal(e.offsetX, "x"));
      pickLr(result.lrs[idx]);
    });
    over.addEventListener("keydown", onKey);
    over.addEventListener("blur", () => showHover(null, false));
    fillLegend(r);
    dom.caption.textContent = captionText(r);
    fillTable(r);
    showHover(null, false);
  }

  function yLabel(r) {
    if (metric === "reached") return `steps to f − f* < ${fmt(r.threshold)}`;
    return r.target === 0 ? "final loss" : "final loss − f*";
  }

  function yTick(v) {
    if (v == null) return "";
    if (metric === "reached") return fmtCount(v);
    return v <= FLOOR ? `≤${fmt(v)}` : fmt(v);
  }

  function destroyChart() {
    highlight = null;
    u?.destroy();
    u = null;
    dom.plot.replaceChildren();
    dom.chart.hidden = true;
    dom.legend.replaceChildren();
    dom.caption.textContent = "";
    dom.table.replaceChildren();
  }

  function resize() {
    const w = Math.floor(dom.plot.clientWidth);
    if (w > 0 && u && Math.abs(w - u.width) >= 1) u.setSize({ width: Math.max(w, 160), height: HEIGHT });
  }

  // A band as a translucent wash over the whole height, under the lines: for the optimizer
  // whose legend entry is hovered or focused, or for every band when at most two are drawn
  // (more would mix into grey).
  function drawWashes(self, r) {
    const rows = r.rows.filter((row) => (highlight ? row.key === highlight : r.rows.length <= 2));
    const { ctx } = self;
    const { top, height } = self.bbox;
    ctx.save();
    ctx.globalAlpha = highlight ? 0.16 : 0.1;
    for (const row of rows) {
      const span = bandPixels(self, row.band);
      if (!span) continue;
      ctx.fillStyle = colorOf(row.key);
      ctx.fillRect(span[0], top, span[1] - span[0], height);
    }
    ctx.restore();
  }

  // The bottom strip: one lane per optimizer (legend order) with its band, shaded in its
  // colour between solid edges; the top strip: one row per optimizer with × at each lr
  // whose run diverged.
  function drawStrips(self, r, rowPx) {
    const { ctx } = self;
    const dpr = devicePixelRatio;
    const { left, top, width, height } = self.bbox;
    const row = rowPx * dpr;
    const lane = Math.max(row - dpr, dpr);
    const bottom = top + height - 2 * dpr;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    r.rows.forEach((rw, i) => {
      const y = bottom - (r.rows.length - i) * row;
      const dim = highlight && highlight !== rw.key;
      ctx.globalAlpha = 1;
      ctx.fillStyle = "rgba(152, 162, 181, 0.10)";
      ctx.fillRect(left, y, width, lane);
      const span = bandPixels(self, rw.band);
      if (!span) return;
      ctx.fillStyle = colorOf(rw.key);
      ctx.globalAlpha = dim ? 0.15 : 0.55;
      ctx.fillRect(span[0], y, span[1] - span[0], lane);
      ctx.globalAlpha = dim ? 0.3 : 1;
      const edge = Math.min(1.5 * dpr, (span[1] - span[0]) / 2);
      ctx.fillRect(span[0], y, edge, lane);
      ctx.fillRect(span[1] - edge, y, edge, lane);
    });
    ctx.globalAlpha = 1;
    ctx.setLineDash([]); // uPlot leaves the last series' dash set
    const arm = Math.max(Math.min(row / 2 - 0.6 * dpr, 2.5 * dpr), 1.2 * dpr);
    ctx.lineWidth = 1.2 * dpr;
    ctx.lineCap = "round";
    r.rows.forEach((rw, i) => {
      const y = top + 2 * dpr + (i + 0.5) * row;
      ctx.globalAlpha = highlight && highlight !== rw.key ? 0.3 : 1;
      ctx.strokeStyle = colorOf(rw.key);
      ctx.beginPath();
      for (let j = 0; j < rw.diverged.length; j++) {
        if (rw.diverged[j] < 0) continue;
        const x = self.valToPos(r.lrs[j], "x", true);
        ctx.moveTo(x - arm, y - arm);
        ctx.lineTo(x + arm, y + arm);
        ctx.moveTo(x - arm, y + arm);
        ctx.lineTo(x + arm, y - arm);
      }
      ctx.stroke();
    });
    ctx.restore();
  }

  // The page's shared lr: a dashed vertical line (the legend says its value).
  function drawLrMarker(self) {
    const lr = store.state?.lr;
    if (!Number.isFinite(lr)) return;
    const { ctx } = self;
    const dpr = devicePixelRatio;
    const { left, top, width, height } = self.bbox;
    const x = Math.round(self.valToPos(lr, "x", true)) + 0.5;
    if (!(x >= left && x <= left + width)) return;
    ctx.save();
    ctx.strokeStyle = MARKER_COLOR;
    ctx.lineWidth = 1.2 * dpr;
    ctx.setLineDash([4 * dpr, 3 * dpr]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.restore();
  }

  function bandPixels(self, band) {
    if (!band) return null;
    const { left, width } = self.bbox;
    let x0 = Math.max(self.valToPos(band[0], "x", true), left);
    let x1 = Math.min(self.valToPos(band[1], "x", true), left + width);
    const min = 3 * devicePixelRatio; // a band of one lr stays visible
    if (x1 - x0 < min) {
      const mid = (x0 + x1) / 2;
      x0 = mid - min / 2;
      x1 = mid + min / 2;
    }
    return [x0, x1];
  }

  // ------------------------------------------------------------------ picking an lr

  function pickLr(value) {
    if (!Number.isFinite(value)) return;
    const lr = roundLr(Math.min(Math.max(value, LIMITS.lr.min), LIMITS.lr.max));
    actions.lr(lr);
  }

  function onKey(e) {
    if (!result || !u) return;
    const last = result.lrs.length - 1;
    const step = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, Home: -Infinity, End: Infinity }[e.key];
    if (step !== undefined) {
      e.preventDefault();
      const from = hoverIdx ?? nearestIndex(result.lrs, store.state.lr);
      const idx = Math.min(last, Math.max(0, from + (Number.isFinite(step) ? step : step > 0 ? last : -last)));
      u.setCursor({ left: u.valToPos(result.lrs[idx], "x"), top: u.over.clientHeight / 2 });
      showHover(idx, true);
    } else if (e.key === "Enter" && hoverIdx != null) {
      e.preventDefault();
      pickLr(result.lrs[hoverIdx]);
    }
  }

  function showHover(idx, active) {
    if (!result) return;
    hoverIdx = active && idx != null ? idx : null;
    if (hoverIdx == null) {
      dom.hover.textContent = "Hover to read the values at an lr; click to run the balls at it.";
      dom.hover.classList.remove("sw-hovered");
      return;
    }
    const lr = result.lrs[hoverIdx];
    const parts = result.rows.map((row) => `${labels.get(row.key) ?? row.key} ${valueText(row, hoverIdx)}`);
    dom.hover.textContent = `lr ${fmt(lr)}: ${parts.join(" · ")}`;
    dom.hover.classList.add("sw-hovered");
  }

  function valueText(row, i) {
    if (row.diverged[i] >= 0) return `diverged at step ${fmtCount(row.diverged[i])}`;
    if (metric === "reached") return row.reached[i] >= 0 ? `step ${fmtCount(row.reached[i])}` : "not within N steps";
    return fmt(row.final[i] - result.target);
  }

  // ------------------------------------------------------------------ text

  function captionText(r) {
    const within = `f − f* < ${fmt(r.threshold)} within ${fmtCount(r.steps)} steps without diverging`;
    const parts = r.rows.map((row, i) => {
      const name = labels.get(row.key) ?? row.key;
      const lead = i === 0 ? `${name} converges for ` : `${name} for `;
      if (!row.band) return `${lead}${i === 0 ? "no lr in " : "none of "}${fmt(r.lrs[0])}–${fmt(r.lrs[r.lrs.length - 1])}`;
      const [lo, hi] = row.band;
      if (lo === hi) return `${lead}${i === 0 ? "lr " : ""}${fmt(lo)} only`;
      return `${lead}${i === 0 ? "lr " : ""}${fmt(lo)}–${fmt(hi)}`;
    });
    return `${parts.join("; ")} (${within}).`;
  }

  function fillLegend(r) {
    const items = r.rows.map((row) => {
      const item = document.createElement("span");
      item.className = "sw-item";
      item.dataset.key = row.key;
      const swatch = swatchSvg(row.key, { width: 22, height: 8, marker: false, lineWidth: 1.6 });
      const name = document.createElement("span");
      name.textContent = labels.get(row.key) ?? row.key;
      item.append(swatch, name);
      // Hover or focus: that optimizer's line and band stand out.
      item.tabIndex = 0;
      item.setAttribute("aria-label", `${name.textContent}: ${bandText(row, r)}`);
      item.title = `${name.textContent}: ${bandText(row, r)}`;
      const on = () => emphasise(row.key);
      const off = () => emphasise(null);
      item.addEventListener("mouseenter", on);
      item.addEventListener("focus", on);
      item.addEventListener("mouseleave", off);
      item.addEventListener("blur", off);
      return item;
    });
    const key = document.createElement("span");
    key.className = "sw-key";
    dom.legend.replaceChildren(...items, key);
    showKey();
  }

  function showKey() {
    const key = dom.legend.querySelector(".sw-key");
    if (key) key.textContent = `× diverged (top) · ▬ stable band (bottom) · ┆ current lr ${fmt(store.state.lr)}`;
  }

  function emphasise(key) {
    if (highlight === key || !u || !result) return;
    highlight = key;
    const i = result.rows.findIndex((row) => row.key === key);
    u.setSeries(i >= 0 ? i + 1 : null, { focus: true });
    u.redraw(false);
  }

  function bandText(row, r) {
    if (!row.band) return `no stable band (no lr reached f − f* < ${fmt(r.threshold)} within ${fmtCount(r.steps)} steps without diverging)`;
    const [lo, hi] = row.band;
    return lo === hi ? `stable only at lr ${fmt(lo)}` : `stable band lr ${fmt(lo)}–${fmt(hi)}`;
  }

  // The chart as a table, for screen readers.
  function fillTable(r) {
    const head = document.createElement("tr");
    for (const text of ["Optimizer", "Stable band (lr)", "Diverged at lrs", "Lowest final loss − f*", "At lr"]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = text;
      head.append(th);
    }
    const rows = r.rows.map((row) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = labels.get(row.key) ?? row.key;
      let best = -1;
      for (let i = 0; i < row.final.length; i++) {
        if (row.diverged[i] < 0 && Number.isFinite(row.final[i]) && (best < 0 || row.final[i] < row.final[best])) best = i;
      }
      const diverged = [];
      for (let i = 0; i < row.diverged.length; i++) if (row.diverged[i] >= 0) diverged.push(r.lrs[i]);
      const cells = [
        row.band ? `${fmt(row.band[0])} – ${fmt(row.band[1])}` : "none",
        diverged.length ? `${diverged.length} of ${r.lrs.length}, from ${fmt(Math.min(...diverged))}` : "none",
        best >= 0 ? fmt(Math.max(row.final[best] - r.target, 0)) : MISSING,
        best >= 0 ? fmt(r.lrs[best]) : MISSING,
      ];
      tr.append(th, ...cells.map((text) => {
        const td = document.createElement("td");
        td.textContent = text;
        return td;
      }));
      return tr;
    });
    const caption = document.createElement("caption");
    caption.textContent = `Learning-rate sweep on ${r.label}, ${fmtCount(r.steps)} steps, threshold f − f* < ${fmt(r.threshold)}`;
    dom.table.replaceChildren(caption, head, ...rows);
  }

  function showStatus(text, kind) {
    dom.status.textContent = text;
    dom.status.dataset.kind = kind;
    dom.root.dataset.state = kind;
  }

  function showStepsProblem(text) {
    dom.stepsProblem.textContent = text;
    dom.stepsProblem.hidden = !text;
    dom.steps.setAttribute("aria-invalid", String(Boolean(text)));
  }

  function syncControls(state) {
    if (!state) return;
    const open = Boolean(state.sweep);
    dom.toggle.setAttribute("aria-expanded", String(open));
    dom.toggle.textContent = open ? "Close the sweep" : "Sweep learning rates";
    dom.body.hidden = !open;
    const steps = sweepStepsOf(state, catalog);
    if (document.activeElement !== dom.steps && Number(dom.steps.value) !== steps) {
      dom.steps.value = String(steps);
      showStepsProblem("");
    }
  }

  return {
    // Resolves once no sweep is scheduled or running (and the last one is drawn).
    settled() {
      if (!timer && !inflight) return Promise.resolve();
      return new Promise((done) => waiters.push(done));
    },
    // What the chart shows, as plain data (tests and the benchmark).
    summary() {
      if (!result) return { state: dom.root.dataset.state, status: dom.status.textContent };
      return {
        state: dom.root.dataset.state,
        status: dom.status.textContent,
        landscape: result.landscape,
        steps: result.steps,
        threshold: result.threshold,
        target: result.target,
        lrs: Array.from(result.lrs),
        metric,
        rows: result.rows.map((row) => ({
          key: row.key,
          band: row.band,
          diverged: Array.from(row.diverged),
          reached: Array.from(row.reached),
        })),
        caption: dom.caption.textContent,
        timing: { ...timing },
      };
    },
    get uplot() {
      return u;
    },
  };
}

// ------------------------------------------------------------------ helpers

function takesLearningRate(entry) {
  if (Array.isArray(entry.hyperparameters)) return entry.hyperparameters.some((h) => h.name === "lr");
  return entry.key !== "annealing"; // a catalog without hyperparameter lists
}

function buildDom(container, minSteps, maxSteps) {
  const ids = (name) => `sweep-${name}`;
  const root = document.createElement("div");
  root.className = "sweep-panel";
  root.dataset.state = "idle";
  root.innerHTML = `
    <div class="sw-head">
      <h2 id="${ids("title")}">Learning-rate sweep</h2>
      <button type="button" class="sw-toggle" aria-expanded="false" aria-controls="${ids("body")}">Sweep learning rates</button>
    </div>
    <div class="sw-body" id="${ids("body")}" hidden>
      <div class="sw-controls">
        <label class="sw-field">Steps N
          <input id="${ids("steps")}" type="number" inputmode="numeric" min="${minSteps}" max="${maxSteps}" step="1" required>
        </label>
        <label class="sw-field">Plot
          <select id="${ids("metric")}">
            ${Object.entries(METRICS).map(([k, m]) => `<option value="${k}">${m.label}</option>`).join("")}
          </select>
        </label>
      </div>
      <p class="sw-problem" role="alert" hidden></p>
      <p class="sw-status" role="status" aria-live="polite"></p>
      <div class="sw-chart" hidden>
        <div class="sw-plot"></div>
        <p class="sw-hover" aria-live="off"></p>
        <div class="sw-legend"></div>
        <p class="sw-caption"></p>
        <div class="visually-hidden"><table id="${ids("table")}"></table></div>
      </div>
      <p class="hint sw-about">Each shown optimizer that takes a learning rate runs from the start at ${POINTS}
        log-spaced learning rates over this landscape's range for N steps (unless you change it, the
        landscape's own step count, the one its notes describe). Its stable band (shaded) is the
        widest run of learning rates that reached f − f* &lt; ${fmt(THRESHOLD)} within N steps without diverging.
        Click the chart to run the balls at that learning rate.</p>
    </div>`;
  container.replaceChildren(root);
  const q = (sel) => root.querySelector(sel);
  return {
    root,
    toggle: q(".sw-toggle"),
    body: q(".sw-body"),
    steps: q(`#${ids("steps")}`),
    stepsProblem: q(".sw-problem"),
    metric: q(`#${ids("metric")}`),
    status: q(".sw-status"),
    chart: q(".sw-chart"),
    plot: q(".sw-plot"),
    hover: q(".sw-hover"),
    legend: q(".sw-legend"),
    caption: q(".sw-caption"),
    table: q(`#${ids("table")}`),
    tableId: ids("table"),
  };
}

function axis(label, values, extra) {
  return {
    label,
    labelFont: LABEL_FONT,
    font: FONT,
    stroke: AXIS_COLOR,
    grid: { stroke: GRID_COLOR, width: 1 },
    ticks: { stroke: TICK_COLOR, width: 1, size: 4 },
    values,
    ...extra,
  };
}

// Whole decades around the finite values of `series`, or `fallback` when there are none.
function dataRange(series, fallback) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const values of series) {
    for (const v of values) {
      if (v == null || !(v > 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!(lo <= hi)) [lo, hi] = fallback;
  const a = Math.floor(Math.log10(lo) + 1e-9);
  const b = Math.max(Math.ceil(Math.log10(hi) - 1e-9), a + 1);
  return [10 ** a, 10 ** b];
}

// The y range that shows [lo, hi] (log) between a strip of `strip` CSS px at the top and
// one at the bottom of a plot area `height` px tall.
function stripRange(lo, hi, strip, height) {
  const inner = Math.max(height - 2 * strip, 20);
  const perPx = Math.log10(hi / lo) / inner;
  return [lo / 10 ** (strip * perPx), hi * 10 ** (strip * perPx)];
}

// Decade ticks within [lo, hi], every k-th when decades are closer than 16 px.
function decadeSplits(lo, hi, height) {
  const a = Math.round(Math.log10(lo));
  const b = Math.round(Math.log10(hi));
  const every = Math.max(1, Math.ceil(16 / (Math.max(height - 2 * STRIP_MAX, 20) / Math.max(b - a, 1))));
  const splits = [];
  for (let e = b; e >= a; e -= every) splits.unshift(Number(`1e${e}`));
  return splits;
}

// lr ticks: 1 × 10^e, plus 2 and 5 (or 3) when a decade is wide enough to label them.
function lrSplits(self, min, max) {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const width = self.bbox.width / devicePixelRatio || 300;
  const decadePx = width / Math.max(Math.log10(max / min), 0.3);
  const mantissas = decadePx >= 150 ? [1, 2, 5] : decadePx >= 90 ? [1, 3] : [1];
  const splits = [];
  for (let e = lo; e <= hi; e++) {
    for (const m of mantissas) {
      const v = Number(`${m}e${e}`);
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) splits.push(v);
    }
  }
  return splits;
}

// The indices of values with no non-null neighbour (null when there are none).
function isolated(values) {
  const out = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] != null && values[i - 1] == null && values[i + 1] == null) out.push(i);
  }
  return out.length ? out : null;
}

function nearestIndex(lrs, lr) {
  let best = 0;
  for (let i = 1; i < lrs.length; i++) if (Math.abs(Math.log(lrs[i] / lr)) < Math.abs(Math.log(lrs[best] / lr))) best = i;
  return best;
}
