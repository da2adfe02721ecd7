"""From a checked tree (``expression_parse``) to sympy, its exact derivatives, and numpy.

sympy is imported here only; ``landscapes`` imports this module lazily, inside
``from_expression``, so that importing ``landscapes`` never imports sympy.

- ``symbolic(text, tree)`` builds the sympy expression node by node from the tree (never
  from the text: no ``sympify``, ``parse_expr``, ``eval``), with x and y real symbols, so
  that d|u|/dx = sign(u)·u′. The gradient and the Hessian come from ``sympy.diff``
  (∂²f/∂x∂y as ∂/∂y of ∂f/∂x). An expression that sympy finds complex or undefined
  (``log(-2)`` folded to ``log(2) + iπ``, ``x/0``) is refused.
- ``compile_program(exprs)`` walks the sympy trees into one straight-line numpy program
  (no ``lambdify``, which execs generated source): each distinct sub-expression is one
  step, computed once per call, so shared terms of f, ∇f and the Hessian cost once.
  Heaviside(u) (from max/min) is 0, ½ or 1; DiracDelta (the second derivative of abs,
  max and min at their kinks) is taken as 0, its value almost everywhere; sign(u) is
  −1, 0 or 1. Outside the real domain of a function (log of a negative number, sqrt of
  one, asin(2)) numpy gives NaN quietly; an overflow gives ±inf.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
import sympy as sp

from .expression_parse import ExpressionError, refuse

X, Y = sp.symbols("x y", real=True)
_FUNCTIONS = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "asin": sp.asin, "acos": sp.acos, "atan": sp.atan,
    "atan2": sp.atan2, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "exp": sp.exp,
    "log": sp.log, "sqrt": sp.sqrt, "abs": sp.Abs, "min": sp.Min, "max": sp.Max,
}
_BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
           "div": lambda a, b: a / b, "pow": lambda a, b: a**b}
_NUMPY = {
    sp.sin: np.sin, sp.cos: np.cos, sp.tan: np.tan, sp.asin: np.arcsin, sp.acos: np.arccos,
    sp.atan: np.arctan, sp.sinh: np.sinh, sp.cosh: np.cosh, sp.tanh: np.tanh, sp.exp: np.exp,
    sp.log: np.log, sp.Abs: np.abs, sp.sign: np.sign,
}
_BAD = (sp.I, sp.zoo, sp.nan, sp.oo, -sp.oo)


class Symbolic(NamedTuple):
    """f and its exact derivatives as sympy expressions, and their texts (``sstr``)."""

    f: sp.Expr
    grad: tuple[sp.Expr, sp.Expr]
    hessian: tuple[sp.Expr, sp.Expr, sp.Expr]

    def texts(self) -> tuple[str, str, str]:
        """f, ∂f/∂x and ∂f/∂y as readable text (sympy's ``sstr``, short floats)."""
        return tuple(sp.sstr(e, full_prec=False) for e in (self.f, *self.grad))


def symbolic(text: str, tree: tuple) -> Symbolic:
    """The sympy expression of ``tree`` with its gradient and Hessian, or ExpressionError."""
    try:
        f = _build(tree)
        _check_real(text, f)
        gx, gy = sp.diff(f, X), sp.diff(f, Y)
        hxx, hxy, hyy = sp.diff(gx, X), sp.diff(gx, Y), sp.diff(gy, Y)
    except ExpressionError:
        raise
    except (TypeError, ValueError, ArithmeticError, RecursionError, AttributeError) as err:
        raise refuse(text, f"sympy cannot handle it ({type(err).__name__})") from None
    return Symbolic(f, (gx, gy), (hxx, hxy, hyy))


def _build(node: tuple) -> sp.Expr:
    kind = node[0]
    if kind == "num":
        return sp.Integer(node[1]) if isinstance(node[1], int) else sp.Float(node[1])
    if kind == "sym":
        return X if node[1] == "x" else Y
    if kind == "const":
        return sp.pi if node[1] == "pi" else sp.E
    if kind == "neg":
        return -_build(node[1])
    if kind == "call":
        return _FUNCTIONS[node[1]](*(_build(a) for a in node[2]))
    return _BINARY[kind](_build(node[1]), _build(node[2]))


def _check_real(text: str, f: sp.Expr) -> None:
    if f.has(*_BAD):
        raise refuse(text, f"sympy reads it as complex or undefined ({sp.sstr(f, full_prec=False)[:60]}): "
                           f"a constant such as log(-2), sqrt(-1) or 1/0 inside it?")


# ----------------------------------------------------------------------------- numpy

Program = Callable[[np.ndarray, np.ndarray], list]


def compile_program(text: str, exprs) -> Program:
    """One numpy function (x, y) → [value of each expr] with shared sub-expressions
    computed once (see the module docstring)."""
    index: dict = {}
    steps: list = []

    def visit(e) -> int:
        at = index.get(e)
        if at is None:
            kids = [visit(a) for a in e.args] if _needs_args(e) else []
            steps.append(_step(text, e, kids))
            at = index[e] = len(steps) - 1
        return at

    outputs = [visit(e) for e in exprs]

    def program(x, y):
        vals: list = []
        for step in steps:
            vals.append(step(vals, x, y))
        return [vals[i] for i in outputs]

    program.size = len(steps)
    return program


def _needs_args(e) -> bool:
    return not (e.is_Symbol or e.is_Number or e.is_NumberSymbol)


def _step(text: str, e, kids: list[int]):
    """The numpy operation of one sympy node over the values of its arguments."""
    if e.is_Symbol:
        return (lambda v, x, y: x) if e == X else (lambda v, x, y: y)
    if e.is_Number or e.is_NumberSymbol:
        c = float(e)
        return lambda v, x, y: c
    if e.is_Add:
        return lambda v, x, y: _reduce(np.add, v, kids)
    if e.is_Mul:
        return lambda v, x, y: _reduce(np.multiply, v, kids)
    if e.is_Pow:
        return _power(e, kids)
    return _function(text, e, kids)


def _reduce(op, v, kids):
    out = v[kids[0]]
    for k in kids[1:]:
        out = op(out, v[k])
    return out


def _power(e, kids):
    a, b = kids
    n = e.exp
    if n == 2:
        return lambda v, x, y: v[a] * v[a]
    if n == -1:
        return lambda v, x, y: 1.0 / v[a]
    if n == sp.Rational(1, 2):
        return lambda v, x, y: np.sqrt(v[a])
    if n == sp.Rational(-1, 2):
        return lambda v, x, y: 1.0 / np.sqrt(v[a])
    return lambda v, x, y: np.power(np.asarray(v[a], dtype=float), v[b])


def _function(text: str, e, kids):
    fn = _NUMPY.get(e.func)
    if fn is not None and len(kids) == 1:
        k = kids[0]
        return lambda v, x, y: fn(v[k])
    if e.func in (sp.Max, sp.Min):
        op = np.maximum if e.func is sp.Max else np.minimum
        return lambda v, x, y: _reduce(op, v, kids)
    if e.func is sp.atan2:
        a, b = kids
        return lambda v, x, y: np.arctan2(v[a], v[b])
    if e.func is sp.Heaviside:
        k = kids[0]
        return lambda v, x, y: np.heaviside(v[k], 0.5)
    if e.func is sp.DiracDelta:
        k = kids[0]
        return lambda v, x, y: 0.0 * v[k]
    raise refuse(text, f"its derivatives contain {e.func.__name__}, which cannot be evaluated here")
