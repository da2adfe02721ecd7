// Boots the runtime exactly as the playground's worker does, minus our packages.
try {
  const { loadPyodide } = await import(new URL("/pyodide/pyodide.mjs", self.location.origin).href);
  const pyodide = await loadPyodide({ indexURL: new URL("/pyodide/", self.location.origin).href });
  await pyodide.loadPackage(["numpy"]);
  pyodide.runPython("import numpy");
  self.postMessage({ ok: true });
} catch (err) {
  self.postMessage({ ok: false, error: String(err) });
}
