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


# ---------------------------------------------------------------- ravine: tests/test_lessons_ravine.py


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
