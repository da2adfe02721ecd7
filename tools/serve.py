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
``..`` segment (also percent-encoded) is refused.

With ``--rebuild-wheel`` a request for ``/wheels/index.json`` first rebuilds our
wheel if the sources changed (tools/build_wheel.py keeps a fingerprint, so an
unchanged tree costs milliseconds): edits to our Python show up on page reload
without restarting the server.

Standard library only. CLI::

    python tools/serve.py --port 8000 --runtime-dir DIR [--wheels-dir DIR] [--verbose]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import posixpath
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
    candidate = (root / relative).resolve()
    try:
        candidate.relative_to(root.resolve())
    except ValueError:
        return None
    return (candidate, cache) if candidate.is_file() else None


class PlaygroundHandler(http.server.SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler (for If-Modified-Since, HEAD, streaming) with our routes."""

    extensions_map = MIME_TYPES
    protocol_version = "HTTP/1.1"  # keep-alive: the page fetches a dozen files at boot
    routes: Routes
    verbose = False
    _cache_control = NO_CACHE

    def send_head(self):
        self._cache_control = NO_CACHE  # keep-alive reuses this handler for the next request
        if urllib.parse.urlsplit(self.path).path == WHEELS_INDEX and not self.server.refresh_wheel():
            self.send_error(500, "building our wheel failed; see the server's terminal")
            return None
        route = self.routes.resolve(self.path)
        if route is None:
            self.send_error(404, "Not found")
            return None
        self._route_file, self._cache_control = route
        return super().send_head()

    def translate_path(self, path: str) -> str:
        # Only called by send_head() after resolve() succeeded.
        return str(self._route_file)

    def list_directory(self, path):  # never reached: resolve() only returns files
        self.send_error(404, "Not found")
        return None

    def end_headers(self) -> None:
        self.send_header("Cache-Control", self._cache_control)
        self.send_header("X-Content-Type-Options", "nosniff")
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
