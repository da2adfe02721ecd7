// Settings of the page, in one place.
//
// Where the Python runtime comes from (the one runtime-location setting):
//   1. LOCAL_RUNTIME_URL, ./pyodide/ next to index.html. `./dev serve` serves it there
//      from a hash-checked local copy; the page probes ./pyodide/pyodide.mjs first.
//   2. CDN_RUNTIME_URL, the official Pyodide CDN, when the local copy is missing
//      (e.g. the page is hosted statically without the runtime).
// Both are fixed here on purpose: a runtime URL taken from the page's URL would let
// a link decide which code the page executes.

export const PYODIDE_VERSION = "0.27.7";

// Resolved against this file (static/config.js), so they work from any page path.
export const LOCAL_RUNTIME_URL = new URL("../pyodide/", import.meta.url).href;
export const CDN_RUNTIME_URL = `https://cdn.jsdelivr.net/pyodide/v${PYODIDE_VERSION}/full/`;

// Our own Python (landscapes, optimizers, rendering, app) is one wheel, described by
// wheels/index.json: {"wheel": "<file name>", "sha256": "<hex>"}.
export const WHEELS_URL = new URL("../wheels/", import.meta.url).href;

// Official Pyodide packages loaded together with our wheel, in one loadPackage call.
export const PYODIDE_PACKAGES = ["numpy"];
// Loaded right after Ready, off the path to the first frame: contourpy draws the
// iso-loss lines, which appear a moment after the heatmap.
export const LATER_PACKAGES = ["contourpy"];

// A boot that has not reached Ready by then is reported as failed, never left spinning.
export const BOOT_TIMEOUT_MS = 60_000;

// Ranges of the controls; the URL hash is validated against the same numbers.
export const LIMITS = {
  lr: { min: 1e-4, max: 1 },
  beta: { min: 0, max: 0.99 },
  speed: { min: 1, max: 50 },
  particleSpeed: { min: 0.25, max: 4 },
};

// Particles flow in their own time: each frame advances them by the screen time that
// passed (at most this much, so a stalled tab does not jump), whether or not the
// optimizers are playing.
export const FLOW_MAX_FRAME_S = 0.05;
// Drag-to-paint drops at most one particle per this many CSS pixels of pointer travel.
export const PAINT_SPACING_PX = 14;

// Trails keep at most this many points per optimizer (older half decimated).
export const TRAIL_CAPACITY = 4000;

// One colour per optimizer key; balls are outlined so they read on any colormap.
export const OPTIMIZER_COLORS = {
  sgd: "#ff8f1f",      // orange
  momentum: "#ffe033", // yellow
  nesterov: "#ff4f7b", // red-pink
  rmsprop: "#2fe0c4",  // teal
  adam: "#b77dff",     // purple
  adamw: "#a8f06c",    // light green
  annealing: "#ff5ce1", // magenta
  restarts: "#5cc8ff",  // sky blue
};
export const FALLBACK_COLOR = "#e6e9ef";

export const PARTICLE_COLOR = "#f4f7ff";
export const PARTICLE_REST_COLOR = "#9fb4d9";

// Legend refresh period: the numbers change every frame, people read them at ~10 Hz.
export const LEGEND_PERIOD_MS = 100;
