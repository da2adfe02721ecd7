"""From a checked tree (``expression_parse``) to sympy, its exact derivatives, and numpy.

sympy is imported here only; ``landscapes`` imports this module lazily, inside
``from_expression``, so that importing ``landscapes`` never imports sympy.

- ``symbolic(text, tree)`` builds the sympy expression node by node from the tree (never
  from the text: no ``sympify``, ``parse_expr``, ``eval``), with x and y real symbols, so
  that d|u|/dx = sign(u)·u′. The gradient and the Hessian come from ``sympy.diff``
  (∂²f/∂x∂y as ∂/∂y of ∂f/∂x). An expression that sympy finds complex or undefined
  (``log(-2)`` folded to ``log(2) + iπ``, ``x/0``) is refused.
- ``compile_program(text, exprs)`` walks the sympy trees of f, ∇f and the Hessian into one
  straight-line program written as plain data (``program_steps``: no ``lambdify``, which
  execs generated source) and hands it to ``expression_program.Program.check``, the one
  numpy evaluator, which ``from_data`` uses too. Each distinct sub-expression is one step,
  computed once per call, so shared terms of f, ∇f and the Hessian cost once. u², u⁻¹,
  u^½ and u^(−½) are the steps square, reciprocal, sqrt, reciprocal_sqrt, other powers
  ``pow``; Heaviside(u) (from max/min) is 0, ½ or 1; DiracDelta (the second derivative of
  abs, max and min at their kinks) is taken as 0, its value almost everywhere; sign(u) is
  −1, 0 or 1. A constant that is not a finite float (1e15**100 expanded by sympy, or a
  nan from log(0) in a derivative) is refused: the data must survive JSON.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import sympy as sp

from .expression_parse import ExpressionError, refuse
from .expression_program import Program

X, Y = sp.symbols("x y", real=True)
_FUNCTIONS = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "asin": sp.asin, "acos": sp.acos, "atan": sp.atan,
    "atan2": sp.atan2, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "exp": sp.exp,
    "log": sp.log, "sqrt": sp.sqrt, "abs": sp.Abs, "min": sp.Min, "max": sp.Max,
}
_BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
           "div": lambda a, b: a / b, "pow": lambda a, b: a**b}
_OPS = {  # sympy function → op of expression_program
    sp.sin: "sin", sp.cos: "cos", sp.tan: "tan", sp.asin: "arcsin", sp.acos: "arccos",
    sp.atan: "arctan", sp.sinh: "sinh", sp.cosh: "cosh", sp.tanh: "tanh", sp.exp: "exp",
    sp.log: "log", sp.Abs: "abs", sp.sign: "sign", sp.Max: "maximum", sp.Min: "minimum",
    sp.atan2: "arctan2", sp.Heaviside: "heaviside", sp.DiracDelta: "zero",
}
_POWERS = ((2, "square"), (-1, "reciprocal"), (sp.Rational(1, 2), "sqrt"), (sp.Rational(-1, 2), "reciprocal_sqrt"))
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


# ----------------------------------------------------------------------------- the program

def compile_program(text: str, exprs) -> Program:
    """The checked ``Program`` of f, fx, fy, fxx, fxy, fyy (``exprs``, in that order):
    ``program_steps`` written as data, then read back by ``Program.check`` as any other
    data is, so this landscape and one rebuilt from its data run the same steps."""
    steps, outputs = program_steps(text, exprs)
    try:
        return Program.check(steps, outputs)
    except ValueError as err:  # only the size limits can fail here
        raise refuse(text, f"too complex: {str(err).split(': ', 1)[-1]}; simplify the formula") from None


def program_steps(text: str, exprs) -> tuple[list, list]:
    """(steps, outputs): the sympy trees of ``exprs`` walked into one straight-line
    program (``expression_program``), each distinct sub-expression one step, so the
    terms f, ∇f and the Hessian share are computed once per call."""
    index: dict = {}
    steps: list = []

    def visit(e) -> int:
        at = index.get(e)
        if at is None:
            op, args = _step(text, e)
            steps.append([op, args] if op == "const" else [op, *(visit(a) for a in args)])
            at = index[e] = len(steps) - 1
        return at

    outputs = [visit(e) for e in exprs]
    return steps, outputs


def _step(text: str, e) -> tuple[str, object]:
    """The op of one sympy node and the sub-expressions it takes (a const: its float)."""
    if e.is_Symbol:
        return ("x" if e == X else "y"), ()
    if e.is_Number or e.is_NumberSymbol:
        c = float(e)
        if np.isnan(c):
            raise refuse(text, f"its derivatives are undefined: sympy reduces part of them to {sp.sstr(e)} "
                               f"(as log(0) in the derivative of 0**x)")
        if not np.isfinite(c):
            raise refuse(text, f"a constant in it or its derivatives is too large for floating point "
                               f"({sp.sstr(sp.Float(e, 3))})")
        return "const", c
    if e.is_Add:
        return "add", e.args
    if e.is_Mul:
        return "mul", e.args
    if e.is_Pow:
        special = [op for n, op in _POWERS if e.exp == n]
        return (special[0], (e.base,)) if special else ("pow", e.args)
    return _function(text, e)


def _function(text: str, e) -> tuple[str, tuple]:
    op = _OPS.get(e.func)
    if op is not None and len(e.args) == 1:
        return op, e.args
    if e.func in (sp.Max, sp.Min, sp.atan2):
        return _OPS[e.func], e.args
    if e.func in (sp.Heaviside, sp.DiracDelta):  # Heaviside(u, 1/2), DiracDelta(u): u only
        return _OPS[e.func], e.args[:1]
    raise refuse(text, f"its derivatives contain {e.func.__name__}, which cannot be evaluated here")
