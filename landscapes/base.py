"""What a landscape is: an analytic surface plus the metadata the page and the tests need."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import validation as check

Array = np.ndarray
Scalar2D = Callable[[Array, Array], Array]
Vector2D = Callable[[Array, Array], tuple[Array, Array]]
Matrix2D = Callable[[Array, Array], tuple[Array, Array, Array]]


@dataclass(frozen=True)
class Minimum:
    """A known minimiser (x, y) with its loss value; ``is_global`` marks the lowest one(s);
    ``name`` is what the page's outcome table calls it ("A", "global", …; see ``label``)."""

    x: float
    y: float
    value: float
    is_global: bool = True
    name: str = ""

    @property
    def label(self) -> str:
        """``name`` if given, else "global" for a global minimum, else its coordinates."""
        if self.name:
            return self.name
        return "global" if self.is_global else f"({self.x:.3g}, {self.y:.3g})"


@dataclass(frozen=True)
class Landscape:
    """A 2-D loss surface f(x, y) with its analytic derivatives.

    ``f(x, y)``, ``grad(x, y) -> (∂f/∂x, ∂f/∂y)`` and
    ``hessian(x, y) -> (∂²f/∂x², ∂²f/∂x∂y, ∂²f/∂y²)`` accept real scalars (Python or
    numpy) or arrays of any broadcast-compatible shapes and return float arrays of the
    broadcast shape (numpy scalars for scalar input). Anything else raises TypeError or
    ValueError naming x or y (``landscapes.validation``: None, bools, strings, complex
    numbers, masked arrays, shapes that do not broadcast, more than ``MAX_POINTS``
    points). They never raise on large values and never warn: an overflow is inf (f is
    bounded below on every registered landscape, so a value lost to ∞ − ∞ is +inf too;
    in ∇f and the Hessian such an entry is nan), and NaN in gives NaN out. The raw
    formulas, without checks, are ``f_xy``, ``grad_xy`` and ``hessian_xy`` (the
    optimizers' inner loops call those on arrays they have already checked).

    ``domain`` is the view window ``(xmin, xmax, ymin, ymax)``; ``start`` the default
    start point; ``lr_range`` the learning rates worth trying, with ``default_lr`` inside;
    ``color_scale`` is ``"log"`` when the loss spans orders of magnitude over the view.

    What the page teaches with it: ``description`` (one or two sentences) and ``notes``
    (the "what to look for" bullets; every one that states an outcome is checked by
    tests/test_lessons.py at this landscape's defaults: its ``start``, ``default_lr``,
    ``default_beta`` (Momentum's and Nesterov's momentum, Adam's and AdamW's β₁) over
    ``steps`` optimizer steps, the run length the page's outcome table uses).
    ``axis_labels`` name the two parameters; ``markers`` are labelled points worth marking
    on the map, as (label, x, y).
    """

    key: str
    label: str
    f: Scalar2D
    grad_xy: Vector2D
    hessian_xy: Matrix2D
    domain: tuple[float, float, float, float]
    start: tuple[float, float]
    lr_range: tuple[float, float]
    default_lr: float
    description: str
    minima: tuple[Minimum, ...] = field(default_factory=tuple)
    color_scale: str = "linear"
    notes: tuple[str, ...] = ()
    default_beta: float = 0.9
    axis_labels: tuple[str, str] = ("x", "y")
    markers: tuple[tuple[str, float, float], ...] = ()
    steps: int = 500

    def __post_init__(self) -> None:
        xmin, xmax, ymin, ymax = self.domain
        if not (xmin < xmax and ymin < ymax):
            raise ValueError(f"{self.key}: empty domain {self.domain}")
        lo, hi = self.lr_range
        if not (0 < lo <= self.default_lr <= hi):
            raise ValueError(f"{self.key}: default_lr {self.default_lr} outside lr_range {self.lr_range}")
        if self.color_scale not in ("linear", "log"):
            raise ValueError(f"{self.key}: color_scale must be 'linear' or 'log', got {self.color_scale!r}")
        if not 0.0 <= self.default_beta < 1.0:
            raise ValueError(f"{self.key}: default_beta {self.default_beta} outside [0, 1)")
        if not (isinstance(self.steps, int) and self.steps > 0):
            raise ValueError(f"{self.key}: steps must be a positive integer, got {self.steps!r}")
        raw = getattr(self.f, "f_xy", self.f)  # dataclasses.replace passes the checked f back in
        object.__setattr__(self, "f_xy", raw)
        object.__setattr__(self, "f", _checked_f(raw))

    def grad(self, x, y) -> tuple[Array, Array]:
        """Analytic gradient (∂f/∂x, ∂f/∂y), broadcast to the shape of x and y."""
        x, y, shape = check.coordinates(x, y)
        with np.errstate(all="ignore"):
            return _broadcast(*self.grad_xy(x, y), x, y)

    def hessian(self, x, y) -> tuple[Array, Array, Array]:
        """Analytic Hessian entries (fxx, fxy, fyy), broadcast to the shape of x and y."""
        x, y, shape = check.coordinates(x, y)
        with np.errstate(all="ignore"):
            return _broadcast(*self.hessian_xy(x, y), x, y)

    def __call__(self, x, y) -> Array:
        return self.f(x, y)

    @property
    def span(self) -> float:
        """The larger side of the view window: the natural length scale of this landscape."""
        xmin, xmax, ymin, ymax = self.domain
        return float(max(xmax - xmin, ymax - ymin))

    @property
    def center(self) -> tuple[float, float]:
        xmin, xmax, ymin, ymax = self.domain
        return (0.5 * (xmin + xmax), 0.5 * (ymin + ymax))

    def global_minimum(self) -> Minimum | None:
        """The lowest known minimum, if any is known."""
        return min(self.minima, key=lambda m: m.value) if self.minima else None


def _checked_f(raw):
    """f with its inputs checked and converted to floats, evaluated without warnings."""

    def f(x, y):
        x, y, shape = check.coordinates(x, y)
        with np.errstate(all="ignore"):
            z = np.asarray(raw(x, y), dtype=float)
            if z.shape != shape:
                z = np.broadcast_to(z, shape).copy()
            lost = np.isnan(z)
            if lost.any():  # ∞ − ∞ from finite or infinite input: the surface went to +∞
                z = np.where(lost & ~(np.isnan(x) | np.isnan(y)), np.inf, z)
        return z[()] if shape == () else z

    f.f_xy = raw
    f.__doc__ = raw.__doc__
    f.__name__ = getattr(raw, "__name__", "f")
    return f


def _broadcast(*arrays_then_xy):
    """Broadcast derivative terms (some may be constants) to the common shape of x and y;
    scalar inputs give numpy scalars, as f does."""
    *terms, x, y = arrays_then_xy
    shape = np.broadcast_shapes(np.shape(x), np.shape(y))
    out = tuple(np.broadcast_to(np.asarray(t, dtype=float), shape).copy() if np.shape(t) != shape
                else np.asarray(t, dtype=float) for t in terms)
    return tuple(a[()] for a in out) if shape == () else out


# ---------------------------------------------------------------------- outcomes

BASIN_TOLERANCE = 0.06  # a point within this many spans of a known minimum is "in" it


def basin_index(land: Landscape, x, y, tol: float | None = None) -> np.ndarray:
    """Index into ``land.minima`` of the known minimum each point (x, y) sits at, −1 for none.

    A point counts as having reached a minimum when it lies within ``tol`` (default
    ``BASIN_TOLERANCE × span``) of it; the nearest such minimum wins. Points farther
    from every known minimum (still moving, at an unlisted minimum, diverged) get −1.
    Vectorised: x and y broadcast; the result has their shape."""
    land = check.landscape(land)
    x, y, _ = check.coordinates(x, y)
    tol = check.tolerance("tol", tol)
    tol = BASIN_TOLERANCE * land.span if tol is None else tol
    x, y = np.broadcast_arrays(x, y)
    if not land.minima:
        return np.full(x.shape, -1)
    mx = np.array([m.x for m in land.minima])
    my = np.array([m.y for m in land.minima])
    with np.errstate(all="ignore"):
        d = np.hypot(x[..., None] - mx, y[..., None] - my)
        d = np.where(np.isfinite(d), d, np.inf)
    nearest = np.argmin(d, axis=-1)
    return np.where(np.take_along_axis(d, nearest[..., None], -1)[..., 0] <= tol, nearest, -1)


def basin_name(land: Landscape, x: float, y: float, tol: float | None = None) -> str | None:
    """The label of the known minimum (x, y) has reached ("A", "global", …), or None.
    x and y are single numbers (``basin_index`` takes arrays)."""
    land = check.landscape(land)
    i = int(basin_index(land, check.scalar("x", x), check.scalar("y", y), tol))
    return land.minima[i].label if i >= 0 else None


def group_points(points, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Cluster points (n, 2) so that each lies within ``tol`` of its group's first member.

    Returns (labels (n,), centres (k, 2)): labels[i] is the group of point i, numbered in
    order of first appearance, and centres[g] the first point of group g. Greedy and
    order-dependent, which is fine for at-rest points: those sharing a minimum lie far
    closer together than ``tol`` and distinct minima lie far apart."""
    pts = check.points("points", points)
    tol = check.tolerance("tol", tol)
    if tol is None:
        raise TypeError("Invalid tol=None: must be a finite number >= 0")
    labels = np.full(len(pts), -1)
    centres: list[np.ndarray] = []
    for i, p in enumerate(pts):
        if centres:
            with np.errstate(all="ignore"):
                d = np.hypot(*(np.asarray(centres) - p).T)
            j = int(np.argmin(d))
            if d[j] <= tol:
                labels[i] = j
                continue
        centres.append(p)
        labels[i] = len(centres) - 1
    return labels, np.asarray(centres).reshape(-1, 2)


def classify_points(land: Landscape, points, tol: float | None = None) -> tuple[np.ndarray, list[dict]]:
    """Which basin each at-rest point reached, known minima first, then minima found.

    Returns (index (n,), basins): basins lists every known minimum as
    {"label", "x", "y", "known": True} followed by one entry per group of points near no
    known minimum (grouped by ``group_points`` with ``tol``, default 1e-2 × span; label
    its coordinates, "known": False). index[i] is point i's entry in basins."""
    land = check.landscape(land)
    tol = check.tolerance("tol", tol)
    tol_group = 1e-2 * land.span if tol is None else tol
    pts = check.points("points", points)
    basins = [{"label": m.label, "x": m.x, "y": m.y, "known": True} for m in land.minima]
    index = basin_index(land, pts[:, 0], pts[:, 1])
    rest = np.flatnonzero(index < 0)
    if rest.size:
        labels, centres = group_points(pts[rest], tol_group)
        index[rest] = len(basins) + labels
        basins += [{"label": f"({cx:.3g}, {cy:.3g})", "x": float(cx), "y": float(cy), "known": False}
                   for cx, cy in centres]
    return index, basins
