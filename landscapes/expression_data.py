"""A typed landscape as plain data, and back: ``land.to_data()`` and ``from_data(data)``.

The worker that has sympy builds the landscape (``from_expression``) and sends
``land.to_data()``; the animation worker, which never imports sympy, rebuilds it with
``from_data`` from numbers, short strings and the program of ``expression_program``. The
data is untrusted there (it crossed a worker boundary and may come from a cache), so
``from_data`` checks every field's type and range and refuses anything else with a
``ValueError`` naming the field; it never evaluates text and never resamples the view or
searches for minima again: it trusts the sender's numbers once they have passed the checks.
The data (format ``VERSION``) is a dict with exactly these fields:

    version             VERSION
    expression          the text as typed: 1 to expression_parse.MAX_CHARS (300)
                        printable ASCII characters, tabs and newlines
    domain, start       [xmin, xmax, ymin, ymax], [x, y]: expression.check_domain/check_start
    default_lr          in [MIN_LR, MAX_LR]
    lr_range            [lo, hi] with 0 < lo ≤ default_lr ≤ hi ≤ 10·MAX_LR
    color_scale         "linear" or "log"
    minima              at most MAX_MINIMA of {"x", "y", "value", "is_global"}: inside the
                        window, value a finite number, is_global a bool
    formula, gradient_formula [∂f/∂x, ∂f/∂y], description ("f(x, y) = " + formula)
                        printable ASCII, at most expression.MAX_TEXT (20,000)
                        characters each (the description 10 more), which
                        from_expression also holds its texts to
    undefined_fraction  in [0, 1 − MIN_DEFINED]
    program             {"steps": [[op, …], …], "outputs": {"f": i, "fx": i, …, "fyy": i}}
                        checked by expression_program.Program.check

Numbers are finite (the data survives ``json.dumps(allow_nan=False)``), bools are not
numbers, and lists may be tuples.
"""

from __future__ import annotations

from numbers import Real

from . import expression as ex
from .base import Minimum
from .expression_program import OUTPUTS, Program, brief, finite

VERSION = 1
MIN_LR, MAX_LR = 1e-6, 10.0  # the range expression.learning_rate answers in
FIELDS = ("version", "expression", "domain", "start", "default_lr", "lr_range", "color_scale", "minima",
          "formula", "gradient_formula", "undefined_fraction", "description", "program")
MINIMUM_FIELDS = ("x", "y", "value", "is_global")


def to_data(land) -> dict:
    """``land`` (an ExpressionLandscape from ``from_expression`` or ``from_data``) as the
    JSON-able dict of the module docstring."""
    if not isinstance(land, ex.ExpressionLandscape) or land.program is None:
        raise ValueError(f"Invalid land={brief(land)}: must be a landscape from from_expression or from_data")
    return {
        "version": VERSION, "expression": land.expression, "domain": list(land.domain),
        "start": list(land.start), "default_lr": land.default_lr, "lr_range": list(land.lr_range),
        "color_scale": land.color_scale,
        "minima": [{"x": m.x, "y": m.y, "value": m.value, "is_global": m.is_global} for m in land.minima],
        "formula": land.formula, "gradient_formula": list(land.gradient_formula),
        "undefined_fraction": land.undefined_fraction, "description": land.description,
        "program": land.program.data(),
    }


def from_data(data) -> "ex.ExpressionLandscape":
    """The landscape ``data`` describes (module docstring), with numpy only; ValueError
    naming the field for anything wrong."""
    _check_fields("data", data, FIELDS)
    window = _window(data["domain"])
    lr = finite("default_lr", data["default_lr"], MIN_LR, MAX_LR)
    program = data["program"]
    _check_fields("program", program, ("steps", "outputs"))
    return ex.ExpressionLandscape(
        key=ex.KEY, label=ex.LABEL, domain=window, start=ex.check_start(_numbers("start", data["start"], 2), window),
        default_lr=lr, lr_range=_lr_range(data["lr_range"], lr), color_scale=_color_scale(data["color_scale"]),
        minima=_minima(data["minima"], window), expression=_expression(data["expression"]),
        formula=_text("formula", data["formula"]), gradient_formula=_gradient_texts(data["gradient_formula"]),
        description=_text("description", data["description"], ex.MAX_TEXT + len("f(x, y) = ")),
        undefined_fraction=finite("undefined_fraction", data["undefined_fraction"], 0.0, 1.0 - ex.MIN_DEFINED),
        **_functions(Program.check(program["steps"], _outputs(program["outputs"]))),
    )


def _functions(program: Program) -> dict:
    return {"f": program.f, "grad_xy": program.grad, "hessian_xy": program.hessian, "program": program}


# ----------------------------------------------------------------------------- the fields

def _check_fields(name: str, value, fields: tuple) -> None:
    """A dict with exactly ``fields`` (for the data itself: the right version first)."""
    if not isinstance(value, dict):
        raise ValueError(f"Invalid {name}={brief(value)}: must be a dict with the fields {', '.join(fields)}")
    if name == "data" and not (type(value.get("version")) is int and value["version"] == VERSION):
        raise ValueError(f"Invalid data version={brief(value.get('version'))}: this page reads version "
                         f"{VERSION}; build the landscape again from its expression")
    missing = [k for k in fields if k not in value]
    extra = [k for k in value if k not in fields]
    if missing or extra:
        what = "; ".join(part for part in (missing and f"missing {', '.join(missing)}",
                                           extra and f"unknown {brief(extra)}") if part)
        raise ValueError(f"Invalid {name} fields: {what} (must be exactly {', '.join(fields)})")


def _list(name: str, value, n: int | None = None) -> list:
    if not isinstance(value, (list, tuple)) or (n is not None and len(value) != n):
        size = f"of {n} items" if n is not None else ""
        raise ValueError(f"Invalid {name}={brief(value)}: must be a list {size}".rstrip())
    return list(value)


def _numbers(name: str, value, n: int) -> list:
    """n plain numbers, for check_domain and check_start (whose messages echo the whole value)."""
    items = _list(name, value, n)
    if not all(isinstance(v, Real) for v in items):
        raise ValueError(f"Invalid {name}={brief(value)}: must be a list of {n} numbers")
    return items


def _window(value) -> tuple:
    return ex.check_domain(_numbers("domain", value, 4))


def _lr_range(value, lr: float) -> tuple[float, float]:
    lo, hi = (finite(f"lr_range[{i}]", v, 0.0, 10 * MAX_LR) for i, v in enumerate(_list("lr_range", value, 2)))
    if not 0.0 < lo <= lr <= hi:
        raise ValueError(f"Invalid lr_range={brief(value)}: must be [lo, hi] with 0 < lo <= default_lr={lr:g} <= hi")
    return lo, hi


def _color_scale(value) -> str:
    if not isinstance(value, str) or value not in ("linear", "log"):
        raise ValueError(f"Invalid color_scale={brief(value)}: must be 'linear' or 'log'")
    return value


def _minima(value, window) -> tuple[Minimum, ...]:
    """At most MAX_MINIMA minima inside the window (edges included)."""
    items = _list("minima", value)
    if len(items) > ex.MAX_MINIMA:
        raise ValueError(f"Invalid minima: {len(items)} of them, at most {ex.MAX_MINIMA}")
    xmin, xmax, ymin, ymax = window
    out = []
    for i, m in enumerate(items):
        _check_fields(f"minima[{i}]", m, MINIMUM_FIELDS)
        if not isinstance(m["is_global"], bool):
            raise ValueError(f"Invalid minima[{i}].is_global={brief(m['is_global'])}: must be true or false")
        out.append(Minimum(finite(f"minima[{i}].x", m["x"], xmin, xmax), finite(f"minima[{i}].y", m["y"], ymin, ymax),
                           finite(f"minima[{i}].value", m["value"]), m["is_global"]))
    return tuple(out)


def _expression(value) -> str:
    from .expression_parse import MAX_CHARS  # only the constant: nothing is parsed here

    text = _text("expression", value, MAX_CHARS, "\t\n\r")
    if not text.strip():
        raise ValueError(f"Invalid expression={brief(value)}: must not be empty")
    return text


def _text(name: str, value, limit: int = ex.MAX_TEXT, also: str = "") -> str:
    """A str of at most ``limit`` printable ASCII characters (and those of ``also``)."""
    if not isinstance(value, str):
        raise ValueError(f"Invalid {name}={brief(value)}: must be a str")
    if len(value) > limit:
        raise ValueError(f"Invalid {name}: {len(value):,} characters, at most {limit:,}")
    probe = value.translate({ord(c): " " for c in also})
    if not (probe.isascii() and probe.isprintable()):
        bad = next(c for c in probe if not " " <= c <= "~")
        raise ValueError(f"Invalid {name}={brief(value)}: character {bad!r} (U+{ord(bad):04X}) is not printable ASCII")
    return str(value)


def _gradient_texts(value) -> tuple[str, str]:
    return tuple(_text(f"gradient_formula[{i}]", v) for i, v in enumerate(_list("gradient_formula", value, 2)))


def _outputs(value) -> list:
    _check_fields("program outputs", value, OUTPUTS)
    return [value[k] for k in OUTPUTS]
