"""The loss chart (static/panels/loss-chart.js + static/model/loss-history.js) on a demo page.

tests/browser/fixtures/loss-chart-demo.html feeds the chart synthetic runs through
``window.demo`` (no Python, no Pyodide): these tests need Chromium only.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from playground_page import parse_number

from tools import browser as browser_tools

FIXTURES = Path(__file__).resolve().parent / "fixtures"
COLORS = {
    "sgd": "#ff8f1f", "momentum": "#ffe033", "nesterov": "#ff4f7b", "rmsprop": "#2fe0c4",
    "adam": "#b77dff", "adamw": "#a8f06c", "anneal": "#5fb4ff", "restarts": "#ff9ee0",
}
SIX = ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"]

# Pixels of the chart's canvas within `tol` (per channel) of each colour, optionally only
# in the plot area's x fraction [x0, x1]. Waits for uPlot's redraw (a microtask) first.
COUNT_COLOURS = """async ({ colors, tol = 28, x0 = 0, x1 = 1 }) => {
  await null;
  const u = demo.chart.uplot;
  const canvas = u.ctx.canvas;
  const { left, width } = u.bbox;
  const lo = Math.floor(left + x0 * width), hi = Math.ceil(left + x1 * width);
  const px = u.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const want = Object.entries(colors).map(([k, hex]) =>
    [k, parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)]);
  const counts = Object.fromEntries(want.map(([k]) => [k, 0]));
  for (let y = 0; y < canvas.height; y++) {
    for (let x = lo; x < hi; x++) {
      const i = 4 * (y * canvas.width + x);
      if (px[i + 3] < 200) continue;
      for (const [k, r, g, b] of want) {
        if (Math.abs(px[i] - r) <= tol && Math.abs(px[i + 1] - g) <= tol && Math.abs(px[i + 2] - b) <= tol) counts[k]++;
      }
    }
  }
  return counts;
}"""

# Everything the chart shows as text: its DOM and the axis labels uPlot draws on canvas.
SHOWN_TEXT = """() => {
  const u = demo.chart.uplot;
  const axes = u.axes.map((a) => (a._values || []).join(" ")).join(" | ");
  return document.querySelector("#loss").innerText + "\\n" + axes;
}"""


@pytest.fixture(scope="module")
def demo_url():
    server, url = browser_tools.start_server(extra_mounts={"/fixtures/": FIXTURES})
    yield url + "fixtures/loss-chart-demo.html"
    server.shutdown()
    server.server_close()


@pytest.fixture
def open_demo(browser, demo_url):
    context = browser.new_context(viewport={"width": 1000, "height": 700}, bypass_csp=True)  # for wait_for_function
    errors: list[str] = []

    def open_(query: str = ""):
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(f"{demo_url}?{query}")
        page.wait_for_selector("body[data-ready='1']", timeout=15_000)
        return page

    yield open_
    context.close()
    assert not errors, errors


def counts(page, keys=SIX, **region):
    return page.evaluate(COUNT_COLOURS, {"colors": {k: COLORS[k] for k in keys}, **region})


def readout(page) -> str:
    return page.inner_text("#loss .lc-readout")


def plot_point(page, fx: float, fy: float = 0.5) -> tuple[float, float]:
    """Page coordinates of a point at fractions (fx, fy) of the plot area."""
    box = page.evaluate("""() => { const r = demo.chart.uplot.over.getBoundingClientRect();
                                   return [r.left, r.top, r.width, r.height]; }""")
    return box[0] + fx * box[2], box[1] + fy * box[3]


def test_each_optimizer_is_drawn_in_its_colour_on_a_log_axis(open_demo):
    page = open_demo("steps=800&floor=-1.68")
    found = counts(page)
    assert all(n >= 40 for n in found.values()), found
    assert page.evaluate("demo.chart.uplot.scales.y.distr") == 3, "a known minimum gives a log y axis"
    labels = page.evaluate("demo.chart.uplot.axes.map((a) => a.label)")
    assert labels == ["step", "loss − f*"], labels
    assert "f* = -1.68" in page.inner_text("#loss .lc-scale")
    values = page.evaluate("demo.chart.uplot.axes[1]._values.filter(Boolean)")
    assert len(values) >= 3 and all(re.fullmatch(r"[125](e-?\d+)?|[125]0*|0\.0*[125]", v) for v in values), values


def test_hiding_a_series_removes_its_colour_and_readout(open_demo):
    page = open_demo("steps=800&floor=0")
    assert counts(page, ["adam"])["adam"] >= 40
    page.evaluate("(keys) => demo.update(keys)", [k for k in SIX if k != "adam"])
    after = counts(page)
    assert after["adam"] == 0, after
    assert all(after[k] >= 40 for k in SIX if k != "adam"), after
    names = page.eval_on_selector_all("#loss .lc-item:not([hidden]) .lc-name", "els => els.map(e => e.textContent)")
    assert names == ["SGD", "Momentum", "Nesterov", "RMSProp", "AdamW"], names
    assert page.is_hidden("#loss .lc-item[data-key=adam]")
    page.evaluate("demo.update('adam')")  # the page's show=adam
    only = counts(page)
    assert only["adam"] >= 40 and all(only[k] == 0 for k in SIX if k != "adam"), only
    page.evaluate("demo.update('all')")
    assert counts(page, ["adam"])["adam"] >= 40


def test_reset_clears_the_previous_run(open_demo):
    page = open_demo("steps=800&floor=0")
    generation = page.evaluate("demo.history.generation")
    assert all(n >= 40 for n in counts(page, x0=0.2).values())
    page.evaluate("demo.reset(0); demo.update()")
    assert page.evaluate("demo.history.generation") == generation + 1
    assert page.evaluate("demo.history.length") == 1
    assert counts(page, x0=0.2) == {k: 0 for k in SIX}, "lines of the previous run are still drawn"
    assert readout(page).startswith("latest, step 0")
    page.evaluate("demo.feed(50); demo.update()")
    assert all(n >= 20 for n in counts(page, x0=0.2).values())
    assert page.evaluate("demo.chart.uplot.scales.x.max") <= 60, "the x axis follows the new run"
    assert readout(page).startswith("latest, step 50")


def test_hover_reads_the_step_and_each_loss(open_demo):
    page = open_demo("steps=800&floor=-1.68")
    page.mouse.move(*plot_point(page, 0.5))
    page.wait_for_function("document.querySelector('#loss .lc-readout').classList.contains('lc-hovered')")
    text = readout(page)
    match = re.match(r"step (\d+) · loss − f\*", text)
    assert match, text
    step = int(match.group(1))
    assert 300 <= step <= 500, text
    expected = page.evaluate("""(step) => { const h = demo.history, i = h.steps.indexOf(step);
                                  return h.keys.map((_, k) => h.series(k)[i]); }""", step)
    shown = page.eval_on_selector_all("#loss .lc-item .lc-value", "els => els.map(e => e.textContent)")
    for key, want, got in zip(SIX, expected, shown):
        assert math.isclose(parse_number(got), want, rel_tol=6e-3), (key, got, want)
    page.mouse.move(5, 5)  # off the chart: back to the latest step
    page.wait_for_function("!document.querySelector('#loss .lc-readout').classList.contains('lc-hovered')")
    assert readout(page).startswith("latest, step 800")


BAD_RUNS = {
    # a known minimum, losses that are non-finite, below it and exactly at it
    "floor": ("-1.68", "[NaN, Infinity, -Infinity, -5, -1.68, 1e300]"),
    # minimum 0, a loss of exactly 0 (plotted at the 1e-12 floor of the log axis)
    "zero": ("0", "[0, 0, NaN, 1e-30, 2, -0]"),
    # no known minimum and losses ≤ 0: the linear axis
    "unknown": ("null", "[-3, 0, NaN, -Infinity, 1, -78.3]"),
    # nothing finite at all after the start
    "nan": ("null", "[NaN, NaN, NaN, NaN, NaN, NaN]"),
}


@pytest.mark.parametrize("case", sorted(BAD_RUNS))
def test_non_finite_and_non_positive_losses_never_show_nan(open_demo, case):
    floor, bad = BAD_RUNS[case]
    page = open_demo("steps=5")
    page.evaluate(f"""() => {{ const floor = {floor}, bad = {bad};
        demo.reset(floor, 0, bad);
        for (let s = 1; s <= 40; s++) demo.append(s, s % 3 ? bad : bad.map((v, i) => (Number.isFinite(v) ? v : i)));
        demo.update(); }}""")
    page.evaluate("() => new Promise(requestAnimationFrame)")
    data_ok = page.evaluate("""() => { const u = demo.chart.uplot, log = u.scales.y.distr === 3;
        return u.data.slice(1).every((ys) => ys.every((v) => v === null || (Number.isFinite(v) && (!log || v > 0)))); }""")
    assert data_ok, "uPlot was handed a non-finite value (or a value ≤ 0 on a log axis)"
    scale = page.evaluate("[demo.chart.uplot.scales.y.min, demo.chart.uplot.scales.y.max]")
    assert all(math.isfinite(v) for v in scale), scale
    for fx in (0.0, 0.33, 0.5, 0.9, 1.0):
        page.mouse.move(*plot_point(page, fx))
        text = page.evaluate(SHOWN_TEXT)
        assert "NaN" not in text and "Infinity" not in text and "undefined" not in text, text
    if case == "unknown":
        assert page.evaluate("demo.chart.uplot.scales.y.distr") == 1, "losses ≤ 0 without a minimum: linear axis"
        assert "linear" in page.inner_text("#loss .lc-scale")


def test_loss_history_keeps_memory_bounded_and_counts_changes(open_demo):
    page = open_demo()
    result = page.evaluate("""async () => {
        const { LossHistory } = await import("/static/model/loss-history.js");
        const h = new LossHistory(4000);
        h.reset(["a", "b"], 0, [5, 5], -1);
        const g = h.generation, v = h.version;
        for (let s = 1; s <= 20000; s++) h.append(s, [s === 10 ? -0.5 : 1 + 1 / s, NaN]);
        const steps = h.steps.slice();
        const out = {
          length: h.length, first: steps[0], last: steps.at(-1), appended: h.appended,
          increasing: steps.every((x, i) => i === 0 || x > steps[i - 1]),
          recentWhole: steps.slice(-1500).every((x, i, a) => i === 0 || x === a[i - 1] + 1),
          arraysAligned: h.data().every((a) => a.length === h.length),
          versions: h.version - v, generation: h.generation - g,
          best: h.best(0), bestB: h.best(1),
          plottedB: [...new Set(h.series(1))],
          plotMin: Math.min(...h.series(0)),
        };
        out.older = h.append(100, [0, 0]);
        const before = h.version;
        out.same = h.append(20000, [3, 4]);
        out.replaced = [h.length, h.loss(0, h.length - 1), h.series(1).at(-1), h.version - before];
        h.reset(["a"], 7, [2]);
        out.afterReset = [h.length, h.generation - g, h.lastStep, h.best(0)];
        return out;
    }""")
    assert 3000 <= result["length"] <= 4000, result
    assert result["first"] == 0 and result["last"] == 20000 and result["appended"] == 20001
    assert result["increasing"] and result["recentWhole"] and result["arraysAligned"]
    assert result["versions"] == 20000 and result["generation"] == 0
    assert result["best"] == {"step": 10, "loss": -0.5}, "the lowest loss must survive thinning"
    assert result["bestB"] == {"step": 0, "loss": 5}
    assert result["plottedB"] == [6, None], "5 − f* at the start, then non-finite losses are gaps"
    assert result["plotMin"] >= 1e-12
    assert result["older"] is False
    assert result["same"] is True and result["replaced"][1:] == [3, 5, 1]
    assert result["afterReset"] == [1, 1, 7, {"step": 7, "loss": 2}]


def test_resize_follows_the_container(open_demo):
    page = open_demo("steps=100")
    assert abs(page.evaluate("demo.chart.uplot.width") - page.evaluate("document.querySelector('#loss .lc-plot').clientWidth")) <= 1
    page.evaluate("document.querySelector('#loss').style.width = '480px'")
    page.wait_for_function("Math.abs(demo.chart.uplot.width - document.querySelector('#loss .lc-plot').clientWidth) <= 1")
    assert page.evaluate("demo.chart.uplot.width") < 480
    page.evaluate("demo.chart.destroy()")
    assert page.evaluate("document.querySelector('#loss').children.length") == 0


def test_a_redraw_draws_two_points_per_pixel_column_and_keeps_the_extremes(open_demo):
    """With 8 series × 4,000 points, uPlot is handed at most two points per pixel column of
    the plot area (min–max decimation), and the drawn lines still reach every series'
    lowest and highest value and end at its latest one; an unchanged history draws
    nothing. (Redraw cost is measured in ./dev bench, not timed here.)"""
    page = open_demo("series=8&floor=-1.68&capacity=4200")
    result = page.evaluate("""async () => {
        demo.feed(4100);
        await demo.updateAndDraw();
        const u = demo.chart.uplot;
        let draws = 0;
        u.hooks.draw = [...(u.hooks.draw || []), () => draws++];
        demo.feed(1);
        await demo.updateAndDraw();
        const afterChange = draws;
        await demo.updateAndDraw();
        const h = demo.history;
        const finite = (a) => a.filter((v) => v !== null);
        return {
            points: h.length, drawn: u.data[0].length, columns: u.bbox.width / devicePixelRatio,
            afterChange, afterNoChange: draws - afterChange,
            lastStep: [u.data[0].at(-1), h.lastStep],
            series: h.keys.map((_, k) => {
                const all = finite(h.series(k)), shown = finite(u.data[k + 1]);
                return { min: [Math.min(...shown), Math.min(...all)], max: [Math.max(...shown), Math.max(...all)],
                         last: [u.data[k + 1].at(-1), h.series(k).at(-1)] };
            }),
        };
    }""")
    assert result["points"] >= 4000
    assert result["drawn"] <= 2 * math.ceil(result["columns"]) + 1, result
    assert result["afterChange"] == 1 and result["afterNoChange"] == 0, result
    assert result["lastStep"][0] == result["lastStep"][1]
    for k, s in enumerate(result["series"]):
        assert s["min"][0] == s["min"][1] and s["max"][0] == s["max"][1], (k, s)
        assert s["last"][0] == s["last"][1], (k, s)
