// Module worker: boots Pyodide, installs our wheel, and answers requests by calling
// app.handle(command, args_json) -> (json_text, [numpy arrays]).
//
// Messages in:   {type: "boot", prefetch}              start booting (once); prefetch hints the first scene
//                {type: "call", id, cmd, args}         one request
//                {type: "load-later"}                  first frame shown: load LATER_PACKAGES
// Messages out:  {type: "progress", text, fraction}    a boot stage began
//                {type: "ready", ms, stages, timeOrigin}  boot finished after ms
//                {type: "boot-error", message}         boot failed; says what to do
//                {type: "reply", id, ok, result}       result: JSON with typed arrays
//                {type: "reply", id, ok: false, error}
//                {type: "event", name, message?}       "contours-available" | "contours-failed"

import {
  CDN_RUNTIME_URL,
  LATER_PACKAGES,
  LOCAL_RUNTIME_URL,
  PYODIDE_PACKAGES,
  PYODIDE_VERSION,
  WHEELS_URL,
} from "./config.js";

const started = performance.now();
const stages = []; // [label, ms since the worker started] for each boot stage, for diagnosis
let booting = null; // Promise of the `app` PyProxy
let app = null;
let pyodide = null;
let laterLoading = null;

self.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === "boot") {
    booting ??= boot(msg.prefetch ?? {});
    booting.then(
      () => {
        mark("ready");
        post({ type: "ready", ms: Math.round(performance.now() - started), stages, timeOrigin: performance.timeOrigin });
      },
      (err) => post({ type: "boot-error", message: err.message }),
    );
  } else if (msg.type === "call") {
    answer(msg);
  } else if (msg.type === "load-later") {
    // Sent once the first frame is on screen, so that loading never delays it.
    laterLoading ??= booting.then(loadLater);
  }
};

function post(message, transfer = []) {
  self.postMessage(message, transfer);
}

function progress(text, fraction) {
  mark(text);
  post({ type: "progress", text, fraction });
}

function mark(label) {
  stages.push([label, Math.round(performance.now() - started)]);
}

// ----------------------------------------------------------------------------- boot

async function boot(prefetch) {
  progress("Loading Python runtime…", 0.05);
  // The wheel index is small: fetch it while the runtime loads.
  const wheel = findWheel();
  wheel.catch(() => {}); // reported below, after any runtime failure
  const indexURL = await chooseRuntime();
  if (indexURL !== LOCAL_RUNTIME_URL) progress(`Loading Python runtime from ${indexURL} (no local copy)…`, 0.08);
  pyodide = await loadRuntime(indexURL);
  mark(`runtime loaded from ${indexURL}`);

  progress("Loading numpy, installing the playground…", 0.45);
  const wheelURL = await wheel;
  const problems = [];
  await pyodide.loadPackage([...PYODIDE_PACKAGES, wheelURL], {
    messageCallback: () => {},
    errorCallback: (text) => problems.push(text),
  });

  progress("Starting the playground…", 0.8);
  try {
    app = pyodide.pyimport("app");
  } catch (err) {
    const why = problems.length ? problems.join(" ") : lastLine(err);
    throw new Error(
      `Could not install the playground's Python packages (${why}). ` +
        "Run ./dev serve, which builds the wheel and assembles the runtime, then reload.",
    );
  }
  // Compute the first picture now, while the page is still building its controls: the
  // page's own "scene" request then finds it cached. A bad hint is simply ignored.
  try {
    app.handle("prefetch", JSON.stringify(prefetch)).destroy();
  } catch (err) {
    mark(`prefetch skipped: ${lastLine(err)}`); // only a head start; the page asks again
  }
  return app;
}

// After Ready: packages the first frame does not need. Requests are answered meanwhile.
async function loadLater() {
  const problems = [];
  await pyodide.loadPackage(LATER_PACKAGES, { messageCallback: () => {}, errorCallback: (t) => problems.push(t) });
  const missing = LATER_PACKAGES.filter((name) => !(name in pyodide.loadedPackages));
  if (!missing.length) app.handle("contours_loaded", "{}").destroy();
  mark(missing.length ? `later packages failed: ${missing}` : "later packages loaded");
  if (missing.length) {
    post({ type: "event", name: "contours-failed", message: problems.join(" ") || `${missing} did not load` });
  } else {
    post({ type: "event", name: "contours-available" });
  }
}

// The local copy wins when present; otherwise the official CDN.
async function chooseRuntime() {
  try {
    const probe = await fetch(`${LOCAL_RUNTIME_URL}pyodide.mjs`, { method: "HEAD", cache: "no-store" });
    if (probe.ok) return LOCAL_RUNTIME_URL;
  } catch {
    // Unreachable local server: fall through to the CDN, whose failure is reported.
  }
  return CDN_RUNTIME_URL;
}

async function loadRuntime(indexURL) {
  const where = indexURL === LOCAL_RUNTIME_URL ? "the local copy at" : "the CDN at";
  try {
    const { loadPyodide } = await import(`${indexURL}pyodide.mjs`);
    return await loadPyodide({ indexURL });
  } catch (err) {
    const local = indexURL === LOCAL_RUNTIME_URL;
    throw new Error(
      `Could not load the Python runtime (Pyodide ${PYODIDE_VERSION}) from ${where} ${indexURL}: ` +
        `${err.message || err}. ` +
        (local
          ? "The local copy seems incomplete: re-run ./dev serve, which re-checks and repairs it."
          : "There is no local copy next to the page either: run ./dev serve, which assembles a local copy."),
    );
  }
}

// wheels/index.json names our wheel; loadPackage wants it as an absolute URL.
async function findWheel() {
  const indexUrl = `${WHEELS_URL}index.json`;
  let response;
  try {
    response = await fetch(indexUrl, { cache: "no-store" });
  } catch (err) {
    throw new Error(`Could not fetch the wheel index ${indexUrl} (${err.message}). Run ./dev serve, which builds it.`);
  }
  if (!response.ok) {
    throw new Error(
      `The wheel index ${indexUrl} is missing (HTTP ${response.status}): ` +
        "the playground's Python code is not built. Run ./dev serve, which builds it.",
    );
  }
  let index;
  try {
    index = await response.json();
  } catch {
    throw new Error(`The wheel index ${indexUrl} is not valid JSON. Run ./dev serve to rebuild it.`);
  }
  if (typeof index.wheel !== "string" || !/^[\w.+-]+\.whl$/.test(index.wheel)) {
    throw new Error(`The wheel index ${indexUrl} names no wheel file (got ${JSON.stringify(index.wheel)}). Run ./dev serve to rebuild it.`);
  }
  return new URL(index.wheel, WHEELS_URL).href;
}

// ----------------------------------------------------------------------------- requests

async function answer({ id, cmd, args }) {
  try {
    await booting;
  } catch (err) {
    post({ type: "reply", id, ok: false, error: `Python is not available: ${err.message}` });
    return;
  }
  let result;
  try {
    result = handle(cmd, args);
  } catch (err) {
    post({ type: "reply", id, ok: false, error: lastLine(err) });
    return;
  }
  post({ type: "reply", id, ok: true, result: result.value }, result.transfer);
}

// Calls app.handle and unpacks its (text, arrays) reply; every proxy is destroyed and
// every buffer released, whatever happens.
function handle(cmd, args) {
  const res = app.handle(cmd, JSON.stringify(args ?? {}));
  const arrays = [];
  let text;
  try {
    text = res.get(0);
    const list = res.get(1);
    try {
      for (let i = 0; i < list.length; i++) arrays.push(copyArray(list.get(i), i));
    } finally {
      list.destroy();
    }
  } finally {
    res.destroy();
  }
  const value = JSON.parse(text, (key, v) => {
    if (v !== null && typeof v === "object" && "$array" in v) {
      const typed = arrays[v.$array];
      if (!typed) throw new Error(`reply of ${cmd} refers to array ${v.$array}, but only ${arrays.length} came`);
      return typed;
    }
    return v;
  });
  return { value, transfer: arrays.map((a) => a.buffer) };
}

function copyArray(proxy, index) {
  try {
    const buf = proxy.getBuffer();
    try {
      if (!buf.c_contiguous) throw new Error(`array ${index} from Python is not C-contiguous`);
      return buf.data.slice();
    } finally {
      buf.release();
    }
  } finally {
    proxy.destroy();
  }
}

// A PythonError's message is the whole traceback; its last line says what was wrong.
function lastLine(err) {
  const lines = String(err?.message ?? err).trim().split("\n");
  return lines[lines.length - 1].trim();
}
