"""Build our own wheel into build/wheels/ and describe it in build/wheels/index.json.

The page loads our packages into Pyodide as one wheel: it fetches
``/wheels/index.json`` (``{"wheel": "<file name>", "sha256": "<hex>"}``) to learn
the file name, then loads that wheel. Rebuilding takes a couple of seconds, so a
fingerprint of the source tree is kept in ``build/.wheel-stamp`` and the build is
skipped when nothing that can end up in the wheel has changed.

Standard library only; needs setuptools and wheel in the running interpreter
(we build without isolation so no network is needed). CLI::

    python tools/build_wheel.py [--repo DIR] [--wheels-dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

INDEX = "index.json"
STAMP = ".wheel-stamp"
# Directories whose contents never end up in the wheel (or are build output).
SKIP_DIRS = {
    ".git", "build", "dist", "node_modules", "__pycache__", ".pytest_cache",
    ".hypothesis", "test-results", "tests", "tools", "static", ".venv", "venv",
}
SKIP_SUFFIXES = (".pyc", ".pyo", ".egg-info")


class WheelBuildError(Exception):
    """pip could not build the wheel; the message carries pip's output."""


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def source_fingerprint(repo: Path) -> str:
    """sha256 over the path and bytes of every file that may go into the wheel."""
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(repo):
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in SKIP_DIRS and not d.startswith(".") and not d.endswith(SKIP_SUFFIXES)
        )
        for name in sorted(filenames):
            if name.endswith(SKIP_SUFFIXES):
                continue
            path = Path(dirpath) / name
            digest.update(str(path.relative_to(repo)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def current_wheel(wheels_dir: Path) -> str | None:
    """The wheel named by index.json, if it exists with the recorded hash."""
    try:
        index = json.loads((wheels_dir / INDEX).read_text())
        wheel = wheels_dir / index["wheel"]
        return index["wheel"] if sha256_file(wheel) == index["sha256"] else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def build(repo: Path, wheels_dir: Path, python: str) -> str:
    """Run pip wheel into a scratch dir, then replace whatever wheel was there."""
    build_dir = repo / "build"
    # setuptools reuses build/lib: a module deleted from the tree would stay in the wheel.
    for leftover in [build_dir / "lib", *build_dir.glob("bdist.*")]:
        shutil.rmtree(leftover, ignore_errors=True)
    build_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=build_dir, prefix="wheel-") as scratch:
        result = subprocess.run(
            [python, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
             "--disable-pip-version-check", "-q", str(repo), "-w", scratch],
            capture_output=True, text=True,
        )
        built = sorted(Path(scratch).glob("*.whl"))
        if result.returncode != 0 or len(built) != 1:
            raise WheelBuildError(
                f"pip wheel failed (exit {result.returncode}):\n{result.stderr or result.stdout}"
            )
        wheels_dir.mkdir(parents=True, exist_ok=True)
        for stale in wheels_dir.glob("*.whl"):
            stale.unlink()
        target = wheels_dir / built[0].name
        shutil.move(str(built[0]), target)
    index = {"wheel": target.name, "sha256": sha256_file(target)}
    (wheels_dir / INDEX).write_text(json.dumps(index, indent=2) + "\n")
    return target.name


def ensure_wheel(repo: Path, wheels_dir: Path, python: str = sys.executable, quiet: bool = False) -> str:
    """Build the wheel unless the stamp says the sources are unchanged; return its name."""
    repo, wheels_dir = Path(repo).resolve(), Path(wheels_dir)
    stamp = repo / "build" / STAMP
    fingerprint = source_fingerprint(repo)
    existing = current_wheel(wheels_dir)
    if existing and stamp.is_file() and stamp.read_text().strip() == fingerprint:
        if not quiet:
            say(f"wheel ok (cached): {existing}")
        return existing
    say(f"building wheel into {wheels_dir}")
    name = build(repo, wheels_dir, python)
    stamp.write_text(fingerprint + "\n")
    say(f"built {name}")
    return name


def main(argv: list[str] | None = None) -> int:
    repo = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description="Build our wheel for the page.")
    parser.add_argument("--repo", type=Path, default=repo)
    parser.add_argument("--wheels-dir", type=Path, default=None, help="default: <repo>/build/wheels")
    args = parser.parse_args(argv)
    try:
        ensure_wheel(args.repo, args.wheels_dir or args.repo / "build" / "wheels")
    except WheelBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
