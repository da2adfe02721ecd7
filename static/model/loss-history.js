// Loss over steps, one series per optimizer, for the loss chart (static/panels/loss-chart.js).
//
// Memory is bounded like a ball's trail (static/model/trail.js): at most `capacity` points
// per series; when full, the older half is thinned to every other point and the newer half
// is kept whole, so the recent curve stays exact and the first point (the start) is kept.
// The lowest loss of each series is tracked over every point ever appended, so thinning
// never loses it.
//
// What is plotted. A log y axis needs values > 0, but some landscapes have negative minima
// (e.g. −1.68, −78.3) and every converging run approaches its minimum. So:
//   * floor known (reset's `floor` = the landscape's global minimum value f*): the chart
//     plots `loss − f*`, "loss above the global minimum", on a log axis. It is ≥ 0 in exact
//     arithmetic; it is clamped to ≥ MIN_GAP (1e-12) so a run that reaches the minimum to
//     machine precision sits on the chart's floor instead of falling off a log axis.
//     The axis label says so ("loss − min").
//   * floor unknown (null): the raw loss is plotted, on a log axis while every value seen
//     since the reset is > 0, and on a linear axis from the first value ≤ 0 on (until the
//     next reset); `logScale` says which.
// A non-finite loss (NaN, ±Infinity) is stored as null: a gap in the line, never a NaN
// handed to uPlot or shown on screen.
//
// Change counters, for a renderer that polls at ~10 Hz: `generation` is bumped by
// reset() (the previous run's data is gone), `version` by every append() and reset().

export const DEFAULT_CAPACITY = 4000;
export const MIN_GAP = 1e-12;

export class LossHistory {
  constructor(capacity = DEFAULT_CAPACITY) {
    if (!(capacity >= 4)) throw new RangeError(`LossHistory capacity must be ≥ 4, got ${capacity}`);
    this.capacity = Math.floor(capacity);
    this.keys = [];
    this.floor = null;     // the known global minimum value f*, or null
    this.logScale = true;  // false once a raw loss ≤ 0 was seen with no floor
    this.generation = 0;
    this.version = 0;
    this.appended = 0;     // points ever appended since the reset (the start included)
    this._steps = [];
    this._raw = [];        // per key: loss or null (non-finite)
    this._plot = [];       // per key: plotted value or null; === _raw[k] when floor is null
    this._bestLoss = new Float64Array(0);
    this._bestStep = new Float64Array(0);
  }

  // A new run: `keys` in the order of every losses array that follows, `losses0` the loss
  // of each at `step0`; `floor` the landscape's global minimum value when known.
  reset(keys, step0 = 0, losses0 = null, floor = null) {
    this.keys = Array.from(keys);
    this.floor = typeof floor === "number" && Number.isFinite(floor) ? floor : null;
    this.logScale = true;
    this.generation += 1;
    this.version += 1;
    this.appended = 0;
    this._steps = [];
    this._raw = this.keys.map(() => []);
    this._plot = this.floor === null ? this._raw : this.keys.map(() => []);
    this._bestLoss = new Float64Array(this.keys.length).fill(Infinity);
    this._bestStep = new Float64Array(this.keys.length).fill(NaN);
    if (losses0 != null) this.append(step0, losses0);
  }

  // One step's losses, in keys order. A step equal to the last one replaces its values;
  // an older step is ignored (returns false).
  append(step, losses) {
    if (!Number.isFinite(step)) return false;
    const n = this._steps.length;
    let at = n;
    if (n > 0) {
      const last = this._steps[n - 1];
      if (step < last) return false;
      if (step === last) at = n - 1;
    }
    const isNew = at === n;
    if (isNew && n === this.capacity) {
      this._thin();
      at = this._steps.length;
    }
    this._steps[at] = step;
    const floor = this.floor;
    for (let k = 0; k < this.keys.length; k++) {
      const value = losses[k];
      const loss = typeof value === "number" && Number.isFinite(value) ? value : null;
      this._raw[k][at] = loss;
      if (floor !== null) this._plot[k][at] = loss === null ? null : Math.max(loss - floor, MIN_GAP);
      if (loss === null) continue;
      if (floor === null && loss <= 0) this.logScale = false;
      if (loss < this._bestLoss[k]) {
        this._bestLoss[k] = loss;
        this._bestStep[k] = step;
      }
    }
    if (isNew) this.appended += 1;
    this.version += 1;
    return true;
  }

  _thin() {
    const length = this._steps.length;
    const half = length >> 1;
    const arrays = [this._steps, ...this._raw, ...(this.floor === null ? [] : this._plot)];
    for (const a of arrays) {
      let w = 0;
      for (let r = 0; r < half; r += 2, w++) a[w] = a[r];
      for (let r = half; r < length; r++, w++) a[w] = a[r];
      a.length = w;
    }
  }

  get length() {
    return this._steps.length;
  }

  get lastStep() {
    const n = this._steps.length;
    return n ? this._steps[n - 1] : null;
  }

  // uPlot's data: x = steps, then one y array per key (plotted values, null = gap).
  // The arrays are live (valid until the next append/reset): pass them to setData, do
  // not keep or modify them.
  get steps() {
    return this._steps;
  }

  series(k) {
    return this._plot[k];
  }

  data() {
    return [this._steps, ...this._plot];
  }

  // The loss itself (not the plotted value) of key index k at point i, or null.
  loss(k, i) {
    const v = this._raw[k]?.[i];
    return v === undefined ? null : v;
  }

  // The value plotted for a loss (what the y axis shows), or null when it has none.
  plotValue(loss) {
    if (typeof loss !== "number" || !Number.isFinite(loss)) return null;
    return this.floor === null ? loss : Math.max(loss - this.floor, MIN_GAP);
  }

  // Lowest loss of key index k over every point appended since the reset: {step, loss},
  // or null when it has no finite loss yet.
  best(k) {
    const loss = this._bestLoss[k];
    return Number.isFinite(loss) ? { step: this._bestStep[k], loss } : null;
  }
}
