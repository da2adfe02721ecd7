// Read-only views of the page for tests, the benchmark and the console
// (window.__playground), plus a few drivers that go through the same paths as a user.

import { sceneAt } from "./model/timeline.js";

export function createHook({ store, session, plot, python, side, ui }) {
  const longTasks = []; // main-thread tasks over 50 ms (the page's budget)
  if (PerformanceObserver.supportedEntryTypes?.includes("longtask")) {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push({ start: Math.round(e.startTime), ms: Math.round(e.duration) });
    }).observe({ type: "longtask", buffered: true });
  }
  const frameWork = new Float64Array(600); // main-thread ms per frame, a ring
  let frameCount = 0;
  let fakeNow = null; // fakeClock()'s time, ms
  const model = () => store.model;
  const idle = async () => {
    while (session.busy) await new Promise((r) => setTimeout(r, 5));
  };

  const hook = {
    boot: { ms: null, workerMs: null, stages: null, workerOffset: null },
    panelsDirty: true,
    get bootMs() {
      return hook.boot.ms; // navigation start to Ready
    },
    get workerBootMs() {
      return hook.boot.workerMs; // worker start to Python ready
    },
    get bootStages() {
      return hook.boot.stages;
    },
    get workerOffset() {
      return hook.boot.workerOffset;
    },
    // Whether the second Python worker has been started (it starts on first need only).
    sideStarted() {
      return Boolean(side?.started);
    },
    recordFrame(ms) {
      frameWork[frameCount++ % frameWork.length] = ms;
    },
    snapshot() {
      const r = model()?.runs;
      if (!r) return null;
      return {
        step: r.step,
        keys: [...r.keys],
        positions: r.keys.map((_, i) => [r.positions[2 * i], r.positions[2 * i + 1]]),
        loss: Array.from(r.loss),
        best: Array.from(r.best),
        status: [...r.status],
        basin: [...(r.basin ?? [])],
        divergedStep: Array.from(r.diverged_step ?? []),
        noise: r.noise ?? null,
        settings: r.settings ? structuredClone(r.settings) : null,
        hyperparameters: r.hyperparameters ? structuredClone(r.hyperparameters) : null,
        arrows: r.arrows ? {
          gradient: r.keys.map((_, i) => [r.arrows.gradient[2 * i], r.arrows.gradient[2 * i + 1]]),
          step: r.keys.map((_, i) => [r.arrows.step[2 * i], r.arrows.step[2 * i + 1]]),
          velocity: r.keys.map((_, i) => [r.arrows.velocity[2 * i], r.arrows.velocity[2 * i + 1]]),
          hasVelocity: Array.from(r.arrows.has_velocity, Boolean),
        } : null,
      };
    },
    particles() {
      const p = model()?.particles;
      if (!p) return null;
      return {
        count: p.count,
        moving: p.moving,
        xy: Array.from({ length: p.count }, (_, i) => [p.xy[2 * i], p.xy[2 * i + 1]]),
        start: Array.from({ length: p.count }, (_, i) => [p.start[2 * i], p.start[2 * i + 1]]),
        status: Array.from(p.status),
        atRest: Array.from(p.status, (s) => s !== 0),
        basin: Array.from(p.basin),
        basins: p.basins.map((b) => ({ ...b })),
        t: Array.from(p.t),
        loss: Array.from(p.loss),
      };
    },
    history() {
      const h = model()?.history;
      return h ? { generation: h.generation, length: h.length } : null;
    },
    state() {
      return store.state ? structuredClone(store.state) : null;
    },
    longTasks() {
      return longTasks.map((t) => ({ ...t }));
    },
    trailLengths() {
      return Object.fromEntries([...model().trails].map(([k, t]) => [k, t.length]));
    },
    drawnKeys() {
      return plot.drawnKeys;
    },
    // Labels of balls outside the view, as last drawn: [{text, x, y, w, h, wanted: {x, y}}] (CSS px;
    // `wanted`: where the label's corner would be without the others).
    edgeLabels() {
      return plot.edgeLabels;
    },
    // The balls in the order the last frame painted them (the one brought forward last),
    // the key brought forward, the window shown, and the heatmap's RGBA under a CSS pixel.
    drawOrder() {
      return plot.drawOrder;
    },
    focusKey() {
      return plot.focus;
    },
    extent() {
      return plot.extent;
    },
    heatmapPixel(px, py) {
      return plot.heatmapPixel(px, py);
    },
    // The picture painted: its window, grid size and colour scale ({range} when zoomed).
    picture() {
      const p = plot.picture;
      return p ? { extent: [...p.extent], width: p.width, height: p.height, scale: p.colorbar.scale,
        range: p.colorbar.range ?? null } : null;
    },
    trail(key) {
      const t = model()?.trails.get(key);
      return t ? Array.from({ length: t.length }, (_, i) => [t.xy[2 * i], t.xy[2 * i + 1]]) : null;
    },
    cursor() {
      return ui?.cursor ? [...ui.cursor] : null;
    },
    // State arrows drawn in the last frame that redrew the top layer.
    arrowCount() {
      return plot.arrowCount;
    },
    hasContours() {
      return plot.hasContours;
    },
    hasField() {
      return plot.hasField;
    },
    toPixel(x, y) {
      return plot.toPixel(x, y);
    },
    // The catalog entry of the landscape shown (a typed one's too).
    landscapeMeta() {
      return model()?.meta ?? null;
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
    idle,
    // One frame's worth of Play (state.speed steps) through the same path the loop uses.
    async frame() {
      await idle();
      await session.advance(store.state.speed);
    },
    // For the benchmark: an n×n particle grid through the same call as the button (12×12).
    async dropGrid(n) {
      await idle();
      await session.particleCall("drop_grid", { n });
    },
    // For the benchmark: selects `key` as a user does and resolves with the milliseconds
    // from the change until the next frame starts after the one that drew the new
    // heatmap (so the picture has been presented), and whether its contours were drawn.
    async timeSceneSwitch(key) {
      await idle();
      const select = document.getElementById("landscape");
      const t0 = performance.now();
      select.value = key;
      select.dispatchEvent(new Event("change"));
      await idle();
      await new Promise((drawn) => requestAnimationFrame(drawn));
      await new Promise((presented) => requestAnimationFrame(presented));
      return { ms: performance.now() - t0, contours: plot.hasContours };
    },
    // For the benchmark: types `text` (and the window) into "Your own f(x, y)" and
    // resolves with the milliseconds from Apply until the frame after the one that drew
    // its heatmap, and the side worker's share (compiling with sympy).
    async timeCustomLandscape(text, domain) {
      await idle();
      document.getElementById("ex-text").value = text;
      ["xmin", "xmax", "ymin", "ymax"].forEach((c, i) => (document.querySelector(`.ex-${c}`).value = String(domain[i])));
      const t0 = performance.now();
      document.querySelector(".ex-apply").click();
      await hook.expression.settled();
      await idle();
      await new Promise((drawn) => requestAnimationFrame(drawn));
      await new Promise((presented) => requestAnimationFrame(presented));
      const shown = store.state.landscape === "custom" && store.state.custom?.expression === text;
      return { ms: performance.now() - t0, shown, status: hook.expression.summary() };
    },
    // A fake clock for the session's pacing (null: the frames' own time again): Play then
    // owes steps only as this clock moves (tests of Speed without wall-clock timing). Its
    // first call also starts a fresh requests() log.
    fakeClock(ms) {
      if (ms === null || fakeNow === null) session.setClock(ms === null ? null : () => fakeNow);
      fakeNow = ms;
    },
    // The steps the session asked the worker for while playing, oldest first (last 100).
    requests() {
      return session.requests;
    },
    // What the page draws: the live runs, or the timeline's at its step (model/timeline.js).
    shownRuns() {
      return sceneAt(model(), store.state.viewStep).runs;
    },
    // The last point of the path drawn for `key`.
    shownTrailEnd(key) {
      const t = sceneAt(model(), store.state.viewStep).trails.get(key);
      return [t.xy[2 * t.length - 2], t.xy[2 * t.length - 1]];
    },
    // The step the loss chart's cursor line marks (null: live).
    chartViewStep() {
      return hook.chart?.viewStep ?? null;
    },
    // For the benchmark: the side worker and the main worker's scene description.
    side,
    describe: (show, step) => python.call("describe", { show, step }),
  };
  return hook;
}
