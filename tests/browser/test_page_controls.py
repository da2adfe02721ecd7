"""Each control does what its label says, and the URL hash holds the scene."""

from __future__ import annotations

import landscapes
from playground_page import parse_number


def test_landscape_switch_redraws_the_heatmap_and_restarts_from_its_start(playground):
    pg = playground
    pg.step(3)
    before = pg.canvas_data_url("base")
    pg.select("#landscape", "bumpy")
    pg.next_frames(2)  # the new picture is painted in the animation frame after the reply
    bumpy = landscapes.get("bumpy")
    assert pg.canvas_data_url("base") != before, "the heatmap layer did not change"
    snap = pg.snapshot()
    assert snap["step"] == 0
    assert all(p == list(bumpy.start) for p in snap["positions"]), snap["positions"]
    state = pg.state()
    assert state["landscape"] == "bumpy" and state["lr"] == bumpy.default_lr
    assert pg.text("#lr-value") == "0.05"
    assert pg.text("#description") == f"{bumpy.label}. {bumpy.description}"
    assert "landscape=bumpy" in pg.page.url and "lr=0.05" in pg.page.url


def test_every_registered_landscape_is_offered_by_its_key_then_your_own(playground):
    values = playground.page.eval_on_selector_all("#landscape option", "els => els.map(e => e.value)")
    assert values == landscapes.names() + ["custom"]
    assert playground.text("#landscape option:last-child") == "Your own f(x, y)"


def test_learning_rate_change_restarts_the_run(open_playground):
    pg = open_playground("landscape=ravine&lr=0.01")
    pg.pause()
    pg.page.click("#reset")
    pg.idle()
    pg.step(4)
    assert pg.snapshot()["step"] == 4
    pg.press("#lr", "ArrowRight")  # one notch up the 1-2-5 sequence
    assert pg.state()["lr"] == 0.02
    assert pg.text("#lr-value") == "0.02"
    assert pg.snapshot()["step"] == 0, "changing lr should restart every ball"
    assert "lr=0.02" in pg.page.url
    assert pg.page.get_attribute("#lr", "aria-valuetext") == "learning rate 0.02"
    pg.press("#lr", "Shift+ArrowLeft", times=2)  # fine steps of 0.01 on the log scale (×1.023)
    assert 0.019 < pg.state()["lr"] < 0.02, pg.state()["lr"]
    pg.press("#lr", "ArrowLeft", times=3)  # 0.01, 0.005, 0.002
    assert pg.state()["lr"] == 0.002


def test_beta_zero_makes_momentum_and_nesterov_plain_sgd(playground):
    pg = playground
    pg.press("#beta", "Home")
    assert pg.state()["beta"] == 0 and pg.text("#beta-value") == "0"
    pg.step(5)
    snap = pg.snapshot()
    by_key = dict(zip(snap["keys"], snap["positions"]))
    assert by_key["momentum"] == by_key["sgd"] == by_key["nesterov"], by_key


def test_show_hides_every_other_optimizer(open_playground):
    pg = open_playground("landscape=bowl")  # SGD leaves the start ring quickly here
    pg.pause()
    pg.page.click("#reset")
    pg.idle()
    pg.step(30)
    pg.select("#show", "adam")
    assert pg.drawn_keys() == ["adam"]
    legend = pg.legend()
    assert [k for k, row in legend.items() if not row["dimmed"]] == ["adam"]
    # Nothing is drawn where SGD's ball is (unless Adam happens to be there too).
    snap = pg.snapshot()
    sgd, adam = (snap["positions"][snap["keys"].index(k)] for k in ("sgd", "adam"))
    px, py = pg.page.evaluate("([x, y]) => window.__playground.toPixel(x, y)", sgd)
    ax, ay = pg.page.evaluate("([x, y]) => window.__playground.toPixel(x, y)", adam)
    sx, sy = pg.page.evaluate("([x, y]) => window.__playground.toPixel(x, y)", pg.state()["start"])
    assert abs(px - sx) + abs(py - sy) > 30, "SGD should have left the start ring by now"
    if abs(px - ax) + abs(py - ay) > 20:
        assert pg.canvas_pixel("top", px, py)[3] == 0, "SGD's ball is still drawn"
    assert "show=adam" in pg.page.url
    pg.select("#show", "all")
    assert pg.drawn_keys() == snap["keys"]


def test_speed_changes_how_fast_not_where_the_balls_go(playground):
    pg = playground
    pg.press("#speed", "Home")
    assert pg.state()["speed"] == 1
    pg.frames(10)
    slow = pg.snapshot()
    pg.press("#speed", "ArrowRight", times=4)
    assert pg.state()["speed"] == 5 and pg.text("#speed-value") == "5"
    pg.page.click("#reset")
    pg.idle()
    assert pg.snapshot()["step"] == 0
    pg.frames(2)
    fast = pg.snapshot()
    assert slow["step"] == fast["step"] == 10
    assert fast["positions"] == slow["positions"]
    assert fast["loss"] == slow["loss"]


def test_step_takes_exactly_one_optimizer_step_and_pauses(open_playground):
    pg = open_playground()
    pg.page.click("#step")
    pg.idle()
    pg.wait_for(lambda: not pg.state()["playing"], "Step to pause the run")
    before = pg.snapshot()["step"]
    pg.step(1)
    assert pg.snapshot()["step"] == before + 1
    assert pg.text("#play") == "Play"


def test_reset_puts_every_ball_back_at_the_start(playground):
    pg = playground
    pg.step(10)
    pg.page.click("#reset")
    pg.idle()
    snap = pg.snapshot()
    start = pg.state()["start"]
    assert snap["step"] == 0 and all(p == start for p in snap["positions"])


def test_hash_sets_the_scene(open_playground):
    pg = open_playground("landscape=bowl&lr=0.02&beta=0.5&show=adam&speed=10")
    state = pg.state()
    assert (state["landscape"], state["lr"], state["beta"], state["show"], state["speed"]) == \
        ("bowl", 0.02, 0.5, "adam", 10)
    assert pg.page.input_value("#landscape") == "bowl"
    assert pg.text("#lr-value") == "0.02" and pg.text("#beta-value") == "0.5" and pg.text("#speed-value") == "10"
    assert pg.page.is_hidden("#notice")


def test_bad_hash_values_are_named_and_fall_back_field_by_field(open_playground):
    pg = open_playground("landscape=nowhere&lr=5&beta=0.5&speed=7&show=adamx")
    notice = pg.text("#notice")
    assert '"nowhere"' in notice and 'lr="5"' in notice and 'show="adamx"' in notice, notice
    state = pg.state()
    ravine = landscapes.get("ravine")
    assert state["landscape"] == "ravine" and state["lr"] == ravine.default_lr  # defaults
    assert state["beta"] == 0.5 and state["speed"] == 7 and state["show"] == "gradient"  # valid ones kept
    assert "landscape=ravine" in pg.page.url and f"lr={ravine.default_lr}" in pg.page.url
    assert pg.errors == []


def test_hash_with_non_numbers_never_reaches_the_page_as_nan(open_playground):
    pg = open_playground("lr=NaN&beta=Infinity&speed=1e400")
    notice = pg.text("#notice")
    assert "lr=" in notice and "beta=" in notice and "speed=" in notice, notice
    body = pg.page.inner_text("body")
    assert "NaN" not in body.replace("lr=\"NaN\"", "") and "Infinity" not in body.replace('beta="Infinity"', "")


def test_editing_the_hash_applies_it(playground):
    pg = playground
    pg.page.evaluate("location.hash = 'landscape=saddle&lr=0.1&beta=0.9&show=all&speed=4'")
    pg.wait_for(lambda: pg.state()["landscape"] == "saddle", "the hash change to apply")
    pg.idle()
    assert pg.state()["lr"] == 0.1 and pg.page.input_value("#landscape") == "saddle"


def test_colormap_choice_recolours_the_heatmap(playground):
    pg = playground
    options = pg.page.eval_on_selector_all("#colormap option", "els => els.map(e => e.value)")
    assert len(options) >= 2
    pg.step(3)
    before = pg.canvas_data_url("base")
    pg.select("#colormap", options[1])
    pg.next_frames(2)
    assert pg.canvas_data_url("base") != before
    assert f"cmap={options[1]}" in pg.page.url
    assert pg.snapshot()["step"] == 3, "recolouring must not restart the run"


def test_diverging_balls_say_so_and_no_nan_reaches_the_page(open_playground):
    # The bowl: at lr 1 SGD, Momentum and Nesterov diverge (the ravine's V-shaped walls throw none out).
    pg = open_playground("landscape=bowl&lr=1&beta=0.9&show=all&speed=20")
    pg.wait_for(lambda: "diverged" in pg.snapshot()["status"], "a ball to diverge at lr = 1")
    legend = pg.legend()
    diverged = [k for k, row in legend.items() if row["status"] == "diverged"]
    assert diverged, legend
    for row in legend.values():
        for field in ("loss", "best"):
            parse_number(row[field])  # a number or "—"
    body = pg.page.inner_text("body")
    assert "NaN" not in body and "Infinity" not in body
