"""The one evaluator of a typed f(x, y): a straight-line program as plain data, run by numpy.

``expression_sympy.compile_program`` writes f, ∇f and the Hessian as a list of *steps*;
``from_expression`` and ``from_data`` both hand that list to ``Program.check``, so the
landscape a page builds with sympy and the one rebuilt elsewhere from the same data run
the same code on the same numbers and agree bit for bit. Nothing here imports sympy.

A step is a list ``[op, *arguments]``: ``["x"]``, ``["y"]``, ``["const", c]`` with c a
finite number, or ``[op, i, j, …]`` whose arguments are indices of *earlier* steps (so a
program has no cycles and runs in order). The ops, with the number of arguments:

- 0: x, y; const (its float).
- 1: sin cos tan arcsin arccos arctan sinh cosh tanh exp log abs sign sqrt;
  square (u·u), reciprocal (1/u), reciprocal_sqrt (1/√u) — sympy's exact powers u², u⁻¹,
  u^(−½) (a typed x**0.5 has a float exponent: pow);
  heaviside (0, ½ or 1, from the derivatives of max and min); zero (0·u: DiracDelta,
  the second derivative of abs, max and min at their kinks, taken as its value almost
  everywhere, 0; NaN where u is not finite).
- 2: pow (u**v, general exponent), arctan2 (atan2(u, v)).
- 2 or more: add, mul, maximum, minimum (folded left to right).

``outputs`` are the step indices of (f, fx, fy, fxx, fxy, fyy). ``Program.check`` refuses
with ``ValueError`` naming the step anything else: a step that is not a list, an op not in
``OPS``, a wrong number of arguments, an argument that is not an int index of an earlier
step, a const that is not a finite number, more than ``MAX_STEPS`` steps or ``MAX_ARGS``
arguments in all, outputs that are not six step indices. Unused steps are allowed (and
never run). Outside the real domain of a
function (log of a negative number, asin(2)) numpy gives NaN quietly; an overflow ±inf;
every output after f is NaN where f is not finite.
"""

from __future__ import annotations

import itertools
import math
from numbers import Integral, Real

import numpy as np

from .errors import SHOW_LIMIT, show

OUTPUTS = ("f", "fx", "fy", "fxx", "fxy", "fyy")
# The parser's limits (MAX_NODES 120, MAX_COST 2500 estimated terms of the second
# derivatives) keep honest programs small: a search over formulas at those limits found
# none above 300 steps and 800 arguments. These bounds leave a margin of 15 and cap the
# work of a forged program (checking the largest allowed takes about 15 ms).
MAX_STEPS = 5000
MAX_ARGS = 20000  # arguments over all steps (a const's number counts as one)

_UNARY = {"sin": np.sin, "cos": np.cos, "tan": np.tan, "arcsin": np.arcsin, "arccos": np.arccos,
          "arctan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh, "exp": np.exp,
          "log": np.log, "abs": np.abs, "sign": np.sign, "sqrt": np.sqrt}
_FOLDS = {"add": np.add, "mul": np.multiply, "maximum": np.maximum, "minimum": np.minimum}


def _leaf(value_of):
    """make(args) → step(values, x, y) for x, y and const (whose args is its number)."""
    return lambda args: lambda v, x, y: value_of(args, x, y)


def _one(fn):
    def make(args):
        (a,) = args
        return lambda v, x, y: fn(v[a])
    return make


def _two(fn):
    def make(args):
        a, b = args
        return lambda v, x, y: fn(v[a], v[b])
    return make


def _fold(fn):
    """fn(…fn(fn(u₁, u₂), u₃)…, uₙ): left to right, as sympy lists the terms."""
    def make(args):
        if len(args) == 2:
            return _two(fn)(args)
        first, rest = args[0], args[1:]

        def step(v, x, y):
            out = v[first]
            for k in rest:
                out = fn(out, v[k])
            return out
        return step
    return make


# op: (fewest arguments, most arguments or None for any number, make(args) → step(values, x, y))
OPS = {
    "x": (0, 0, _leaf(lambda c, x, y: x)),
    "y": (0, 0, _leaf(lambda c, x, y: y)),
    "const": (0, 0, _leaf(lambda c, x, y: c)),  # [“const”, c]: its one entry is the number c
    **{name: (1, 1, _one(fn)) for name, fn in _UNARY.items()},
    "square": (1, 1, _one(lambda u: u * u)),
    "reciprocal": (1, 1, _one(lambda u: 1.0 / u)),
    "reciprocal_sqrt": (1, 1, _one(lambda u: 1.0 / np.sqrt(u))),
    "heaviside": (1, 1, _one(lambda u: np.heaviside(u, 0.5))),
    "zero": (1, 1, _one(lambda u: 0.0 * u)),
    "pow": (2, 2, _two(lambda u, w: np.power(np.asarray(u, dtype=float), w))),
    "arctan2": (2, 2, _two(np.arctan2)),
    **{name: (2, None, _fold(fn)) for name, fn in _FOLDS.items()},
}
_GROUPS = {"f": (0,), "grad": (0, 1, 2), "hessian": (0, 3, 4, 5), "all": (0, 1, 2, 3, 4, 5)}


class Program:
    """A checked program; ``f``, ``grad``, ``hessian`` and ``everything`` run the steps
    each needs (found once, on first use), dropping every value after its last use."""

    def __init__(self, steps: tuple, outputs: tuple):
        self.steps, self.outputs = steps, outputs  # as ``check`` leaves them: trusted
        self._plans: dict = {}

    @classmethod
    def check(cls, steps, outputs) -> "Program":
        """The program of ``steps`` and ``outputs`` (module docstring), or ValueError."""
        if not isinstance(steps, (list, tuple)):
            raise ValueError(f"Invalid program steps={brief(steps)}: must be a list of steps")
        if not 1 <= len(steps) <= MAX_STEPS:
            raise ValueError(f"Invalid program: {len(steps):,} steps, must be 1 to {MAX_STEPS:,}")
        checked, total = [], 0
        for i, step in enumerate(steps):
            total += len(step) - 1 if isinstance(step, (list, tuple)) else 0  # before walking it
            if total > MAX_ARGS:
                raise ValueError(f"Invalid program: more than {MAX_ARGS:,} arguments in its steps")
            checked.append(_check_step(i, step))
        return cls(tuple(checked), _check_outputs(outputs, len(steps)))

    def data(self) -> dict:
        """The program as JSON-able data: {"steps": [[op, …], …], "outputs": {"f": i, …}}."""
        steps = [[op, args] if op == "const" else [op, *args] for op, args in self.steps]
        return {"steps": steps, "outputs": dict(zip(OUTPUTS, self.outputs))}

    def f(self, x, y):
        return self._run("f", x, y)[0]

    def grad(self, x, y):
        """(∂f/∂x, ∂f/∂y), NaN wherever f is not finite (d log(x)/dx = 1/x is not taken for x ≤ 0)."""
        return tuple(self._run("grad", x, y)[1:])

    def hessian(self, x, y):
        """(fxx, fxy, fyy), NaN wherever f is not finite."""
        return tuple(self._run("hessian", x, y)[1:])

    def everything(self, x, y):
        """[f, fx, fy, fxx, fxy, fyy] in one pass."""
        return self._run("all", x, y)

    def _run(self, group: str, x, y) -> list:
        """The group's outputs as float arrays of the broadcast shape of x and y; every
        output after the first (f) is NaN where f is not finite: undefined means
        undefined for the derivatives too."""
        plan = self._plans.get(group)
        if plan is None:
            plan = self._plans[group] = self._plan(group)
        steps, outputs = plan
        shape = np.broadcast_shapes(np.shape(x), np.shape(y))
        v: list = []
        with np.errstate(all="ignore"):
            for step, dead in steps:
                v.append(step(v, x, y))
                if dead:
                    for d in dead:
                        v[d] = None
            out = [np.asarray(v[i], dtype=float) if np.shape(v[i]) == shape
                   else np.broadcast_to(np.asarray(v[i], dtype=float), shape).copy() for i in outputs]
            undefined = ~np.isfinite(out[0])
            if undefined.any():
                out[1:] = [np.where(undefined, np.nan, a) for a in out[1:]]
        return out

    def _plan(self, group: str) -> tuple:
        """((step, values to drop after it), …) for the steps the group's outputs depend on,
        in order and renumbered 0, 1, …, and the new numbers of the outputs."""
        wanted = {self.outputs[k] for k in _GROUPS[group]}
        need = [i in wanted for i in range(len(self.steps))]
        for i in reversed(range(len(self.steps))):
            op, args = self.steps[i]
            if need[i] and op != "const":
                for a in args:
                    need[a] = True
        order = [i for i in range(len(self.steps)) if need[i]]
        new = {i: n for n, i in enumerate(order)}
        made, last = [], {}
        for n, i in enumerate(order):
            op, args = self.steps[i]
            args = args if op == "const" else tuple(new[a] for a in args)
            last.update((a, n) for a in (() if op == "const" else args))
            made.append(OPS[op][2](args))
        keep = {new[i] for i in wanted}
        dead: dict = {}
        for a, n in last.items():
            if a not in keep:
                dead.setdefault(n, []).append(a)
        return (tuple((step, tuple(dead.get(n, ()))) for n, step in enumerate(made)),
                tuple(new[self.outputs[k]] for k in _GROUPS[group]))


def _check_step(i: int, step) -> tuple:
    """(op, args) of step ``i``: args a tuple of earlier indices, or the float of a const."""
    if not isinstance(step, (list, tuple)) or not step:
        raise _bad_step(i, step, "must be a list [op, argument, ...]")
    op = step[0]
    if not isinstance(op, str) or op not in OPS:
        raise _bad_step(i, step, f"unknown op {brief(op, 40)}; allowed: {', '.join(OPS)}")
    if op == "const":
        if len(step) != 2:
            raise _bad_step(i, step, 'a const is ["const", number]')
        c = step[1]
        return op, (c if type(c) is float and math.isfinite(c) else finite(f"program step {i} constant", c))
    fewest, most, _ = OPS[op]
    args = tuple(step[1:])
    if len(args) < fewest or (most is not None and len(args) > most):
        count = f"{fewest}" if most == fewest else f"at least {fewest}"
        raise _bad_step(i, step, f"{op} takes {count} argument{'s' * (most != 1)}, got {len(args)}")
    for a in args:
        if not (type(a) is int and 0 <= a < i) and not (_index(a) and 0 <= a < i):
            earlier = f"0 to {i - 1}" if i else "step 0 can only be x, y or const"
            raise _bad_step(i, step, f"argument {brief(a)} is not the index of an earlier step ({earlier})")
    return op, args if all(type(a) is int for a in args) else tuple(int(a) for a in args)


def _bad_step(i: int, step, why: str) -> ValueError:
    return ValueError(f"Invalid program step {i}={brief(step)}: {why}")


def _check_outputs(outputs, n: int) -> tuple:
    if not (isinstance(outputs, (list, tuple)) and len(outputs) == len(OUTPUTS)):
        raise ValueError(f"Invalid program outputs={brief(outputs)}: must be the steps of {', '.join(OUTPUTS)}")
    for name, i in zip(OUTPUTS, outputs):
        if not _index(i) or not 0 <= i < n:
            raise ValueError(f"Invalid program output {name}={brief(i)}: must be a step index, 0 to {n - 1}")
    return tuple(int(i) for i in outputs)


# ----------------------------------------------------------------------------- checks of plain data

def _index(v) -> bool:
    return isinstance(v, Integral) and not isinstance(v, (bool, np.bool_))


def finite(name: str, v, lo: float = -math.inf, hi: float = math.inf) -> float:
    """``v`` as a float: a real number (not a bool), finite, in [lo, hi]; else ValueError."""
    if not isinstance(v, Real) or isinstance(v, (bool, np.bool_)):
        raise ValueError(f"Invalid {name}={brief(v)}: must be a number")
    try:
        out = float(v)
    except (OverflowError, ValueError, TypeError):
        out = math.nan
    if not math.isfinite(out):
        raise ValueError(f"Invalid {name}={brief(v)}: must be a finite number")
    if not lo <= out <= hi:
        raise ValueError(f"Invalid {name}={brief(v)}: must be in [{lo:g}, {hi:g}]")
    return out


def brief(value, limit: int = SHOW_LIMIT) -> str:
    """Like ``errors.show``, for untrusted data: lists and dicts are summarised without
    being walked (at most 4 items, 3 levels deep), so a huge or deeply nested value costs
    no more to describe than a small one."""
    text = _brief(value, 0)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _brief(v, depth: int) -> str:
    if isinstance(v, dict):
        if depth >= 3:
            return "{…}"
        parts = [f"{_brief(k, depth + 1)}: {_brief(e, depth + 1)}" for k, e in itertools.islice(v.items(), 4)]
        return "{" + ", ".join(parts) + (", …" if len(v) > 4 else "") + "}"
    if isinstance(v, (list, tuple)):
        left, right = "()" if isinstance(v, tuple) else "[]"
        if depth >= 3:
            return f"{left}…{right}"
        parts = [_brief(e, depth + 1) for e in v[:4]]
        return left + ", ".join(parts) + (", …" if len(v) > 4 else "") + right
    if isinstance(v, str):
        return show(v[: SHOW_LIMIT + 1])
    return show(v)
