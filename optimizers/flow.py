"""Gradient flow  dx/dt = −∇f(x)  for many particles, integrated with adaptive Dormand–Prince 5(4).

Each particle carries its own time t and step size h. One integrator step takes the
fifth-order solution of the Dormand–Prince pair and estimates the local error from the
embedded fourth-order one,

    err = max_i |x⁵ᵢ − x⁴ᵢ| / (atol + rtol·max(|xᵢ|, |x⁵ᵢ|)),

accepting the step when err ≤ 1 and rescaling h ← h·clip(0.9·err^(−1/5), 0.2, 5).
A particle comes to rest when |∇f| ≤ gtol, or when the Hessian H there is positive
definite and the Newton step |H⁻¹∇f| (the distance to the minimum it predicts) is at
most xtol·span. (Near a minimum an explicit method hovers at its error tolerance rather
than creeping closer, so "at rest" must be judged by distance, not by speed alone.)
A particle whose state becomes non-finite, or which leaves the disc of radius
``ESCAPE_SPANS × span`` around the view's centre, is frozen and marked diverged.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .run import ESCAPE_SPANS, as_starts

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


class FlowState(NamedTuple):
    """positions (n, 2); t (n,) flow time reached; h (n,) next step size;
    at_rest (n,) bool; diverged (n,) bool."""

    positions: np.ndarray
    t: np.ndarray
    h: np.ndarray
    at_rest: np.ndarray
    diverged: np.ndarray


class FlowResult(NamedTuple):
    """Where each particle settled: positions (n, 2), loss (n,), at_rest (n,) bool
    (False: still moving when t_max or max_steps ran out), diverged (n,), t (n,)."""

    positions: np.ndarray
    loss: np.ndarray
    at_rest: np.ndarray
    diverged: np.ndarray
    t: np.ndarray


def _velocity(landscape, x: np.ndarray) -> np.ndarray:
    gx, gy = landscape.grad(x[:, 0], x[:, 1])
    return -np.stack([gx, gy], axis=1)


def _speed(landscape, x: np.ndarray) -> np.ndarray:
    gx, gy = landscape.grad(x[:, 0], x[:, 1])
    return np.hypot(gx, gy)


def init(landscape, starts, h0: float | None = None) -> FlowState:
    """Particles at ``starts`` at time 0; the first trial step is 1e-3 span/|∇f| in time."""
    x = as_starts(starts)
    n = len(x)
    with np.errstate(all="ignore"):
        speed = _speed(landscape, x)
    h = np.full(n, h0) if h0 else 1e-3 * landscape.span / np.maximum(speed, 1e-12)
    diverged = ~np.isfinite(speed)
    return FlowState(x, np.zeros(n), np.minimum(h, 1.0), np.zeros(n, bool), diverged)


def _dopri_step(landscape, x, h):
    """One Dormand–Prince step of size h (per particle): the 5th-order solution and the error."""
    k = []
    for i in range(7):
        xi = x
        for a, kj in zip(_A[i], k):
            if a:
                xi = xi + (h * a)[:, None] * kj
        k.append(_velocity(landscape, xi))
    x5 = x + h[:, None] * sum(b * kj for b, kj in zip(_B5, k) if b)
    x4 = x + h[:, None] * sum(b * kj for b, kj in zip(_B4, k) if b)
    return x5, x5 - x4


def _settled(landscape, x, speed, gtol, xtol):
    """At rest: |∇f| ≤ gtol, or the Hessian is positive definite and the Newton step
    |H⁻¹∇f|, the distance to the minimum it predicts, is at most xtol."""
    gx, gy = landscape.grad(x[:, 0], x[:, 1])
    a, b, c = landscape.hessian(x[:, 0], x[:, 1])
    with np.errstate(all="ignore"):
        det = a * c - b * b
        newton = np.hypot(c * gx - b * gy, a * gy - b * gx) / det
    return (speed <= gtol) | ((a > 0) & (det > 0) & (newton <= xtol))


def advance(landscape, state: FlowState, dt: float, *, rtol: float = 1e-6, atol: float = 1e-9,
            gtol: float = 1e-8, xtol: float = 1e-6, max_iterations: int = 1000) -> FlowState:
    """Integrate every moving particle forward by ``dt`` in flow time (or until it rests).

    At most ``max_iterations`` vectorised integrator steps are taken; a particle that
    needs more simply lags behind (its own ``t`` says how far it got).
    """
    x, t, h = state.positions.copy(), state.t.copy(), state.h.copy()
    at_rest, diverged = state.at_rest.copy(), state.diverged.copy()
    target = t + dt
    cx, cy = landscape.center
    escape2 = (ESCAPE_SPANS * landscape.span) ** 2
    for _ in range(max_iterations):
        active = np.flatnonzero(~at_rest & ~diverged & (t < target))
        if active.size == 0:
            break
        remaining = target[active] - t[active]
        xa, ha = x[active], np.minimum(h[active], remaining)
        clipped = h[active] > remaining
        with np.errstate(all="ignore"):
            x5, err_vec = _dopri_step(landscape, xa, ha)
            scale = atol + rtol * np.maximum(np.abs(xa), np.abs(x5))
            err = np.max(np.abs(err_vec) / scale, axis=1)
            speed = _speed(landscape, x5)
        bad = ~np.isfinite(x5).all(axis=1) | ~np.isfinite(speed)
        bad |= ((x5[:, 0] - cx) ** 2 + (x5[:, 1] - cy) ** 2) > escape2
        ok = (err <= 1.0) & ~bad
        idx = active[ok]
        x[idx], t[idx] = x5[ok], t[idx] + ha[ok]
        with np.errstate(all="ignore"):
            factor = np.where(bad, 0.2, np.clip(0.9 * np.where(err > 0, err, 1e-10) ** -0.2, 0.2, 5.0))
        h_next = np.where(ok & clipped, h[active], np.maximum(ha * factor, 1e-14))
        at_rest[idx] = _settled(landscape, x5[ok], speed[ok], gtol, xtol * landscape.span)
        h[active] = h_next
    return FlowState(x, t, h, at_rest, diverged)


def gradient_flow(landscape, starts, t_max: float = 1e3, *, rtol: float = 1e-6, atol: float = 1e-9,
                  gtol: float = 1e-8, xtol: float = 1e-6, max_iterations: int = 100_000) -> FlowResult:
    """Follow dx/dt = −∇f(x) from each start until it rests (|∇f| ≤ gtol) or t reaches t_max."""
    state = advance(landscape, init(landscape, starts), t_max, rtol=rtol, atol=atol, gtol=gtol,
                    xtol=xtol, max_iterations=max_iterations)
    loss = np.asarray(landscape.f(state.positions[:, 0], state.positions[:, 1]), dtype=float)
    return FlowResult(state.positions, loss, state.at_rest, state.diverged, state.t)
