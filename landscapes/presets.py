"""The four presets of the playground: Ravine, Saddle, Bumpy and Bowl."""

from __future__ import annotations

from . import gaussian_wells
from .base import Landscape, Minimum
from .gaussian_wells import Well

# ----------------------------------------------------------------------------- ravine

RAVINE_A, RAVINE_B = 1.0, 10.0


def ravine_f(x, y):
    """Rosenbrock-type banana valley: f = (a − x)² + b·(y − x²)², a = 1, b = 10.

    Why b = 10 and not the textbook 100: across the valley the curvature is about
    2b(1 + 4x²), along its floor about 0.4. With b = 10 and the start (−1.5, 2.5), SGD
    (measured over 1,500 steps) crawls without bouncing below lr ≈ 0.008, ricochets
    between the walls yet still reaches (1, 1) for lr ≈ 0.009–0.017, and diverges or
    turns chaotic above: a narrow band, but one a slider can find. Adam and RMSProp take
    steps of about lr per coordinate whatever the curvature, so at the default lr = 0.01
    they settle onto the floor and glide along it. With b = 100 the band shrinks
    tenfold and every other optimizer crawls at the learning rates SGD survives.
    """
    return (RAVINE_A - x) ** 2 + RAVINE_B * (y - x * x) ** 2


def ravine_grad(x, y):
    """∂f/∂x = −2(a − x) − 4b·x(y − x²),  ∂f/∂y = 2b(y − x²)."""
    r = y - x * x
    return -2.0 * (RAVINE_A - x) - 4.0 * RAVINE_B * x * r, 2.0 * RAVINE_B * r


def ravine_hessian(x, y):
    """fxx = 2 − 4b·y + 12b·x², fxy = −4b·x, fyy = 2b."""
    return 2.0 - 4.0 * RAVINE_B * y + 12.0 * RAVINE_B * x * x, -4.0 * RAVINE_B * x, 2.0 * RAVINE_B


# ----------------------------------------------------------------------------- saddle

SADDLE_TILT = 0.02


def saddle_f(x, y):
    """f = ½x² − ½y² + y⁴/16 + εy, ε = 0.02.

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
        domain=(-2.0, 2.0, -1.0, 3.0), start=(-1.5, 2.5),
        lr_range=(1e-4, 0.05), default_lr=0.01, color_scale="log",
        minima=(Minimum(1.0, 1.0, 0.0),),
        description="A long curved valley with steep walls and a nearly flat floor. SGD "
                    "ricochets between the walls and is stable only in a narrow band of "
                    "learning rates; Adam and RMSProp settle onto the floor and glide to (1, 1).",
    ),
    Landscape(
        key="saddle", label="Saddle",
        f=saddle_f, grad_xy=saddle_grad, hessian_xy=saddle_hessian,
        domain=(-3.0, 3.0, -3.0, 3.0), start=(-2.8, 0.0),
        lr_range=(1e-3, 0.5), default_lr=0.05,
        minima=(
            Minimum(0.0, -2.009925983888002, -1.0400995049353585),
            Minimum(0.0, 1.9899239832877622, -0.960100505066642, False),
        ),  # y solves y³/4 − y + ε = 0
        description="The balls roll towards a saddle at the origin, slow to a crawl where the "
                    "gradient nearly vanishes, then a tiny tilt tips them down the unstable "
                    "direction into the lower valley.",
    ),
    Landscape(
        key="bumpy", label="Bumpy",
        f=bumpy_f, grad_xy=bumpy_grad, hessian_xy=bumpy_hessian,
        domain=(-3.0, 3.0, -3.0, 3.0), start=(-2.7, 2.7),
        lr_range=(1e-3, 0.5), default_lr=0.05,
        minima=(
            Minimum(1.3087499630781019, 1.121942867356136, -1.6846503310423495),
            Minimum(-1.5060310067271894, -1.129407526843501, -1.2235065392496787, False),
            Minimum(1.412487772934397, -1.4008121723313387, -0.7859458277014558, False),
            Minimum(-1.095131330582393, 1.3900473479788287, -0.6728502859705282, False),
        ),  # located by Newton's method
        description="A shallow bowl minus five Gaussian dents that make four basins of "
                    "different depth. Optimizers with different dynamics end in different basins; the "
                    "legend's min-loss column shows who found the deeper one.",
    ),
    Landscape(
        key="bowl", label="Bowl",
        f=bowl_f, grad_xy=bowl_grad, hessian_xy=bowl_hessian,
        domain=(-3.0, 3.0, -3.0, 3.0), start=(-2.5, 2.0),
        lr_range=(1e-3, 0.45), default_lr=0.05,
        minima=(Minimum(0.0, 0.0, 0.0),),
        description="A convex quadratic: the sanity check where every optimizer converges.",
    ),
)
