"""Headless Chromium and a local server for the page, shared by the browser tests
(tests/browser/conftest.py) and tools/screenshots.py, so both see the page the same way.

The browser is Debian's /usr/bin/chromium, or $PLAYGROUND_CHROMIUM; Playwright's own
browser download (``playwright install``) is never used. The flags are the ones
/work/shared/RUNTIME.md found to work as root without calls to outside hosts.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYODIDE_VERSION = "0.27.7"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    return os.environ.get("PLAYGROUND_CHROMIUM", "/usr/bin/chromium")


def launch_chromium(playwright):
    """A headless Chromium from the system (never Playwright's download)."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def cache_root() -> Path:
    if os.environ.get("PLAYGROUND_CACHE"):
        return Path(os.environ["PLAYGROUND_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "loss-landscape-playground"


def runtime_dir() -> Path:
    """The local Pyodide runtime ./dev assembles (./dev exports PLAYGROUND_RUNTIME_DIR)."""
    return Path(os.environ.get("PLAYGROUND_RUNTIME_DIR") or cache_root() / f"pyodide-{PYODIDE_VERSION}")


def wheels_dir() -> Path:
    """Where ./dev builds our wheel and its index.json."""
    return Path(os.environ.get("PLAYGROUND_WHEELS_DIR") or REPO / "build" / "wheels")


def missing_build(runtime: Path, wheels: Path) -> list[str]:
    """What the page needs and is not there (empty when all is in place)."""
    missing = []
    if not (runtime / "pyodide.mjs").is_file():
        missing.append(f"the Pyodide runtime ({runtime / 'pyodide.mjs'} is missing)")
    if not (wheels / "index.json").is_file():
        missing.append(f"our wheel ({wheels / 'index.json'} is missing)")
    if not Path(chromium_path()).is_file():
        missing.append(f"Chromium ({chromium_path()} is missing; set PLAYGROUND_CHROMIUM)")
    return missing


def _serve_module():
    spec = importlib.util.spec_from_file_location("_playground_serve", REPO / "tools" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def start_server(runtime: Path | None = None, wheels: Path | None = None,
                 extra_mounts: dict[str, Path] | None = None):
    """tools/serve.py's server on a free port, serving in a daemon thread.

    Returns (server, url); stop it with ``server.shutdown(); server.server_close()``.
    """
    serve = _serve_module()
    server = serve.make_server(0, REPO, runtime or runtime_dir(), wheels or wheels_dir(),
                               extra_mounts=extra_mounts)
    threading.Thread(target=server.serve_forever, name="playground-server", daemon=True).start()
    return server, serve.server_url(server)


def chromium_version(playwright) -> str:
    """e.g. "Chromium 156.0.8078.73 (headless)"."""
    chromium = launch_chromium(playwright)
    try:
        return f"Chromium {chromium.version} (headless, {' '.join(CHROMIUM_ARGS[:1])})"
    finally:
        chromium.close()
