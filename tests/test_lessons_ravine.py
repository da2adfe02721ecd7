"""The Ravine's notes, each claim measured at the landscape's defaults through the page's
API (optimizers.page_hyperparameters, optimizers.simulate, optimizers.sweep): SGD's
wall-to-wall ricochet as the signed distance of its path from the valley floor,
Nesterov's early zig-zag, RMSProp's hook, Adam's glide, and the learning-rate band at
every learning rate the page's slider can set. Expected values come from the maths or
from own loops, never from numbers the code under test printed."""

import functools
import math

import numpy as np

import landscapes
import optimizers
from test_lessons import GRADIENT, first_below, run

RAVINE = landscapes.get("ravine")


def signed_distance_to_floor(path):
    """Signed distance of each point (n, 2) from the floor y = x² (positive above it), by
    the nearest point (t, t²): the real roots of 2t³ + (1 − 2y)t − x = 0 (own maths, not
    the landscape's d)."""
    out = np.empty(len(path))
    for i, (x, y) in enumerate(path):
        ts = np.roots([2.0, 0.0, 1.0 - 2.0 * y, -x])
        ts = ts.real[np.abs(ts.imag) < 1e-9]
        out[i] = np.min(np.hypot(x - ts, y - ts * ts)) * np.sign(y - x * x)
    return out


def excursion(path, window=20):
    """Half the peak-to-peak signed distance from the floor over each window of steps."""
    d = signed_distance_to_floor(path)
    return np.array([np.ptp(d[i:i + window]) / 2 for i in range(len(d) - window)])


@functools.lru_cache(maxsize=1)
def ravine_runs():
    return {name: run("ravine", name) for name in GRADIENT}


def test_ravine_sgd_ricochets_wall_to_wall_over_most_of_the_run_and_still_arrives():
    sims = ravine_runs()
    height = RAVINE.domain[3] - RAVINE.domain[2]
    amp = {name: excursion(sim.path[:, 0]) for name, sim in sims.items()}
    t_sgd = first_below(sims["sgd"], 1e-3)
    assert 1000 <= t_sgd <= 1200, t_sgd  # the note: about 1,100 steps
    visible = amp["sgd"] >= 0.03 * height
    assert visible.mean() >= 0.5, f"SGD's bounce is visible on only {visible.mean():.0%} of the run"
    assert visible[:t_sgd].mean() >= 0.75, f"only {visible[:t_sgd].mean():.0%} of its way down"
    assert 800 <= np.flatnonzero(visible)[-1] <= 900  # the note: it stops bouncing after about 850 steps
    assert 0.25 <= np.median(amp["sgd"][:800]) <= 0.35  # the note: about 0.3 either side
    largest = np.argmax([amp[name] for name in GRADIENT], axis=0) == GRADIENT.index("sgd")
    assert largest.mean() >= 0.5, f"SGD's excursion is the largest of the six on only {largest.mean():.0%} of steps"
    assert largest[100:t_sgd].mean() >= 0.75
    d = signed_distance_to_floor(sims["sgd"].path[:, 0])
    assert 800 <= np.count_nonzero(np.diff(np.sign(d)) != 0) <= 1000  # the note: about 900 crossings


def test_ravine_sgd_cannot_settle_far_up_the_valley_but_can_at_the_minimum():
    # Across the floor the curvature is the Hessian's larger eigenvalue there (finite
    # differences of ∇f, not the landscape's Hessian); SGD is stable where lr·λ < 2.
    def curvature(x):
        h, y = 1e-6, x * x
        g = lambda px, py: np.array(RAVINE.grad(px, py))
        hess = np.column_stack([(g(x + h, y) - g(x - h, y)) / (2 * h), (g(x, y + h) - g(x, y - h)) / (2 * h)])
        return np.linalg.eigvalsh(0.5 * (hess + hess.T))[-1]

    lr = RAVINE.default_lr
    assert 2.7 < lr * curvature(RAVINE.start[0]) < 3.2  # the note: about 3
    assert lr * curvature(0.5) < 2 * (1 + 0.9) / (1 + 2 * 0.9) < 2  # even Nesterov settles at the minimum


def test_ravine_the_big_early_zig_zag_is_nesterovs_and_it_arrives_first():
    sims = ravine_runs()
    nest, sgd = excursion(sims["nesterov"].path[:, 0]), excursion(sims["sgd"].path[:, 0])
    assert nest[:40].max() > 2 * sgd.max(), "Nesterov's early swing should dwarf SGD's bounce"
    assert 40 <= np.flatnonzero(nest >= 0.5)[-1] <= 80  # the note: its first 60 or so steps
    t = {name: first_below(sim, 1e-3) for name, sim in sims.items()}
    assert 60 <= t["nesterov"] <= 100 and t["nesterov"] == min(t.values())
    assert 170 <= t["momentum"] <= 210
    assert excursion(sims["momentum"].path[:, 0]).max() < 0.05  # hardly swings


def test_nesterov_is_less_stable_than_sgd_across_a_quadratic_valley():
    # The limit the note quotes, from torch's Nesterov rule on curvature λ with k = lr·λ and
    # u = lr·v: u ← βu + kθ, θ ← θ − kθ − βu_new. Stable iff the matrix's eigenvalues lie
    # inside the unit circle; SGD's θ ← (1 − k)θ is stable up to k = 2.
    beta = 0.9

    def stable(k):
        m = np.array([[beta, k], [-beta * beta, 1 - k - beta * k]])
        return max(abs(np.linalg.eigvals(m))) < 1

    assert stable(1.30) and not stable(1.40) and not stable(1.9)
    assert abs(2 * (1 + beta) / (1 + 2 * beta) - 1.357) < 1e-3


def test_ravine_adam_glides_3x_sooner_than_sgd():
    sims = ravine_runs()
    t_sgd, t_adam = first_below(sims["sgd"], 1e-3), first_below(sims["adam"], 1e-3)
    assert 330 <= t_adam <= 390 and 3 * t_adam <= t_sgd, (t_adam, t_sgd)
    assert excursion(sims["adam"].path[:, 0]).max() < 0.1  # no wall-to-wall bounce
    # RMSProp neither, once past its hook (its first two steps; see the next test)
    assert excursion(sims["rmsprop"].path[:, 0])[20:].max() < 0.1


def test_ravine_rmsprop_hooks_then_jitters_short_of_the_minimum_where_adam_settles():
    land = RAVINE
    m = land.global_minimum()
    sims = ravine_runs()
    p = sims["rmsprop"].path[:, 0]
    first = np.abs(p[1] - p[0])
    # v₁ = (1 − α)g² with α = 0.99: the first step is lr/√0.01 = 10·lr in every coordinate
    # whose gradient is not zero (on the floor ∂f/∂y = 0: it jumps sideways, in x).
    np.testing.assert_allclose(first, [10 * land.default_lr, 0.0], rtol=1e-3, atol=1e-12)
    assert abs(signed_distance_to_floor(p[1:2])[0]) > 0.3, "the first step leaves the floor"
    assert first_below(sims["rmsprop"], 1e-3) == math.inf
    last = slice(-200, None)
    dist = lambda q: np.hypot(q[:, 0] - m.x, q[:, 1] - m.y)
    assert excursion(p[last]).min() > 0.02, "it keeps jittering across the floor"
    assert 0.05 < dist(p[-1:])[0] < 0.15  # still about 0.1 away after 1,500 steps
    assert 0.01 < sims["rmsprop"].loss[-1, 0] < 0.04  # its loss about 0.02
    assert dist(sims["adam"].path[last, 0]).max() < 1e-6
    adamw = dist(sims["adamw"].path[last, 0])
    assert 0.005 < adamw.min() and adamw.max() < 0.02  # about 0.01 short


def slider_lrs(lo, hi):
    """Every learning rate the page's slider (static/panels/controls.js: 10^v for v on a
    0.01 grid over [−4, 0], then roundLr's 3 significant digits) or its arrow keys (1, 2,
    5 × 10ⁿ) can set within [lo, hi]."""
    values = {float(f"{10 ** (k / 100):.3g}") for k in range(-400, 1)}
    values |= {m * 10.0 ** e for e in range(-4, 1) for m in (1, 2, 5)}
    return np.array(sorted(v for v in values if lo <= v <= hi))


def sweep_at_slider_lrs(keys, lo, hi):
    lrs = slider_lrs(lo, hi)
    return lrs, {row["key"]: row for row in optimizers.sweep(keys, RAVINE, RAVINE.start, lrs=lrs, steps=RAVINE.steps).rows}


def test_ravine_band_holds_at_every_slider_lr_inside_it():
    # The note: SGD between about 0.06 and 0.09, Adam from about 0.003 to 1 (within 1,500 steps).
    for key, (lo, hi) in (("sgd", (0.06, 0.09)), ("adam", (0.003, 1.0))):
        lrs, rows = sweep_at_slider_lrs([key], lo, hi)
        ok = (rows[key]["reached"] >= 0) & (rows[key]["diverged"] < 0)
        assert len(lrs) > 15 and ok.all(), f"{key} misses the minimum at lr {lrs[~ok]}"


def test_ravine_sgd_outside_its_band_runs_out_of_steps_below_and_keeps_bouncing_above():
    lrs, rows = sweep_at_slider_lrs(["sgd"], 1e-3, 0.055)
    assert (rows["sgd"]["reached"] < 0).all(), lrs[rows["sgd"]["reached"] >= 0]
    # Above the band, every slider lr at once (one particle per lr): still bouncing from wall
    # to wall over the last 200 steps, its loss far above the threshold.
    lrs = slider_lrs(0.105, 1.0)
    sim = optimizers.simulate("sgd", RAVINE, np.repeat([RAVINE.start], len(lrs), axis=0), RAVINE.steps, lr=lrs)
    for i, lr in enumerate(lrs):
        assert np.median(sim.loss[-200:, i]) > 0.1 and excursion(sim.path[-200:, i]).min() > 0.1, lr


def test_ravine_sweep_panel_band_agrees_with_the_note():
    # The page's Sweep: 64 log-spaced lrs over lr_range at the landscape's steps.
    rows = {r["key"]: r for r in optimizers.sweep(["sgd", "adam"], RAVINE, RAVINE.start, steps=RAVINE.steps).rows}
    lo, hi = rows["sgd"]["band"]
    assert 0.055 <= lo <= 0.07 and 0.085 <= hi <= 0.1, (lo, hi)  # "about 0.06 and 0.09"
    lo, hi = rows["adam"]["band"]
    assert 0.0025 <= lo <= 0.0035 and hi == 1.0


def test_ravine_minimum_is_at_a_and_a_squared():
    m = RAVINE.global_minimum()
    assert RAVINE.f(m.x, m.y) == 0 and (m.x, m.y) == (0.5, 0.25)
