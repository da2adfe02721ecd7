"""Vendor uPlot (the loss chart's plotting library) into static/vendor/uplot/, pinned.

Reproducible: ``npm pack uplot@1.6.32`` fetches the published tarball, its sha512 is
checked against the integrity npm publishes for that version (pinned below, so a changed
or substituted tarball is refused), and only the three files the page needs are copied:

    static/vendor/uplot/uPlot.esm.js    the ES module the page imports
    static/vendor/uplot/uPlot.min.css   its stylesheet
    static/vendor/uplot/LICENSE         MIT

VENDOR.json next to them records the package, version, npm integrity and the sha256 of
each copied file; tests/test_vendor.py recomputes those hashes, so an edited vendored
file fails the tests.

Standard library only (plus the ``npm`` client, unless --tarball is given). CLI::

    python tools/vendor_uplot.py                       # npm pack, verify, copy, write VENDOR.json
    python tools/vendor_uplot.py --tarball uplot.tgz   # same, from a tarball already downloaded
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "uplot"
VERSION = "1.6.32"
# From the npm registry: `npm view uplot@1.6.32 dist.integrity`.
INTEGRITY = "sha512-KIMVnG68zvu5XXUbC4LQEPnhwOxBuLyW1AHtpm6IKTXImkbLgkMy+jabjLgSLMasNuGGzQm/ep3tOkyTxpiQIw=="
# tarball member -> file name in the vendor directory
FILES = {
    "package/dist/uPlot.esm.js": "uPlot.esm.js",
    "package/dist/uPlot.min.css": "uPlot.min.css",
    "package/LICENSE": "LICENSE",
}
DEST = REPO / "static" / "vendor" / "uplot"


def integrity_of(data: bytes) -> str:
    """npm's Subresource-Integrity string for bytes: "sha512-<base64>"."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def header_version(esm_source: str) -> str | None:
    """The version uPlot's build writes into the ES module's banner ("... uPlot (v1.6.32)")."""
    head = esm_source[:600]
    marker = "uPlot (v"
    start = head.find(marker)
    if start < 0:
        return None
    end = head.find(")", start)
    return head[start + len(marker):end] if end > 0 else None


def npm_pack(workdir: Path) -> bytes:
    """The published tarball of PACKAGE@VERSION, via the npm client."""
    spec = f"{PACKAGE}@{VERSION}"
    result = subprocess.run(["npm", "pack", spec, "--json", "--pack-destination", str(workdir)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"npm pack {spec} failed:\n{result.stderr.strip()}")
    (info,) = json.loads(result.stdout)
    return (workdir / info["filename"]).read_bytes()


def extract(tarball: bytes, expected_integrity: str = INTEGRITY) -> dict[str, bytes]:
    """Verify the tarball against the pinned integrity, then read FILES out of it.

    Raises ValueError when the hash differs, a member is missing, or the package inside is
    not PACKAGE@VERSION.
    """
    actual = integrity_of(tarball)
    if actual != expected_integrity:
        raise ValueError(f"{PACKAGE}@{VERSION} tarball integrity mismatch:\n"
                         f"  expected {expected_integrity}\n  got      {actual}")
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        manifest = json.loads(_member(archive, "package/package.json"))
        if (manifest.get("name"), manifest.get("version")) != (PACKAGE, VERSION):
            raise ValueError(f"tarball holds {manifest.get('name')}@{manifest.get('version')}, "
                             f"not {PACKAGE}@{VERSION}")
        for member, name in FILES.items():
            out[name] = _member(archive, member)
    found = header_version(out["uPlot.esm.js"].decode("utf-8"))
    if found != VERSION:
        raise ValueError(f"uPlot.esm.js banner says version {found!r}, expected {VERSION}")
    return out


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    try:
        info = archive.getmember(name)
    except KeyError:
        raise ValueError(f"{name} is missing from the tarball") from None
    if not info.isfile():
        raise ValueError(f"{name} in the tarball is not a regular file")
    return archive.extractfile(info).read()


def write(files: dict[str, bytes], dest: Path = DEST) -> dict:
    """Write the files and VENDOR.json into dest (replacing what was there); return the record."""
    dest.mkdir(parents=True, exist_ok=True)
    for stale in dest.iterdir():
        if stale.is_file() and stale.name not in files and stale.name != "VENDOR.json":
            stale.unlink()
    for name, data in files.items():
        (dest / name).write_bytes(data)
    record = {
        "package": PACKAGE,
        "version": VERSION,
        "source": f"npm pack {PACKAGE}@{VERSION}",
        "integrity": INTEGRITY,
        "license": "MIT",
        "files": {name: {"from": _source_member(name), "sha256": sha256_of(data)}
                  for name, data in sorted(files.items())},
        "regenerate": "python tools/vendor_uplot.py",
    }
    (dest / "VENDOR.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


def _source_member(name: str) -> str:
    return next(member for member, target in FILES.items() if target == name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=f"Vendor {PACKAGE}@{VERSION} into {DEST.relative_to(REPO)}/.")
    parser.add_argument("--tarball", type=Path, help="use this downloaded tarball instead of running npm pack")
    parser.add_argument("--dest", type=Path, default=DEST)
    args = parser.parse_args(argv)
    try:
        if args.tarball:
            tarball = args.tarball.read_bytes()
        else:
            with tempfile.TemporaryDirectory(prefix="vendor-uplot-") as tmp:
                tarball = npm_pack(Path(tmp))
        files = extract(tarball)
    except (OSError, RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    record = write(files, args.dest)
    print(f"{PACKAGE}@{VERSION} verified ({INTEGRITY[:22]}…) and written to {args.dest}:")
    for name, info in record["files"].items():
        print(f"  {name:14s} sha256 {info['sha256']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
