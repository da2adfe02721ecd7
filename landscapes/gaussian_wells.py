"""Surfaces built from a quadratic bowl minus Gaussian wells (Bumpy, Four wells).

    f(x, y) = kx·x² + ky·y² − Σᵢ dᵢ·exp(−((x−aᵢ)² + (y−bᵢ)²) / (2wᵢ²))

With eᵢ the i-th exponential, uᵢ = x−aᵢ and vᵢ = y−bᵢ:

    ∂f/∂x   = 2kx·x + Σ dᵢ·eᵢ·uᵢ/wᵢ²
    ∂²f/∂x² = 2kx   + Σ dᵢ·eᵢ·(1/wᵢ² − uᵢ²/wᵢ⁴)
    ∂²f/∂x∂y =       − Σ dᵢ·eᵢ·uᵢ·vᵢ/wᵢ⁴
and symmetrically in y.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Well(NamedTuple):
    x: float
    y: float
    depth: float
    width: float


def _terms(wells, x, y):
    for w in wells:
        u, v = x - w.x, y - w.y
        e = w.depth * np.exp(-(u * u + v * v) / (2.0 * w.width**2))
        yield u, v, e, 1.0 / w.width**2


def make(bowl: tuple[float, float], wells: tuple[Well, ...]):
    """Return (f, grad, hessian) for the bowl-minus-wells surface."""
    kx, ky = bowl

    def f(x, y):
        z = kx * x * x + ky * y * y
        for _, _, e, _ in _terms(wells, x, y):
            z = z - e
        return z

    def grad(x, y):
        gx, gy = 2.0 * kx * x, 2.0 * ky * y
        for u, v, e, s in _terms(wells, x, y):
            gx = gx + e * u * s
            gy = gy + e * v * s
        return gx, gy

    def hessian(x, y):
        fxx, fxy, fyy = 2.0 * kx + 0.0 * x, 0.0 * x * y, 2.0 * ky + 0.0 * y
        for u, v, e, s in _terms(wells, x, y):
            fxx = fxx + e * (s - u * u * s * s)
            fxy = fxy - e * u * v * s * s
            fyy = fyy + e * (s - v * v * s * s)
        return fxx, fxy, fyy

    return f, grad, hessian
