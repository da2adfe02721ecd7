"""Generated bad calls across the public API and the bridge (issue 9: a validated API, a
bridge with one error type).

Every call gets arguments drawn from good values and from junk (None, bools, huge and
special numbers, complex numbers, strings, sets, dicts, ragged and deep lists, masked,
complex, string and object arrays, ...). Whatever it gets, a call either returns or raises
one of the documented exceptions — ValueError, TypeError or KeyError for the Python API,
ValueError alone for ``app.handle`` — whose message names the parameter; it never warns
(warnings are errors here), never takes 2 s, and a failing ``app.handle`` leaves the
session exactly as it was. Sizes stay small so that the file runs in well under a minute.
"""

from __future__ import annotations

import json
import math
import time
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app
import landscapes
import optimizers
from landscapes.validation import coordinate
from optimizers import flow

pytestmark = pytest.mark.filterwarnings("error")

SETTINGS = dict(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
API_ERRORS = (ValueError, TypeError, KeyError)
MAX_SECONDS = 2.0
MAX_MESSAGE = 800  # an echoed value is cut to 80 characters; the valid names may follow
CALLS: dict[str, int] = {}
LANDS = landscapes.all_landscapes()


def attempt(test: str, names, fn, *args, errors=API_ERRORS, **kwargs):
    """Call fn; return its result or the documented exception it raised (after checking
    that the message names one of ``names``). Any other exception propagates."""
    CALLS[test] = CALLS.get(test, 0) + 1
    start = time.perf_counter()
    try:
        result = fn(*args, **kwargs)
    except errors as err:
        result = err
        message = str(err)
        assert any(name in message for name in names), f"{type(err).__name__}({message!r}) names none of {names}"
        assert len(message) <= MAX_MESSAGE, message
    elapsed = time.perf_counter() - start
    assert elapsed < MAX_SECONDS, f"{getattr(fn, '__name__', fn)} took {elapsed:.2f} s"
    return result


# ----------------------------------------------------------------------------- junk

class Opaque:
    def __repr__(self):
        return "<opaque " + "x" * 500 + ">"


def deep_list(depth: int):
    value: list = [1.0, 2.0]
    for _ in range(depth):
        value = [value]
    return value


SPECIAL_FLOATS = [math.nan, math.inf, -math.inf, 1e308, -1e308, 1e200, -1e200, 5e-324, 0.0, -0.0, 1e-300]
HUGE_INTS = [10**400, -10**400, 2**64, 10**15, 10**7, -1, 2**63]
ODD_SCALARS = [np.float64(1.5), np.float32(2.0), np.int64(3), np.uint8(7), np.bool_(True), np.complex128(1j),
               np.float64(np.nan), Fraction(1, 3), Decimal("1.5"), Decimal("nan"), Opaque(), object(), b"1.0",
               "1.0", "nan", "", Ellipsis, slice(1), range(2), 1 + 2j, complex(math.inf, 0)]
ODD_ARRAYS = [np.zeros((3, 2)), np.ones(2), np.zeros((2, 3)), np.zeros((0, 2)), np.zeros((1, 1, 2)),
              np.array([[1, 2], [3]], dtype=object), np.ma.array([1.0, 2.0], mask=[0, 1]),
              np.ma.array([[0.0, 1.0]], mask=[[0, 0]]), np.array([1 + 1j, 2]), np.array(["a", "b"]),
              np.array([True, False]), np.full((2, 2), np.nan), np.full((1, 2), 1e308), np.array([10**400, 1], dtype=object),
              np.arange(6, dtype=np.int32).reshape(3, 2), np.zeros(2, np.float16), np.array([None, None]),
              np.zeros((2, 2), dtype=[("a", "f8")]), np.datetime64("2020-01-01"), np.zeros(5), np.zeros((7, 1))]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10), st.sampled_from(HUGE_INTS),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(SPECIAL_FLOATS),
    st.complex_numbers(max_magnitude=10), st.text(max_size=6), st.sampled_from(ODD_SCALARS),
)
junk = st.one_of(
    scalars,
    st.lists(scalars, max_size=4),
    st.tuples(scalars, scalars),
    st.lists(st.lists(scalars, max_size=3), max_size=3),
    st.sets(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=3), scalars, max_size=3),
    st.sampled_from(ODD_ARRAYS),
    st.integers(0, 80).map(deep_list),
    st.lists(st.floats(width=64), max_size=6).map(np.array),
)
small = st.floats(-3, 3, allow_nan=False)
good_start = st.one_of(st.tuples(small, small), st.lists(st.tuples(small, small), min_size=1, max_size=3),
                       st.lists(st.lists(small, min_size=2, max_size=2), min_size=1, max_size=3).map(np.array))
good_coord = st.one_of(st.floats(allow_nan=False, allow_infinity=True), st.integers(-10**6, 10**6),
                       st.sampled_from(HUGE_INTS), st.lists(st.floats(width=64), max_size=4),
                       st.lists(st.floats(width=64), max_size=4).map(np.array))


def maybe(good):
    """A good value or junk."""
    return st.one_of(good, junk)


landscape_arg = st.one_of(st.sampled_from(landscapes.names()), st.sampled_from(LANDS), junk, st.text(max_size=8))
optimizer_arg = st.one_of(st.sampled_from(optimizers.names()), junk, st.text(max_size=8))
steps_arg = st.one_of(st.integers(0, 30), st.sampled_from([-1, 10**15, 10**7, 10**400, 100_001, 2.5, "10", True]), junk)


def hyperparameter_values(name):
    good = {
        "lr": st.floats(1e-4, 1.0), "momentum": st.floats(0, 0.99), "dampening": st.floats(0, 1),
        "weight_decay": st.floats(0, 0.1), "nesterov": st.booleans(), "alpha": st.floats(0, 0.99),
        "eps": st.floats(1e-10, 1e-3), "centered": st.booleans(), "amsgrad": st.booleans(),
        "betas": st.one_of(st.tuples(st.floats(0, 0.99), st.floats(0, 0.999)),
                           st.sets(st.floats(0, 0.99), min_size=2, max_size=2),
                           st.dictionaries(st.floats(0, 0.99), st.floats(0, 0.99), min_size=2, max_size=2)),
        "T0": st.floats(0.1, 10), "cooling": st.floats(0.5, 1), "step_size": st.floats(0.01, 2),
        "seed": st.integers(0, 2**70), "n_restarts": st.integers(1, 3), "steps_per": st.integers(1, 10),
    }.get(name, st.floats(0, 1))
    return maybe(good)


HP_NAMES = ["lr", "momentum", "dampening", "weight_decay", "nesterov", "alpha", "eps", "centered", "amsgrad",
            "betas", "T0", "cooling", "step_size", "seed", "n_restarts", "steps_per", "bogus", "LR"]


@st.composite
def hyperparameters(draw):
    keys = draw(st.lists(st.sampled_from(HP_NAMES), max_size=3, unique=True))
    return {k: draw(hyperparameter_values(k)) for k in keys}


# ----------------------------------------------------------------------------- landscapes

@settings(max_examples=1500, **SETTINGS)
@given(land=st.sampled_from(LANDS), method=st.sampled_from(["f", "grad", "hessian", "__call__"]),
       x=st.one_of(good_coord, junk), y=st.one_of(good_coord, junk))
def test_f_grad_and_hessian_take_real_numbers_and_answer_overflow_with_inf(land, method, x, y):
    out = attempt("landscape.f/grad/hessian", ["Invalid x", "Invalid y"], getattr(land, method), x, y)
    if isinstance(out, Exception):
        assert isinstance(out, (TypeError, ValueError))
        return
    shape = np.broadcast_shapes(coordinate("x", x).shape, coordinate("y", y).shape)
    xs, ys = (np.broadcast_to(coordinate(n, v), shape) for n, v in (("x", x), ("y", y)))
    parts = (out,) if method in ("f", "__call__") else out
    for part in parts:
        arr = np.asarray(part)
        assert arr.dtype == np.float64 and arr.shape == xs.shape
    if method in ("f", "__call__"):
        # f is bounded below on every landscape: never −inf; NaN only where the input is NaN
        assert not np.isneginf(out).any()
        assert (~np.isnan(out) | np.isnan(xs) | np.isnan(ys)).all()


def test_f_of_huge_python_floats_is_inf_or_finite_never_an_error():
    for land in LANDS:
        for x, y in [(1e200, 0.0), (0.0, -1e200), (1e308, 1e308), (10**400, 0), (math.inf, 1.0)]:
            value = land.f(x, y)
            assert isinstance(value, np.floating) and (np.isposinf(value) or np.isfinite(value)), (land.key, x, y)
            land.grad(x, y), land.hessian(x, y)


def test_complex_input_is_refused_alike_by_f_grad_and_hessian():
    land = landscapes.get("bowl")
    for value in (1 + 2j, np.complex128(1), np.array([1j, 2]), [1j]):
        for fn in (land.f, land.grad, land.hessian):
            with pytest.raises(TypeError, match=r"^Invalid x="):
                fn(value, 0.0)


@settings(max_examples=600, **SETTINGS)
@given(name=st.one_of(junk, st.text(max_size=10), st.sampled_from(landscapes.names())),
       land=landscape_arg, x=st.one_of(small, junk), y=st.one_of(small, junk),
       tol=st.one_of(st.none(), st.floats(0, 1), junk))
def test_registry_and_basin_lookups_refuse_bad_input_naming_it(name, land, x, y, tol):
    got = attempt("landscapes.get", ["landscape"], landscapes.get, name)
    assert isinstance(got, (landscapes.Landscape, KeyError))
    attempt("basin_name", ["landscape", "Invalid x", "Invalid y", "Invalid tol"], landscapes.basin_name, land, x, y, tol)
    attempt("basin_index", ["landscape", "Invalid x", "Invalid y", "Invalid tol"], landscapes.basin_index, land, x, y, tol)
    attempt("classify_points", ["landscape", "Invalid points", "Invalid tol"], landscapes.classify_points, land, x, tol)


# ----------------------------------------------------------------------------- optimizers

@settings(max_examples=1500, **SETTINGS)
@given(name=optimizer_arg, land=landscape_arg, start=st.one_of(good_start, junk), steps=steps_arg,
       hp=hyperparameters(), entry=st.sampled_from(["simulate", "trajectories", "trajectory"]))
def test_runs_refuse_bad_input_naming_the_parameter(name, land, start, steps, hp, entry):
    names = ["optimizer", "landscape", "start", "steps", "hyperparameter", "lr", "momentum", "dampening",
             "Nesterov", "weight_decay", "nesterov", "alpha", "eps", "centered", "amsgrad", "betas", "T0",
             "cooling", "step_size", "seed", "n_restarts", "steps_per"]
    out = attempt("optimizers runs", names, getattr(optimizers, entry), name, land, start, steps, **hp)
    if not isinstance(out, Exception):
        path = out.path if entry == "simulate" else out
        assert np.isfinite(path).all()
    attempt("optimizers.create", names, optimizers.create, name, **hp)
    attempt("optimizers.get", ["optimizer"], optimizers.get, name)
    attempt("optimizers.label", ["optimizer"], optimizers.label, name)


def test_limits_on_steps_and_particles_are_checked_before_allocating():
    for steps in (10**15, 10**7, optimizers.validation.MAX_STEPS + 1):
        with pytest.raises(ValueError, match=r"^Invalid steps="):
            optimizers.trajectory("sgd", "bowl", (1.0, 1.0), steps)
    many = np.zeros((1000, 2))
    with pytest.raises(ValueError, match=r"position updates"):
        optimizers.simulate("sgd", "bowl", many, 50_000)
    with pytest.raises(ValueError, match=r"^Invalid learning rate lr=<int of about 401 digits>"):
        optimizers.create("sgd", lr=10**400)


@pytest.mark.parametrize("betas", [{0.9, 0.999}, {0.9: 0.999, 0.5: 0.1}, "ab", (0.9,), (0.9, 0.99, 0.1)])
def test_betas_must_be_an_ordered_pair(betas):
    with pytest.raises(ValueError, match=r"^Invalid betas="):
        optimizers.create("adam", betas=betas)


def test_masked_starts_are_refused_not_silently_unmasked():
    start = np.ma.array([[0.0, 1.0], [5.0, 5.0]], mask=[[0, 0], [1, 1]])
    with pytest.raises(ValueError, match=r"^Invalid start=.*masked arrays are not accepted"):
        optimizers.trajectories("sgd", "bowl", start, 3)


@settings(max_examples=500, **SETTINGS)
@given(land=landscape_arg, start=st.one_of(good_start, junk),
       t_max=st.one_of(st.floats(0.01, 2.0), junk),
       tol=st.dictionaries(st.sampled_from(["rtol", "atol", "gtol", "xtol", "max_iterations"]),
                           st.one_of(st.sampled_from([1e-6, 1e-3, 0.0, 1, 50]), junk), max_size=2),
       state=st.one_of(st.just("good"), st.just("fields"), junk),
       seconds=st.one_of(st.floats(0, 0.1), junk), speed=st.one_of(st.floats(0.1, 5), junk))
def test_gradient_flow_refuses_bad_input_naming_the_parameter(land, start, t_max, tol, state, seconds, speed):
    names = ["landscape", "start", "t_max", "rtol", "atol", "gtol", "xtol", "max_iterations", "Invalid state",
             "seconds", "speed", "h0"]
    attempt("gradient_flow", names, optimizers.gradient_flow, land, start, t_max, **tol)
    if isinstance(state, str) and state in ("good", "fields"):
        kind, state = state, flow.init("bowl", [(1.0, 1.0), (-2.0, 0.5)])
        if kind == "fields":
            state = state._replace(t=start)
    attempt("advance_screen", names, flow.advance_screen, land, state, seconds, speed=speed, **tol)
    attempt("flow.init", names, flow.init, land, start, t_max)


# ----------------------------------------------------------------------------- the bridge

JSON_KEYS = ["landscape", "lr", "beta", "start", "steps", "flow_seconds", "particle_speed", "points", "n",
             "x", "y", "resolution", "colormap", "bogus"]
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 80), st.sampled_from([10**400, -10**30, 2**64, 16, 32, 1024, 5000]),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([1e200, -1e200, 1e-300, 0.05, 0.9, 1.0]),
    st.text(max_size=6), st.sampled_from(landscapes.names() + ["viridis", "playground", "moon"]),
)
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                 st.dictionaries(st.text(max_size=3), inner, max_size=3)),
                           max_leaves=12)
good_json_values = {
    "landscape": st.sampled_from(["bowl", "ravine", "booth"]), "lr": st.floats(1e-3, 1), "beta": st.floats(0, 0.99),
    "start": st.lists(st.floats(-3, 3), min_size=2, max_size=2), "steps": st.integers(0, 40),
    "flow_seconds": st.floats(0, 0.25), "particle_speed": st.floats(0.05, 20),
    "points": st.lists(st.lists(st.floats(-3, 3), min_size=2, max_size=2), max_size=5), "n": st.integers(2, 21),
    "x": st.one_of(st.floats(-1e300, 1e300), st.sampled_from([1e200, -1e200])), "y": st.floats(-5, 5),
    "resolution": st.sampled_from([16, 32]), "colormap": st.sampled_from(["viridis", "playground"]),
}


@st.composite
def args_json(draw):
    kind = draw(st.sampled_from(["fields", "fields", "fields", "raw", "deep", "digits", "big", "not text"]))
    if kind == "fields":
        keys = draw(st.lists(st.sampled_from(JSON_KEYS), max_size=4, unique=True))
        args = {k: draw(st.one_of(good_json_values.get(k, json_values), json_values)) for k in keys}
        return json.dumps(args)
    if kind == "raw":
        return draw(st.one_of(st.text(max_size=20), st.sampled_from(["[]", "null", "1", '"x"', "{", "NaN", "{}"]),
                              json_values.map(json.dumps)))
    if kind == "deep":
        depth = draw(st.integers(15, 5000))
        key = draw(st.sampled_from(JSON_KEYS))
        return '{"%s": %s1%s}' % (key, "[" * depth, "]" * depth)
    if kind == "digits":
        return '{"%s": %s}' % (draw(st.sampled_from(JSON_KEYS)), "7" * draw(st.integers(4000, 6000)))
    if kind == "big":
        return '{"bogus": "%s"}' % ("a" * (app.MAX_ARGS_CHARS + draw(st.integers(0, 10))))
    return draw(junk)


def session_state(s: app.Session):
    """Everything a call could change, as comparable plain data."""
    runs = [(r.steps, r.positions.tolist(), r.loss.tolist(), r.status.tolist()) for r in s.runs]
    p = s.particles
    return (s.landscape.key, s.lr, s.beta, s.start, runs, s.diverged_step.tolist(), s.particle_generation,
            p.state.positions.tolist(), p.state.status.tolist(), p.start.tolist(), p.basin.tolist(), len(p.basins),
            [o.hyperparameters for o in s.opts])


BRIDGE = {}


def bridge_session() -> app.Session:
    s = BRIDGE.get("session")
    if s is None or len(s.particles) > 300:
        s = BRIDGE["session"] = app.Session()
        app.handle("scene", json.dumps({"landscape": "bowl", "resolution": 32}), session=s)
        app.handle("drop", json.dumps({"points": [[1.0, 1.0], [-2.0, 0.5]]}), session=s)
    return s


@settings(max_examples=1600, **SETTINGS)
@given(command=st.one_of(st.sampled_from(sorted(app.COMMANDS)), st.sampled_from(sorted(app.COMMANDS)), junk),
       text=args_json())
def test_the_bridge_answers_json_or_one_valueerror_and_keeps_the_session(command, text):
    s = bridge_session()
    before = session_state(s)
    names = ["Invalid", "Unknown", "Too many particles", "contour lines"]
    out = attempt("app.handle", names, app.handle, command, text, session=s, errors=(ValueError,))
    if isinstance(out, Exception):
        assert session_state(s) == before, f"{command!r} failed and changed the session"
    else:
        reply, arrays = out
        json.loads(reply, parse_constant=lambda c: pytest.fail(f"non-finite {c} in the reply"))
        assert all(isinstance(a, np.ndarray) for a in arrays)


def test_probe_far_out_gives_a_null_loss_not_an_overflow():
    s = app.Session()
    reply = json.loads(app.handle("probe", json.dumps({"x": 1e200, "y": 0.0}), session=s)[0])
    assert reply["f"] is None and reply["x"] == 1e200


@pytest.mark.parametrize("text, message", [
    ('{"x": %s1%s}' % ("[" * 100_000, "]" * 100_000), "nested deeper than 20"),
    ('{"x": %s}' % ("9" * 5000), "not JSON"),
    ('{"resolution": [1]}', "Invalid resolution=[1]"),
    ('{"landscape": ["bowl"]}', "Invalid landscape=['bowl']"),
    ('{"landscape": "moon"}', "Unknown landscape 'moon'"),
    ('{"lr": %s}' % ("9" * 400), "Invalid lr=<int of about "),
    ("[1, 2]", "must be a JSON object"),
])
def test_malformed_bridge_calls_are_value_errors(text, message):
    with pytest.raises(ValueError) as err:
        app.handle("scene", text, session=app.Session())
    assert message in str(err.value)


def test_commands_and_arguments_of_the_wrong_type_are_value_errors():
    with pytest.raises(ValueError, match="Unknown command"):
        app.handle(["scene"], "{}", session=app.Session())
    with pytest.raises(ValueError, match="must be JSON text"):
        app.handle("scene", {"landscape": "bowl"}, session=app.Session())
    with pytest.raises(ValueError, match="more than 1,000,000"):
        app.handle("scene", " " * 1_000_001, session=app.Session())


# ----------------------------------------------------------------------------- honest status

def test_a_ball_far_outside_the_view_has_left_it_instead_of_running():
    s = app.Session()
    app.handle("scene", json.dumps({"landscape": "rastrigin", "lr": 1, "beta": 0, "resolution": 32}), session=s)
    for _ in range(10):
        app.handle("advance", json.dumps({"steps": 50}), session=s)
    snap = s.snapshot()
    land = s.landscape
    xmin, xmax, ymin, ymax = land.domain
    margin = app.LEFT_VIEW_SPANS * land.span
    for (x, y), status, r in zip(snap["positions"], snap["status"], s.runs):
        far = not (xmin - margin <= x <= xmax + margin and ymin - margin <= y <= ymax + margin)
        if r.status[0] == optimizers.RUNNING:
            assert status == ("left the view" if far else "running")
        else:
            assert status == optimizers.STATUS_NAMES[r.status[0]]
    assert "left the view" in snap["status"]


# ----------------------------------------------------------------------------- the count

def test_at_least_5000_generated_bad_calls_ran():
    """Meaningful when the whole file runs (the generated tests above come first)."""
    total = sum(CALLS.values())
    if {"landscape.f/grad/hessian", "optimizers runs", "gradient_flow", "app.handle"} <= set(CALLS):
        assert total >= 5000, CALLS
    print(f"\n{total:,} generated calls: {CALLS}")
