"""scenes: the scene description (validation, JSON), exact reproduction of the page's balls
(app.Session), gradient-flow curves, the CSV, the page's number formatter, the script."""

import ast
import csv
import dataclasses
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import app
import landscapes
import optimizers
import scenes
from optimizers import flow

ROOT = Path(__file__).resolve().parent.parent


def scene(**fields):
    return scenes.Scene.from_dict({"landscape": "bowl", **fields})


TYPED = {"expression": "log(x) + y**2", "domain": [-1.0, 3.0, -3.0, 3.0]}  # undefined for x ≤ 0


def typed_scene(**fields):
    return scenes.Scene.from_dict({"landscape": "custom", "custom": TYPED, "start": [2.0, 2.0], "lr": 0.05,
                                   "beta": 0.9, **fields})


# ---------------------------------------------------------------------- validation

def test_a_landscape_alone_takes_its_own_defaults_and_the_pages():
    wells = landscapes.get("wells")
    s = scenes.Scene.from_dict({"landscape": "wells"})
    assert (s.start, s.lr, s.beta, s.steps) == (wells.start, wells.default_lr, wells.default_beta, wells.steps)
    assert (s.noise, s.seed, s.show, s.settings, s.particles) == (0.0, 0, optimizers.GRADIENT_METHODS, (), ())


def test_values_are_normalised_to_plain_floats_and_tuples():
    s = scenes.Scene.from_dict({"landscape": "ravine", "start": [np.float64(-2), 4], "lr": 1, "beta": 0,
                                "steps": np.int64(12), "particles": [[0, 1], (2.5, np.float32(3))],
                                "show": ["adam", "sgd"], "settings": {"adam": {"betas": [0.9, 0.99], "lr": 0.01}}})
    assert s.start == (-2.0, 4.0) and type(s.start[0]) is float
    assert (s.lr, s.beta, s.steps) == (1.0, 0.0, 12) and type(s.lr) is float and type(s.steps) is int
    assert s.particles == ((0.0, 1.0), (2.5, 3.0))
    assert s.show == ("adam", "sgd")  # the page's order is kept
    assert s.settings == (("adam", (("lr", 0.01), ("betas", (0.9, 0.99)))),)  # hyperparameter_specs order
    assert s.settings_of("adam") == {"lr": 0.01, "betas": (0.9, 0.99)} and s.settings_of("sgd") == {}
    hash(s)  # frozen all the way down


def test_settings_follow_registry_order_and_drop_empty_objects():
    s = scene(settings={"lion": {"lr": 0.001}, "sgd": {}, "adam": {"amsgrad": True}})
    assert [k for k, _ in s.settings] == ["adam", "lion"]


BAD = [
    ([], ValueError, "Invalid scene=[]: must be an object"),
    ({}, ValueError, "the field 'landscape' is missing"),
    ({"landscape": "bowl", "zoom": 2}, ValueError, "Unknown scene field 'zoom'; valid fields are: landscape, start"),
    ({"landscape": 3}, ValueError, "Invalid landscape=3: must be a landscape key"),
    ({"landscape": "nope"}, KeyError, "Unknown landscape 'nope'; valid landscapes are: ravine"),
    ({"landscape": "bowl\"); import os; ("}, KeyError, "Unknown landscape"),
    ({"landscape": "bowl", "start": [1]}, ValueError, "Invalid start=[1]: must be a pair"),
    ({"landscape": "bowl", "start": "1,2"}, ValueError, "Invalid start='1,2'"),
    ({"landscape": "bowl", "start": [1, float("nan")]}, ValueError, "Invalid start[1]=nan: must be a finite number"),
    ({"landscape": "bowl", "start": [True, 1]}, ValueError, "Invalid start[0]=True"),
    ({"landscape": "bowl", "lr": 0}, ValueError, "Invalid lr=0: must be a finite number > 0"),
    ({"landscape": "bowl", "lr": "0.1"}, ValueError, "Invalid lr='0.1'"),
    ({"landscape": "bowl", "lr": float("inf")}, ValueError, "Invalid lr=inf"),
    ({"landscape": "bowl", "beta": 1.0}, ValueError, "Invalid beta=1.0: must be in [0, 1)"),
    ({"landscape": "bowl", "beta": -0.1}, ValueError, "Invalid beta=-0.1"),
    ({"landscape": "bowl", "noise": -1}, ValueError, "Invalid noise=-1"),
    ({"landscape": "bowl", "noise": 101}, ValueError, "Invalid noise=101: must be a finite number in [0, 100]"),
    ({"landscape": "bowl", "seed": -1}, ValueError, "Invalid seed=-1"),
    ({"landscape": "bowl", "seed": 1.5}, ValueError, "Invalid seed=1.5"),
    ({"landscape": "bowl", "seed": True}, ValueError, "Invalid seed=True"),
    ({"landscape": "bowl", "show": "sgd"}, ValueError, "Invalid show='sgd': must be a list"),
    ({"landscape": "bowl", "show": ["sgd", "adam", "sgd"]}, ValueError, "'sgd' is listed twice"),
    ({"landscape": "bowl", "show": ["nope"]}, KeyError, "Unknown optimizer 'nope'; valid optimizers are: sgd"),
    ({"landscape": "bowl", "show": [1]}, ValueError, "Invalid show entry 1"),
    ({"landscape": "bowl", "show": ["sgd"] * 17}, ValueError, "Invalid show: 17 entries, more than 16"),
    ({"landscape": "bowl", "settings": []}, ValueError, "Invalid settings=[]: must be an object"),
    ({"landscape": "bowl", "settings": {"nope": {}}}, KeyError, "Unknown optimizer 'nope'"),
    ({"landscape": "bowl", "settings": {"adam": 3}}, ValueError, "Invalid settings['adam']=3"),
    ({"landscape": "bowl", "settings": {"adam": {"bogus": 1}}}, ValueError,
     "Unknown hyperparameter 'bogus' for optimizer 'adam' in settings; valid ones are: lr, betas"),
    ({"landscape": "bowl", "settings": {"adam": {"betas": [0.9]}}}, ValueError, "must be a pair"),
    ({"landscape": "bowl", "settings": {"adam": {"betas": [0.9, 1.5]}}}, ValueError,
     "settings['adam']: Invalid betas[1]=1.5: must be in [0, 1)"),
    ({"landscape": "bowl", "settings": {"adam": {"amsgrad": 1}}}, ValueError,
     "Invalid settings['adam']['amsgrad']=1: must be true or false"),
    ({"landscape": "bowl", "settings": {"adam": {"lr": "0.1"}}}, ValueError, "must be a number"),
    ({"landscape": "bowl", "settings": {"sgd": {"lr": -1}}}, ValueError, "Invalid learning rate lr=-1"),
    ({"landscape": "bowl", "settings": {"annealing": {"seed": 2**60}}}, ValueError, "at most 9007199254740991"),
    ({"landscape": "bowl", "settings": {"restarts": {"n_restarts": 0}}}, ValueError, "Invalid n_restarts=0"),
    ({"landscape": "bowl", "settings": {"sgd": {"nesterov": True}}}, ValueError, "Nesterov momentum requires"),
    ({"landscape": "bowl", "steps": -1}, ValueError, "Invalid steps=-1"),
    ({"landscape": "bowl", "steps": 100_001}, ValueError, "at most 100,000"),
    ({"landscape": "bowl", "steps": 1.5}, ValueError, "Invalid steps=1.5"),
    ({"landscape": "bowl", "particles": "x"}, ValueError, "Invalid particles='x': must be a list"),
    ({"landscape": "bowl", "particles": [[0, 0]] * 5001}, ValueError, "5,001 entries, more than 5,000"),
    ({"landscape": "bowl", "particles": [[1, 2, 3]]}, ValueError, "Invalid particles[0]=[1, 2, 3]"),
]


@pytest.mark.parametrize("data, error, message", BAD, ids=[str(i) for i in range(len(BAD))])
def test_a_bad_field_is_refused_naming_it(data, error, message):
    with pytest.raises(error, match=re.escape(message)):
        scenes.Scene.from_dict(data)


def test_echoed_values_are_cut_to_80_characters():
    with pytest.raises(ValueError) as err:
        scene(lr="x" * 500)
    assert len(str(err.value)) < 140 and "…" in str(err.value)


def test_the_constructor_validates_too():
    with pytest.raises(ValueError, match="Invalid lr=-1"):
        scenes.Scene(landscape="bowl", start=(0, 0), lr=-1, beta=0.9)
    s = scenes.Scene(landscape="bowl", start=(1, 2), lr=0.1, beta=0.5, settings={"adam": {"betas": [0.8, 0.9]}})
    assert s.settings == (("adam", (("betas", (0.8, 0.9)),)),)
    assert dataclasses.replace(s, steps=5) == scene(start=[1, 2], lr=0.1, beta=0.5, steps=5,
                                                    settings={"adam": {"betas": [0.8, 0.9]}})


# ---------------------------------------------------------------------- typed landscapes ("custom")

def test_a_typed_scene_carries_its_expression_and_domain_normalised():
    s = typed_scene(custom={"expression": "log(x) + y**2", "domain": [-1, 3, np.float64(-3), 3]})
    assert s.landscape == "custom" and s.custom == ("log(x) + y**2", (-1.0, 3.0, -3.0, 3.0))
    assert all(type(v) is float for v in s.custom[1]) and s.steps == 0
    assert dataclasses.replace(s, steps=5).custom == s.custom  # the stored pair is accepted back
    assert scenes.Scene(landscape="custom", start=(2, 2), lr=0.05, beta=0.9, custom=s.custom) == s
    hash(s)


TYPED_BAD = [
    ({"custom": None}, ValueError, "the field 'custom' is missing (a scene of landscape 'custom' requires custom, "
                                   "start, lr, beta)"),
    ({"start": None}, ValueError, "the field 'start' is missing"),
    ({"lr": None}, ValueError, "the field 'lr' is missing"),
    ({"beta": None}, ValueError, "the field 'beta' is missing"),
    ({"custom": "x**2"}, ValueError, "Invalid custom='x**2': landscape 'custom' needs {\"expression\": text"),
    ({"custom": {"expression": "x**2"}}, ValueError, "Invalid custom={'expression': 'x**2'}"),
    ({"custom": {**TYPED, "start": [0, 0]}}, ValueError, "Invalid custom="),
    ({"custom": ["x**2", [0, 1, 0, 1]]}, ValueError, "Invalid custom=['x**2', [0, 1, 0, 1]]"),
    ({"custom": {**TYPED, "expression": 3}}, ValueError, "Invalid custom['expression']=3: must be a str of at most "
                                                         "300 characters"),
    ({"custom": {**TYPED, "expression": "x" * 301}}, ValueError, "must be a str of at most 300 characters"),
    ({"custom": {**TYPED, "expression": "__import__('os')"}}, ValueError, "custom: Invalid expression="),
    ({"custom": {**TYPED, "expression": "x**2; y"}}, ValueError, "custom: Invalid expression='x**2; y': ';'"),
    ({"custom": {**TYPED, "expression": "x.real"}}, ValueError, "attribute access"),
    ({"custom": {**TYPED, "expression": "x**2 # y"}}, ValueError, "a comment"),
    ({"custom": {**TYPED, "expression": ""}}, ValueError, "empty"),
    ({"custom": {**TYPED, "domain": [3, -1, -3, 3]}}, ValueError, "custom: Invalid domain=[3, -1, -3, 3]"),
    ({"custom": {**TYPED, "domain": [0, 1, 0]}}, ValueError, "custom: Invalid domain=[0, 1, 0]"),
    ({"custom": {**TYPED, "domain": [0, 1, 0, float("nan")]}}, ValueError, "custom: Invalid domain"),
    ({"custom": {**TYPED, "domain": [0, 1e7, 0, 1e7]}}, ValueError, "at most 1e+06"),
    ({"landscape": "bowl"}, ValueError, "Invalid custom={'expression': 'log(x) + y**2', 'domain': [-1.0, 3.0, "
                                        "-3.0, 3.0]}: only a scene of landscape 'custom' has one"),
    ({"landscape": "nope"}, KeyError, "valid landscapes are: ravine, saddle"),
]


@pytest.mark.parametrize("fields, error, message", TYPED_BAD, ids=[str(i) for i in range(len(TYPED_BAD))])
def test_a_bad_typed_scene_is_refused_naming_the_field(fields, error, message):
    data = {"landscape": "custom", "custom": TYPED, "start": [2.0, 2.0], "lr": 0.05, "beta": 0.9, **fields}
    with pytest.raises(error, match=re.escape(message)):
        scenes.Scene.from_dict({k: v for k, v in data.items() if v is not None})


def test_an_unknown_landscape_lists_custom_too():
    with pytest.raises(KeyError, match=re.escape("six-hump-camel, custom")):
        scene(landscape="nope")


def test_validating_a_typed_scene_needs_no_sympy():
    code = ("import sys, scenes; s = scenes.loads(sys.argv[1]); scenes.python_script(s); scenes.file_name(s, 'py');"
            "assert not [m for m in sys.modules if m.split('.')[0] in ('sympy', 'mpmath')]")
    subprocess.run([sys.executable, "-c", code, typed_scene(steps=3).dumps()], cwd=ROOT, check=True)


def test_a_typed_scene_round_trips_and_is_named_custom():
    s = typed_scene(steps=120, show=["sgd", "adam"], particles=[[1, 1]])
    assert s.to_dict()["custom"] == TYPED and list(s.to_dict())[:2] == ["landscape", "custom"]
    assert scenes.Scene.from_dict(s.to_dict()) == s and scenes.loads(s.dumps(indent=2)) == s
    assert "custom" not in scene().to_dict()
    assert scenes.file_name(s, "png") == "custom-step120.png" and scenes.file_name(s, "json") == "custom-step120.json"


def test_land_builds_the_typed_landscape_once_per_scene():
    s = typed_scene(steps=30, show=["sgd"])
    land = s.land()
    assert isinstance(land, landscapes.ExpressionLandscape) and land.key == "custom"
    assert (land.expression, land.domain, land.start) == (*s.custom, s.start)
    scenes.scene._typed_landscape.cache_clear()
    scenes.paths_csv(s), scenes.outcome_lines(s), s.flows(), scenes.python_script(s)
    assert s.land() is s.land() and scenes.scene._typed_landscape.cache_info().misses == 1


def test_a_start_where_f_is_undefined_builds_with_the_landscapes_own_start():
    s = typed_scene(start=[-0.5, 1.0], steps=5, show=["sgd"])  # log(−0.5): the ball is frozen at once
    assert s.land().start != s.start and s.land().expression == TYPED["expression"]
    assert typed_scene(start=[50.0, 1.0]).land().start != (50.0, 1.0)  # outside the window
    assert s.simulate()["sgd"].status[-1, 0] == optimizers.DIVERGED
    with pytest.raises(ValueError, match="Invalid expression='x - x': f is constant"):
        typed_scene(custom={"expression": "x - x", "domain": [0, 1, 0, 1]}).land()


# ---------------------------------------------------------------------- JSON

FULL = {"landscape": "ravine", "start": [-2.0, 4.0], "lr": 0.062, "beta": 0.9, "noise": 0.5, "seed": 7,
        "show": ["sgd", "momentum", "adam", "restarts"],
        "settings": {"adam": {"betas": [0.9, 0.99]}, "restarts": {"n_restarts": 3, "seed": 2}},
        "steps": 1234, "particles": [[0.5, 1.0], [-1.0, 2.5]]}


def test_to_dict_round_trips_and_is_json():
    s = scenes.Scene.from_dict(FULL)
    assert s.to_dict() == FULL
    assert json.loads(json.dumps(s.to_dict(), allow_nan=False)) == FULL
    assert scenes.loads(s.dumps()) == s and scenes.loads(s.dumps(indent=2)) == s


def test_every_float_survives_the_text_exactly():
    s = scene(start=[0.1 + 0.2, -1 / 3], lr=2 / 3 * 1e-3, noise=np.nextafter(0.5, 1), particles=[[1e-300, 5e-324]])
    assert scenes.loads(s.dumps()) == s


@pytest.mark.parametrize("text, message", [
    (b'{"landscape": "bowl"}', "must be a str of JSON"),
    ("x" * 1_000_001, "1,000,001 characters, more than 1,000,000"),
    ("{", "Invalid scene JSON: Expecting"),
    ('{"landscape": "bowl", "lr": NaN}', "NaN is not a finite number"),
    ('{"landscape": "bowl", "lr": -Infinity}', "-Infinity is not a finite number"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"landscape": "bowl", "seed": 1' + "0" * 5000 + "}", "Invalid scene JSON"),
    ('"bowl"', "Invalid scene='bowl': must be an object"),
])
def test_loads_refuses_what_is_not_a_scene(text, message):
    with pytest.raises(ValueError, match=message):
        scenes.loads(text)


# ---------------------------------------------------------------------- the page's balls

def test_balls_resolve_as_the_page_does():
    s = scene(beta=0.0, show=["nesterov", "momentum", "adam", "newton"],
              settings={"adam": {"lr": 0.01}, "momentum": {"momentum": 0.5}})
    assert s.balls() == [("nesterov", "sgd", {"lr": s.lr}), ("momentum", "momentum", {"lr": s.lr, "momentum": 0.5}),
                         ("adam", "adam", {"lr": 0.01, "betas": (0.0, 0.999)}), ("newton", "newton", {})]
    own = scene(beta=0.0, show=["nesterov"], settings={"nesterov": {"momentum": 0.7}})
    assert own.balls() == [("nesterov", "nesterov", {"lr": own.lr, "momentum": 0.7})]


def page_settings(s: scenes.Scene) -> dict:
    return {key: {p: list(v) if isinstance(v, tuple) else v for p, v in params} for key, params in s.settings}


def run_session(s: scenes.Scene, chunks=(37, 1, 250), session=None):
    """Drive app.Session as the page does: a scene, then advance in frames of varying size."""
    if session is None:
        session = app.Session()
        session.set_landscape(s.landscape, s.lr, s.beta, s.start, noise=s.noise, seed=s.seed,
                              settings=page_settings(s))
    assert session.problems == []
    paths, done, i = [], 0, 0
    while done < s.steps:
        n = min(chunks[i % len(chunks)], s.steps - done)
        paths.append(session.advance(n)["path"])
        done, i = done + n, i + 1
    path = np.concatenate(paths) if paths else np.zeros((0, len(session.keys), 2))
    return session, path


SESSION_SCENES = [
    {"landscape": "ravine", "steps": 300},
    {"landscape": "bumpy", "steps": 400, "noise": 0.75, "seed": 5, "show": optimizers.names(),
     "settings": {"adam": {"lr": 0.02, "betas": [0.8, 0.99]}, "rmsprop": {"centered": True, "momentum": 0.3},
                  "sgd": {"momentum": 0.5, "dampening": 0.2}, "rprop": {"etas": [0.4, 1.3]}}},
    {"landscape": "wells", "steps": 450, "beta": 0.0, "show": ["sgd", "nesterov", "annealing", "restarts"]},
    {"landscape": "saddle", "steps": 260, "beta": 0.0, "noise": 0.4, "seed": 2,
     "show": ["nesterov", "annealing", "restarts", "lion"],
     "settings": {"nesterov": {"momentum": 0.5}, "annealing": {"T0": 2.0, "seed": 7},
                  "restarts": {"n_restarts": 3, "steps_per": 40, "seed": 1}}},
    {"landscape": "bowl", "steps": 120, "lr": 1.0, "show": ["sgd", "momentum", "adam"]},  # SGD diverges (1 − 4·lr = −3)
    {"landscape": "himmelblau", "steps": 200, "noise": 3.0, "seed": 11, "show": optimizers.names()},
]


@pytest.mark.parametrize("data", SESSION_SCENES, ids=[d["landscape"] for d in SESSION_SCENES])
def test_simulate_reproduces_the_sessions_balls_exactly(data):
    s = scenes.Scene.from_dict(data)
    assert_same_balls(s, *run_session(s))


TYPED_SESSION_SCENES = [
    {"custom": TYPED, "steps": 300, "noise": 0.5, "seed": 3, "show": optimizers.names(),
     "settings": {"adam": {"lr": 0.02}, "restarts": {"n_restarts": 3, "steps_per": 60}}},  # balls run to x ≤ 0
    {"custom": {"expression": "(x-1)^2 + 3*sin(2*y) + abs(x*y) + exp(-x^2)", "domain": [-3.0, 3.0, -2.0, 4.0]},
     "start": [-2.5, 3.5], "lr": 0.03, "steps": 250},
]


@pytest.mark.parametrize("data", TYPED_SESSION_SCENES, ids=["log", "sin-abs"])
def test_simulate_of_a_typed_scene_reproduces_the_sessions_balls_exactly(data):
    # The page's balls run on landscapes.from_data(land.to_data()) (numpy only); the scene
    # builds its own with from_expression (sympy): the same numbers, bit for bit.
    s = typed_scene(**data)
    land = landscapes.from_expression(s.custom[0], domain=s.custom[1], start=s.start)
    session = app.Session()
    app.handle("scene", json.dumps({"landscape": "custom", "custom": land.to_data(), "lr": s.lr, "beta": s.beta,
                                    "start": list(s.start), "noise": s.noise, "seed": s.seed,
                                    "settings": page_settings(s)}), session)
    assert isinstance(session.landscape, landscapes.ExpressionLandscape) and session.landscape.key == "custom"
    assert session.landscape is not s.land()
    assert_same_balls(s, *run_session(s, session=session))


def assert_same_balls(s: scenes.Scene, session, path):
    sims = s.simulate()
    snapshot = session.snapshot()
    assert list(sims) == list(s.show)
    for key, sim in sims.items():
        k = session.keys.index(key)
        assert np.array_equal(sim.path[-1, 0], snapshot["positions"][k]), key
        assert np.array_equal(sim.path[1:, 0], path[:, k]), key
        assert np.array_equal(sim.loss[-1, 0], snapshot["loss"][k]), key
        status = optimizers.STATUS_NAMES[sim.status[-1, 0]]
        assert snapshot["status"][k] in (status, app.LEFT_VIEW), key
        diverged = np.flatnonzero(sim.status[:, 0] == optimizers.DIVERGED)
        assert snapshot["diverged_step"][k] == (diverged[0] if diverged.size else -1), key


def test_the_diverging_scene_really_diverges_and_stays_frozen():
    s = scenes.Scene.from_dict(SESSION_SCENES[4])
    sgd = s.simulate()["sgd"]
    first = int(np.argmax(sgd.status[:, 0] == optimizers.DIVERGED))
    assert 0 < first and (sgd.status[first:, 0] == optimizers.DIVERGED).all()
    assert (sgd.path[first:, 0] == sgd.path[first - 1, 0]).all() and np.isfinite(sgd.path).all()


def test_simulation_status_is_the_run_state_after_every_step():
    opt = optimizers.create("newton")
    land = landscapes.get("bowl")
    sim = optimizers.simulate("newton", land, [(1.0, 1.0), (2.0, -1.0)], 4)
    state = optimizers.run.init(opt, land, [(1.0, 1.0), (2.0, -1.0)])
    assert np.array_equal(sim.status[0], state.status)
    for i in range(1, 5):
        state = optimizers.run.step(opt, land, state)
        assert np.array_equal(sim.status[i], state.status)
    assert sim.status.dtype == np.int8 and (sim.status[-1] == optimizers.CONVERGED).all()
    assert optimizers.Simulation(sim.path, sim.loss, sim.final).status is None  # three fields still build one


# ---------------------------------------------------------------------- gradient-flow particles

FLOW_SCENES = [
    {"landscape": "himmelblau", "particles": [[0, 0], [-1, 1], [1, -3], [4.5, 4.5], [-4, -4]]},
    {"landscape": "wells", "particles": [[x, y] for x in (-4, -1, 2, 4.5) for y in (-3, 0, 3)]},
    {"landscape": "saddle", "particles": [[-2.8, 0.0], [-2.8, 1e-3], [2.0, 2.0]]},
    {"landscape": "beale", "particles": [[-4, 4], [0, 0], [4, -4]]},
]


@pytest.mark.parametrize("data", FLOW_SCENES, ids=[d["landscape"] for d in FLOW_SCENES])
def test_flow_curves_end_exactly_where_gradient_flow_does(data):
    s = scenes.Scene.from_dict(data)
    land = s.land()
    paths = s.flows()
    ref = optimizers.gradient_flow(land, [list(p) for p in s.particles])
    for field in ("positions", "loss", "t", "status", "at_rest", "diverged"):
        assert np.array_equal(getattr(paths.end, field), getattr(ref, field), equal_nan=True), field
    curves = paths.curves()
    assert len(curves) == len(s.particles)
    for start, curve, end, status in zip(s.particles, curves, ref.positions, ref.status):
        assert np.array_equal(curve[0], start) and np.array_equal(curve[-1], end)
        assert 1 <= len(curve) <= 2 * flow.PATH_POINTS + 2 and np.isfinite(curve).all()
        if status != flow.DIVERGED:  # gradient flow only ever goes downhill
            f = land.f(curve[:, 0], curve[:, 1])
            assert (np.diff(f) <= 1e-9 * (1 + np.abs(f[:-1]))).all()


def test_flow_curves_are_decimated_to_the_points_asked_for():
    land = landscapes.get("ravine")
    full = optimizers.gradient_flow_paths(land, [(-2.0, 4.0), (1.0, -0.5)], points=1000)
    few = optimizers.gradient_flow_paths(land, [(-2.0, 4.0), (1.0, -0.5)], points=8)
    assert len(few.path) <= 2 * 8 + 2 < len(full.path)
    assert np.array_equal(few.end.positions, full.end.positions)
    for a, b in zip(few.curves(), full.curves()):  # the few points lie on the full curve
        assert all((np.abs(b - p).max(axis=1) == 0).any() for p in a)
    with pytest.raises(ValueError, match="Invalid points=1"):
        optimizers.gradient_flow_paths(land, [(0, 0)], points=1)


def test_a_scene_without_particles_has_no_curves():
    paths = scene().flows()
    assert paths.path.shape[1:] == (0, 2) and paths.curves() == [] and len(paths.end.positions) == 0


# ---------------------------------------------------------------------- CSV

def test_paths_csv_is_every_step_of_every_shown_ball_exactly():
    s = scenes.Scene.from_dict({**SESSION_SCENES[4], "steps": 40})
    sims = s.simulate()
    text = scenes.paths_csv(s, sims)
    assert text.splitlines()[0] == "step,method,x,y,loss,status"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == (s.steps + 1) * len(s.show)
    for i, row in enumerate(rows):
        step, key = i // len(s.show), s.show[i % len(s.show)]
        sim = sims[key]
        assert (int(row["step"]), row["method"]) == (step, key)
        assert float(row["x"]) == sim.path[step, 0, 0] and float(row["y"]) == sim.path[step, 0, 1]
        assert float(row["loss"]) == sim.loss[step, 0]
        assert row["status"] == optimizers.STATUS_NAMES[sim.status[step, 0]]
    assert {r["status"] for r in rows if r["method"] == "sgd"} == {"running", "diverged"}
    assert scenes.paths_csv(s) == text


def test_paths_csv_leaves_non_finite_numbers_empty():
    s = scene(steps=1, show=["sgd"])
    sim = s.simulate()["sgd"]
    loss = sim.loss.copy()
    loss[1, 0] = np.inf
    path = sim.path.copy()
    path[0, 0, 1] = np.nan
    rows = list(csv.reader(io.StringIO(scenes.paths_csv(s, {"sgd": sim._replace(loss=loss, path=path)}))))
    assert rows[1][3] == "" and rows[2][4] == "" and rows[1][2] == repr(float(sim.path[0, 0, 0]))


def test_file_names_are_landscape_and_step():
    s = scenes.Scene.from_dict({"landscape": "six-hump-camel", "steps": 1234})
    assert scenes.file_name(s, "png") == "six-hump-camel-step1234.png"
    assert scenes.file_name(s, "csv") == "six-hump-camel-step1234.csv"
    with pytest.raises(ValueError, match="Invalid ext='exe'"):
        scenes.file_name(s, "exe")


# ---------------------------------------------------------------------- fmt

# Written by hand from the JavaScript rules (toPrecision/toExponential round the exact
# binary value, ties to the larger magnitude; exponent form below 1e-3 and from 1e4).
FMT = [
    (0.0, "0"), (-0.0, "0"), (1.0, "1"), (0.5, "0.5"), (2.5, "2.5"), (-2.5, "-2.5"),
    (1.125, "1.13"),          # an exact binary tie: up (Python's format would say 1.12)
    (-1.125, "-1.13"),        # ties go away from zero
    (0.0625, "0.0625"), (0.625, "0.625"), (150.0, "150"), (123.456, "123"),
    (2.675, "2.67"),          # the double is 2.67499999999999982236431605997495353221893310546875
    (1.005, "1"),             # 1.00499999999999989341858963598497211933135986328125 → "1.00"
    (12.345, "12.3"),         # 12.3449999999999997513100424840…
    (0.30000000000000004, "0.3"), (1 / 3, "0.333"), (2 / 3, "0.667"),
    (9.996, "10"), (99.95, "100"), (999.5, "1000"),
    (1000.0, "1000"), (1234.5, "1230"), (-1234.0, "-1230"),
    (9999.4, "1e4"), (9999.7, "1e4"), (1e4, "1e4"), (-1e4, "-1e4"), (12345, "1.23e4"), (45000.0, "4.5e4"),
    (0.001, "0.001"), (0.0012, "0.0012"), (0.00099951, "0.001"),  # rounds up into fixed notation
    (0.000999, "9.99e-4"), (0.0002, "2e-4"), (-0.0004567, "-4.57e-4"), (1.5e-7, "1.5e-7"),
    (1.2e-5, "1.2e-5"), (5e-6, "5e-6"), (-2.5e10, "-2.5e10"), (1e21, "1e21"),
    (5e-324, "4.94e-324"), (1.7976931348623157e308, "1.8e308"),
    (float("nan"), "—"), (float("inf"), "—"), (-float("inf"), "—"), (None, "—"), ("1", "—"), (True, "—"),
    (10**400, "—"), (np.float32(0.5), "0.5"), (np.int64(7), "7"),
]


@pytest.mark.parametrize("value, text", FMT, ids=[repr(v)[:24] for v, _ in FMT])
def test_fmt_writes_numbers_as_the_page_does(value, text):
    assert scenes.fmt(value) == text


@pytest.mark.parametrize("value, digits, text", [
    (0.125, 2, "0.13"), (0.625, 2, "0.63"), (-0.625, 2, "-0.63"), (2.5, 1, "3"), (0.5, 1, "0.5"),
    (1234.5, 2, "1200"), (99999.5, 5, "1e5"), (3.14159265, 5, "3.1416"), (1.0625, 4, "1.063"),
])
def test_fmt_digits(value, digits, text):
    assert scenes.fmt(value, digits) == text


@pytest.mark.parametrize("digits", [0, 101, 2.0, True, "3"])
def test_fmt_refuses_digits_javascript_refuses(digits):
    with pytest.raises(ValueError, match="Invalid digits="):
        scenes.fmt(1.5, digits)


def test_fmt_matches_static_format_js_digit_for_digit():
    # The page's own formatter (node) on the table, on exact binary ties and on random
    # doubles of every size: the rounding rule must agree everywhere, not only on the table.
    rng = np.random.default_rng(0)
    values = [v for v, _ in FMT if isinstance(v, float) and np.isfinite(v)]
    values += (rng.integers(-10**6, 10**6, 300) / 2.0 ** rng.integers(0, 16, 300)).tolist()
    values += (rng.uniform(-1, 1, 300) * 10.0 ** rng.uniform(-8, 8, 300)).tolist()
    bits = rng.integers(0, 2**63, 300, dtype=np.int64).view(np.float64)
    values += [float(v) for v in bits if np.isfinite(v)]
    cases = [[v, d] for v in values for d in (1, 3, 5)]
    script = (f"import {{ fmt }} from {json.dumps((ROOT / 'static' / 'format.js').as_uri())};"
              f"const cases = {json.dumps(cases)};"
              f"console.log(JSON.stringify(cases.map(([v, d]) => fmt(v, d))));")
    out = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [scenes.fmt(v, d) for v, d in cases]


def test_outcome_lines_are_the_documented_format():
    s = scenes.Scene.from_dict({"landscape": "ravine", "steps": 50, "show": ["sgd", "rmsprop"]})
    sims = s.simulate()
    lines = scenes.outcome_lines(s, sims)
    pattern = re.compile(r"^(?P<label>[^:]+): \((?P<x>\S+), (?P<y>\S+)\)  loss (?P<loss>\S+)$")
    for key, line in zip(s.show, lines):
        m = pattern.match(line)
        assert m, line
        x, y = sims[key].path[-1, 0]
        assert m["label"] == optimizers.label(key)
        assert (m["x"], m["y"], m["loss"]) == (scenes.fmt(x), scenes.fmt(y), scenes.fmt(sims[key].loss[-1, 0]))


# ---------------------------------------------------------------------- the script

SCRIPT_SCENES = [
    {"landscape": "saddle", "steps": 260, "beta": 0.0, "noise": 0.4, "seed": 2,
     "show": ["sgd", "nesterov", "adam", "annealing", "restarts", "rprop"],
     "settings": {"adam": {"lr": 0.02, "betas": [0.8, 0.99], "amsgrad": True}, "rprop": {"etas": [0.4, 1.3]},
                  "restarts": {"n_restarts": 3, "steps_per": 40}},
     "particles": [[-2.8, 0.001], [1.0, 2.0], [2.5, -2.5], [0.5, 0.5], [-1, -1]]},
    {"landscape": "ravine", "steps": 500, "lr": 0.0123456789012345, "show": ["momentum", "newton", "lion"]},
    {"landscape": "custom", "custom": TYPED, "start": [2.0, 2.0], "lr": 0.05, "beta": 0.9, "steps": 120,
     "show": ["sgd", "momentum", "adam"], "particles": [[1.0, 1.0], [2.0, -2.0]]},
]


def allowed_strings(s: scenes.Scene) -> set:
    keys = set(landscapes.names()) | set(optimizers.names()) | {"custom"}
    params = {p for k in optimizers.names() for p in optimizers.defaults(k)}
    typed = {s.custom[0]} if s.custom else set()  # the typed expression: the one string from the user
    return keys | params | typed | {scenes.file_name(s, "png"), ": (", ", ", ")  loss "}


@pytest.mark.parametrize("data", SCRIPT_SCENES, ids=[d["landscape"] for d in SCRIPT_SCENES])
def test_the_script_runs_and_prints_the_outcome_lines(data, tmp_path):
    s = scenes.Scene.from_dict(data)
    text = scenes.python_script(s, azimuth=-50, elevation=25, dpi=80)
    tree = ast.parse(text)
    doc = ast.get_docstring(tree)
    assert s.land().label in doc and f"{s.steps} steps" in doc and "pip install ." in doc
    if s.custom:
        assert "pip install .[expression]" in doc and "sympy" in doc
        assert text.count(repr(s.custom[0])) == 1 and text.count(s.custom[0]) == 1
        assert f"landscapes.from_expression({s.custom[0]!r}, domain=(-1.0, 3.0, -3.0, 3.0))" in text
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert strings - {doc, ast.get_docstring(tree, clean=False)} <= allowed_strings(s)
    assert {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} <= {"scenes"}
    assert {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names} == \
        {"figures", "landscapes", "optimizers", "scenes"}
    script = tmp_path / "scene.py"
    script.write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(tmp_path / "mpl")}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == scenes.outcome_lines(s)
    png = tmp_path / scenes.file_name(s, "png")
    import matplotlib.image
    pixels = matplotlib.image.imread(png)
    assert pixels.shape[:2] == (int(5.5 * 80), 12 * 80) and pixels[..., :3].std() > 0.1


def test_the_script_writes_every_number_exactly():
    s = scenes.Scene.from_dict({**SCRIPT_SCENES[0], "start": [0.1 + 0.2, -1 / 3], "lr": 2 / 3 * 1e-2})
    text = scenes.python_script(s)
    assert "start = (0.30000000000000004, -0.3333333333333333)" in text
    assert 'optimizers.simulate("sgd", land, [start], steps, noise=noise, noise_seed=seed, '\
           'lr=0.006666666666666666),  # Nesterov at momentum 0 is SGD' in text
    assert "lr=0.02, betas=(0.8, 0.99), amsgrad=True)" in text and "etas=(0.4, 1.3))" in text
    assert "noise, seed = 0.4, 2" in text
    assert "(-2.8, 0.001), (1.0, 2.0), (2.5, -2.5), (0.5, 0.5),\n    (-1.0, -1.0)," in text
    quiet = scenes.python_script(scenes.Scene.from_dict(SCRIPT_SCENES[1]))
    assert "lr=0.0123456789012345" in quiet and "noise" not in quiet.split("runs = {")[1].split("}")[0]
    assert "particles = [" not in quiet and "flows=None" in quiet


@pytest.mark.parametrize("option, message", [
    ({"dpi": "150"}, "Invalid dpi='150'"), ({"dpi": 1000}, "Invalid dpi=1000: must be a finite number in [50, 400]"),
    ({"azimuth": float("nan")}, "Invalid azimuth=nan"), ({"elevation": True}, "Invalid elevation=True"),
    ({"elevation": 95}, "Invalid elevation=95"),
])
def test_the_script_takes_only_numbers_in_range_for_its_options(option, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        scenes.python_script(scene(), **option)
    with pytest.raises(ValueError, match="must be a scenes.Scene"):
        scenes.python_script(scene().to_dict())


def test_the_script_checks_the_expression_again():
    s = typed_scene()
    object.__setattr__(s, "custom", ("x')\nimport os\n('", s.custom[1]))  # past Scene's checks
    with pytest.raises(ValueError, match="custom: Invalid expression="):
        scenes.python_script(s)


def test_scenes_import_numpy_only():
    code = "import sys, scenes; assert 'matplotlib' not in sys.modules and 'app' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


@pytest.mark.parametrize("noise", [0.0, 0.7])
def test_simulate_steps_all_balls_together_exactly_as_each_alone(noise):
    """Scene.simulate runs the balls side by side (run.step_many); each must equal
    optimizers.simulate of that ball alone, path, loss and status, bit for bit."""
    scene = scenes.Scene.from_dict({"landscape": "wells", "steps": 300, "noise": noise, "seed": 4,
                                    "show": optimizers.names(), "settings": {"adam": {"amsgrad": True}}})
    together = scene.simulate()
    for key, name, hp in scene.balls():
        alone = optimizers.simulate(name, scene.land(), [scene.start], scene.steps, noise=noise, noise_seed=4, **hp)
        np.testing.assert_array_equal(together[key].path, alone.path, err_msg=key)
        np.testing.assert_array_equal(together[key].loss, alone.loss, err_msg=key)
        np.testing.assert_array_equal(together[key].status, alone.status, err_msg=key)
