// The one plain state object of the page, its store, and its URL-hash form.
//
// Input handlers ask the session (session.js) for changes; the session writes `state`
// through the store once Python has accepted them; panels and plot layers only read it.
// The URL hash holds the scene, e.g.
// #landscape=ravine&lr=0.01&beta=0.9&show=gradient&speed=4&pspeed=1 (plus start=x,y,
// cmap=name, field=1, noise=σ, arrows=1, sweep=1, sweepsteps=N, present=1 and per-optimizer
// settings such as adam.betas=0.9,0.99 when they differ from the defaults). Parsing
// validates every field on its own: a bad value is reported by name and replaced by that
// field's default (a bad setting is dropped); Python then checks the settings once more
// (session.js names what it refused).

// Which balls are shown: a group, one optimizer key, or any comma list of keys.
export const SHOW_GROUPS = {
  gradient: "The six gradient methods",
  escape: "Annealing and restarts", // the escape methods; short enough for the Show select
  more: "Adagrad … Lion (8 more)",
  all: "All methods",
};
// No ball shown (every legend toggle off).
export const SHOW_NONE = "none";

export function createStore() {
  const listeners = new Set();
  const store = {
    state: null, // what the user asked for and Python accepted
    model: null, // what Python computed (main.js owns its shape)
    // Merges `patch` into the state and tells every subscriber which keys changed;
    // `meta.pending` says newer edits are still on their way (controls keep showing those).
    set(patch, meta = {}) {
      store.state = { ...store.state, ...patch };
      for (const fn of listeners) fn(store.state, patch, meta);
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  return store;
}

// The keys `show` (a group, "none", one key or a comma list) stands for, in catalog
// order; null when it is none of these.
export function showKeys(show, catalog) {
  const all = catalog.optimizers.map((o) => o.key);
  if (typeof show !== "string") return null;
  if (show === "all") return all;
  if (show === SHOW_NONE) return [];
  if (show in SHOW_GROUPS) return catalog.optimizers.filter((o) => o.group === show).map((o) => o.key);
  const parts = show.split(",");
  if (parts.length > all.length || new Set(parts).size !== parts.length || !parts.every((k) => all.includes(k))) return null;
  return all.filter((k) => parts.includes(k));
}

// The one way to write a set of shown keys: a group when it is exactly one ("all" first),
// else the keys in catalog order ("none" for none).
export function showFor(keys, catalog) {
  const wanted = new Set(keys);
  const ordered = catalog.optimizers.map((o) => o.key).filter((k) => wanted.has(k));
  if (!ordered.length) return SHOW_NONE;
  for (const group of ["all", "gradient", "escape", "more"]) {
    const members = showKeys(group, catalog);
    if (members.length && members.length === ordered.length && members.every((k) => wanted.has(k))) return group;
  }
  return ordered.join(",");
}

// The keys of the balls `state.show` shows, in catalog order.
export function visibleKeys(state, catalog) {
  return new Set(showKeys(state.show, catalog) ?? []);
}

import { LIMITS } from "./config.js";
import { fmt } from "./format.js";

// catalog: the reply of the worker's "init" command.
export function landscapeMeta(catalog, key) {
  return catalog.landscapes.find((l) => l.key === key);
}

export function defaultState(catalog) {
  const d = catalog.defaults;
  const meta = landscapeMeta(catalog, d.landscape) ?? catalog.landscapes[0];
  return {
    landscape: meta.key,
    lr: meta.default_lr,
    beta: meta.default_beta ?? d.beta,
    show: d.show,
    speed: d.speed,
    particleSpeed: d.particle_speed,
    field: false,
    start: [...meta.start],
    colormap: d.colormap,
    resolution: d.resolution,
    noise: d.noise ?? 0,
    arrows: false,
    settings: {}, // {key: {param: value}}: each optimizer's own hyperparameters (absent: shared/default)
    sweep: false, // the Sweep panel is open
    sweepSteps: null, // the Sweep's N; null: the landscape's own step count, the one its notes describe
    playing: true,
    custom: null, // {expression, domain}: the typed landscape shown when landscape is "custom"
    customEditor: false, // the editor of "Your own f(x, y)" is open (before its first landscape)
    present: false, // the presentation layout (static/panels/presentation.js)
  };
}

// "Your own f(x, y)" in the URL: landscape=custom&f=<text>&window=xmin,xmax,ymin,ymax.
export const CUSTOM = "custom";
export const MAX_EXPRESSION_CHARS = 300; // landscapes.expression_parse.MAX_CHARS (Python checks it again)

// The Sweep's step count N: the one asked for, else the landscape's own (its notes' steps).
export function sweepStepsOf(state, catalog) {
  return state.sweepSteps ?? landscapeMeta(catalog, state.landscape)?.steps ?? catalog.defaults?.sweep_steps ?? 500;
}

// Ranges the catalog sets (app.py's limits), with the contract's values until it does.
export function catalogLimits(catalog) {
  const noise = catalog.limits?.noise ?? [0, 1];
  const sweep = catalog.limits?.sweep_steps ?? [10, 5000];
  return { noise: { min: noise[0], max: noise[1] }, sweepSteps: { min: sweep[0], max: sweep[1] } };
}

// The torch-named hyperparameter specs of an optimizer ({name, kind, default, page?}).
export function specsOf(catalog, key) {
  return catalog.optimizers.find((o) => o.key === key)?.hyperparameters ?? [];
}

// Strict decimal numbers only ("1e-3", "-0.5"): no hex, no "Infinity", no empty string.
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function parseNumber(text) {
  return text.length <= 64 && NUMBER.test(text.trim()) ? Number(text) : NaN;
}

// A value from the URL as the notice may show it: quoted, control characters and line
// breaks removed, at most QUOTE_CHARS characters. The URL never writes the page's text.
const QUOTE_CHARS = 40;
const MAX_PROBLEMS = 6;
const KNOWN = ["landscape", "lr", "beta", "show", "speed", "pspeed", "field", "start", "cmap", "noise", "arrows",
  "sweep", "sweepsteps", "f", "window", "present"];

export function quote(text) {
  const clean = String(text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ");
  const chars = [...clean];
  return JSON.stringify(chars.length > QUOTE_CHARS ? `${chars.slice(0, QUOTE_CHARS).join("")}…` : clean);
}

/**
 * The state a URL hash asks for, and what was wrong with it.
 * Returns {state, problems}: problems is a list of sentences naming the parameter and value.
 * Every field is parsed on its own; a bad one falls back to its default. A repeated
 * parameter counts once (its first value).
 */
export function parseHash(hash, catalog) {
  let params;
  try {
    params = new URLSearchParams(String(hash).replace(/^#/, ""));
  } catch {
    params = new URLSearchParams();
  }
  const state = defaultState(catalog);
  const problems = [];
  const names = [...new Set(params.keys())];
  const unknown = names.filter((name) => !KNOWN.includes(name) && !SETTING.test(name));
  if (unknown.length) {
    problems.push(`Ignored unknown URL parameter${unknown.length > 1 ? "s" : ""} ${unknown.slice(0, 3).map(quote).join(", ")}`
      + `${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ""} (known: ${KNOWN.join(", ")}, and <optimizer>.<setting>).`);
  }

  let custom = null; // the typed landscape the URL asks for (built once sympy has compiled it)
  if (params.get("landscape") === CUSTOM) {
    custom = parseCustom(params, catalog, problems);
  } else if (params.has("landscape")) {
    const key = params.get("landscape");
    const meta = landscapeMeta(catalog, key);
    if (meta) {
      state.landscape = key;
      state.lr = meta.default_lr;
      state.beta = meta.default_beta ?? state.beta;
      state.start = [...meta.start];
    } else {
      problems.push(`Unknown landscape ${quote(key)} in the URL (choose one of: ${catalog.landscapes.map((l) => l.key).join(", ")}); showing "${state.landscape}" instead.`);
    }
  }
  const meta = landscapeMeta(catalog, state.landscape);

  const number = (name, field, { min, max }, integer = false) => {
    if (!params.has(name)) return;
    const text = params.get(name);
    const value = parseNumber(text);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      const kind = integer ? "a whole number" : "a number";
      const using = state[field] == null ? "the default" : fmt(state[field]);
      problems.push(`URL parameter ${name}=${quote(text)} is not ${kind} in ${fmt(min)} … ${fmt(max)}; using ${using}.`);
      return;
    }
    state[field] = value;
  };
  number("lr", "lr", LIMITS.lr);
  number("beta", "beta", LIMITS.beta);
  number("speed", "speed", LIMITS.speed, true);
  number("pspeed", "particleSpeed", LIMITS.particleSpeed);
  const limits = catalogLimits(catalog);
  number("noise", "noise", limits.noise);
  number("sweepsteps", "sweepSteps", limits.sweepSteps, true);

  const flag = (name, field, what) => {
    if (!params.has(name)) return;
    const text = params.get(name);
    if (text === "1" || text === "0") state[field] = text === "1";
    else problems.push(`URL parameter ${name}=${quote(text)} is not 0 or 1; ${what}.`);
  };
  flag("field", "field", "the gradient field stays hidden");
  flag("arrows", "arrows", "the state arrows stay hidden");
  flag("sweep", "sweep", "the Sweep panel stays closed");
  flag("present", "present", "the page keeps its usual layout");

  if (params.has("show")) {
    const show = params.get("show");
    const keys = showKeys(show, catalog);
    if (keys) state.show = showFor(keys, catalog);
    else {
      problems.push(`URL parameter show=${quote(show)} is not a group (${Object.keys(SHOW_GROUPS).join(", ")}), `
        + `"${SHOW_NONE}", or optimizer keys separated by commas (${catalog.optimizers.map((o) => o.key).join(", ")}); showing ${state.show}.`);
    }
  }

  for (const name of names.filter((n) => SETTING.test(n))) {
    const problem = parseSetting(name, params.get(name), catalog, state.settings);
    if (problem) problems.push(problem);
  }

  if (params.has("cmap")) {
    const cmap = params.get("cmap");
    if (catalog.colormaps.includes(cmap)) state.colormap = cmap;
    else problems.push(`Unknown colormap cmap=${quote(cmap)} (choose one of: ${catalog.colormaps.join(", ")}); using ${state.colormap}.`);
  }

  if (custom) {
    state.pendingCustom = custom; // the session compiles it (sympy) and then switches to it
    if (params.has("start")) custom.start = parseStart(params.get("start"), custom.domain, problems, null);
  } else if (params.has("start")) {
    const text = params.get("start");
    const parts = text.split(",").map(parseNumber);
    const [xmin, xmax, ymin, ymax] = meta.domain;
    const ok = parts.length === 2 && parts.every(Number.isFinite)
      && parts[0] >= xmin && parts[0] <= xmax && parts[1] >= ymin && parts[1] <= ymax;
    if (ok) state.start = parts;
    else problems.push(`URL parameter start=${quote(text)} is not a point "x,y" inside the view (x in ${fmt(xmin)} … ${fmt(xmax)}, y in ${fmt(ymin)} … ${fmt(ymax)}); replaced by the landscape's start ${state.start.map((v) => fmt(v)).join(", ")}.`);
  }
  if (problems.length > MAX_PROBLEMS) {
    const more = problems.length - MAX_PROBLEMS + 1;
    problems.splice(MAX_PROBLEMS - 1, Infinity, `… and ${more} more problems in the URL; each fell back to its default.`);
  }
  return { state, problems };
}

// f and window of a custom landscape: data, checked for shape here (Python parses the text
// against its whitelist and checks the window again); null when unusable.
function parseCustom(params, catalog, problems) {
  const text = params.get("f");
  if (text === null || !text.trim()) {
    problems.push(`URL parameter landscape=custom needs f=<formula in x and y>; showing "${catalog.defaults.landscape}" instead.`);
    return null;
  }
  if ([...text].length > MAX_EXPRESSION_CHARS || /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text)) {
    problems.push(`URL parameter f=${quote(text)} is longer than ${MAX_EXPRESSION_CHARS} characters or holds control characters; showing "${catalog.defaults.landscape}" instead.`);
    return null;
  }
  let domain = [...(catalog.custom?.domain ?? [-3, 3, -3, 3])];
  if (params.has("window")) {
    const raw = params.get("window");
    const parts = raw.split(",").map(parseNumber);
    if (parts.length === 4 && parts.every(Number.isFinite) && parts[0] < parts[1] && parts[2] < parts[3]) domain = parts;
    else problems.push(`URL parameter window=${quote(raw)} is not "xmin,xmax,ymin,ymax" with xmin < xmax and ymin < ymax; using ${domain.map((v) => fmt(v)).join(",")}.`);
  }
  return { expression: text, domain };
}

// "x,y" inside domain, or `fallback` (with a problem) when it is not.
function parseStart(text, domain, problems, fallback) {
  const parts = text.split(",").map(parseNumber);
  const [xmin, xmax, ymin, ymax] = domain;
  if (parts.length === 2 && parts.every(Number.isFinite) && parts[0] >= xmin && parts[0] <= xmax && parts[1] >= ymin && parts[1] <= ymax) {
    return parts;
  }
  problems.push(`URL parameter start=${quote(text)} is not a point "x,y" inside the window (x in ${fmt(xmin)} … ${fmt(xmax)}, y in ${fmt(ymin)} … ${fmt(ymax)}); the start is chosen inside it.`);
  return fallback;
}

// An optimizer's own setting in the URL: <key>.<param>=value.
const SETTING = /^[a-z0-9_]{1,24}\.[A-Za-z0-9_]{1,32}$/;

// Parses one <key>.<param>=text into `settings` (syntax only: Python checks the values);
// returns the problem, or null.
function parseSetting(name, text, catalog, settings) {
  const [key, param] = name.split(".");
  const keys = catalog.optimizers.map((o) => o.key);
  if (!keys.includes(key)) return `Ignored URL parameter ${quote(name)}: no optimizer ${quote(key)} (choose one of: ${keys.join(", ")}).`;
  const specs = specsOf(catalog, key);
  const spec = specs.find((s) => s.name === param);
  if (!spec) {
    return `Ignored URL parameter ${quote(name)}: ${key} has no setting ${quote(param)}`
      + ` (its settings: ${specs.map((s) => s.name).join(", ") || "none"}).`;
  }
  const value = parseSettingValue(spec.kind, text);
  if (value === null) {
    return `URL parameter ${key}.${param}=${quote(text)} is not ${KIND_TEXT[spec.kind] ?? "a value"}; dropped (${key} uses its default).`;
  }
  settings[key] = { ...(settings[key] ?? {}), [param]: value };
  return null;
}

const KIND_TEXT = {
  number: "a number",
  integer: "a whole number",
  pair: 'two numbers "a,b"',
  flag: "0 or 1",
};

// A setting's value from its text by kind, or null when the text is not of that kind.
export function parseSettingValue(kind, text) {
  if (typeof text !== "string") return null;
  if (kind === "flag") return text === "1" ? true : text === "0" ? false : null;
  if (kind === "pair") {
    const parts = text.split(",");
    if (parts.length !== 2) return null;
    const pair = parts.map(parseNumber);
    return pair.every(Number.isFinite) ? pair : null;
  }
  const value = parseNumber(text);
  if (!Number.isFinite(value)) return null;
  if (kind === "integer" && !Number.isInteger(value)) return null;
  return value;
}

// A setting's value as the URL writes it.
export function settingText(value) {
  if (typeof value === "boolean") return value ? "1" : "0";
  if (Array.isArray(value)) return value.map(String).join(",");
  return String(value);
}

// The settings in one order (catalog, then specs), without empty entries: two
// equal settings give the same text.
export function settingsEntries(settings, catalog) {
  const entries = [];
  for (const { key } of catalog.optimizers) {
    const own = settings?.[key];
    if (!own) continue;
    const order = specsOf(catalog, key).map((s) => s.name);
    const params = Object.keys(own).sort((a, b) => order.indexOf(a) - order.indexOf(b));
    for (const param of params) entries.push([`${key}.${param}`, settingText(own[param])]);
  }
  return entries;
}

export function sameSettings(a, b, catalog) {
  return JSON.stringify(settingsEntries(a, catalog)) === JSON.stringify(settingsEntries(b, catalog));
}

// Python's refusals of settings ({key, param, value, message}) as sentences for a notice.
export function describeProblems(problems) {
  return problems.map((p) => {
    const name = p.param ? `${p.key}.${p.param}` : String(p.key);
    const why = String(p.message ?? "").replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").slice(0, 200);
    return `Setting ${quote(name)}=${quote(settingText(p.value))} refused: ${why}; dropped.`;
  });
}

export function serializeHash(state, catalog) {
  const meta = landscapeMeta(catalog, state.landscape);
  const custom = state.landscape === CUSTOM && state.custom
    ? [["f", state.custom.expression], ["window", state.custom.domain.join(",")]] : [];
  const params = [
    ["landscape", state.landscape],
    ...custom,
    ["lr", String(state.lr)],
    ["beta", String(state.beta)],
    ["show", state.show],
    ["speed", String(state.speed)],
    ["pspeed", String(state.particleSpeed)],
  ];
  if (state.noise) params.push(["noise", String(state.noise)]);
  if (state.arrows) params.push(["arrows", "1"]);
  if (state.field) params.push(["field", "1"]);
  // A typed landscape's own start is whatever it was built with: the link always says it.
  if (meta && (state.landscape === CUSTOM || state.start[0] !== meta.start[0] || state.start[1] !== meta.start[1])) {
    params.push(["start", state.start.join(",")]);
  }
  if (state.colormap !== catalog.defaults.colormap) params.push(["cmap", state.colormap]);
  if (state.sweep) params.push(["sweep", "1"]);
  if (state.present) params.push(["present", "1"]);
  if (state.sweepSteps != null) params.push(["sweepsteps", String(state.sweepSteps)]);
  params.push(...settingsEntries(state.settings, catalog));
  return params.map(([k, v]) => `${k}=${encodeURIComponent(v).replaceAll("%2C", ",")}`).join("&");
}

// Values as the controls produce them, rounded so that the hash reads well and round-trips.
export function roundLr(lr) {
  return Number(lr.toPrecision(3));
}

export function roundCoordinate(value, span) {
  const quantum = 10 ** (Math.floor(Math.log10(span)) - 3);
  return Number((Math.round(value / quantum) * quantum).toPrecision(12));
}
