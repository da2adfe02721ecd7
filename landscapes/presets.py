"""The four presets of the playground: Ravine, Saddle, Bumpy and Bowl."""

from __future__ import annotations

from . import gaussian_wells
from .base import Landscape, Minimum
from .gaussian_wells import Well

# ----------------------------------------------------------------------------- ravine

RAVINE_A, RAVINE_B, RAVINE_FLOOR = 0.5, 1.0, 0.05


def ravine_f(x, y):
    """Rosenbrock-type banana valley with a near-flat floor:

        f = c·(a − x)² + b·(y − x²)²,   a = ½, b = 1, c = 0.05  (minimum 0 at (a, a²) = (½, ¼))

    The constants make seed 002's lesson true (tests/test_lessons.py checks each claim).
    Across the valley the curvature is about 2b(1 + 4x²): 34 at the start (−2, 4), 4 at
    the minimum. Along the floor y = x² the loss is c·(a − x)², so a ball there feels a
    force of only 2c|a − x|/√(1 + 4x²) ≤ 0.12: the floor is ~300× flatter than the walls.

    - SGD moves lr·∇f. It is stable only while lr·34 ≲ 2 at the start, so it must use
      lr ≲ 0.06, and then it crawls along the floor at lr·2c|a − x|/(1 + 4x²) per step
      (a few thousandths): at the default lr = 0.062 it starts just unstable, ricochets
      between the walls (y − x² changes sign ~90 times) and reaches f < 10⁻³ only after
      ~1,400 steps. Below lr ≈ 0.06 it never gets there in 1,500 steps, above ≈ 0.2 it is
      thrown out: it converges in a band of about half a decade.
    - Adam and RMSProp divide each gradient coordinate by its running RMS, so a step is
      about lr per coordinate however flat the floor: at lr = 0.062 they reach f < 10⁻³
      in ~220 and ~360 steps, and they do so for every lr from ≈ 0.003 to 1.
    - Momentum and Nesterov, whose velocity builds up along the floor, are faster still.

    A start on the floor's far end (−2, 4) keeps the first gradients small, so Adam's
    running RMS is not dominated by a fall down a wall.
    """
    return RAVINE_FLOOR * (RAVINE_A - x) ** 2 + RAVINE_B * (y - x * x) ** 2


def ravine_grad(x, y):
    """∂f/∂x = −2c(a − x) − 4b·x(y − x²),  ∂f/∂y = 2b(y − x²)."""
    r = y - x * x
    return -2.0 * RAVINE_FLOOR * (RAVINE_A - x) - 4.0 * RAVINE_B * x * r, 2.0 * RAVINE_B * r


def ravine_hessian(x, y):
    """fxx = 2c − 4b·y + 12b·x², fxy = −4b·x, fyy = 2b."""
    return (2.0 * RAVINE_FLOOR - 4.0 * RAVINE_B * y + 12.0 * RAVINE_B * x * x, -4.0 * RAVINE_B * x,
            2.0 * RAVINE_B + 0.0 * x)


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
        lr_range=(1e-3, 1.0), default_lr=0.062, color_scale="log", steps=1500,
        minima=(Minimum(RAVINE_A, RAVINE_A**2, 0.0),),
        description="A long curved valley with steep walls and a nearly flat floor. SGD "
                    "ricochets between the walls and creeps; Adam and RMSProp glide down the "
                    "floor towards the minimum at (½, ¼), many times sooner.",
        notes=(
            "SGD ricochets between the walls (it crosses the valley floor about 90 times) and "
            "creeps along the floor: its loss first drops below 0.001 after about 1,400 steps.",
            "Adam and RMSProp take steps of about the learning rate per coordinate however flat "
            "the floor is, so they glide down the valley: below 0.001 after about 220 and 360 "
            "steps, at least 3× sooner than SGD.",
            "Momentum and Nesterov build up speed along the floor and are faster still "
            "(about 140 and 45 steps).",
            "Near the minimum RMSProp, which has no momentum, keeps taking steps of about the "
            "learning rate and ends up circling about 0.1 from (½, ¼) (its loss stays near "
            "0.004); Adam's averaged steps settle on it, and AdamW's weight decay holds it "
            "about 0.005 short.",
            "Drag the learning rate: SGD reaches the minimum within 1,500 steps only between "
            "about 0.06 and 0.2; Adam does for every value from about 0.003 to 1.",
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
