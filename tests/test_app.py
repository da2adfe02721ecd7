"""The bridge the page talks to, exercised under CPython exactly as the worker calls it."""

import json
import math

import numpy as np
import pytest

import app
import landscapes
import optimizers
from optimizers import flow

N_BALLS = len(optimizers.names())
FRAME = 1 / 60  # the page advances the particles by one animation frame of screen time per call


def call(session, command, **args):
    """handle() with decoded arrays; a reply carrying NaN or Infinity fails the test."""
    text, arrays = app.handle(command, json.dumps(args), session=session)
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-finite constant {c} in the reply"))
    return decode(json.loads(text), arrays)


def decode(value, arrays):
    if isinstance(value, dict) and "$array" in value:
        arr = arrays[value["$array"]]
        assert list(arr.shape) == value["shape"]
        return arr
    if isinstance(value, dict):
        return {k: decode(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v, arrays) for v in value]
    return value


@pytest.fixture
def session():
    return app.Session()


def test_init_lists_every_landscape_and_optimizer(session):
    info = call(session, "init")
    assert [land["key"] for land in info["landscapes"]] == landscapes.names()
    assert [o["key"] for o in info["optimizers"]] == optimizers.names()
    assert info["defaults"]["landscape"] in landscapes.names()
    assert "playground" in info["colormaps"]


def test_scene_returns_a_heatmap_contours_and_a_restarted_run(session):
    scene = call(session, "scene", landscape="bumpy", lr=0.05, beta=0.9, resolution=64)
    heat = scene["heatmap"]
    assert heat["rgba"].shape == (heat["height"], heat["width"], 4) == (64, 64, 4)
    assert scene["contours"]["offsets"][-1] == len(scene["contours"]["xy"])
    assert len(scene["contours"]["level_index"]) == len(scene["contours"]["offsets"]) - 1 > 5
    assert scene["runs"]["step"] == 0
    assert scene["runs"]["keys"] == optimizers.names()
    np.testing.assert_array_equal(scene["runs"]["positions"], [landscapes.get("bumpy").start] * N_BALLS)
    np.testing.assert_array_equal(scene["runs"]["diverged_step"], [-1] * N_BALLS)
    assert scene["runs"]["diverged_step"].dtype == np.int32


@pytest.mark.parametrize("key", ["ravine", "bumpy", "saddle", "wells"])
def test_ball_positions_agree_with_optimizers_trajectory(session, key):
    lr, beta = landscapes.get(key).default_lr, 0.8
    call(session, "scene", landscape=key, lr=lr, beta=beta, resolution=32)
    for _ in range(3):
        runs = call(session, "advance", steps=40)["runs"]
    for k, name in enumerate(runs["keys"]):
        opt, hp = app.hyperparameters(name, lr, beta)
        expected = optimizers.trajectory(opt, key, landscapes.get(key).start, 120, **hp)
        np.testing.assert_array_equal(runs["positions"][k], expected[-1])
        loss = landscapes.get(key).f(expected[:, 0], expected[:, 1])
        assert runs["loss"][k] == loss[-1] and runs["best"][k] == loss.min()


def test_recolor_changes_the_pixels_and_keeps_the_run(session):
    first = call(session, "scene", landscape="bowl", lr=0.05, beta=0.9, resolution=32)
    call(session, "advance", steps=9)
    other = call(session, "recolor", colormap="magma", resolution=32)
    assert other["heatmap"]["rgba"].shape == first["heatmap"]["rgba"].shape
    assert (other["heatmap"]["rgba"] != first["heatmap"]["rgba"]).any()
    assert call(session, "advance", steps=0)["runs"]["step"] == 9


def test_prefetch_warms_the_picture_and_ignores_bad_hints(session):
    app.picture.cache_clear()
    assert call(session, "prefetch", landscape="booth", colormap=None) == {"prefetched": True}
    assert app.picture.cache_info().currsize == 1
    call(session, "scene", landscape="booth")
    assert app.picture.cache_info().hits == 1
    assert call(session, "prefetch", landscape="moon", colormap="x") == {"prefetched": False}
    assert call(session, "prefetch") == {"prefetched": True}  # no hint: the default landscape


def test_scenes_come_without_contours_until_contourpy_is_there(session, monkeypatch):
    monkeypatch.setattr(app, "_contourpy_loaded", False)  # as in the browser before it loads
    scene = call(session, "scene", landscape="booth", resolution=48)
    assert scene["contours"] is None and scene["heatmap"]["rgba"].shape == (48, 48, 4)
    with pytest.raises(ValueError, match="contour lines need contourpy"):
        call(session, "contours", resolution=48)
    assert call(session, "contours_loaded") == {"available": True}
    lines = call(session, "contours", resolution=48)
    assert lines["landscape"] == "booth" and len(lines["contours"]["level_index"]) > 5


def test_warming_computes_every_landscape_once_then_switches_hit_the_cache(session):
    app.picture.cache_clear()
    app._complete.clear()
    remaining = [call(session, "warm", resolution=40)["remaining"] for _ in landscapes.names()]
    assert remaining == list(range(len(landscapes.names()) - 1, -1, -1))
    assert call(session, "warm", resolution=40) == {"remaining": 0}
    misses = app.picture.cache_info().misses
    for key in landscapes.names():
        assert call(session, "scene", landscape=key, resolution=40)["contours"] is not None
    assert app.picture.cache_info().misses == misses, "every switch after warming is a cache hit"


def test_nesterov_at_beta_zero_is_sgd(session):
    call(session, "scene", landscape="bowl", lr=0.1, beta=0.0, resolution=32)
    runs = call(session, "advance", steps=25)["runs"]
    np.testing.assert_array_equal(runs["positions"][runs["keys"].index("nesterov")],
                                  runs["positions"][runs["keys"].index("sgd")])


def test_speed_changes_only_how_fast_the_run_unfolds():
    one, five = app.Session(), app.Session()
    for s in (one, five):
        call(s, "scene", landscape="ravine", lr=0.01, beta=0.9, resolution=32)
    path_one = np.concatenate([call(one, "advance", steps=1)["path"] for _ in range(30)])
    path_five = np.concatenate([call(five, "advance", steps=5)["path"] for _ in range(6)])
    np.testing.assert_array_equal(path_one, path_five)


def test_dropped_particles_roll_downhill_in_screen_time_not_with_the_steps(session):
    call(session, "scene", landscape="himmelblau", resolution=32)
    first = call(session, "drop", points=[[0.5, 0.5], [-1.0, 1.0]])["particles"]
    assert first["count"] == 2
    stepped = call(session, "advance", steps=20)["particles"]  # flow_seconds defaults to 0
    np.testing.assert_array_equal(stepped["xy"], first["xy"])
    np.testing.assert_array_equal(stepped["t"], [0, 0])
    later = call(session, "advance", steps=0, flow_seconds=0.2)["particles"]
    assert (later["loss"] < first["loss"]).all()
    assert (later["t"] > 0).all()
    grid = call(session, "drop_grid", n=10)["particles"]
    assert grid["count"] == 102
    assert call(session, "clear")["particles"]["count"] == 0


def test_diverged_balls_report_finite_numbers(session):
    call(session, "scene", landscape="ravine", lr=0.5, beta=0.9, resolution=32)
    runs = call(session, "advance", steps=200)["runs"]
    assert "diverged" in runs["status"]
    for field in ("positions", "loss", "best"):
        assert np.isfinite(runs[field]).all()


@pytest.mark.parametrize("command, args, message", [
    ("scene", {"landscape": "moon"}, "Unknown landscape 'moon'; valid landscapes are: ravine"),
    ("scene", {"landscape": "bowl", "colormap": "rainbow"}, "Unknown colormap 'rainbow'"),
    ("scene", {"landscape": "bowl", "resolution": 5000}, "Invalid resolution=5000"),
    ("scene", {"landscape": "ravine", "beta": 1.0}, "Invalid momentum=1.0: must be in [0, 1)"),
    ("reset", {"lr": -1}, "Invalid learning rate lr=-1.0"),
    ("reset", {"lr": "1e-3"}, "Invalid lr='1e-3': must be a finite number"),
    ("reset", {"beta": 1.0}, "Invalid momentum=1.0: must be in [0, 1)"),
    ("reset", {"start": [0, None]}, "Invalid y=None"),
    ("advance", {"steps": -3}, "Invalid steps=-3"),
    ("advance", {"steps": 2.0}, "Invalid steps=2.0"),
    ("advance", {"steps": 5, "flow_seconds": -0.1}, "Invalid flow_seconds=-0.1"),
    ("advance", {"steps": 5, "flow_seconds": 0.5}, "Invalid flow_seconds=0.5"),
    ("advance", {"steps": 5, "flow_seconds": "NaN"}, "Invalid flow_seconds='NaN'"),
    ("advance", {"steps": 5, "flow_seconds": float("nan")}, "Invalid flow_seconds=nan"),  # JSON's NaN token
    ("advance", {"steps": 5, "flow_seconds": float("inf")}, "Invalid flow_seconds=inf"),
    ("advance", {"steps": 5, "flow_seconds": True}, "Invalid flow_seconds=True"),
    ("advance", {"steps": 5, "flow_seconds": 0.1, "particle_speed": 0}, "Invalid particle_speed=0"),
    ("advance", {"steps": 5, "flow_seconds": 0.1, "particle_speed": 25}, "Invalid particle_speed=25"),
    ("advance", {"steps": 5, "flow_seconds": 0.1, "particle_speed": "fast"}, "Invalid particle_speed='fast'"),
    ("drop", {"points": [[1, 2, 3]]}, "Invalid point [1, 2, 3]"),
    ("drop_grid", {"n": 1000}, "Invalid grid size n=1000"),
    ("drop_grid", {"n": 5.0}, "Invalid grid size n=5.0"),
    ("field", {"n": 4}, "Invalid field grid size n=4"),
    ("field", {"n": 42}, "Invalid field grid size n=42"),
    ("field", {"n": True}, "Invalid field grid size n=True"),
    ("field", {"n": 21.0}, "Invalid field grid size n=21.0"),
    ("field", {"n": "21"}, "Invalid field grid size n='21'"),
    ("probe", {"x": "__import__('os')"}, "Invalid x="),
])
def test_bad_arguments_raise_a_clear_error_and_keep_the_session(session, command, args, message):
    call(session, "scene", landscape="bowl", lr=0.05, beta=0.9, resolution=32)
    call(session, "drop", points=[[2.0, 1.0], [-1.0, -2.0]])
    call(session, "advance", steps=7, flow_seconds=0.05)
    before = call(session, "advance", steps=0)  # flow_seconds 0: a pure read
    with pytest.raises((ValueError, KeyError)) as err:
        call(session, command, **args)
    assert message in str(err.value)
    after = call(session, "advance", steps=0)
    assert after["runs"]["step"] == before["runs"]["step"] == 7
    np.testing.assert_array_equal(after["runs"]["positions"], before["runs"]["positions"])
    assert session.landscape.key == "bowl" and (session.lr, session.beta) == (0.05, 0.9)
    for field in ("count", "generation", "moving", "settled", "basins"):
        assert after["particles"][field] == before["particles"][field]
    for field in ("xy", "t", "status", "basin", "start", "cell"):
        np.testing.assert_array_equal(after["particles"][field], before["particles"][field])
    assert before["particles"]["count"] == 2 and (before["particles"]["t"] > 0).all()


def test_arguments_are_parsed_as_data_never_executed(session):
    with pytest.raises(ValueError, match="not JSON"):
        app.handle("probe", "{'x': __import__('os').system('false')}", session=session)
    with pytest.raises(ValueError, match="Unknown command"):
        app.handle("__import__", "{}", session=session)


def test_probe_reports_value_and_gradient(session):
    call(session, "scene", landscape="bowl", resolution=32)
    assert call(session, "probe", x=1.0, y=0.5) == {"x": 1.0, "y": 0.5, "f": 1.0, "gx": 1.0, "gy": 2.0}


def test_output_is_strict_json_with_no_nan():
    text, _ = app.handle("scene", json.dumps({"landscape": "beale", "resolution": 64}), session=app.Session())
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-finite constant {c} in the output"))


# ---------------------------------------------------------------------- the eight balls

def test_init_groups_the_optimizers_into_gradient_escape_and_more_methods(session):
    info = call(session, "init")
    groups = {o["key"]: o["group"] for o in info["optimizers"]}
    assert len(groups) == len(optimizers.names()) == 16
    assert {k for k, g in groups.items() if g == "gradient"} == {"sgd", "momentum", "nesterov", "rmsprop", "adam",
                                                                 "adamw"}
    assert {k for k, g in groups.items() if g == "escape"} == {"annealing", "restarts"}
    assert {k for k, g in groups.items() if g == "more"} == {"adagrad", "adadelta", "adamax", "nadam", "radam",
                                                             "rprop", "newton", "lion"}
    assert [o["key"] for o in info["optimizers"] if o["default"]] == ["sgd", "momentum", "nesterov", "rmsprop",
                                                                     "adam", "adamw"]
    assert [o["label"] for o in info["optimizers"]] == [optimizers.label(k) for k in optimizers.names()]


def test_init_describes_every_landscape_as_the_registry_does(session):
    info = call(session, "init")
    for desc, land in zip(info["landscapes"], landscapes.all_landscapes(), strict=True):
        assert desc["key"] == land.key and desc["label"] == land.label
        assert desc["description"] == land.description
        assert desc["notes"] == list(land.notes) and len(desc["notes"]) > 0
        assert desc["axis_labels"] == list(land.axis_labels) and len(desc["axis_labels"]) == 2
        assert desc["domain"] == list(land.domain) and desc["start"] == list(land.start)
        assert desc["lr_range"] == list(land.lr_range)
        assert desc["default_lr"] == land.default_lr and desc["default_beta"] == land.default_beta
        assert desc["steps"] == land.steps
        assert desc["markers"] == [{"label": label, "x": x, "y": y} for label, x, y in land.markers]
        assert desc["minima"] == [{"x": m.x, "y": m.y, "value": m.value, "is_global": m.is_global,
                                   "name": m.label} for m in land.minima]
    wells = next(d for d in info["landscapes"] if d["key"] == "wells")
    assert wells["default_beta"] == landscapes.get("wells").default_beta == 0.95  # not the global 0.9
    assert {m["name"] for m in wells["minima"]} == {"global", "A", "B", "C"}


def test_a_new_session_runs_the_default_landscape_at_its_own_lr_and_beta():
    """Two steps from the start decide lr and β: SGD moves −lr·g₀; Momentum (torch's
    heavy ball, b₁ = g₀) moves −lr·g₀ and then −lr·(β·g₀ + g₁)."""
    s = app.Session()
    land = landscapes.get(app.DEFAULTS["landscape"])
    lr, beta = land.default_lr, land.default_beta
    path = call(s, "advance", steps=2)["path"]
    keys = optimizers.names()
    p0 = np.array(land.start)
    g0 = np.array(land.grad(*p0))
    np.testing.assert_allclose(path[0, keys.index("sgd")], p0 - lr * g0, rtol=1e-12)
    p1 = path[0, keys.index("momentum")]
    np.testing.assert_allclose(p1, p0 - lr * g0, rtol=1e-12)
    g1 = np.array(land.grad(*p1))
    np.testing.assert_allclose(path[1, keys.index("momentum")], p1 - lr * (beta * g0 + g1), rtol=1e-12)


def test_a_scene_without_lr_uses_the_landscapes_default_lr(session):
    land = landscapes.get("wells")
    call(session, "scene", landscape="wells", resolution=32)
    sgd = call(session, "advance", steps=1)["path"][0, optimizers.names().index("sgd")]
    np.testing.assert_allclose(sgd, np.array(land.start) - land.default_lr * np.array(land.grad(*land.start)),
                               rtol=1e-12)


def test_scene_and_reset_carry_each_balls_rule_with_the_current_hyperparameters(session):
    scene = call(session, "scene", landscape="bowl", lr=0.05, beta=0.9, resolution=32)
    assert list(scene["runs"]["rules"]) == optimizers.names()
    assert scene["runs"]["rules"]["sgd"] == "θ ← θ − 0.05·∇f(θ)"  # the update rule, lr filled in
    rules = call(session, "reset", lr=0.03, beta=0.7)["runs"]["rules"]
    assert rules["sgd"] == "θ ← θ − 0.03·∇f(θ)"
    for key in ("momentum", "nesterov", "adam", "adamw"):  # β is their momentum / β₁
        assert "0.7·" in rules[key] and "0.9·" not in rules[key], key
    for key in ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw", "restarts"):
        assert "0.03·" in rules[key], key
    # Simulated annealing uses neither lr nor β: its own defaults, whatever the sliders say.
    assert rules["annealing"] == scene["runs"]["rules"]["annealing"]
    assert "T₀ = 4" in rules["annealing"]
    restarts = optimizers.defaults("restarts")
    assert f"{restarts['n_restarts']} descents of {restarts['steps_per']} steps" in rules["restarts"]


def test_advance_returns_every_balls_path_loss_and_jumps(session):
    land = landscapes.get("bumpy")
    call(session, "scene", landscape="bumpy", lr=0.05, beta=0.9, resolution=32)
    replies = [call(session, "advance", steps=n) for n in (0, 1, 37, 12)]
    for reply, n in zip(replies, (0, 1, 37, 12)):
        assert reply["path"].shape == (n, N_BALLS, 2) and reply["path"].dtype == np.float64
        assert reply["loss"].shape == (n, N_BALLS) and reply["loss"].dtype == np.float64
        assert reply["jumped"].shape == (n, N_BALLS) and reply["jumped"].dtype == np.uint8
        np.testing.assert_array_equal(reply["loss"], land.f(reply["path"][..., 0], reply["path"][..., 1]))
    path = np.concatenate([r["path"] for r in replies])
    assert replies[-1]["runs"]["step"] == 50
    np.testing.assert_array_equal(path[-1], replies[-1]["runs"]["positions"])
    np.testing.assert_array_equal(replies[-1]["loss"][-1], replies[-1]["runs"]["loss"])
    for k, key in enumerate(optimizers.names()):  # each column is that optimizer's own run
        name, hp = optimizers.page_hyperparameters(key, 0.05, 0.9)
        np.testing.assert_array_equal(path[:, k], optimizers.trajectory(name, "bumpy", land.start, 50, **hp)[1:])
    # Only a random restart jumps, and not within its first descent.
    assert not np.concatenate([r["jumped"] for r in replies]).any()


def test_jumped_marks_exactly_where_random_restarts_begins_a_new_descent(session):
    land, lr = landscapes.get("bowl"), 0.05
    d = optimizers.defaults("restarts")
    n_restarts, steps_per = d["n_restarts"], d["steps_per"]
    total = n_restarts * steps_per + 50
    call(session, "scene", landscape="bowl", lr=lr, beta=0.9, resolution=32)
    replies = [call(session, "advance", steps=n) for n in [57] * (total // 57) + [total % 57]]
    path = np.concatenate([r["path"] for r in replies])
    jumped = np.concatenate([r["jumped"] for r in replies])
    k = optimizers.names().index("restarts")
    steps_jumped = set((np.flatnonzero(jumped[:, k]) + 1).tolist())  # row i is step i + 1
    # Descent r ≥ 1 begins at step r·steps_per + 1; the last one ends at n_restarts·steps_per
    # with a move to the best end point, after which the ball rests.
    begins = {r * steps_per + 1 for r in range(1, n_restarts)}
    assert steps_jumped == begins | {n_restarts * steps_per}
    assert not np.delete(jumped, k, axis=1).any()

    # An independent run of the registry's optimizer: the same positions, and they really jump.
    sim = optimizers.simulate("restarts", "bowl", [land.start], total, lr=lr)
    np.testing.assert_array_equal(path[:, k], sim.path[1:, 0])
    p = sim.path[:, 0]  # p[t] = position after step t

    def descend(q):  # one gradient step on the bowl, ∇f = (x, 4y)
        return q - lr * np.array([q[0], 4 * q[1]])

    for t in range(1, n_restarts * steps_per):
        if t in begins:
            assert np.linalg.norm(p[t] - descend(p[t - 1])) > 1e-3, t
            u = p[t] / np.array([1 - lr, 1 - 4 * lr])  # the random start the step began from
            xmin, xmax, ymin, ymax = land.domain
            assert xmin <= u[0] <= xmax and ymin <= u[1] <= ymax, t
        else:
            np.testing.assert_allclose(p[t], descend(p[t - 1]), rtol=1e-12, atol=1e-15)
    last = n_restarts * steps_per
    ends = [p[r * steps_per] for r in range(1, n_restarts)] + [descend(p[last - 1])]
    np.testing.assert_allclose(p[last], min(ends, key=lambda q: land.f(*q)), rtol=1e-12)
    np.testing.assert_array_equal(p[last:], np.broadcast_to(p[last], p[last:].shape))


def _sgd_divergence_step_on_the_bowl(lr: float) -> int:
    """Plain floats, the bowl's formula and run's rule: frozen (diverged) at the first step
    whose loss is not finite or that leaves the disc of ESCAPE_SPANS spans round the centre.
    (The bowl, not the ravine: the ravine's V-shaped walls throw no SGD ball out.)"""
    land = landscapes.get("bowl")
    (x, y), (cx, cy) = land.start, land.center
    for t in range(1, 1000):
        x, y = x - lr * x, y - lr * 4 * y
        with np.errstate(all="ignore"):
            f = float(0.5 * (np.float64(x) ** 2 + 4 * np.float64(y) ** 2))
        if not math.isfinite(f) or math.hypot(x - cx, y - cy) > optimizers.run.ESCAPE_SPANS * land.span:
            return t
    return -1


def test_diverged_step_is_the_step_at_which_each_ball_diverged():
    bulk, stepwise = app.Session(), app.Session()
    for s in (bulk, stepwise):
        call(s, "scene", landscape="bowl", lr=1.0, beta=0.9, resolution=32)
    runs = call(bulk, "advance", steps=300)["runs"]
    keys = runs["keys"]
    assert runs["diverged_step"].dtype == np.int32 and runs["diverged_step"].shape == (N_BALLS,)
    assert runs["diverged_step"][keys.index("sgd")] == _sgd_divergence_step_on_the_bowl(1.0) > 0
    first = np.full(N_BALLS, -1)
    for step in range(1, 301):
        status = call(stepwise, "advance", steps=1)["runs"]["status"]
        for k, st in enumerate(status):
            if st == "diverged" and first[k] < 0:
                first[k] = step
    np.testing.assert_array_equal(runs["diverged_step"], first)
    assert [st == "diverged" for st in runs["status"]] == list(first > 0)
    assert (first > 0).sum() >= 2 and (first < 0).any()
    later = call(bulk, "advance", steps=50)["runs"]
    np.testing.assert_array_equal(later["diverged_step"], runs["diverged_step"])  # set once
    np.testing.assert_array_equal(later["positions"][first > 0], runs["positions"][first > 0])  # frozen
    reset = call(bulk, "reset", lr=0.05)["runs"]
    np.testing.assert_array_equal(reset["diverged_step"], [-1] * N_BALLS)


def test_runs_name_the_basin_each_ball_is_in(session):
    land = landscapes.get("bowl")
    scene = call(session, "scene", landscape="bowl", lr=0.05, beta=0.9, resolution=32)
    assert scene["runs"]["basin"] == ["—"] * N_BALLS  # the start is far from the only minimum
    runs = call(session, "advance", steps=land.steps)["runs"]
    tol = landscapes.base.BASIN_TOLERANCE * land.span
    (m,) = land.minima
    expected = [m.label if math.hypot(x - m.x, y - m.y) <= tol else "—" for x, y in runs["positions"]]
    assert runs["basin"] == expected
    for key in optimizers.GRADIENT_METHODS + ("restarts",):  # every descent converges on a bowl
        assert runs["basin"][runs["keys"].index(key)] == "global", key


# ---------------------------------------------------------------------- particles

def test_particles_flow_with_screen_time_while_the_balls_stay(session):
    call(session, "scene", landscape="bowl", lr=0.05, beta=0.9, resolution=32)
    call(session, "advance", steps=5)
    before = call(session, "drop", points=[[2.0, 1.5]])
    reply = call(session, "advance", steps=0, flow_seconds=0.1)
    assert reply["runs"]["step"] == 5
    assert reply["path"].shape == (0, N_BALLS, 2) and reply["loss"].shape == (0, N_BALLS)
    assert reply["jumped"].shape == (0, N_BALLS)
    np.testing.assert_array_equal(reply["runs"]["positions"], call(session, "advance", steps=0)["runs"]["positions"])
    p = reply["particles"]
    assert p["t"][0] > 0 and p["loss"][0] < before["particles"]["loss"][0]
    assert p["status"].tolist() == [flow.FLOWING] and p["moving"] == 1 and p["settled"] == 0
    np.testing.assert_array_equal(p["start"], [[2.0, 1.5]])


def test_particles_follow_the_exact_gradient_flow_and_come_to_rest_at_the_bowls_minimum(session):
    """On the bowl f = ½(x² + 4y²) the flow dx/dt = −∇f is x(t) = x₀e^(−t), y(t) = y₀e^(−4t)."""
    land = landscapes.get("bowl")
    call(session, "scene", landscape="bowl", resolution=32)
    starts = [[2.0, 1.5], [-2.5, -0.5], [0.3, -2.8], [-1.0, 2.9]]
    call(session, "drop", points=starts)
    frames = 0
    while True:
        p = call(session, "advance", steps=0, flow_seconds=FRAME)["particles"]
        frames += 1
        x0, t = p["start"].astype(float), p["t"].astype(float)
        np.testing.assert_allclose(p["xy"][:, 0], x0[:, 0] * np.exp(-t), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(p["xy"][:, 1], x0[:, 1] * np.exp(-4 * t), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(p["loss"], land.f(p["xy"][:, 0], p["xy"][:, 1]), rtol=1e-5, atol=1e-9)
        assert p["settled"] == np.count_nonzero(p["basin"] >= 0)
        assert p["moving"] == np.count_nonzero(p["status"] == flow.FLOWING)
        if p["moving"] == 0 or frames * FRAME > 4.0:
            break
    assert frames * FRAME <= 4.0, "every particle is at rest within 4 s on screen"
    assert p["status"].tolist() == [flow.AT_REST] * 4 and p["settled"] == 4
    (m,) = land.minima
    assert p["basins"] == [{"label": m.label, "x": m.x, "y": m.y, "known": True}]
    assert p["basin"].dtype == np.int16 and p["basin"].tolist() == [0] * 4
    # At rest means within REST_SPANS of the span of the minimum (float32 slack).
    assert (np.hypot(p["xy"][:, 0] - m.x, p["xy"][:, 1] - m.y) <= flow.REST_SPANS * land.span * 1.001).all()
    still = call(session, "advance", steps=3, flow_seconds=0.25)["particles"]
    np.testing.assert_array_equal(still["xy"], p["xy"])


def test_particles_at_an_unlisted_minimum_found_a_new_basin_they_share(session):
    """Rastrigin lists only its global minimum; its local ones solve 2x + 20π·sin(2πx) = 0 per axis."""
    land = landscapes.get("rastrigin")
    call(session, "scene", landscape="rastrigin", resolution=32)
    call(session, "drop", points=[[3.1, -2.1], [2.9, -1.9], [0.2, 0.1]])
    for _ in range(int(6.0 / FRAME)):
        p = call(session, "advance", steps=0, flow_seconds=FRAME)["particles"]
        if p["moving"] == 0:
            break
    assert p["status"].tolist() == [flow.AT_REST] * 3
    local = []
    for guess in (3.0, -2.0):  # Newton's method on the 1-D derivative
        z = guess
        for _ in range(50):
            z -= (2 * z + 20 * np.pi * np.sin(2 * np.pi * z)) / (2 + 40 * np.pi**2 * np.cos(2 * np.pi * z))
        local.append(z)
    (known,) = land.minima
    assert len(p["basins"]) == 2 and p["basins"][0]["known"] and p["basins"][0]["label"] == known.label
    found = p["basins"][1]
    assert found["known"] is False and found["label"] == f"({found['x']:.3g}, {found['y']:.3g})"
    assert math.hypot(found["x"] - local[0], found["y"] - local[1]) <= 2 * flow.REST_SPANS * land.span
    assert p["basin"].tolist() == [1, 1, 0]


def test_particle_speed_multiplies_the_pace():
    fast, slow = app.Session(), app.Session()
    for s in (fast, slow):
        call(s, "scene", landscape="himmelblau", resolution=32)
        call(s, "drop", points=[[0.5, 0.5], [-1.0, 1.0]])
    a = call(fast, "advance", steps=0, flow_seconds=0.1, particle_speed=2)["particles"]
    b = call(slow, "advance", steps=0, flow_seconds=0.2, particle_speed=1)["particles"]
    np.testing.assert_array_equal(a["xy"], b["xy"])
    c = call(slow, "advance", steps=0, flow_seconds=app.MAX_FLOW_SECONDS)["particles"]  # the bound is allowed
    assert (c["loss"] < b["loss"]).all()


def test_drop_grid_cells_span_the_view_and_clicked_particles_have_none(session):
    land = landscapes.get("ravine")  # a 4 × 6 view: the cells are not square
    call(session, "scene", landscape="ravine", resolution=32)
    clicked = call(session, "drop", points=[[0.0, 1.0]])["particles"]
    np.testing.assert_array_equal(clicked["cell"], [[0.0, 0.0]])
    n = 7
    p = call(session, "drop_grid", n=n)["particles"]
    assert p["count"] == 1 + n * n and p["cell"].shape == (1 + n * n, 2)
    xmin, xmax, ymin, ymax = land.domain
    w, h = (xmax - xmin) / n, (ymax - ymin) / n
    np.testing.assert_array_equal(p["cell"][0], [0.0, 0.0])
    np.testing.assert_allclose(p["cell"][1:], np.tile([w, h], (n * n, 1)), rtol=1e-6)
    # The grid's particles start at the cell centres, covering the view once.
    gx, gy = np.meshgrid(xmin + (np.arange(n) + 0.5) * w, ymin + (np.arange(n) + 0.5) * h)
    expected = np.column_stack([gx.ravel(), gy.ravel()])
    got = p["start"][1:].astype(float)
    np.testing.assert_allclose(got[np.lexsort(got.T)], expected[np.lexsort(expected.T)], rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(p["start"], p["xy"])
    assert p["basin"].tolist() == [-1] * (1 + n * n) and p["status"].tolist() == [flow.FLOWING] * (1 + n * n)


def test_clearing_and_switching_landscape_start_a_new_particle_generation(session):
    g0 = call(session, "scene", landscape="bowl", resolution=32)["particles"]["generation"]
    call(session, "drop", points=[[1.0, 1.0]])
    assert call(session, "drop_grid", n=3)["particles"]["generation"] == g0  # dropping is no new generation
    cleared = call(session, "clear")["particles"]
    assert cleared["generation"] == g0 + 1 and cleared["count"] == 0
    assert cleared["xy"].shape == (0, 2) and cleared["basin"].shape == (0,)
    assert call(session, "clear")["particles"]["generation"] == g0 + 2
    call(session, "drop", points=[[1.0, 1.0]])
    switched = call(session, "scene", landscape="saddle", resolution=32)["particles"]
    assert switched["generation"] == g0 + 3 and switched["count"] == 0
    assert [b["label"] for b in switched["basins"]] == [m.label for m in landscapes.get("saddle").minima]


# ---------------------------------------------------------------------- the gradient field

@pytest.mark.parametrize("key, n", [("bowl", 20), ("ravine", 21), ("himmelblau", 5), ("ackley", 41)])
def test_field_arrows_point_exactly_along_minus_the_gradient(session, key, n):
    land = landscapes.get(key)
    call(session, "scene", landscape=key, resolution=32)
    reply = call(session, "field", n=n)
    assert reply["landscape"] == key
    x, y, u, v = (reply["field"][c] for c in "xyuv")
    assert x.shape == y.shape == u.shape == v.shape == (n * n,)
    xmin, xmax, ymin, ymax = land.domain
    cw, ch = (xmax - xmin) / n, (ymax - ymin) / n
    assert sorted(set(np.round(x, 9))) == pytest.approx(xmin + (np.arange(n) + 0.5) * cw)
    assert sorted(set(np.round(y, 9))) == pytest.approx(ymin + (np.arange(n) + 0.5) * ch)
    gx, gy = (np.asarray(g, float) for g in land.grad(x, y))
    g = np.hypot(gx, gy)
    arrow = np.hypot(u, v)
    ok = np.isfinite(g) & (g > 0)
    assert ok.sum() >= n * n - 1
    cross = u * gy - v * gx
    assert (np.abs(cross[ok]) <= 1e-12 * arrow[ok] * g[ok]).all()  # parallel to ∇f ...
    assert (u[ok] * gx[ok] + v[ok] * gy[ok] < 0).all()  # ... and pointing against it
    assert (arrow[ok] > 0).all() and (arrow <= min(cw, ch)).all()  # readable, within a cell
    assert (arrow[~ok] == 0).all()


def test_field_follows_the_current_landscape_and_defaults_to_a_21_grid(session):
    call(session, "scene", landscape="bowl", resolution=32)
    bowl = call(session, "field")
    assert bowl["field"]["x"].shape == (21 * 21,)
    call(session, "scene", landscape="saddle", resolution=32)
    saddle = call(session, "field")
    assert saddle["landscape"] == "saddle"
    np.testing.assert_array_equal(saddle["field"]["x"], bowl["field"]["x"])  # same view
    # bowl: −∇f = (−x, −4y); saddle: −∇f = (−x, y − y³/4 − ε): the y-components differ in sign near the x-axis.
    i = np.argmin(np.abs(bowl["field"]["y"] - 0.5 * 6 / 21) + np.abs(bowl["field"]["x"]))
    assert bowl["field"]["v"][i] < 0 < saddle["field"]["v"][i]


@pytest.mark.parametrize("command, args", [
    ("scene", {"landscape": "bowl", "resolution": [64]}),
    ("recolor", {"resolution": {}}),
    ("warm", {"resolution": [1]}),
    ("contours", {"resolution": True}),
])
def test_an_unhashable_resolution_is_a_clear_error(session, command, args):
    with pytest.raises(ValueError, match="Invalid resolution="):
        call(session, command, **args)


def test_a_scene_without_beta_takes_the_landscapes_own_default_beta(session):
    wells = landscapes.get("wells")
    assert wells.default_beta != app.DEFAULTS["beta"]  # else this test shows nothing
    call(session, "scene", landscape="wells", resolution=64)
    assert session.beta == wells.default_beta and session.lr == wells.default_lr


# ---------------------------------------------------------------------- comparing (more: test_app_compare.py)

def test_noise_settings_arrows_and_the_sweep_end_to_end(session):
    """One pass over the comparing features, also run inside Pyodide: a noisy ball with its
    own settings is reproduced by optimizers.simulate, the arrows are finite and the
    gradient arrow is −∇f, and the sweep answers one row per lr-taking key."""
    land = landscapes.get("bumpy")
    reply = call(session, "scene", landscape="bumpy", lr=0.05, beta=0.9, resolution=32, noise=0.75,
                 settings={"adam": {"lr": 0.02, "betas": [0.8, 0.99]}, "adam ": {"lr": 1}})
    assert reply["settings"] == {"adam": {"lr": 0.02, "betas": [0.8, 0.99]}}
    assert [(p["key"], p["param"]) for p in reply["problems"]] == [("adam ", None)]
    runs = call(session, "advance", steps=30)["runs"]
    k = runs["keys"].index("adam")
    sim = optimizers.simulate("adam", "bumpy", [land.start], 30, noise=0.75, noise_seed=0, lr=0.02, betas=(0.8, 0.99))
    np.testing.assert_array_equal(runs["positions"][k], sim.path[-1, 0])
    gx, gy = land.grad(runs["positions"][:, 0], runs["positions"][:, 1])
    np.testing.assert_array_equal(runs["arrows"]["gradient"], -np.column_stack([gx, gy]))
    assert all(np.isfinite(runs["arrows"][a]).all() for a in ("gradient", "step", "velocity"))
    sweep = call(session, "sweep", keys=["sgd", "annealing", "lion"], steps=20, points=8)
    assert [r["key"] for r in sweep["rows"]] == ["sgd", "lion"] and sweep["skipped"] == ["annealing"]
    assert sweep["lrs"].shape == sweep["rows"][0]["final"].shape == (8,)
