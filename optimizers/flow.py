"""Gradient flow  dx/dt = −∇f(x)  for many particles, integrated with adaptive Dormand–Prince 5(4).

Two clocks drive the same paths:

* **Flow time** (``advance``, ``gradient_flow``): the particles follow dx/dt = −∇f and
  ``t`` is the flow time itself.
* **Screen time** (``advance_screen``, the page's clock): the particles follow the
  reparametrised field

      dx/dσ = −k(x)·∇f(x),   dt/dσ = k(x),   k = v / √(|∇f|² + g₀²),

  where σ is screen time in seconds (at ``speed`` 1), v = speed·span/``SECONDS_PER_SPAN``
  and g₀ = ``gradient_scale(landscape)``. As k > 0 the curves are exactly those of
  dx/dt = −∇f (only the pace along them changes), and the particle's true flow time t is
  integrated beside it for the readout. Where |∇f| ≫ g₀ a particle moves at ≈ v (it
  crosses the view in ``SECONDS_PER_SPAN`` seconds, however steep the wall); where
  |∇f| ≪ g₀ the field is −(v/g₀)·∇f, so near a minimum with curvature λ it eases in
  exponentially at the rate v·λ/g₀ per second. g₀ = ``EASE_SPANS``·span·λ̃, with λ̃ the
  softest curvature of the landscape's listed minima (the median over them of the
  Hessian's smaller eigenvalue), makes that rate 1/(``EASE_SPANS``·``SECONDS_PER_SPAN``)
  = 8 per second along the softest direction of a typical minimum, whatever the
  landscape's units, and starts the easing about ``EASE_SPANS`` (5 %) of the span from
  it: a typical path from drop to rest takes 1–3 s on screen.

**The integrator.** Each particle carries its own clock and step size. One step takes
the fifth-order solution of the Dormand–Prince pair and estimates the local error from
the embedded fourth-order one,

    err = max_i |x⁵ᵢ − x⁴ᵢ| / (atol + rtol·max(|xᵢ|, |x⁵ᵢ|)),

accepting the step when err ≤ 1 and rescaling h ← h·clip(0.9·err^(−1/5), 0.2, 5). The
gradient at the new point (the seventh stage) is kept for the next step (FSAL). Where a
particle's step is held back by stiffness (h·k·λ_max(H) > 2.5, past Dormand–Prince's
stability limit: the floor of a narrow valley such as the ravine's or Beale's) it is
handed to the L-stable Rosenbrock method ROS2 with the analytic Hessian (error exponent
1/2, absolute tolerance ``ROS_ATOL_SPANS``·span on the screen clock), and back once
h·k·λ_max < 1. Both are elementwise per particle: a particle's path never depends on
the others.

**How a flow ends.** Every particle ends in one of four states (``status``):

* ``AT_REST`` — after an accepted step, any of
  (a) |∇f| ≤ gtol (a critical point);
  (b) the Hessian H is positive definite and the Newton step |H⁻¹∇f| (the distance to
      the minimum it predicts) is at most xtol·span;
  (c) the particle is within xtol·span of a minimum the landscape lists
      (``landscape.minima``): exact where H is singular or infinite, as at Ackley's cusp;
  (d) the step-size controller has shrunk the step until it moves the particle less
      than ``STALL``·xtol·span while H is not that of a saddle or a maximum: the
      integrator can no longer resolve any motion, which is what happens at a kink
      (a cusp the flow reaches in finite time and then chatters across);
  (e) screen clock only: the particle moved less than xtol·span (default
      ``REST_SPANS`` = 1e-4 spans, far below a pixel) over the last ``REST_WINDOW``
      seconds of screen time, and H there is not that of a saddle or maximum (where the
      convergence is slow, e.g. a minimum with a singular Hessian).
  Near a minimum an explicit method hovers at its error tolerance rather than creeping
  closer, so "at rest" is judged by distance, not by speed alone. A particle passing
  close to a saddle is never put to rest there by (d) or (e): it pauses and leaves.
* ``DIVERGED`` — its state became non-finite, or it left the disc of radius
  ``ESCAPE_SPANS × span`` around the view's centre; it is frozen at its last position.
* ``STOPPED`` — still moving when the clock ran out: flow time ``t_max`` in
  ``gradient_flow`` (or its ``max_iterations``: then ``t < t_max``), screen time
  ``limit`` (default ``SCREEN_LIMIT`` s) in ``advance_screen``. A stopped particle is
  never advanced again.
* ``LEFT_VIEW`` — screen clock only: more than ``VIEW_MARGIN_SPANS`` spans outside the
  view (Beale's asymptotic valleys carry half its starts off to infinity); ``diverged``
  is True for it too.
* ``FLOWING`` — not ended yet (only between calls of ``advance``/``advance_screen``).

``at_rest`` and ``diverged`` repeat the status as booleans (the fields of earlier
versions).

**Curves for drawing.** ``gradient_flow_paths`` is ``gradient_flow`` with every
particle's curve kept (the positions after every k-th vectorised step, k a power of two
chosen so that at most 2·``points`` are kept, plus the start and the end): the run is the
same, only watched, so its end is exactly ``gradient_flow``'s.

**Bounded work.** Every call takes at most ``max_iterations`` vectorised steps; a
particle that needs more lags behind (its own clock says how far it got). The page calls
``advance_screen`` once per animation frame with the frame's duration.
"""

from __future__ import annotations

import math
import operator
from numbers import Real
from typing import NamedTuple

import numpy as np

from . import validation as check
from .run import ESCAPE_SPANS, as_starts

FLOWING, AT_REST, DIVERGED, STOPPED, LEFT_VIEW = 0, 1, 2, 3, 4
STATUS_NAMES = ("flowing", "at rest", "diverged", "stopped", "left the view")

SECONDS_PER_SPAN = 2.5   # far from minima, at speed 1, a particle crosses the view's span in 2.5 s
EASE_SPANS = 0.05        # the easing towards a typical minimum starts ~5 % of the span from it
REST_SPANS = 1e-4        # screen clock: at rest once it moves less than this many spans ...
REST_WINDOW = 0.25       # ... over this many seconds of screen time (or by tests (a)-(d))
VIEW_MARGIN_SPANS = 0.5  # screen clock: this far outside the view a particle has LEFT_VIEW
SCREEN_LIMIT = 12.0      # screen seconds after which a still-moving particle is STOPPED
SCREEN_RTOL = 1e-7       # screen-clock tolerances: paths far more accurate than a pixel
SCREEN_ATOL_SPANS = 1e-9
ROS_ATOL_SPANS = 1e-5    # screen clock, stiff spots (second-order ROS2): a tenth of a pixel or less
FRAME_ITERATIONS = 4     # advance_screen's default bound on vectorised steps per call
STALL = 1e-3             # rest test (d): a step shorter than STALL·xtol·span is a stall
STALL_ROS = 0.1          # ... or, a ROS2 step on the screen clock, shorter than STALL_ROS·xtol·span
MAX_ITERATIONS_LIMIT = 10_000_000
RTOL_MIN = 1e-14         # below this the error test asks more than double precision holds
PATH_POINTS = 200        # gradient_flow_paths keeps 200–400 points per particle by default
MAX_PATH_POINTS = 10_000

# Dormand–Prince 5(4) tableau (Dormand & Prince 1980).
_C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0])
_A = (
    (),
    (1 / 5,),
    (3 / 40, 9 / 40),
    (44 / 45, -56 / 15, 32 / 9),
    (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
    (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
    (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84),
)
_B5 = np.array([35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0.0])
_B4 = np.array([5179 / 57600, 0.0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40])
_E = _B5 - _B4
_A_ROWS = [np.array(r) for r in _A]


class FlowState(NamedTuple):
    """Every particle's flow, per particle (first axis n):

    positions (n, 2); t (n,) flow time reached; h (n,) next step in flow time;
    at_rest (n,) bool; diverged (n,) bool; status (n,) int8 in {FLOWING, AT_REST,
    DIVERGED, STOPPED}; screen_time (n,) seconds of screen time (at speed 1) flowed;
    h_screen (n,) next step in screen time; starts (n, 2) where each was dropped;
    grad (n, 2) ∇f at positions; anchor (n, 2), anchor_time (n,) the position and
    screen time at the start of the current rest window (test (e)); stiff (n,) bool
    stepped by ROS2; age (n,) screen seconds offered while flowing (what ``limit`` counts,
    so a lagging particle still ends on time).

    Build one with ``init``; ``concatenate`` joins two.
    """

    positions: np.ndarray
    t: np.ndarray
    h: np.ndarray
    at_rest: np.ndarray
    diverged: np.ndarray
    status: np.ndarray | None = None
    screen_time: np.ndarray | None = None
    h_screen: np.ndarray | None = None
    starts: np.ndarray | None = None
    grad: np.ndarray | None = None
    anchor: np.ndarray | None = None
    anchor_time: np.ndarray | None = None
    stiff: np.ndarray | None = None
    age: np.ndarray | None = None


class FlowResult(NamedTuple):
    """Where each particle ended: positions (n, 2), loss (n,), at_rest (n,) bool,
    diverged (n,) bool, t (n,) flow time reached, status (n,) int8 (``STATUS_NAMES``):
    at rest, diverged, or stopped (t == t_max, or t < t_max when max_iterations ran out)."""

    positions: np.ndarray
    loss: np.ndarray
    at_rest: np.ndarray
    diverged: np.ndarray
    t: np.ndarray
    status: np.ndarray | None = None


class FlowPaths(NamedTuple):
    """Gradient-flow curves for drawing (``gradient_flow_paths``): path (m, n, 2) every
    particle's position at m moments (its start, every k-th integrator iteration, its
    end), a particle's column held at its end once it stops moving; length (n,) how many
    leading rows are its curve (``path[:length[i], i]``, at least 1: the start); end the
    FlowResult, exactly ``gradient_flow``'s."""

    path: np.ndarray
    length: np.ndarray
    end: FlowResult

    def curves(self) -> list[np.ndarray]:
        """Each particle's curve, (length[i], 2), ready for a LineCollection."""
        return [self.path[:k, i] for i, k in enumerate(self.length.tolist())]


class FieldArrows(NamedTuple):
    """−∇f on an n×n grid (flattened, row-major from the bottom-left): arrow tails'
    centres x, y; arrow vectors u, v (data units, direction exactly −∇f, length on the
    readable scale of ``field_arrows``); magnitude = |∇f|."""

    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    magnitude: np.ndarray


# ----------------------------------------------------------------------------- validation

def _number(name: str, value, rule: str, ok) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"Invalid {name}={check.show(value)}: must be a finite number {rule}")
    try:
        v = float(value)
    except (OverflowError, ValueError):
        raise ValueError(f"Invalid {name}={check.show(value)}: must be a finite number {rule}") from None
    if not math.isfinite(v) or not ok(v):
        raise ValueError(f"Invalid {name}={check.show(value)}: must be a finite number {rule}")
    return v


def _positive(name, value):
    return _number(name, value, "> 0", lambda v: v > 0)


def _non_negative(name, value):
    return _number(name, value, ">= 0", lambda v: v >= 0)


def _iterations(value) -> int:
    return check.integer("max_iterations", value, 1, MAX_ITERATIONS_LIMIT)


def _tolerances(rtol, atol, gtol, xtol, max_iterations):
    rtol = _number("rtol", rtol, f">= {RTOL_MIN:g}", lambda v: v >= RTOL_MIN)
    return rtol, _positive("atol", atol), _non_negative("gtol", gtol), _non_negative("xtol", xtol), \
        _iterations(max_iterations)


_PAIR_FIELDS = ("positions", "starts", "grad", "anchor")


def _check_state(state) -> FlowState:
    if not isinstance(state, FlowState):
        raise ValueError(f"Invalid state of type {type(state).__name__}: must be a FlowState from flow.init")
    n = np.shape(state.positions)[0] if np.ndim(state.positions) == 2 else -1
    for name, value in zip(FlowState._fields, state):
        if value is None and name not in FlowState._fields[:5]:
            continue
        shape = (n, 2) if name in _PAIR_FIELDS else (n,)
        if not (isinstance(value, np.ndarray) and value.dtype.kind in "biuf" and value.shape == shape):
            raise ValueError(f"Invalid state: its field {name}={check.show(value)} must be an array of shape "
                             f"(n, 2) for positions, starts, grad and anchor, else (n,); build states with flow.init")
    return state


# ----------------------------------------------------------------------------- the state

def _grad(landscape, x: np.ndarray) -> np.ndarray:
    g = np.empty_like(x)
    if len(x):
        gx, gy = landscape.grad(x[:, 0], x[:, 1])
        g[:, 0], g[:, 1] = gx, gy
    return g


def init(landscape, starts, h0: float | None = None) -> FlowState:
    """Particles at ``starts`` at time 0, flowing. The first trial step in flow time is
    ``h0`` or 1e-3·span/|∇f| (at most 1); in screen time 1/100 s."""
    landscape = check.landscape(landscape)
    x = as_starts(starts)
    n = len(x)
    if h0 is not None:
        h0 = _positive("h0", h0)
    with np.errstate(all="ignore"):
        g = _grad(landscape, x)
        speed = np.hypot(g[:, 0], g[:, 1])
        h = np.full(n, h0) if h0 else np.minimum(1e-3 * landscape.span / np.maximum(speed, 1e-12), 1.0)
    diverged = ~np.isfinite(speed)
    status = np.where(diverged, DIVERGED, FLOWING).astype(np.int8)
    return FlowState(x, np.zeros(n), h, np.zeros(n, bool), diverged, status, np.zeros(n),
                     np.full(n, 0.01), x.copy(), g, x.copy(), np.zeros(n), np.zeros(n, bool), np.zeros(n))


def _complete(landscape, state: FlowState) -> FlowState:
    """Fill the fields a FlowState built by hand with only the first five may lack."""
    if all(f is not None for f in state):
        return state
    x = np.asarray(state.positions, dtype=float)
    n = len(x)
    at_rest, diverged = np.asarray(state.at_rest, bool), np.asarray(state.diverged, bool)
    fill = {
        "status": lambda: np.where(diverged, DIVERGED, np.where(at_rest, AT_REST, FLOWING)).astype(np.int8),
        "screen_time": lambda: np.zeros(n), "h_screen": lambda: np.full(n, 0.01),
        "starts": lambda: x.copy(), "anchor": lambda: x.copy(), "anchor_time": lambda: np.zeros(n),
        "stiff": lambda: np.zeros(n, bool), "age": lambda: np.zeros(n),
    }
    with np.errstate(all="ignore"):
        fill["grad"] = lambda: _grad(landscape, x)
        return state._replace(**{k: fill[k]() for k in fill if getattr(state, k) is None})


def concatenate(a: FlowState, b: FlowState) -> FlowState:
    """The particles of ``a`` followed by those of ``b``."""
    return FlowState(*(np.concatenate([p, q]) for p, q in zip(a, b)))


# ----------------------------------------------------------------------------- the clock scale

_SCALES: dict = {}


def _eigen(a, b, c):
    """Eigenvalues (smaller, larger) of the symmetric 2×2 matrices [[a, b], [b, c]]."""
    m, r = 0.5 * (a + c), np.hypot(0.5 * (a - c), b)
    return m - r, m + r


def gradient_scale(landscape) -> float:
    """g₀ of the screen clock: ``EASE_SPANS``·span·λ̃, λ̃ the median over the landscape's
    listed minima of the Hessian's smaller eigenvalue there (where the Hessian is not
    finite, as at Ackley's cusp, the median over eight points 1 % of the span around the
    minimum). Without usable minima: ``EASE_SPANS`` × the median |∇f| over a 32×32 grid of
    the view (which sets g₀ to the typical slope's 5 %). Cached per landscape."""
    landscape = check.landscape(landscape)
    key = id(landscape)
    cached = _SCALES.get(key)
    if cached is not None and cached[0] is landscape:
        return cached[1]
    span = landscape.span
    lams = []
    with np.errstate(all="ignore"):
        for m in landscape.minima:
            lo, _ = _eigen(*(np.asarray(v, float) for v in landscape.hessian(np.array([m.x]), np.array([m.y]))))
            if not np.isfinite(lo).all():
                ang = np.arange(8) * (np.pi / 4)
                r = 0.01 * span
                lo, _ = _eigen(*landscape.hessian(m.x + r * np.cos(ang), m.y + r * np.sin(ang)))
            lo = np.asarray(lo, float)
            lo = lo[np.isfinite(lo) & (lo > 0)]
            if lo.size:
                lams.append(float(np.median(lo)))
        g0 = EASE_SPANS * span * float(np.median(lams)) if lams else 0.0
        if not (math.isfinite(g0) and g0 > 0):
            xmin, xmax, ymin, ymax = landscape.domain
            xs = xmin + (np.arange(32) + 0.5) * (xmax - xmin) / 32
            ys = ymin + (np.arange(32) + 0.5) * (ymax - ymin) / 32
            gx, gy = landscape.grad(*np.meshgrid(xs, ys))
            mag = np.hypot(gx, gy)
            mag = mag[np.isfinite(mag)]
            g0 = EASE_SPANS * float(np.median(mag)) if mag.size else 0.0
        if not (math.isfinite(g0) and g0 > 0):
            g0 = 1.0
    if len(_SCALES) > 64:
        _SCALES.clear()
    _SCALES[key] = (landscape, g0)
    return g0


# ----------------------------------------------------------------------------- the integrator

def _near_minimum(landscape, x, xtol_abs):
    near = np.zeros(len(x), bool)
    for m in landscape.minima:
        near |= (x[:, 0] - m.x) ** 2 + (x[:, 1] - m.y) ** 2 <= xtol_abs * xtol_abs
    return near


def _dopri(grad, field, x, g, h):
    """One Dormand–Prince step of size h (per particle) from x with gradient g there:
    the fifth-order solution, its gradient, the flow-time increment (screen clock) and
    the error vector x⁵ − x⁴."""
    f1, k1 = field(g)
    K, dts = [f1], [k1]
    hc = h[:, None]
    # Elementwise sums (not BLAS): a particle's numbers never depend on its neighbours.
    for i in range(1, 7):
        acc = None
        for a, kj in zip(_A[i], K):
            if a:
                acc = a * kj if acc is None else acc + a * kj
        xi = x + hc * acc
        gi = grad(xi)
        fi, ki = field(gi)
        K.append(fi)
        dts.append(ki)
    err = hc * sum(e * kj for e, kj in zip(_E, K) if e)
    dt = h * sum(b * kj for b, kj in zip(_B5, dts) if b) if k1 is not None else h
    return xi, gi, dt, err


_GAMMA = 1.0 + 1.0 / math.sqrt(2.0)


def _ros2(grad, field, hess, x, g, h, kscale):
    """One step of the L-stable Rosenbrock method ROS2 (Verwer et al. 1999) for stiff
    spots, where Dormand–Prince would be held to tiny steps by its stability limit:
    W = I + γ·h·k·H₊ (H₊ the Hessian with negative eigenvalues lifted to 0, k = dt/dσ),
    k₁ = W⁻¹F(x), k₂ = W⁻¹(F(x + h·k₁) − 2k₁), x₁ = x + h(3k₁ + k₂)/2; the error is
    h(k₁ + k₂)/2 (against the embedded first-order x + h·k₁)."""
    a, b, c = hess(x)
    lo, _ = _eigen(a, b, c)
    lift = np.where(np.isfinite(lo) & (lo < 0), -lo, 0.0)
    s = _GAMMA * h * kscale
    a, c, b = 1.0 + s * (a + lift), 1.0 + s * (c + lift), s * b
    det = a * c - b * b

    def solve(r):
        return np.stack([(c * r[:, 0] - b * r[:, 1]) / det, (a * r[:, 1] - b * r[:, 0]) / det], axis=1)

    f1, kk1 = field(g)
    k1 = solve(f1)
    hc = h[:, None]
    g2 = grad(x + hc * k1)
    f2, kk2 = field(g2)
    k2 = solve(f2 - 2.0 * k1)
    x1 = x + hc * (1.5 * k1 + 0.5 * k2)
    g1 = grad(x1)
    dt = h * (1.5 * kk1 + 0.5 * (kk2 - 2.0 * kk1)) if kk1 is not None else h
    return x1, g1, dt, 0.5 * hc * (k1 + k2)


def _integrate(landscape, state: FlowState, dclock, *, screen, v=1.0, g0=1.0, limit=math.inf,
               rtol, atol, gtol, xtol, max_iterations, ros_atol=None, on_step=None) -> FlowState:
    """Advance every flowing particle's clock (t, or the screen time) by ``dclock``.
    ``on_step(x)``, if given, sees the positions (n, 2) after every iteration that moved
    some particle (read only: it must not change them)."""
    state = _complete(landscape, state)
    x, t = state.positions.astype(float, copy=True), state.t.astype(float, copy=True)
    g, status = state.grad.astype(float, copy=True), state.status.astype(np.int8, copy=True)
    tau = state.screen_time.astype(float, copy=True)
    h = (state.h_screen if screen else state.h).astype(float, copy=True)
    anchor, anchor_time = state.anchor.astype(float, copy=True), state.anchor_time.astype(float, copy=True)
    stiff = state.stiff.astype(bool, copy=True)
    age = state.age.astype(float, copy=True)
    clock = tau if screen else t
    target = np.minimum(clock + dclock, limit) if not screen else clock + dclock
    if screen:
        age[status == FLOWING] += dclock
    span = landscape.span
    xtol_abs = xtol * span
    cx, cy = landscape.center
    escape2 = (ESCAPE_SPANS * span) ** 2
    ros_atol = atol if ros_atol is None else max(atol, ros_atol)
    grad_xy = getattr(landscape, "grad_xy", None)
    hess_xy = getattr(landscape, "hessian_xy", None)

    def grad(p):
        gx, gy = grad_xy(p[:, 0], p[:, 1]) if grad_xy else landscape.grad(p[:, 0], p[:, 1])
        out = np.empty_like(p)
        out[:, 0], out[:, 1] = gx, gy
        return out

    def hess(p):
        m = len(p)
        abc = hess_xy(p[:, 0], p[:, 1]) if hess_xy else landscape.hessian(p[:, 0], p[:, 1])
        return tuple(np.broadcast_to(np.asarray(e, float), (m,)) for e in abc)

    def kfun(gs):
        return v / np.hypot(np.hypot(gs[:, 0], gs[:, 1]), g0)

    def field(gs):
        """The velocity for gradients gs (m, 2), and dt/dσ (screen clock)."""
        if not screen:
            return -gs, None
        k = kfun(gs)
        return -k[:, None] * gs, k

    with np.errstate(all="ignore"):
        for _ in range(max_iterations):
            active = np.flatnonzero((status == FLOWING) & (clock < target))
            if active.size == 0:
                break
            st = stiff[active]
            active = np.concatenate([active[~st], active[st]])
            n_dp = int((~st).sum())
            xa, ga, ca = x[active], g[active], clock[active]
            remaining = target[active] - ca
            clipped = h[active] > remaining
            ha = np.where(clipped, remaining, h[active])
            parts = []
            if n_dp:
                parts.append(_dopri(grad, field, xa[:n_dp], ga[:n_dp], ha[:n_dp]))
            if n_dp < len(active):
                ks = kfun(ga[n_dp:]) if screen else 1.0
                parts.append(_ros2(grad, field, hess, xa[n_dp:], ga[n_dp:], ha[n_dp:], ks))
            x5, g5, dt, err_vec = (np.concatenate(q) if len(parts) > 1 else q[0] for q in zip(*parts))
            tol_abs = np.full(len(active), atol)
            tol_abs[n_dp:] = ros_atol
            scale = tol_abs[:, None] + rtol * np.maximum(np.abs(xa), np.abs(x5))
            err = np.max(np.abs(err_vec) / scale, axis=1)
            off = x5 - (cx, cy)
            bad = ~np.isfinite(x5).all(axis=1) | ~np.isfinite(g5).all(axis=1) | ~np.isfinite(dt)
            bad |= (off[:, 0] ** 2 + off[:, 1] ** 2) > escape2
            ok = (err <= 1.0) & ~bad
            expo = np.full(len(active), -0.2)
            expo[n_dp:] = -0.5
            factor = np.clip(0.9 * np.where(err > 0, err, 1e-10) ** expo, 0.2, 5.0)
            h_next = np.where(ok & clipped, h[active], np.maximum(ha * factor, 1e-300))
            h_next = np.where(bad, ha * 0.2, h_next)
            h[active] = h_next
            # A step that stays non-finite or escapes however short it is: diverged.
            dead = active[bad & (ha * 0.2 <= 1e-12 * np.maximum(np.abs(ca), 1.0))]
            status[dead] = DIVERGED
            idx = active[ok]
            if idx.size == 0:
                continue
            x[idx], g[idx] = x5[ok], g5[ok]
            if on_step is not None:
                on_step(x)
            clock[idx] = ca[ok] + ha[ok]
            if screen:
                t[idx] += dt[ok]
            # Rest tests on the particles that moved.
            xs, gs = x[idx], g[idx]
            speed = np.hypot(gs[:, 0], gs[:, 1])
            a, b, c = hess(xs)
            det = a * c - b * b
            newton = np.hypot(c * gs[:, 0] - b * gs[:, 1], a * gs[:, 1] - b * gs[:, 0]) / det
            lo, hi = _eigen(a, b, c)
            not_saddle = ~(lo < -1e-6 * np.abs(hi))  # NaN (undefined curvature) does not block rest
            fs, ks = field(gs)
            # ROS2 is never held back by stiffness, so on the screen clock a short ROS2
            # step already means a kink; Dormand–Prince steps must be far shorter.
            stall = np.where(stiff[idx], STALL_ROS, STALL) if screen else STALL
            stalled = h_next[ok] * np.hypot(fs[:, 0], fs[:, 1]) <= stall * xtol_abs
            rest = (speed <= gtol) | ((a > 0) & (det > 0) & (newton <= xtol_abs))
            rest |= _near_minimum(landscape, xs, xtol_abs) | (stalled & not_saddle)
            if screen:
                xmin, xmax, ymin, ymax = landscape.domain
                margin = VIEW_MARGIN_SPANS * span
                out = (xs[:, 0] < xmin - margin) | (xs[:, 0] > xmax + margin) | \
                      (xs[:, 1] < ymin - margin) | (xs[:, 1] > ymax + margin)
                status[idx[out]] = LEFT_VIEW
                window = clock[idx] - anchor_time[idx] >= REST_WINDOW
                moved = np.hypot(*(xs - anchor[idx]).T)
                rest |= window & (moved <= xtol_abs) & not_saddle
                renew = idx[window]
                anchor[renew], anchor_time[renew] = x[renew], clock[renew]
            status[idx[rest & (status[idx] == FLOWING)]] = AT_REST
            # Stiffness: h·k·λ_max past Dormand–Prince's stability limit (≈ 3.3 on the
            # negative axis) hands the particle to ROS2; it returns below 1.
            rho = h_next[ok] * (ks if screen else 1.0) * np.abs(hi)
            was = stiff[idx]
            stiff[idx] = np.where(was, ~(rho < 1.0), rho > 2.5) & np.isfinite(rho)
        if screen:
            status[(status == FLOWING) & (age >= limit)] = STOPPED

    if screen:
        h_flow, h_screen, tau = state.h, h, clock
    else:
        h_flow, h_screen, t = h, state.h_screen, clock
    return FlowState(x, t, h_flow, status == AT_REST, (status == DIVERGED) | (status == LEFT_VIEW), status, tau, h_screen,
                     state.starts, g, anchor, anchor_time, stiff, age)


# ----------------------------------------------------------------------------- public API

def advance(landscape, state: FlowState, dt: float, *, rtol: float = 1e-6, atol: float = 1e-9,
            gtol: float = 1e-8, xtol: float = 1e-6, max_iterations: int = 1000) -> FlowState:
    """Integrate every flowing particle forward by ``dt`` in flow time (or until it rests).

    At most ``max_iterations`` vectorised integrator steps are taken; a particle that
    needs more simply lags behind (its own ``t`` says how far it got). Tolerances: see
    the module docstring; ``xtol`` is in spans of the view."""
    landscape = check.landscape(landscape)
    state = _check_state(state)
    dt = _non_negative("dt", dt)
    rtol, atol, gtol, xtol, max_iterations = _tolerances(rtol, atol, gtol, xtol, max_iterations)
    return _integrate(landscape, state, dt, screen=False, rtol=rtol, atol=atol, gtol=gtol, xtol=xtol,
                      max_iterations=max_iterations)


def advance_screen(landscape, state: FlowState, seconds: float, *, speed: float = 1.0,
                   gradient_scale: float | None = None, limit: float = SCREEN_LIMIT,
                   rtol: float = SCREEN_RTOL, atol: float | None = None, gtol: float = 0.0,
                   xtol: float = REST_SPANS, max_iterations: int = FRAME_ITERATIONS) -> FlowState:
    """Move every flowing particle along its gradient-flow path for ``seconds`` of screen
    time at a pace a person can follow (the page's clock; see the module docstring).

    ``speed`` multiplies the pace (2: twice as fast); ``screen_time`` counts seconds at
    speed 1, so ``limit`` (when a still-moving particle is STOPPED) and the rest window
    do not depend on it. ``gradient_scale`` overrides g₀. ``atol`` defaults to
    ``SCREEN_ATOL_SPANS``·span; ``xtol`` (in spans) is the rest distance, by default
    ``REST_SPANS``. At most ``max_iterations`` vectorised steps per call (8 by default:
    a few milliseconds for 1,000 particles), so a particle in a stiff spot lags a little.
    The flow time t of each particle is integrated alongside."""
    landscape = check.landscape(landscape)
    state = _check_state(state)
    seconds = _non_negative("seconds", seconds)
    speed = _positive("speed", speed)
    limit = _positive("limit", limit)
    g0 = globals()["gradient_scale"](landscape) if gradient_scale is None else \
        _positive("gradient_scale", gradient_scale)
    if atol is None:
        atol = SCREEN_ATOL_SPANS * landscape.span
    rtol, atol, gtol, xtol, max_iterations = _tolerances(rtol, atol, gtol, xtol, max_iterations)
    v = landscape.span / SECONDS_PER_SPAN
    return _integrate(landscape, state, seconds * speed, screen=True, v=v, g0=g0, limit=limit,
                      rtol=rtol, atol=atol, gtol=gtol, xtol=xtol, max_iterations=max_iterations,
                      ros_atol=ROS_ATOL_SPANS * landscape.span)


def gradient_flow(landscape, starts, t_max: float = 1e3, *, rtol: float = 1e-6, atol: float = 1e-9,
                  gtol: float = 1e-8, xtol: float = 1e-6, max_iterations: int = 20_000) -> FlowResult:
    """Follow dx/dt = −∇f(x) from each start until it rests, diverges, or t reaches
    ``t_max`` (then its status is STOPPED; likewise when ``max_iterations`` vectorised
    steps ran out first, with t < t_max)."""
    return _flow_to_the_end(landscape, starts, t_max, None, rtol=rtol, atol=atol, gtol=gtol, xtol=xtol,
                            max_iterations=max_iterations)[1]


def _flow_to_the_end(landscape, starts, t_max, watch, *, rtol, atol, gtol, xtol,
                     max_iterations) -> tuple[FlowState, FlowResult]:
    """``gradient_flow``'s run: its arguments checked, then the particles at ``starts``
    flowed; ``watch(n)``, if given, makes the ``on_step`` that watches the n particles.
    Returns the initial state and the result."""
    landscape = check.landscape(landscape)
    t_max = _positive("t_max", t_max)
    rtol, atol, gtol, xtol, max_iterations = _tolerances(rtol, atol, gtol, xtol, max_iterations)
    start = init(landscape, starts)
    on_step = None if watch is None else watch(len(start.positions))
    state = _integrate(landscape, start, t_max, screen=False, rtol=rtol, atol=atol,
                       gtol=gtol, xtol=xtol, max_iterations=max_iterations, on_step=on_step)
    status = np.where(state.status == FLOWING, STOPPED, state.status).astype(np.int8)
    with np.errstate(all="ignore"):
        loss = np.asarray(landscape.f_xy(state.positions[:, 0], state.positions[:, 1]), dtype=float)
    return start, FlowResult(state.positions, loss, status == AT_REST, status == DIVERGED, state.t, status)


class _Recorder:
    """Keeps the positions after every ``stride``-th call, at most 2·``points`` of them:
    when full, every other one is dropped and the stride doubles (so the kept ones stay
    evenly spaced in integrator iterations)."""

    def __init__(self, n: int, points: int) -> None:
        self.kept = np.empty((2 * points, n, 2))
        self.count, self.size, self.stride = 0, 0, 1

    def __call__(self, x: np.ndarray) -> None:
        self.count += 1
        if self.count % self.stride:
            return
        if self.size == len(self.kept):
            half = self.kept[1::2].copy()  # the calls at multiples of 2·stride
            self.kept[:len(half)], self.size, self.stride = half, len(half), 2 * self.stride
            if self.count % self.stride:
                return
        self.kept[self.size] = x
        self.size += 1


def gradient_flow_paths(landscape, starts, t_max: float = 1e3, *, points: int = PATH_POINTS,
                        rtol: float = 1e-6, atol: float = 1e-9, gtol: float = 1e-8, xtol: float = 1e-6,
                        max_iterations: int = 20_000) -> FlowPaths:
    """``gradient_flow`` with each particle's curve kept for drawing: the start, the
    positions after every k-th integrator iteration (k a power of two, chosen so that at
    most 2·``points`` are kept) and the end. The run is ``gradient_flow``'s, only watched,
    so ``end`` is exactly what ``gradient_flow`` returns for the same arguments."""
    points = check.integer("points", points, 2, MAX_PATH_POINTS)
    recorders = []

    def watch(n):
        recorders.append(_Recorder(n, points))
        return recorders[0]

    start, end = _flow_to_the_end(landscape, starts, t_max, watch, rtol=rtol, atol=atol, gtol=gtol, xtol=xtol,
                                  max_iterations=max_iterations)
    kept = recorders[0].kept[:recorders[0].size]
    path = np.concatenate([start.positions[None], kept, end.positions[None]])
    moved = (path[1:] != path[:-1]).any(axis=2)  # (m − 1, n): row i + 1 differs from row i
    last = np.where(moved.any(axis=0), len(moved) - np.argmax(moved[::-1], axis=0), 0)
    return FlowPaths(path, (last + 1).astype(np.intp), end)


ARROW_CLIP = 20.0   # |∇f| ≥ 20× the view's median draws a full-length arrow
ARROW_FILL = 0.9    # a full-length arrow spans 90 % of a grid cell
ARROW_MIN = 0.15    # the shortest drawn arrow (a nonzero gradient), as a fraction of full


def field_arrows(landscape, n: int = 20) -> FieldArrows:
    """−∇f as arrows on an n×n grid of cell centres over ``landscape.domain``.

    Direction exactly −∇f. Length on a log scale so that both the walls and the floor
    read: with m = |∇f| and m̃ its median over the grid,
    s = clip(log1p(m/m̃) / log1p(``ARROW_CLIP``), ``ARROW_MIN``, 1) (0 where m = 0) and
    length = s·``ARROW_FILL``·(the cell's smaller side): the median slope draws about a
    quarter of a full arrow, 20× the median or more a full one. Where ∇f is not finite
    the arrow has length 0 and magnitude inf. The page may take length/full-length as
    opacity too."""
    landscape = check.landscape(landscape)
    if isinstance(n, bool):
        raise ValueError(f"Invalid n={check.show(n)}: must be an integer in [1, 200]")
    try:
        n = operator.index(n)
    except TypeError:
        raise ValueError(f"Invalid n={check.show(n)}: must be an integer in [1, 200]") from None
    if not 1 <= n <= 200:
        raise ValueError(f"Invalid n={check.show(n)}: must be an integer in [1, 200]")
    xmin, xmax, ymin, ymax = landscape.domain
    dx, dy = (xmax - xmin) / n, (ymax - ymin) / n
    X, Y = np.meshgrid(xmin + (np.arange(n) + 0.5) * dx, ymin + (np.arange(n) + 0.5) * dy)
    x, y = X.ravel(), Y.ravel()
    with np.errstate(all="ignore"):
        gx, gy = landscape.grad(x, y)
        gx, gy = np.asarray(gx, float), np.asarray(gy, float)
        mag = np.hypot(gx, gy)
        finite = np.isfinite(mag)
        typical = np.median(mag[finite & (mag > 0)]) if (finite & (mag > 0)).any() else 1.0
        s = np.clip(np.log1p(mag / typical) / np.log1p(ARROW_CLIP), ARROW_MIN, 1.0)
        s = np.where(finite & (mag > 0), s, 0.0)
        length = s * ARROW_FILL * min(dx, dy)
        unit = np.where(finite & (mag > 0), length / np.where(mag > 0, mag, 1.0), 0.0)
        u, v = -gx * unit, -gy * unit
    u, v = np.where(finite, u, 0.0), np.where(finite, v, 0.0)
    return FieldArrows(x, y, u, v, np.where(finite, mag, np.inf))
