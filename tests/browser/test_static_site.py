"""`./dev build`'s dist/ is a static site: served by a plain http.server (no special
headers, no routes, no tools/serve.py) it boots to Ready in Chromium under its own
<meta> Content-Security-Policy, with no request leaving that origin and no console error.

The helpers here (build_dist, serve_directory, wait_state) are shared with test_offline.py.
"""

from __future__ import annotations

import functools
import http.server
import threading
import time
from pathlib import Path

import pytest

from tools import browser as browser_tools
from tools import build_site

REPO = Path(__file__).resolve().parents[2]
STATUS = "document.querySelector('#status').dataset.state"


def build_dist(out: Path) -> Path:
    runtime, wheels = browser_tools.runtime_dir(), browser_tools.wheels_dir()
    missing = browser_tools.missing_build(runtime, wheels)
    if missing:
        pytest.fail("building dist/ needs " + " and ".join(missing) + ": run ./dev test", pytrace=False)
    return build_site.build_site(REPO, runtime, wheels, out)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """The standard library's static file server as is; only its log goes to a list."""

    def log_message(self, format, *args):
        self.server.log.append(self.path)


def serve_directory(directory: Path):
    """(server, base URL) of a plain static server for ``directory`` on 127.0.0.1."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.log = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return server, f"http://{host}:{port}/"


def wait_state(page, timeout_s: float = 90) -> str:
    """Polls the status (page.evaluate: no wait_for_function, which the policy forbids)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        state = page.evaluate(STATUS)
        if state != "loading":
            return state
        time.sleep(0.05)
    return page.evaluate(STATUS)


def poll(page, expression: str, timeout_s: float = 30):
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        value = page.evaluate(expression)
        if value:
            return value
        time.sleep(0.05)
    return page.evaluate(expression)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    dist = build_dist(tmp_path_factory.mktemp("site") / "dist")
    server, url = serve_directory(dist)
    yield dist, url
    server.shutdown()
    server.server_close()


def test_dist_boots_from_a_plain_static_server_without_leaving_its_origin(browser, site):
    dist, url = site
    context = browser.new_context()  # the <meta> policy stays on: status polled, never wait_for_function
    requests, outside, errors = [], [], []

    def record(request):
        requests.append(request.url)

    def only_this_origin(route):
        if route.request.url.startswith(url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("blockedbyclient")

    context.on("request", record)  # the page's, its worker's and the service worker's requests
    context.route("**/*", only_this_origin)
    try:
        page = context.new_page()
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(url + "#landscape=himmelblau")
        state = wait_state(page)
        assert state == "ready", page.inner_text("#status")
        assert poll(page, "window.__playground.hasContours()"), "contourpy (a later package) did not load from dist/"
        offline = poll(page, "['ready', 'failed', 'off'].includes(window.__playgroundOffline?.state)"
                             " && window.__playgroundOffline")
        assert offline and offline["state"] == "ready", f"the service worker did not keep the site: {offline}"
        page.wait_for_timeout(300)
    finally:
        context.close()
    strays = [u for u in requests if not u.startswith(url) and not u.startswith(("data:", "blob:"))]
    assert not strays and not outside, f"requests left {url}: {strays + outside}"
    # The worker's requests are seen too: the runtime came from dist/pyodide/, our wheel from dist/wheels/.
    wheel = (dist / "wheels" / "index.json").read_text()
    for path in ["pyodide/pyodide.asm.wasm", "pyodide/python_stdlib.zip", "wheels/index.json", "static/worker.js"]:
        assert url + path in requests, f"{path} was never requested: {sorted(set(requests))}"
    assert any(u.startswith(url + "pyodide/numpy-") for u in requests)
    assert any(u.startswith(url + "pyodide/contourpy-") for u in requests)
    assert any(u.startswith(url + "wheels/") and u.endswith(".whl") for u in requests), wheel
    assert errors == [], f"console errors: {errors}"


def test_dist_uses_relative_paths_only(site):
    dist, _ = site
    html = (dist / "index.html").read_text()
    assert 'http-equiv="Content-Security-Policy"' in html
    for attribute in ('src="/', 'href="/', "src='/", "href='/"):
        assert attribute not in html, f"an absolute path in dist/index.html: {attribute}"
    config = (dist / "static" / "config.js").read_text()
    assert 'new URL("../pyodide/", import.meta.url)' in config
    assert 'new URL("../wheels/", import.meta.url)' in config
