"""The four presets of the playground: Ravine, Saddle, Bumpy and Bowl."""

from __future__ import annotations

import numpy as np

from . import gaussian_wells
from .base import Landscape, Minimum
from .gaussian_wells import Well

# ----------------------------------------------------------------------------- ravine

RAVINE_A, RAVINE_B, RAVINE_FLOOR = 0.5, 10.0, 0.035
RAVINE_WIDTH, RAVINE_SOFTEN, RAVINE_REACH = 0.3, 1.3, 0.5
# Squares and cubes as plain products, never pow(): libm's pow may round differently in the
# browser than in CPython, and the balls' ricochets here are chaotic enough to show it.
_W2, _R2 = RAVINE_WIDTH * RAVINE_WIDTH, RAVINE_REACH * RAVINE_REACH


def _ravine_parts(x, y):
    """The pieces f, ∇f and the Hessian share (names as in ravine_f's docstring)."""
    s = 1.0 + 4.0 * x * x
    r = y - x * x
    rs = np.sqrt(s)
    d = r / rs
    e = d / RAVINE_WIDTH
    u = np.sqrt(1.0 + e * e)
    q = x - RAVINE_A
    m = q * q + _R2
    g = 1.0 + RAVINE_SOFTEN * q * q / m
    wall = 2.0 * _W2 * (u - 1.0)
    return s, r, rs, d, u, q, m, g, wall


def ravine_f(x, y):
    """A Rosenbrock-type banana valley along the floor y = x², with walls of known steepness:

        f = c·(x − a)² + b·g(x)·W(d),   d = (y − x²)/√(1 + 4x²),
        W(d) = 2w²(√(1 + d²/w²) − 1),   g(x) = 1 + γ(x − a)²/((x − a)² + ρ²),
        a = ½, b = 10, c = 0.035, w = 0.3, γ = 1.3, ρ = ½   (minimum 0 at (a, a²) = (½, ¼)).

    d is the distance from the floor to first order (|∇d| = 1 on it), so across the valley
    the curvature on the floor is 2b·g(x) wherever the floor bends: 2b(1 + γ) ≈ 45 far up
    the valley, softening to 2b = 20 at the minimum within about ρ of it. W is d² near the
    floor and 2w|d| beyond w (a pseudo-Huber wall): the walls are V-shaped further out, so
    a ball bouncing between them is not thrown out. Along the floor the loss is c(x − a)².

    - SGD at lr is stable across the valley only where lr·2b·g(x) < 2. At the default
      lr = 0.065 that product is 2.9 at the start (−2, 4) and 1.3 at the minimum: for
      most of its way SGD cannot settle on the floor and ricochets between the walls in a
      steady wall-to-wall bounce (d = ±d* with lr·b·g·W′(d*)/d* = 2, about ±0.3 at the start),
      creeping along at lr·2c|x − a| per step until the walls soften near the minimum.
    - Nesterov's look-ahead makes it less stable across the valley (it needs
      lr·curvature < 2(1 + β)/(1 + 2β) ≈ 1.36 at β = 0.9): it zig-zags wildly at first, but
      its momentum carries it down to the soft end quickly. Momentum's limit is 2(1 + β) = 3.8,
      so it only swings and damps.
    - Adam and RMSProp divide each gradient coordinate by its running RMS, so their steps
      are about lr per coordinate however flat the floor is.

    tests/test_lessons.py measures each claim the page's notes make.
    """
    *_, q, m, g, wall = _ravine_parts(x, y)
    return RAVINE_FLOOR * q * q + RAVINE_B * g * wall


def ravine_grad(x, y):
    """∂f/∂x = 2c(x − a) + b(g′W + g·W′·d_x),  ∂f/∂y = b·g·W′·d_y, with W′ = 2d/√(1 + d²/w²),
    g′ = 2γρ²(x − a)/((x − a)² + ρ²)², d_x = −2x(s + 2r)/s^{3/2}, d_y = 1/√s (s = 1 + 4x², r = y − x²)."""
    s, r, rs, d, u, q, m, g, wall = _ravine_parts(x, y)
    w1 = 2.0 * d / u
    gx = 2.0 * RAVINE_SOFTEN * _R2 * q / (m * m)
    dx = -2.0 * x * (s + 2.0 * r) / (s * rs)
    return 2.0 * RAVINE_FLOOR * q + RAVINE_B * (gx * wall + g * w1 * dx), RAVINE_B * g * w1 / rs


def ravine_hessian(x, y):
    """fxx = 2c + b(g″W + 2g′W′d_x + g(W″d_x² + W′d_xx)), fxy = b(g′W′d_y + g(W″d_x d_y + W′d_xy)),
    fyy = b·g·W″·d_y², with W″ = 2/(1 + d²/w²)^{3/2}, g″ = 2γρ²(ρ² − 3(x − a)²)/((x − a)² + ρ²)³,
    d_xx = N_x/s^{3/2} − 12xN/s^{5/2} (N = −2x(s + 2r), N_x = −2 − 12x² − 4y), d_xy = −4x/s^{3/2}."""
    s, r, rs, d, u, q, m, g, wall = _ravine_parts(x, y)
    w1, w2 = 2.0 * d / u, 2.0 / (u * u * u)
    gx = 2.0 * RAVINE_SOFTEN * _R2 * q / (m * m)
    gxx = 2.0 * RAVINE_SOFTEN * _R2 * (_R2 - 3.0 * q * q) / (m * m * m)
    s32 = s * rs
    n = -2.0 * x * (s + 2.0 * r)
    dx = n / s32
    dxx = (-2.0 - 12.0 * x * x - 4.0 * y) / s32 - 12.0 * x * n / (s32 * s)
    dy, dxy = 1.0 / rs, -4.0 * x / s32
    fxx = 2.0 * RAVINE_FLOOR + RAVINE_B * (gxx * wall + 2.0 * gx * w1 * dx + g * (w2 * dx * dx + w1 * dxx))
    fxy = RAVINE_B * (gx * w1 * dy + g * (w2 * dx * dy + w1 * dxy))
    return fxx, fxy, RAVINE_B * g * w2 * dy * dy


# ----------------------------------------------------------------------------- saddle

SADDLE_TILT = 0.002


def saddle_f(x, y):
    """f = ½x² − ½y² + y⁴/16 + εy, ε = 0.002.

    Up in x, down in y near the origin, where the gradient nearly vanishes: a ball
    arriving along the x-axis slows to a crawl. The quartic term bounds f below (two
    valleys near y = ±2, f ≈ −1), so nothing escapes to −∞; the tilt ε makes the
    saddle slightly asymmetric so balls tip off towards negative y.
    """
    return 0.5 * x * x - 0.5 * y * y + y**4 / 16.0 + SADDLE_TILT * y


def saddle_grad(x, y):
    """∂f/∂x = x,  ∂f/∂y = −y + y³/4 + ε."""
    return 1.0 * x, -y + 0.25 * y**3 + SADDLE_TILT


def saddle_hessian(x, y):
    """fxx = 1, fxy = 0, fyy = −1 + ¾y²."""
    return 1.0, 0.0, -1.0 + 0.75 * y * y


# ----------------------------------------------------------------------------- bumpy

BUMPY_WELLS = (
    Well(-1.6, -1.2, 1.6, 0.7),
    Well(1.4, 1.2, 2.0, 0.8),
    Well(1.5, -1.5, 1.2, 0.6),
    Well(-1.2, 1.5, 1.0, 0.6),
    Well(0.1, 0.1, 0.6, 0.5),
)
bumpy_f, bumpy_grad, bumpy_hessian = gaussian_wells.make((0.1, 0.1), BUMPY_WELLS)


# ----------------------------------------------------------------------------- bowl

def bowl_f(x, y):
    """f = ½(x² + 4y²): convex, Hessian diag(1, 4), minimum 0 at the origin."""
    return 0.5 * (x * x + 4.0 * y * y)


def bowl_grad(x, y):
    """∂f/∂x = x,  ∂f/∂y = 4y."""
    return 1.0 * x, 4.0 * y


def bowl_hessian(x, y):
    """Constant: diag(1, 4)."""
    return 1.0, 0.0, 4.0


LANDSCAPES = (
    Landscape(
        key="ravine", label="Ravine (Rosenbrock)",
        f=ravine_f, grad_xy=ravine_grad, hessian_xy=ravine_hessian,
        domain=(-2.5, 1.5, -1.0, 5.0), start=(-2.0, 4.0),
        lr_range=(1e-3, 1.0), default_lr=0.065, color_scale="log", steps=1500,
        minima=(Minimum(RAVINE_A, RAVINE_A**2, 0.0),),
        description="A long curved valley whose walls are too steep for SGD's learning rate until they "
                    "soften near the minimum at (½, ¼): SGD ricochets from wall to wall and creeps down the "
                    "floor; Adam glides down it about 3× sooner.",
        notes=(
            "SGD cannot settle on the floor: far up the valley its learning rate × the curvature across "
            "it is about 3, above the limit 2, so it ricochets from wall to wall about 0.3 either side of "
            "the floor (it crosses the floor about 900 times) while it creeps down. It stops bouncing only "
            "where the walls soften near the minimum, after about 850 steps; its loss first drops below "
            "0.001 after about 1,100 steps.",
            "The big zig-zag at the start is Nesterov's: its look-ahead step makes it less stable across "
            "the valley than SGD (it needs learning rate × curvature below about 1.4 at β = 0.9), so its "
            "first 60 or so steps swing across the whole valley; its momentum then carries it down to "
            "the softer walls first (below 0.001 after about 80 steps). Momentum, stable up to 3.8, "
            "hardly swings and arrives after about 190 steps.",
            "Adam and RMSProp take steps of about the learning rate per coordinate however flat the floor "
            "is, so they glide down the floor instead of bouncing from wall to wall: Adam is below 0.001 "
            "after about 360 steps, 3× sooner than SGD.",
            "RMSProp's hook: its average of squared gradients starts at zero, so its first steps are about "
            "10× the learning rate; it jumps off the floor and hooks back into the valley. With no "
            "momentum to average its steps it jitters across the floor all the way down and is still "
            "about 0.1 from (½, ¼) after 1,500 steps, its loss about 0.02. Adam settles on the minimum; AdamW's weight decay holds it about 0.01 "
            "short.",
            "Drag the learning rate: SGD reaches the minimum within 1,500 steps at every learning rate "
            "between about 0.06 and 0.09; below, it runs out of steps, and above about 0.1 the walls at "
            "the minimum are too steep for it too, so it keeps bouncing there. Adam gets there at every "
            "value from about 0.003 to 1.",
        ),
    ),
    Landscape(
        key="saddle", label="Saddle",
        f=saddle_f, grad_xy=saddle_grad, hessian_xy=saddle_hessian,
        domain=(-3.0, 3.0, -3.0, 3.0), start=(-2.8, 0.0),
        lr_range=(1e-3, 0.5), default_lr=0.05, steps=300,
        minima=(
            Minimum(0.0, -2.0009992509983623, -1.0040009995004995, name="lower valley"),
            Minimum(0.0, 1.9989992489983563, -0.9960010005005006, False, name="upper valley"),
        ),  # y solves y³/4 − y + ε = 0
        description="The balls roll towards a saddle at the origin where the gradient nearly "
                    "vanishes; a tiny tilt finally tips them down into the lower valley.",
        notes=(
            "SGD slows to a crawl at the saddle: it spends about 60 steps within 0.3 of the "
            "origin, moving less than a twentieth of its first step, before the tilt tips it down "
            "to the lower valley at y ≈ −2.",
            "Momentum and Nesterov roll through faster and slow down only briefly; they too "
            "end in the lower valley.",
            "RMSProp, Adam and AdamW skip the saddle: dividing each gradient coordinate by its "
            "running size turns the tiny downhill slope in y into a full-size step, so they turn "
            "downhill at once and never come within 0.3 of the origin.",
        ),
    ),
    Landscape(
        key="bumpy", label="Bumpy",
        f=bumpy_f, grad_xy=bumpy_grad, hessian_xy=bumpy_hessian,
        domain=(-3.0, 3.0, -3.0, 3.0), start=(-2.7, 2.7),
        lr_range=(1e-3, 0.5), default_lr=0.05, steps=500,
        minima=(
            Minimum(1.3087499630781019, 1.121942867356136, -1.6846503310423495, name="deepest"),
            Minimum(-1.5060310067271894, -1.129407526843501, -1.2235065392496787, False, name="lower left"),
            Minimum(1.412487772934397, -1.4008121723313387, -0.7859458277014558, False, name="lower right"),
            Minimum(-1.095131330582393, 1.3900473479788287, -0.6728502859705282, False, name="upper left"),
        ),  # located by Newton's method
        description="A shallow bowl minus five Gaussian dents that make four basins of "
                    "different depth: optimizers with different dynamics end in different basins.",
        notes=(
            "SGD, RMSProp, Adam and AdamW settle in the shallow upper-left basin next to the start.",
            "Momentum and Nesterov carry enough speed over the rim to reach the deepest basin, "
            "upper right; the outcome table says who found which.",
        ),
    ),
    Landscape(
        key="bowl", label="Bowl",
        f=bowl_f, grad_xy=bowl_grad, hessian_xy=bowl_hessian,
        domain=(-3.0, 3.0, -3.0, 3.0), start=(-2.5, 2.0),
        lr_range=(1e-3, 0.45), default_lr=0.05, steps=500,
        minima=(Minimum(0.0, 0.0, 0.0),),
        description="A convex quadratic: the sanity check where every optimizer converges.",
        notes=(
            "Every optimizer reaches the minimum at the origin.",
            "Momentum overshoots: at β = 0.9 the ball sails past the bottom, swings back and "
            "crosses it again and again before settling, while SGD rolls straight in without "
            "ever crossing.",
        ),
    ),
)
