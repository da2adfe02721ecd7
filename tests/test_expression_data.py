"""A typed landscape as plain data (issue 12, the two workers): ``land.to_data()`` in the
worker that has sympy, ``landscapes.from_data(data)`` in the one that must not.

The rebuilt landscape must be the same landscape bit for bit (f, ∇f and the Hessian on
any points, NaN and ±inf where the original gives them; texts, window, start, learning
rates, minima), the data must survive ``json.dumps(allow_nan=False)``, ``from_data``
must import no sympy and be cheap, and any malformed or hostile data must be refused
with a ValueError naming the problem — never another exception, never slowly."""

from __future__ import annotations

import copy
import gc
import itertools
import json
import math
import pathlib
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import landscapes
from landscapes import expression_data, expression_program
from landscapes.expression_program import MAX_ARGS, MAX_STEPS, OPS
from test_expression import TABLE, WINDOWS
from test_expression_fuzz import valid

pytestmark = pytest.mark.filterwarnings("error")

KINKS = ("x**-0.5 + 1/sqrt(y + 4) + 1/(x + 6) + abs(x + y - 10) + max(x, max(y, 3)) + min(x**2, y + 5)"
         " + (x - 2)**2 + (y + 1)**2")  # two minima
GOLDSTEIN_PRICE = ("(1+(x+y+1)**2*(19-14*x+3*x**2-14*y+6*x*y+3*y**2))"
                   "*(30+(2*x-3*y)**2*(18-32*x+12*x**2+48*y-36*x*y+27*y**2))")
# the largest program a search over formulas at the parser's limits found (288 steps)
LARGEST = ("min(((cos(max(((y-1.7)*max(y, x)), -(y*x)))/atan2(((log(pi)*atan2(x, 1.7))*y), max(max(2, tanh(x)), x)))"
           "-(sin((abs(-3)*-max(1.7, y)))+((-sin(x)+((x*x)**(2-y)))/asin(y)))), (sqrt(0.5)*(pi-atan(y))))")
# text: window; beyond the table: several minima, an undefined half, large programs, and
# the ops the table does not reach (u^(−½), 1/u, kinks).
MORE = {
    LARGEST: (-3, 3, -0.99, 0.99),
    "(x^2 + y - 11)^2 + (x + y^2 - 7)^2": (-5, 5, -5, 5),
    "log(x) + y**2": (-3, 3, -3, 3),
    GOLDSTEIN_PRICE: (-2, 2, -2, 2),
    KINKS: (0.1, 5, -3, 3),
    "(x**2 - 4)**2 + (y - 0.5*x)**2 + x": (-3, 3, -3, 3),
}


def _build(text):
    if text in MORE:
        return landscapes.from_expression(text, domain=MORE[text])
    return landscapes.from_expression(text, domain=WINDOWS.get(text, (-5, 5, -5, 5)), start=(0.5, 0.5))


TEXTS = sorted({row[0] for row in TABLE}) + list(MORE)


@pytest.fixture(scope="module")
def built():
    return {text: _build(text) for text in TEXTS}


def _points(window):
    """A grid over the window and half a window beyond it (where log, sqrt and asin are
    undefined), and the points that break things: 0, ±inf, NaN, ±1e300."""
    xmin, xmax, ymin, ymax = window
    w, h = xmax - xmin, ymax - ymin
    gx, gy = np.meshgrid(np.linspace(xmin - w / 2, xmax + w / 2, 41), np.linspace(ymin - h / 2, ymax + h / 2, 37))
    odd = np.array([0.0, -0.0, math.inf, -math.inf, math.nan, 1e300, -1e300, 1.0, -1.0])
    ox, oy = np.meshgrid(odd, odd)
    return np.concatenate([gx.ravel(), ox.ravel()]), np.concatenate([gy.ravel(), oy.ravel()])


def _same_bits(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def _assert_same_landscape(a, b):
    for name in ("key", "label", "domain", "start", "lr_range", "default_lr", "description", "minima",
                 "color_scale", "expression", "formula", "gradient_formula", "undefined_fraction", "steps"):
        assert getattr(a, name) == getattr(b, name), name
    x, y = _points(a.domain)
    pairs = [(a.f(x, y), b.f(x, y)), (a.f_xy(x, y), b.f_xy(x, y)), *zip(a.grad(x, y), b.grad(x, y)),
             *zip(a.hessian(x, y), b.hessian(x, y))]
    for i in range(0, len(x), 97):  # scalars too: numpy scalars of the same bits
        pairs += [(a.f(x[i], y[i]), b.f(x[i], y[i])), *zip(a.grad(x[i], y[i]), b.grad(x[i], y[i])),
                  *zip(a.hessian(x[i], y[i]), b.hessian(x[i], y[i]))]
    for k, (u, v) in enumerate(pairs):
        assert _same_bits(u, v), k


def _json(data):
    return json.loads(json.dumps(data, allow_nan=False))


# ----------------------------------------------------------------------------- round trips

@pytest.mark.parametrize("text", TEXTS)
def test_round_trip_through_json_is_the_same_landscape(built, text):
    land = built[text]
    data = land.to_data()
    rebuilt = landscapes.from_data(_json(data))
    assert isinstance(rebuilt, landscapes.ExpressionLandscape) and rebuilt.key == "custom"
    _assert_same_landscape(land, rebuilt)
    assert rebuilt.to_data() == data  # and back again, unchanged
    _assert_same_landscape(land, landscapes.from_data(data))  # without JSON: tuples and all


def test_undefined_points_keep_their_nan_and_inf_pattern(built):
    land = built["log(x) + y**2"]
    rebuilt = landscapes.from_data(_json(land.to_data()))
    x, y = _points(land.domain)
    z, g = rebuilt.f(x, y), rebuilt.grad(x, y)
    assert np.isinf(z).any() and np.isnan(g[0]).any() and np.isfinite(z).any()  # the test sees all three
    np.testing.assert_array_equal(np.isnan(land.grad(x, y)[0]), np.isnan(g[0]))


def test_data_is_plain_json_with_the_documented_fields(built):
    data = built[GOLDSTEIN_PRICE].to_data()
    assert tuple(data) == expression_data.FIELDS and data["version"] == expression_data.VERSION
    assert data["expression"] == GOLDSTEIN_PRICE and data["domain"] == [-2.0, 2.0, -2.0, 2.0]
    assert data["minima"][0]["is_global"] is True and data["minima"][0]["value"] == pytest.approx(3.0)
    assert set(data["program"]["outputs"]) == {"f", "fx", "fy", "fxx", "fxy", "fyy"}
    text = json.dumps(data, allow_nan=False)
    assert "NaN" not in text and "Infinity" not in text
    ops = {step[0] for step in data["program"]["steps"]}
    assert ops <= set(OPS)


def test_the_tests_programs_use_every_op_of_the_whitelist(built):
    used = {step[0] for land in built.values() for step in land.to_data()["program"]["steps"]}
    assert used == set(OPS), set(OPS) - used


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(text=valid)
def test_round_trip_of_random_formulas(text):
    try:
        land = landscapes.from_expression(text)
    except ValueError:
        return
    _assert_same_landscape(land, landscapes.from_data(_json(land.to_data())))


def test_only_landscapes_from_expressions_have_data():
    for value in (landscapes.get("bowl"), None, {"version": 1}):
        with pytest.raises(ValueError, match="must be a landscape from from_expression or from_data"):
            expression_data.to_data(value)


# ----------------------------------------------------------------------------- no sympy, cheap

def test_from_data_imports_no_sympy(built):
    data = [built[t].to_data() for t in (GOLDSTEIN_PRICE, KINKS, "log(x) + y**2")]
    code = ("import json, sys, landscapes\n"
            "out = []\n"
            "for d in json.load(sys.stdin):\n"
            "    land = landscapes.from_data(d)\n"
            "    out.append([float(land.f(0.5, 0.25)), *map(float, land.grad(0.5, 0.25)), "
            "*map(float, land.hessian(0.5, 0.25))])\n"
            "print(json.dumps([sorted(m for m in sys.modules if m.split('.')[0] in ('sympy', 'mpmath')), "
            "'landscapes.expression_sympy' in sys.modules, out]))")
    run = subprocess.run([sys.executable, "-c", code], input=json.dumps(data), capture_output=True, text=True,
                         check=True, cwd=pathlib.Path(__file__).parent.parent)
    imported, sympy_side, values = json.loads(run.stdout)
    assert imported == [] and sympy_side is False
    for d, got in zip(data, values):
        land = landscapes.from_data(d)
        want = [float(land.f(0.5, 0.25)), *map(float, land.grad(0.5, 0.25)), *map(float, land.hessian(0.5, 0.25))]
        assert [v.hex() for v in got] == [v.hex() for v in want]  # the same bits in another process


class CPU:
    """The CPU seconds spent in a with-block, with the cyclic GC off meanwhile: a
    collection of the test's or hypothesis's garbage is not the checked code's work."""

    def __enter__(self):
        gc.disable()
        self.t0 = time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.process_time() - self.t0
        gc.enable()


def _cpu(fn, repeat=20):
    best = math.inf
    for _ in range(repeat):
        with CPU() as cpu:
            fn()
        best = min(best, cpu.seconds)
    return best


def test_from_data_is_cheap(built):
    """Well under the few ms allowed, for the largest program of these tests (printed with -s)."""
    sizes = {t: len(built[t].to_data()["program"]["steps"]) for t in TEXTS}
    largest = max(sizes, key=sizes.get)
    data = _json(built[largest].to_data())
    seconds = _cpu(lambda: landscapes.from_data(data))
    print(f"\nfrom_data: {seconds * 1e3:.2f} ms (CPU) for {largest[:40]!r}…, {sizes[largest]} steps")
    assert seconds < 0.005


def _forged(n_steps=MAX_STEPS):
    """The largest program the checks let through: n_steps steps of MAX_ARGS arguments in all."""
    width = MAX_ARGS // n_steps
    steps = [["x"], ["y"]] + [["mul" if i % 2 else "add", *range(i - 1, max(i - 1 - width, -1), -1)]
                              for i in range(2, n_steps)]
    return {"steps": steps, "outputs": {"f": n_steps - 1, "fx": 0, "fy": 1, "fxx": 2, "fxy": 3, "fyy": 4}}


def test_the_largest_forged_program_is_checked_and_run_quickly(built):
    data = copy.deepcopy(built["x**2 + 10*y**2"].to_data())
    data["program"] = _forged()
    assert sum(len(s) - 1 for s in data["program"]["steps"]) <= MAX_ARGS
    assert _cpu(lambda: landscapes.from_data(data), repeat=3) < 0.05
    land = landscapes.from_data(data)
    assert _cpu(lambda: land.grad(np.zeros(16), np.zeros(16)), repeat=3) < 0.1
    assert np.isfinite(land.f(0.0, 0.0))


def test_honest_programs_stay_far_below_the_limits(built):
    """The parser's limits keep real programs small (a search over formulas at those
    limits found none above 300 steps); MAX_STEPS leaves room and bounds the work of a
    forged program."""
    for land in built.values():
        steps = land.to_data()["program"]["steps"]
        assert len(steps) <= MAX_STEPS // 10 and sum(len(s) - 1 for s in steps) <= MAX_ARGS // 10


# ----------------------------------------------------------------------------- refusals

@pytest.fixture(scope="module")
def base(built):
    """Valid data with every kind of step (abs, max, min, powers) and minima."""
    return _json(built[KINKS].to_data())


def _at(d, path):
    for k in path:
        d = d[k]
    return d


def _set(path, value):
    def mutate(data):
        _at(data, path[:-1])[path[-1]] = value
        return data
    return mutate


def _delete(path):
    def mutate(data):
        del _at(data, path[:-1])[path[-1]]
        return data
    return mutate


def _whole(value):
    return lambda d: value


STEPS = ("program", "steps")
BAD = [
    (_whole(None), "Invalid data=None: must be a dict"),
    (_whole([1, 2]), "must be a dict"),
    (_whole("{}"), "must be a dict"),
    (_whole([[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]), "must be a dict"),
    (_set(["version"], 2), "Invalid data version=2: this page reads version 1"),
    (_set(["version"], True), "Invalid data version=True"),
    (_set(["version"], 1.0), "Invalid data version=1.0"),
    (_set(["version"], "1"), "Invalid data version='1'"),
    (_delete(["version"]), "Invalid data version=None"),
    (_delete(["domain"]), "Invalid data fields: missing domain"),
    (_delete(["program"]), "missing program"),
    (_set(["evil"], "__import__('os')"), "Invalid data fields: unknown ['evil']"),
    (_set([1], 2), "unknown [1]"),
    (_set(["expression"], 5), "Invalid expression=5: must be a str"),
    (_set(["expression"], ""), "Invalid expression='': must not be empty"),
    (_set(["expression"], "x" * 301), "Invalid expression: 301 characters, at most 300"),
    (_set(["expression"], "x − y"), "character '−' (U+2212) is not printable ASCII"),
    (_set(["expression"], "x\x00"), "U+0000"),
    (_set(["domain"], "abcd"), "Invalid domain='abcd': must be a list of 4 items"),
    (_set(["domain"], [0, 1, 0]), "Invalid domain=[0, 1, 0]: must be a list of 4 items"),
    (_set(["domain"], [0, 1, 0, 1] * 1000), "Invalid domain=[0, 1, 0, 1, …]"),
    (_set(["domain"], [1, 0, 0, 1]), "Invalid domain=[1, 0, 0, 1]: must be (xmin, xmax, ymin, ymax)"),
    (_set(["domain"], [0, math.nan, 0, 1]), "bounds must be finite"),
    (_set(["domain"], [0, 1e7, 0, 1]), "bounds must be finite, at most 1e+06"),
    (_set(["domain"], [True, 2, 0, 1]), "Invalid domain=[True, 2, 0, 1]"),
    (_set(["domain"], [0, 10**400, 0, 1]), "Invalid domain="),
    (_set(["start"], [50, 0]), "Invalid start=[50, 0]: outside the window"),
    (_set(["start"], [math.nan, 0]), "Invalid start=[nan, 0]: must be a point (x, y) of finite numbers"),
    (_set(["start"], [1]), "Invalid start=[1]: must be a list of 2 items"),
    (_set(["start"], [[0] * 10**6, 0]), "Invalid start=[[0, 0, 0, 0, …], 0]: must be a list of 2 numbers"),
    (_set(["domain"], [0, 1, 0, "1"]), "Invalid domain=[0, 1, 0, '1']: must be a list of 4 numbers"),
    (_set(["start"], {"x": 1, "y": 2}), "Invalid start={'x': 1, 'y': 2}: must be a list"),
    (_set(["default_lr"], 0), "Invalid default_lr=0: must be in [1e-06, 10]"),
    (_set(["default_lr"], -0.1), "Invalid default_lr=-0.1"),
    (_set(["default_lr"], math.inf), "Invalid default_lr=inf: must be a finite number"),
    (_set(["default_lr"], "0.1"), "Invalid default_lr='0.1': must be a number"),
    (_set(["default_lr"], True), "Invalid default_lr=True: must be a number"),
    (_set(["default_lr"], 10**400), "Invalid default_lr=<int of about 401 digits>: must be a finite number"),
    (_set(["lr_range"], [1.0, 2.0]), "Invalid lr_range=[1.0, 2.0]: must be [lo, hi] with 0 < lo <= default_lr"),
    (_set(["lr_range"], [0.0, 1.0]), "must be [lo, hi] with 0 < lo"),
    (_set(["lr_range"], [1e-5, 1e9]), "Invalid lr_range[1]=1000000000.0: must be in [0, 100]"),
    (_set(["lr_range"], [math.nan, 1.0]), "Invalid lr_range[0]=nan"),
    (_set(["lr_range"], [0.01]), "must be a list of 2 items"),
    (_set(["color_scale"], "rainbow"), "Invalid color_scale='rainbow': must be 'linear' or 'log'"),
    (_set(["color_scale"], ["log"]), "Invalid color_scale=['log']"),
    (_set(["minima"], {}), "Invalid minima={}: must be a list"),
    (_set(["minima"], [{"x": 1.0, "y": 0.0, "value": 0.0, "is_global": True}] * 13), "13 of them, at most 12"),
    (_set(["minima", 0, "x"], 100.0), "Invalid minima[0].x=100.0: must be in [0.1, 5]"),
    (_set(["minima", 0, "y"], -math.inf), "Invalid minima[0].y=-inf: must be a finite number"),
    (_set(["minima", 0, "value"], math.nan), "Invalid minima[0].value=nan"),
    (_set(["minima", 0, "is_global"], 1), "Invalid minima[0].is_global=1: must be true or false"),
    (_set(["minima", 0, "name"], "A"), "Invalid minima[0] fields: unknown ['name']"),
    (_delete(["minima", 0, "value"]), "Invalid minima[0] fields: missing value"),
    (_set(["minima", 0], [1.0, 0.0, 0.0, True]), "Invalid minima[0]=[1.0, 0.0, 0.0, True]: must be a dict"),
    (_set(["formula"], None), "Invalid formula=None: must be a str"),
    (_set(["formula"], "x" * 20_001), "Invalid formula: 20,001 characters, at most 20,000"),
    (_set(["formula"], "x\n+y"), "Invalid formula='x\\n+y': character '\\n' (U+000A) is not printable ASCII"),
    (_set(["description"], "<script>\u202e"), "U+202E"),
    (_set(["gradient_formula"], ["1"]), "Invalid gradient_formula=['1']: must be a list of 2 items"),
    (_set(["gradient_formula"], "ab"), "Invalid gradient_formula='ab'"),
    (_set(["gradient_formula"], ["1", 2]), "Invalid gradient_formula[1]=2: must be a str"),
    (_set(["undefined_fraction"], 0.9), "Invalid undefined_fraction=0.9: must be in [0, 0.5]"),
    (_set(["undefined_fraction"], -0.0001), "Invalid undefined_fraction=-0.0001"),
    (_set(["program"], []), "Invalid program=[]: must be a dict with the fields steps, outputs"),
    (_set(["program", "code"], "print(1)"), "Invalid program fields: unknown ['code']"),
    (_delete(["program", "outputs"]), "Invalid program fields: missing outputs"),
    (_set(STEPS, "x*y"), "Invalid program steps='x*y': must be a list of steps"),
    (_set(STEPS, {"0": ["x"]}), "Invalid program steps={'0': ['x']}: must be a list of steps"),
    (_set(STEPS, []), "Invalid program: 0 steps, must be 1 to 5,000"),
    (_set(STEPS, [["x"]] * (MAX_STEPS + 1)), "Invalid program: 5,001 steps, must be 1 to 5,000"),
    (_set(STEPS, [["x"]] * 10**6), "Invalid program: 1,000,000 steps"),
    (_set(STEPS, [["x"]] * 4000 + [["add", *range(3999)]] * 6),
     "Invalid program: more than 20,000 arguments in its steps"),
    (_set(STEPS, [["x"]] * 4999 + [["add", *[0] * 10**6]]), "Invalid program: more than 20,000 arguments"),
    (_set([*STEPS, 0], "x"), "Invalid program step 0='x': must be a list [op, argument, ...]"),
    (_set([*STEPS, 0], []), "Invalid program step 0=[]: must be a list"),
    (_set([*STEPS, 0], ["eval", 0]), "Invalid program step 0=['eval', 0]: unknown op 'eval'; allowed: x, y, const"),
    (_set([*STEPS, 0], ["__import__"]), "unknown op '__import__'"),
    (_set([*STEPS, 0], [["add"]]), "unknown op ['add']"),
    (_set([*STEPS, 0], [None]), "unknown op None"),
    (_set([*STEPS, 0], ["lambda"]), "unknown op 'lambda'"),
    (_set([*STEPS, 0], ["X"]), "unknown op 'X'"),
    (_set([*STEPS, 0], ["x", 0]), "Invalid program step 0=['x', 0]: x takes 0 arguments, got 1"),
    (_set([*STEPS, 0], ["const"]), "a const is [\"const\", number]"),
    (_set([*STEPS, 0], ["const", 1, 2]), "a const is [\"const\", number]"),
    (_set([*STEPS, 0], ["const", "1"]), "Invalid program step 0 constant='1': must be a number"),
    (_set([*STEPS, 0], ["const", math.nan]), "Invalid program step 0 constant=nan: must be a finite number"),
    (_set([*STEPS, 0], ["const", -math.inf]), "constant=-inf: must be a finite number"),
    (_set([*STEPS, 0], ["const", True]), "constant=True: must be a number"),
    (_set([*STEPS, 0], ["const", 10**400]), "constant=<int of about 401 digits>: must be a finite number"),
    (_set([*STEPS, 0], ["const", [1.0]]), "constant=[1.0]: must be a number"),
    (_set([*STEPS, 3], ["add", 0]), "Invalid program step 3=['add', 0]: add takes at least 2 arguments, got 1"),
    (_set([*STEPS, 3], ["sin", 0, 1]), "sin takes 1 argument, got 2"),
    (_set([*STEPS, 3], ["sin"]), "sin takes 1 argument, got 0"),
    (_set([*STEPS, 3], ["arctan2", 0, 1, 2]), "arctan2 takes 2 arguments, got 3"),
    (_set([*STEPS, 3], ["sin", 3]),
     "Invalid program step 3=['sin', 3]: argument 3 is not the index of an earlier step (0 to 2)"),
    (_set([*STEPS, 3], ["sin", 4]), "argument 4 is not the index of an earlier step"),
    (_set([*STEPS, 3], ["sin", -1]), "argument -1 is not the index of an earlier step"),
    (_set([*STEPS, 3], ["sin", 1.0]), "argument 1.0 is not the index"),
    (_set([*STEPS, 3], ["sin", True]), "argument True is not the index"),
    (_set([*STEPS, 3], ["sin", "0"]), "argument '0' is not the index"),
    (_set([*STEPS, 3], ["sin", [0]]), "argument [0] is not the index"),
    (_set([*STEPS, 3], ["sin", 10**30]), "argument 1000000000000000000000000000000 is not the index"),
    (_set([*STEPS, 0], ["add", 0, 0]),
     "Invalid program step 0=['add', 0, 0]: argument 0 is not the index of an earlier step (step 0 can only be x, "),
    (_set(["program", "outputs"], [0, 1, 2, 3, 4, 5]),
     "Invalid program outputs=[0, 1, 2, 3, …]: must be a dict with the fields f, fx"),
    (_delete(["program", "outputs", "fyy"]), "Invalid program outputs fields: missing fyy"),
    (_set(["program", "outputs", "grad"], 1), "Invalid program outputs fields: unknown ['grad']"),
    (_set(["program", "outputs", "f"], 10**6), "Invalid program output f=1000000: must be a step index"),
    (_set(["program", "outputs", "fx"], -1), "Invalid program output fx=-1"),
    (_set(["program", "outputs", "fxy"], "3"), "Invalid program output fxy='3'"),
    (_set(["program", "outputs", "fyy"], None), "Invalid program output fyy=None"),
]


@pytest.mark.parametrize("mutate, message", BAD, ids=[m for _, m in BAD])
def test_malformed_data_is_refused_with_a_message_naming_the_problem(base, mutate, message):
    data = mutate(copy.deepcopy(base))
    with CPU() as cpu, pytest.raises(ValueError) as err:
        landscapes.from_data(data)
    assert cpu.seconds < 0.05
    assert message in str(err.value), str(err.value)
    assert str(err.value).startswith("Invalid ") and len(str(err.value)) <= 400


# ----------------------------------------------------------------------------- hypothesis

JUNK = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-3, 3), st.just(10**400),
              st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
              st.sampled_from(list(OPS) + ["eval", "__import__", "", "const", "x", "1e999"])),
    lambda kids: st.one_of(st.lists(kids, max_size=5), st.dictionaries(st.text(max_size=6), kids, max_size=4)),
    max_leaves=12)


def _paths(d, prefix=()):
    """The path to every value inside ``d`` (the first 50 items of each container)."""
    out = []
    items = itertools.islice(d.items() if isinstance(d, dict) else enumerate(d) if isinstance(d, list) else (), 50)
    for k, v in items:
        out.append(prefix + (k,))
        out += _paths(v, prefix + (k,))
    return out


class Mutated:
    """Mutated data with a short repr: hypothesis prints a failing example, and a huge or
    deeply shared one would take minutes and gigabytes to print in full."""

    def __init__(self, data):
        self.data = data

    def __repr__(self):
        return f"Mutated({expression_program.brief(self.data, 400)})"


@st.composite
def mutated(draw, base):
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(data) if isinstance(data, (dict, list)) else []
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _at(data, path[:-1]), path[-1]
        how = draw(st.sampled_from(["drop", "junk", "junk", "extra", "swap", "huge", "op", "index", "nest"]))
        if how == "drop":
            del parent[key]
        elif how == "junk":
            parent[key] = draw(JUNK)
        elif how == "extra" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(JUNK)
        elif how == "extra":
            parent.append(draw(JUNK))
        elif how == "swap":
            parent[key] = copy.deepcopy(_at(data, draw(st.sampled_from(paths))))
        elif how == "huge":
            parent[key] = [parent[key]] * draw(st.sampled_from([10, 5001, 100_000]))
        elif how == "op":
            steps = data.get("program", {}).get("steps") if isinstance(data.get("program"), dict) else None
            if isinstance(steps, list) and steps:
                i = draw(st.integers(0, len(steps) - 1))
                steps[i] = [draw(st.sampled_from(list(OPS) + ["eval"])),
                            *draw(st.lists(st.integers(-2, len(steps) + 2), max_size=4))]
        elif how == "index":
            parent[key] = draw(st.integers(-5, 10**6))
        else:
            parent[key] = {"a": [parent[key], [[[[draw(JUNK)]]]]]}
    return Mutated(data)


def test_mutated_data_raises_only_value_error_quickly(built):
    bases = [_json(built[t].to_data()) for t in (KINKS, "log(x) + y**2", "x^2*y - 3*y")]
    seen = {"refused": 0, "accepted": 0, "cpu": 0.0}

    @settings(max_examples=1000, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(mutant=st.sampled_from(range(len(bases))).flatmap(lambda i: mutated(bases[i])))
    def run(mutant):
        land = None
        with CPU() as cpu:
            try:
                land = landscapes.from_data(mutant.data)
            except ValueError as err:
                assert str(err).startswith("Invalid ") and len(str(err)) <= 400, str(err)
        seen["cpu"] = max(seen["cpu"], cpu.seconds)
        assert cpu.seconds < 0.05, cpu.seconds
        if land is None:
            seen["refused"] += 1
            return
        seen["accepted"] += 1  # a mutation that kept the data valid (another op, a constant): it runs
        x, y = _points(land.domain)
        land.f(x, y), land.grad(x, y), land.hessian(x, y)

    run()
    print(f"\nmutated data: {seen}")
    assert seen["refused"] > 800 and seen["accepted"] > 10


def test_brief_descriptions_of_untrusted_values_are_bounded_and_cheap():
    deep = []
    for _ in range(100_000):
        deep = [deep]
    for value in (deep, [0] * 10**6, {str(i): i for i in range(10**5)}, "x" * 10**6, 10**5000):
        with CPU() as cpu:
            text = expression_program.brief(value)
        assert len(text) <= 80 and cpu.seconds < 0.01, text
