"""Write dist/: the playground as a self-contained static site any static server can host.

    python tools/build_site.py --runtime-dir DIR [--wheels-dir DIR] [--out DIR]
    (./dev build does the setup first, then runs this)

Layout, the same URL layout tools/serve.py serves, so every path the page uses is
relative (static/config.js resolves ../pyodide/ and ../wheels/ against itself)::

    dist/index.html      the page, with its Content-Security-Policy as a <meta> tag
    dist/sw.js           the service worker (static/sw.js): at the root, so that its scope
                         covers the page on hosts that cannot send Service-Worker-Allowed
    dist/static/...      the page's modules, styles and vendored uPlot (offline.js with
                         the service worker switched on)
    dist/pyodide/...     only the runtime files the page loads: the core (pyodide.mjs,
                         pyodide.asm.js, pyodide.asm.wasm, python_stdlib.zip,
                         pyodide-lock.json), the wheels of PYODIDE_PACKAGES,
                         LATER_PACKAGES and SIDE_PACKAGES (static/config.js) with their
                         dependencies, and pypi/ (sympy and mpmath for micropip)
    dist/wheels/...      our wheel and index.json

Every runtime file is re-hashed against the runtime's manifest (tools/runtime.py) and
our wheel against the sha256 in index.json before it is copied. The site is assembled
in a sibling directory and swapped in at the end, so a failed build never leaves half a
site, and a second build gives the same tree. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))

import runtime  # noqa: E402  (tools/runtime.py: the verified runtime and its lock file)
import serve  # noqa: E402  (tools/serve.py: the one Content-Security-Policy)

REPO = TOOLS.parent
# The runtime files the page itself fetches (static/worker.js RUNTIME_FILES); pyodide.js
# (the classic-script loader) is not used by the module worker.
CORE_FILES = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
MARKER = ".playground-site"  # marks a directory this tool wrote (and may therefore replace)
SKIP_NAMES = {"__pycache__", ".DS_Store"}
# CSP directives a <meta> tag cannot carry (browsers ignore them there, with a console error).
META_IGNORED = ("frame-ancestors", "report-uri", "sandbox")
SW_SWITCH_OFF = "const SERVICE_WORKER_AT_ROOT = false;"  # static/offline.js


class BuildError(Exception):
    """The site cannot be built; the message says why and what to do."""


say = runtime.say  # one line per step, the style of ./dev
sha256_file = runtime.sha256_file


def config_packages(config_js: str) -> list[str]:
    """PYODIDE_PACKAGES + LATER_PACKAGES + SIDE_PACKAGES as static/config.js lists them."""
    names: list[str] = []
    for const in ("PYODIDE_PACKAGES", "LATER_PACKAGES", "SIDE_PACKAGES"):
        match = re.search(rf"export const {const}\s*=\s*\[([^\]]*)\]", config_js)
        if not match:
            raise BuildError(f"static/config.js defines no {const} = [...]: cannot tell which packages the page loads")
        names += re.findall(r"""["']([^"']+)["']""", match.group(1))
    return names


def meta_policy(html: str) -> str:
    """tools/serve.py's policy for this page, minus what a <meta> tag cannot carry."""
    policy = serve.content_security_policy(serve.inline_script_hashes(html))
    return "; ".join(d for d in policy.split("; ") if d.split(" ", 1)[0] not in META_IGNORED)


def with_csp_meta(html: str) -> str:
    """The page with its policy as the first thing after <meta charset>, before any script.

    A <meta> policy applies only to what follows it; inserting it changes no inline
    script, so the hashes computed from the original page still match.
    """
    if re.search(r"<meta\s+http-equiv=[\"']?content-security-policy", html, re.I):
        raise BuildError("index.html already carries a Content-Security-Policy <meta> tag")
    tag = f'<meta http-equiv="Content-Security-Policy" content="{meta_policy(html)}">'
    match = re.search(r"<meta\s+charset=[^>]*>[ \t]*\n?", html, re.I)
    if not match:
        raise BuildError("index.html has no <meta charset> to put the Content-Security-Policy after")
    indent = re.search(r"([ \t]*)<meta\s+charset", html, re.I).group(1)
    return html[: match.end()] + indent + tag + "\n" + html[match.end():]


def enable_service_worker(offline_js: str) -> str:
    """static/offline.js with its switch on: in dist/, sw.js is at the root."""
    if offline_js.count(SW_SWITCH_OFF) != 1:
        raise BuildError(f"static/offline.js has no line {SW_SWITCH_OFF!r}: cannot turn the service worker on")
    return offline_js.replace(SW_SWITCH_OFF, SW_SWITCH_OFF.replace("false", "true"))


def runtime_files(runtime_dir: Path, packages: list[str]) -> dict[str, str]:
    """{file name: sha256} of the runtime files the page uses, checked against the manifest."""
    manifest = runtime.read_manifest(runtime_dir)
    if manifest is None:
        raise BuildError(f"{runtime_dir} holds no verified Pyodide runtime (no {runtime.MANIFEST}); run ./dev build")
    lock = json.loads((runtime_dir / runtime.LOCKFILE).read_text())
    try:
        closure = runtime.resolve_closure(lock, packages)
    except runtime.RuntimeAssemblyError as exc:
        raise BuildError(f"{exc}: add it to RUNTIME_PACKAGES in ./dev, then run ./dev build") from None
    wanted = {name: None for name in CORE_FILES}
    wanted.update(runtime.wheel_files(lock, closure))
    wanted.update(runtime.pypi_files())
    recorded = manifest.get("files", {})
    checked = {}
    for name in wanted:
        if name not in recorded:
            raise BuildError(f"the runtime at {runtime_dir} lacks {name} (packages {packages}); run ./dev build")
        actual = sha256_file(runtime_dir / name)
        if actual != recorded[name]:
            raise BuildError(f"{runtime_dir / name} changed since it was verified (sha256 {actual}, "
                             f"expected {recorded[name]}); run ./dev build, which re-assembles it")
        checked[name] = actual
    return checked


def our_wheel(wheels_dir: Path) -> tuple[str, str]:
    """(file name, sha256) of our wheel, checked against index.json."""
    try:
        index = json.loads((wheels_dir / "index.json").read_text())
        name, expected = index["wheel"], index["sha256"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BuildError(f"{wheels_dir / 'index.json'} is missing or malformed ({exc}); run ./dev build") from None
    path = wheels_dir / name
    if not path.is_file() or sha256_file(path) != expected:
        raise BuildError(f"{path} is missing or does not match the sha256 in index.json; run ./dev build")
    return name, expected


def _copy_tree(src: Path, dest: Path) -> int:
    count = 0
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_NAMES)
        for name in sorted(filenames):
            if name in SKIP_NAMES or name.endswith((".pyc", ".part")):
                continue
            source = Path(dirpath) / name
            target = dest / source.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            count += 1
    return count


def _size(path: Path) -> str:
    total = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return f"{total / 1e6:.1f} MB"


def build_site(repo: Path, runtime_dir: Path, wheels_dir: Path, out: Path) -> Path:
    """Write the site to ``out`` (replacing a previous build there); returns ``out``."""
    repo, runtime_dir, wheels_dir, out = (Path(p).resolve() for p in (repo, runtime_dir, wheels_dir, out))
    if out.exists() and not (out / MARKER).is_file() and any(out.iterdir()):
        raise BuildError(f"{out} exists and was not written by ./dev build: refusing to replace it")
    packages = config_packages((repo / "static" / "config.js").read_text("utf-8"))
    files = runtime_files(runtime_dir, packages)
    wheel, wheel_sha = our_wheel(wheels_dir)

    part = out.with_name(out.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    part.mkdir(parents=True)
    html = (repo / "index.html").read_text("utf-8")
    (part / "index.html").write_text(with_csp_meta(html), "utf-8")
    say(f"index.html, with the Content-Security-Policy of tools/serve.py as a <meta> tag "
        f"({len(serve.inline_script_hashes(html))} inline script(s) allowed by hash)")
    n_static = _copy_tree(repo / "static", part / "static")
    say(f"static/: {n_static} files")
    shutil.copy2(repo / "static" / "sw.js", part / "sw.js")
    offline = part / "static" / "offline.js"
    offline.write_text(enable_service_worker(offline.read_text("utf-8")), "utf-8")
    say("sw.js: the service worker, at the root so that it covers the page (static/offline.js registers it)")
    (part / "pyodide").mkdir()
    for name in files:
        (part / "pyodide" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(runtime_dir / name, part / "pyodide" / name)
    say(f"pyodide/: {len(files)} runtime files, sha256-checked ({', '.join(files)}; {_size(part / 'pyodide')})")
    (part / "wheels").mkdir()
    shutil.copy2(wheels_dir / "index.json", part / "wheels" / "index.json")
    shutil.copy2(wheels_dir / wheel, part / "wheels" / wheel)
    say(f"wheels/: {wheel} (sha256 {wheel_sha[:12]}…) and index.json")
    (part / MARKER).write_text("written by tools/build_site.py; ./dev build replaces this directory\n")

    old = out.with_name(out.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        os.replace(out, old)
    os.replace(part, out)
    shutil.rmtree(old, ignore_errors=True)
    say(f"wrote {out} ({_size(out)}); host it with any static server, e.g. python -m http.server -d {out}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the playground as a static site.")
    parser.add_argument("--repo", type=Path, default=REPO)
    parser.add_argument("--runtime-dir", type=Path, default=runtime.default_dest())
    parser.add_argument("--wheels-dir", type=Path, default=REPO / "build" / "wheels")
    parser.add_argument("--out", type=Path, default=REPO / "dist")
    args = parser.parse_args(argv)
    try:
        build_site(args.repo, args.runtime_dir, args.wheels_dir, args.out)
    except (BuildError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
