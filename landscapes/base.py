"""What a landscape is: an analytic surface plus the metadata the page and the tests need."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

Array = np.ndarray
Scalar2D = Callable[[Array, Array], Array]
Vector2D = Callable[[Array, Array], tuple[Array, Array]]
Matrix2D = Callable[[Array, Array], tuple[Array, Array, Array]]


@dataclass(frozen=True)
class Minimum:
    """A known minimiser (x, y) with its loss value; ``is_global`` marks the lowest one(s)."""

    x: float
    y: float
    value: float
    is_global: bool = True


@dataclass(frozen=True)
class Landscape:
    """A 2-D loss surface f(x, y) with its analytic derivatives.

    ``f(x, y)``, ``grad(x, y) -> (∂f/∂x, ∂f/∂y)`` and
    ``hessian(x, y) -> (∂²f/∂x², ∂²f/∂x∂y, ∂²f/∂y²)`` accept scalars or numpy arrays
    of any broadcast-compatible shapes and return arrays of the broadcast shape.

    ``domain`` is the view window ``(xmin, xmax, ymin, ymax)``; ``start`` the default
    start point; ``lr_range`` the learning rates worth trying, with ``default_lr`` inside;
    ``color_scale`` is ``"log"`` when the loss spans orders of magnitude over the view.
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

    def __post_init__(self) -> None:
        xmin, xmax, ymin, ymax = self.domain
        if not (xmin < xmax and ymin < ymax):
            raise ValueError(f"{self.key}: empty domain {self.domain}")
        lo, hi = self.lr_range
        if not (0 < lo <= self.default_lr <= hi):
            raise ValueError(f"{self.key}: default_lr {self.default_lr} outside lr_range {self.lr_range}")
        if self.color_scale not in ("linear", "log"):
            raise ValueError(f"{self.key}: color_scale must be 'linear' or 'log', got {self.color_scale!r}")

    def grad(self, x, y) -> tuple[Array, Array]:
        """Analytic gradient (∂f/∂x, ∂f/∂y), broadcast to the shape of x and y."""
        gx, gy = self.grad_xy(x, y)
        return _broadcast(gx, gy, x, y)

    def hessian(self, x, y) -> tuple[Array, Array, Array]:
        """Analytic Hessian entries (fxx, fxy, fyy), broadcast to the shape of x and y."""
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


def _broadcast(*arrays_then_xy):
    """Broadcast derivative terms (some may be constants) to the common shape of x and y;
    scalar inputs give numpy scalars, as f does."""
    *terms, x, y = arrays_then_xy
    shape = np.broadcast_shapes(np.shape(x), np.shape(y))
    out = tuple(np.broadcast_to(np.asarray(t, dtype=float), shape).copy() if np.shape(t) != shape
                else np.asarray(t, dtype=float) for t in terms)
    return tuple(a[()] for a in out) if shape == () else out
