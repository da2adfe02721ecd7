"""tools/build_wheel.py: the wheel the page loads, index.json, and the rebuild stamp.

Builds a tiny throwaway project in tmp_path with the venv's setuptools (no build
isolation, so no network).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest




from tools import build_wheel as bw  # noqa: E402  (tools/ imports as a namespace package)

PYPROJECT = """\
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "demo-playground"
version = "0.1.0"

[tool.setuptools]
packages = ["demo"]
"""


@pytest.fixture
def project(tmp_path):
    repo = tmp_path / "repo"
    (repo / "demo").mkdir(parents=True)
    (repo / "pyproject.toml").write_text(PYPROJECT)
    (repo / "demo" / "__init__.py").write_text("VALUE = 1\n")
    (repo / "demo" / "extra.py").write_text("EXTRA = True\n")
    return repo


def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def test_fingerprint_ignores_build_output_tests_and_caches(project):
    before = bw.source_fingerprint(project)
    for junk in ["build/x.txt", "tests/test_x.py", "demo/__pycache__/a.pyc", ".git/HEAD",
                 "demo_playground.egg-info/PKG-INFO", "static/app.js"]:
        (project / junk).parent.mkdir(parents=True, exist_ok=True)
        (project / junk).write_text("noise")
    assert bw.source_fingerprint(project) == before
    (project / "demo" / "__init__.py").write_text("VALUE = 2\n")
    assert bw.source_fingerprint(project) != before


def test_builds_indexes_caches_and_rebuilds(project, capsys):
    wheels = project / "build" / "wheels"

    name = bw.ensure_wheel(project, wheels)

    index = json.loads((wheels / "index.json").read_text())
    assert index == {"wheel": name, "sha256": bw.sha256_file(wheels / name)}
    assert name.startswith("demo_playground-0.1.0-") and name.endswith(".whl")
    assert {"demo/__init__.py", "demo/extra.py"} <= wheel_names(wheels / name)
    capsys.readouterr()

    assert bw.ensure_wheel(project, wheels) == name
    assert "wheel ok (cached)" in capsys.readouterr().out

    # A deleted module must not survive in build/lib and sneak into the next wheel.
    (project / "demo" / "extra.py").unlink()
    (project / "pyproject.toml").write_text(PYPROJECT.replace("0.1.0", "0.2.0"))
    new_name = bw.ensure_wheel(project, wheels)
    assert "building wheel" in capsys.readouterr().out
    assert sorted(p.name for p in wheels.glob("*.whl")) == [new_name]  # stale wheel removed
    assert "demo/extra.py" not in wheel_names(wheels / new_name)
    assert json.loads((wheels / "index.json").read_text())["wheel"] == new_name


def test_broken_project_raises_with_pips_output(project):
    (project / "pyproject.toml").write_text(PYPROJECT.replace('name = "demo-playground"', "name = ["))
    with pytest.raises(bw.WheelBuildError, match="pip wheel failed"):
        bw.ensure_wheel(project, project / "build" / "wheels")
