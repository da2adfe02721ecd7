"""Vendored npm packages (uPlot for the page, axe-core for the accessibility tests) are
exactly what tools/vendor.py recorded: pinned and hash-checked."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import sys
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _load_tool():
    spec = importlib.util.spec_from_file_location("_vendor", REPO / "tools" / "vendor.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


tool = _load_tool()
PACKAGES = sorted(tool.PACKAGES)


def record_of(pkg) -> dict:
    return json.loads((pkg.dest / "VENDOR.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", PACKAGES)
def test_record_pins_the_package_the_tool_pins(name):
    pkg = tool.PACKAGES[name]
    record = record_of(pkg)
    assert (record["package"], record["version"], record["integrity"]) == (pkg.name, pkg.version, pkg.integrity)
    assert record["integrity"].startswith("sha512-")
    assert set(record["files"]) == set(pkg.files.values())


@pytest.mark.parametrize("name", PACKAGES)
def test_vendored_files_match_their_recorded_sha256(name):
    pkg = tool.PACKAGES[name]
    for file, info in record_of(pkg)["files"].items():
        path = pkg.dest / file
        assert path.is_file(), f"{path} is missing; run python tools/vendor.py {name}"
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        assert actual == info["sha256"], (
            f"{path.relative_to(REPO)} was changed after vendoring (sha256 {actual}); "
            f"vendored files are never edited: re-run python tools/vendor.py {name}")


@pytest.mark.parametrize("name", PACKAGES)
def test_no_unrecorded_files_in_the_vendor_directory(name):
    pkg = tool.PACKAGES[name]
    present = {p.name for p in pkg.dest.iterdir()}
    assert present == set(record_of(pkg)["files"]) | {"VENDOR.json"}


@pytest.mark.parametrize("name", PACKAGES)
def test_banner_names_the_pinned_version(name):
    pkg = tool.PACKAGES[name]
    source = (pkg.dest / pkg.banner_file).read_text(encoding="utf-8")
    assert pkg.banner_version(source) == pkg.version


def test_uplot_is_an_es_module_with_its_mit_license():
    pkg = tool.PACKAGES["uplot"]
    assert "export { uPlot as default }" in (pkg.dest / "uPlot.esm.js").read_text(encoding="utf-8")
    license_text = (pkg.dest / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in license_text and "Leon Sorokin" in license_text


def _fake_tarball(version: str = "1.6.32", banner_version: str = "1.6.32") -> bytes:
    members = {
        "package/package.json": json.dumps({"name": "uplot", "version": version}).encode(),
        "package/dist/uPlot.esm.js": f"/**\n* uPlot.js (μPlot)\n* https://github.com/leeoniya/uPlot (v{banner_version})\n*/\n".encode(),
        "package/dist/uPlot.min.css": b".uplot{}",
        "package/LICENSE": b"MIT",
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


UPLOT = tool.PACKAGES["uplot"]


def test_tool_refuses_a_tarball_whose_integrity_differs():
    with pytest.raises(ValueError, match="integrity mismatch"):
        tool.extract(UPLOT, _fake_tarball())


def test_tool_checks_the_package_version_and_the_banner():
    good = _fake_tarball()
    files = tool.extract(UPLOT, good, expected_integrity=tool.integrity_of(good))
    assert set(files) == {"uPlot.esm.js", "uPlot.min.css", "LICENSE"}
    wrong_version = _fake_tarball(version="1.6.31")
    with pytest.raises(ValueError, match="1.6.31"):
        tool.extract(UPLOT, wrong_version, expected_integrity=tool.integrity_of(wrong_version))
    wrong_banner = _fake_tarball(banner_version="1.6.30")
    with pytest.raises(ValueError, match="banner"):
        tool.extract(UPLOT, wrong_banner, expected_integrity=tool.integrity_of(wrong_banner))


def test_tool_writes_a_record_that_the_checks_above_accept(tmp_path):
    good = _fake_tarball()
    files = tool.extract(UPLOT, good, expected_integrity=tool.integrity_of(good))
    record = tool.write(UPLOT, files, tmp_path)
    on_disk = json.loads((tmp_path / "VENDOR.json").read_text(encoding="utf-8"))
    assert on_disk == record
    for name, info in record["files"].items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == info["sha256"]
