// Boots the runtime exactly as the playground's worker does, minus our packages.
// `stages` ([label, ms since this worker's timeOrigin]) lets the benchmark compare
// stage by stage with the playground's own worker.
const stages = [];
const mark = (label) => stages.push([label, Math.round(performance.now())]);
try {
  mark("start");
  const { loadPyodide } = await import(new URL("/pyodide/pyodide.mjs", self.location.origin).href);
  const pyodide = await loadPyodide({ indexURL: new URL("/pyodide/", self.location.origin).href });
  mark("runtime loaded");
  await pyodide.loadPackage(["numpy"]);
  mark("numpy loaded");
  pyodide.runPython("import numpy");
  mark("numpy imported");
  // After Ready the benchmark may send Python snippets (bench/run.py's numpy floors) to run
  // here, in the same runtime the page uses; each reply carries what the snippet returns.
  self.onmessage = async ({ data }) => {
    if (data?.type === "load") {
      // The bare cost of packages: loadPackage(packages), then `code` (imports), in ms.
      try {
        const t0 = performance.now();
        if (data.packages?.length) await pyodide.loadPackage(data.packages);
        await pyodide.runPythonAsync(data.code ?? "");
        self.postMessage({ type: "ran", id: data.id, ok: true, value: performance.now() - t0 });
      } catch (err) {
        self.postMessage({ type: "ran", id: data.id, ok: false, error: String(err) });
      }
      return;
    }
    if (data?.type !== "run") return;
    try {
      const value = pyodide.runPython(data.code);
      self.postMessage({ type: "ran", id: data.id, ok: true, value: value?.toJs ? value.toJs() : value });
    } catch (err) {
      self.postMessage({ type: "ran", id: data.id, ok: false, error: String(err) });
    }
  };
  self.postMessage({ ok: true, stages, timeOrigin: performance.timeOrigin });
} catch (err) {
  self.postMessage({ ok: false, error: String(err) });
}
