"""Issue 7 on the page: the loss chart, the escape methods, the outcome table (basin per
ball), edge markers for balls that left, each landscape's own notes, the update rule."""

from __future__ import annotations

import re
from pathlib import Path

import landscapes
import optimizers


def page_colour(key: str) -> tuple[int, int, int]:
    """An optimizer's colour as static/config.js (OPTIMIZER_COLORS) sets it."""
    config = (Path(__file__).resolve().parents[2] / "static" / "config.js").read_text()
    hex_colour = re.search(rf'^\s*{key}:\s*"#([0-9a-fA-F]{{6}})"', config, re.M).group(1)
    return tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))


def colour_pixels_on_border(pg, rgb, band: int = 14) -> int:
    """Top-layer pixels close to `rgb` within `band` CSS px inside the plot's border."""
    return pg.page.evaluate(
        """([rgb, band]) => {
            const c = document.querySelector('#layer-top');
            const dpr = c.width / c.clientWidth;
            const r = window.__playground.plotRect();
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let y = Math.round(r.y * dpr); y < (r.y + r.h) * dpr; y++) {
                for (let x = Math.round(r.x * dpr); x < (r.x + r.w) * dpr; x++) {
                    const inside = x > (r.x + band) * dpr && x < (r.x + r.w - band) * dpr
                        && y > (r.y + band) * dpr && y < (r.y + r.h - band) * dpr;
                    if (inside) continue;
                    const i = 4 * (y * c.width + x);
                    if (d[i + 3] > 200 && Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]) < 40) n++;
                }
            }
            return n;
        }""", [rgb, band])


def test_the_loss_chart_follows_the_run_and_resets_with_it(playground):
    pg = playground
    before = pg.page.evaluate("window.__playground.history()")
    assert before["length"] == 1
    pg.step(12)
    pg.wait_for(lambda: pg.page.evaluate("window.__playground.history()")["length"] == 13, "13 points")
    pg.page.wait_for_timeout(300)
    # uPlot drew lines in the optimizers' colours: Adam's is on the chart's canvas.
    purple = pg.page.evaluate(
        """(rgb) => { const c = document.querySelector('#loss-chart canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
            for (let i = 0; i < d.length; i += 4)
                n += Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]) < 60;
            return n; }""", list(page_colour("adam")))
    assert purple > 10, "no line in Adam's colour on the loss chart"
    pg.page.click("#reset")
    pg.idle()
    after = pg.page.evaluate("window.__playground.history()")
    assert after["length"] == 1 and after["generation"] > before["generation"]
    assert "NaN" not in pg.text("#loss-chart")


def test_the_escape_methods_are_balls_shown_on_their_own_or_with_all(open_playground):
    pg = open_playground("landscape=wells&show=escape")
    pg.pause()
    assert pg.drawn_keys() == list(optimizers.ESCAPE_METHODS) and len(optimizers.ESCAPE_METHODS) == 2
    pg.select("#show", "all")
    assert pg.drawn_keys() == optimizers.names()
    pg.select("#show", "gradient")
    assert pg.drawn_keys() == list(optimizers.GRADIENT_METHODS)
    labels = pg.page.eval_on_selector_all("#legend tbody th", "els => els.map((e) => e.textContent)")
    assert labels == [optimizers.label(k) for k in optimizers.names()]


def test_the_outcome_table_names_the_basin_each_ball_ended_in(open_playground):
    land = landscapes.get("bumpy")
    pg = open_playground(f"landscape=bumpy&speed=50&show=all")
    pg.wait_for(lambda: pg.snapshot()["step"] >= land.steps, f"{land.steps} steps", timeout=60)
    pg.pause()
    legend = pg.legend()
    snap = pg.snapshot()
    names = {legend[k]["basin"] for k in optimizers.GRADIENT_METHODS}
    assert len(names - {"—"}) >= 2, f"the gradient methods should end in different basins: {legend}"
    for key, basin in zip(snap["keys"], snap["basin"]):
        assert legend[key]["basin"] == basin
        x, y = snap["positions"][snap["keys"].index(key)]
        assert basin == (landscapes.basin_name(land, x, y) or "—")


def test_a_diverged_ball_is_marked_on_the_edge_with_its_step(open_playground):
    # The bowl, not the ravine: the ravine's V-shaped walls throw no SGD ball out.
    pg = open_playground("landscape=bowl&lr=1&show=sgd&speed=5")
    pg.wait_for(lambda: pg.snapshot()["status"][0] == "diverged", "SGD to diverge at lr = 1")
    pg.pause()
    snap = pg.snapshot()
    assert snap["divergedStep"][0] > 0
    pg.next_frames(3)
    # The arrowhead and its label ("SGD diverged at step N") in SGD's colour, by the border.
    assert colour_pixels_on_border(pg, page_colour("sgd"), band=40) > 60, "no SGD-coloured marker on the plot's edge"


def test_each_landscape_shows_its_own_notes(playground):
    pg = playground
    seen = set()
    for key in ("ravine", "saddle", "rastrigin", "regression"):
        land = landscapes.get(key)
        pg.select("#landscape", key)
        items = pg.page.eval_on_selector_all("#look-list li", "els => els.map((e) => e.textContent)")
        assert items[: len(land.notes)] == list(land.notes)
        assert land.description in pg.text("#description")
        seen.add(tuple(items))
    assert len(seen) == 4


def test_the_update_rule_of_a_hovered_optimizer_shows_its_settings(playground):
    pg = playground
    assert pg.page.is_hidden("#rule")
    pg.page.hover("#legend tbody tr[data-key='adam']")
    pg.wait_for(lambda: pg.page.is_visible("#rule"), "the rule to show")
    lr = pg.state()["lr"]
    text = pg.text("#rule-text")
    assert str(lr) in text and "0.999" in text, text
    pg.select("#show", "momentum")
    pg.page.mouse.move(5, 5)
    pg.wait_for(lambda: "Momentum" in pg.text("#rule-title"), "Momentum's rule while it is shown alone")


def test_the_notes_say_which_settings_they_describe_and_restore_them(playground):
    pg = playground
    land = landscapes.get("ravine")
    about = pg.text("#notes-about")
    assert "learning rate 0.065" in about and "β = 0.9" in about and "start (-2, 4)" in about.replace("−", "-"), about
    assert f"{land.steps:,} steps" in about and "σ = 0" in about, about
    assert pg.page.is_hidden("#notes-changed"), "at the defaults there is nothing to warn about"
    pg.press("#lr", "ArrowRight")  # the keyboard's next 1-2-5 value: 0.1
    pg.wait_for(lambda: pg.state()["lr"] != land.default_lr, "the lr to change")
    pg.wait_for(lambda: pg.page.is_visible("#notes-changed"), "the warning to show")
    warning = pg.text("#notes-changed")
    assert "you changed the learning rate." in warning and "the start" not in warning, warning
    pg.page.focus("#plot")  # the map's keyboard cursor starts at the start; Shift+Enter moves the start there
    pg.page.keyboard.press("ArrowDown")
    pg.page.keyboard.press("Shift+Enter")
    pg.wait_for(lambda: "and the start" in pg.text("#notes-changed"), "the warning to name the start too")
    pg.page.click("#notes-restore")
    pg.idle()
    pg.wait_for(lambda: pg.page.is_hidden("#notes-changed"), "Restore defaults to hide the warning")
    state = pg.state()
    assert (state["lr"], state["beta"], state["start"], state["noise"]) == (land.default_lr, land.default_beta,
                                                                            list(land.start), 0)
    assert not state["settings"]
    assert "NaN" not in pg.text("#notes")
