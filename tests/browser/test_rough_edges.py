"""Rough edges of the page: the gradient field after a colour change, the noise slider's
scale, the labels of balls that left the view, numbers below what the view resolves,
the Sweep's hover and click, the settings' error messages, and plain words (the Arrows
key, the noise, "Tap" on a phone)."""

from __future__ import annotations

import landscapes
import optimizers
import pytest
from playground_page import Playground, parse_number
from test_compare_page import fresh, open_settings, url_hash
from test_loss_chart import demo_url, open_demo  # noqa: F401  (fixtures: the chart's demo page)
from test_sweep_page import settled

from scenes.format import fmt

RAVINE = landscapes.get("ravine")


# ----------------------------------------------------------------------------- the field

def field_ink(pg) -> int:
    """Opaque pixels of the gradient field's layer."""
    return pg.page.evaluate("""() => { const c = document.querySelector('#layer-field');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }""")


def test_the_gradient_field_stays_after_a_colour_map_change(open_playground):
    pg = open_playground("field=1")
    pg.wait_for(lambda: pg.page.evaluate("window.__playground.hasField()"), "the field to arrive")
    pg.next_frames(2)
    before = field_ink(pg)
    assert before > 500, before
    options = pg.page.eval_on_selector_all("#colormap option", "els => els.map(e => e.value)")
    pg.select("#colormap", next(o for o in options if o != pg.state()["colormap"]))
    pg.next_frames(3)
    assert pg.page.is_checked("#field") and "field=1" in url_hash(pg)
    assert pg.page.evaluate("window.__playground.hasField()"), "the colour change dropped the field"
    assert field_ink(pg) == before, "the field's arrows are not drawn after the colour change"
    assert pg.errors == []


# ----------------------------------------------------------------------------- the noise slider

def noise_keys(pg, key: str, times: int = 1) -> float:
    pg.press("#noise", key, times)
    return pg.state()["noise"]


def test_the_noise_slider_is_a_log_scale_from_0_01_to_100_with_0_at_the_left(playground):
    pg = playground
    assert noise_keys(pg, "Home") == 0 and pg.text("#noise-value") == "0"
    assert noise_keys(pg, "ArrowRight") == 0.01 and pg.text("#noise-value") == "0.01"
    assert noise_keys(pg, "ArrowRight", 10) == 0.1  # ten stops a decade
    assert noise_keys(pg, "ArrowRight", 10) == 1
    assert pg.page.get_attribute("#noise", "aria-valuetext") == "gradient noise sigma 1"
    assert noise_keys(pg, "ArrowRight", 10) == 10
    assert noise_keys(pg, "End") == 100 and pg.text("#noise-value") == "100"
    # Each of the four decades takes a quarter of the track: σ = 1 sits in its middle.
    span = float(pg.page.get_attribute("#noise", "max")) - float(pg.page.get_attribute("#noise", "min"))
    noise_keys(pg, "Home")
    noise_keys(pg, "ArrowRight", 21)
    assert pg.state()["noise"] == 1 and float(pg.page.input_value("#noise")) / span == pytest.approx(0.5, abs=0.02)
    assert "noise=1" in url_hash(pg)


def test_the_middle_of_the_noise_track_does_not_blow_up_sgd_or_momentum(playground):
    """The old squared scale put σ = 25 at mid-track: SGD, Momentum and Nesterov diverged
    on the ravine within a few steps."""
    pg = playground
    pg.page.evaluate("""() => { const s = document.querySelector('#noise');
        s.value = String((Number(s.min) + Number(s.max)) / 2); s.dispatchEvent(new Event('input', {bubbles: true})); }""")
    pg.idle()
    sigma = pg.state()["noise"]
    assert 0.5 <= sigma <= 2, sigma
    pg.step(30)
    snap = pg.snapshot()
    status = dict(zip(snap["keys"], snap["status"]))
    assert status["sgd"] != "diverged" and status["momentum"] != "diverged", (sigma, status)
    # The page's SGD is the library's at that σ (seed 0), still inside the window.
    lr, start = pg.state()["lr"], pg.state()["start"]
    expected = optimizers.trajectory("sgd", RAVINE, start, 30, lr=lr, noise=sigma, noise_seed=0)[-1]
    x, y = snap["positions"][snap["keys"].index("sgd")]
    assert (x, y) == pytest.approx(tuple(expected), rel=1e-12)
    xmin, xmax, ymin, ymax = RAVINE.domain
    assert xmin <= x <= xmax and ymin <= y <= ymax, (x, y)


@pytest.mark.parametrize("sigma", ["25", "0.3", "0.5", "100"])
def test_old_noise_links_keep_their_sigma(open_playground, sigma):
    pg = open_playground(f"noise={sigma}")
    assert pg.state()["noise"] == float(sigma)
    assert pg.text("#noise-value") == sigma
    assert pg.page.is_hidden("#notice")
    assert f"noise={sigma}" in url_hash(pg)


# ----------------------------------------------------------------------------- edge labels

def boxes_overlap(a, b) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


def test_labels_of_balls_that_left_the_view_never_overlap(open_playground):
    # lr 1 on the bowl (curvature 4 across) sends SGD, random restarts (whose first descent
    # is SGD's), Momentum and Nesterov out of the view within a few steps: SGD's and the
    # restarts' by the same point of the bottom edge.
    pg = open_playground("landscape=bowl&lr=1&show=all")
    fresh(pg)
    pg.step(20)

    def labels():
        pg.next_frames(2)
        return pg.page.evaluate("window.__playground.edgeLabels()")

    pg.wait_for(lambda: len(labels()) >= 3, "three balls to leave the view")
    placed = labels()
    rect = pg.page.evaluate("window.__playground.plotRect()")
    for i, a in enumerate(placed):
        assert rect["x"] <= a["x"] and a["x"] + a["w"] <= rect["x"] + rect["w"], (a, rect)
        assert rect["y"] <= a["y"] and a["y"] + a["h"] <= rect["y"] + rect["h"], (a, rect)
        for b in placed[i + 1:]:
            assert not boxes_overlap(a, b), f"{a['text']!r} overlaps {b['text']!r}: {a} {b}"
    assert any(label["text"].startswith("SGD diverged at step") for label in placed), placed
    wanted = [{**label, **label["wanted"]} for label in placed]
    assert any(boxes_overlap(a, b) for i, a in enumerate(wanted) for b in wanted[i + 1:]), \
        "the balls left by different edges: this scene no longer shows labels competing for a place"


def test_edge_label_layout_stacks_labels_that_want_the_same_place(playground):
    placed = playground.page.evaluate("""async () => {
        const { placeLabels } = await import('/static/plot/edge-labels.js');
        const want = [0, 1, 2, 3, 4].map((i) => ({ text: 'L' + i, x: 300, y: 5, w: 120, h: 14 }));
        return placeLabels(want, { x: 0, y: 0, w: 400, h: 300 }); }""")
    assert [p["text"] for p in placed] == ["L0", "L1", "L2", "L3", "L4"]
    for i, a in enumerate(placed):
        assert 0 <= a["y"] and a["y"] + a["h"] <= 300 and 0 <= a["x"] and a["x"] + a["w"] <= 400, a
        for b in placed[i + 1:]:
            assert not boxes_overlap(a, b), (a, b)


# ----------------------------------------------------------------------------- numbers

def test_values_below_the_views_resolution_show_as_0(open_playground):
    """On the bowl RMSProp is at (−1e-17, 6e-27), loss 5e-35, after 200 steps: the table
    says (0, 0) and 0, the chart's legend "≤ 1e-12"; values above the resolution stay."""
    pg = open_playground("landscape=bowl&show=sgd,rmsprop&speed=50")
    fresh(pg)
    pg.frames(4)
    snap = pg.snapshot()
    assert snap["step"] == 200
    meta = landscapes.get("bowl")
    spans = (meta.domain[1] - meta.domain[0], meta.domain[3] - meta.domain[2])
    legend = pg.legend()
    i = snap["keys"].index("rmsprop")
    x, y = snap["positions"][i]
    assert 0 < max(abs(x), abs(y)) < 1e-9 * min(spans) and 0 < snap["loss"][i] < 1e-20, (x, y, snap["loss"][i])
    assert legend["rmsprop"]["where"] == "(0, 0)" and legend["rmsprop"]["loss"] == "0", legend["rmsprop"]
    assert pg.text("#loss-chart .lc-item[data-key=rmsprop] .lc-value") == "≤ 1e-12"
    # SGD: x is −8.8e-5 (shown), y is 8e-20 (below a billionth of the window: 0).
    j = snap["keys"].index("sgd")
    sx, sy = snap["positions"][j]
    assert abs(sx) > 1e-9 * spans[0] and 0 < abs(sy) < 1e-9 * spans[1], (sx, sy)
    assert legend["sgd"]["where"] == f"({fmt(sx)}, 0)", legend["sgd"]
    assert parse_number(legend["sgd"]["loss"]) == pytest.approx(snap["loss"][j], rel=5e-3)
    assert pg.errors == []


def test_the_resolution_rule_of_the_table_and_readout(open_demo):  # noqa: F811
    """static/resolution.js on the issue's numbers: the ravine's window is 4 × 6, its colour
    bar's largest tick 10 (the page itself needs no Pyodide for this)."""
    page = open_demo()
    shown = page.evaluate("""async () => {
        const { fmtPoint, fmtResolved, viewResolution } = await import('/static/resolution.js');
        const res = viewResolution({ domain: [-2.5, 1.5, -1, 5] }, { ticks: [{ value: 1e-4 }, { value: 10 }] });
        return [fmtPoint(2.11e-206, -1.99, res), fmtResolved(6.64e-203, res.loss), fmtPoint(3.9e-9, 5.9e-9, res),
                fmtPoint(1.2e-7, -4e-9, res), fmtResolved(2e-11, res.loss), fmtResolved(5e-12, res.loss),
                fmtResolved(-7e-12, res.loss), fmtPoint(NaN, 0, res)]; }""")
    # 1e-9 × 4 = 4e-9 on x, 6e-9 on y; 1e-12 × 10 = 1e-11 for the loss.
    assert shown == ["(0, -1.99)", "0", "(0, 0)", "(1.2e-7, 0)", "2e-11", "0", "0", "(—, 0)"], shown


def test_the_charts_legend_marks_a_floored_value(open_demo):  # noqa: F811
    page = open_demo("floor=0")
    page.evaluate("demo.append(1, [0, 1e-30, 5e-13, 2e-12, 1e-3, 4])")
    page.evaluate("demo.update()")
    values = page.eval_on_selector_all("#loss .lc-item .lc-value", "els => els.map(e => e.textContent)")
    assert values[:6] == ["≤ 1e-12", "≤ 1e-12", "≤ 1e-12", "2e-12", "0.001", "4"], values
    page = open_demo()  # no known minimum: the raw loss, never clamped
    page.evaluate("demo.append(1, [1e-30, 1, 1, 1, 1, 1])")
    page.evaluate("demo.update()")
    assert page.inner_text("#loss .lc-item .lc-value") == "1e-30"


# ----------------------------------------------------------------------------- the Sweep

def test_a_click_on_the_sweep_sets_the_lr_its_hover_shows(open_playground):
    pg = open_playground("landscape=ravine&sweep=1")
    lrs = settled(pg)["lrs"]
    over = pg.page.locator("#sweep .u-over")
    over.scroll_into_view_if_needed()
    box = over.bounding_box()
    # A third of the way (on the log axis) from one sweep lr to the next: not on a point.
    lo, hi = lrs[40], lrs[41]
    between = lo * (hi / lo) ** 0.35
    x = pg.page.evaluate("(v) => window.__playground.sweep.uplot.valToPos(v, 'x')", between)
    pg.page.mouse.move(box["x"] + x, box["y"] + box["height"] / 2)
    pg.wait_for(lambda: pg.text("#sweep .sw-hover").startswith("lr "), "the hover readout")
    shown = parse_number(pg.text("#sweep .sw-hover").split(":")[0].removeprefix("lr "))
    pg.page.mouse.click(box["x"] + x, box["y"] + box["height"] / 2)
    pg.wait_for(lambda: pg.state()["lr"] != landscapes.get("ravine").default_lr, "the click to set the lr")
    pg.idle()
    lr = pg.state()["lr"]
    assert lr == shown, f"the hover said lr {shown}, the click set {lr}"
    assert lr in {float(f"{v:.3g}") for v in lrs}, "the click set an lr the sweep did not run"
    assert pg.text("#lr-value") == fmt(lr)
    assert pg.errors == []


# ----------------------------------------------------------------------------- settings errors

def test_a_settings_error_names_the_parameter_once_and_clears_when_valid(open_playground):
    pg = open_playground("landscape=ravine")
    fresh(pg)
    panel = open_settings(pg, "SGD")
    field = panel.locator(".opt-field[data-param=weight_decay] input")
    error = panel.locator(".opt-field[data-param=weight_decay] .opt-error")
    field.fill("-1")
    field.press("Enter")
    pg.idle()
    pg.wait_for(lambda: error.is_visible(), "the refusal at the field")
    with pytest.raises(ValueError) as refused:
        optimizers.create("sgd", lr=0.01, weight_decay=-1)
    assert error.inner_text() == str(refused.value)
    assert error.inner_text().count("weight_decay") == 1, error.inner_text()
    # The field shows the value kept (0); typing that valid value again clears the error.
    assert field.input_value() == "0"
    field.fill("0")
    field.press("Enter")
    pg.idle()
    assert error.is_hidden() and field.get_attribute("aria-invalid") is None
    # Refused again, then a different valid value: cleared and applied.
    field.fill("-1")
    field.press("Enter")
    pg.idle()
    pg.wait_for(lambda: error.is_visible(), "the second refusal")
    field.fill("0.01")
    field.press("Enter")
    pg.idle()
    assert error.is_hidden() and pg.state()["settings"] == {"sgd": {"weight_decay": 0.01}}
    assert pg.errors == []


# ----------------------------------------------------------------------------- words

def test_the_arrows_key_and_the_noise_say_it_plainly_with_the_formula_on_request(playground):
    pg = playground
    pg.page.check("#arrows")
    pg.idle()
    key = pg.page.locator("#arrows-key")
    plain = key.evaluate("el => [...el.childNodes].filter((n) => n.nodeName !== 'DETAILS')"
                         ".map((n) => n.textContent).join(' ')")
    assert "square root" not in plain and "√" not in plain and "Kinds do not compare" not in plain, plain
    assert "Lengths compare" in plain and "points exactly" in plain, plain
    formula = key.locator("details")
    assert formula.locator("summary").inner_text() == "How long an arrow is drawn"
    assert "√" in formula.text_content() and not formula.evaluate("d => d.open")
    # The noise's hint is the summary of a <details> holding the formula.
    hint = pg.text("#noise-hint summary")
    assert "ξ" not in hint and "N(0, I)" not in hint and "random shake" in hint, hint
    details = pg.page.locator("details#noise-hint")
    assert "ξ ~ N(0, I)" in details.text_content() and not details.evaluate("d => d.open")
    assert pg.text("#noise-hint") == hint, "the formula shows only on request"
    noise_keys(pg, "End")
    note = pg.text("#noise-note")
    assert note.index("random shake") < note.index("ξ ~ N(0, I)"), "plain words first, the formula last"
    assert "seed 00" not in note and "Ruder 2016" in note


def test_on_a_phone_the_readout_says_tap_and_a_tap_reads_the_map(browser, playground_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                                  bypass_csp=True)
    try:
        pg = Playground(context.new_page(), playground_url)
        pg.goto("landscape=bowl")
        pg.wait_ready()
        assert pg.text("#readout").startswith("Tap the map to read x, y, f and ∇f"), pg.text("#readout")
        assert "Hover" not in pg.text("#readout")
        xmin, xmax, ymin, ymax = landscapes.get("bowl").domain
        pg.page.locator("#layer-top").scroll_into_view_if_needed()
        pg.page.touchscreen.tap(*pg.page_point(xmin + 0.3 * (xmax - xmin), ymin + 0.6 * (ymax - ymin)))
        pg.wait_for(lambda: pg.text("#readout").startswith("x = "), "the tap to read the map")
        pg.idle()
        pg.next_frames(3)  # a lifted finger's pointerleave has come and gone: the reading stays
        text = pg.text("#readout")
        assert text.startswith("x = ") and "f = " in text, text
        assert pg.errors == []
    finally:
        context.close()
