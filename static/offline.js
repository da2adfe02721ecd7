// Offline after one visit: once the page is Ready, registers the service worker (sw.js at
// the site's root, next to index.html) and hands it the list of files this visit used —
// the page's own files, the runtime files the worker loads and our wheel — to keep in
// Cache Storage. Never in the way: without service workers (an http:// page on another
// host) or if anything fails, the page simply stays online-only; the outcome is in
// window.__playgroundOffline ({state: "off" | "registering" | "ready" | "failed", error}).

import { LATER_PACKAGES, LOCAL_RUNTIME_URL, PYODIDE_PACKAGES, WHEELS_URL } from "./config.js";

const ROOT = new URL("../", import.meta.url);
// sw.js must sit at the site's root, next to index.html, for its scope to cover the page
// (a static host cannot send Service-Worker-Allowed). `./dev build` puts it there and sets
// this to true in dist/static/offline.js; tools/serve.py does not route /sw.js, and
// registering a missing script logs a console error, so in the repo it stays off.
const SERVICE_WORKER_AT_ROOT = false;
// What static/worker.js fetches itself (the page's resource timing does not see them).
const RUNTIME_CORE = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];
const WORKER_FILES = ["static/worker.js", "static/config.js"];

export function registerOffline() {
  const status = { state: "off", error: null, failed: [] };
  window.__playgroundOffline = status;
  if (!SERVICE_WORKER_AT_ROOT || !("serviceWorker" in navigator) || !window.isSecureContext) return status;
  status.state = "registering";
  status.done = (async () => {
    await navigator.serviceWorker.register(new URL("sw.js", ROOT), { scope: ROOT.href });
    const { active } = await navigator.serviceWorker.ready;
    const reply = await ask(active, { type: "keep", urls: await filesToKeep() });
    status.failed = reply.failed ?? [];
    status.state = reply.ok ? "ready" : "failed";
    if (!reply.ok) status.error = `could not keep ${status.failed.length} file(s) for offline use`;
  })().catch((err) => {
    status.state = "failed";
    status.error = String(err?.message ?? err);
  });
  return status;
}

function ask(worker, message) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data);
    worker.postMessage(message, [channel.port2]);
  });
}

async function filesToKeep() {
  const urls = new Set([ROOT.href, location.href.split("#")[0]]);
  for (const entry of performance.getEntriesByType("resource")) {
    if (entry.name.startsWith(ROOT.href)) urls.add(entry.name.split("#")[0]);
  }
  for (const file of WORKER_FILES) urls.add(new URL(file, ROOT).href);
  // The local runtime only: a page that runs from the CDN fallback stays online-only.
  for (const file of RUNTIME_CORE) urls.add(`${LOCAL_RUNTIME_URL}${file}`);
  const lock = await (await fetch(`${LOCAL_RUNTIME_URL}pyodide-lock.json`)).json();
  for (const name of closure(lock.packages, [...PYODIDE_PACKAGES, ...LATER_PACKAGES])) {
    urls.add(`${LOCAL_RUNTIME_URL}${lock.packages[name].file_name}`);
  }
  const index = await (await fetch(`${WHEELS_URL}index.json`, { cache: "no-store" })).json();
  urls.add(`${WHEELS_URL}index.json`);
  urls.add(new URL(index.wheel, WHEELS_URL).href);
  return [...urls];
}

// The packages and everything they depend on, as keys of pyodide-lock.json.
function closure(packages, names) {
  const seen = new Set();
  const pending = names.map((n) => n.toLowerCase().replace(/[-_.]+/g, "-"));
  while (pending.length) {
    const name = pending.pop();
    if (seen.has(name) || !packages[name]) continue;
    seen.add(name);
    pending.push(...(packages[name].depends ?? []).map((n) => n.toLowerCase().replace(/[-_.]+/g, "-")));
  }
  return seen;
}
