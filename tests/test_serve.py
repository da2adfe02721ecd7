"""tools/serve.py: routes, MIME types, caching headers and refusal of traversal.

The server runs for real on 127.0.0.1 (port 0) in a thread, over a fake repo in
tmp_path; requests go through http.client so that paths reach it unnormalised.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parent.parent / "tools"



from tools import serve  # noqa: E402  (tools/ imports as a namespace package)

WHEEL_INDEX = {"wheel": "playground-0.1-py3-none-any.whl", "sha256": "ab" * 32}


@pytest.fixture
def site(tmp_path):
    """A fake repo root, runtime dir and wheels dir, plus a secret next to them."""
    repo, runtime, wheels = tmp_path / "repo", tmp_path / "runtime", tmp_path / "repo" / "build" / "wheels"
    (repo / "static" / "css").mkdir(parents=True)
    runtime.mkdir()
    wheels.mkdir(parents=True)
    (repo / "index.html").write_text("<!doctype html><title>playground</title>")
    (repo / "app.py").write_text("print('not served')")
    (repo / "static" / "main.js").write_text("export const x = 1;")
    (repo / "static" / "css" / "style.css").write_text("body{}")
    (runtime / "pyodide.asm.wasm").write_bytes(b"\0asm\1\0\0\0")
    (runtime / "pyodide.mjs").write_text("export {}")
    (runtime / "python_stdlib.zip").write_bytes(b"PK\5\6" + b"\0" * 18)
    (runtime / "pyodide-lock.json").write_text("{}")
    (wheels / "index.json").write_text(json.dumps(WHEEL_INDEX))
    (wheels / WHEEL_INDEX["wheel"]).write_bytes(b"PK fake wheel")
    (tmp_path / "secret.txt").write_text("top secret")
    os.symlink(tmp_path / "secret.txt", repo / "static" / "escape.txt")
    return repo, runtime, wheels


def start(server):
    # A short poll interval keeps shutdown() (and so each test) fast.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def server(site):
    repo, runtime, wheels = site
    srv = serve.make_server(0, repo, runtime, wheels)
    thread = start(srv)
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=5)


def request(srv, path, method="GET", headers=None):
    """(status, headers, body) for a raw request path."""
    host, port = srv.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def test_binds_loopback_on_a_free_port(server):
    host, port = server.server_address[:2]
    assert host == "127.0.0.1" and port > 0
    assert serve.server_url(server) == f"http://127.0.0.1:{port}/"


@pytest.mark.parametrize("path", ["/", "/index.html"])
def test_index_is_served_uncached(server, path):
    status, headers, body = request(server, path)
    assert status == 200
    assert body.startswith(b"<!doctype html>")
    assert headers["Content-Type"].startswith("text/html")
    assert headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path, content_type, cache", [
    ("/static/main.js", "text/javascript", "no-cache"),
    ("/static/css/style.css", "text/css", "no-cache"),
    ("/pyodide/pyodide.asm.wasm", "application/wasm", "max-age=86400"),
    ("/pyodide/pyodide.mjs", "text/javascript", "max-age=86400"),
    ("/pyodide/python_stdlib.zip", "application/zip", "max-age=86400"),
    ("/pyodide/pyodide-lock.json", "application/json", "max-age=86400"),
    ("/wheels/index.json", "application/json", "no-cache"),
    (f"/wheels/{WHEEL_INDEX['wheel']}", "application/octet-stream", "no-cache"),
])
def test_mime_types_and_cache_policy(server, path, content_type, cache):
    status, headers, _ = request(server, path)
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == content_type
    assert cache in headers["Cache-Control"]


def test_wheels_index_is_the_file_on_disk(server):
    status, _, body = request(server, "/wheels/index.json")
    assert status == 200 and json.loads(body) == WHEEL_INDEX


@pytest.mark.parametrize("path", [
    "/../secret.txt",
    "/static/../../secret.txt",
    "/static/%2e%2e/%2e%2e/secret.txt",
    "/pyodide/..%2f..%2fsecret.txt",
    "/pyodide/%2E%2E/secret.txt",
    "/static/..\\..\\secret.txt",
    "/static/./main.js",
    "/static/escape.txt",  # symlink pointing outside static/
    "/wheels//etc/passwd",
    "/pyodide/%00",
])
def test_traversal_is_refused(server, path):
    status, _, body = request(server, path)
    assert status in (403, 404)
    assert b"top secret" not in body


@pytest.mark.parametrize("path", ["/static/", "/static", "/static/css", "/pyodide/", "/wheels/",
                                  "/app.py", "/build/wheels/index.json", "/favicon.ico"])
def test_no_listings_and_nothing_outside_the_mounts(server, path):
    status, _, body = request(server, path)
    assert status == 404
    assert b"Directory listing" not in body


def test_head_and_conditional_get(server):
    status, headers, body = request(server, "/pyodide/pyodide.asm.wasm", method="HEAD")
    assert status == 200 and body == b"" and headers["Content-Length"] == "8"
    status, _, _ = request(server, "/pyodide/pyodide.asm.wasm",
                           headers={"If-Modified-Since": headers["Last-Modified"]})
    assert status == 304


def test_cache_policy_does_not_leak_across_keep_alive_requests(server):
    conn = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
    try:
        conn.request("GET", "/pyodide/pyodide.mjs")
        first = conn.getresponse()
        first.read()
        conn.request("GET", "/no-such-file")
        second = conn.getresponse()
        second.read()
    finally:
        conn.close()
    assert "max-age=86400" in first.headers["Cache-Control"]
    assert (second.status, second.headers["Cache-Control"]) == (404, "no-cache")


def test_edits_to_our_files_show_up_immediately(server, site):
    repo = site[0]
    (repo / "static" / "main.js").write_text("export const x = 2;")
    assert request(server, "/static/main.js")[2] == b"export const x = 2;"


def test_wheels_index_runs_the_rebuild_hook(site):
    repo, runtime, wheels = site
    calls = []
    srv = serve.make_server(0, repo, runtime, wheels, before_wheels_index=lambda: calls.append(1))
    thread = start(srv)
    try:
        assert request(srv, "/wheels/index.json")[0] == 200
        assert request(srv, "/index.html")[0] == 200
        assert calls == [1]
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def test_failing_rebuild_hook_gives_500(site, capsys):
    repo, runtime, wheels = site

    def broken():
        raise RuntimeError("syntax error somewhere")

    srv = serve.make_server(0, repo, runtime, wheels, before_wheels_index=broken)
    thread = start(srv)
    try:
        assert request(srv, "/wheels/index.json")[0] == 500
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)
    assert "syntax error somewhere" in capsys.readouterr().err


def test_cli_port_zero_prints_the_real_url(site):
    repo, runtime, wheels = site
    proc = subprocess.Popen(
        [sys.executable, str(TOOLS / "serve.py"), "--port", "0", "--repo-root", str(repo),
         "--runtime-dir", str(runtime), "--wheels-dir", str(wheels)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()
        match = re.fullmatch(r"Serving Loss Landscape Playground at http://127\.0\.0\.1:(\d+)/\n", line)
        assert match, line
        conn = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=10)
        conn.request("GET", "/index.html")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# ----------------------------------------------------------------------------- hardening

INLINE = "\n    window.boot = 1;\n  "


def _inline_hash(body: str) -> str:
    import base64
    import hashlib

    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


def _answer(srv, raw: bytes) -> bytes:
    """The raw answer to raw request bytes (b"" if the server closed without one)."""
    import socket

    with socket.create_connection(srv.server_address[:2], timeout=10) as sock:
        sock.sendall(raw)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and b"Content-Length" not in b"".join(chunks):
                break
            head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
            length = re.search(rb"Content-Length: (\d+)", head)
            if length and len(body) >= int(length.group(1)):
                break
    return b"".join(chunks)


@pytest.mark.parametrize("path, status", [
    ("/static/" + "a" * 256 + ".js", 414),
    ("/" + "a" * 300, 414),
    ("/pyodide/" + "%C3%A9" * 200, 414),  # 400 bytes once decoded
    ("/static/" + "a" * 255, 404),  # as long as a file name may be: simply not there
    ("/static/" + "/".join(["d"] * 3000), 404),  # deep, each segment short
    ("/static/%ff%fe.js", 404),  # not UTF-8
    ("/static/%zz", 404),  # a malformed escape
])
def test_malformed_paths_get_an_answer_not_a_traceback(server, path, status, capfd):
    got, headers, _ = request(server, path)
    assert got == status
    assert headers["Content-Security-Policy"] and headers["X-Frame-Options"] == "DENY"
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("raw, status", [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET /index.html HTTP/9.9\r\n\r\n", 505),
    (b"GET " + b"/a" * 40_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),  # request line over 64 KB
    (b"POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 501),
    (b"GET * HTTP/1.1\r\nHost: x\r\n\r\n", 404),
    (b"GET http://evil.example/static/main.js HTTP/1.1\r\nHost: x\r\n\r\n", 200),  # absolute form: our own file
])
def test_malformed_requests_get_an_http_answer(server, raw, status, capfd):
    answer = _answer(server, raw)
    assert answer.startswith(b"HTTP/1."), answer[:200]
    assert int(answer.split()[1]) == status, answer[:200]
    assert b"Server: playground\r\n" in answer
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("path", ["/", "/index.html", "/static/main.js", "/static/css/style.css",
                                  "/pyodide/pyodide.asm.wasm", "/wheels/index.json", "/nope", "/static/"])
def test_security_headers_on_every_response(server, path):
    _, headers, _ = request(server, path)
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Server"] == "playground", "no Python or library versions"
    assert len(headers.get_all("Server")) == 1
    csp = dict(d.strip().split(" ", 1) for d in headers["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'self'"
    assert csp["worker-src"] == "'self' blob:"
    assert csp["connect-src"] == "'self' https://cdn.jsdelivr.net"
    assert csp["style-src"] == "'self'"
    assert csp["img-src"] == "'self' data: blob:"  # the figure preview is a blob: URL of PNG bytes
    assert csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["object-src"] == "'none'"
    script = csp["script-src"].split()
    assert script[:2] == ["'self'", "'wasm-unsafe-eval'"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script


def test_csp_allows_the_inline_script_by_its_hash_computed_at_serve_time(server, site):
    repo = site[0]
    (repo / "index.html").write_text(f"<!doctype html><script>{INLINE}</script><script src=static/main.js></script>")
    _, headers, _ = request(server, "/")
    script = headers["Content-Security-Policy"].split("script-src ")[1].split(";")[0].split()
    assert script == ["'self'", "'wasm-unsafe-eval'", _inline_hash(INLINE)]
    # Edited page, new hash: no restart needed.
    (repo / "index.html").write_text("<!doctype html><script>let changed = 1;</script>")
    _, headers, _ = request(server, "/index.html")
    assert _inline_hash("let changed = 1;") in headers["Content-Security-Policy"]
    assert _inline_hash(INLINE) not in headers["Content-Security-Policy"]


def test_real_index_html_hash_matches_its_boot_script():
    html = (TOOLS.parent / "index.html").read_text()
    hashes = serve.inline_script_hashes(html)
    bodies = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(bodies) == 1 and hashes == [_inline_hash(bodies[0])]


def test_only_scripts_may_import_blob_urls(server):
    """A worker (a script response) may import blob: URLs, which worker.js makes only from
    SRI-checked CDN bytes; a page may not."""
    page_csp = request(server, "/")[1]["Content-Security-Policy"]
    script_csp = request(server, "/static/main.js")[1]["Content-Security-Policy"]
    assert "blob:" not in page_csp.split("script-src")[1].split(";")[0]
    assert "blob:" in script_csp.split("script-src")[1].split(";")[0]


def test_headers_do_not_leak_across_keep_alive_requests(server):
    conn = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
    try:
        answers = []

        def script_src(csp):
            return csp.split("script-src")[1].split(";")[0]

        for path in ["/static/main.js", "/" + "x" * 400, "/index.html", "/nope"]:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            answers.append((response.status, script_src(response.headers["Content-Security-Policy"])))
    finally:
        conn.close()
    assert [status for status, _ in answers] == [200, 414, 200, 404]
    assert "blob:" in answers[0][1] and "blob:" not in answers[1][1] + answers[2][1] + answers[3][1]


# ----------------------------------------------------------------------------- CDN integrity

CDN_FILES = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]


def test_cdn_integrity_hashes_are_the_official_files():
    """static/config.js's CDN_RUNTIME_INTEGRITY, recomputed from the npm package
    pyodide@0.27.7 in the local cache (the tarball tools/runtime.py verified)."""
    import base64
    import hashlib
    import tarfile

    from tools import runtime

    tarball = runtime.default_downloads() / f"pyodide-{runtime.PYODIDE_VERSION}.tgz"
    assert tarball.is_file(), f"{tarball} is missing: run ./dev test, which downloads and verifies it"
    assert runtime.npm_integrity(tarball) == runtime.PYODIDE_NPM_INTEGRITY
    config = (TOOLS.parent / "static" / "config.js").read_text()
    block = re.search(r"CDN_RUNTIME_INTEGRITY = \{(.*?)\};", config, re.S).group(1)
    recorded = dict(re.findall(r'"([^"]+)": "(sha384-[A-Za-z0-9+/=]+)"', block))
    assert sorted(recorded) == sorted(CDN_FILES)
    assert f'PYODIDE_VERSION = "{runtime.PYODIDE_VERSION}"' in config
    with tarfile.open(tarball) as tar:
        for name in CDN_FILES:
            data = tar.extractfile(runtime.NPM_TARBALL_PREFIX + name).read()
            assert recorded[name] == "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode(), name
