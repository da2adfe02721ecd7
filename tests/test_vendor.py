"""The vendored uPlot is exactly what tools/vendor_uplot.py recorded: pinned and hash-checked."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
VENDOR_DIR = REPO / "static" / "vendor" / "uplot"


def _load_tool():
    spec = importlib.util.spec_from_file_location("_vendor_uplot", REPO / "tools" / "vendor_uplot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


@pytest.fixture(scope="module")
def record() -> dict:
    return json.loads((VENDOR_DIR / "VENDOR.json").read_text(encoding="utf-8"))


def test_record_pins_the_package_the_tool_pins(record):
    assert record["package"] == tool.PACKAGE == "uplot"
    assert record["version"] == tool.VERSION == "1.6.32"
    assert record["integrity"] == tool.INTEGRITY
    assert record["integrity"].startswith("sha512-")
    assert set(record["files"]) == set(tool.FILES.values()) == {"uPlot.esm.js", "uPlot.min.css", "LICENSE"}


@pytest.mark.parametrize("name", sorted(tool.FILES.values()))
def test_vendored_file_matches_its_recorded_sha256(record, name):
    path = VENDOR_DIR / name
    assert path.is_file(), f"{path} is missing; run python tools/vendor_uplot.py"
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    assert actual == record["files"][name]["sha256"], (
        f"{path.relative_to(REPO)} was changed after vendoring (sha256 {actual}); "
        "vendored files are never edited: re-run python tools/vendor_uplot.py")


def test_no_unrecorded_files_in_the_vendor_directory(record):
    present = {p.name for p in VENDOR_DIR.iterdir()}
    assert present == set(record["files"]) | {"VENDOR.json"}


def test_module_banner_names_the_pinned_version(record):
    source = (VENDOR_DIR / "uPlot.esm.js").read_text(encoding="utf-8")
    assert tool.header_version(source) == record["version"]
    assert "export { uPlot as default }" in source, "the page imports uPlot as an ES module default export"


def test_license_is_mit():
    text = (VENDOR_DIR / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in text and "Leon Sorokin" in text


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


def test_tool_refuses_a_tarball_whose_integrity_differs():
    with pytest.raises(ValueError, match="integrity mismatch"):
        tool.extract(_fake_tarball())


def test_tool_checks_the_package_version_and_the_banner():
    good = _fake_tarball()
    files = tool.extract(good, expected_integrity=tool.integrity_of(good))
    assert set(files) == {"uPlot.esm.js", "uPlot.min.css", "LICENSE"}
    wrong_version = _fake_tarball(version="1.6.31")
    with pytest.raises(ValueError, match="1.6.31"):
        tool.extract(wrong_version, expected_integrity=tool.integrity_of(wrong_version))
    wrong_banner = _fake_tarball(banner_version="1.6.30")
    with pytest.raises(ValueError, match="banner"):
        tool.extract(wrong_banner, expected_integrity=tool.integrity_of(wrong_banner))


def test_tool_writes_a_record_that_the_checks_above_accept(tmp_path):
    good = _fake_tarball()
    files = tool.extract(good, expected_integrity=tool.integrity_of(good))
    record = tool.write(files, tmp_path)
    on_disk = json.loads((tmp_path / "VENDOR.json").read_text(encoding="utf-8"))
    assert on_disk == record
    for name, info in record["files"].items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == info["sha256"]
