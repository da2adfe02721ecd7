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

// Subresource Integrity of the runtime files the CDN fallback loads: the official
// Pyodide 0.27.7 files, hashed from the npm package pyodide@0.27.7 (whose tarball
// tools/runtime.py checks against npm's published sha512); tests/test_serve.py
// recomputes them from the cached tarball. static/worker.js fetches every one of these
// with `integrity` (the browser refuses a mismatch) and imports the two scripts from
// blob: URLs of the verified bytes; a CDN file not listed here is refused, except the
// package wheels, which Pyodide fetches with the sha256 that the verified
// pyodide-lock.json records. The local copy (./pyodide/) is not checked in the page:
// ./dev serve re-hashes it before serving.
export const CDN_RUNTIME_INTEGRITY = {
  "pyodide.mjs": "sha384-z8L8kZDaddEtk+VNtmPcXLY83XSVlBjlabpCtT6GghMW3jSyzOEzNsL9BiKsfjcL",
  "pyodide.asm.js": "sha384-J3SxzZJh4tkb2bgoUc72zArF45FJ+ngsbiqNsmxqkkecNVpZ/bUHAM0JMp+YPVpx",
  "pyodide.asm.wasm": "sha384-wDap6JvXxf3C8g5beY3kd1xMIjAtw/oTKjTqGltdxc+B9VXnYyYBoM7hveNKilxM",
  "python_stdlib.zip": "sha384-VLeJs79hxVEBNt1hRU5Wo7VmBcyb4sdW564EJAvEWDin3Aa3QXLHm3E5mOg2GiFH",
  "pyodide-lock.json": "sha384-1cFE0bj3+mm1a83kcqiWxoaBhrf6jPPJJORlx1TComnZ0WaHwE4znlohwPXL5tUL",
};

// Our own Python (landscapes, optimizers, rendering, app) is one wheel, described by
// wheels/index.json: {"wheel": "<file name>", "sha256": "<hex>"}.
export const WHEELS_URL = new URL("../wheels/", import.meta.url).href;

// Official Pyodide packages loaded together with our wheel, in one loadPackage call.
export const PYODIDE_PACKAGES = ["numpy"];
// Loaded right after Ready, off the path to the first frame: contourpy draws the
// iso-loss lines, which appear a moment after the heatmap.
export const LATER_PACKAGES = ["contourpy"];

// The second worker (static/worker.js, role "side"; booted on first need) loads a
// feature's packages when a panel first asks for it: runtime packages with loadPackage,
// PYPI_WHEELS with micropip. Python then imports them (app.py "feature_loaded").
export const SIDE_PACKAGES = ["matplotlib", "micropip"];
export const SIDE_FEATURES = {
  figures: { label: "matplotlib", packages: ["matplotlib"] },
  expressions: {
    label: "sympy",
    packages: ["micropip"],
    pypi: ["mpmath-1.3.0-py3-none-any.whl", "sympy-1.13.3-py3-none-any.whl"],
  },
};
// PyPI's sha256 of each (tools/runtime.py PYPI_WHEELS pins the same; a test compares).
// The worker checks these bytes before micropip installs them.
export const PYPI_WHEELS = {
  "mpmath-1.3.0-py3-none-any.whl": "a0b2b9fe80bbcd81a6647ff13108738cfb482d481d826cc0e02f5b35e5c88d2c",
  "sympy-1.13.3-py3-none-any.whl": "54612cf55a62755ee71824ce692986f23c88ffa77207b30c1368eda4a7060f73",
};

// A boot that has not reached Ready by then is reported as failed, never left spinning.
// The last resort: every failure the worker can see (a missing or corrupt file, a wheel
// with the wrong sha256, a crash, out of memory) is reported as soon as it happens.
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

// One colour per optimizer key. Within each group the Show control offers (the card's six
// with the two escape methods, and the eight more optimizers) every pair stays at least
// CIEDE2000 ΔE 15 apart in normal vision and under simulated protanopia, deuteranopia and
// tritanopia (Machado et al. 2009); across the two groups, 16 colours that bright cannot
// all be that far apart, so pairs stay ΔE ≥ 10 apart in normal vision and ≥ 3 under
// the deficiencies, and there the dash pattern and marker shape (unique per optimizer,
// below) tell them apart. Each has a WCAG contrast of at least 4.5 against the page's dark
// background and 3 over the trails' halo on every colour map: tests/test_colours.py reads
// them from this file and checks all of it. Colour is never the only cue.
export const OPTIMIZER_COLORS = {
  sgd: "#ffab9e",       // peach
  momentum: "#f0fd3e",  // yellow
  nesterov: "#fe2c92",  // raspberry
  rmsprop: "#06a2a5",   // teal
  adam: "#8e72ff",      // violet
  adamw: "#95ac00",     // olive green
  annealing: "#b0bbff", // periwinkle
  restarts: "#8dfff2",  // aqua
  adagrad: "#fe3e19",   // red-orange
  adadelta: "#7a8a96",  // slate
  adamax: "#d34fe4",    // magenta
  nadam: "#f89ff9",     // pink
  radam: "#7aee1f",     // lime
  rprop: "#d9f6bc",     // pale green
  newton: "#d7cfd2",    // silver
  lion: "#a89374",      // tawny
};
// Dash pattern of each optimizer's trail, its loss-chart line and its legend swatch, in CSS
// px for lines ~2 px wide with round caps (a cap adds half the width to each end of a
// dash, so a 0.5 px dash is a dot): [] solid, then long, short, dotted and mixed dashes.
export const OPTIMIZER_DASHES = {
  sgd: [],                     // solid
  momentum: [11, 6],           // long dash
  nesterov: [11, 5, 0.5, 5],   // dash-dot
  rmsprop: [4, 4.5],           // short dash
  adam: [0.5, 4],              // dotted
  adamw: [4, 4, 0.5, 4],       // short dash-dot
  annealing: [11, 4, 0.5, 4, 0.5, 4], // dash-dot-dot
  restarts: [12, 5, 4, 5],     // long-short
  adagrad: [7, 3],             // medium dash
  adadelta: [2, 2.5],          // dense dots
  adamax: [16, 4],             // very long dash
  nadam: [7, 3, 2, 3],         // medium dash, dot
  radam: [0.5, 7],             // sparse dots
  rprop: [3, 3, 3, 9],         // pairs of short dashes
  newton: [14, 3, 0.5, 3, 0.5, 3, 0.5, 3], // long dash, three dots
  lion: [9, 3, 9, 3, 0.5, 3],  // two dashes, dot
};
// Shape of each optimizer's ball (its end marker) and legend swatch; shapePath() in
// static/plot/style.js draws them.
export const OPTIMIZER_SHAPES = {
  sgd: "circle",
  momentum: "square",
  nesterov: "diamond",
  rmsprop: "hexagon",
  adam: "triangle",
  adamw: "triangle-down",
  annealing: "cross",
  restarts: "pentagon",
  adagrad: "star",
  adadelta: "x",
  adamax: "triangle-right",
  nadam: "triangle-left",
  radam: "dome",
  rprop: "bowtie",
  newton: "star4",
  lion: "dart",
};
export const FALLBACK_COLOR = "#e6e9ef";

export const PARTICLE_COLOR = "#f4f7ff";
export const PARTICLE_REST_COLOR = "#9fb4d9";

// Outcome table and loss chart refresh period: the numbers change every frame, people
// read them at ~10 Hz. With more than BUSY_PANEL_BALLS balls shown, at 5 Hz: then the
// table's and the chart's layout, paint and rasterisation (16 rows, 16 lines) are what
// would otherwise cost an occasional long frame (./dev bench, frames with every ball).
export const LEGEND_PERIOD_MS = 100;
export const BUSY_LEGEND_PERIOD_MS = 200;
export const BUSY_PANEL_BALLS = 8;

// Restore Python from a memory snapshot of the bare runtime on a return visit (see
// static/worker.js). Measured side by side here (3 interleaved rounds on a loaded 2-core
// machine, warm reload to Ready): median 7.9 s with it, 10.0 s without; noisy, and still
// above the bare floor page (docs/benchmarks.md).
export const USE_MEMORY_SNAPSHOT = true;
