// The session: every request that changes what Python runs, and the model its replies
// fill. Data flows one way: an action asks for a change → Python computes → the reply
// lands in `model` and, once accepted, in the store's state → layers and panels read.
//
// Requests that restart the run (scene, reset) go one at a time; edits made meanwhile
// are merged and sent next, and a rejected edit leaves the previous state in place.
// Edits are compared with the scene already asked for (not the one shown yet), so rapid
// hash changes are applied in order and the last one wins.

import { FLOW_MAX_FRAME_S, TRAIL_CAPACITY } from "./config.js";
import { fmt } from "./format.js";
import { LossHistory } from "./model/loss-history.js";
import { STEPS_PER_SECOND_PER_SPEED, createPace } from "./model/pace.js";
import { Timeline } from "./model/timeline.js";
import { Trail } from "./model/trail.js";
import {
  CUSTOM, describeProblems, quote, landscapeMeta, parseHash, sameSettings, serializeHash, settingsEntries, showFor, showKeys,
  visibleKeys,
} from "./store.js";

export function createSession({ python, store, notices, on }) {
  const model = {
    catalog: null,
    meta: null, // the current landscape's catalog entry
    runs: null, // the balls: snapshot from Python
    trails: new Map(), // optimizer key -> Trail
    history: new LossHistory(),
    timeline: new Timeline(), // every step since the reset, for scrubbing back (panels/timeline.js)
    particles: null,
    // Typed landscapes compiled by the side worker: the spec's text -> its data, which the
    // main worker rebuilds the landscape from (app.py cmd_scene with landscape "custom").
    custom: new Map(),
  };
  store.model = model;
  let hashHeld = false; // a URL's typed landscape is still compiling: keep its hash
  let restarting = false; // a scene or reset in flight
  let inflight = null; // its patch
  let queued = null; // edits waiting for it
  let advancing = false; // at most one advance in flight
  let manualSteps = 0;
  let lastTick = null;
  let dirty = true;
  const pace = createPace(); // Speed N: N × 60 optimizer steps per second (model/pace.js)
  let clock = null; // a fake clock for tests (test-hook.js), else the frame's time
  const requests = []; // the last steps asked for while playing (tests)

  function sceneArgs(s) {
    const custom = s.landscape === CUSTOM ? { custom: model.custom.get(customKey(s.custom)) } : {};
    return { landscape: s.landscape, ...custom, resolution: s.resolution, colormap: s.colormap, ...runArgs(s) };
  }

  function customKey(spec) {
    return spec ? JSON.stringify([spec.expression, spec.domain]) : null;
  }

  // The catalog holds the typed landscape shown (its entry "custom"), so that every
  // lookup by key (limits, start, minima, the hash) works for it as for the others.
  function setCustomMeta(meta) {
    const at = model.catalog.landscapes.findIndex((l) => l.key === CUSTOM);
    if (at >= 0) model.catalog.landscapes[at] = meta;
    else model.catalog.landscapes.push(meta);
  }

  // What the balls run with: the shared lr, β and start, the gradient noise σ and each
  // optimizer's own settings.
  function runArgs(s) {
    return { lr: s.lr, beta: s.beta, start: s.start, noise: s.noise ?? 0, settings: s.settings ?? {} };
  }

  // The URL describes what is shown. It is rewritten only while it is still the one the
  // page last read or wrote: after a navigation (a new link, Back) the new URL wins and
  // its own hashchange is applied next, so no history entry gets another entry's scene.
  let ownHash = location.hash;

  function writeHash() {
    if (queued || hashHeld) return; // a newer scene is on its way; it writes its own hash
    if (location.hash !== ownHash) return; // navigated meanwhile: that hash is applied next
    history.replaceState(null, "", `#${serializeHash(store.state, model.catalog)}`);
    ownHash = location.hash;
  }

  // ------------------------------------------------------------------ replies into the model

  function applyScene(scene) {
    if (scene.meta) setCustomMeta(scene.meta);
    model.meta = landscapeMeta(model.catalog, scene.landscape);
    model.colorbar = scene.colorbar; // its ticks set the loss the table resolves (resolution.js)
    on.scene(scene, model.meta);
    restartRuns(scene.runs);
    model.particles = scene.particles;
    dirty = true;
  }

  function restartRuns(runs) {
    model.runs = runs;
    runs.keys.forEach((key, i) => {
      if (!model.trails.has(key)) model.trails.set(key, new Trail(TRAIL_CAPACITY));
      model.trails.get(key).clear(runs.positions[2 * i], runs.positions[2 * i + 1]);
    });
    const min = model.meta.minima.reduce((lo, m) => Math.min(lo, m.value), Infinity);
    model.history.reset(runs.keys, runs.step, runs.loss, Number.isFinite(min) ? min : null);
    model.timeline.reset(runs, model.meta.minima.map((m) => m.name));
    // A new run is shown live and may pause at its step count again; pending: the controls
    // keep showing edits still on their way. A run held at its step count paused because
    // the page did, not the user: the new run plays, as a freshly opened page does.
    const held = store.state?.held != null;
    if (store.state?.viewStep != null || held) store.set({ viewStep: null, held: null, ...(held ? { playing: true } : {}) }, { pending: true });
    on.rules(runs.rules);
    dirty = true;
  }

  function applyAdvance(reply, steps) {
    const n = reply.runs.keys.length;
    const trails = reply.runs.keys.map((key) => model.trails.get(key));
    const { path, loss, jumped } = reply; // [steps, n, 2], [steps, n], [steps, n]
    const row = new Float64Array(n);
    const first = reply.runs.step - steps + 1;
    for (let s = 0; s < steps; s++) {
      for (let i = 0; i < n; i++) {
        if (jumped[s * n + i]) trails[i].gap();
        trails[i].push(path[2 * (s * n + i)], path[2 * (s * n + i) + 1]);
        row[i] = loss[s * n + i];
      }
      model.history.append(first + s, row);
      model.timeline.appendReply(first + s, reply, s);
    }
    model.runs = reply.runs;
    if (reply.particles) model.particles = reply.particles;
    dirty = true;
  }

  // The settings to keep after Python's reply: what it accepted, and for each field it
  // refused the previous value (or none). Its problems go to the settings panel when it
  // shows that field, else to the notice.
  function keptSettings(reply, sent, previous) {
    const problems = reply.problems ?? [];
    const kept = structuredClone(reply.settings ?? sent ?? {});
    for (const p of problems) {
      const old = previous?.[p.key]?.[p.param];
      if (old !== undefined) kept[p.key] = { ...(kept[p.key] ?? {}), [p.param]: old };
    }
    for (const key of Object.keys(kept)) if (!Object.keys(kept[key]).length) delete kept[key];
    if (problems.length) {
      const rest = on.problems ? on.problems(problems) : problems;
      if (rest.length) notices.show(describeProblems(rest).join("\n"), "warn");
    }
    return kept;
  }

  // Runs `command` (scene or reset) for `next`; when Python refused a setting whose
  // previous value differs from what it then ran, runs once more with the kept settings.
  async function restartWith(command, next, previous) {
    let reply = await python.call(command, command === "scene" ? sceneArgs(next) : runArgs(next));
    const settings = keptSettings(reply, next.settings, previous.settings);
    if (reply.settings && !sameSettings(settings, reply.settings, model.catalog)) {
      reply = await python.call(command, command === "scene" ? sceneArgs({ ...next, settings }) : runArgs({ ...next, settings }));
    }
    return { reply, settings };
  }

  // The first scene (boot): Python's refusals of the URL's settings, as notice sentences.
  async function firstScene(wanted) {
    const scene = await python.call("scene", sceneArgs(wanted));
    applyScene(scene);
    if (scene.settings) store.state = { ...store.state, settings: structuredClone(scene.settings) };
    return describeProblems(scene.problems ?? []);
  }

  // ------------------------------------------------------------------ changes

  // The scene asked for: the state plus what is in flight and queued.
  function target() {
    return { ...store.state, ...(inflight ?? {}), ...(queued ?? {}) };
  }

  function propose(patch) {
    queued = { ...(queued ?? {}), ...patch };
    if (!restarting) flush();
  }

  async function flush() {
    const patch = queued;
    queued = null;
    inflight = patch;
    restarting = true;
    const state = store.state;
    const next = { ...state, ...patch };
    const needScene = next.landscape !== state.landscape
      || (next.landscape === CUSTOM && customKey(next.custom) !== customKey(state.custom));
    const recolorOnly = !needScene && Object.keys(patch).length > 0 && Object.keys(patch).every((k) => k === "colormap");
    try {
      if (needScene) {
        const { reply: scene, settings } = await restartWith("scene", next, state);
        applyScene(scene);
        store.set({ ...patch, settings }, { pending: Boolean(queued) });
        if (store.state.field) await fetchField();
      } else {
        if (next.colormap !== state.colormap) {
          // A new colormap repaints the picture; the balls and particles keep going.
          const picture = await python.call("recolor", { colormap: next.colormap, resolution: next.resolution });
          on.picture(picture);
        }
        let settings = next.settings;
        if (!recolorOnly) {
          const done = await restartWith("reset", next, state);
          restartRuns(done.reply.runs);
          model.particles = done.reply.particles;
          settings = done.settings;
        }
        store.set({ ...patch, settings }, { pending: Boolean(queued) });
      }
      writeHash();
      if (notices.kind === "error") notices.clear();
    } catch (err) {
      notices.show(`Could not apply ${describePatch(patch)}: ${err.message}. The previous settings are kept.`, "error");
    } finally {
      restarting = false;
      inflight = null;
      if (queued) flush();
      else store.set({}); // the controls show the state again
    }
  }

  function describePatch(patch) {
    const keys = Object.keys(patch).filter((k) => k !== "customEditor");
    if (!keys.length) return "the reset";
    return keys.map((k) => {
      if (k === "custom") return `f(x, y) = ${quote(patch[k]?.expression ?? "")}`;
      if (k === "settings") return settingsEntries(patch[k], model.catalog).map(([n, v]) => `${n}=${v}`).join(", ") || "the default settings";
      return `${k}=${Array.isArray(patch[k]) ? patch[k].map((v) => fmt(v)).join(",") : patch[k]}`;
    }).join(", ");
  }

  // A change only the page shows (no Python run changes).
  function local(patch) {
    store.set(patch);
    writeHash();
    dirty = true;
  }

  async function particleCall(cmd, args) {
    try {
      const reply = await python.call(cmd, args);
      model.particles = reply.particles;
      dirty = true;
    } catch (err) {
      notices.show(`${cmd === "drop" ? "Could not drop a particle" : `Could not ${cmd.replace("_", " ")}`}: ${err.message}`, "error");
    }
  }

  async function fetchField() {
    try {
      const reply = await python.call("field", { n: 21 });
      if (reply.landscape === model.meta?.key && store.state.field) on.field(reply.field);
    } catch (err) {
      notices.show(`Could not draw the gradient field: ${err.message}`, "error");
    }
  }

  function onHashChange() {
    ownHash = location.hash;
    const { state: wanted, problems } = parseHash(location.hash, model.catalog);
    if (problems.length) notices.show(problems.join("\n"), "warn");
    const aim = target();
    const patch = {};
    // A typed landscape is compiled first (the editor does it, then switches to it):
    // until then its landscape, lr, β and start are not the URL's to set.
    const typed = wanted.pendingCustom;
    if (typed && customKey(typed) !== customKey(aim.landscape === CUSTOM ? aim.custom : null)) on.customFromUrl?.(typed);
    for (const key of typed ? ["colormap", "noise"] : ["landscape", "lr", "beta", "colormap", "noise"]) {
      if (wanted[key] !== aim[key]) patch[key] = wanted[key];
    }
    if (!typed && wanted.start.some((v, i) => v !== aim.start[i])) patch.start = wanted.start;
    if (!sameSettings(wanted.settings, aim.settings, model.catalog)) patch.settings = wanted.settings;
    const view = {
      show: wanted.show, speed: wanted.speed, particleSpeed: wanted.particleSpeed, arrows: wanted.arrows,
      sweep: wanted.sweep, sweepSteps: wanted.sweepSteps, present: wanted.present,
    };
    if (wanted.field !== store.state.field) actions.field(wanted.field);
    store.set(view);
    if (Object.keys(patch).length) propose(patch);
    else local({});
  }

  // ------------------------------------------------------------------ the clock

  // Called every animation frame: asks for the optimizer steps of this frame (when
  // playing or stepping) and the particles' flow over the screen time that passed
  // (whether or not the optimizers play: a particle is not an optimizer).
  // Playing, the steps are owed by elapsed time (model/pace.js) and stop at the
  // landscape's step count, the one its notes describe: the last ask is for what remains,
  // and the run pauses there (held) until Play or Run on continues it without a limit.
  function tick(frameNow) {
    const now = clock ? clock() : frameNow;
    const dt = lastTick === null ? 0 : Math.min(FLOW_MAX_FRAME_S, (now - lastTick) / 1000);
    lastTick = now;
    if (!store.state.playing) pace.stop();
    if (advancing || restarting || queued) return;
    let steps = 0;
    let playing = false;
    if (manualSteps > 0) {
      steps = manualSteps;
      manualSteps = 0;
    } else if (store.state.playing) {
      steps = pace.take(now, store.state.speed, toStepCount());
      playing = true;
      if (steps && requests.push(steps) > 100) requests.shift();
    }
    const flowing = model.particles && model.particles.moving > 0;
    if (steps === 0 && !flowing) return;
    advance(steps, flowing ? dt : 0, playing);
  }

  // Steps left to the landscape's step count, or Infinity once it is reached or passed.
  function toStepCount() {
    const limit = model.meta?.steps;
    const step = model.runs?.step ?? 0;
    return Number.isInteger(limit) && step < limit ? limit - step : Infinity;
  }

  async function advance(steps, flowSeconds = 0, playing = false) {
    advancing = true;
    const asked = clock ? clock() : performance.now();
    try {
      const held = playing && toStepCount() === steps;
      const reply = await python.call("advance", {
        steps, flow_seconds: flowSeconds, particle_speed: store.state.particleSpeed,
      });
      applyAdvance(reply, steps);
      const now = clock ? clock() : performance.now();
      if (playing) pace.replied(steps, now - asked, now);
      if (held && store.state.playing && reply.runs.step === model.meta?.steps) store.set({ playing: false, held: reply.runs.step });
    } catch (err) {
      store.set({ playing: false });
      notices.show(`The run stopped: ${err.message}`, "error");
    } finally {
      advancing = false;
    }
  }

  // ------------------------------------------------------------------ what the panels may ask

  const actions = {
    landscape(key) {
      if (key === CUSTOM) {
        // The editor opens; its first Apply compiles a landscape and switches to it.
        store.set({ customEditor: true });
        on.customEditor?.();
        return;
      }
      const meta = landscapeMeta(model.catalog, key);
      propose({ landscape: key, lr: meta.default_lr, beta: meta.default_beta, start: [...meta.start], customEditor: false });
    },
    // A typed landscape the side worker compiled: spec {expression, domain}, its data and meta.
    customLandscape(spec, data, meta) {
      model.custom.set(customKey(spec), data);
      if (model.custom.size > 8) model.custom.delete(model.custom.keys().next().value);
      propose({
        landscape: CUSTOM, custom: { expression: spec.expression, domain: [...meta.domain] },
        lr: meta.default_lr, beta: meta.default_beta, start: [...meta.start], customEditor: false,
      });
    },
    // While a URL's typed landscape compiles, the URL keeps saying so.
    holdHash(on) {
      hashHeld = on;
      if (!on) writeHash();
    },
    lr: (lr) => propose({ lr }),
    beta: (beta) => propose({ beta }),
    colormap: (colormap) => propose({ colormap }),
    start: (start) => propose({ start }),
    // A group, a key or a comma list; written the one canonical way (store.showFor).
    show: (show) => local({ show: showFor(showKeys(show, model.catalog) ?? [], model.catalog) }),
    // A legend row's toggle: shows or hides one ball (it keeps running either way).
    toggle(key, shown) {
      const keys = visibleKeys(store.state, model.catalog);
      if (shown) keys.add(key);
      else keys.delete(key);
      local({ show: showFor([...keys], model.catalog) });
    },
    noise: (noise) => propose({ noise }),
    // The settings the landscape's notes describe (panels/notes-conditions.js), all at once.
    restoreDefaults() {
      const meta = model.meta;
      propose({ lr: meta.default_lr, beta: meta.default_beta, start: [...meta.start], noise: 0, settings: {} });
    },
    arrows: (arrows) => local({ arrows }),
    // One optimizer's own hyperparameter (`value` undefined: back to shared/default).
    setting(key, param, value) {
      const settings = structuredClone(target().settings ?? {});
      const own = { ...(settings[key] ?? {}) };
      if (value === undefined) delete own[param];
      else own[param] = value;
      if (Object.keys(own).length) settings[key] = own;
      else delete settings[key];
      propose({ settings });
    },
    resetSettings(key) {
      const settings = structuredClone(target().settings ?? {});
      delete settings[key];
      propose({ settings });
    },
    sweep: (sweep) => local({ sweep }),
    present: (present) => local({ present }),
    sweepSteps: (sweepSteps) => local({ sweepSteps }),
    speed: (speed) => local({ speed }),
    particleSpeed: (particleSpeed) => local({ particleSpeed }),
    field(show) {
      local({ field: show });
      if (show) fetchField();
      else on.field(null);
    },
    play: () => store.set({ playing: !store.state.playing, viewStep: null, held: null }),
    // Held at the step count: play on from there, with no limit until the next reset.
    runOn: () => store.set({ playing: true, viewStep: null, held: null }),
    step() {
      manualSteps += 1;
      store.set({ playing: false, viewStep: null, held: null });
    },
    // The timeline: show the scene at step k (null, or the latest step: live). Scrubbing
    // pauses the run; Play or Step returns to live.
    view(k) {
      const live = model.runs?.step ?? 0;
      const viewStep = k == null || k >= live ? null : Math.max(0, Math.round(k));
      store.set({ viewStep, playing: false });
      dirty = true;
    },
    reset: () => propose({}),
    dropGrid: () => particleCall("drop_grid", { n: 12 }),
    clear: () => particleCall("clear", {}),
    drop: (points) => particleCall("drop", { points }),
  };

  return {
    model,
    actions,
    sceneArgs,
    applyScene,
    firstScene,
    writeHash,
    onHashChange,
    tick,
    advance,
    particleCall,
    fetchField,
    // Optimizer steps per second: the target of Speed and what was delivered (null: not
    // measured yet, or not playing).
    rate(now) {
      return { target: store.state.speed * STEPS_PER_SECOND_PER_SPEED, achieved: store.state.playing ? pace.achieved(clock ? clock() : now) : null };
    },
    // Tests: a fake clock (null: the frames' time), and a fresh log of the steps asked for.
    setClock(fn) {
      clock = fn;
      requests.length = 0;
    },
    get requests() {
      return [...requests];
    },
    get busy() {
      return advancing || restarting || Boolean(queued) || manualSteps > 0;
    },
    takeDirty() {
      const was = dirty;
      dirty = false;
      return was;
    },
    markDirty() {
      dirty = true;
    },
  };
}
