"""The surfaces of the reference examples: a textbook quartic with two valleys, the four
deep wells of the loss-surface notes and the linear-regression MSE bowl."""

from __future__ import annotations

import numpy as np

from . import gaussian_wells
from .base import Landscape, Minimum
from .gaussian_wells import Well


# ----------------------------------------------------------------------------- quartic

def quartic_f(x, y):
    """f = 0.4x⁴ − 2x² + 0.5y² + 0.1xy − 0.5·E,  E = exp(−((x − 1.5)² + (y + 0.5)²))."""
    e = np.exp(-((x - 1.5) ** 2 + (y + 0.5) ** 2))
    return 0.4 * x**4 - 2.0 * x * x + 0.5 * y * y + 0.1 * x * y - 0.5 * e


def quartic_grad(x, y):
    """∂f/∂x = 1.6x³ − 4x + 0.1y + (x − 1.5)E,  ∂f/∂y = y + 0.1x + (y + 0.5)E."""
    u, v = x - 1.5, y + 0.5
    e = np.exp(-(u * u + v * v))
    return 1.6 * x**3 - 4.0 * x + 0.1 * y + u * e, y + 0.1 * x + v * e


def quartic_hessian(x, y):
    """fxx = 4.8x² − 4 + E(1 − 2u²), fxy = 0.1 − 2uvE, fyy = 1 + E(1 − 2v²)
    with u = x − 1.5, v = y + 0.5."""
    u, v = x - 1.5, y + 0.5
    e = np.exp(-(u * u + v * v))
    return 4.8 * x * x - 4.0 + e * (1.0 - 2.0 * u * u), 0.1 - 2.0 * u * v * e, 1.0 + e * (1.0 - 2.0 * v * v)


# ----------------------------------------------------------------------------- four wells

FOUR_WELLS = (
    Well(-2.5, -2.5, 3.5, 1.0),  # A: trap in the start's quadrant
    Well(2.5, 2.5, 4.0, 1.1),    # B
    Well(-2.5, 2.5, 3.0, 1.0),   # C
    Well(2.5, -2.5, 6.5, 1.0),   # the global one, diagonally opposite the start
)
wells_f, wells_grad, wells_hessian = gaussian_wells.make((0.04, 0.04), FOUR_WELLS)


# ----------------------------------------------------------------------------- regression

# The reference text's data: 30 points y = 2x + 1 + ε on x ∈ [−2, 2], with ε the first 30
# draws of np.random.RandomState(0).normal(0, 0.3) (the stream np.random.seed(0) gives).
# Stored as numbers because importing numpy.random costs a tenth of a second in the
# browser; tests/test_landscapes.py draws them again and compares.
REGRESSION_NOISE = (
    0.5292157037902991, 0.12004716251016698, 0.29362139523172176, 0.6722679597604373,
    0.5602673970449902, -0.29318336396292327, 0.2850265252576768, -0.045407162489309365,
    -0.030965655538067353, 0.1231795505815117, 0.043213071348263396, 0.43628205208889254,
    0.228311317544098, 0.03650250494784852, 0.13315896982362768, 0.10010229821228005,
    0.44822372194728183, -0.06154747912974026, 0.0939203104952704, -0.2562287217905174,
    -0.7658969447502236, 0.19608557863210818, 0.2593308596578517, -0.22264950612193257,
    0.6809263871962823, -0.4363097023796294, 0.01372755519043382, -0.05615515500775008,
    0.45983376430753725, 0.4408076309700855,
)


def _regression_data():
    x = np.linspace(-2.0, 2.0, 30)
    return x, 2.0 * x + 1.0 + np.array(REGRESSION_NOISE)


REGRESSION_X, REGRESSION_Y = _regression_data()
# Moments of the data: f is the quadratic they define.
_SXX, _SX = float(np.mean(REGRESSION_X**2)), float(np.mean(REGRESSION_X))
_SXY, _SY, _SYY = (float(np.mean(REGRESSION_X * REGRESSION_Y)), float(np.mean(REGRESSION_Y)),
                   float(np.mean(REGRESSION_Y**2)))


def regression_f(w, b):
    """MSE of the line ŷ = w·x + b on the data: f = mean((w·xᵢ + b − yᵢ)²)
    = w²·⟨x²⟩ + 2wb·⟨x⟩ + b² − 2w·⟨xy⟩ − 2b·⟨y⟩ + ⟨y²⟩."""
    return w * w * _SXX + 2.0 * w * b * _SX + b * b - 2.0 * w * _SXY - 2.0 * b * _SY + _SYY


def regression_grad(w, b):
    """∂f/∂w = 2(w⟨x²⟩ + b⟨x⟩ − ⟨xy⟩),  ∂f/∂b = 2(w⟨x⟩ + b − ⟨y⟩)."""
    return 2.0 * (w * _SXX + b * _SX - _SXY), 2.0 * (w * _SX + b - _SY)


def regression_hessian(w, b):
    """Constant: 2·[[⟨x²⟩, ⟨x⟩], [⟨x⟩, 1]]."""
    return 2.0 * _SXX, 2.0 * _SX, 2.0


def _least_squares():
    """The normal equations' solution: the unique minimum of the convex MSE."""
    w, b = np.linalg.solve([[_SXX, _SX], [_SX, 1.0]], [_SXY, _SY])
    return Minimum(float(w), float(b), float(regression_f(w, b)))


LANDSCAPES = (
    Landscape(
        key="quartic", label="Quartic, two valleys",
        f=quartic_f, grad_xy=quartic_grad, hessian_xy=quartic_hessian,
        domain=(-2.5, 2.5, -2.5, 2.5), start=(-2.0, 2.0),
        lr_range=(1e-3, 0.1), default_lr=0.02, steps=500, axis_labels=("θ₁", "θ₂"),
        minima=(
            Minimum(1.57602024834411, -0.32570629672850687, -2.9804294639446725, name="right valley"),
            Minimum(-1.5830950691062813, 0.15827773516382976, -2.5125397555338385, False, name="left valley"),
        ),  # located by Newton's method, |∇f| < 1e-12
        description="0.4x⁴ − 2x² + 0.5y² + 0.1xy minus a small dent at (1.5, −0.5): two "
                    "valleys of different depth separated by a saddle near the origin. "
                    "Which one a ball reaches depends on where it starts.",
        notes=(
            "From (−2, 2) every gradient method settles in the left valley, the shallower one "
            "(f ≈ −2.51): the start lies in its basin.",
            "Simulated annealing and random restarts reach the deeper right valley (f ≈ −2.98).",
        ),
    ),
    Landscape(
        key="wells", label="Four wells",
        f=wells_f, grad_xy=wells_grad, hessian_xy=wells_hessian,
        domain=(-5.0, 5.0, -5.0, 5.0), start=(-4.0, -4.0),
        lr_range=(1e-3, 0.5), default_lr=0.2, default_beta=0.95, steps=400, axis_labels=("θ₁", "θ₂"),
        minima=(
            Minimum(2.4695660615306325, -2.4694846353875124, -6.006244852916683, name="global"),
            Minimum(2.44074045956909, 2.4407145666056165, -3.511878254382151, False, name="B"),
            Minimum(-2.443918059658234, -2.443942173311882, -3.0112370333407044, False, name="A"),
            Minimum(-2.4345682662433137, 2.4347684700088976, -2.513202170001434, False, name="C"),
        ),  # located by Newton's method; named A, B, C as in the four-wells example's table
        description="A gentle bowl with four deep Gaussian wells; the deepest (depth 6.5) "
                    "is diagonally opposite the start. Every gradient method is trapped in "
                    "the first well it meets, or rolls on into another trap.",
        notes=(
            "The four-wells example's settings (lr 0.2, β 0.95, 400 steps): SGD, Nesterov, RMSProp, Adam and "
            "AdamW all stay in well A next to the start.",
            "Momentum at β 0.95 does not stay in A: it rolls out over the rim, but into well B, "
            "not the global well.",
            "Simulated annealing and random restarts are not bound to the slope: in 50 seeds "
            "(0–49) annealing ended nearest the global well in 27 and random restarts in 38; "
            "the others ended in A, B or C.",
            "A version of this example in circulation claims that momentum 0.92 from "
            "(−3.8, −3.5) with lr 0.1 escapes well A; measured here, it does not: it settles in A.",
        ),
    ),
    Landscape(
        key="regression", label="Linear regression (MSE)",
        f=regression_f, grad_xy=regression_grad, hessian_xy=regression_hessian,
        domain=(-1.0, 5.0, -2.0, 4.0), start=(-0.5, 3.5),
        lr_range=(1e-3, 0.5), default_lr=0.05, steps=300,
        axis_labels=("slope w₁", "intercept w₂"), markers=(("true parameters", 2.0, 1.0),),
        minima=(_least_squares(),),
        description="The MSE of a line fitted to 30 noisy points of y = 2x + 1, over "
                    "(slope, intercept): a convex bowl whose minimum is the least-squares fit.",
        notes=(
            "One bowl, no traps: every optimizer ends at the least-squares fit.",
            "The fit (slope ≈ 1.94, intercept ≈ 1.13) is not exactly the true parameters (2, 1): "
            "the noise in the 30 points moves the minimum.",
        ),
    ),
)
