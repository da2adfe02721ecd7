// The one plain state object of the page, and its URL-hash form.
//
// Input handlers change `state` (through main.js); renderers only read it. The URL hash
// holds the scene, e.g. #landscape=ravine&lr=0.01&beta=0.9&show=all&speed=4 (plus
// start=x,y and cmap=name when they differ from the defaults). Parsing validates every
// field on its own: a bad value is reported by name and replaced by that field's default.

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
    beta: d.beta,
    show: "all",
    speed: d.speed,
    start: [...meta.start],
    colormap: d.colormap,
    resolution: d.resolution,
    playing: true,
  };
}

// Strict decimal numbers only ("1e-3", "-0.5"): no hex, no "Infinity", no empty string.
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseNumber(text) {
  return NUMBER.test(text.trim()) ? Number(text) : NaN;
}

/**
 * The state a URL hash asks for, and what was wrong with it.
 * Returns {state, problems}: problems is a list of sentences naming the parameter and value.
 */
export function parseHash(hash, catalog) {
  const params = new URLSearchParams(String(hash).replace(/^#/, ""));
  const state = defaultState(catalog);
  const problems = [];
  const known = new Set(["landscape", "lr", "beta", "show", "speed", "start", "cmap"]);
  for (const name of params.keys()) {
    if (!known.has(name)) problems.push(`Ignored unknown URL parameter "${name}" (known: ${[...known].join(", ")}).`);
  }

  if (params.has("landscape")) {
    const key = params.get("landscape");
    const meta = landscapeMeta(catalog, key);
    if (meta) {
      state.landscape = key;
      state.lr = meta.default_lr;
      state.start = [...meta.start];
    } else {
      const keys = catalog.landscapes.map((l) => l.key).join(", ");
      problems.push(`Unknown landscape "${key}" in the URL (choose one of: ${keys}); showing "${state.landscape}" instead.`);
    }
  }
  const meta = landscapeMeta(catalog, state.landscape);

  const number = (name, field, { min, max }, integer = false) => {
    if (!params.has(name)) return;
    const text = params.get(name);
    const value = parseNumber(text);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      const kind = integer ? "a whole number" : "a number";
      problems.push(`URL parameter ${name}=${JSON.stringify(text)} is not ${kind} in ${fmt(min)} … ${fmt(max)}; using ${fmt(state[field])}.`);
      return;
    }
    state[field] = value;
  };
  number("lr", "lr", LIMITS.lr);
  number("beta", "beta", LIMITS.beta);
  number("speed", "speed", LIMITS.speed, true);

  if (params.has("show")) {
    const show = params.get("show");
    const keys = catalog.optimizers.map((o) => o.key);
    if (show === "all" || keys.includes(show)) state.show = show;
    else problems.push(`URL parameter show=${JSON.stringify(show)} is not "all" or one of ${keys.join(", ")}; showing all.`);
  }

  if (params.has("cmap")) {
    const cmap = params.get("cmap");
    if (catalog.colormaps.includes(cmap)) state.colormap = cmap;
    else problems.push(`Unknown colormap cmap=${JSON.stringify(cmap)} (choose one of: ${catalog.colormaps.join(", ")}); using ${state.colormap}.`);
  }

  if (params.has("start")) {
    const text = params.get("start");
    const parts = text.split(",").map(parseNumber);
    const [xmin, xmax, ymin, ymax] = meta.domain;
    const ok = parts.length === 2 && parts.every(Number.isFinite)
      && parts[0] >= xmin && parts[0] <= xmax && parts[1] >= ymin && parts[1] <= ymax;
    if (ok) state.start = parts;
    else problems.push(`URL parameter start=${JSON.stringify(text)} is not a point "x,y" inside the view (x in ${fmt(xmin)} … ${fmt(xmax)}, y in ${fmt(ymin)} … ${fmt(ymax)}); starting from ${state.start.map(fmt).join(", ")}.`);
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
  ];
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
