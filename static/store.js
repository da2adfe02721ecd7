// The one plain state object of the page, its store, and its URL-hash form.
//
// Input handlers ask the session (session.js) for changes; the session writes `state`
// through the store once Python has accepted them; panels and plot layers only read it.
// The URL hash holds the scene, e.g.
// #landscape=ravine&lr=0.01&beta=0.9&show=gradient&speed=4&pspeed=1 (plus start=x,y,
// cmap=name and field=1 when they differ from the defaults). Parsing validates every
// field on its own: a bad value is reported by name and replaced by that field's default.

// Which balls are shown: a group or one optimizer key.
export const SHOW_GROUPS = {
  gradient: "The six gradient methods",
  escape: "Escape methods (annealing, restarts)",
  all: "All methods",
};

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

// The keys of the balls `state.show` shows, in catalog order.
export function visibleKeys(state, catalog) {
  const all = catalog.optimizers;
  if (state.show === "all") return new Set(all.map((o) => o.key));
  if (state.show === "gradient" || state.show === "escape") {
    return new Set(all.filter((o) => o.group === state.show).map((o) => o.key));
  }
  return new Set([state.show]);
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
    playing: true,
  };
}

// Strict decimal numbers only ("1e-3", "-0.5"): no hex, no "Infinity", no empty string.
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseNumber(text) {
  return text.length <= 64 && NUMBER.test(text.trim()) ? Number(text) : NaN;
}

// A value from the URL as the notice may show it: quoted, control characters and line
// breaks removed, at most QUOTE_CHARS characters. The URL never writes the page's text.
const QUOTE_CHARS = 40;
const MAX_PROBLEMS = 6;
const KNOWN = ["landscape", "lr", "beta", "show", "speed", "pspeed", "field", "start", "cmap"];

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
  const unknown = [...new Set(params.keys())].filter((name) => !KNOWN.includes(name));
  if (unknown.length) {
    problems.push(`Ignored unknown URL parameter${unknown.length > 1 ? "s" : ""} ${unknown.slice(0, 3).map(quote).join(", ")}`
      + `${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ""} (known: ${KNOWN.join(", ")}).`);
  }

  if (params.has("landscape")) {
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
      problems.push(`URL parameter ${name}=${quote(text)} is not ${kind} in ${fmt(min)} … ${fmt(max)}; using ${fmt(state[field])}.`);
      return;
    }
    state[field] = value;
  };
  number("lr", "lr", LIMITS.lr);
  number("beta", "beta", LIMITS.beta);
  number("speed", "speed", LIMITS.speed, true);
  number("pspeed", "particleSpeed", LIMITS.particleSpeed);

  if (params.has("field")) {
    const text = params.get("field");
    if (text === "1" || text === "0") state.field = text === "1";
    else problems.push(`URL parameter field=${quote(text)} is not 0 or 1; the gradient field stays hidden.`);
  }

  if (params.has("show")) {
    const show = params.get("show");
    const keys = catalog.optimizers.map((o) => o.key);
    const groups = Object.keys(SHOW_GROUPS);
    if (groups.includes(show) || keys.includes(show)) state.show = show;
    else problems.push(`URL parameter show=${quote(show)} is not one of ${[...groups, ...keys].join(", ")}; showing ${state.show}.`);
  }

  if (params.has("cmap")) {
    const cmap = params.get("cmap");
    if (catalog.colormaps.includes(cmap)) state.colormap = cmap;
    else problems.push(`Unknown colormap cmap=${quote(cmap)} (choose one of: ${catalog.colormaps.join(", ")}); using ${state.colormap}.`);
  }

  if (params.has("start")) {
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

export function serializeHash(state, catalog) {
  const meta = landscapeMeta(catalog, state.landscape);
  const params = [
    ["landscape", state.landscape],
    ["lr", String(state.lr)],
    ["beta", String(state.beta)],
    ["show", state.show],
    ["speed", String(state.speed)],
    ["pspeed", String(state.particleSpeed)],
  ];
  if (state.field) params.push(["field", "1"]);
  if (meta && (state.start[0] !== meta.start[0] || state.start[1] !== meta.start[1])) {
    params.push(["start", state.start.join(",")]);
  }
  if (state.colormap !== catalog.defaults.colormap) params.push(["cmap", state.colormap]);
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
