// Service worker: the page works offline after one visit.
//
// Registered by static/offline.js once the page is Ready, from the site's root (./sw.js
// next to index.html: `./dev build` puts it there) so that its scope covers the page.
// offline.js then sends the list of files the page used ({type: "keep", urls}); they are
// fetched into Cache Storage, and from then on:
//   - the runtime (pyodide/...: fixed files of one Pyodide version) is cache-first;
//   - everything else of ours (the page, static/..., wheels/index.json and our wheel,
//     whose file name does not change when its contents do) is network-first, with the
//     cached copy as the offline fallback: a new wheel replaces the old one on the next
//     online visit (and static/worker.js still checks its sha256 against index.json).
// Requests to other origins (the CDN fallback) are never touched.
//
// A classic script with no imports, so that every browser with service workers runs it.

const PYODIDE_VERSION = "0.27.7"; // static/config.js's PYODIDE_VERSION (tests/browser/test_offline.py checks)
const PREFIX = "playground-";
const RUNTIME_CACHE = `${PREFIX}runtime-${PYODIDE_VERSION}`;
const PAGE_CACHE = `${PREFIX}page-v1`;
const ROOT = new URL("./", self.registration.scope).href;
const RUNTIME_ROOT = new URL("pyodide/", ROOT).href;
const WHEELS_INDEX = new URL("wheels/index.json", ROOT).href;

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      // Caches of an older runtime or cache layout; the worker's snapshot cache is its own.
      const keep = [RUNTIME_CACHE, PAGE_CACHE];
      for (const name of await caches.keys()) {
        if ((name.startsWith(`${PREFIX}runtime-`) || name.startsWith(`${PREFIX}page-`)) && !keep.includes(name)) {
          await caches.delete(name);
        }
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  const { type, urls } = event.data ?? {};
  if (type !== "keep" || !Array.isArray(urls)) return;
  const reply = (message) => event.ports[0]?.postMessage(message);
  event.waitUntil(keep(urls).then(reply, (err) => reply({ ok: false, failed: [String(err?.message ?? err)] })));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = request.url.split("#")[0];
  if (!url.startsWith(ROOT) || (request.method !== "GET" && request.method !== "HEAD")) return;
  event.respondWith(url.startsWith(RUNTIME_ROOT) ? cacheFirst(event) : networkFirst(event));
});

function cacheFor(url) {
  return caches.open(url.startsWith(RUNTIME_ROOT) ? RUNTIME_CACHE : PAGE_CACHE);
}

// Fetches what is not cached yet (runtime files) or anew (the page's own files).
async function keep(urls) {
  const failed = [];
  await Promise.all(
    urls.map(async (raw) => {
      const url = new URL(raw, ROOT).href.split("#")[0];
      if (!url.startsWith(ROOT)) return failed.push(`${url}: outside ${ROOT}`);
      const cache = await cacheFor(url);
      if (url.startsWith(RUNTIME_ROOT) && (await cache.match(url))) return;
      try {
        const response = await fetch(url, url.startsWith(RUNTIME_ROOT) ? {} : { cache: "no-cache" });
        if (!response.ok) return failed.push(`${url}: HTTP ${response.status}`);
        await store(cache, url, response);
      } catch (err) {
        failed.push(`${url}: ${err?.message ?? err}`);
      }
    }),
  );
  return { ok: failed.length === 0, failed };
}

async function store(cache, url, response) {
  await cache.put(url, response);
  if (url === WHEELS_INDEX) await dropOldWheels(cache);
}

// Only the wheel the current index names is worth keeping.
async function dropOldWheels(cache) {
  let wheel;
  try {
    wheel = (await (await cache.match(WHEELS_INDEX)).json()).wheel;
  } catch {
    return;
  }
  const current = new URL(`wheels/${wheel}`, ROOT).href;
  for (const request of await cache.keys()) {
    if (request.url.endsWith(".whl") && request.url.startsWith(new URL("wheels/", ROOT).href) && request.url !== current) {
      await cache.delete(request);
    }
  }
}

// A HEAD request (static/worker.js probes pyodide/pyodide.mjs) is answered from the
// cached GET's headers.
async function fromCache(request) {
  const cache = await cacheFor(request.url);
  const hit = await cache.match(request.url.split("#")[0], { ignoreMethod: true, ignoreSearch: request.mode === "navigate" });
  if (!hit) return null;
  return request.method === "HEAD" ? new Response(null, { status: hit.status, headers: hit.headers }) : hit;
}

async function cacheFirst(event) {
  const request = event.request;
  const hit = await fromCache(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && request.method === "GET") {
    const copy = response.clone();
    event.waitUntil(cacheFor(request.url).then((cache) => cache.put(request.url, copy)));
  }
  return response;
}

async function networkFirst(event) {
  const request = event.request;
  let response;
  try {
    // Revalidated, never taken from the HTTP cache unasked: a static host's heuristic
    // freshness would otherwise hand out the old wheel next to a new index.json.
    response = await fetch(request.mode === "navigate" ? request : new Request(request, { cache: "no-cache" }));
  } catch (err) {
    const hit = (await fromCache(request)) ?? (request.mode === "navigate" ? await (await caches.open(PAGE_CACHE)).match(ROOT) : null);
    if (hit) return hit;
    throw err;
  }
  // The offline copy follows every successful answer (a new wheel replaces the old one).
  if (response.ok && request.method === "GET") {
    const url = request.url.split("#")[0];
    const copy = response.clone();
    event.waitUntil(cacheFor(url).then((cache) => store(cache, url, copy)));
  }
  return response;
}
