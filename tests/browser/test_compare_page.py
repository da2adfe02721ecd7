"""Issue 10 on the page: legend toggles (any subset, hidden balls keep running), each
optimizer's own settings (by torch name, validated by Python, in the URL), gradient
noise σ, the state arrows, and the URL round trip of all of it."""

from __future__ import annotations

import math
from urllib.parse import unquote

import landscapes
import numpy as np
import optimizers
import pytest

RAVINE = landscapes.get("ravine")


def fresh(pg):
    """Paused at step 0."""
    pg.pause()
    pg.page.click("#reset")
    pg.idle()
    assert pg.snapshot()["step"] == 0


def url_hash(pg) -> str:
    return unquote(pg.page.url.split("#", 1)[1])


def toggle(pg, label: str) -> None:
    pg.page.get_by_role("checkbox", name=f"Show {label}", exact=True).click()
    pg.idle()


def position(snap, key):
    return snap["positions"][snap["keys"].index(key)]


# ----------------------------------------------------------------------------- toggles

def test_the_legend_lists_every_optimizer_with_a_toggle_and_a_settings_button(open_playground):
    pg = open_playground()
    keys = pg.page.eval_on_selector_all("#legend tbody tr", "els => els.map((e) => e.dataset.key)")
    assert keys == optimizers.names() and len(keys) == 16
    for key in optimizers.names():
        label = optimizers.label(key)
        box = pg.page.get_by_role("checkbox", name=f"Show {label}", exact=True)
        assert box.is_checked() == (key in optimizers.GRADIENT_METHODS), key
        assert pg.page.get_by_role("button", name=f"Settings for {label}", exact=True).count() == 1
    options = pg.page.eval_on_selector_all("#show option", "els => els.map((e) => e.value)")
    assert options[:5] == ["gradient", "escape", "more", "all", "custom"]
    assert options[5:] == optimizers.names()


def test_toggles_show_any_subset_and_a_hidden_ball_keeps_running(open_playground):
    pg = open_playground("landscape=ravine")
    fresh(pg)
    toggle(pg, "SGD")
    toggle(pg, "Adam")
    shown = ["momentum", "nesterov", "rmsprop", "adamw"]
    assert pg.state()["show"] == ",".join(shown)
    assert pg.drawn_keys() == shown
    assert pg.page.input_value("#show") == "custom"
    assert pg.page.eval_on_selector("#show", "s => s.selectedOptions[0].textContent") == "Custom selection"
    assert f"show={','.join(shown)}" in url_hash(pg)
    legend = pg.legend()
    assert [k for k, row in legend.items() if not row["dimmed"]] == shown
    # Hidden, SGD still runs: its step count and position advance.
    start = pg.state()["start"]
    pg.step(5)
    snap = pg.snapshot()
    assert snap["step"] == 5
    expected = optimizers.trajectory("sgd", RAVINE, start, 5, lr=pg.state()["lr"])[-1]
    np.testing.assert_allclose(position(snap, "sgd"), expected, rtol=1e-12)
    assert position(snap, "sgd") != start
    # Shown again: drawn at once, where it is now (no rerun).
    toggle(pg, "SGD")
    assert pg.drawn_keys() == ["sgd", *shown]
    assert pg.snapshot()["step"] == 5 and position(pg.snapshot(), "sgd") == position(snap, "sgd")
    # The Show select still picks groups and single optimizers, and the toggles follow.
    pg.select("#show", "more")
    assert pg.drawn_keys() == list(optimizers.MORE_METHODS)
    checked = pg.page.eval_on_selector_all(
        "#legend tbody tr", "els => els.filter((e) => e.querySelector('input').checked).map((e) => e.dataset.key)")
    assert checked == list(optimizers.MORE_METHODS)
    pg.select("#show", "lion")
    assert pg.drawn_keys() == ["lion"] and "show=lion" in url_hash(pg)
    # Every toggle off: nothing drawn, and the URL says so.
    toggle(pg, "Lion")
    assert pg.drawn_keys() == [] and "show=none" in url_hash(pg)
    assert pg.errors == []


# ----------------------------------------------------------------------------- settings

def open_settings(pg, label: str):
    pg.page.get_by_role("button", name=f"Settings for {label}", exact=True).click()
    panel = pg.page.locator("#optimizer-settings")
    assert panel.is_visible()
    return panel


def test_settings_panel_sets_adams_betas_the_url_keeps_them_and_a_reload_reproduces(open_playground):
    pg = open_playground("landscape=ravine")
    fresh(pg)
    pg.step(3)
    panel = open_settings(pg, "Adam")
    names = panel.locator(".opt-field").evaluate_all("els => els.map((e) => e.dataset.param)")
    assert names == [s["name"] for s in optimizers.hyperparameter_specs("adam")]
    betas = panel.locator(".opt-field[data-param=betas]")
    first, second = betas.locator("input.opt-number").all()
    beta = pg.state()["beta"]
    assert first.is_disabled() and first.input_value() == str(beta), "betas follow the β slider while shared"
    betas.locator(".opt-shared input").uncheck()
    pg.idle()
    assert not second.is_disabled()
    second.fill("0.99")
    second.press("Enter")
    pg.idle()
    assert pg.state()["settings"]["adam"]["betas"] == [beta, 0.99]
    assert f"adam.betas={beta},0.99" in url_hash(pg)
    snap = pg.snapshot()
    assert snap["step"] == 0, "a setting restarts the balls"
    assert snap["hyperparameters"]["adam"]["betas"] == [beta, 0.99]
    assert second.get_attribute("aria-label") == "Adam betas second value, 0.99"
    pg.step(20)
    here = position(pg.snapshot(), "adam")
    lr, start = pg.state()["lr"], pg.state()["start"]
    expected = optimizers.trajectory("adam", RAVINE, start, 20, lr=lr, betas=(beta, 0.99))[-1]
    np.testing.assert_allclose(here, expected, rtol=1e-12)
    other = optimizers.trajectory("adam", RAVINE, start, 20, lr=lr, betas=(beta, 0.999))[-1]
    assert not np.allclose(here, other), "β₂ = 0.99 should change Adam's path"
    again = open_playground(pg.page.url.split("#", 1)[1])
    fresh(again)
    again.step(20)
    assert position(again.snapshot(), "adam") == here
    assert again.state()["settings"] == {"adam": {"betas": [beta, 0.99]}}
    assert pg.errors == [] and again.errors == []


def test_a_refused_setting_shows_pythons_message_at_the_field_and_keeps_the_previous_value(open_playground):
    pg = open_playground("landscape=ravine")
    fresh(pg)
    panel = open_settings(pg, "Adam")
    eps = panel.locator(".opt-field[data-param=eps] input")
    eps.fill("1e-6")
    eps.press("Enter")
    pg.idle()
    assert pg.state()["settings"] == {"adam": {"eps": 1e-6}} and "adam.eps=0.000001" in url_hash(pg)
    eps.fill("-1")
    eps.press("Enter")
    pg.idle()
    with pytest.raises(ValueError) as refused:
        optimizers.create("adam", eps=-1)
    error = panel.locator(".opt-field[data-param=eps] .opt-error")
    pg.wait_for(lambda: error.is_visible(), "the refusal at the field")
    assert str(refused.value) in error.inner_text()
    assert eps.get_attribute("aria-invalid") == "true"
    assert eps.input_value() == "0.000001", "the previous value stays"
    assert pg.state()["settings"] == {"adam": {"eps": 1e-6}} and "adam.eps=0.000001" in url_hash(pg)
    assert pg.snapshot()["hyperparameters"]["adam"]["eps"] == 1e-6
    # Not a number at all: refused here, the same way.
    eps.fill("abc")
    eps.press("Enter")
    pg.idle()
    assert "is not a number" in error.inner_text() and eps.input_value() == "0.000001"
    assert pg.page.is_hidden("#notice"), "a refusal at the field is not also a notice"
    # Shared lr: unticked, Adam keeps its own lr; the slider no longer moves it.
    lr_field = panel.locator(".opt-field[data-param=lr]")
    lr_field.locator(".opt-shared input").uncheck()
    pg.idle()
    own = pg.state()["lr"]
    assert pg.state()["settings"]["adam"]["lr"] == own
    pg.press("#lr", "ArrowRight")
    assert pg.state()["lr"] != own and pg.snapshot()["hyperparameters"]["adam"]["lr"] == own
    panel.get_by_role("button", name="Reset Adam to shared and defaults").click()
    pg.idle()
    assert pg.state()["settings"] == {} and "adam." not in url_hash(pg)
    assert pg.errors == []


def test_hostile_settings_in_the_url_are_named_and_dropped(open_playground):
    pg = open_playground("landscape=ravine&adam.eps=-1&adam.betas=0.9&sgd.bogus=1&lion.lr=NaN"
                         "&adam.amsgrad=1&nobody.lr=1&rprop.etas=0.5,1.5")
    notice = pg.text("#notice-text")
    for name in ("adam.eps", "adam.betas", "sgd.bogus", "lion.lr", "nobody.lr"):
        assert name in notice, (name, notice)
    assert "Invalid epsilon" in notice or "eps" in notice
    assert pg.state()["settings"] == {"adam": {"amsgrad": True}, "rprop": {"etas": [0.5, 1.5]}}
    h = url_hash(pg)
    assert "adam.amsgrad=1" in h and "rprop.etas=0.5,1.5" in h
    for name in ("adam.eps", "adam.betas", "sgd.bogus", "lion.lr", "nobody"):
        assert name not in h, (name, h)
    assert pg.snapshot()["hyperparameters"]["adam"]["amsgrad"] is True
    assert pg.errors == []


# ----------------------------------------------------------------------------- noise

def test_noise_changes_sgds_path_and_a_reload_reproduces_it(open_playground):
    pg = open_playground("landscape=ravine&show=sgd")
    fresh(pg)
    pg.step(30)
    exact = position(pg.snapshot(), "sgd")
    pg.press("#noise", "ArrowRight", times=21)  # 0, then 0.01 · 10^(k/10): the 21st stop is σ = 1
    sigma = pg.state()["noise"]
    assert sigma == 1.0, sigma
    assert pg.text("#noise-value") == "1"
    assert pg.page.get_attribute("#noise", "aria-valuetext") == "gradient noise sigma 1"
    assert "noise=1" in url_hash(pg) and pg.snapshot()["step"] == 0, "σ restarts the balls"
    assert "∇f(θ) + σ·ξ" in pg.text("#noise-note")
    pg.step(30)
    noisy = position(pg.snapshot(), "sgd")
    assert noisy != exact
    lr, start = pg.state()["lr"], pg.state()["start"]
    expected = optimizers.trajectory("sgd", RAVINE, start, 30, lr=lr, noise=sigma, noise_seed=0)[-1]
    np.testing.assert_allclose(noisy, expected, rtol=1e-12)
    again = open_playground(pg.page.url.split("#", 1)[1])
    fresh(again)
    again.step(30)
    assert position(again.snapshot(), "sgd") == noisy
    assert again.state()["noise"] == sigma
    assert pg.errors == [] and again.errors == []


# ----------------------------------------------------------------------------- arrows

def ink_near(pg, xy, r_in=9, r_out=60) -> int:
    """Opaque pixels of the top layer in a ring around the point (x, y)."""
    px, py = pg.page.evaluate("([x, y]) => window.__playground.toPixel(x, y)", xy)
    return pg.page.evaluate(
        """([px, py, rIn, rOut]) => {
            const c = document.querySelector('#layer-top');
            const dpr = c.width / c.clientWidth;
            const x0 = Math.round((px - rOut) * dpr), y0 = Math.round((py - rOut) * dpr), s = Math.round(2 * rOut * dpr);
            const d = c.getContext('2d').getImageData(x0, y0, s, s).data;
            let n = 0;
            for (let j = 0; j < s; j++) for (let i = 0; i < s; i++) {
                const r = Math.hypot(i - s / 2, j - s / 2) / dpr;
                if (r >= rIn && r <= rOut && d[4 * (j * s + i) + 3] > 0) n++;
            }
            return n;
        }""", [px, py, r_in, r_out])


def test_arrows_draw_the_gradient_the_step_and_the_velocity_at_each_ball(open_playground):
    pg = open_playground("landscape=ravine&show=momentum")
    fresh(pg)
    pg.step(4)
    before = pg.snapshot()
    pg.step(1)
    snap = pg.snapshot()
    arrows = snap["arrows"]
    for kind in ("gradient", "step", "velocity"):
        assert all(math.isfinite(v) for pair in arrows[kind] for v in pair), kind
    for i, key in enumerate(snap["keys"]):
        x, y = snap["positions"][i]
        gx, gy = RAVINE.grad(x, y)
        np.testing.assert_allclose(arrows["gradient"][i], [-gx, -gy], rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(arrows["step"][i], np.subtract(snap["positions"][i], before["positions"][i]),
                                   rtol=1e-9, atol=1e-15)
    has = dict(zip(snap["keys"], arrows["hasVelocity"]))
    assert has["momentum"] and has["adam"] and not has["sgd"] and not has["newton"]
    ball = position(snap, "momentum")
    without = ink_near(pg, ball)
    assert pg.page.is_hidden("#arrows-key")
    pg.page.check("#arrows")
    pg.idle()
    pg.next_frames(3)
    assert pg.page.evaluate("window.__playground.arrowCount()") == 3  # one ball: −∇f, step, velocity
    assert ink_near(pg, ball) > without + 150, "arrows drawn around Momentum's ball"
    key = pg.text("#arrows-key")
    assert "−∇f" in key and "step" in key and "velocity" in key and "Lengths" in key
    assert "arrows=1" in url_hash(pg)
    pg.select("#show", "all")
    pg.next_frames(3)
    count = pg.page.evaluate("window.__playground.arrowCount()")
    assert 3 < count <= 16 * 3  # at most three per ball (one shorter than 3 px is not drawn)
    pg.page.uncheck("#arrows")
    pg.next_frames(3)
    assert pg.page.evaluate("window.__playground.arrowCount()") == 0 and "arrows=" not in url_hash(pg)
    assert pg.errors == []


# ----------------------------------------------------------------------------- the URL

ROUND_TRIP = ("landscape=ravine&lr=0.01&beta=0.8&show=sgd,adam,lion&speed=4&pspeed=1&noise=0.5&arrows=1"
              "&sweep=1&sweepsteps=800&adam.lr=0.02&adam.betas=0.85,0.99&adam.amsgrad=1"
              "&annealing.seed=3&rprop.etas=0.4,1.3&lion.weight_decay=0.1")


def test_every_new_field_round_trips_through_the_url(open_playground):
    pg = open_playground(ROUND_TRIP)
    assert pg.page.is_hidden("#notice"), pg.text("#notice")
    assert url_hash(pg) == ROUND_TRIP
    s = pg.state()
    assert (s["show"], s["noise"], s["arrows"], s["sweep"], s["sweepSteps"]) == ("sgd,adam,lion", 0.5, True, True, 800)
    assert s["settings"] == {"adam": {"lr": 0.02, "betas": [0.85, 0.99], "amsgrad": True},
                             "annealing": {"seed": 3}, "rprop": {"etas": [0.4, 1.3]},
                             "lion": {"weight_decay": 0.1}}
    hp = pg.snapshot()["hyperparameters"]
    assert hp["adam"]["lr"] == 0.02 and hp["adam"]["betas"] == [0.85, 0.99] and hp["rprop"]["etas"] == [0.4, 1.3]
    assert pg.drawn_keys() == ["sgd", "adam", "lion"]
    # The same through a hash change on a live page, back to the defaults and again.
    pg.page.evaluate("location.hash = 'landscape=ravine'")
    pg.wait_for(lambda: pg.state()["settings"] == {}, "the defaults")
    pg.idle()
    assert "adam." not in url_hash(pg) and "noise" not in url_hash(pg)
    pg.page.evaluate(f"location.hash = '{ROUND_TRIP}'")
    pg.wait_for(lambda: pg.state()["noise"] == 0.5, "the round-trip hash")
    pg.idle()
    assert url_hash(pg) == ROUND_TRIP
    assert pg.errors == []
