// Module worker: boots Pyodide, installs our wheel, and answers requests by calling
// app.handle(command, args_json) -> (json_text, [numpy arrays]).
//
// Two instances run: the page's ("main": the animation) and, started on first need, a
// second one ("side": matplotlib figures, exports, sympy for typed landscapes), so that
// nothing slow ever runs in the worker the balls wait for.
//
// Messages in:   {type: "boot", prefetch, role}        start booting (once); role "main" (default) or "side"
//                {type: "call", id, cmd, args}         one request
//                {type: "load-later"}                  first frame shown: load LATER_PACKAGES
//                {type: "feature", id, name}           load what a feature needs (SIDE_FEATURES), then reply
// Messages out:  {type: "progress", text, fraction}    a boot stage began
//                {type: "ready", ms, stages, timeOrigin}  boot finished after ms
//                {type: "boot-error", message}         boot failed; says what to do
//                {type: "reply", id, ok, result}       result: JSON with typed arrays
//                {type: "reply", id, ok: false, error}
//                {type: "event", name, message?}       "contours-available" | "contours-failed"
//                {type: "event", name: "feature-progress", feature, text, fraction}
//                {type: "event", name: "call-progress", text, fraction}   a stage of the command running (side)

import {
  CDN_RUNTIME_INTEGRITY,
  CDN_RUNTIME_URL,
  LATER_PACKAGES,
  LOCAL_RUNTIME_URL,
  PYODIDE_PACKAGES,
  PYODIDE_VERSION,
  PYPI_WHEELS,
  SIDE_FEATURES,
  USE_MEMORY_SNAPSHOT,
  WHEELS_URL,
} from "./config.js";

const started = performance.now();
const stages = []; // [label, ms since the worker started] for each boot stage, for diagnosis
let booting = null; // Promise of the `app` PyProxy
let app = null;
let pyodide = null;
let laterLoading = null;
// While booting: fails the boot at once. Some failures never reject loadPyodide (Pyodide
// only console.warns a wasm that does not compile, then waits forever), so whoever
// sees one calls this instead of leaving the page to its 60 s timeout.
let failBoot = () => {};
let bootStage = "starting the worker"; // named in crash and out-of-memory messages
let runtimeURL = null; // where the runtime is being loaded from, once chosen
const REDO_RUNTIME = "Re-run ./dev serve (it re-verifies the runtime), then reload.";
const REDO_WHEEL = "Re-run ./dev serve (it rebuilds the wheel and its index), then reload.";
// A memory snapshot of the bare runtime (Pyodide's experimental _makeSnapshot /
// _loadSnapshot, taken right after loadPyodide, before any package: see
// ../shared/RUNTIME.md), kept in Cache Storage: a return visit restores Python's
// initialised memory instead of starting the interpreter again (about 1 s less).
const SNAPSHOT_CACHE = `playground-snapshot-${PYODIDE_VERSION}`;
const SNAPSHOT_KEY = new URL("./__pyodide-core-snapshot", self.location.href).href;
let restoredSnapshot = false; // this boot restored one: dropped if the boot then fails
let role = "main"; // "side": the second instance (see the top of this file)
const features = new Map(); // name -> Promise of a loaded feature (side instance)

self.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === "boot") {
    if (!booting && msg.role === "side") role = "side";
    booting ??= startBoot(msg.prefetch ?? {});
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
  } else if (msg.type === "feature") {
    answerFeature(msg);
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

// boot() raced against every failure reported on the side: an error or unhandled
// rejection in the worker, a wasm that does not compile, a wheel that fails its check.
function startBoot(prefetch) {
  const fatal = new Promise((_, reject) => {
    failBoot = (err) => reject(err?.boot ? err : runtimeURL && namesRuntimeFile(err) ? runtimeError(runtimeURL, err) : crashError(err));
  });
  const onError = (event) => {
    event.preventDefault();
    failBoot(event.error ?? event.message);
  };
  const onRejection = (event) => {
    event.preventDefault();
    failBoot(event.reason);
  };
  self.addEventListener("error", onError);
  self.addEventListener("unhandledrejection", onRejection);
  const result = Promise.race([boot(prefetch), fatal]);
  const done = () => {
    failBoot = () => {};
    self.removeEventListener("error", onError);
    self.removeEventListener("unhandledrejection", onRejection);
  };
  result.then(done, done);
  result.catch(() => restoredSnapshot && dropSnapshot()); // the next reload starts without it
  return result;
}

// An Error whose message is final: says what failed and what to do.
function bootError(message) {
  return Object.assign(new Error(message), { boot: true });
}

function describe(err) {
  if (err?.boot) return err.message;
  const text = err instanceof Error ? `${err.name}: ${lastLine(err)}` : String(err ?? "unknown error");
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function isOutOfMemory(err) {
  const text = `${err?.name ?? ""} ${err?.message ?? err ?? ""}`;
  return /out of memory|could not allocate memory|cannot allocate|Aborted\(OOM\)|\bMemoryError\b/i.test(text) ||
    (err instanceof RangeError && /memory/i.test(text));
}

function outOfMemory(err) {
  return bootError(
    `The browser could not give Python enough memory while ${bootStage} (${describe(err)}). ` +
      "Close other tabs or windows to free memory, then reload.",
  );
}

function crashError(err) {
  if (isOutOfMemory(err)) return outOfMemory(err);
  return bootError(
    `The Python worker crashed while ${bootStage} (${describe(err)}). ` +
      "Reload the page; if it happens again, re-run ./dev serve (it re-verifies the runtime and rebuilds the wheel).",
  );
}

function stage(what, text, fraction) {
  bootStage = what;
  progress(text, fraction);
}

async function boot(prefetch) {
  stage("loading the Python runtime", "Loading Python runtime…", 0.05);
  // Our wheel (index, bytes, sha256 check) is fetched while the runtime loads; a
  // failure is reported at once, whatever the runtime is doing.
  const wheel = fetchWheel();
  wheel.catch((err) => failBoot(err));
  const snapshot = USE_MEMORY_SNAPSHOT ? readSnapshot() : null; // meanwhile too; null when there is none
  const indexURL = (runtimeURL = await chooseRuntime());
  if (indexURL !== LOCAL_RUNTIME_URL) progress(`Loading Python runtime from ${indexURL} (no local copy)…`, 0.08);
  pyodide = await loadRuntime(indexURL, await snapshot);
  mark(`runtime loaded from ${indexURL}`);

  stage("loading numpy and installing the playground", "Loading numpy, installing the playground…", 0.45);
  const problems = [];
  const packages = pyodide.loadPackage(PYODIDE_PACKAGES, {
    messageCallback: () => {},
    errorCallback: (text) => problems.push(text),
  });
  const { file, bytes } = await wheel;
  await packages;
  const missing = PYODIDE_PACKAGES.filter((name) => !(name in pyodide.loadedPackages));
  if (missing.length) {
    throw bootError(
      `Could not load ${missing.join(", ")} from the runtime at ${indexURL} (${problems.join(" ") || "no reason given"}). ` +
        REDO_RUNTIME,
    );
  }
  try {
    // The verified bytes themselves, never a second download that could differ.
    pyodide.unpackArchive(bytes, "wheel");
    pyodide.runPython("import importlib; importlib.invalidate_caches()");
  } catch (err) {
    throw bootError(`Could not install our wheel ${file} (${describe(err)}). ${REDO_WHEEL}`);
  }

  stage("starting the playground", "Starting the playground…", 0.8);
  try {
    app = pyodide.pyimport("app");
  } catch (err) {
    if (isOutOfMemory(err)) throw outOfMemory(err);
    throw bootError(`Could not start the playground's Python code (${lastLine(err)}). ${REDO_WHEEL}`);
  }
  if (role === "side") {
    // The stages of a long command (a figure), posted while it runs (app_side.set_progress).
    const bridge = pyodide.pyimport("app_side");
    bridge.set_progress((text, fraction) => post({ type: "event", name: "call-progress", text, fraction }));
    bridge.destroy();
    return app;
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

const RUNTIME_FILES = ["pyodide.asm.wasm", "pyodide.asm.js", "pyodide.mjs", "python_stdlib.zip", "pyodide-lock.json"];

async function loadRuntime(indexURL, snapshot = null) {
  const local = indexURL === LOCAL_RUNTIME_URL;
  const options = { indexURL };
  if (snapshot) options._loadSnapshot = snapshot;
  else if (self.caches && USE_MEMORY_SNAPSHOT && role === "main") options._makeSnapshot = true; // one writer
  if (!local) verifyCdnFetches();
  const unwatch = watchRuntime(indexURL);
  try {
    let module;
    if (local) {
      module = await import(`${indexURL}pyodide.mjs`);
    } else {
      module = await importVerified("pyodide.mjs");
      // Defines globalThis._createPyodideModule, so loadPyodide skips its own
      // (unverifiable) import of the same file.
      await importVerified("pyodide.asm.js");
    }
    const loaded = await module.loadPyodide(options);
    restoredSnapshot = Boolean(snapshot);
    if (snapshot) mark("runtime restored from its memory snapshot");
    if (options._makeSnapshot) saveSnapshot(loaded);
    return loaded;
  } catch (err) {
    if (snapshot && !err?.boot) {
      // A snapshot this runtime does not accept: forget it and start Python afresh (a
      // missing or corrupt runtime file fails that attempt too, and is reported).
      mark(`memory snapshot refused (${describe(err)})`);
      dropSnapshot();
      unwatch();
      return loadRuntime(indexURL, null);
    }
    throw runtimeError(indexURL, err);
  } finally {
    unwatch();
  }
}

// ------------------------------------------------------------- the runtime's memory snapshot

async function readSnapshot() {
  if (!self.caches) return null; // not a secure context: no Cache Storage
  try {
    const hit = await (await caches.open(SNAPSHOT_CACHE)).match(SNAPSHOT_KEY);
    if (!hit) return null;
    const bytes = new Uint8Array(await hit.arrayBuffer());
    mark(`memory snapshot read (${(bytes.length / 1e6).toFixed(1)} MB)`);
    return bytes;
  } catch {
    return null; // only a head start
  }
}

// Taken at once (before any package loads: a later snapshot fails), stored meanwhile.
function saveSnapshot(py) {
  let bytes;
  try {
    bytes = py.makeMemorySnapshot();
  } catch (err) {
    mark(`no memory snapshot (${lastLine(err)})`);
    return;
  }
  (async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("playground-snapshot-") && name !== SNAPSHOT_CACHE) await caches.delete(name);
    }
    const cache = await caches.open(SNAPSHOT_CACHE);
    await cache.put(SNAPSHOT_KEY, new Response(bytes, { headers: { "Content-Type": "application/octet-stream" } }));
    mark(`memory snapshot saved (${(bytes.length / 1e6).toFixed(1)} MB)`);
  })().catch((err) => mark(`memory snapshot not saved (${err?.message ?? err})`));
}

function dropSnapshot() {
  caches.open(SNAPSHOT_CACHE).then((cache) => cache.delete(SNAPSHOT_KEY)).catch(() => {});
}

function namesRuntimeFile(err) {
  const text = describe(err);
  return RUNTIME_FILES.some((name) => text.includes(name));
}

function runtimeError(indexURL, err, file = null) {
  if (err?.boot) return err;
  if (isOutOfMemory(err)) return outOfMemory(err);
  const text = describe(err);
  file ??= RUNTIME_FILES.find((name) => text.includes(name));
  // The only JSON the runtime reads while loading is its lock file.
  if (!file && err instanceof SyntaxError && /JSON/.test(text)) file = "pyodide-lock.json";
  const what = file ? `${indexURL}${file} failed` : `loading failed`;
  if (indexURL === LOCAL_RUNTIME_URL) {
    return bootError(
      `Could not load the Python runtime (Pyodide ${PYODIDE_VERSION}) from the local copy at ${indexURL}: ` +
        `${what} (${text}). The local copy is incomplete or corrupt. ${REDO_RUNTIME}`,
    );
  }
  return bootError(
    `Could not load the Python runtime (Pyodide ${PYODIDE_VERSION}) from the CDN at ${indexURL}: ${what} (${text}). ` +
      "There is no local copy next to the page either: run ./dev serve, which assembles a verified local copy.",
  );
}

// While the runtime loads, a runtime file that fails fails the boot at once. Pyodide
// would notice some failures only seconds later (a missing lock file, when Python first
// needs it) and others never: it compiles pyodide.asm.wasm inside loadPyodide and, if
// that fails (missing, truncated, corrupt, out of memory), only logs a warning and
// waits forever. So its fetches and its wasm compile calls are watched.
function watchRuntime(indexURL) {
  const httpError = (status) => new Error(`HTTP ${status}${status === 404 ? ": the file is missing" : ""}`);
  const innerFetch = self.fetch;
  self.fetch = (resource, init) => {
    const url = String(resource instanceof Request ? resource.url : resource);
    const name = url.startsWith(indexURL) ? url.slice(indexURL.length).split(/[?#]/)[0] : null;
    const result = innerFetch(resource, init);
    if (RUNTIME_FILES.includes(name)) {
      result.then(
        (response) => response.ok || failBoot(runtimeError(indexURL, httpError(response.status), name)),
        (err) => failBoot(runtimeError(indexURL, err, name)),
      );
    }
    return result;
  };
  const names = ["instantiateStreaming", "compileStreaming", "instantiate", "compile"];
  const originals = names.map((name) => WebAssembly[name]);
  names.forEach((name, i) => {
    WebAssembly[name] = function (source, ...rest) {
      const result = (async () => {
        const response = name.endsWith("Streaming") ? await source : null;
        if (response && !response.ok) throw httpError(response.status);
        return originals[i].call(WebAssembly, response ?? source, ...rest);
      })();
      result.catch((err) => failBoot(runtimeError(indexURL, err, "pyodide.asm.wasm")));
      return result;
    };
  });
  return () => {
    self.fetch = innerFetch;
    names.forEach((name, i) => (WebAssembly[name] = originals[i]));
  };
}

// ------------------------------------------------------------- CDN: only verified bytes

// A module import cannot carry `integrity`, so the script is fetched with it (through
// verifyCdnFetches: the browser refuses bytes that do not match) and the verified
// bytes are imported from a blob: URL instead of the CDN's URL.
async function importVerified(name) {
  const response = await fetch(`${CDN_RUNTIME_URL}${name}`);
  if (!response.ok) throw cdnError(name, new Error(`HTTP ${response.status}`));
  const blob = new Blob([await response.arrayBuffer()], { type: "text/javascript" });
  const url = URL.createObjectURL(blob);
  try {
    return await import(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

function cdnError(name, err) {
  return bootError(
    `Could not load the Python runtime (Pyodide ${PYODIDE_VERSION}) from the CDN at ${CDN_RUNTIME_URL}: ` +
      `refused ${CDN_RUNTIME_URL}${name}: it could not be fetched or does not match the official file's hash ` +
      `${CDN_RUNTIME_INTEGRITY[name] ?? "(none recorded)"} (${describe(err)}). Nothing from it was run. ` +
      "There is no local copy next to the page either: run ./dev serve, which assembles a verified local copy.",
  );
}

// Every fetch of the CDN's runtime files (Pyodide's own, for the wasm, the standard
// library and the lock file, included) goes out with its recorded integrity. Package
// wheels pass only with the integrity Pyodide takes from the verified lock file;
// anything else from the CDN is refused.
function verifyCdnFetches() {
  if (self.fetch.verifiesCdn) return;
  const plain = self.fetch.bind(self);
  const verifying = (resource, init = {}) => {
    const url = String(resource instanceof Request ? resource.url : resource);
    if (!url.startsWith(CDN_RUNTIME_URL)) return plain(resource, init);
    const name = url.slice(CDN_RUNTIME_URL.length).split(/[?#]/)[0];
    const integrity = CDN_RUNTIME_INTEGRITY[name];
    if (integrity) return plain(url, { ...init, integrity }).catch((err) => Promise.reject(cdnError(name, err)));
    if (/\.(whl|zip|tar)$/.test(name) && init.integrity) return plain(resource, init);
    return Promise.reject(cdnError(name, new Error("not a runtime file with a recorded hash")));
  };
  verifying.verifiesCdn = true;
  self.fetch = verifying;
}

// ------------------------------------------------------------- our wheel: sha256-checked

// wheels/index.json names our wheel and its sha256; the bytes are checked before
// anything is installed from them.
async function fetchWheel() {
  const index = await readWheelIndex();
  const url = new URL(index.wheel, WHEELS_URL).href;
  const subtle = self.crypto?.subtle;
  let response;
  try {
    // Without WebCrypto (an http:// page on another host), the browser checks the hash.
    response = await fetch(url, subtle ? {} : { integrity: `sha256-${hexToBase64(index.sha256)}` });
  } catch (err) {
    throw bootError(
      `Could not fetch our wheel ${url} (${describe(err)}${subtle ? "" : `; or its sha256 is not ${index.sha256}`}). ${REDO_WHEEL}`,
    );
  }
  if (!response.ok) {
    throw bootError(
      `Our wheel ${url} is missing (HTTP ${response.status}), although wheels/index.json names it. ${REDO_WHEEL}`,
    );
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (subtle) {
    const actual = toHex(await subtle.digest("SHA-256", bytes));
    if (actual !== index.sha256) {
      throw bootError(
        `Our wheel ${index.wheel} failed its check: its sha256 is ${actual}, but wheels/index.json expects ` +
          `${index.sha256}. Nothing was installed. ${REDO_WHEEL}`,
      );
    }
  }
  mark(`wheel ${index.wheel} verified (sha256)`);
  return { file: index.wheel, bytes };
}

async function readWheelIndex() {
  const indexUrl = `${WHEELS_URL}index.json`;
  let response;
  try {
    response = await fetch(indexUrl, { cache: "no-store" });
  } catch (err) {
    throw bootError(`Could not fetch the wheel index ${indexUrl} (${err.message}). Run ./dev serve, which builds it.`);
  }
  if (!response.ok) {
    throw bootError(
      `The wheel index ${indexUrl} is missing (HTTP ${response.status}): ` +
        "the playground's Python code is not built. Run ./dev serve, which builds it.",
    );
  }
  let index;
  try {
    index = await response.json();
  } catch {
    throw bootError(`The wheel index ${indexUrl} is not valid JSON. Run ./dev serve to rebuild it.`);
  }
  if (typeof index?.wheel !== "string" || !/^[\w.+-]+\.whl$/.test(index.wheel)) {
    throw bootError(
      `The wheel index ${indexUrl} names no wheel file (got ${JSON.stringify(index?.wheel)?.slice(0, 80)}). Run ./dev serve to rebuild it.`,
    );
  }
  if (typeof index.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(index.sha256)) {
    throw bootError(
      `The wheel index ${indexUrl} gives no sha256 for ${index.wheel} (got ${JSON.stringify(index.sha256)?.slice(0, 80)}), ` +
        "so the wheel cannot be checked. Run ./dev serve to rebuild it.",
    );
  }
  return index;
}

function toHex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

function hexToBase64(hex) {
  return btoa(String.fromCharCode(...hex.match(/../g).map((h) => parseInt(h, 16))));
}

// ------------------------------------------------------------- features (side instance)

// SIDE_FEATURES (config.js): per feature the runtime's packages to load and the PyPI
// wheels to install with micropip. Each is loaded once; a failure is reported to the
// request that asked and forgotten, so that a later request tries again.
async function answerFeature({ id, name }) {
  try {
    await booting;
    if (!(name in SIDE_FEATURES)) throw new Error(`unknown feature ${JSON.stringify(String(name)).slice(0, 40)}`);
    if (!features.has(name)) {
      const loading = loadFeature(name);
      features.set(name, loading);
      loading.catch(() => features.delete(name));
    }
    post({ type: "reply", id, ok: true, result: await features.get(name) });
  } catch (err) {
    post({ type: "reply", id, ok: false, error: featureError(name, err) });
  }
}

function featureProgress(feature, text, fraction) {
  mark(`${feature}: ${text}`);
  post({ type: "event", name: "feature-progress", feature, text, fraction });
}

async function loadFeature(name) {
  const t0 = performance.now();
  const { packages = [], pypi = [], label } = SIDE_FEATURES[name];
  if (packages.length) {
    featureProgress(name, `Loading ${packages.join(", ")}…`, 0.1); // the runtime's packages, by name
    const problems = [];
    await pyodide.loadPackage(packages, { messageCallback: () => {}, errorCallback: (t) => problems.push(t) });
    const missing = packages.filter((p) => !(p in pyodide.loadedPackages));
    if (missing.length) {
      throw new Error(`could not load ${missing.join(", ")} from the runtime at ${runtimeURL} (${problems.join(" ") || "no reason given"})`);
    }
  }
  if (pypi.length) await installPypi(name, pypi);
  featureProgress(name, `Importing ${label}…`, 0.8);
  const reply = handle("feature_loaded", { feature: name }).value;
  featureProgress(name, `${label} ready`, 1);
  return { ...reply, ms: Math.round(performance.now() - t0) };
}

// PyPI wheels (PYPI_WHEELS: file name -> sha256) with micropip. From the local runtime
// the worker fetches each file, checks its sha256 and hands micropip those very bytes
// (emfs:); with the CDN runtime micropip takes the same versions from Pyodide's
// lock file, whose hashes the verified pyodide-lock.json vouches for.
async function installPypi(feature, files) {
  featureProgress(feature, "Installing sympy and mpmath (micropip)…", 0.3);
  const micropip = pyodide.pyimport("micropip");
  try {
    if (runtimeURL === LOCAL_RUNTIME_URL) {
      pyodide.FS.mkdirTree("/tmp/pypi");
      const paths = [];
      for (const file of files) {
        const bytes = await fetchVerified(`${LOCAL_RUNTIME_URL}pypi/${file}`, PYPI_WHEELS[file]);
        pyodide.FS.writeFile(`/tmp/pypi/${file}`, bytes);
        paths.push(`emfs:/tmp/pypi/${file}`);
      }
      await micropip.install.callKwargs(pyodide.toPy(paths), { deps: false });
    } else {
      await micropip.install.callKwargs(pyodide.toPy(files.map((f) => `${f.split("-")[0]}==${f.split("-")[1]}`)), { deps: false });
    }
  } finally {
    micropip.destroy();
  }
}

// Without WebCrypto (an http:// page on another host) the browser checks the hash.
async function fetchVerified(url, sha256) {
  const subtle = self.crypto?.subtle;
  const response = await fetch(url, subtle ? {} : { integrity: `sha256-${hexToBase64(sha256)}` });
  if (!response.ok) throw new Error(`${url} failed (HTTP ${response.status}${response.status === 404 ? ": the file is missing" : ""})`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const actual = subtle ? toHex(await subtle.digest("SHA-256", bytes)) : sha256;
  if (actual !== sha256) throw new Error(`${url} failed its check: sha256 ${actual}, expected ${sha256}; nothing was installed`);
  return bytes;
}

function featureError(name, err) {
  const what = SIDE_FEATURES[name]?.label ?? String(name);
  if (isOutOfMemory(err)) return `The browser could not give Python enough memory for ${what} (${describe(err)}). Close other tabs, then try again.`;
  return `Could not load ${what}: ${lastLine(err)}. ${REDO_RUNTIME}`;
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
