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
  self.postMessage({ ok: true, stages, timeOrigin: performance.timeOrigin });
} catch (err) {
  self.postMessage({ ok: false, error: String(err) });
}
