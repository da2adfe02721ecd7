"""Every boot failure is reported within seconds of its cause, naming the file or stage and
the remedy (the 60 s timeout is only the last resort); the CDN fallback runs only bytes
that match the official hashes; the page boots under tools/serve.py's
Content-Security-Policy without a violation.

Each test has a browser context of its own (a fresh cache, its own routes) and, unlike
the shared one, keeps the Content-Security-Policy on: so the status is polled with
page.evaluate, never wait_for_function (whose `new Function` the policy forbids).
Failures are simulated with Playwright routes in front of the real server.
"""

from __future__ import annotations

import time

import pytest

from tools import browser as browser_tools

LIMIT_S = 10  # the promise is 5 s from the cause; loosely, for slow machines
WHEEL = "loss_landscape_playground-*.whl"
CDN = "https://cdn.jsdelivr.net/pyodide/v0.27.7/full/"
STATUS = "document.querySelector('#status').dataset.state"


def not_found(route):
    route.fulfill(status=404, body="Not found")


def serve_bytes(body, content_type="application/octet-stream"):
    return lambda route: route.fulfill(status=200, body=body, headers={"Content-Type": content_type})


@pytest.fixture
def open_boot(browser, playground_url):
    contexts = []

    def open_(routes):
        context = browser.new_context()
        contexts.append(context)
        for pattern, handler in routes:
            context.route(pattern, handler)
        page = context.new_page()
        errors = []
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        page.on("pageerror", lambda err: errors.append(str(err)))
        started = time.perf_counter()
        page.goto(playground_url)
        while page.evaluate(STATUS) == "loading" and time.perf_counter() - started < 70:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        state, text = page.evaluate(STATUS), page.inner_text("#status").strip()
        if state == "error":
            assert page.is_hidden("#status-progress"), "no progress bar after a failure"
            assert page.is_disabled("#landscape")
        return {"state": state, "text": text, "s": elapsed, "errors": errors, "page": page}

    yield open_
    for context in contexts:
        context.close()


def _runtime_file(name: str) -> bytes:
    return (browser_tools.runtime_dir() / name).read_bytes()


def _oom_asm_js() -> str:
    """pyodide.asm.js whose memory allocation fails as Chromium's does when it has none to give."""
    source = _runtime_file("pyodide.asm.js").decode()
    anchor = 'new WebAssembly.Memory({"initial":INITIAL_MEMORY/65536'
    assert anchor in source, "pyodide.asm.js changed: update the out-of-memory simulation"
    throw = '(()=>{throw new RangeError("WebAssembly.Memory(): could not allocate memory")})({"initial":INITIAL_MEMORY/65536'
    return source.replace(anchor, throw, 1)


def _wheel_name() -> str:
    import json

    return json.loads((browser_tools.wheels_dir() / "index.json").read_text())["wheel"]


# (id, routes, words the message must contain)
RUNTIME = ["pyodide.asm.wasm", "re-run ./dev serve (it re-verifies the runtime)"]
FAILURES = [
    ("wasm-missing", lambda: [("**/pyodide/pyodide.asm.wasm", not_found)],
     RUNTIME + ["HTTP 404", "the file is missing", "local copy"]),
    ("wasm-corrupt", lambda: [("**/pyodide/pyodide.asm.wasm",
                               serve_bytes(b"\0asm\1\0\0\0" + b"garbage!" * 1000, "application/wasm"))],
     RUNTIME + ["CompileError"]),
    ("wasm-truncated", lambda: [("**/pyodide/pyodide.asm.wasm",
                                 serve_bytes(_runtime_file("pyodide.asm.wasm")[:2_000_000], "application/wasm"))],
     RUNTIME + ["CompileError"]),
    ("asm-js-missing", lambda: [("**/pyodide/pyodide.asm.js", not_found)],
     ["pyodide.asm.js", "re-run ./dev serve (it re-verifies the runtime)"]),
    ("stdlib-missing", lambda: [("**/pyodide/python_stdlib.zip", not_found)],
     ["python_stdlib.zip", "re-run ./dev serve (it re-verifies the runtime)"]),
    ("lockfile-missing", lambda: [("**/pyodide/pyodide-lock.json", not_found)],
     ["pyodide-lock.json", "re-run ./dev serve (it re-verifies the runtime)"]),
    ("wheel-missing", lambda: [(f"**/wheels/{WHEEL}", not_found)],
     ["Our wheel", ".whl", "is missing (HTTP 404)", "wheels/index.json names it", "re-run ./dev serve"]),
    ("wheel-wrong-sha256", lambda: [(f"**/wheels/{WHEEL}", serve_bytes(b"PK\3\4 not the wheel we built"))],
     ["failed its check", "its sha256 is", "wheels/index.json expects", "Nothing was installed",
      "re-run ./dev serve (it rebuilds the wheel"]),
    ("worker-missing", lambda: [("**/static/worker.js", not_found)],
     ["The Python worker (static/worker.js) failed", "./dev serve"]),
    ("worker-crash", lambda: [("**/static/worker.js", serve_bytes(
        "import './config.js'; self.onmessage = () => { throw new Error('boom in the worker'); };",
        "text/javascript"))],
     ["The Python worker (static/worker.js) failed", "boom in the worker", "./dev serve"]),
    ("out-of-memory", lambda: [("**/pyodide/pyodide.asm.js", serve_bytes(_oom_asm_js(), "text/javascript"))],
     ["could not give Python enough memory", "loading the Python runtime", "could not allocate memory",
      "Close other tabs or windows", "reload"]),
]


@pytest.mark.parametrize("routes, words", [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES])
def test_boot_failure_is_reported_fast_with_file_and_remedy(open_boot, routes, words):
    result = open_boot(routes())
    text = result["text"]
    print(f"reported after {result['s']:.2f} s: {text}")
    assert result["state"] == "error", f"expected an error, got {result['state']}: {text}"
    assert result["s"] <= LIMIT_S, f"reported only after {result['s']:.1f} s: {text}"
    lowered = text.lower()
    for word in words:
        assert word.lower() in lowered, f"{word!r} missing from: {text}"
    assert "did not finish loading within" not in text, "the timeout is the last resort, not the report"


def test_wheel_mismatch_names_the_expected_hash(open_boot):
    import json

    expected = json.loads((browser_tools.wheels_dir() / "index.json").read_text())["sha256"]
    result = open_boot([(f"**/wheels/{WHEEL}", serve_bytes(b"PK tampered"))])
    assert expected in result["text"] and _wheel_name() in result["text"], result["text"]


# ----------------------------------------------------------------------------- CDN fallback

def cdn_from_local_copy(tamper: str | None = None):
    """Answers for the CDN from the local copy (this machine cannot reach the CDN), with
    one file's bytes changed if asked."""
    runtime = browser_tools.runtime_dir()
    types = {"wasm": "application/wasm", "mjs": "text/javascript", "js": "text/javascript",
             "json": "application/json"}

    def handler(route):
        name = route.request.url.split("?")[0].rsplit("/", 1)[1]
        cors = {"Access-Control-Allow-Origin": "*"}
        if not (runtime / name).is_file():
            return route.fulfill(status=404, body="Not found", headers=cors)
        body = _cached_bytes(runtime / name)
        if name == tamper:
            body = body[:-16] + b"/* tampered */\n\0"[:16]
        route.fulfill(status=200, body=body,
                      headers={**cors, "Content-Type": types.get(name.rsplit(".", 1)[-1], "application/octet-stream")})

    return handler


_BYTES: dict = {}


def _cached_bytes(path):
    if path not in _BYTES:
        _BYTES[path] = path.read_bytes()
    return _BYTES[path]


NO_LOCAL_COPY = ("**/pyodide/**", not_found)


@pytest.mark.parametrize("tampered", ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
                                      "pyodide-lock.json"])
def test_cdn_file_that_does_not_match_its_official_hash_is_refused(open_boot, tampered):
    result = open_boot([NO_LOCAL_COPY, ("https://cdn.jsdelivr.net/**", cdn_from_local_copy(tampered))])
    text = result["text"]
    print(f"refused after {result['s']:.2f} s: {text}")
    assert result["state"] == "error", text
    # The tampered lock file is reported only once Pyodide reads it, behind the 13 MB that
    # this test's Python route handler feeds through Playwright one request at a time
    # (3-20 s here); a real CDN answers in parallel. Open: see the report of issue 9.
    assert result["s"] <= (30 if tampered == "pyodide-lock.json" else LIMIT_S), text
    assert text.startswith(f"Could not load the Python runtime (Pyodide 0.27.7) from the CDN at {CDN}"), text
    assert f"refused {CDN}{tampered}" in text and "does not match the official file's hash" in text, text
    assert "sha384-" in text and "./dev serve" in text, text


def test_cdn_unreachable_is_refused_at_once(open_boot):
    result = open_boot([NO_LOCAL_COPY, ("https://cdn.jsdelivr.net/**", lambda route: route.abort("internetdisconnected"))])
    assert result["state"] == "error" and result["s"] <= LIMIT_S, result
    assert f"{CDN}pyodide.mjs" in result["text"] and "./dev serve" in result["text"], result["text"]


def test_cdn_copy_with_the_official_hashes_boots_under_the_csp(open_boot):
    result = open_boot([NO_LOCAL_COPY, ("https://cdn.jsdelivr.net/**", cdn_from_local_copy())])
    assert result["state"] == "ready", result["text"]
    assert result["errors"] == [], result["errors"]


# ----------------------------------------------------------------------------- CSP

def test_page_boots_under_the_content_security_policy_without_violations(open_boot):
    result = open_boot([])
    page = result["page"]
    assert result["state"] == "ready", result["text"]
    csp = page.evaluate("fetch('/').then((r) => r.headers.get('content-security-policy'))")
    assert "'unsafe-inline'" not in csp and "'sha256-" in csp, csp
    # Everything the page does after Ready too: contours (contourpy loads later), the
    # loss chart (uPlot's stylesheet), a particle, a landscape switch.
    started = time.perf_counter()
    while not page.evaluate("window.__playground.hasContours()") and time.perf_counter() - started < 30:
        time.sleep(0.1)
    page.select_option("#landscape", "himmelblau")
    page.click("#play")
    box = page.locator("#plot").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 3)
    page.wait_for_timeout(1500)
    violations = [e for e in result["errors"] if "Content Security Policy" in e or "Refused to" in e]
    assert violations == [], violations
    assert result["errors"] == [], result["errors"]
