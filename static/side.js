// The second Python worker (static/worker.js, role "side"): matplotlib figures, exports
// that recompute whole runs, and sympy for typed landscapes. It is started on first
// need, so a visit that never asks for one never pays for it, and whatever it does never
// delays the worker the animation waits for.
//
//   const side = createSide();
//   side.onProgress(({ kind, text, fraction }) => ...);  // kind "boot", a feature name or "call"
//   await side.feature("figures");                       // boots the worker first if needed
//   const reply = await side.call("figure", {...});

import { BOOT_TIMEOUT_MS } from "./config.js";
import { startPython } from "./python.js";

export function createSide() {
  let client = null;
  const listeners = new Set();

  function emit(kind, text, fraction) {
    for (const fn of listeners) fn({ kind, text, fraction });
  }

  function get() {
    client ??= startPython({
      role: "side",
      timeoutMs: BOOT_TIMEOUT_MS,
      onProgress: (text, fraction) => emit("boot", `Second Python worker: ${text}`, fraction),
      onEvent: (event) => {
        if (event.name === "feature-progress") emit(event.feature, event.text, event.fraction);
        else if (event.name === "call-progress") emit("call", event.text, event.fraction); // inside a command
      },
    });
    return client;
  }

  return {
    get started() {
      return client !== null;
    },
    onProgress(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    call: (cmd, args) => get().call(cmd, args),
    feature: (name) => get().feature(name),
  };
}
