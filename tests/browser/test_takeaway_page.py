"""Take the scene away (issue 11), in Chromium: the matplotlib figure drawn in the second
worker, its PNG and SVG downloads, "Copy as Python" run in CPython against the page's own
outcome table, the paths as CSV and the scene as JSON, and a figure that cannot be drawn.

One page serves most tests (booting its second worker and matplotlib costs seconds), in
the order written: each test leaves the page paused at a known step.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import scenes
from playground_page import Playground

REPO = Path(__file__).resolve().parents[2]
HASH = "landscape=ravine&show=sgd,momentum,adam,nesterov,lion&noise=0.3&adam.betas=0.9,0.99"
OUTCOME = re.compile(r"^(?P<label>.+?): \((?P<x>[^,]+), (?P<y>[^)]+)\)  loss (?P<loss>\S+)$")


@pytest.fixture(scope="module")
def page(browser, playground_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=playground_url.rstrip("/"))
    pg = Playground(context.new_page(), playground_url)
    pg.goto(HASH)
    pg.wait_ready()
    yield pg
    context.close()


def settle(pg):
    pg.page.evaluate("window.__playground.takeaway.settled()")
    return pg.page.evaluate("window.__playground.takeaway.summary()")


def download(pg, selector) -> tuple[str, bytes]:
    with pg.page.expect_download(timeout=120_000) as info:
        pg.page.click(selector)
    dl = info.value
    data = Path(dl.path()).read_bytes()
    settle(pg)
    return dl.suggested_filename, data


def shown_outcomes(pg) -> dict[str, str]:
    """The outcome table as the script prints it: {label: "Label: (x, y)  loss L"}."""
    rows = pg.page.evaluate("""() => [...document.querySelectorAll('#legend tbody tr')]
        .filter((tr) => !tr.classList.contains('dimmed'))
        .map((tr) => [tr.querySelector('th').textContent.trim(),
                      tr.querySelector('td[data-field=where]').textContent.trim(),
                      tr.querySelector('td[data-field=loss]').textContent.trim()])""")
    return {label: f"{label}: {where}  loss {loss}" for label, where, loss in rows}


def test_the_second_worker_waits_until_it_is_needed(page):
    assert page.page.evaluate("window.__playground.sideStarted()") is False
    assert page.page.locator("#takeaway .tk-figure").is_visible()


# The first figure's wait, stage by stage (each a fragment of the panel's status text).
FIGURE_STAGES = ["starting the second Python", "loading matplotlib", "importing matplotlib", "simulating the scene",
                 "drawing the 3-D surface", "rendering the PNG"]


def test_the_figure_is_drawn_by_matplotlib_and_the_balls_keep_moving(page):
    page.play()
    before = page.snapshot()["step"]
    page.page.evaluate("""() => {  // every status text and progress value the panel shows from now on
        const el = document.querySelector('#takeaway .tk-status'), bar = document.querySelector('#takeaway .tk-progress');
        const log = (window.__takeawayLog = []);
        new MutationObserver(() => log.push([el.textContent, bar.hidden ? null : bar.value]))
            .observe(el, {childList: true, characterData: true, subtree: true});
    }""")
    page.page.click("#takeaway .tk-figure")
    summary = settle(page)
    assert summary["state"] == "done", summary
    log = page.page.evaluate("window.__takeawayLog")
    texts = [text for text, _ in log]
    first = {stage: next((i for i, t in enumerate(texts) if stage in t), None) for stage in FIGURE_STAGES}
    assert None not in first.values(), f"stages missing from the status: {first}; shown: {texts}"
    assert sorted(FIGURE_STAGES, key=first.get) == FIGURE_STAGES, texts
    fractions = [f for _, f in log if f is not None]
    assert fractions == sorted(fractions), fractions
    after = page.snapshot()["step"]
    assert after > before + 20, "the balls kept running while matplotlib loaded and drew"
    assert page.page.evaluate("window.__playground.sideStarted()") is True
    figure = summary["figure"]
    assert figure["name"] == f"ravine-step{figure['steps']}.png"
    assert (figure["width"], figure["height"]) == (1200, 550)  # 12 × 5.5 in at the preview's 100 dpi
    src = page.page.get_attribute("#takeaway .tk-image", "src")
    assert src.startswith("blob:")
    assert page.page.evaluate("document.querySelector('#takeaway .tk-image').naturalWidth") == 1200
    assert not page.errors


def test_png_download_is_the_figure_shown_decodes_is_not_blank_and_has_the_chosen_dpi(page):
    page.pause()
    page.page.click("#takeaway .tk-redraw")  # the preview was drawn while the balls ran
    shown = settle(page)["figure"]
    assert shown["steps"] == page.snapshot()["step"]
    page.page.select_option("#takeaway .tk-dpi", "200")
    name, data = download(page, "#takeaway .tk-png")
    assert name == f"ravine-step{shown['steps']}.png"
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.size == (2400, 1100)
    pixels = np.asarray(image.convert("RGB"), dtype=float)
    assert pixels.std() > 20, "the figure is blank"
    colours = {tuple(p) for p in pixels[::7, ::7].reshape(-1, 3).astype(int)}
    assert len(colours) > 200, "a real figure has a surface, contours and paths in many colours"


def test_svg_download_parses_and_names_the_optimizers(page):
    name, data = download(page, "#takeaway .tk-svg")
    assert name.endswith(".svg") and name.startswith("ravine-step")
    root = ET.fromstring(data)
    assert root.tag.endswith("svg")
    text = data.decode()
    for label in ("SGD", "Momentum", "Adam", "Nesterov", "Lion"):
        assert label in text, label
    # The surface is embedded as a PNG (rasterized): its base64 may spell "NaN" by chance.
    vectors = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=\s]*", "", text)
    assert "NaN" not in vectors, vectors[max(0, vectors.find("NaN") - 300):vectors.find("NaN") + 60]


def test_copy_as_python_runs_in_cpython_and_prints_the_outcome_table(page, tmp_path):
    page.pause()
    page.step(3)
    page.page.click("#takeaway .tk-copy")
    summary = settle(page)
    assert summary["state"] == "done", summary
    script = page.page.evaluate("navigator.clipboard.readText()")
    assert script == summary["script"]
    assert f"steps = {page.snapshot()['step']}" in script
    (tmp_path / "scene.py").write_text(script)
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, "scene.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    printed = [line for line in run.stdout.splitlines() if OUTCOME.match(line)]
    shown = shown_outcomes(page)
    assert sorted(printed) == sorted(shown.values()), (printed, shown)
    assert len(printed) == 5
    figure = list(tmp_path.glob("ravine-step*.png"))
    assert len(figure) == 1 and Image.open(figure[0]).size[0] > 1000


def test_csv_holds_every_step_and_ends_where_the_balls_are(page):
    page.pause()
    step = page.snapshot()["step"]
    name, data = download(page, "#takeaway .tk-csv")
    assert name == f"ravine-step{step}.csv"
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert list(rows[0]) == ["step", "method", "x", "y", "loss", "status"]
    assert len(rows) == (step + 1) * 5
    last = {r["method"]: r for r in rows if int(r["step"]) == step}
    snap = page.snapshot()
    for key in ("sgd", "momentum", "adam", "nesterov", "lion"):
        i = snap["keys"].index(key)
        assert [float(last[key]["x"]), float(last[key]["y"])] == snap["positions"][i], key
        assert last[key]["status"] in ("running", "converged", "diverged")


def test_json_rebuilds_the_scene_in_python(page):
    page.pause()
    name, data = download(page, "#takeaway .tk-json")
    scene = scenes.loads(data.decode())
    state, snap = page.state(), page.snapshot()
    assert scene.landscape == "ravine" and scene.steps == snap["step"]
    assert scene.noise == state["noise"] == 0.3
    assert scene.settings_of("adam") == {"betas": (0.9, 0.99)}
    assert list(scene.show) == ["sgd", "momentum", "nesterov", "adam", "lion"]
    ends = {k: s.path[-1, 0].tolist() for k, s in scene.simulate().items()}
    for key, end in ends.items():
        i = snap["keys"].index(key)
        assert end == snap["positions"][i], key
    assert json.loads(data)["landscape"] == "ravine"


def test_a_figure_that_cannot_be_drawn_says_why_and_the_page_keeps_working(browser, playground_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    context.route(re.compile(r".*/pyodide/matplotlib-.*\.whl$"), lambda route: route.fulfill(status=404, body="gone"))
    try:
        pg = Playground(context.new_page(), playground_url)
        pg.goto("landscape=bowl")
        pg.wait_ready()
        pg.page.click("#takeaway .tk-figure")
        summary = settle(pg)
        assert summary["state"] == "error", summary
        assert "matplotlib" in summary["status"] and "keeps working" in summary["status"]
        before = pg.snapshot()["step"]
        pg.play()
        pg.wait_for(lambda: pg.snapshot()["step"] > before + 10, "the balls to keep moving")
        pg.page.click("#takeaway .tk-copy")  # the main worker's exports do not need matplotlib
        assert settle(pg)["state"] == "done"
    finally:
        context.close()


WAIT_READY = """async () => {
  while (document.querySelector('#status').dataset.state === 'loading') await new Promise((r) => setTimeout(r, 100));
  return document.querySelector('#status').dataset.state;
}"""


def test_the_figure_and_a_typed_landscape_work_under_the_pages_content_security_policy(browser, playground_url):
    """The other tests bypass the policy (Playwright's polling needs eval); here the page
    runs under tools/serve.py's real one: the blob: preview, the second worker, micropip."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        violations = []
        page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
        page.goto(playground_url + "#landscape=bowl")
        assert page.evaluate(WAIT_READY) == "ready"
        page.click("#takeaway .tk-figure")
        page.evaluate("window.__playground.takeaway.settled()")
        assert page.evaluate("window.__playground.takeaway.summary().state") == "done"
        width = page.evaluate("async () => { const img = document.querySelector('#takeaway .tk-image');"
                              " await img.decode(); return img.naturalWidth; }")
        assert width == 1200
        page.select_option("#landscape", "custom")
        page.evaluate("async () => { await new Promise((r) => setTimeout(r, 50));"
                      " await window.__playground.expression.settled(); await window.__playground.idle(); }")
        assert page.evaluate("window.__playground.state().landscape") == "custom"
        assert violations == []
    finally:
        context.close()
