"""Offline after one visit: static/sw.js (registered by static/offline.js once the page is
Ready) keeps the runtime files the page uses, our wheel and the page's own files, so a
reload with the network gone boots to Ready with the same scene; and a new wheel replaces
the old one on the next online visit (the worker still checks its sha256).

dist/ is served by a plain static server (test_static_site.py's helpers): the service
worker lives at the site's root, next to index.html, so that its scope covers the page.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from test_static_site import build_dist, poll, serve_directory, wait_state

REPO = Path(__file__).resolve().parents[2]
SCENE = "landscape=himmelblau&lr=0.02&beta=0.8&show=adam"
OFFLINE_READY = ("['ready', 'failed', 'off'].includes(window.__playgroundOffline?.state)"
                 " && window.__playgroundOffline")
PAGE_SCENE = """() => {
  const s = window.__playground.state();
  return {landscape: s.landscape, lr: s.lr, beta: s.beta, show: s.show, hash: location.hash,
          meta: window.__playground.snapshot().keys};
}"""


@pytest.fixture
def site(tmp_path):
    dist = build_dist(tmp_path / "dist")
    server, url = serve_directory(dist)
    yield dist, url, server
    server.shutdown()
    server.server_close()


def boot(page, url=None):
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda err: errors.append(str(err)))
    if url:
        page.goto(url)
    return errors


def first_visit(context, url):
    page = context.new_page()
    errors = boot(page, url + "#" + SCENE)
    assert wait_state(page) == "ready", page.inner_text("#status")
    offline = poll(page, OFFLINE_READY)
    assert offline and offline["state"] == "ready", f"the service worker did not keep the site: {offline}"
    return page, errors


def test_reload_without_network_boots_to_the_same_scene(browser, site):
    _, url, server = site
    context = browser.new_context()
    try:
        page, errors = first_visit(context, url)
        before = page.evaluate(PAGE_SCENE)
        assert before["landscape"] == "himmelblau" and before["show"] == "adam", before
        served = len(server.log)
        context.set_offline(True)
        page.reload()
        assert wait_state(page) == "ready", page.inner_text("#status")
        after = page.evaluate(PAGE_SCENE)
        assert after == before
        # Only the browser's own update check of the service worker script, which
        # Playwright's offline emulation does not cover, may still reach the server.
        answered = [path for path in server.log[served:] if path != "/sw.js"]
        assert answered == [], f"offline, yet the server answered: {answered}"
        assert errors == [], errors
    finally:
        context.close()


def _rebuild_wheel(dist: Path) -> str:
    """A changed wheel under the same file name, as build_wheel.py makes after an edit."""
    index_path = dist / "wheels" / "index.json"
    index = json.loads(index_path.read_text())
    wheel = dist / "wheels" / index["wheel"]
    with zipfile.ZipFile(wheel, "a") as archive:
        archive.writestr("playground_rebuilt_marker.py", "REBUILT = True\n")
    index["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
    index_path.write_text(json.dumps(index))
    return index["sha256"]


def test_a_new_wheel_replaces_the_old_one_on_the_next_online_visit(browser, site):
    dist, url, _ = site
    context = browser.new_context()
    try:
        page, errors = first_visit(context, url)
        new_sha = _rebuild_wheel(dist)
        page.reload()  # online: the new index and wheel are fetched and kept
        assert wait_state(page) == "ready", page.inner_text("#status")
        poll(page, "window.__playgroundOffline?.state === 'ready'")
        context.set_offline(True)
        page.reload()  # offline: the kept wheel must be the new one, or its sha256 check fails
        assert wait_state(page) == "ready", page.inner_text("#status")
        stages = page.evaluate("window.__playground.bootStages.map((s) => s[0])")
        assert any("verified (sha256)" in s for s in stages), stages
        kept = page.evaluate("""async () => {
          const cache = await caches.open('playground-page-v1');
          const index = await (await cache.match(new URL('wheels/index.json', location.href))).json();
          return index.sha256;
        }""")
        assert kept == new_sha
        assert errors == [], errors
    finally:
        context.close()


def test_service_worker_names_the_runtime_version_of_config_js():
    sw = (REPO / "static" / "sw.js").read_text()
    config = (REPO / "static" / "config.js").read_text()
    version = re.search(r'export const PYODIDE_VERSION = "([^"]+)"', config).group(1)
    assert f'const PYODIDE_VERSION = "{version}"' in sw, "static/sw.js caches the runtime under another version"


def test_dist_has_the_service_worker_at_its_root(site):
    dist, _, _ = site
    assert (dist / "sw.js").read_bytes() == (REPO / "static" / "sw.js").read_bytes()
    shutil.rmtree(dist / "static" / "__pycache__", ignore_errors=True)
