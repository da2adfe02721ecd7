"""Issue 10, the learning-rate Sweep panel (static/panels/sweep.js) in Chromium.

The bands the page states are checked against ``optimizers.sweep`` run here under
CPython with the page's arguments; the chart's pixels, a click and the keyboard on it,
the URL fields ``sweep`` and ``sweepsteps``, a worker error and the layout at every
screen size of test_layout.py are checked on the real page.
"""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qs

import pytest
from playground_page import Playground, parse_number
from test_layout import PARTS, VIEWPORTS, overlap

import landscapes
import optimizers

SIX = ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"]
LABELS = {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov", "rmsprop": "RMSProp", "adam": "Adam",
          "adamw": "AdamW"}
SETTLED = "window.__playground.sweep.settled()"
NOT_FINITE = re.compile(r"NaN|Infinity|undefined|null")


def settled(pg: Playground) -> dict:
    """Waits for the sweep to be drawn (or to fail) and returns what it shows."""
    pg.page.wait_for_function("window.__playground && window.__playground.sweep", timeout=30_000)
    pg.page.evaluate(SETTLED)
    pg.next_frames(2)
    return pg.page.evaluate("window.__playground.sweep.summary()")


def hash_params(pg: Playground) -> dict:
    return {k: v[0] for k, v in parse_qs(pg.page.evaluate("location.hash.slice(1)")).items()}


def python_sweep(land_key: str, steps: int, keys=SIX, lrs=None):
    """The sweep the page should show, by the Python API: the balls' hyperparameters at
    the landscape's default lr and β (lr aside), from its start, without noise; at the
    64 log-spaced lrs, or at ``lrs`` (the page's own, to the bit)."""
    land = landscapes.get(land_key)
    settings = {}
    for key in keys:
        name, hp = optimizers.page_hyperparameters(key, land.default_lr, land.default_beta)
        assert name == key, (key, name)
        settings[key] = {k: v for k, v in hp.items() if k != "lr"}
    grid = {"points": 64} if lrs is None else {"lrs": lrs}
    return optimizers.sweep(keys, land, land.start, **grid, steps=steps, threshold=1e-3, settings=settings)


def caption_bands(caption: str) -> dict:
    """{label: (lo, hi) | None} as the caption states them ("SGD converges for lr 0.06–0.2;
    Adam for 0.003–1", "X for 0.1 only", "X for none of …")."""
    bands = {}
    for part in caption.split(" (f − f*")[0].split("; "):
        m = re.fullmatch(r"(\S+)(?: converges)? for (?:lr )?(?:(\S+)–(\S+)|(\S+) only|no lr in .*|none of .*)", part)
        assert m, f"caption part not understood: {part!r} in {caption!r}"
        name, lo, hi, only = m.groups()
        if only:
            lo = hi = only
        bands[name] = None if lo is None else (parse_number(lo), parse_number(hi))
    return bands


def colour_pixels(pg: Playground, hex_colour: str, box=None, tol: int = 30) -> int:
    """Pixels of the sweep's canvas within `tol` of a colour, optionally in box = (x0, y0,
    x1, y1) in device pixels."""
    return pg.page.evaluate(
        """([hex, box, tol]) => {
            const u = window.__playground.sweep.uplot;
            const c = u.ctx.canvas;
            const [x0, y0, x1, y1] = box ?? [0, 0, c.width, c.height];
            const d = u.ctx.getImageData(0, 0, c.width, c.height).data;
            const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
            let n = 0;
            for (let y = Math.max(0, Math.floor(y0)); y < Math.min(c.height, Math.ceil(y1)); y++) {
                for (let x = Math.max(0, Math.floor(x0)); x < Math.min(c.width, Math.ceil(x1)); x++) {
                    const i = 4 * (y * c.width + x);
                    if (d[i + 3] > 150 && want.every((v, k) => Math.abs(d[i + k] - v) <= tol)) n++;
                }
            }
            return n;
        }""", [hex_colour, box, tol])


def colour_of(pg: Playground, key: str) -> str:
    return pg.page.evaluate("(key) => window.__playground.sweep.uplot.series.find((s) => s.label === key)?.stroke()",
                            LABELS[key])


def test_the_ravine_sweep_states_the_bands_python_finds_and_draws_them(open_playground):
    pg = open_playground("landscape=ravine&sweep=1")
    shown = settled(pg)
    assert shown["state"] == "done", shown
    # N defaults to the landscape's own step count, the one its notes describe (1,500 here),
    # so that the Sweep shows the band the notes state.
    assert shown["landscape"] == "ravine" and shown["steps"] == 1500 and len(shown["lrs"]) == 64

    assert shown["lrs"] == pytest.approx(list(python_sweep("ravine", 10).lrs), rel=1e-12)
    # geomspace goes through log and pow, whose last bit may differ between the browser's
    # libm and CPython's, and the ravine's ricochets are chaotic (a 1-ulp change of lr can
    # change when a bouncing run first dips below the threshold): so the expected table is
    # Python's at the page's own lrs.
    expected = python_sweep("ravine", 1500, lrs=shown["lrs"])
    assert [r["key"] for r in shown["rows"]] == SIX
    bands = caption_bands(shown["caption"])
    assert list(bands) == [LABELS[k] for k in SIX], shown["caption"]
    for row, want in zip(shown["rows"], expected.rows):
        key = row["key"]
        assert row["diverged"] == [int(v) for v in want["diverged"]], f"{key}: diverged runs differ from Python's"
        assert row["reached"] == [int(v) for v in want["reached"]], f"{key}: steps to the threshold differ from Python's"
        stated = bands[LABELS[key]]
        if want["band"] is None:
            assert stated is None, (key, stated)
            continue
        # The caption prints 3 significant digits; each lr of the grid is 11.6% from the next.
        assert stated == pytest.approx(want["band"], rel=5e-3), (key, stated, want["band"])
    # The ravine's lesson: SGD's band is narrow, Adam's wide; its V-shaped walls throw no run out.
    sgd, adam = (next(r for r in expected.rows if r["key"] == k) for k in ("sgd", "adam"))
    assert adam["band"][1] / adam["band"][0] > 20 * (sgd["band"][1] / sgd["band"][0])
    assert all((r["diverged"] < 0).all() for r in expected.rows)

    # The chart: every line in its colour.
    for key in SIX:
        assert colour_pixels(pg, colour_of(pg, key)) >= 40, f"{key}'s line or band is not drawn"
    text = pg.text("#sweep")
    assert not NOT_FINITE.search(text), text
    assert "Sweeping" not in text and "6 optimizers × 64 lrs × 1500 steps on Ravine" in text
    label = pg.page.get_attribute("#sweep .u-over", "aria-label")
    assert "SGD converges for lr" in label and pg.page.locator("#sweep table tr").count() == 7
    assert pg.errors == []


def test_diverged_runs_are_marked_with_a_cross_on_the_top_edge(open_playground):
    # On the bowl (curvature 4) Nesterov's look-ahead is unstable above lr = 1.36/4 = 0.34:
    # the top few lrs of its sweep diverge (the ravine, whose walls are V-shaped, has none).
    pg = open_playground("landscape=bowl&sweep=1")
    shown = settled(pg)
    assert shown["state"] == "done", shown
    row = next(r for r in shown["rows"] if r["key"] == "nesterov")
    first = next(i for i, d in enumerate(row["diverged"]) if d >= 0)
    assert shown["lrs"][first] > 0.34
    u = pg.page.evaluate("(() => { const u = window.__playground.sweep.uplot;"
                         " return {bbox: u.bbox, dpr: devicePixelRatio}; })()")
    x = pg.page.evaluate("(lr) => window.__playground.sweep.uplot.valToPos(lr, 'x', true)", shown["lrs"][first])
    # Its row of the top strip: rows of 6 CSS px below a 2 px margin, in legend order.
    lane = SIX.index("nesterov")
    top = u["bbox"]["top"] + (2 + 6 * lane) * u["dpr"]
    box = (x - 5 * u["dpr"], top, x + 5 * u["dpr"], top + 6 * u["dpr"])
    assert colour_pixels(pg, colour_of(pg, "nesterov"), box) >= 4, "no × marks Nesterov's first diverged lr at the top edge"
    assert pg.errors == []


def test_a_click_on_the_chart_sets_the_lr_and_restarts_the_balls(open_playground):
    pg = open_playground("landscape=ravine&sweep=1")
    lrs = settled(pg)["lrs"]
    pg.pause()
    pg.page.click("#reset")
    pg.idle()
    pg.step(3)
    assert pg.snapshot()["step"] == 3
    pg.page.locator("#sweep .u-over").scroll_into_view_if_needed()
    box = pg.page.locator("#sweep .u-over").bounding_box()
    x = pg.page.evaluate("window.__playground.sweep.uplot.valToPos(0.02, 'x')")
    pg.page.mouse.click(box["x"] + x, box["y"] + box["height"] / 2)
    pg.wait_for(lambda: pg.state()["lr"] != landscapes.get("ravine").default_lr, "the click to set the lr")
    pg.idle()
    lr = pg.state()["lr"]
    # The sweep's lr nearest to where we clicked (the one its hover line shows), rounded
    # as the slider rounds.
    nearest = min(lrs, key=lambda v: abs(math.log(v / 0.02)))
    assert lr == float(f"{nearest:.3g}"), (lr, nearest)
    assert hash_params(pg)["lr"] == str(lr)
    assert parse_number(pg.text("#lr-value")) == pytest.approx(lr, rel=5e-3)
    assert float(pg.page.input_value("#lr")) == pytest.approx(math.log10(lr), abs=0.006)
    assert pg.snapshot()["step"] == 0, "the balls did not restart"
    assert f"current lr {pg.text('#lr-value')}" in pg.text("#sweep .sw-key")
    assert pg.page.evaluate("window.__playground.sweep.summary().state") == "done"  # lr alone: no new sweep


def test_the_keyboard_picks_an_lr_of_the_sweep(open_playground):
    pg = open_playground("landscape=ravine&sweep=1")
    lrs = settled(pg)["lrs"]
    nearest = min(range(64), key=lambda i: abs(math.log(lrs[i] / landscapes.get("ravine").default_lr)))
    pg.page.focus("#sweep .u-over")
    pg.page.keyboard.press("ArrowLeft")
    pg.page.keyboard.press("ArrowLeft")
    hover = pg.text("#sweep .sw-hover")
    assert parse_number(hover.split(":")[0].removeprefix("lr ")) == pytest.approx(lrs[nearest - 2], rel=5e-3), hover
    assert "SGD" in hover and not NOT_FINITE.search(hover)
    pg.page.keyboard.press("Enter")
    want = float(f"{lrs[nearest - 2]:.3g}")
    pg.wait_for(lambda: pg.state()["lr"] == want, f"Enter to set lr {want}")


def test_a_hash_opens_the_sweep_with_its_step_count(open_playground):
    pg = open_playground("landscape=ravine&sweep=1&sweepsteps=300")
    shown = settled(pg)
    assert shown["steps"] == 300
    assert pg.page.input_value("#sweep-steps") == "300"
    assert pg.page.get_attribute("#sweep .sw-toggle", "aria-expanded") == "true"
    assert "× 300 steps" in shown["status"]
    params = hash_params(pg)
    assert params["sweep"] == "1" and params["sweepsteps"] == "300"
    expected = python_sweep("ravine", 300, lrs=shown["lrs"])
    assert caption_bands(shown["caption"])["SGD"] == (None if expected.rows[0]["band"] is None else
                                                      pytest.approx(expected.rows[0]["band"], rel=5e-3))
    pg.page.click("#sweep .sw-toggle")  # closing drops the panel from the URL
    pg.wait_for(lambda: "sweep" not in hash_params(pg), "sweep=1 to leave the URL")
    assert pg.page.is_hidden("#sweep .sw-body") and hash_params(pg)["sweepsteps"] == "300"


@pytest.mark.parametrize("value", ["abc", "20000", "12.5"])
def test_a_bad_sweepsteps_is_named_in_the_notice(open_playground, value):
    pg = open_playground(f"landscape=ravine&sweep=1&sweepsteps={value}")
    notice = pg.text("#notice-text")
    assert "sweepsteps" in notice and f'"{value}"' in notice, notice
    shown = settled(pg)
    assert shown["steps"] == 1500 and pg.page.input_value("#sweep-steps") == "1500"  # the ravine's own


def test_the_steps_input_reruns_and_refuses_what_is_not_a_count(open_playground):
    pg = open_playground("landscape=ravine&sweep=1")
    settled(pg)
    pg.page.fill("#sweep-steps", "5")
    pg.page.press("#sweep-steps", "Enter")
    problem = pg.text("#sweep .sw-problem")
    assert "10 … 5000" in problem and pg.page.get_attribute("#sweep-steps", "aria-invalid") == "true"
    assert pg.state()["sweepSteps"] is None  # still the landscape's own step count
    pg.page.fill("#sweep-steps", "200")
    pg.page.press("#sweep-steps", "Enter")
    pg.wait_for(lambda: pg.state()["sweepSteps"] == 200, "the new step count")
    shown = settled(pg)
    assert shown["steps"] == 200 and hash_params(pg)["sweepsteps"] == "200"
    assert pg.page.is_hidden("#sweep .sw-problem")
    # Another landscape re-runs the sweep there; another metric redraws without one.
    pg.select("#landscape", "bowl")
    pg.wait_for(lambda: pg.page.evaluate("window.__playground.sweep.summary().landscape") == "bowl", "a sweep on the bowl")
    shown = settled(pg)
    assert shown["lrs"][-1] == pytest.approx(landscapes.get("bowl").lr_range[1])
    pg.page.select_option("#sweep-metric", "reached")
    labels = pg.page.evaluate("window.__playground.sweep.uplot.axes.map((a) => a.label)")
    assert labels[1].startswith("steps to f − f*"), labels
    assert not NOT_FINITE.search(pg.text("#sweep"))


def test_a_hidden_optimizer_leaves_the_sweep(open_playground):
    pg = open_playground("landscape=ravine&sweep=1&show=sgd,adam,annealing")
    shown = settled(pg)
    assert [r["key"] for r in shown["rows"]] == ["sgd", "adam"]  # annealing takes no lr
    assert "2 optimizers × 64 lrs" in shown["status"]
    pg.page.evaluate("location.hash = location.hash.replace('show=sgd,adam,annealing', 'show=adam')")
    pg.wait_for(lambda: [r["key"] for r in pg.page.evaluate("window.__playground.sweep.summary()").get("rows", [])]
                == ["adam"], "a sweep of Adam alone")


def test_a_worker_error_is_shown_in_the_panel_and_the_page_goes_on(open_playground):
    pg = open_playground("landscape=ravine")
    pg.pause()
    # Every sweep request leaves the page with steps = 0, which app.py refuses.
    pg.page.evaluate("""() => {
        const worker = window.__pythonBoot.worker;
        const post = worker.postMessage.bind(worker);
        worker.postMessage = (msg, ...rest) => post(msg?.cmd === 'sweep' ? {...msg, args: {...msg.args, steps: 0}} : msg, ...rest);
    }""")
    pg.page.click("#sweep .sw-toggle")
    shown = settled(pg)
    assert shown["state"] == "error"
    assert shown["status"].startswith("Could not sweep: ") and "steps=0" in shown["status"], shown["status"]
    assert pg.page.is_hidden("#sweep .sw-chart")
    pg.step(2)  # the page goes on
    assert pg.errors == []


@pytest.mark.parametrize("name, viewport, touch", VIEWPORTS, ids=[v[0] for v in VIEWPORTS])
def test_the_open_sweep_fits_every_screen(browser, playground_url, name, viewport, touch):
    context = browser.new_context(viewport=viewport, has_touch=touch, is_mobile=touch and viewport["width"] < 500,
                                  bypass_csp=True)
    try:
        pg = Playground(context.new_page(), playground_url)
        pg.goto("landscape=ravine&sweep=1")
        pg.wait_ready()
        assert settled(pg)["state"] == "done"
        parts = {**PARTS, "sweep": "#sweep"}
        b = pg.page.evaluate(
            """(parts) => Object.fromEntries(Object.entries(parts).map(([name, sel]) => {
                const r = document.querySelector(sel).getBoundingClientRect();
                return [name, {x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height}];
            }))""", parts)
        for other in PARTS:
            assert not overlap(b["sweep"], b[other]), (name, other, b["sweep"], b[other])
        chart = pg.page.locator("#sweep .uplot").bounding_box()
        panel = b["sweep"]
        assert chart["width"] >= 200 and chart["x"] + chart["width"] <= panel["x"] + panel["w"] + 1, (chart, panel)
        assert pg.page.evaluate("document.documentElement.scrollWidth <= innerWidth + 1"), f"{name}: page scrolls sideways"
        nested = pg.page.evaluate(
            """() => [...document.querySelectorAll('#sweep *')].filter((e) => {
                const s = getComputedStyle(e);
                return /(auto|scroll)/.test(s.overflowY + s.overflowX)
                    && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1);
            }).map((e) => e.className)""")
        assert nested == [], (name, nested)
        assert pg.errors == []
    finally:
        context.close()


def test_the_open_sweep_has_no_accessibility_violations(open_playground):
    from test_a11y import violations

    pg = open_playground("landscape=ravine&sweep=1")
    assert settled(pg)["state"] == "done"
    found = violations(pg.page)
    assert found == [], "\n".join(map(str, found))
