"""Your own landscape: ``from_expression("x**2 + 10*y**2")`` → a ``Landscape``.

    >>> import landscapes
    >>> land = landscapes.from_expression("(x-1)**2 + 10*(y+2)**2", domain=(-3, 3, -4, 2))
    >>> land.gradient_formula
    ('2*x - 2', '20*y + 40')
    >>> [(m.x, m.y) for m in land.minima]
    [(1.0, -2.0)]

The text is read as data (``expression_parse``: a whitelist over Python's ``ast``, never
``eval``), built into sympy, differentiated exactly, and walked into a straight-line
program of f, ∇f and the Hessian written as plain data (``expression_sympy``), which one
numpy evaluator runs (``expression_program``). Needs sympy (``pip install
loss-landscape-playground[expression]``), imported on the first call only. Everything
refused raises ``ValueError`` whose message names the field (expression, domain or
start), echoes the value and says why.

**Two workers, one landscape.** sympy takes seconds to load in the browser, so the page
builds the landscape in a second worker and the animation worker never imports sympy:

    data = landscapes.from_expression(text, domain, start).to_data()   # sympy's worker
    land = landscapes.from_data(json.loads(json.dumps(data)))           # numpy only

``to_data()`` is a JSON-able dict (no NaN or inf: ``json.dumps(allow_nan=False)`` works)
holding a format version, the typed ``expression``, ``domain``, ``start``, ``default_lr``,
``lr_range``, ``color_scale``, the ``minima`` (x, y, value, is_global), the texts
(``formula``, ``gradient_formula``, ``description``), ``undefined_fraction`` and the
``program``: its steps ``[op, argument steps…]`` (``["const", c]`` for a number) over a
fixed whitelist of ops, and which steps are f, fx, fy, fxx, fxy and fyy. The rebuilt
landscape runs the same program through the same evaluator, so f, ∇f and the Hessian
agree bit for bit everywhere, NaN and ±inf included. ``from_data`` treats the data as
untrusted: it checks every field's type and range (exact fields, the version, finite
numbers, window and start as below, minima inside the window, texts short printable
ASCII, ops in the whitelist with the right number of arguments, every argument an
earlier step, at most ``expression_program.MAX_STEPS`` steps) and raises ``ValueError``
naming the field otherwise; it never evaluates text, never imports sympy, and neither
resamples the view nor searches for minima: it takes the sender's numbers once checked
(0.2–0.4 ms in CPython for the largest programs the parser's limits produce, about 300
steps). ``expression_data`` lists the fields and their bounds.

Over the view window, sampled at the centres of ``GRID × GRID`` cells:

- f and ∇f must be finite on at least half the cells (else refused, saying what fraction
  and where). Where f is not finite — undefined (NaN: log or sqrt of a negative number,
  asin(2)), or ±inf (log(0), an overflow) — ∇f and the Hessian are NaN, even where their
  formula would give a number (1/x for log(x), x < 0); ``Landscape.f`` answers +inf for
  NaN (``base._checked_f``), and optimizers.run freezes a ball that steps there as diverged.
- ∇f must not vanish on every cell (a constant, or ``sin(x)**2 + cos(x)**2``).
- **learning rate**: with L the 90th percentile over the defined cells of the Hessian's
  largest |eigenvalue| and G the median |∇f|, ``default_lr`` is the largest 1-2-5 × 10ᵏ
  at most min(0.5 / L, 0.1·span / G) — gradient descent is stable (lr < 2/L) on most of
  the view and a typical first step is at most a tenth of it — and ``lr_range`` is
  (default_lr / 100, default_lr × 10).
- **colour scale**: "log" when the median of f − min f over the defined cells is under
  ``LOG_SCALE_BELOW`` × (max f − min f) (most of the view sits near the bottom, as on the
  presets drawn in log), else "linear".
- **minima**: damped Newton (steps of a tenth of the span along −∇f where the Hessian is
  not positive definite; either halved until f does not increase) from an 8 × 8 grid of
  starts and the 8 lowest sampled cells. A point where it stops counts when it lies in
  the window, |∇f| ≤ 10⁻⁶·G, the Hessian has no clearly negative eigenvalue and f is
  higher everywhere on two small rings around it (1‰ and 1 % of the span: a flat
  minimum such as x⁴ + y⁴ counts, a valley of equal minima does not). Duplicates
  (within 10⁻³ span) merge; at most ``MAX_MINIMA``, lowest first; the lowest is marked
  global (ties too). Minima at kinks (abs) or on the window's edge are not found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Real

import numpy as np

from .base import Landscape, Minimum, group_points
from .errors import show
from .expression_program import Program

DEFAULT_DOMAIN = (-3.0, 3.0, -3.0, 3.0)
MAX_COORDINATE = 1e6  # window bounds and start at most this large
MIN_SIDE = 1e-6  # each side of the window at least this long
MAX_ASPECT = 1000.0  # and at most this many times the other one
GRID = 48  # cells per side sampled for the checks, the learning rate and the colour scale
MIN_DEFINED = 0.5  # f and ∇f finite on at least this fraction of the cells
LOG_SCALE_BELOW = 0.15
MAX_MINIMA = 12
MAX_TEXT = 20_000  # characters of the formula of f and of each of ∇f (far more than any the limits allow)
NEWTON_ITERATIONS = 60
KEY = "custom"
LABEL = "Your own f(x, y)"


@dataclass(frozen=True)
class ExpressionLandscape(Landscape):
    """A ``Landscape`` built from a formula: also its texts for the page to show.

    ``expression`` is the text as typed; ``formula`` f as sympy writes it;
    ``gradient_formula`` (∂f/∂x, ∂f/∂y) likewise (sympy's ``sstr``: ``**`` powers, ``*``
    products, ``sign``, ``Heaviside`` for the kinks of abs, max and min);
    ``undefined_fraction`` the share of the sampled view where f or ∇f is not finite."""

    expression: str = ""
    formula: str = ""
    gradient_formula: tuple[str, str] = ("", "")
    undefined_fraction: float = 0.0
    program: Program | None = field(default=None, repr=False, compare=False)

    def to_data(self) -> dict:
        """This landscape as plain JSON-able data (module docstring), for ``from_data``."""
        from .expression_data import to_data

        return to_data(self)


def from_expression(text: str, domain=DEFAULT_DOMAIN, start=None) -> ExpressionLandscape:
    """The landscape f(x, y) = ``text`` over ``domain`` = (xmin, xmax, ymin, ymax).

    ``start`` is the default start point (x, y) inside the window; None picks the first of
    the window's upper-left, upper-right, lower-left and lower-right points (15 % in from
    each side) and its centre where f and ∇f are finite. The grammar and its limits are in
    ``landscapes.expression_parse``; the rules for the learning rate, the colour scale and
    the minima in this module's docstring. Raises ValueError for anything refused."""
    from .expression_parse import parse  # ast and unicodedata: loaded on first use, not at page boot

    tree = parse(text)
    window = check_domain(domain)
    point = None if start is None else check_start(start, window)
    model = _model(text, tree)
    program = model.program
    with np.errstate(all="ignore"):
        cells = _sample(program, window)
        defined = _check_defined(text, window, cells)
        _check_not_constant(text, cells, defined)
        point = _start(text, program, window, point)
        lr = learning_rate(cells, defined, _span(window))
        minima = find_minima(program, window, cells, defined)
    return ExpressionLandscape(
        key=KEY, label=LABEL, f=program.f, grad_xy=program.grad, hessian_xy=program.hessian,
        domain=window, start=point, lr_range=(lr / 100.0, lr * 10.0), default_lr=lr,
        description=f"f(x, y) = {model.texts[0]}", color_scale=color_scale(cells[0][defined]),
        minima=minima,
        expression=text, formula=model.texts[0], gradient_formula=model.texts[1:],
        undefined_fraction=float(1.0 - defined.mean()), program=program,
    )


# ----------------------------------------------------------------------------- the model

_MODELS: dict = {}


def _model(text: str, tree: tuple) -> "_Model":
    """The model of ``tree``, built once per distinct tree (the last 32 kept): retyping or
    sharing a formula does not differentiate it again."""
    model = _MODELS.get(tree)
    if model is None:
        model = _Model(text, tree)
        if len(_MODELS) >= 32:
            _MODELS.pop(next(iter(_MODELS)))
        _MODELS[tree] = model
    return model


class _Model:
    """The texts of f and ∇f (sympy's) and the checked program of f, ∇f and the Hessian."""

    def __init__(self, text: str, tree: tuple):
        try:
            from . import expression_sympy as sym  # imports sympy
        except ImportError as err:
            raise ImportError("landscapes.from_expression needs sympy (>= 1.13): "
                              "pip install 'loss-landscape-playground[expression]'") from err

        s = sym.symbolic(text, tree)
        self.texts = s.texts()
        if max(map(len, self.texts)) > MAX_TEXT:
            raise ValueError(f"Invalid expression={show(text)}: too complex: the formula of f or of its "
                             f"gradient is more than {MAX_TEXT:,} characters long")
        self.program = sym.compile_program(text, [s.f, *s.grad, *s.hessian])


# ----------------------------------------------------------------------------- window and start

def _real(v) -> bool:
    return isinstance(v, Real) and not isinstance(v, (bool, np.bool_))


def check_domain(domain) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax): finite, |·| ≤ MAX_COORDINATE, sides ≥ MIN_SIDE and within
    a factor MAX_ASPECT of each other."""
    rule = "must be (xmin, xmax, ymin, ymax) with xmin < xmax and ymin < ymax"
    try:
        vals = tuple(domain)
    except TypeError:
        raise ValueError(f"Invalid domain={show(domain)}: {rule}") from None
    if len(vals) != 4 or not all(_real(v) for v in vals):
        raise ValueError(f"Invalid domain={show(domain)}: {rule}")
    vals = tuple(float(v) if abs(v) < 1e300 else math.inf for v in vals)
    if not all(math.isfinite(v) and abs(v) <= MAX_COORDINATE for v in vals):
        raise ValueError(f"Invalid domain={show(domain)}: bounds must be finite, at most {MAX_COORDINATE:.0e} in size")
    xmin, xmax, ymin, ymax = vals
    if not (xmin < xmax and ymin < ymax):
        raise ValueError(f"Invalid domain={show(domain)}: {rule}")
    w, h = xmax - xmin, ymax - ymin
    if min(w, h) < MIN_SIDE or max(w, h) > MAX_ASPECT * min(w, h):
        raise ValueError(f"Invalid domain={show(domain)}: each side at least {MIN_SIDE:g} long "
                         f"and at most {MAX_ASPECT:g} times the other")
    return vals


def check_start(start, window) -> tuple[float, float]:
    """A point (x, y) of real numbers inside the window (edges included)."""
    try:
        vals = tuple(start)
    except TypeError:
        vals = ()
    if len(vals) != 2 or not all(_real(v) and math.isfinite(float(v)) if _real(v) and abs(v) < 1e300 else False
                                 for v in vals):
        raise ValueError(f"Invalid start={show(start)}: must be a point (x, y) of finite numbers")
    x, y = float(vals[0]), float(vals[1])
    xmin, xmax, ymin, ymax = window
    if not (xmin <= x <= xmax and ymin <= y <= ymax):
        raise ValueError(f"Invalid start={show(start)}: outside the window x in [{xmin:g}, {xmax:g}], "
                         f"y in [{ymin:g}, {ymax:g}]")
    return x, y


def _start(text, model, window, point):
    xmin, xmax, ymin, ymax = window
    w, h = xmax - xmin, ymax - ymin
    candidates = [point] if point is not None else [
        (xmin + 0.15 * w, ymax - 0.15 * h), (xmax - 0.15 * w, ymax - 0.15 * h),
        (xmin + 0.15 * w, ymin + 0.15 * h), (xmax - 0.15 * w, ymin + 0.15 * h),
        (xmin + 0.5 * w, ymin + 0.5 * h)]
    for x, y in candidates:
        v = model.everything(np.asarray(x), np.asarray(y))
        if all(np.isfinite(v[:3])):
            return (x, y)
    where = "at the start" if point is not None else "at any of the default starts"
    raise ValueError(f"Invalid start={show(point)}: f(x, y) = {show(text, 40)} is undefined {where}; "
                     f"pick a start where it is defined")


def _span(window) -> float:
    return max(window[1] - window[0], window[3] - window[2])


# ----------------------------------------------------------------------------- the view

def _sample(model, window):
    """(f, fx, fy, fxx, fxy, fyy) at the GRID × GRID cell centres, and the centres."""
    xmin, xmax, ymin, ymax = window
    xs = xmin + (np.arange(GRID) + 0.5) * (xmax - xmin) / GRID
    ys = ymin + (np.arange(GRID) + 0.5) * (ymax - ymin) / GRID
    gx, gy = np.meshgrid(xs, ys)
    return [*model.everything(gx, gy), gx, gy]


def _check_defined(text, window, cells) -> np.ndarray:
    z, fx, fy, *_, gx, gy = cells
    defined = np.isfinite(z) & np.isfinite(fx) & np.isfinite(fy)
    share = float(defined.mean())
    if share >= MIN_DEFINED:
        return defined
    bad = ~defined
    i = np.flatnonzero(bad)[len(np.flatnonzero(bad)) // 2]
    bx, by = float(gx.flat[i]), float(gy.flat[i])
    raise ValueError(
        f"Invalid expression={show(text)}: f or its gradient is undefined or infinite on "
        f"{100 * (1 - share):.0f}% of the window (at least {100 * MIN_DEFINED:.0f}% must be defined): "
        f"x in [{gx[bad].min():.3g}, {gx[bad].max():.3g}], y in [{gy[bad].min():.3g}, {gy[bad].max():.3g}], "
        f"e.g. f({bx:.3g}, {by:.3g}) = {float(z.flat[i])}; try another window")


def _check_not_constant(text, cells, defined) -> None:
    z, fx, fy = cells[:3]
    if not (np.any(fx[defined] != 0) or np.any(fy[defined] != 0)):
        raise ValueError(f"Invalid expression={show(text)}: f is constant (its gradient is 0 "
                         f"everywhere in the window); use x or y")


def _nice_floor(v: float) -> float:
    """The largest 1, 2 or 5 × 10ᵏ ≤ v."""
    k = math.floor(math.log10(v))
    for m in (5, 2, 1):
        c = float(f"{m}e{k}")
        if c <= v * (1 + 1e-12):
            return c
    return float(f"1e{k - 1}")


def learning_rate(cells, defined, span: float) -> float:
    """The default learning rate (rule in the module docstring), in [1e-6, 10]."""
    _, fx, fy, hxx, hxy, hyy = (c[defined] for c in cells[:6])
    m, r = 0.5 * (hxx + hyy), np.hypot(0.5 * (hxx - hyy), hxy)
    lam = np.abs(m) + r
    lam = lam[np.isfinite(lam)]
    g = np.hypot(fx, fy)
    bounds = [10.0]
    if lam.size and np.percentile(lam, 90) > 0:
        bounds.append(0.5 / float(np.percentile(lam, 90)))
    if np.median(g) > 0:
        bounds.append(0.1 * span / float(np.median(g)))
    return _nice_floor(min(max(min(bounds), 1e-6), 10.0))


def color_scale(z: np.ndarray) -> str:
    """"log" when most of the view sits near the bottom (rule in the module docstring)."""
    lo, hi = float(z.min()), float(z.max())
    if not hi > lo:
        return "linear"
    return "log" if float(np.median(z - lo)) < LOG_SCALE_BELOW * (hi - lo) else "linear"


# ----------------------------------------------------------------------------- minima

def find_minima(model, window, cells, defined) -> tuple[Minimum, ...]:
    """Local minima inside the window by damped Newton (rule in the module docstring)."""
    span = _span(window)
    starts = _starts(window, cells, defined)
    p = _descend(model, starts, span, window)
    g_scale = float(np.median(np.hypot(cells[1][defined], cells[2][defined])))
    keep = _is_minimum(model, p, window, span, g_scale)
    if not keep.any():
        return ()
    p = p[keep]
    values = model.f(p[:, 0], p[:, 1])
    order = np.argsort(values, kind="stable")
    p, values = p[order], values[order]
    labels, _ = group_points(p, 1e-3 * span)
    firsts = [int(np.flatnonzero(labels == k)[0]) for k in range(labels.max() + 1)][:MAX_MINIMA]
    best = float(values[firsts[0]])
    tie = 1e-9 * (1.0 + abs(best))
    return tuple(Minimum(float(p[i, 0]) + 0.0, float(p[i, 1]) + 0.0, float(values[i]), bool(values[i] <= best + tie))
                 for i in firsts)


def _starts(window, cells, defined) -> np.ndarray:
    xmin, xmax, ymin, ymax = window
    u = (np.arange(8) + 0.5) / 8
    gx, gy = np.meshgrid(xmin + u * (xmax - xmin), ymin + u * (ymax - ymin))
    z = np.where(defined, cells[0], np.inf)
    low = np.argsort(z, axis=None)[:8]
    low = low[np.isfinite(z.flat[low])]
    pts = [np.column_stack([gx.ravel(), gy.ravel()]), np.column_stack([cells[6].flat[low], cells[7].flat[low]])]
    return np.concatenate(pts)


def _descend(model, p, span, window) -> np.ndarray:
    """Up to NEWTON_ITERATIONS damped Newton / gradient steps from every start at once; a
    point stops when its step no longer lowers f (at rest, or stuck on a saddle) or when it
    is a tenth of a span outside the window (it will not be a minimum inside)."""
    p = p.copy()
    active = np.ones(len(p), bool)
    xmin, xmax, ymin, ymax = window
    for _ in range(NEWTON_ITERATIONS):
        idx = np.flatnonzero(active)
        if not idx.size:
            break
        q = p[idx]
        f0, fx, fy, hxx, hxy, hyy = model.everything(q[:, 0], q[:, 1])
        d = _direction(fx, fy, hxx, hxy, hyy, span)
        q, moved = _line_search(model, q, d, f0)
        p[idx] = q
        out = ((q[:, 0] < xmin - 0.1 * span) | (q[:, 0] > xmax + 0.1 * span)
               | (q[:, 1] < ymin - 0.1 * span) | (q[:, 1] > ymax + 0.1 * span))
        active[idx] = (moved > 1e-13 * span) & ~out
    return p


def _direction(fx, fy, hxx, hxy, hyy, span):
    det = hxx * hyy - hxy * hxy
    newton = (hxx > 0) & (det > 0) & np.isfinite(det)
    with np.errstate(all="ignore"):
        nx = np.where(newton, -(hyy * fx - hxy * fy) / det, 0.0)
        ny = np.where(newton, -(hxx * fy - hxy * fx) / det, 0.0)
        g = np.hypot(fx, fy)
        scale = np.where(g > 0, 0.1 * span / g, 0.0)
        dx, dy = np.where(newton, nx, -fx * scale), np.where(newton, ny, -fy * scale)
        length = np.hypot(dx, dy)
        cap = np.where(length > 0.25 * span, 0.25 * span / length, 1.0)
    d = np.column_stack([dx * cap, dy * cap])
    d[~np.isfinite(d).all(axis=1)] = 0.0
    return d


def _line_search(model, p, d, f0):
    """p + α·d with α = 1, ½, ¼, … (at most 12 tries) the first that does not increase f
    (per point; a point where none does stays)."""
    alpha = np.ones(len(p))
    new = p.copy()
    todo = np.isfinite(f0) & (np.abs(d).sum(axis=1) > 0)
    for _ in range(12):
        if not todo.any():
            break
        trial = p[todo] + alpha[todo, None] * d[todo]
        ft = model.f(trial[:, 0], trial[:, 1])
        ok = ft <= f0[todo] + 4e-16 * np.abs(f0[todo])
        idx = np.flatnonzero(todo)
        new[idx[ok]] = trial[ok]
        todo[idx[ok]] = False
        alpha[todo] *= 0.5
    moved = np.hypot(*(new - p).T)
    return new, moved


def _is_minimum(model, p, window, span, g_scale) -> np.ndarray:
    xmin, xmax, ymin, ymax = window
    f0, fx, fy, hxx, hxy, hyy = model.everything(p[:, 0], p[:, 1])
    inside = (p[:, 0] >= xmin) & (p[:, 0] <= xmax) & (p[:, 1] >= ymin) & (p[:, 1] <= ymax)
    flat = np.hypot(fx, fy) <= 1e-6 * max(g_scale, 1e-300)
    lo = 0.5 * (hxx + hyy) - np.hypot(0.5 * (hxx - hyy), hxy)
    curv = np.abs(hxx) + np.abs(hyy) + np.abs(hxy)
    convex = np.isfinite(lo) & (lo >= -1e-6 * np.where(np.isfinite(curv), curv, 0.0))
    ok = inside & flat & convex & np.isfinite(f0)
    ang = np.arange(8) * (np.pi / 4)
    for r in (1e-3 * span, 1e-2 * span):
        ring = model.f(p[:, 0, None] + r * np.cos(ang), p[:, 1, None] + r * np.sin(ang))
        ok &= np.all(ring > f0[:, None], axis=1)
    return ok
