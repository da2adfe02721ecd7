// Main-thread client of the Python worker: one `ready` promise, request/reply by id.
//
//   const python = startPython({ onProgress, timeoutMs, prefetch });
//   await python.ready;                     // rejects with a message that says what to do
//   const scene = await python.call("scene", {...});
//
//   const side = startPython({ role: "side", ... });   // the second worker (figures, sympy)
//   await side.feature("figures");          // its packages loaded (progress: onEvent "feature-progress")

export class PythonError extends Error {
  constructor(cmd, message) {
    super(message);
    this.name = "PythonError";
    this.cmd = cmd;
  }
}

export function startPython({ onProgress = () => {}, onEvent = () => {}, timeoutMs, prefetch = {}, role = "main" }) {
  // index.html starts the main worker early (window.__pythonBoot); otherwise start it here.
  const early = role === "main" ? window.__pythonBoot : null;
  const worker = early?.worker ?? new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  const pending = new Map(); // id -> {resolve, reject, cmd}
  let nextId = 1;
  let settled = false;
  let lastStage = "starting the worker"; // the last progress the worker reported
  let resolveReady;
  let rejectReady;
  const ready = new Promise((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });

  // Before Ready: the boot failed for good. After Ready (the worker crashed): the
  // requests in flight fail, and later ones get their own replies or errors.
  function fail(message) {
    if (!settled) {
      settled = true;
      clearTimeout(timer);
      worker.terminate();
      rejectReady(new Error(message));
    }
    for (const { reject, cmd } of pending.values()) reject(new PythonError(cmd, message));
    pending.clear();
  }

  // The last resort: the worker reports every failure it can see as it happens.
  const timer = setTimeout(
    () =>
      fail(
        `Python did not finish loading within ${Math.round(timeoutMs / 1000)} s (still at: ${lastStage}). ` +
          "Check the network (or run ./dev serve, which serves a local copy of the runtime), then reload.",
      ),
    timeoutMs,
  );

  worker.onmessage = ({ data: msg }) => {
    if (msg.type === "progress") {
      lastStage = msg.text.replace(/…$/, "");
      onProgress(msg.text, msg.fraction);
    } else if (msg.type === "ready") {
      settled = true;
      clearTimeout(timer);
      resolveReady({ ms: msg.ms, stages: msg.stages, workerOffset: msg.timeOrigin - performance.timeOrigin });
    } else if (msg.type === "event") {
      onEvent(msg);
    } else if (msg.type === "boot-error") {
      fail(msg.message);
    } else if (msg.type === "reply") {
      const request = pending.get(msg.id);
      if (!request) return;
      pending.delete(msg.id);
      if (msg.ok) request.resolve(msg.result);
      else request.reject(new PythonError(request.cmd, msg.error));
    }
  };
  // Fires when the worker module cannot load (missing file, syntax error) or later throws.
  worker.onerror = (event) => {
    event.preventDefault();
    fail(`The Python worker (static/worker.js) failed: ${event.message || "it could not be loaded"}. Reload the page; if it persists, run ./dev serve.`);
  };

  if (early) {
    for (const data of early.early.splice(0)) {
      if (data.type === "worker-error") worker.onerror({ message: data.message, preventDefault() {} });
      else worker.onmessage({ data });
    }
  } else {
    worker.postMessage({ type: "boot", prefetch, role });
  }

  // Calls chain on `ready`, so after a failed boot they reject with its message.
  function send(type, cmd, fields) {
    return ready.then(
      () =>
        new Promise((resolve, reject) => {
          const id = nextId++;
          pending.set(id, { resolve, reject, cmd });
          worker.postMessage({ type, id, ...fields });
        }),
    );
  }
  const call = (cmd, args = {}) => send("call", cmd, { cmd, args });
  // The side worker: load what feature `name` needs (static/config.js SIDE_FEATURES).
  const feature = (name) => send("feature", `load ${name}`, { name });

  // Packages the first frame does not need (contourpy): ask once it is on screen.
  function loadLater() {
    worker.postMessage({ type: "load-later" });
  }

  return { ready, call, feature, loadLater };
}
