"""The learning-rate sweep: its table against separate runs and closed forms, the band, the
ravine's claim (SGD's band is narrow, Adam's wide) and bad input. numpy and pytest only."""

import dataclasses
import importlib
import math

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers import run
from optimizers.sweep import widest_band

sweep_module = importlib.import_module("optimizers.sweep")  # optimizers.sweep is the function

RAVINE = landscapes.get("ravine")
BOWL = landscapes.get("bowl")


def separate(key, land, start, lr, steps, threshold, target, **hp):
    """One ordinary run at one lr, with the table's entries computed step by step."""
    opt = optimizers.create(key, lr=lr, **hp)
    state = run.init(opt, land, [start])
    losses, reached, diverged = [state.loss[0]], -1, -1
    if state.loss[0] - target < threshold:
        reached = 0
    for t in range(1, steps + 1):
        state = run.step(opt, land, state)
        losses.append(state.loss[0])
        if diverged < 0 and state.status[0] == optimizers.DIVERGED:
            diverged = t
        if reached < 0 and diverged < 0 and state.loss[0] - target < threshold:
            reached = t
    return state.loss[0], min(losses), reached, diverged


def test_shapes_and_fields():
    result = optimizers.sweep(["sgd", "adam", "lion"], RAVINE, RAVINE.start, points=16, steps=50)
    np.testing.assert_allclose(result.lrs, np.geomspace(1e-3, 1.0, 16), rtol=1e-15)
    assert result.lrs[0] == 1e-3 and result.lrs[-1] == 1.0
    assert (result.threshold, result.steps, result.target) == (1e-3, 50, 0.0)
    assert [row["key"] for row in result.rows] == ["sgd", "adam", "lion"]
    for row in result.rows:
        assert set(row) == {"key", "final", "best", "reached", "diverged", "band"}
        for name in ("final", "best", "reached", "diverged"):
            assert row[name].shape == (16,)
        assert row["reached"].dtype == np.int32 and row["diverged"].dtype == np.int32
        assert row["final"].dtype == np.float64 and np.isfinite(row["final"]).all()
        assert (row["best"] <= row["final"]).all()
        assert row["band"] is None or (isinstance(row["band"], tuple) and len(row["band"]) == 2)


# Random restarts draw each restart point per particle (row i of an (n, 2) draw), so at
# lrs[i] of a sweep it restarts where particle i of a batch would: only lrs[0] is the
# separate run (test_restarts_first_lr_is_the_separate_run).
LR_KEYS = [k for k in optimizers.names() if "lr" in optimizers.defaults(k) and k != "restarts"]


@pytest.mark.parametrize("key, hp", [(k, {}) for k in LR_KEYS] + [("adam", dict(betas=(0.5, 0.9))),
                                                                   ("adamw", dict(amsgrad=True))])
def test_each_lr_is_exactly_a_separate_run(key, hp):
    # SGD at the smallest lr is still crawling at the end, so the sweep runs all 300 steps
    lrs = np.geomspace(1e-3, 1.0, 9)
    result = optimizers.sweep(["sgd", key] if key != "sgd" else ["sgd"], RAVINE, RAVINE.start, lrs=lrs,
                              steps=300, threshold=1e-2, settings={key: hp})
    row = result.rows[-1]
    for i, lr in enumerate(lrs):
        final, best, reached, diverged = separate(key, RAVINE, RAVINE.start, float(lr), 300, 1e-2, 0.0, **hp)
        assert (row["final"][i], row["best"][i], row["reached"][i], row["diverged"][i]) == \
            (final, best, reached, diverged), (key, lr)


def test_restarts_first_lr_is_the_separate_run():
    lrs = np.geomspace(0.01, 0.2, 5)
    row = optimizers.sweep(["restarts"], RAVINE, RAVINE.start, lrs=lrs, steps=450, threshold=1e-2).rows[0]
    assert (row["final"][0], row["best"][0], row["reached"][0], row["diverged"][0]) == \
        separate("restarts", RAVINE, RAVINE.start, float(lrs[0]), 450, 1e-2, 0.0)


def bowl_sgd_by_hand(lr, start, steps, threshold):
    """SGD on f = ½(x² + 4y²): x_t = x₀(1 − lr)ᵗ, y_t = y₀(1 − 4lr)ᵗ. It diverges (run's rule) when
    it leaves the disc of radius 1000 spans = 6000 around the origin."""
    reached = diverged = -1
    for t in range(steps + 1):
        x, y = start[0] * (1 - lr) ** t, start[1] * (1 - 4 * lr) ** t
        if x * x + y * y > 6000.0**2:
            return reached, t
        if reached < 0 and 0.5 * (x * x + 4 * y * y) < threshold:
            reached = t
    return reached, diverged


def test_band_on_the_bowl_against_the_closed_form():
    lrs = np.array([1e-4, 0.01, 0.1, 0.3, 0.45, 0.55, 0.8])  # SGD is stable for lr < 2/4
    start = (-2.5, 2.0)
    row = optimizers.sweep(["sgd"], BOWL, start, lrs=lrs, steps=500).rows[0]
    expected = [bowl_sgd_by_hand(lr, start, 500, 1e-3) for lr in lrs]
    assert list(zip(row["reached"].tolist(), row["diverged"].tolist())) == expected
    assert [e[0] >= 0 for e in expected] == [False, True, True, True, True, False, False]
    assert [e[1] >= 0 for e in expected] == [False, False, False, False, False, True, True]
    assert row["band"] == (0.01, 0.45)


@pytest.mark.parametrize("ok, band", [
    ([0, 1, 1, 0, 1, 1, 1, 0], (4.0, 6.0)),  # the widest
    ([1, 1, 0, 1, 1, 0], (0.0, 1.0)),  # a tie: the lowest
    ([0, 0, 0], None),
    ([1, 1, 1], (0.0, 2.0)),
    ([0, 0, 1], (2.0, 2.0)),
])
def test_widest_band(ok, band):
    assert widest_band(np.arange(len(ok), dtype=float), np.array(ok, dtype=bool)) == band


def test_a_run_that_reaches_the_threshold_and_then_diverges_is_not_in_the_band():
    # Momentum at a large lr on the bowl swings through the minimum's neighbourhood before
    # blowing up: reached ≥ 0 and diverged > reached, so it is not stable there
    row = optimizers.sweep(["momentum"], BOWL, (0.01, 0.01), lrs=[0.01, 1.2], steps=300).rows[0]
    assert row["reached"].tolist()[1] == 0 and row["diverged"].tolist()[1] > 0
    assert row["band"] == (0.01, 0.01)


def test_the_ravine_sgd_band_is_narrower_than_adams():
    # The ravine's note: at 1,500 steps SGD reaches the minimum for lr ≈ 0.06–0.09, Adam for
    # ≈ 0.003–1 (tests/test_lessons.py checks every slider lr). At 500 steps (the sweep's
    # default) SGD only gets there now and then from a bounce near the minimum, at lr ≈ 0.14.
    rows = {r["key"]: r for r in optimizers.sweep(["sgd", "adam"], RAVINE, RAVINE.start).rows}
    (slo, shi), (alo, ahi) = rows["sgd"]["band"], rows["adam"]["band"]
    assert math.log(shi / slo) < 0.5 * math.log(ahi / alo)
    assert alo < 0.02 and ahi == 1.0
    assert 0.05 < slo <= shi < 0.2


def test_early_stop_once_every_run_has_come_to_rest():
    result = optimizers.sweep(["newton"], BOWL, (-2.5, 2.0), lrs=[0.5, 1.0], steps=5000)
    # lr 0.5 halves the distance each step: below 1e-7 spans after ~26 steps, so the
    # second or third block is the first one spent entirely at rest
    assert result.ran in (2 * sweep_module.BLOCK, 3 * sweep_module.BLOCK)
    assert result.rows[0]["reached"].tolist() == [bowl_newton_reached(0.5), 1]
    assert result.steps == 5000


def test_no_early_stop_while_a_run_still_moves():
    # SGD at lr 1e-3 on the bowl crawls for all 300 steps; the run that diverged early
    # (lr 1: the factor 1 − 4·lr = −3 across the bowl) does not stop the sweep. (The
    # ravine's V-shaped walls throw no SGD run out, so it cannot show this.)
    result = optimizers.sweep(["sgd"], BOWL, (-2.5, 2.0), lrs=[1e-3, 1.0], steps=300)
    assert result.ran == 300
    assert result.rows[0]["diverged"].tolist()[1] > 0


def test_every_run_diverged_stops_at_the_first_block():
    result = optimizers.sweep(["sgd"], BOWL, (-2.5, 2.0), lrs=[3.0, 5.0], steps=5000)
    assert result.ran == sweep_module.BLOCK
    assert (result.rows[0]["diverged"] > 0).all()


def bowl_newton_reached(lr):
    # on a quadratic the damped Newton step scales θ by (1 − lr): f_t = (1 − lr)^{2t} f₀
    f0 = 0.5 * (2.5**2 + 4 * 2.0**2)
    return next(t for t in range(100) if (1 - lr) ** (2 * t) * f0 < 1e-3)


def test_target_is_the_grid_minimum_without_listed_minima():
    unlisted = dataclasses.replace(BOWL, minima=())
    assert sweep_module.target_loss(unlisted) == 0.0  # the 201 × 201 grid has (0, 0)
    shifted = dataclasses.replace(landscapes.get("saddle"), minima=())
    xs = np.linspace(-3, 3, 201)
    x, y = np.meshgrid(xs, xs)
    assert sweep_module.target_loss(shifted) == float(shifted.f_xy(x, y).min())
    assert sweep_module.target_loss(landscapes.get("saddle")) == landscapes.get("saddle").minima[0].value


def test_noise_is_seeded():
    a = optimizers.sweep(["sgd"], RAVINE, RAVINE.start, points=8, steps=50, noise=1.0, seed=3).rows[0]
    b = optimizers.sweep(["sgd"], RAVINE, RAVINE.start, points=8, steps=50, noise=1.0, seed=3).rows[0]
    c = optimizers.sweep(["sgd"], RAVINE, RAVINE.start, points=8, steps=50).rows[0]
    np.testing.assert_array_equal(a["final"], b["final"])
    assert (a["final"] != c["final"]).any()


@pytest.mark.parametrize("args, kwargs, error, message", [
    ((["annealing"],), {}, ValueError, "'annealing' takes no learning rate"),
    ((["sgd", "sgd"],), {}, ValueError, "each optimizer at most once"),
    (("sgd",), {}, ValueError, "Invalid keys='sgd': must be a non-empty list"),
    (([],), {}, ValueError, "Invalid keys=[]"),
    ((["lbfgs"],), {}, KeyError, "Unknown optimizer 'lbfgs'"),
    ((["sgd"],), dict(points=1), ValueError, "Invalid points=1: must be an integer in [2, 1024]"),
    ((["sgd"],), dict(lrs=[0.1, 0.01]), ValueError, "Invalid lrs=[0.1, 0.01]: must be a 1-D array"),
    ((["sgd"],), dict(lrs=[0.1, -0.01]), ValueError, "Invalid learning rate lr=[0.1, -0.01]"),
    ((["sgd"],), dict(threshold=0), ValueError, "Invalid threshold=0: must be a finite number > 0"),
    ((["sgd"],), dict(steps=-1), ValueError, "Invalid steps=-1"),
    ((["sgd"],), dict(noise=-1.0), ValueError, "Invalid noise=-1.0"),
    ((["adam"],), dict(settings={"adam": {"lr": 0.1}}), ValueError, "lr is what the sweep varies"),
    ((["adam"],), dict(settings={"adam": {"betas": 0.9}}), ValueError, "Invalid betas=0.9"),
    ((["adam"],), dict(settings=[1]), ValueError, "Invalid settings=[1]"),
    ((["sgd"] * 1,), dict(steps=100_000, points=1024), ValueError, "at most 20,000,000 particle steps"),
])
def test_bad_input(args, kwargs, error, message):
    with pytest.raises(error) as err:
        optimizers.sweep(*args, RAVINE, RAVINE.start, **kwargs)
    assert message in str(err.value)


def test_a_sweep_starts_from_one_point():
    with pytest.raises(ValueError, match=r"Invalid start of shape \(2, 2\): a sweep starts from one"):
        optimizers.sweep(["sgd"], RAVINE, [(0, 0), (1, 1)])
