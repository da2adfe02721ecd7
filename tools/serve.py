"""Serve the playground page, our wheel and the local Pyodide runtime on 127.0.0.1.

A plain static server is not enough: the page, the runtime (in the cache) and our
wheel (in build/wheels/) live in three different directories, browsers insist on
the right MIME types for ``.mjs`` and ``.wasm``, and our own files must never be
served from a stale browser cache while the 10 MB runtime should be.

URL layout::

    /, /index.html   -> <repo>/index.html
    /static/...      -> <repo>/static/...
    /pyodide/...     -> <runtime dir>/...      (Cache-Control: max-age=86400)
    /wheels/...      -> <repo>/build/wheels/...

Anything else is 404, directories are never listed, and any path containing a
``..`` segment (also percent-encoded) is refused. Every malformed request gets an HTTP
answer, never a traceback: a path segment longer than a file name can be is 414, a bad
request line 400, anything the file system refuses 404.

Every response carries the security headers of ``security_headers()``: a
Content-Security-Policy that allows only what the page uses (an HTML page's inline
scripts by their sha256, computed from the file as it is served, never
'unsafe-inline'), ``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer``,
``X-Content-Type-Options: nosniff``, and a ``Server`` header without versions.

With ``--rebuild-wheel`` a request for ``/wheels/index.json`` first rebuilds our
wheel if the sources changed (tools/build_wheel.py keeps a fingerprint, so an
unchanged tree costs milliseconds): edits to our Python show up on page reload
without restarting the server.

Standard library only. CLI::

    python tools/serve.py --port 8000 --runtime-dir DIR [--wheels-dir DIR] [--verbose]
"""

from __future__ import annotations

import argparse
import base64
import functools
import hashlib
import http.server
import posixpath
import re
import sys
import threading
import urllib.parse
from pathlib import Path
from typing import Callable

HOST = "127.0.0.1"
WHEELS_INDEX = "/wheels/index.json"
NO_CACHE = "no-cache"
RUNTIME_CACHE = "public, max-age=86400"
MIME_TYPES = {
    "": "application/octet-stream",
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".py": "text/x-python; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".wasm": "application/wasm",
    ".whl": "application/octet-stream",
    ".zip": "application/zip",
    ".tar": "application/x-tar",
}
SERVER_NAME = "playground"  # the Server header: no Python or library versions
MAX_SEGMENT_BYTES = 255  # NAME_MAX: no file name is longer, so no such path can exist
CDN = "https://cdn.jsdelivr.net"  # static/config.js CDN_RUNTIME_URL: the runtime's fallback
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.S | re.I)


def inline_script_hashes(html: str) -> list[str]:
    """CSP source expressions ('sha256-…') of an HTML page's inline scripts."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii") + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]


def content_security_policy(script_hashes: list[str] = (), worker: bool = False) -> str:
    """The policy for one response.

    An HTML page may run only files from this server and its own inline scripts (by
    hash). A script response is a worker's policy when a worker loads it: it may also
    import ``blob:`` URLs, which static/worker.js creates only from runtime files whose
    SHA-384 it has checked (the CDN fallback; a dynamic import cannot carry integrity).
    """
    script_src = ["'self'", "'wasm-unsafe-eval'", *script_hashes, *(["blob:"] if worker else [])]
    return "; ".join([
        "default-src 'self'",
        "script-src " + " ".join(script_src),
        "worker-src 'self' blob:",
        f"connect-src 'self' {CDN}",
        "style-src 'self'",
        "img-src 'self' data: blob:",  # blob: the Figure panel's preview (static/panels/takeaway.js)
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ])


def security_headers(csp: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


class RequestTooLong(Exception):
    """A path segment longer than any file name: answered with 414."""


class Routes:
    """Maps URL paths to files; kept apart from the handler so it is easy to reason about."""

    def __init__(self, repo_root: Path, runtime_dir: Path, wheels_dir: Path,
                 extra_mounts: dict[str, Path] | None = None):
        self.index = Path(repo_root) / "index.html"
        # prefix -> (directory, Cache-Control value)
        self.mounts = {
            "/static/": (Path(repo_root) / "static", NO_CACHE),
            "/pyodide/": (Path(runtime_dir), RUNTIME_CACHE),
            "/wheels/": (Path(wheels_dir), NO_CACHE),
        }
        # e.g. the benchmark's floor page, served like our own files
        for prefix, root in (extra_mounts or {}).items():
            self.mounts[prefix] = (Path(root), NO_CACHE)

    def resolve(self, url_path: str) -> tuple[Path, str] | None:
        """(file, Cache-Control) for a request path, or None for 404."""
        path = urllib.parse.unquote(urllib.parse.urlsplit(url_path).path)
        if "\\" in path or "\x00" in path:
            return None
        segments = path.split("/")
        if ".." in segments or "." in segments:
            return None
        if any(len(segment.encode("utf-8", "surrogateescape")) > MAX_SEGMENT_BYTES for segment in segments):
            raise RequestTooLong(path)
        if path in ("/", "/index.html"):
            return (self.index, NO_CACHE) if self.index.is_file() else None
        for prefix, (root, cache) in self.mounts.items():
            if path.startswith(prefix):
                relative = posixpath.normpath(path[len(prefix):])
                return _inside(root, relative, cache)
        return None


def _inside(root: Path, relative: str, cache: str) -> tuple[Path, str] | None:
    """The regular file ``root/relative`` if it exists and (after symlinks) stays in root."""
    if relative in ("", ".") or relative.startswith("/"):
        return None
    try:
        candidate = (root / relative).resolve()
        candidate.relative_to(root.resolve())
        return (candidate, cache) if candidate.is_file() else None
    except (ValueError, OSError):  # outside root; or a name the file system refuses
        return None


class PlaygroundHandler(http.server.SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler (for If-Modified-Since, HEAD, streaming) with our routes."""

    extensions_map = MIME_TYPES
    protocol_version = "HTTP/1.1"  # keep-alive: the page fetches a dozen files at boot
    # The version assumed until the request line is parsed: with http.server's HTTP/0.9
    # default, the 400 for a garbled request line (or the 505 for HTTP/9.9) would go out
    # as a bare body without a status line or our headers.
    default_request_version = "HTTP/1.0"
    routes: Routes
    verbose = False
    server_version = SERVER_NAME
    _cache_control = NO_CACHE
    _csp = content_security_policy()

    def version_string(self) -> str:
        return SERVER_NAME

    def send_head(self):
        # keep-alive reuses this handler for the next request: reset per-response state
        self._cache_control, self._csp = NO_CACHE, content_security_policy()
        try:
            if urllib.parse.urlsplit(self.path).path == WHEELS_INDEX and not self.server.refresh_wheel():
                self.send_error(500, "building our wheel failed; see the server's terminal")
                return None
            route = self.routes.resolve(self.path)
        except RequestTooLong:
            self.send_error(414, f"A path segment is longer than {MAX_SEGMENT_BYTES} bytes")
            return None
        except ValueError:  # e.g. a malformed URL urlsplit refuses
            self.send_error(400, "Malformed request path")
            return None
        if route is None:
            self.send_error(404, "Not found")
            return None
        self._route_file, self._cache_control = route
        suffix = self._route_file.suffix.lower()
        if suffix == ".html":
            self._csp = content_security_policy(self.server.script_hashes(self._route_file))
        elif suffix in (".js", ".mjs"):
            self._csp = content_security_policy(worker=True)
        try:
            return super().send_head()
        except OSError:  # vanished or unreadable between resolve() and open()
            self._cache_control, self._csp = NO_CACHE, content_security_policy()
            self.send_error(404, "Not found")
            return None

    def translate_path(self, path: str) -> str:
        # Only called by send_head() after resolve() succeeded.
        return str(self._route_file)

    def list_directory(self, path):  # never reached: resolve() only returns files
        self.send_error(404, "Not found")
        return None

    def send_error(self, code, message=None, explain=None) -> None:
        self._cache_control = NO_CACHE  # also before send_head ran (400, 414, 501)
        self._csp = content_security_policy()
        super().send_error(code, message, explain)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", self._cache_control)
        for name, value in security_headers(self._csp).items():
            self.send_header(name, value)
        super().end_headers()

    def log_request(self, code="-", size="-") -> None:
        """Quiet unless --verbose: only failed requests are worth a line."""
        status = getattr(code, "value", code)
        if self.verbose or (isinstance(status, int) and status >= 400):
            super().log_request(code, size)

    def log_error(self, format, *args) -> None:
        # send_error() logs every 404 here, and log_request() already reports it.
        if self.verbose:
            super().log_error(format, *args)


class PlaygroundServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    before_wheels_index: Callable[[], object] | None = None
    _wheel_lock = threading.Lock()
    _hash_cache: dict = {}

    def script_hashes(self, html_file: Path) -> list[str]:
        """The inline-script hashes of an HTML file, recomputed whenever it changes."""
        try:
            stat = html_file.stat()
            key = (str(html_file), stat.st_mtime_ns, stat.st_size)
            if key not in self._hash_cache:
                self._hash_cache[key] = inline_script_hashes(html_file.read_text("utf-8", "replace"))
            return self._hash_cache[key]
        except OSError:
            return []

    def refresh_wheel(self) -> bool:
        """Run the rebuild hook (one at a time); False if it failed."""
        if self.before_wheels_index is None:
            return True
        with self._wheel_lock:
            try:
                self.before_wheels_index()
            except Exception as exc:  # shown to the developer, the page gets a 500
                print(f"error: rebuilding the wheel failed: {exc}", file=sys.stderr, flush=True)
                return False
        return True

    def handle_error(self, request, client_address) -> None:
        """A browser dropping a connection mid-download is normal, not a traceback."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def make_server(port: int, repo_root: Path, runtime_dir: Path, wheels_dir: Path,
                verbose: bool = False,
                before_wheels_index: Callable[[], object] | None = None,
                extra_mounts: dict[str, Path] | None = None) -> PlaygroundServer:
    """A bound (not yet serving) server on 127.0.0.1; port 0 picks a free port.

    ``before_wheels_index`` runs before each ``/wheels/index.json`` response
    (the CLI's --rebuild-wheel passes tools/build_wheel.ensure_wheel); ``extra_mounts``
    maps more URL prefixes ("/bench/floor/") to directories.
    """
    routes = Routes(Path(repo_root), Path(runtime_dir), Path(wheels_dir), extra_mounts)
    handler = type("Handler", (PlaygroundHandler,), {"routes": routes, "verbose": verbose})
    server = PlaygroundServer((HOST, port), handler)
    server.before_wheels_index = before_wheels_index
    server._wheel_lock = threading.Lock()
    server._hash_cache = {}
    return server


def server_url(server: PlaygroundServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/"


def main(argv: list[str] | None = None) -> int:
    repo = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description="Serve the Loss Landscape Playground locally.")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--repo-root", type=Path, default=repo)
    parser.add_argument("--runtime-dir", type=Path, required=True)
    parser.add_argument("--wheels-dir", type=Path, default=repo / "build" / "wheels")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    parser.add_argument("--rebuild-wheel", action="store_true",
                        help="rebuild our wheel when /wheels/index.json is requested and sources changed")
    args = parser.parse_args(argv)
    hook = None
    if args.rebuild_wheel:
        from build_wheel import ensure_wheel  # tools/ is sys.path[0] when run as a script

        hook = functools.partial(ensure_wheel, args.repo_root, args.wheels_dir, quiet=True)
    try:
        server = make_server(args.port, args.repo_root, args.runtime_dir, args.wheels_dir,
                             args.verbose, hook)
    except OSError as exc:
        print(f"error: cannot listen on {HOST}:{args.port}: {exc.strerror} (try --port N)", file=sys.stderr)
        return 1
    print(f"Serving Loss Landscape Playground at {server_url(server)}", flush=True)
    with server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("\nstopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
