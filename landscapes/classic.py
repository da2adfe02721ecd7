"""Classic optimisation test functions with their documented minima.

Formulas and minimisers follow the standard references (Jamil & Yang 2013, "A literature
survey of benchmark functions for global optimisation problems"; the SFU Virtual Library
of Simulation Experiments). Each function's docstring states f and its derivatives.
"""

from __future__ import annotations

import numpy as np

from .base import Landscape, Minimum

TWO_PI = 2.0 * np.pi


def himmelblau_f(x, y):
    """f = (x² + y − 11)² + (x + y² − 7)²."""
    return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2


def himmelblau_grad(x, y):
    """With A = x² + y − 11, B = x + y² − 7: ∂f/∂x = 4xA + 2B, ∂f/∂y = 2A + 4yB."""
    a, b = x * x + y - 11.0, x + y * y - 7.0
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


def himmelblau_hessian(x, y):
    """fxx = 4A + 8x² + 2, fxy = 4(x + y), fyy = 4B + 8y² + 2."""
    a, b = x * x + y - 11.0, x + y * y - 7.0
    return 4.0 * a + 8.0 * x * x + 2.0, 4.0 * (x + y), 4.0 * b + 8.0 * y * y + 2.0


def rastrigin_f(x, y):
    """f = 20 + Σ (xᵢ² − 10·cos(2πxᵢ))."""
    return 20.0 + x * x - 10.0 * np.cos(TWO_PI * x) + y * y - 10.0 * np.cos(TWO_PI * y)


def rastrigin_grad(x, y):
    """∂f/∂xᵢ = 2xᵢ + 20π·sin(2πxᵢ)."""
    return 2.0 * x + 10.0 * TWO_PI * np.sin(TWO_PI * x), 2.0 * y + 10.0 * TWO_PI * np.sin(TWO_PI * y)


def rastrigin_hessian(x, y):
    """∂²f/∂xᵢ² = 2 + 40π²·cos(2πxᵢ); the mixed term is 0."""
    c = 10.0 * TWO_PI**2
    return 2.0 + c * np.cos(TWO_PI * x), 0.0 * (x + y), 2.0 + c * np.cos(TWO_PI * y)


BEALE_C = (1.5, 2.25, 2.625)


def beale_f(x, y):
    """f = Σᵢ₌₁³ (cᵢ − x + x·yⁱ)², c = (1.5, 2.25, 2.625)."""
    return sum((c - x + x * y**i) ** 2 for i, c in enumerate(BEALE_C, start=1))


def beale_grad(x, y):
    """With uᵢ = cᵢ − x + x·yⁱ: ∂f/∂x = Σ 2uᵢ(yⁱ − 1), ∂f/∂y = Σ 2uᵢ·i·x·yⁱ⁻¹."""
    gx = gy = 0.0
    for i, c in enumerate(BEALE_C, start=1):
        u = c - x + x * y**i
        gx = gx + 2.0 * u * (y**i - 1.0)
        gy = gy + 2.0 * u * i * x * y ** (i - 1)
    return gx, gy


def beale_hessian(x, y):
    """fxx = Σ 2(yⁱ−1)², fxy = Σ 2[i·x·yⁱ⁻¹(yⁱ−1) + uᵢ·i·yⁱ⁻¹],
    fyy = Σ 2[(i·x·yⁱ⁻¹)² + uᵢ·i(i−1)·x·yⁱ⁻²]."""
    fxx = fxy = fyy = 0.0
    for i, c in enumerate(BEALE_C, start=1):
        u = c - x + x * y**i
        du_dy = i * x * y ** (i - 1)
        fxx = fxx + 2.0 * (y**i - 1.0) ** 2
        fxy = fxy + 2.0 * (du_dy * (y**i - 1.0) + u * i * y ** (i - 1))
        d2u_dy2 = i * (i - 1) * x * y ** (i - 2) if i >= 2 else 0.0 * x
        fyy = fyy + 2.0 * (du_dy**2 + u * d2u_dy2)
    return fxx, fxy, fyy


def booth_f(x, y):
    """f = (x + 2y − 7)² + (2x + y − 5)²."""
    return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2


def booth_grad(x, y):
    """∂f/∂x = 10x + 8y − 34, ∂f/∂y = 8x + 10y − 38."""
    return 10.0 * x + 8.0 * y - 34.0, 8.0 * x + 10.0 * y - 38.0


def booth_hessian(x, y):
    """Constant: [[10, 8], [8, 10]]."""
    return 10.0, 8.0, 10.0


def ackley_f(x, y):
    """f = −20·exp(−0.2·s) − exp(½(cos 2πx + cos 2πy)) + e + 20, s = √(½(x² + y²))."""
    s = np.sqrt(0.5 * (x * x + y * y))
    c = np.exp(0.5 * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y)))
    return -20.0 * np.exp(-0.2 * s) - c + np.e + 20.0


def _ackley_parts(x, y):
    s = np.sqrt(0.5 * (x * x + y * y))
    at_origin = s == 0.0
    s_safe = np.where(at_origin, 1.0, s)
    a = np.exp(-0.2 * s)
    c = np.exp(0.5 * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y)))
    return s_safe, at_origin, a, c


def ackley_grad(x, y):
    """With A = exp(−0.2s), C = exp(½(cos 2πx + cos 2πy)):
    ∂f/∂x = 2A·x/s + π·C·sin 2πx (and likewise in y). f has a cusp at the origin, its
    minimum; there the gradient is taken as 0, the only element of the subdifferential
    that makes the minimum stationary."""
    s, at_origin, a, c = _ackley_parts(x, y)
    radial = np.where(at_origin, 0.0, 2.0 * a / s)
    return radial * x + np.pi * c * np.sin(TWO_PI * x), radial * y + np.pi * c * np.sin(TWO_PI * y)


def ackley_hessian(x, y):
    """fxx = 2A(1/s − 0.1x²/s² − x²/(2s³)) + π²C(2cos 2πx − sin² 2πx),
    fxy = −2A·xy(0.1/s² + 1/(2s³)) − π²C·sin 2πx·sin 2πy.
    At the origin the curvature of the cusp is infinite: fxx = fyy = +inf, fxy = 0."""
    s, at_origin, a, c = _ackley_parts(x, y)
    sx, sy = np.sin(TWO_PI * x), np.sin(TWO_PI * y)
    k = np.pi**2 * c
    fxx = 2.0 * a * (1.0 / s - 0.1 * x * x / s**2 - x * x / (2.0 * s**3)) + k * (2.0 * np.cos(TWO_PI * x) - sx * sx)
    fyy = 2.0 * a * (1.0 / s - 0.1 * y * y / s**2 - y * y / (2.0 * s**3)) + k * (2.0 * np.cos(TWO_PI * y) - sy * sy)
    fxy = -2.0 * a * x * y * (0.1 / s**2 + 1.0 / (2.0 * s**3)) - k * sx * sy
    return np.where(at_origin, np.inf, fxx), np.where(at_origin, 0.0, fxy), np.where(at_origin, np.inf, fyy)


def styblinski_tang_f(x, y):
    """f = ½ Σ (xᵢ⁴ − 16xᵢ² + 5xᵢ)."""
    return 0.5 * (x**4 - 16.0 * x * x + 5.0 * x + y**4 - 16.0 * y * y + 5.0 * y)


def styblinski_tang_grad(x, y):
    """∂f/∂xᵢ = 2xᵢ³ − 16xᵢ + 2.5."""
    return 2.0 * x**3 - 16.0 * x + 2.5, 2.0 * y**3 - 16.0 * y + 2.5


def styblinski_tang_hessian(x, y):
    """∂²f/∂xᵢ² = 6xᵢ² − 16; the mixed term is 0."""
    return 6.0 * x * x - 16.0, 0.0 * (x + y), 6.0 * y * y - 16.0


def camel_f(x, y):
    """Six-hump camel: f = (4 − 2.1x² + x⁴/3)·x² + xy + (4y² − 4)·y²."""
    return (4.0 - 2.1 * x * x + x**4 / 3.0) * x * x + x * y + (4.0 * y * y - 4.0) * y * y


def camel_grad(x, y):
    """∂f/∂x = 8x − 8.4x³ + 2x⁵ + y, ∂f/∂y = x − 8y + 16y³."""
    return 8.0 * x - 8.4 * x**3 + 2.0 * x**5 + y, x - 8.0 * y + 16.0 * y**3


def camel_hessian(x, y):
    """fxx = 8 − 25.2x² + 10x⁴, fxy = 1, fyy = 48y² − 8."""
    return 8.0 - 25.2 * x * x + 10.0 * x**4, 1.0, 48.0 * y * y - 8.0


ST_LOW, ST_HIGH = -2.903534027771177, 2.746802770990837  # roots of 2x³ − 16x + 2.5 = 0


def _st_1d(x):
    return 0.5 * (x**4 - 16.0 * x * x + 5.0 * x)


CAMEL_X, CAMEL_Y = 0.08984201310031807, -0.7126564030207396
CAMEL_MIN = -1.0316284534898774

LANDSCAPES = (
    Landscape(
        key="himmelblau", label="Himmelblau",
        f=himmelblau_f, grad_xy=himmelblau_grad, hessian_xy=himmelblau_hessian,
        domain=(-5.0, 5.0, -5.0, 5.0), start=(0.0, -0.5),
        lr_range=(1e-4, 0.03), default_lr=0.005, color_scale="log",
        minima=(
            Minimum(3.0, 2.0, 0.0),
            Minimum(-2.805118086952745, 3.131312518250573, 0.0),
            Minimum(-3.779310253377747, -3.2831859912861696, 0.0),
            Minimum(3.5844283403304917, -1.8481265269644034, 0.0),
        ),
        description="Four equal minima (f = 0) and a local maximum near (−0.27, −0.92): "
                    "which basin a ball ends in depends on its start and its dynamics.",
        notes=(
            "SGD, Momentum and Nesterov reach the minimum at (3, 2) within 100 steps.",
            "At this learning rate RMSProp, Adam and AdamW, whose steps are about the learning "
            "rate long, are still on their way after 500 steps.",
        ),
    ),
    Landscape(
        key="rastrigin", label="Rastrigin",
        f=rastrigin_f, grad_xy=rastrigin_grad, hessian_xy=rastrigin_hessian,
        domain=(-5.12, 5.12, -5.12, 5.12), start=(3.3, -2.2),
        lr_range=(1e-4, 0.01), default_lr=0.002,
        minima=(Minimum(0.0, 0.0, 0.0),),
        description="A bowl covered in an egg-crate of local minima; only the one at the "
                    "origin is global. Small gradient steps stop in the first dent they meet.",
        notes=(
            "All six gradient methods stop in the dent next to the start (f ≈ 12.9): every dent "
            "is a trap for steps this small, and larger ones are thrown about by the steep ripples.",
            "Simulated annealing (seed 1) accepts uphill moves while it is hot, hops the bumps and "
            "ends near the global minimum at the origin.",
        ),
    ),
    Landscape(
        key="beale", label="Beale",
        f=beale_f, grad_xy=beale_grad, hessian_xy=beale_hessian,
        domain=(-4.5, 4.5, -4.5, 4.5), start=(1.0, 1.4),
        lr_range=(1e-5, 0.01), default_lr=0.003, color_scale="log",
        minima=(Minimum(3.0, 0.5, 0.0),),
        description="Flat plateaus and steep ridges whose heights span ten orders of "
                    "magnitude; the minimum at (3, ½) lies in a narrow curved valley.",
        notes=(
            "Momentum and Nesterov reach the minimum at (3, ½).",
            "SGD and RMSProp are still creeping along the narrow valley after 500 steps, and "
            "Adam and AdamW, taking steps of about the learning rate, have covered under half "
            "the way.",
        ),
    ),
    Landscape(
        key="booth", label="Booth",
        f=booth_f, grad_xy=booth_grad, hessian_xy=booth_hessian,
        domain=(-10.0, 10.0, -10.0, 10.0), start=(-8.0, 7.0),
        lr_range=(1e-4, 0.1), default_lr=0.05, color_scale="log", steps=300,
        minima=(Minimum(1.0, 3.0, 0.0),),
        description="A tilted convex quadratic (Hessian eigenvalues 18 and 2): descent "
                    "first drops along the steep axis, then slides along the shallow one.",
        notes=(
            "SGD, Momentum and Nesterov drop onto the valley and slide to the minimum at (1, 3) "
            "within 100 steps.",
            "Adam and AdamW take steps of about the learning rate whatever the slope: they cover "
            "most of the distance but are still short of the minimum after 300 steps.",
        ),
    ),
    Landscape(
        key="ackley", label="Ackley",
        f=ackley_f, grad_xy=ackley_grad, hessian_xy=ackley_hessian,
        domain=(-5.0, 5.0, -5.0, 5.0), start=(4.6, 4.4),
        lr_range=(1e-4, 0.1), default_lr=0.01,
        minima=(Minimum(0.0, 0.0, 0.0),),
        description="A funnel riddled with ripples and a sharp cusp at the global minimum; "
                    "far from the centre the surface is nearly flat.",
        notes=(
            "SGD, Momentum and Nesterov stop in the dent nearest the start.",
            "RMSProp, Adam and AdamW hop one ripple: their first steps, about the learning rate "
            "long whatever the slope, carry them over the ridge into the next dent towards the "
            "centre, which is lower.",
        ),
    ),
    Landscape(
        key="styblinski-tang", label="Styblinski–Tang",
        f=styblinski_tang_f, grad_xy=styblinski_tang_grad, hessian_xy=styblinski_tang_hessian,
        domain=(-5.0, 5.0, -5.0, 5.0), start=(0.3, 0.2),
        lr_range=(1e-4, 0.05), default_lr=0.01,
        minima=tuple(
            Minimum(mx, my, _st_1d(mx) + _st_1d(my), is_global=(mx == my == ST_LOW))
            for mx in (ST_LOW, ST_HIGH) for my in (ST_LOW, ST_HIGH)
        ),
        description="Four basins of different depths; the deepest is at (−2.9035, −2.9035) "
                    "with f ≈ −78.332. A start near the centre can roll into any of them.",
        notes=(
            "From near the centre every gradient method rolls into the upper-right basin, the "
            "shallowest (f ≈ −50.1).",
            "Random restarts tries other starts and finds the deepest basin at (−2.90, −2.90), "
            "f ≈ −78.3.",
        ),
    ),
    Landscape(
        key="six-hump-camel", label="Six-hump camel",
        f=camel_f, grad_xy=camel_grad, hessian_xy=camel_hessian,
        domain=(-2.0, 2.0, -1.2, 1.2), start=(-1.0, 1.0),
        lr_range=(1e-4, 0.05), default_lr=0.01,
        minima=(
            Minimum(CAMEL_X, CAMEL_Y, CAMEL_MIN),
            Minimum(-CAMEL_X, -CAMEL_Y, CAMEL_MIN),
        ),
        description="Six local minima, two of them global (f ≈ −1.0316) near (±0.0898, ∓0.7127).",
        notes=(
            "From (−1, 1) every gradient method rolls past the side humps into the global "
            "minimum at (−0.09, 0.71).",
        ),
    ),
)
