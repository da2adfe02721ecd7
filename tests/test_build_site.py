"""tools/build_site.py: dist/ holds what the page uses and nothing else, carries
tools/serve.py's Content-Security-Policy as a <meta> tag, and a second build gives the
same tree."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from tools import browser as browser_tools
from tools import build_site, serve

REPO = Path(__file__).resolve().parents[1]


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    runtime, wheels = browser_tools.runtime_dir(), browser_tools.wheels_dir()
    if not (runtime / "runtime-manifest.json").is_file() or not (wheels / "index.json").is_file():
        pytest.fail("needs the runtime and our wheel: run ./dev test, which builds them", pytrace=False)
    out = tmp_path_factory.mktemp("build") / "dist"
    build_site.build_site(REPO, runtime, wheels, out)
    return out, runtime, wheels


def test_the_policy_is_serve_py_s_minus_what_a_meta_tag_ignores():
    html = (REPO / "index.html").read_text()
    header = serve.content_security_policy(serve.inline_script_hashes(html))
    meta = build_site.meta_policy(html)
    assert "frame-ancestors" in header and "frame-ancestors" not in meta
    assert meta.split("; ") == [d for d in header.split("; ") if not d.startswith("frame-ancestors")]


def test_the_meta_tag_comes_before_every_script_and_keeps_their_hashes():
    html = (REPO / "index.html").read_text()
    out = build_site.with_csp_meta(html)
    meta = out.index('http-equiv="Content-Security-Policy"')
    assert meta < out.index("<script") and meta < out.index("<link")
    assert serve.inline_script_hashes(out) == serve.inline_script_hashes(html)
    with pytest.raises(build_site.BuildError):
        build_site.with_csp_meta(out)


def test_packages_come_from_config_js():
    config = (REPO / "static" / "config.js").read_text()
    assert set(build_site.config_packages(config)) >= {"numpy", "contourpy"}
    with pytest.raises(build_site.BuildError):
        build_site.config_packages("export const PYODIDE_PACKAGES = [];")


def test_dist_holds_the_page_the_runtime_it_uses_and_our_wheel(built):
    out, runtime, wheels = built
    files = set(tree(out))
    assert {"index.html", "sw.js", "static/main.js", "static/worker.js", "static/config.js",
            "wheels/index.json"} <= files
    index = json.loads((wheels / "index.json").read_text())
    assert f"wheels/{index['wheel']}" in files
    pyodide = sorted(f[len("pyodide/"):] for f in files if f.startswith("pyodide/"))
    lock = json.loads((runtime / "pyodide-lock.json").read_text())["packages"]
    closure = build_site.runtime.resolve_closure({"packages": lock}, ["numpy", "contourpy", "matplotlib", "micropip"])
    expected = (set(build_site.CORE_FILES) | {lock[p]["file_name"] for p in closure}
                | {f"pypi/{name}" for name in build_site.runtime.PYPI_WHEELS})
    assert set(pyodide) == expected, "only the runtime files the page uses (no pyodide.js, no other wheels)"
    assert {"matplotlib", "pillow", "kiwisolver", "micropip", "packaging"} <= set(closure)
    manifest = json.loads((runtime / "runtime-manifest.json").read_text())["files"]
    for name in pyodide:
        assert hashlib.sha256((out / "pyodide" / name).read_bytes()).hexdigest() == manifest[name]
    assert "const SERVICE_WORKER_AT_ROOT = true;" in (out / "static" / "offline.js").read_text()
    assert "const SERVICE_WORKER_AT_ROOT = false;" in (REPO / "static" / "offline.js").read_text()
    html = (out / "index.html").read_text()
    assert re.search(r'<meta http-equiv="Content-Security-Policy" content="[^"]*script-src [^"]*\'sha256-', html)


def test_a_second_build_gives_the_same_tree(built):
    out, runtime, wheels = built
    before = tree(out)
    build_site.build_site(REPO, runtime, wheels, out)
    assert tree(out) == before
    assert not out.with_name(out.name + ".part").exists() and not out.with_name(out.name + ".old").exists()


def test_refuses_to_replace_a_directory_it_did_not_write(tmp_path, built):
    _, runtime, wheels = built
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("mine")
    with pytest.raises(build_site.BuildError, match="not written by ./dev build"):
        build_site.build_site(REPO, runtime, wheels, precious)
    assert (precious / "notes.txt").read_text() == "mine"
