"""Vendor pinned npm packages into the repo: uPlot for the page's loss chart, axe-core for
the accessibility tests.

Reproducible: ``npm pack NAME@VERSION`` fetches the published tarball, its sha512 is
checked against the integrity npm publishes for that version (pinned below, so a changed
or substituted tarball is refused), the package.json inside must name that version, and
only the files listed are copied:

    static/vendor/uplot/       uPlot.esm.js (the ES module the page imports), uPlot.min.css, LICENSE
    tests/vendor/axe-core/     axe.min.js (injected into the page by tests/browser/test_a11y.py), LICENSE.txt

VENDOR.json next to them records the package, version, npm integrity and the sha256 of
each copied file; tests/test_vendor.py recomputes those hashes, so an edited vendored
file fails the tests.

Standard library only (plus the ``npm`` client, unless --tarball is given). CLI::

    python tools/vendor.py uplot                          # npm pack, verify, copy, write VENDOR.json
    python tools/vendor.py axe-core --tarball axe.tgz     # same, from a tarball already downloaded
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Package:
    """One pinned npm package: what to take from its tarball and where to put it."""

    name: str
    version: str
    integrity: str  # `npm view NAME@VERSION dist.integrity`
    files: dict  # tarball member -> file name in dest
    dest: Path
    license: str
    banner_file: str  # the file whose first lines must name the version
    banner: str  # regex with one group: the version in that banner

    def banner_version(self, source: str) -> str | None:
        found = re.search(self.banner, source[:600])
        return found.group(1) if found else None


PACKAGES = {
    "uplot": Package(
        name="uplot", version="1.6.32",
        integrity="sha512-KIMVnG68zvu5XXUbC4LQEPnhwOxBuLyW1AHtpm6IKTXImkbLgkMy+jabjLgSLMasNuGGzQm/ep3tOkyTxpiQIw==",
        files={"package/dist/uPlot.esm.js": "uPlot.esm.js", "package/dist/uPlot.min.css": "uPlot.min.css",
               "package/LICENSE": "LICENSE"},
        dest=REPO / "static" / "vendor" / "uplot", license="MIT",
        banner_file="uPlot.esm.js", banner=r"uPlot \(v([\d.]+)\)"),
    "axe-core": Package(
        name="axe-core", version="4.10.2",
        integrity="sha512-RE3mdQ7P3FRSe7eqCWoeQ/Z9QXrtniSjp1wUjt5nRC3WIpz5rSCve6o3fsZ2aCpJtrZjSZgjwXAoTO5k4tEI0w==",
        files={"package/axe.min.js": "axe.min.js", "package/LICENSE": "LICENSE.txt"},
        dest=REPO / "tests" / "vendor" / "axe-core", license="MPL-2.0",
        banner_file="axe.min.js", banner=r"axe v([\d.]+)"),
}


def integrity_of(data: bytes) -> str:
    """npm's Subresource-Integrity string for bytes: "sha512-<base64>"."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def npm_pack(pkg: Package, workdir: Path) -> bytes:
    """The published tarball of the package, via the npm client."""
    spec = f"{pkg.name}@{pkg.version}"
    result = subprocess.run(["npm", "pack", spec, "--json", "--pack-destination", str(workdir)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"npm pack {spec} failed:\n{result.stderr.strip()}")
    (info,) = json.loads(result.stdout)
    return (workdir / info["filename"]).read_bytes()


def extract(pkg: Package, tarball: bytes, expected_integrity: str | None = None) -> dict[str, bytes]:
    """Verify the tarball against the pinned integrity, then read the package's files out of it.

    Raises ValueError when the hash differs, a member is missing, or the package inside
    (its package.json and its banner) is not NAME@VERSION.
    """
    expected = expected_integrity or pkg.integrity
    actual = integrity_of(tarball)
    if actual != expected:
        raise ValueError(f"{pkg.name}@{pkg.version} tarball integrity mismatch:\n"
                         f"  expected {expected}\n  got      {actual}")
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        manifest = json.loads(_member(archive, "package/package.json"))
        if (manifest.get("name"), manifest.get("version")) != (pkg.name, pkg.version):
            raise ValueError(f"tarball holds {manifest.get('name')}@{manifest.get('version')}, "
                             f"not {pkg.name}@{pkg.version}")
        for member, name in pkg.files.items():
            out[name] = _member(archive, member)
    found = pkg.banner_version(out[pkg.banner_file].decode("utf-8"))
    if found != pkg.version:
        raise ValueError(f"{pkg.banner_file} banner says version {found!r}, expected {pkg.version}")
    return out


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    try:
        info = archive.getmember(name)
    except KeyError:
        raise ValueError(f"{name} is missing from the tarball") from None
    if not info.isfile():
        raise ValueError(f"{name} in the tarball is not a regular file")
    return archive.extractfile(info).read()


def write(pkg: Package, files: dict[str, bytes], dest: Path | None = None) -> dict:
    """Write the files and VENDOR.json into dest (replacing what was there); return the record."""
    dest = dest or pkg.dest
    dest.mkdir(parents=True, exist_ok=True)
    for stale in dest.iterdir():
        if stale.is_file() and stale.name not in files and stale.name != "VENDOR.json":
            stale.unlink()
    for name, data in files.items():
        (dest / name).write_bytes(data)
    source = {target: member for member, target in pkg.files.items()}
    record = {
        "package": pkg.name,
        "version": pkg.version,
        "source": f"npm pack {pkg.name}@{pkg.version}",
        "integrity": pkg.integrity,
        "license": pkg.license,
        "files": {name: {"from": source[name], "sha256": sha256_of(data)} for name, data in sorted(files.items())},
        "regenerate": f"python tools/vendor.py {pkg.name}",
    }
    (dest / "VENDOR.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Vendor a pinned npm package, hash-checked.")
    parser.add_argument("package", choices=sorted(PACKAGES))
    parser.add_argument("--tarball", type=Path, help="use this downloaded tarball instead of running npm pack")
    parser.add_argument("--dest", type=Path)
    args = parser.parse_args(argv)
    pkg = PACKAGES[args.package]
    try:
        if args.tarball:
            tarball = args.tarball.read_bytes()
        else:
            with tempfile.TemporaryDirectory(prefix="vendor-") as tmp:
                tarball = npm_pack(pkg, Path(tmp))
        files = extract(pkg, tarball)
    except (OSError, RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    record = write(pkg, files, args.dest)
    print(f"{pkg.name}@{pkg.version} verified ({pkg.integrity[:22]}…) and written to {args.dest or pkg.dest}:")
    for name, info in record["files"].items():
        print(f"  {name:14s} sha256 {info['sha256']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
