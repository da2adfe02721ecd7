// The loss chart: loss against step, one line per visible optimizer in its colour, drawn
// by uPlot (static/vendor/uplot/, pinned and hash-checked: tools/vendor.py uplot).
//
//   const chart = createLossChart(section, { optimizers: [{ key, label, color }, ...] });
//   chart.update(history, visibleKeys, viewStep);  // ~10 Hz from the animation loop; cheap when unchanged
//   chart.resize();                       // after a layout change (a ResizeObserver also calls it)
//   chart.destroy();
//
// `history` is a LossHistory (static/model/loss-history.js); `visibleKeys` an array or Set
// of optimizer keys, or the page's `show` value ("all" or one key); null/undefined: all.
// The chart owns everything inside `container` (it replaces its children) and adds its
// stylesheets (uPlot's and loss-chart.css) to <head> once.
//
// Cost: update() compares history.generation/version and the visible set with what it
// drew last and returns at once when nothing changed; otherwise one setData (and one
// setSeries per series whose visibility changed), which uPlot coalesces into a single
// redraw in a microtask; the data drawn is decimated to two points per pixel column.
//
// The y axis: a log axis of `loss − f*` (the loss above the landscape's global minimum,
// clamped to ≥ 1e-12) when the history knows f*, labelled "loss" when f* = 0 and
// "loss − f*" otherwise; with f* unknown, the loss itself on a log axis, or on a linear
// one once a loss ≤ 0 appears (see loss-history.js). The readout under the plot shows
// the same quantity as the axis (named when it is not the loss itself) for every visible
// optimizer, at the hovered step, or at the latest step when the pointer is elsewhere.
// The lowest loss each optimizer has reached is marked by a ring on its line. With the
// timeline scrubbed back (`viewStep`, null: live) a vertical line marks that step and the
// readout shows the values there.

import uPlot from "../vendor/uplot/uPlot.esm.js";
import { MISSING, fmt, fmtCount } from "../format.js";
import { decimate } from "../model/decimate.js";
import { MIN_GAP } from "../model/loss-history.js";
import { dashOf, swatchSvg } from "../plot/style.js";
import { ensureStylesheets } from "./stylesheets.js";

const STYLESHEETS = [
  new URL("../vendor/uplot/uPlot.min.css", import.meta.url).href,
  new URL("./loss-chart.css", import.meta.url).href,
];
const DEFAULT_HEIGHT = 190;
const AXIS_COLOR = "#98a2b5";   // style.css --muted
const GRID_COLOR = "rgba(152, 162, 181, 0.13)";
const TICK_COLOR = "rgba(152, 162, 181, 0.35)";
const RING_FILL = "#141822";    // style.css --panel, the chart's background
const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const LABEL_FONT = '600 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const Y_SPACE = 18; // px between y labels, at least
// Whole-number steps on the x axis.
const STEP_INCRS = [];
for (let e = 0; e <= 9; e++) for (const m of [1, 2, 5]) STEP_INCRS.push(m * 10 ** e);

export function createLossChart(container, { optimizers, height = DEFAULT_HEIGHT } = {}) {
  ensureStylesheets(STYLESHEETS);
  const series = optimizers.map(({ key, label, color }) => ({ key, label: label ?? key, color }));

  const root = document.createElement("div");
  root.className = "loss-chart";
  const head = document.createElement("div");
  head.className = "lc-head";
  const title = document.createElement("h2");
  title.textContent = "Loss over time";
  const scaleNote = document.createElement("span");
  scaleNote.className = "lc-scale";
  head.append(title, scaleNote);
  const plot = document.createElement("div");
  plot.className = "lc-plot";
  plot.style.height = `${height}px`;
  const legend = createReadout(series);
  root.append(head, plot, legend.el);
  container.replaceChildren(root);

  let u = null;
  let built = null;            // {logScale, floor} the current uPlot was built for
  let history = null;
  let drawn = { generation: -1, version: -1 };
  let shown = series.map(() => true);
  let keyIndex = series.map(() => -1); // chart series i -> history key index
  let blanks = [];                     // null-filled arrays for series the history lacks
  let drawnIndex = null;               // drawn point -> history index (null: identity)
  let width = 0;
  let viewStep = null;

  function build(logScale, floor) {
    if (u) u.destroy();
    built = { logScale, floor };
    const yLabel = floor === null || floor === 0 ? "loss" : "loss − f*";
    scaleNote.textContent = scaleText(logScale, floor);
    legend.setQuantity(yLabel);
    u = new uPlot(
      {
        width: Math.max(width, 120),
        height,
        legend: { show: false },
        cursor: {
          y: false,
          drag: { x: false, y: false, setScale: false },
          points: { size: 7, width: 1.5, fill: RING_FILL },
        },
        scales: {
          x: { time: false, range: (_, min, max) => stepRange(min, max) },
          y: logScale
            ? { distr: 3, log: 10, range: (_, min, max) => decadeRange(min, max) }
            : { distr: 1, range: (_, min, max) => linearRange(min, max) },
        },
        axes: [
          axisOptions("step", (_, splits) => splits.map((v) => (v == null ? "" : fmtCount(v))), {
            incrs: STEP_INCRS,
            space: 48,
            size: 24,
            labelSize: 16,
          }),
          axisOptions(yLabel, (_, splits) => splits.map((v) => (v == null ? "" : fmt(v))), {
            size: 48,
            labelSize: 18,
            space: Y_SPACE,
            ...(logScale ? { splits: decadeSplits, filter: (_, splits) => splits } : {}),
          }),
        ],
        series: [
          { label: "step" },
          ...series.map((s, i) => ({
            label: s.label,
            stroke: s.color,
            width: 1.5,
            // The optimizer's dash pattern, as on its trail (uPlot draws in device pixels).
            dash: dashOf(s.key).map((d) => d * devicePixelRatio),
            cap: "round",
            pxAlign: 0, // no snapping to whole pixels: slow descents stay smooth, not stairs
            show: shown[i],
            spanGaps: false,
            points: { show: false },
          })),
        ],
        hooks: {
          draw: [drawBestRings, drawViewLine],
          setCursor: [() => showReadout()],
        },
      },
      emptyData(),
      plot,
    );
    u.over.setAttribute("role", "img");
    u.over.setAttribute("aria-label", "Loss over time: hover to read each optimizer's loss at a step");
  }

  function emptyData() {
    return [[], ...series.map(() => [])];
  }

  // What uPlot draws: the history's series, min–max decimated to two points per pixel
  // column of the plot area (static/model/decimate.js), so a redraw costs the chart's
  // width, not the 4,000 points per series the history keeps. `drawnIndex` maps a drawn
  // point back to the history's (null: the same).
  function chartData() {
    const steps = history.steps;
    const ys = series.map((_, i) => {
      const k = keyIndex[i];
      if (k >= 0) return history.series(k);
      if (blanks[i]?.length !== steps.length) blanks[i] = new Array(steps.length).fill(null);
      return blanks[i];
    });
    const d = decimate(steps, ys, plotColumns());
    drawnIndex = d.index;
    return [d.x, ...d.ys];
  }

  function plotColumns() {
    const plotWidth = u?.bbox?.width ? u.bbox.width / devicePixelRatio : width - 60;
    return Math.max(60, Math.round(plotWidth));
  }

  // The history's index of drawn point `idx`.
  function historyIndex(idx) {
    return drawnIndex ? drawnIndex[Math.min(idx, drawnIndex.length - 1)] : idx;
  }

  // The lowest loss reached by each visible optimizer: a ring in its colour on its line.
  function drawBestRings(self) {
    if (!history || history.length === 0) return;
    const { ctx } = self;
    const { left, top, width: w, height: h } = self.bbox;
    const radius = 4.2 * devicePixelRatio;
    ctx.save();
    ctx.lineWidth = 2 * devicePixelRatio;
    series.forEach((s, i) => {
      const k = keyIndex[i];
      if (k < 0 || !shown[i]) return;
      const best = history.best(k);
      const value = best && history.plotValue(best.loss);
      if (value == null) return;
      const x = self.valToPos(best.step, "x", true);
      const y = self.valToPos(value, "y", true);
      if (!(x >= left - 1 && x <= left + w + 1 && y >= top - 1 && y <= top + h + 1)) return;
      ctx.beginPath();
      ctx.arc(x, y, radius, 0, 2 * Math.PI);
      ctx.fillStyle = RING_FILL;
      ctx.fill();
      ctx.strokeStyle = s.color;
      ctx.stroke();
    });
    ctx.restore();
  }

  // The step the timeline shows: a vertical line across the plot.
  function drawViewLine(self) {
    if (viewStep === null) return;
    const x = self.valToPos(viewStep, "x", true);
    const { top, height: h } = self.bbox;
    const { ctx } = self;
    ctx.save();
    ctx.setLineDash([]); // solid, whatever the last series drew with
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + h);
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.strokeStyle = AXIS_COLOR;
    ctx.stroke();
    ctx.restore();
  }

  // The history's last point at or before `step` (the steps are increasing).
  function indexAt(step) {
    const steps = history.steps;
    let lo = 0;
    let hi = steps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (steps[mid] <= step) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  // The readout under the chart: at the hovered step, else the timeline's, else the latest one.
  function showReadout() {
    if (!history || history.length === 0) {
      legend.set(null, series.map(() => null), shown, false);
      return;
    }
    const hovered = u && u.cursor.idx != null && u.cursor.left >= 0;
    const latest = viewStep === null ? history.length - 1 : indexAt(viewStep);
    const idx = hovered ? Math.min(historyIndex(u.cursor.idx), history.length - 1) : latest;
    const values = series.map((_, i) => (keyIndex[i] >= 0 ? history.series(keyIndex[i])[idx] : null));
    legend.set(history.steps[idx], values, shown, hovered, history.floor !== null, viewStep !== null);
  }

  function measure() {
    return Math.floor(plot.clientWidth);
  }

  function resize() {
    const w = measure();
    if (w <= 0 || w === width) return;
    width = w;
    if (!u) return;
    u.setSize({ width: Math.max(width, 120), height });
    if (history) u.setData(chartData(), true); // as many columns as the new width has
  }

  const observer = typeof ResizeObserver === "function" ? new ResizeObserver(() => resize()) : null;
  observer?.observe(plot);
  width = measure();
  build(true, null);
  showReadout();

  return {
    update(nextHistory, visibleKeys, step = null) {
      if (!nextHistory) return;
      const stepChanged = step !== viewStep;
      viewStep = step;
      const visible =
        visibleKeys == null || visibleKeys === "all"
          ? null
          : new Set(typeof visibleKeys === "string" ? [visibleKeys] : visibleKeys);
      const historyChanged = nextHistory !== history || nextHistory.generation !== drawn.generation;
      if (historyChanged) {
        history = nextHistory;
        keyIndex = series.map((s) => history.keys.indexOf(s.key));
        blanks = [];
      }
      if (built.logScale !== history.logScale || built.floor !== history.floor) {
        build(history.logScale, history.floor);
        drawn.version = -1;
      }
      series.forEach((s, i) => {
        const show = keyIndex[i] >= 0 && (visible === null || visible.has(s.key));
        if (show !== shown[i]) {
          shown[i] = show;
          u.setSeries(i + 1, { show });
          drawn.version = -1; // the readout and the rings follow the visible set
        }
      });
      if (historyChanged || history.version !== drawn.version) {
        u.setData(chartData(), true);
        drawn = { generation: history.generation, version: history.version };
        showReadout();
      } else if (stepChanged) {
        u.redraw(false);
        showReadout();
      }
    },
    resize,
    // The step the cursor line marks (null: live), for tests.
    get viewStep() {
      return viewStep;
    },
    // The uPlot instance, for tests and debugging only (rebuilt when the y scale changes).
    get uplot() {
      return u;
    },
    destroy() {
      observer?.disconnect();
      u?.destroy();
      u = null;
      root.remove();
    },
  };
}

function axisOptions(label, values, extra) {
  return {
    label,
    labelFont: LABEL_FONT,
    labelSize: 18,
    font: FONT,
    stroke: AXIS_COLOR,
    grid: { stroke: GRID_COLOR, width: 1 },
    ticks: { stroke: TICK_COLOR, width: 1, size: 4 },
    values,
    ...extra,
  };
}

// A log axis spans whole decades, at least one.
function decadeRange(min, max) {
  if (!(min > 0) || !(max > 0)) return [1e-3, 10];
  const lo = Math.floor(Math.log10(min) + 1e-9);
  const hi = Math.max(Math.ceil(Math.log10(max) - 1e-9), lo + 1);
  return [Number(`1e${lo}`), Number(`1e${hi}`)];
}

// A linear axis with uPlot's usual 10% padding; [0, 1] while there is nothing to show.
function linearRange(min, max) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  return uPlot.rangeNum(min, max, 0.1, true);
}

// Ticks, labels and grid lines at powers of ten (every k-th decade when they would be
// closer than Y_SPACE), plus 2 and 5 × 10^e when a decade is tall enough: no unlabelled
// minor lines striping a short chart.
function decadeSplits(self, _axisIdx, min, max) {
  const lo = Math.round(Math.log10(min));
  const hi = Math.round(Math.log10(max));
  const plotHeight = self.bbox.height / devicePixelRatio || 100;
  const decadePx = plotHeight / Math.max(hi - lo, 1);
  const every = Math.max(1, Math.ceil(Y_SPACE / decadePx));
  const mantissas = decadePx >= 4 * Y_SPACE ? [1, 2, 5] : [1];
  const splits = [];
  for (let e = lo; e <= hi; e++) {
    if ((e - hi) % every !== 0) continue;
    for (const m of mantissas) if (m === 1 || e < hi) splits.push(Number(`${m}e${e}`));
  }
  return splits;
}

// x from the first step to the latest, at least 10 steps wide so a new run has an axis.
function stepRange(min, max) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 10];
  return [min, Math.max(max, min + 10)];
}

function scaleText(logScale, floor) {
  if (floor === null) return logScale ? "log scale" : "linear scale (a loss ≤ 0 appeared)";
  if (floor === 0) return "log scale · global minimum f* = 0";
  return `log scale · loss above the global minimum, f* = ${fmt(floor)}`;
}

// The text under the plot: "step 120  ● SGD 1.2e-3  ● Adam 4.5e-5 …  ○ lowest so far".
function createReadout(series) {
  const el = document.createElement("div");
  el.className = "lc-readout";
  const step = document.createElement("span");
  step.className = "lc-step";
  el.append(step);
  const items = series.map(({ key, label, color }) => {
    const item = document.createElement("span");
    item.className = "lc-item";
    item.dataset.key = key;
    // A sample of the line as the chart draws it: colour and dash pattern.
    const swatch = swatchSvg(key, { width: 22, height: 8, marker: false, lineWidth: 1.6, color });
    swatch.classList.add("lc-swatch");
    swatch.style.width = "22px";
    swatch.style.height = "8px";
    swatch.style.borderRadius = "0";
    const name = document.createElement("span");
    name.className = "lc-name";
    name.textContent = label;
    const value = document.createElement("span");
    value.className = "lc-value";
    value.textContent = MISSING;
    item.append(swatch, name, value);
    el.append(item);
    return { item, value, text: MISSING, hidden: false };
  });
  const best = document.createElement("span");
  best.className = "lc-best";
  best.textContent = "○ lowest loss reached";
  el.append(best);
  let stepText = "";
  let quantityText = "";

  return {
    el,
    // The readout shows what the y axis shows; named when it is not the loss itself.
    setQuantity(label) {
      quantityText = label === "loss" ? "" : ` · ${label}`;
    },
    // `floored`: the values are loss − f*, clamped to ≥ MIN_GAP; one at the clamp is
    // "≤ 1e-12" (the table shows the loss itself, which can be far below). `scrubbed`: the
    // timeline shows an earlier step.
    set(stepValue, losses, shown, hovered, floored = false, scrubbed = false) {
      const nextStep = stepValue == null ? "no run yet" : `${hovered || scrubbed ? "step" : "latest, step"} ${fmtCount(stepValue)}${quantityText}`;
      if (nextStep !== stepText) step.textContent = stepText = nextStep;
      el.classList.toggle("lc-hovered", hovered);
      items.forEach((entry, i) => {
        const text = floored && losses[i] != null && losses[i] <= MIN_GAP ? `≤ ${fmt(MIN_GAP)}` : fmt(losses[i]);
        if (text !== entry.text) entry.value.textContent = entry.text = text;
        const hidden = !shown[i];
        if (hidden !== entry.hidden) entry.item.hidden = entry.hidden = hidden;
      });
    },
  };
}
