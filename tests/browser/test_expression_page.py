"""Your own f(x, y) (issue 12), in Chromium: typed text becomes a landscape (sympy,
installed with micropip in the second worker on first use), hostile or bad text is
refused at its field and the previous landscape stays, undefined cells are drawn as
such and a ball stops there, and a shared link rebuilds the same landscape.

One page serves the tests that type (installing sympy costs seconds), in order.
"""

from __future__ import annotations

import urllib.parse

import pytest

from playground_page import Playground

HOSTILE = [
    ("__import__('os').system('window.hacked = 1')", "attribute access is not allowed"),
    ("x.__class__", "attribute access is not allowed"),
    ("(lambda: 1)()", "lambda is not allowed"),
    ("[x for x in y]", "comprehension is not allowed"),
    ("9**9**9", "exponent"),
    ("open('/etc/passwd')", "unknown name 'open'"),
    ("x +", "syntax error at column"),
    ("x" * 301, "300"),
    ("3 + 4", "constant"),
    ("zeta(x)", "allowed: x, y, pi, e"),  # an unknown name: the message lists the allowed ones
]


@pytest.fixture(scope="module")
def page(browser, playground_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    pg = Playground(context.new_page(), playground_url)
    pg.goto("landscape=bowl")
    pg.wait_ready()
    yield pg
    context.close()


def editor(pg) -> dict:
    pg.page.evaluate("window.__playground.expression.settled()")
    pg.idle()
    return pg.page.evaluate("window.__playground.expression.summary()")


def apply(pg, text, window=None):
    pg.page.fill("#ex-text", text)
    if window:
        for cls, value in zip(("xmin", "xmax", "ymin", "ymax"), window):
            pg.page.fill(f".ex-{cls}", str(value))
    pg.page.click(".ex-apply")
    pg.page.wait_for_timeout(50)
    return editor(pg)


def picture_signature(pg) -> str:
    return pg.canvas_data_url("base")[-2000:]


# Records every text (and progress value) an element shows, from now on, in window[name].
RECORD = """([selector, name, progress]) => {
    const el = document.querySelector(selector), bar = progress && document.querySelector(progress);
    const log = (window[name] = []);
    const note = () => log.push({text: el.textContent.trim(), state: el.dataset.state ?? null,
        fraction: bar && !bar.hidden ? bar.value : null, landscape: window.__playground?.state?.()?.landscape ?? null,
        controlsDisabled: document.querySelector('#landscape')?.disabled ?? null});
    new MutationObserver(note).observe(el, {subtree: true, childList: true, characterData: true, attributes: true});
    note();
}"""

# A link's page boots, starts the second Python and installs sympy before it is Ready: on a
# busy machine that is more than the boot's minute (a limit for a hang, not a speed test).
BUILD_TIMEOUT_MS = 180_000

# The stages of the first build, in order (each a fragment of the status text).
BUILD_STAGES = ["starting the second Python", "loading micropip", "installing sympy", "importing sympy",
                "deriving ∇f and the Hessian", "drawing"]


def stage_order(texts: list[str]) -> list[str]:
    """The BUILD_STAGES in the order they first appear in ``texts``."""
    first = {stage: next((i for i, t in enumerate(texts) if stage in t), None) for stage in BUILD_STAGES}
    return sorted((s for s in BUILD_STAGES if first[s] is not None), key=lambda s: first[s])


def test_choosing_your_own_f_installs_sympy_and_shows_it_with_its_gradient(page):
    assert page.page.evaluate("window.__playground.sideStarted()") is False  # not before it is needed
    page.page.evaluate(RECORD, [".ex-status", "__editorLog", ".ex-progress"])
    page.page.select_option("#landscape", "custom")
    summary = editor(page)
    log = page.page.evaluate("window.__editorLog")
    building = [entry for entry in log if entry["text"].startswith("Building your f(x, y): ")]
    assert stage_order([e["text"] for e in building]) == BUILD_STAGES, [e["text"] for e in log]
    fractions = [e["fraction"] for e in building if e["fraction"] is not None]
    assert len(fractions) >= len(BUILD_STAGES) and fractions == sorted(fractions), fractions
    state = page.state()
    assert state["landscape"] == "custom", summary
    assert summary["problems"] == {}
    f, fx, fy = summary["formula"]
    assert "sin(3*x)" in f and "cos(3*y)" in f  # the default example
    assert "0.2*x" in fx and "0.2*y" in fy
    assert page.text("#landscape option:checked") == "Your own f(x, y)"


def test_a_typed_formula_becomes_the_map_and_the_balls_run_on_it(page):
    summary = apply(page, "x**2 + 10*y**2", (-2, 2, -1, 1))
    assert summary["problems"] == {}, summary
    assert summary["formula"] == ["x**2 + 10*y**2", "2*x", "20*y"]
    state = page.state()
    assert state["custom"] == {"expression": "x**2 + 10*y**2", "domain": [-2, 2, -1, 1]}
    hash_ = urllib.parse.parse_qs(page.page.evaluate("location.hash.slice(1)"))
    assert hash_["landscape"] == ["custom"] and hash_["f"] == ["x**2 + 10*y**2"] and hash_["window"] == ["-2,2,-1,1"]
    before = page.snapshot()["step"]
    page.play()
    page.wait_for(lambda: page.snapshot()["step"] > before + 30, "the balls to run on the typed landscape")
    page.pause()
    legend = page.legend()
    assert legend["sgd"]["status"] in ("running", "converged")
    assert "NaN" not in page.page.inner_text("body")
    minima = page.page.evaluate("window.__playground.landscapeMeta().minima")
    assert [(m["x"], m["y"]) for m in minima] == [(0, 0)]  # found numerically, exactly here


@pytest.mark.parametrize("text, says", HOSTILE)
def test_hostile_or_bad_text_is_refused_at_the_field_and_the_landscape_stays(page, text, says):
    kept, picture, hash_ = page.state()["custom"], picture_signature(page), page.page.evaluate("location.hash")
    summary = apply(page, text)
    assert "expression" in summary["problems"], summary
    assert says in summary["problems"]["expression"], summary["problems"]
    assert page.page.get_attribute("#ex-text", "aria-invalid") == "true"
    assert page.state()["custom"] == kept
    assert page.page.evaluate("location.hash") == hash_
    assert picture_signature(page) == picture
    assert not page.page.evaluate("Boolean(window.hacked)")


def test_a_bad_window_is_refused_at_the_window(page):
    kept = page.state()["custom"]
    summary = apply(page, "x**2 + y**2", (1, 1, -1, 1))
    assert "domain" in summary["problems"], summary
    assert page.state()["custom"] == kept


def test_the_start_field_sets_the_balls_start_and_a_start_outside_is_refused_there(page):
    kept = page.state()["custom"]
    page.page.fill(".ex-sx", "5")
    page.page.fill(".ex-sy", "0")
    summary = apply(page, "x**2 + 3*y**2", (-2, 2, -2, 2))
    assert "outside the window" in summary["problems"].get("start", ""), summary
    assert page.page.get_attribute(".ex-sx", "aria-invalid") == "true"
    assert page.state()["custom"] == kept
    page.page.fill(".ex-sx", "1.5")
    page.page.fill(".ex-sy", "-1.25")
    summary = apply(page, "x**2 + 3*y**2", (-2, 2, -2, 2))
    assert summary["problems"] == {}, summary
    assert page.state()["start"] == [1.5, -1.25]
    assert page.snapshot()["positions"][0] == [1.5, -1.25]


def test_a_new_formula_gets_its_own_start_not_the_one_the_fields_kept_from_the_last(page):
    page.page.fill(".ex-sx", "")
    page.page.fill(".ex-sy", "")
    summary = apply(page, "x**2 + y**2", (-2, 2, -2, 2))
    assert summary["problems"] == {}, summary
    chosen = page.state()["start"]
    assert chosen[0] < 0  # the first default start, upper left: where log(x) is undefined
    assert page.page.input_value(".ex-sx") == str(chosen[0])  # the fields show the balls' start
    summary = apply(page, "log(x) + y**2", (-2, 2, -2, 2))  # the start fields left as they were
    assert summary["problems"] == {}, summary
    assert page.state()["custom"]["expression"] == "log(x) + y**2"
    assert page.state()["start"][0] > 0, "log(x) got a start of its own, where it is defined"
    # a start typed for the new formula is kept
    page.page.fill("#ex-text", "log(x) + 2*y**2")
    page.page.fill(".ex-sx", "1.5")
    page.page.fill(".ex-sy", "0.5")
    page.page.click(".ex-apply")
    assert editor(page)["problems"] == {}
    assert page.state()["start"] == [1.5, 0.5]


def test_undefined_cells_are_drawn_as_such_and_a_ball_that_enters_them_stops(page):
    summary = apply(page, "log(x) + y**2", (-1, 3, -2, 2))
    assert summary["problems"] == {}, summary
    assert "undefined on 25%" in summary["status"]
    # the grey stripes over x < 0: neither a colour of the scale nor transparent
    greys = set()
    for x in (-0.9, -0.7, -0.5, -0.3):
        px, py = page.page.evaluate("([x, y]) => window.__playground.toPixel(x, y)", [x, 0.3])
        r, g, b, a = page.canvas_pixel("base", px, py)
        assert a == 255 and max(r, g, b) - min(r, g, b) <= 16 and 25 <= r <= 70, (x, r, g, b, a)
        greys.add(r)
    px, py = page.page.evaluate("([x, y]) => window.__playground.toPixel(x, y)", [1.5, 0.3])
    r, g, b, a = page.canvas_pixel("base", px, py)
    assert max(r, g, b) - min(r, g, b) > 16, "where f is defined the map is coloured"
    page.play()
    page.wait_for(lambda: "diverged" in page.snapshot()["status"], "a ball to step into the undefined half", 30)
    page.pause()
    assert "NaN" not in page.page.inner_text("body")


def test_a_shared_link_rebuilds_the_same_landscape(page, browser, playground_url):
    page.pause()
    link = page.page.evaluate("location.hash")
    state = page.state()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    try:
        other = Playground(context.new_page(), playground_url)
        other.goto(link.lstrip("#"))
        other.wait_status_settled(BUILD_TIMEOUT_MS)  # Ready only once the link's f(x, y) is shown
        other.wait_ready()
        assert other.state()["landscape"] == "custom"
        assert other.state()["custom"] == state["custom"]
        assert other.state()["start"] == state["start"]
        assert other.page.evaluate("location.hash").startswith("#landscape=custom&f=")
        assert editor(other)["formula"] == editor(page)["formula"]
    finally:
        context.close()


def test_a_shared_link_says_it_is_building_the_function_until_it_is_shown_never_ready_before(browser, playground_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    context.add_init_script("document.addEventListener('DOMContentLoaded', () => (" + RECORD +
                            ")(['#status', '__statusLog', '#status-progress']))")
    try:
        pg = Playground(context.new_page(), playground_url)
        pg.goto("landscape=custom&f=" + urllib.parse.quote("x**2 + 5*y**2 + sin(x)") + "&window=-2,2,-2,2")
        pg.wait_status_settled(BUILD_TIMEOUT_MS)
        pg.wait_ready()
        assert pg.state()["landscape"] == "custom"
        log = pg.page.evaluate("window.__statusLog")
        up = [e for e in log if e["landscape"] is not None]  # the page is up: a landscape is shown
        before = [e for e in up if e["landscape"] != "custom"]
        assert before, "the Ravine it replaces was shown while the link's f(x, y) was built"
        assert all(e["state"] != "ready" for e in before), [e["text"] for e in before]
        building = [e for e in before if e["text"].startswith("Building your f(x, y)")]
        assert building, [e["text"] for e in before]
        since = before[before.index(building[0]):]
        assert since == building, "from the first stage on, the status names the build: " + repr([e["text"] for e in since])
        assert stage_order([e["text"] for e in building]) == BUILD_STAGES, [e["text"] for e in building]
        assert all(e["controlsDisabled"] for e in building), "the controls wait for the link's landscape"
        assert log[-1]["state"] == "ready" and "Ready" in log[-1]["text"] and log[-1]["landscape"] == "custom"
        assert not pg.page.is_disabled("#landscape")
    finally:
        context.close()


def test_a_hostile_link_shows_the_default_landscape_and_says_why(browser, playground_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    try:
        pg = Playground(context.new_page(), playground_url)
        pg.goto("landscape=custom&f=" + urllib.parse.quote("__import__('os').system('id')") + "&window=-1,1,-1,1")
        pg.wait_status_settled(BUILD_TIMEOUT_MS)  # the second Python boots and installs sympy to say so
        pg.wait_ready()
        summary = editor(pg)
        assert "attribute access is not allowed" in summary["problems"].get("expression", ""), summary
        assert pg.state()["landscape"] != "custom"
        assert not pg.page.evaluate("Boolean(window.hacked)")
    finally:
        context.close()


def test_copy_as_python_of_a_typed_landscape_runs_in_cpython(page, tmp_path):
    import os
    import re
    import subprocess
    import sys
    from pathlib import Path

    apply(page, "(x - 1)**2 + 3*(y + 0.5)**2 + sin(2*x)", (-3, 3, -3, 3))
    page.pause()
    page.step(5)
    page.page.click("#takeaway .tk-copy")
    page.page.evaluate("window.__playground.takeaway.settled()")
    script = page.page.evaluate("window.__playground.takeaway.summary().script")
    assert "landscapes.from_expression('(x - 1)**2 + 3*(y + 0.5)**2 + sin(2*x)'" in script
    (tmp_path / "scene.py").write_text(script)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, "scene.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    outcome = re.compile(r"^.+?: \(.+\)  loss \S+$")
    printed = sorted(line for line in run.stdout.splitlines() if outcome.match(line))
    rows = page.page.evaluate("""() => [...document.querySelectorAll('#legend tbody tr')]
        .filter((tr) => !tr.classList.contains('dimmed'))
        .map((tr) => `${tr.querySelector('th').textContent.trim()}: ${tr.querySelector('td[data-field=where]').textContent.trim()}`
                   + `  loss ${tr.querySelector('td[data-field=loss]').textContent.trim()}`)""")
    assert printed == sorted(rows) and len(rows) == 6


@pytest.mark.parametrize("fault, says", [
    ("missing", "HTTP 404: the file is missing"),
    ("tampered", "failed its check: sha256"),
])
def test_sympy_that_cannot_be_installed_is_named_and_the_page_keeps_working(browser, playground_url, fault, says):
    import re

    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    if fault == "missing":
        context.route(re.compile(r".*/pyodide/pypi/sympy-.*\.whl$"), lambda route: route.fulfill(status=404, body="gone"))
    else:
        context.route(re.compile(r".*/pyodide/pypi/sympy-.*\.whl$"),
                      lambda route: route.fulfill(status=200, body=b"not the published wheel"))
    try:
        pg = Playground(context.new_page(), playground_url)
        pg.goto("landscape=ravine")
        pg.wait_ready()
        pg.page.select_option("#landscape", "custom")
        summary = editor(pg)
        problem = summary["problems"].get("expression", "")
        assert "Could not load sympy" in problem and says in problem, summary
        assert pg.state()["landscape"] == "ravine"
        pg.page.select_option("#landscape", "bowl")  # the rest of the page works on
        pg.wait_for(lambda: pg.state()["landscape"] == "bowl", "the switch to the bowl")
    finally:
        context.close()
