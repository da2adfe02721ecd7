"""The bridge for comparing optimizers (issue 10): the catalog, per-optimizer settings
validated field by field, gradient noise, the state arrows and the learning-rate sweep.
numpy and pytest only (as tests/test_app.py)."""

import json
import math

import numpy as np
import pytest

import app
import landscapes
import optimizers
from optimizers import run
from test_app import call  # handle() → decoded reply, failing on any NaN/Infinity constant

BOWL = landscapes.get("bowl")  # f = ½(x² + 4y²), ∇f = (x, 4y), its minimum 0 at the origin
CARD = ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"]
MORE = ["adagrad", "adadelta", "adamax", "nadam", "radam", "rprop", "newton", "lion"]
WITH_VELOCITY = {"momentum", "nesterov", "adam", "adamw", "adamax", "nadam", "radam", "lion"}


@pytest.fixture
def session():
    s = app.Session()
    call(s, "scene", landscape="bowl", lr=0.05, beta=0.9, resolution=32)
    return s


def grad_bowl(p):
    p = np.asarray(p, float)
    return np.stack([p[..., 0], 4 * p[..., 1]], axis=-1)


# ---------------------------------------------------------------------- the catalog

def test_init_describes_every_optimizer_for_the_page():
    info = call(app.Session(), "init")
    entries = {o["key"]: o for o in info["optimizers"]}
    assert list(entries) == CARD + ["annealing", "restarts"] + MORE
    for key, o in entries.items():
        assert o["default"] is (key in CARD)
        assert o["group"] == ("gradient" if key in CARD else "escape" if key in ("annealing", "restarts") else "more")
        assert o["has_velocity"] is (key in WITH_VELOCITY), key
        specs = optimizers.hyperparameter_specs(key)
        assert [h["name"] for h in o["hyperparameters"]] == [s["name"] for s in specs]
        for h, spec in zip(o["hyperparameters"], specs):
            assert h["kind"] == spec["kind"]
            assert h["default"] == (list(spec["default"]) if spec["kind"] == "pair" else spec["default"])
        page = {h["name"] for h in o["hyperparameters"] if h["page"]}
        expected = {"annealing": set(), "newton": set(), "adadelta": set(), "momentum": {"lr", "momentum"}, "nesterov": {"lr", "momentum"},
                    "adam": {"lr", "betas"}, "adamw": {"lr", "betas"}}.get(key, {"lr"})
        assert page == expected, key
    assert info["defaults"]["noise"] == 0.0 and info["defaults"]["sweep_steps"] == 500
    assert info["limits"]["noise"] == [0.0, run.MAX_NOISE]
    assert info["limits"]["sweep_steps"] == [10, 5000] and info["limits"]["sweep_points"] == [8, 128]


def test_a_session_runs_every_registered_optimizer_as_a_ball(session):
    reply = call(session, "advance", steps=3)
    assert reply["runs"]["keys"] == optimizers.names() and len(optimizers.names()) == 16
    assert reply["path"].shape == (3, 16, 2)
    assert len(reply["runs"]["status"]) == 16


# ---------------------------------------------------------------------- settings

def test_settings_are_applied_and_the_ball_runs_with_them(session):
    settings = {"adam": {"lr": 0.01, "betas": [0.8, 0.99], "amsgrad": True},
                "rmsprop": {"momentum": 0.5, "centered": True}, "newton": {"lr": 1.0}}
    reply = call(session, "reset", settings=settings)
    assert reply["problems"] == [] and reply["settings"] == settings == reply["runs"]["settings"]
    hp = reply["runs"]["hyperparameters"]
    assert hp["adam"] == {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-8, "weight_decay": 0.0, "amsgrad": True}
    assert hp["sgd"]["lr"] == 0.05 and hp["momentum"]["momentum"] == 0.9  # the shared lr and β
    assert hp["adamw"]["betas"] == [0.9, 0.999]
    path = call(session, "advance", steps=40)["path"]
    keys = optimizers.names()
    expected = {"adam": optimizers.trajectory("adam", BOWL, BOWL.start, 40, lr=0.01, betas=(0.8, 0.99), amsgrad=True),
                "rmsprop": optimizers.trajectory("rmsprop", BOWL, BOWL.start, 40, lr=0.05, momentum=0.5,
                                                 centered=True),
                "newton": optimizers.trajectory("newton", BOWL, BOWL.start, 40, lr=1.0),
                "sgd": optimizers.trajectory("sgd", BOWL, BOWL.start, 40, lr=0.05)}
    for key, traj in expected.items():
        np.testing.assert_array_equal(path[:, keys.index(key)], traj[1:], err_msg=key)
    # pure Newton on a quadratic lands on the minimum in one step
    np.testing.assert_allclose(path[0, keys.index("newton")], [0, 0], atol=1e-15)


def test_each_field_is_tried_on_top_of_the_accepted_ones_and_refused_ones_are_reported(session):
    settings = {"sgd": {"nesterov": True, "momentum": 0.9},   # momentum comes first: both fine
                "momentum": {"momentum": 0.0, "dampening": 1.5},
                "adam": {"eps": -1, "amsgrad": 1, "weight_decay": 0.1, "foo": 2, "betas": 0.9},
                "moon": {"lr": 1},
                "lion": "fast",
                "nesterov": {"momentum": 0.5},
                "annealing": {"lr": 0.1, "seed": 2**60}}
    reply = call(session, "reset", settings=settings)
    assert reply["settings"] == {"sgd": {"momentum": 0.9, "nesterov": True}, "momentum": {"momentum": 0.0},
                                 "nesterov": {"momentum": 0.5}, "adam": {"weight_decay": 0.1}}
    got = [(p["key"], p["param"], p["value"]) for p in reply["problems"]]
    assert got == [("moon", None, {"lr": 1}), ("momentum", "dampening", 1.5),
                   ("adam", "betas", 0.9), ("adam", "eps", -1), ("adam", "amsgrad", 1), ("adam", "foo", 2),
                   ("annealing", "seed", 2**60), ("annealing", "lr", 0.1), ("lion", None, "fast")]
    messages = {(p["key"], p["param"]): p["message"] for p in reply["problems"]}
    assert messages["moon", None].startswith("Unknown optimizer 'moon'; valid optimizers are: sgd, momentum")
    assert messages["momentum", "dampening"] == "Invalid dampening=1.5: must be in [0, 1]"
    assert messages["adam", "betas"] == "Invalid betas=0.9: must be a pair [a, b] of numbers"
    assert messages["adam", "eps"] == "Invalid eps=-1: must be a finite number > 0"
    assert messages["adam", "amsgrad"] == "Invalid amsgrad=1: must be true or false"
    assert messages["adam", "foo"].startswith("Unknown hyperparameter 'foo' for optimizer 'adam'; valid ones are: lr")
    assert "at most 9007199254740991" in messages["annealing", "seed"]
    assert messages["annealing", "lr"].startswith("Unknown hyperparameter 'lr' for optimizer 'annealing'")
    assert "must be an object" in messages["lion", None]
    hp = reply["runs"]["hyperparameters"]
    assert hp["sgd"]["nesterov"] is True and hp["adam"]["weight_decay"] == 0.1 and hp["adam"]["eps"] == 1e-8


def test_a_field_refused_because_of_an_earlier_one_names_the_rule(session):
    reply = call(session, "reset", settings={"sgd": {"momentum": 0, "nesterov": True}})
    assert reply["settings"] == {"sgd": {"momentum": 0}}
    (problem,) = reply["problems"]
    assert problem["param"] == "nesterov" and "Nesterov momentum requires a momentum > 0" in problem["message"]


def test_a_refused_value_that_is_not_finite_json_is_echoed_as_text(session):
    text, arrays = app.handle("reset", '{"settings": {"adam": {"eps": NaN, "lr": [1, 2]}}}', session=session)
    reply = json.loads(text, parse_constant=lambda c: pytest.fail(c))
    values = {p["param"]: p["value"] for p in reply["problems"]}
    assert values == {"eps": "nan", "lr": [1, 2]}
    assert reply["settings"] == {}


def test_settings_persist_until_replaced_and_follow_a_landscape_switch(session):
    call(session, "reset", settings={"adam": {"lr": 0.01}})
    assert call(session, "reset", lr=0.02)["settings"] == {"adam": {"lr": 0.01}}
    scene = call(session, "scene", landscape="ravine", resolution=32)
    assert scene["settings"] == {"adam": {"lr": 0.01}} and scene["runs"]["hyperparameters"]["adam"]["lr"] == 0.01
    assert scene["runs"]["hyperparameters"]["sgd"]["lr"] == landscapes.get("ravine").default_lr
    assert call(session, "reset", settings={})["settings"] == {}


def test_nesterov_settings_at_beta_zero(session):
    """At a shared β of 0 Nesterov runs as SGD; its own momentum makes it Nesterov again,
    and its own momentum 0 at a shared β > 0 makes it SGD."""
    call(session, "reset", beta=0.0, settings={"nesterov": {"momentum": 0.5}})
    path = call(session, "advance", steps=20)["path"][:, optimizers.names().index("nesterov")]
    np.testing.assert_array_equal(path, optimizers.trajectory("nesterov", BOWL, BOWL.start, 20, lr=0.05,
                                                              momentum=0.5)[1:])
    call(session, "reset", beta=0.9, settings={"nesterov": {"momentum": 0, "weight_decay": 0.2}})
    path = call(session, "advance", steps=20)["path"][:, optimizers.names().index("nesterov")]
    np.testing.assert_array_equal(path, optimizers.trajectory("sgd", BOWL, BOWL.start, 20, lr=0.05,
                                                              weight_decay=0.2)[1:])


@pytest.mark.parametrize("args, message", [
    ({"settings": [1, 2]}, "Invalid settings=[1, 2]: must be an object"),
    ({"settings": {"adam": {f"p{i}": 1 for i in range(201)}}}, "Invalid settings: 201 fields, more than 200"),
    ({"settings": {"adam": {"lr": 0.1}}, "lr": -1}, "Invalid learning rate lr=-1.0"),
    ({"settings": {"adam": {"lr": 0.1}}, "noise": -1}, "Invalid noise=-1"),
    ({"noise": run.MAX_NOISE + 1}, "Invalid noise=101"),
    ({"noise": "1"}, "Invalid noise='1'"),
    ({"seed": -2}, "Invalid seed=-2"),
    ({"seed": 1.0}, "Invalid seed=1.0"),
])
def test_a_refused_reset_leaves_the_session_as_it_was(session, args, message):
    call(session, "reset", noise=0.5, seed=3, settings={"rmsprop": {"alpha": 0.9}})
    before = call(session, "advance", steps=7)["runs"]
    with pytest.raises(ValueError) as err:
        call(session, "reset", **args)
    assert message in str(err.value)
    after = call(session, "advance", steps=0)["runs"]
    assert after["step"] == 7 and after["settings"] == {"rmsprop": {"alpha": 0.9}} and after["noise"] == 0.5
    np.testing.assert_array_equal(after["positions"], before["positions"])
    assert (session.lr, session.beta, session.noise, session.seed) == (0.05, 0.9, 0.5, 3)


def test_a_refused_scene_leaves_the_session_as_it_was(session):
    call(session, "reset", settings={"adam": {"lr": 0.01}})
    with pytest.raises(ValueError, match="Invalid noise=-3"):
        call(session, "scene", landscape="ravine", resolution=32, noise=-3, settings={})
    assert session.landscape.key == "bowl" and session.settings == {"adam": {"lr": 0.01}}


# ---------------------------------------------------------------------- arrows

def test_arrows_before_the_first_step_are_the_gradient_only(session):
    arrows = call(session, "reset")["runs"]["arrows"]
    np.testing.assert_array_equal(arrows["gradient"], -np.tile(grad_bowl(BOWL.start), (16, 1)))
    np.testing.assert_array_equal(arrows["step"], np.zeros((16, 2)))
    np.testing.assert_array_equal(arrows["velocity"], np.zeros((16, 2)))
    assert arrows["has_velocity"].dtype == np.uint8 and arrows["has_velocity"].tolist() == [0] * 16


@pytest.mark.parametrize("chunks", [(1,), (7,), (3, 1, 9)])
def test_arrows_are_the_gradient_the_step_and_the_velocity(session, chunks):
    lr, beta = 0.05, 0.9
    start = np.tile(BOWL.start, (16, 1))
    path = np.concatenate([start[None]] + [call(session, "advance", steps=n)["path"] for n in chunks])
    reply = call(session, "advance", steps=0)["runs"]
    arrows, keys = reply["arrows"], reply["keys"]
    np.testing.assert_array_equal(reply["positions"], path[-1])
    np.testing.assert_array_equal(arrows["gradient"], -grad_bowl(path[-1]))
    np.testing.assert_array_equal(arrows["step"], path[-1] - path[-2])
    assert arrows["has_velocity"].tolist() == [int(k in WITH_VELOCITY) for k in keys]
    # Momentum: θ ← θ − lr·b, so its velocity −lr·b is its step.
    k = keys.index("momentum")
    np.testing.assert_allclose(arrows["velocity"][k], path[-1, k] - path[-2, k], rtol=1e-12)
    # Adam: m ← β₁m + (1 − β₁)g over the gradients at the path's points; velocity −lr/(1 − β₁ᵗ)·m.
    k = keys.index("adam")
    m = np.zeros(2)
    for p in path[:-1, k]:
        m = beta * m + (1 - beta) * grad_bowl(p)
    t = len(path) - 1
    np.testing.assert_allclose(arrows["velocity"][k], -lr / (1 - beta**t) * m, rtol=1e-12)
    for key in set(keys) - WITH_VELOCITY:
        np.testing.assert_array_equal(arrows["velocity"][keys.index(key)], [0, 0])


def test_the_gradient_arrow_is_exact_while_the_step_carries_the_noise(session):
    call(session, "reset", noise=2.0)
    before = call(session, "advance", steps=4)["runs"]["positions"]
    reply = call(session, "advance", steps=1)
    arrows, k = reply["runs"]["arrows"], optimizers.names().index("sgd")
    np.testing.assert_array_equal(arrows["gradient"], -grad_bowl(reply["runs"]["positions"]))
    assert reply["runs"]["noise"] == 2.0
    noiseless_step = -0.05 * grad_bowl(before[k])
    assert np.abs(arrows["step"][k] - noiseless_step).max() > 1e-3


def test_diverging_balls_send_finite_arrows_and_strict_json():
    s = app.Session()
    # The bowl (curvature 4): at lr 1 SGD, Momentum and Nesterov all diverge; the ravine's
    # V-shaped walls throw none of them out.
    call(s, "scene", landscape="bowl", lr=1.0, beta=0.9, resolution=32, settings={"newton": {"lr": 1e6}})
    for _ in range(4):
        reply = call(s, "advance", steps=100)  # call() fails on any NaN/Infinity in the JSON
    runs = reply["runs"]
    assert runs["status"].count("diverged") >= 3
    for name in ("gradient", "step", "velocity"):
        assert np.isfinite(runs["arrows"][name]).all(), name
    for field in ("positions", "loss", "best"):
        assert np.isfinite(runs[field]).all()


def test_newton_comes_to_rest_as_converged(session):
    call(session, "reset", settings={"newton": {"lr": 1.0}})
    runs = call(session, "advance", steps=3)["runs"]
    assert runs["status"][runs["keys"].index("newton")] == "converged"
    assert runs["status"][runs["keys"].index("annealing")] == "running"


# ---------------------------------------------------------------------- the sweep

def sgd_on_the_bowl(lrs, steps, threshold, weight_decay=0.0):
    """Per lr, by hand: SGD on the bowl (+ weight decay λ: g = ((1 + λ)x, (4 + λ)y)), the
    first step with f < threshold (target 0) and the step at which it left the disc of
    ESCAPE_SPANS spans round the view's centre (−1 if never)."""
    reached, diverged = [], []
    r2 = (run.ESCAPE_SPANS * BOWL.span) ** 2
    for lr in lrs:
        x, y = BOWL.start
        hit, out = -1, -1
        for t in range(1, steps + 1):
            x, y = x - lr * (x + weight_decay * x), y - lr * (4 * y + weight_decay * y)
            if (x - BOWL.center[0]) ** 2 + (y - BOWL.center[1]) ** 2 > r2:
                out = t
                break
            if hit < 0 and 0.5 * (x * x + 4 * y * y) < threshold:
                hit = t
        reached.append(hit)
        diverged.append(out)
    return np.array(reached), np.array(diverged)


def test_sweep_reply_matches_sgd_by_hand(session):
    reply = call(session, "sweep", keys=["sgd", "annealing", "adam"], steps=300, points=16)
    lrs = np.geomspace(*BOWL.lr_range, 16)
    np.testing.assert_allclose(reply["lrs"], lrs, rtol=1e-12)
    assert reply["landscape"] == "bowl" and reply["steps"] == 300 and reply["threshold"] == 1e-3
    assert reply["target"] == 0.0 and reply["skipped"] == ["annealing"] and reply["elapsed_ms"] >= 0
    assert [r["key"] for r in reply["rows"]] == ["sgd", "adam"]
    sgd = reply["rows"][0]
    for field, dtype in (("final", np.float64), ("best", np.float64), ("reached", np.int32), ("diverged", np.int32)):
        assert sgd[field].shape == (16,) and sgd[field].dtype == dtype, field
    reached, diverged = sgd_on_the_bowl(lrs, 300, 1e-3)
    np.testing.assert_array_equal(sgd["reached"], reached)
    np.testing.assert_array_equal(sgd["diverged"], diverged)
    first = int(np.argmax(reached >= 0))
    assert (reached[first:] >= 0).all() and sgd["band"] == [lrs[first], lrs[-1]]


def test_sweep_uses_each_keys_settings_the_shared_beta_and_the_noise(session):
    call(session, "reset", settings={"sgd": {"weight_decay": 0.5, "lr": 0.3}})
    reply = call(session, "sweep", keys=["sgd", "momentum"], steps=500, points=64)
    lrs = reply["lrs"]
    reached, diverged = sgd_on_the_bowl(lrs, 500, 1e-3, weight_decay=0.5)
    sgd = reply["rows"][0]
    np.testing.assert_array_equal(sgd["reached"], reached)
    np.testing.assert_array_equal(sgd["diverged"], diverged)
    assert diverged[-1] > 0 and (diverged[:-1] < 0).all()  # 1 − 0.45·4.5 < −1: only the last lr
    assert sgd["band"][1] == lrs[-2]
    direct = optimizers.sweep(["momentum"], BOWL, BOWL.start, points=64, steps=500,
                              settings={"momentum": {"momentum": 0.9}})
    np.testing.assert_array_equal(reply["rows"][1]["final"], direct.rows[0]["final"])
    call(session, "reset", noise=1.0, seed=4)
    noisy = call(session, "sweep", keys=["momentum"], steps=500, points=64)["rows"][0]
    direct = optimizers.sweep(["momentum"], BOWL, BOWL.start, points=64, steps=500, noise=1.0, seed=4,
                              settings={"momentum": {"momentum": 0.9}})
    np.testing.assert_array_equal(noisy["final"], direct.rows[0]["final"])


def test_sweep_of_nesterov_at_beta_zero_is_sgds(session):
    call(session, "reset", beta=0.0)
    rows = call(session, "sweep", keys=["nesterov", "sgd"], steps=100, points=8)["rows"]
    assert [r["key"] for r in rows] == ["nesterov", "sgd"]
    for field in ("final", "best", "reached", "diverged"):
        np.testing.assert_array_equal(rows[0][field], rows[1][field])


def test_a_sweep_of_annealing_alone_has_no_rows(session):
    reply = call(session, "sweep", keys=["annealing"])
    assert reply["rows"] == [] and reply["skipped"] == ["annealing"] and reply["lrs"].shape == (64,)


def test_a_diverging_sweep_sends_finite_numbers():
    s = app.Session()
    call(s, "scene", landscape="beale", resolution=32)
    reply = call(s, "sweep", keys=CARD + MORE, steps=200, points=16)  # call() fails on NaN/Infinity
    assert any((r["diverged"] >= 0).any() for r in reply["rows"])
    for r in reply["rows"]:
        assert np.isfinite(r["final"]).all() and np.isfinite(r["best"]).all(), r["key"]


@pytest.mark.parametrize("args, message", [
    ({}, "Invalid keys=None: must be a non-empty list"),
    ({"keys": []}, "Invalid keys=[]"),
    ({"keys": "sgd"}, "Invalid keys='sgd'"),
    ({"keys": ["sgd", "moon"]}, "Unknown optimizer 'moon' in keys; valid optimizers are: sgd, momentum"),
    ({"keys": ["sgd", "sgd"]}, "each optimizer at most once"),
    ({"keys": ["sgd"], "steps": 9}, "Invalid steps=9: must be an integer in [10, 5000]"),
    ({"keys": ["sgd"], "steps": 5001}, "Invalid steps=5001"),
    ({"keys": ["sgd"], "steps": 100.0}, "Invalid steps=100.0"),
    ({"keys": ["sgd"], "points": 7}, "Invalid points=7: must be an integer in [8, 128]"),
    ({"keys": ["sgd"], "points": 129}, "Invalid points=129"),
    ({"keys": ["sgd"], "threshold": 0}, "Invalid threshold=0: must be a finite number > 0"),
    ({"keys": ["sgd"], "threshold": "big"}, "Invalid threshold='big'"),
])
def test_bad_sweeps_are_refused_and_change_nothing(session, args, message):
    before = call(session, "advance", steps=5)["runs"]
    with pytest.raises(ValueError) as err:
        call(session, "sweep", **args)
    assert message in str(err.value)
    after = call(session, "advance", steps=0)["runs"]
    assert after["step"] == 5
    np.testing.assert_array_equal(after["positions"], before["positions"])


def test_a_sweep_leaves_the_balls_alone(session):
    before = call(session, "advance", steps=12)["runs"]
    call(session, "sweep", keys=["adam"], steps=50, points=8)
    after = call(session, "advance", steps=0)["runs"]
    assert after["step"] == 12
    np.testing.assert_array_equal(after["positions"], before["positions"])
    assert math.isfinite(after["loss"][0])
