"""Fetch the pure-Python wheels that let our core tests run inside Pyodide.

tests/browser/test_core_in_pyodide.py runs pytest (with hypothesis) inside the real
Pyodide runtime in Chromium. Pyodide 0.27.7 does not ship pytest 9 or hypothesis, and
our local runtime holds only what the page needs, so the test loads these wheels from
``requirements-pyodide-tests.txt`` (exact pins with ``--hash=sha256:``) instead.

They are downloaded once with ``pip download --require-hashes`` into
``$PLAYGROUND_CACHE/pyodide-test-wheels`` and reused while every pinned wheel is there
and still matches one of its hashes. Only the test harness uses them; the page never
loads them.

Standard library only (pip is run as ``sys.executable -m pip``). CLI::

    python tools/test_wheels.py [--dest DIR]      # prints the wheel paths
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
REQUIREMENTS = REPO / "requirements-pyodide-tests.txt"
CACHE_SUBDIR = "pyodide-test-wheels"
PYTHON_VERSION = "3.12"  # Pyodide 0.27.7's Python
# Only pure-Python wheels: Pyodide cannot load wheels built for another platform.
PIP_FLAGS = (
    "--require-hashes", "--no-deps", "--only-binary=:all:",
    "--python-version", PYTHON_VERSION, "--implementation", "py", "--abi", "none",
    "--platform", "any", "--disable-pip-version-check", "--quiet",
)
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)$")
_HASH = re.compile(r"^--hash=sha256:([0-9a-f]{64})$")
_PURE_TAGS = re.compile(r"-(py3|py2\.py3)-none-any\.whl$")


class TestWheelsError(Exception):
    """The test wheels cannot be provided; the message says why and what to do."""

    __test__ = False  # not a pytest test class, despite the name


class Pin(NamedTuple):
    name: str
    version: str
    hashes: frozenset[str]


def cache_root() -> Path:
    """The project's cache root, same rule as ./dev and tools/runtime.py."""
    if os.environ.get("PLAYGROUND_CACHE"):
        return Path(os.environ["PLAYGROUND_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "loss-landscape-playground"


def default_dest() -> Path:
    return cache_root() / CACHE_SUBDIR


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def normalize_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_pins(requirements: Path = REQUIREMENTS) -> list[Pin]:
    """The ``name==version --hash=sha256:...`` entries (continuation lines joined)."""
    text = Path(requirements).read_text(encoding="utf-8")
    logical = re.sub(r"\\\n", " ", "\n".join(line.split("#", 1)[0] for line in text.splitlines()))
    pins = []
    for line in logical.splitlines():
        words = line.split()
        if not words:
            continue
        match = _PIN.match(words[0])
        hashes = {m.group(1) for w in words[1:] if (m := _HASH.match(w))}
        if not match or not hashes or len(hashes) != len(words) - 1:
            raise TestWheelsError(f"{requirements}: expected 'name==version --hash=sha256:<hex>', got: {line.strip()}")
        pins.append(Pin(normalize_name(match.group(1)), match.group(2), frozenset(hashes)))
    if not pins:
        raise TestWheelsError(f"{requirements} pins no wheels")
    return pins


def _wheel_pin(path: Path) -> tuple[str, str]:
    """(normalized name, version) from a wheel file name."""
    parts = path.name.split("-")
    return normalize_name(parts[0]), parts[1] if len(parts) > 1 else ""


def find_wheels(dest: Path, pins: list[Pin]) -> tuple[list[Path], list[Pin]]:
    """Wheels in ``dest`` matching the pins (name, version, pure tag, hash), and the pins without one."""
    found, missing = [], []
    candidates = sorted(dest.glob("*.whl")) if dest.is_dir() else []
    for pin in pins:
        match = next(
            (path for path in candidates
             if _wheel_pin(path) == (pin.name, pin.version) and _PURE_TAGS.search(path.name)
             and sha256_file(path) in pin.hashes),
            None,
        )
        if match is None:
            missing.append(pin)
        else:
            found.append(match)
    return found, missing


def download(requirements: Path, into: Path, python: str = sys.executable) -> None:
    argv = [python, "-m", "pip", "download", *PIP_FLAGS, "-r", str(requirements), "-d", str(into)]
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise TestWheelsError(
            f"pip could not download the Pyodide test wheels (PyPI unreachable, or a file "
            f"no longer matches its pinned hash): `{' '.join(argv)}` exited {result.returncode}\n{tail}"
        )


def ensure(dest: Path | None = None, requirements: Path = REQUIREMENTS) -> list[Path]:
    """Paths of the pinned, hash-checked test wheels in ``dest``, downloading them if needed."""
    dest = Path(dest) if dest is not None else default_dest()
    pins = read_pins(requirements)
    found, missing = find_wheels(dest, pins)
    if not missing:
        say(f"pyodide test wheels ok (cached): {len(found)} wheels in {dest}")
        return found
    say(f"downloading {len(missing)} of {len(pins)} pyodide test wheels "
        f"({Path(requirements).name}, hash-checked) into {dest}")
    dest.mkdir(parents=True, exist_ok=True)
    # Download next to dest, then move in: an interrupted run never leaves half a wheel.
    with tempfile.TemporaryDirectory(prefix=".download-", dir=dest) as tmp:
        download(Path(requirements), Path(tmp))
        pinned = {pin.name for pin in pins}
        for old in dest.glob("*.whl"):  # other versions of pinned packages, damaged copies
            if _wheel_pin(old)[0] in pinned:
                old.unlink()
        for wheel in Path(tmp).glob("*.whl"):
            os.replace(wheel, dest / wheel.name)
    found, missing = find_wheels(dest, pins)
    if missing:
        raise TestWheelsError(
            "pip download finished but these pins have no matching pure-Python wheel in "
            f"{dest}: {', '.join(f'{p.name}=={p.version}' for p in missing)}"
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dest", type=Path, default=None, help=f"default: $CACHE/{CACHE_SUBDIR}")
    parser.add_argument("--requirements", type=Path, default=REQUIREMENTS)
    parser.add_argument("--list", action="store_true", help="print the wheel paths")
    args = parser.parse_args(argv)
    try:
        for path in ensure(args.dest, args.requirements):
            if args.list:
                print(path)
    except TestWheelsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
