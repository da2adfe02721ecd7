"""Every note that states an outcome is a claim, checked here at the landscape's defaults
(its start, default_lr, default_beta, steps) through the API the page uses:
optimizers.page_hyperparameters and optimizers.simulate. Expected values come from the
maths or from independent loops, never from numbers the code under test printed."""

import math

import numpy as np
import pytest

import landscapes
import optimizers

GRADIENT = optimizers.GRADIENT_METHODS


def run(key, name, lr=None, beta=None, steps=None, start=None, **extra):
    land = landscapes.get(key)
    lr = land.default_lr if lr is None else lr
    beta = land.default_beta if beta is None else beta
    opt, hp = optimizers.page_hyperparameters(name, lr, beta)
    hp.update(extra)
    return optimizers.simulate(opt, land, [land.start if start is None else start],
                               land.steps if steps is None else steps, **hp)


def first_below(sim, level):
    idx = np.flatnonzero(sim.loss[:, 0] < level)
    return int(idx[0]) if idx.size else math.inf


def end(sim):
    return sim.path[-1, 0]


def basin(key, sim):
    return landscapes.basin_name(landscapes.get(key), *end(sim))


def moved(sim):
    return float(np.hypot(*(sim.path[-1, 0] - sim.path[0, 0])))


# ---------------------------------------------------------------- ravine

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
    assert excursion(sims["adam"].path[:, 0]).max() < 0.1  # no bounce


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
    for lr in slider_lrs(0.105, 1.0)[::4]:
        sim = run("ravine", "sgd", lr=lr)
        tail = sim.loss[-200:, 0]
        assert np.median(tail) > 1e-3 and excursion(sim.path[-200:, 0]).min() > 0.01, lr


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


# ---------------------------------------------------------------- saddle

def test_saddle_sgd_crawls_near_the_origin_then_tips_into_the_lower_valley():
    sim = run("saddle", "sgd")
    p = sim.path[:, 0]
    near = np.hypot(p[:, 0], p[:, 1]) < 0.3
    assert near.sum() >= 30
    speed = np.hypot(*np.diff(p, axis=0).T)
    assert speed[near[:-1]].min() < speed[0] / 20
    assert basin("saddle", sim) == "lower valley"


@pytest.mark.parametrize("name", ["momentum", "nesterov"])
def test_saddle_momentum_methods_roll_through_into_the_lower_valley(name):
    sim = run("saddle", name)
    near = np.hypot(*sim.path[:, 0].T) < 0.3
    assert 0 < near.sum() < 30
    assert basin("saddle", sim) == "lower valley"


@pytest.mark.parametrize("name", ["rmsprop", "adam", "adamw"])
def test_saddle_adaptive_methods_skip_the_saddle(name):
    sim = run("saddle", name)
    assert np.hypot(*sim.path[:, 0].T).min() >= 0.3
    assert basin("saddle", sim) == "lower valley"


# ---------------------------------------------------------------- bumpy, bowl

def test_bumpy_optimizers_end_in_different_basins():
    ends = {name: basin("bumpy", run("bumpy", name)) for name in GRADIENT}
    for name in ("sgd", "rmsprop", "adam", "adamw"):
        assert ends[name] == "upper left"
    for name in ("momentum", "nesterov"):
        assert ends[name] == "deepest"
    assert landscapes.get("bumpy").minima[0].value == min(m.value for m in landscapes.get("bumpy").minima)


def test_bowl_every_optimizer_reaches_the_minimum():
    for name in GRADIENT:
        assert basin("bowl", run("bowl", name)) == "global"


def test_bowl_momentum_overshoots_and_swings_back_sgd_does_not():
    # Heavy ball on curvature λ: roots of z² − (1 + β − lr·λ)z + β are complex (it
    # oscillates) when (1 + β − lr·λ)² < 4β; SGD's factor 1 − lr·λ > 0 never crosses.
    land = landscapes.get("bowl")
    lr, beta = land.default_lr, land.default_beta
    assert (1 + beta - lr * 4.0) ** 2 < 4 * beta and 1 - lr * 4.0 > 0
    y_mom = run("bowl", "momentum").path[:, 0, 1]
    big = np.abs(y_mom) > 1e-3
    assert np.count_nonzero(np.diff(np.sign(y_mom[big])) != 0) >= 3
    y_sgd = run("bowl", "sgd").path[:, 0, 1]
    assert np.count_nonzero(np.diff(np.sign(y_sgd)) != 0) == 0


# ---------------------------------------------------------------- reference surfaces

def test_quartic_gradient_methods_take_the_left_valley_escape_methods_the_right():
    for name in GRADIENT:
        assert basin("quartic", run("quartic", name)) == "left valley"
    for name in optimizers.ESCAPE_METHODS:
        assert basin("quartic", run("quartic", name)) == "right valley"


def test_wells_at_seed_001_settings():
    land = landscapes.get("wells")
    assert (land.start, land.default_lr, land.default_beta, land.steps) == ((-4.0, -4.0), 0.2, 0.95, 400)
    for name in ("sgd", "nesterov", "rmsprop", "adam", "adamw"):
        assert basin("wells", run("wells", name)) == "A", name
    assert basin("wells", run("wells", "momentum")) == "B"


def _nearest_well(land, p):
    d = [math.hypot(m.x - p[0], m.y - p[1]) for m in land.minima]
    return land.minima[int(np.argmin(d))].label


def _rate(name):
    land = landscapes.get("wells")
    hits = [_nearest_well(land, end(run("wells", name, seed=seed))) == "global" for seed in range(50)]
    return sum(hits)


def test_wells_annealing_reaches_the_global_well_for_most_seeds():
    hits = _rate("annealing")
    print(f"annealing: global well in {hits} of 50 seeds")
    assert hits == 27  # the number the note quotes; deterministic for seeds 0–49
    assert hits > 25


def test_wells_restarts_reach_the_global_well_as_often_as_its_basin_predicts():
    # Independent estimate: the share p of the view whose 80 plain gradient steps at lr 0.2
    # end in the global well (own loop). A restart from a uniform point succeeds with
    # probability p, so with 4 random restarts P(success) ≈ 1 − (1 − p)⁴.
    land = landscapes.get("wells")
    g = np.linspace(-5, 5, 81)
    x, y = [a.ravel().copy() for a in np.meshgrid(g, g)]
    for _ in range(80):
        gx, gy = land.grad(x, y)
        x, y = x - 0.2 * gx, y - 0.2 * gy
    m = land.global_minimum()
    p = np.mean(np.hypot(x - m.x, y - m.y) < 0.5)
    expected = 1 - (1 - p) ** 4
    hits = _rate("restarts")
    print(f"restarts: global well in {hits} of 50 seeds; basin share {p:.3f}, expected {50 * expected:.1f}")
    assert hits == 38  # the number the note quotes
    assert abs(hits - 50 * expected) <= 3 * math.sqrt(50 * expected * (1 - expected))


def test_wells_seed_001_first_example_does_not_escape_well_a():
    sim = run("wells", "momentum", lr=0.1, beta=0.92, start=(-3.8, -3.5))
    assert basin("wells", sim) == "A"


def test_regression_everyone_ends_at_the_least_squares_fit_not_the_true_parameters():
    land = landscapes.get("regression")
    for name in GRADIENT:
        assert basin("regression", run("regression", name)) == "global"
    m = land.global_minimum()
    assert (round(m.x, 2), round(m.y, 2)) == (1.94, 1.13)
    assert land.markers == (("true parameters", 2.0, 1.0),)
    assert land.axis_labels == ("slope w₁", "intercept w₂")


# ---------------------------------------------------------------- classics

def test_himmelblau_plain_methods_arrive_adaptive_ones_are_on_the_way():
    for name in ("sgd", "momentum", "nesterov"):
        assert first_below(run("himmelblau", name), 1e-3) <= 100
        assert np.allclose(end(run("himmelblau", name)), (3, 2), atol=1e-3)
    for name in ("rmsprop", "adam", "adamw"):
        assert first_below(run("himmelblau", name), 1e-3) == math.inf


def _rastrigin_dent(x):
    """The local minimum of x² − 10cos 2πx nearest the integer round(x) (Newton)."""
    k = np.round(x)
    z = k.astype(float)
    for _ in range(50):
        z = z - (2 * z + 20 * np.pi * np.sin(2 * np.pi * z)) / (2 + 40 * np.pi**2 * np.cos(2 * np.pi * z))
    return z


def test_rastrigin_gradient_methods_stop_in_the_first_dent_annealing_hops():
    land = landscapes.get("rastrigin")
    first = _rastrigin_dent(np.array(land.start))
    for name in GRADIENT:
        assert np.allclose(end(run("rastrigin", name)), first, atol=0.02), name
    sim = run("rastrigin", "annealing")
    assert np.hypot(*end(sim)) < 0.3 and sim.loss[-1, 0] < land.f(*first)


def test_ackley_adaptive_methods_hop_one_ripple():
    land = landscapes.get("ackley")
    # The dent a vanishing step reaches: plain gradient descent with a tiny lr (own loop).
    p = np.array(land.start)
    for _ in range(20000):
        p = p - 1e-3 * np.array(land.grad(*p))
    for name in ("sgd", "momentum", "nesterov"):
        assert np.allclose(end(run("ackley", name)), p, atol=0.02)
    for name in ("rmsprop", "adam", "adamw"):
        sim = run("ackley", name)
        assert np.hypot(*(end(sim) - p)) > 0.5 and sim.loss[-1, 0] < land.f(*p) - 0.5


def test_beale_momentum_arrives_everyone_moves():
    for name in ("momentum", "nesterov"):
        assert basin("beale", run("beale", name)) == "global"
    for name in ("sgd", "rmsprop"):
        sim = run("beale", name)
        assert moved(sim) > 1.0 and first_below(sim, 1e-3) == math.inf
    for name in ("adam", "adamw"):
        sim = run("beale", name)
        assert 0.5 < moved(sim) < 0.5 * math.hypot(3 - 1, 0.5 - 1.4) + 0.5


def test_booth_plain_methods_arrive_adam_is_short():
    for name in ("sgd", "momentum", "nesterov"):
        assert first_below(run("booth", name), 1e-3) <= 100
    for name in ("adam", "adamw"):
        sim = run("booth", name)
        assert moved(sim) > 5 and basin("booth", sim) is None


def test_styblinski_tang_gradient_methods_take_the_shallowest_restarts_the_deepest():
    land = landscapes.get("styblinski-tang")
    shallowest = max(land.minima, key=lambda m: m.value)
    for name in GRADIENT:
        e = end(run("styblinski-tang", name))
        assert math.hypot(e[0] - shallowest.x, e[1] - shallowest.y) < 0.05
    assert basin("styblinski-tang", run("styblinski-tang", "restarts")) == "global"


def test_camel_every_gradient_method_finds_the_upper_global_minimum():
    for name in GRADIENT:
        e = end(run("six-hump-camel", name))
        assert np.allclose(e, (-0.0898, 0.7127), atol=0.01)


# ---------------------------------------------------------------- the metadata itself

@pytest.mark.parametrize("key", landscapes.names())
def test_every_landscape_has_its_own_notes(key):
    land = landscapes.get(key)
    assert land.notes and all(n.strip() for n in land.notes)
    others = [landscapes.get(k).notes for k in landscapes.names() if k != key]
    assert land.notes not in others


# ---------------------------------------------------------------- outcome classification

def test_basin_name_names_the_minimum_a_point_reached_and_none_between():
    land = landscapes.get("wells")
    assert landscapes.basin_name(land, 2.5, -2.5) == "global"
    assert landscapes.basin_name(land, -2.44, -2.44) == "A"
    assert landscapes.basin_name(land, 0.0, 0.0) is None  # between basins
    idx = landscapes.basin_index(land, np.array([2.47, -2.44, 0.0]), np.array([-2.47, -2.44, 0.0]))
    assert idx.tolist() == [0, 2, -1]


def test_points_near_no_known_minimum_are_grouped():
    land = landscapes.get("rastrigin")  # only the global minimum is listed
    pts = [(0.0, 0.0), (0.995, 0.0), (0.9952, 0.0001), (-0.995, 0.995), (0.01, 0.0)]
    index, basins = landscapes.classify_points(land, pts)
    assert basins[0]["label"] == "global" and basins[0]["known"]
    assert index[0] == index[4] == 0
    assert index[1] == index[2] != index[3]
    assert not basins[index[1]]["known"] and len(basins) == 3
    labels, centres = landscapes.group_points([(0, 0), (5, 5), (0.001, 0), (5, 5.001)], 0.01)
    assert labels.tolist() == [0, 1, 0, 1] and centres.shape == (2, 2)


# ---------------------------------------------------------------- the escape methods

@pytest.mark.parametrize("name", optimizers.ESCAPE_METHODS)
def test_escape_methods_are_reproducible_and_vectorised(name):
    starts = [(-4.0, -4.0), (1.0, 2.0), (3.0, -1.0)]
    a = optimizers.simulate(name, "wells", starts, 120, seed=5)
    b = optimizers.simulate(name, "wells", starts, 120, seed=5)
    c = optimizers.simulate(name, "wells", starts, 120, seed=6)
    np.testing.assert_array_equal(a.path, b.path)
    assert not np.array_equal(a.path, c.path)
    assert a.path.shape == (121, 3, 2)


def test_annealing_follows_the_metropolis_rule():
    # One step by hand with the same draws: default_rng((seed, 1)).
    land = landscapes.get("wells")
    p0 = np.array([[-4.0, -4.0]])
    sim = optimizers.simulate("annealing", land, p0, 1, T0=2.0, step_size=0.5, seed=3)
    rng = np.random.default_rng((3, 1))
    q = p0 + 0.5 * rng.standard_normal((1, 2))
    u = rng.random(1)
    delta = land.f(*q[0]) - land.f(*p0[0])
    accept = delta < 0 or u[0] < math.exp(-delta / 2.0)
    np.testing.assert_allclose(sim.path[1], q if accept else p0)


def test_restarts_descend_then_jump_and_end_at_the_best():
    land = landscapes.get("wells")
    sim = optimizers.simulate("restarts", land, [(-4.0, -4.0)], 400, lr=0.2, n_restarts=5, steps_per=80, seed=0)
    p = sim.path[:, 0]
    # The first descent is plain gradient descent from the start (own loop).
    q = np.array([-4.0, -4.0])
    for _ in range(80):
        q = q - 0.2 * np.array(land.grad(*q))
    np.testing.assert_allclose(p[80], q, rtol=1e-12)
    assert sim.final.opt_state.restart == 5
    assert sim.loss[-1, 0] <= min(sim.loss[80 * k, 0] for k in range(1, 5)) + 1e-12


@pytest.mark.parametrize("name, hp, message", [
    ("annealing", {"T0": 0.0}, "Invalid T0=0.0"),
    ("annealing", {"cooling": 1.5}, "Invalid cooling=1.5"),
    ("annealing", {"step_size": -1}, "Invalid step_size=-1"),
    ("annealing", {"seed": -2}, "Invalid seed=-2"),
    ("restarts", {"n_restarts": 0}, "Invalid n_restarts=0"),
    ("restarts", {"steps_per": 2.5}, "Invalid steps_per=2.5"),
    ("restarts", {"lr": -1.0}, "Invalid learning rate lr=-1.0"),
])
def test_escape_methods_reject_bad_parameters_by_name(name, hp, message):
    with pytest.raises(ValueError, match=message.replace(".", r"\.").replace("(", r"\(")):
        optimizers.create(name, **hp)


def test_page_hyperparameters_map_the_sliders():
    assert optimizers.page_hyperparameters("nesterov", 0.1, 0.0) == ("sgd", {"lr": 0.1})
    assert optimizers.page_hyperparameters("momentum", 0.1, 0.8) == ("momentum", {"lr": 0.1, "momentum": 0.8})
    assert optimizers.page_hyperparameters("adamw", 0.1, 0.8) == ("adamw", {"lr": 0.1, "betas": (0.8, 0.999)})
    assert optimizers.page_hyperparameters("rmsprop", 0.1, 0.8) == ("rmsprop", {"lr": 0.1})
    assert optimizers.page_hyperparameters("restarts", 0.1, 0.8) == ("restarts", {"lr": 0.1})
    assert optimizers.page_hyperparameters("annealing", 0.1, 0.8) == ("annealing", {})


def test_a_rejected_annealing_proposal_is_not_convergence_but_finished_restarts_are():
    wells = landscapes.get("wells")
    sim = optimizers.simulate("annealing", wells, [wells.start], 400)
    moves = np.hypot(*np.diff(sim.path[:, 0], axis=0).T)
    assert (moves == 0).any(), "some proposals are rejected"
    assert optimizers.STATUS_NAMES[sim.final.status[0]] == "running"
    hp = optimizers.defaults("restarts")
    total = hp["n_restarts"] * hp["steps_per"]
    done = optimizers.simulate("restarts", wells, [wells.start], total + 5)
    assert optimizers.STATUS_NAMES[done.final.status[0]] == "converged"
    early = optimizers.simulate("restarts", wells, [wells.start], hp["steps_per"] // 2)
    assert optimizers.STATUS_NAMES[early.final.status[0]] == "running"
