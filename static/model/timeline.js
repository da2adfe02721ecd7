// Every ball's state at every step since the reset, for the timeline (static/panels/timeline.js)
// to show the scene at any earlier step: position, loss, lowest loss so far, status and basin.
//
// Memory is bounded: at most TIMELINE_STEPS recorded steps. Until then every step is kept
// (exact); when full, every other recorded step is dropped and from then on only every
// `stride`-th step is recorded (stride 2, 4, …), so the memory stays at most
// TIMELINE_STEPS × balls × 35 bytes (positions, loss and best as float64, status, basin and
// a jump flag as bytes): 4.6 MB for 16 balls. The landscapes' step counts (300–1,500) are
// far below it, so what the notes describe is always kept step by step. The lowest loss
// is tracked over every step, recorded or not, so thinning never changes it.
//
// Status and basin are indices: into the advance reply's `step_status_names` and the
// landscape's minima (−1: "—"), as Python named them at that step (app.py Session.advance).

export const TIMELINE_STEPS = 8192;

export class Timeline {
  constructor(capacity = TIMELINE_STEPS) {
    this.capacity = capacity;
    this.keys = [];
    this.n = 0;
    this.length = 0;
    this.stride = 1;
    this.generation = 0; // bumped by reset()
  }

  // A new run: `runs` is Python's snapshot at its first step; `basinNames` the labels
  // of the landscape's minima, in order.
  reset(runs, basinNames) {
    const n = runs.keys.length;
    this.keys = [...runs.keys];
    this.n = n;
    this.basinNames = basinNames;
    this.statusNames = ["running", "converged", "diverged", "left the view"];
    this.divergedStep = runs.diverged_step;
    this.first = runs.step;
    this.length = 0;
    this.stride = 1;
    this.generation += 1;
    this.bestNow = Float64Array.from(runs.best);
    this.jumpSince = new Uint8Array(n);
    this.allocate(64);
    const status = Uint8Array.from(runs.status, (s) => Math.max(0, this.statusNames.indexOf(s)));
    const basin = Int8Array.from(runs.basin ?? [], (b) => basinNames.indexOf(b));
    this.write(runs.step, runs.positions, runs.loss, status, basin.length === n ? basin : new Int8Array(n).fill(-1));
  }

  allocate(rows) {
    const n = this.n;
    const grow = (Type, old, width) => {
      const next = new Type(rows * width);
      if (old) next.set(old.subarray(0, Math.min(old.length, next.length)));
      return next;
    };
    this.rows = rows;
    this.steps = grow(Float64Array, this.length ? this.steps : null, 1);
    this.xy = grow(Float64Array, this.length ? this.xy : null, 2 * n);
    this.loss = grow(Float64Array, this.length ? this.loss : null, n);
    this.best = grow(Float64Array, this.length ? this.best : null, n);
    this.status = grow(Uint8Array, this.length ? this.status : null, n);
    this.basin = grow(Int8Array, this.length ? this.basin : null, n);
    this.jumped = grow(Uint8Array, this.length ? this.jumped : null, n);
  }

  // One step of the advance reply: row s of its path [steps, n, 2], loss, jumped,
  // step_status and step_basin ([steps, n] each).
  appendReply(step, reply, s) {
    const n = this.n;
    const xy = reply.path.subarray(2 * s * n, 2 * (s + 1) * n);
    const loss = reply.loss.subarray(s * n, (s + 1) * n);
    for (let i = 0; i < n; i++) {
      this.bestNow[i] = Math.min(this.bestNow[i], loss[i]); // np.minimum: a NaN stays NaN
      if (reply.jumped[s * n + i]) this.jumpSince[i] = 1;
    }
    if (reply.step_status_names) this.statusNames = reply.step_status_names;
    if ((step - this.first) % this.stride !== 0) return;
    this.write(step, xy, loss, reply.step_status.subarray(s * n, (s + 1) * n), reply.step_basin.subarray(s * n, (s + 1) * n));
  }

  write(step, xy, loss, status, basin) {
    if (this.length === this.capacity) this.thin();
    if (this.length === this.rows) this.allocate(Math.min(this.capacity, 2 * this.rows));
    const n = this.n;
    const at = this.length;
    this.steps[at] = step;
    this.xy.set(xy, 2 * n * at);
    this.loss.set(loss, n * at);
    this.best.set(this.bestNow, n * at);
    this.status.set(status, n * at);
    this.basin.set(basin, n * at);
    this.jumped.set(this.jumpSince, n * at);
    this.jumpSince.fill(0);
    this.length += 1;
  }

  // Keeps recorded rows 0, 2, 4, …: the stride doubles (a dropped row's jump flag moves
  // to the row after it, so a restart's gap in the path is kept).
  thin() {
    const n = this.n;
    let w = 0;
    for (let r = 0; r < this.length; r += 2, w++) {
      if (r > 0) for (let i = 0; i < n; i++) if (this.jumped[n * (r - 1) + i]) this.jumped[n * r + i] = 1;
      this.steps[w] = this.steps[r];
      this.xy.copyWithin(2 * n * w, 2 * n * r, 2 * n * (r + 1));
      for (const a of [this.loss, this.best, this.status, this.basin, this.jumped]) a.copyWithin(n * w, n * r, n * (r + 1));
    }
    const dropped = this.length - 1; // an even length drops the last row: its jump waits for the next
    if (dropped % 2 === 1) for (let i = 0; i < n; i++) this.jumpSince[i] ||= this.jumped[n * dropped + i];
    this.length = w;
    this.stride *= 2;
  }

  get lastStep() {
    return this.length ? this.steps[this.length - 1] : null;
  }

  // The recorded row at step k or the last one before it.
  rowAt(k) {
    let lo = 0;
    let hi = this.length - 1;
    if (hi < 0) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.steps[mid] <= k) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  // The balls at step k in the shape of Python's snapshot (app.py Session.snapshot), as
  // far as it was recorded: no state arrows.
  runsAt(k, live) {
    const r = this.rowAt(k);
    const n = this.n;
    const at = (a, i) => a[n * r + i];
    const step = this.steps[r];
    return {
      step,
      keys: this.keys,
      positions: this.xy.slice(2 * n * r, 2 * n * (r + 1)),
      loss: this.loss.slice(n * r, n * (r + 1)),
      best: this.best.slice(n * r, n * (r + 1)),
      status: this.keys.map((_, i) => this.statusNames[at(this.status, i)] ?? "running"),
      basin: this.keys.map((_, i) => this.basinNames[at(this.basin, i)] ?? "—"),
      diverged_step: Int32Array.from(live?.diverged_step ?? new Int32Array(n).fill(-1), (d) => (d >= 0 && d <= step ? d : -1)),
      rules: live?.rules,
    };
  }

  // Ball i's path from the reset to step k as x, y pairs (NaN, NaN where a restart
  // jumped), in the shape of a Trail (static/model/trail.js) for the trails layer.
  trailAt(i, k) {
    const last = this.rowAt(k);
    const n = this.n;
    const xy = new Float64Array(4 * (last + 1));
    let w = 0;
    for (let r = 0; r <= last; r++) {
      if (r > 0 && this.jumped[n * r + i]) {
        xy[w++] = NaN;
        xy[w++] = NaN;
      }
      xy[w++] = this.xy[2 * (n * r + i)];
      xy[w++] = this.xy[2 * (n * r + i) + 1];
    }
    return { xy, length: w / 2, appended: w / 2 };
  }
}

// What the plot and the panels draw: the live run (`viewStep` null, or at or after the
// latest step), or the timeline's scene at viewStep: {runs, trails, step}. Cached, so a
// frame that redraws the same step builds nothing; each new step gets trails of a new
// generation (the trails layer then redraws them whole).
let viewGeneration = -1;
let cached = null;

export function sceneAt(model, viewStep) {
  const timeline = model.timeline;
  const live = model.runs;
  if (viewStep == null || !timeline?.length || !live || viewStep >= live.step) return { runs: live, trails: model.trails, step: null };
  const row = timeline.rowAt(viewStep);
  if (cached && cached.timeline === timeline.generation && cached.row === row && cached.length === timeline.length) return cached.scene;
  const runs = timeline.runsAt(viewStep, live);
  const generation = viewGeneration--;
  const trails = new Map(timeline.keys.map((key, i) => [key, { ...timeline.trailAt(i, viewStep), generation }]));
  const scene = { runs, trails, step: runs.step };
  cached = { timeline: timeline.generation, row, length: timeline.length, scene };
  return scene;
}
