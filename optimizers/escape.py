"""Escape methods: simulated annealing and random restarts of gradient descent.

Unlike the gradient rules in ``rules``, these need the landscape itself (the loss f for the
Metropolis test, the view window for the restart points), so each ``Optimizer`` carries an
``update_on(landscape, params, grads, state)`` that ``run.step_many`` calls instead of
``update``; the gradient methods' path is untouched.

Randomness is reproducible and pure: the draws of step t come from
``np.random.default_rng((seed, t))``, so a state can be copied and replayed, and a run
with the same seed, starts and landscape always gives the same path. Rows (particles)
draw independent numbers, so a batch of n starts is n independent runs of one stream.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import validation as check
from .rules import Optimizer, rows

Array = np.ndarray


def _rng(seed: int, t: int):
    return np.random.Generator(np.random.PCG64((seed, t)))  # = default_rng((seed, t)), 4× cheaper


def _seed(value) -> int:
    return check.integer("seed", value)


def _count(name: str, value) -> int:
    return check.integer(name, value, minimum=1)


def _no_gradient_update(params, grads, state):
    raise TypeError("this method needs the landscape: step it with optimizers.run.step or step_many")


def _loss(landscape, p: Array) -> Array:
    with np.errstate(all="ignore"):
        f = np.asarray(landscape.f_xy(p[:, 0], p[:, 1]), dtype=float)
    return np.where(np.isfinite(f), f, np.inf)


# --------------------------------------------------------------------------- annealing

class AnnealingState(NamedTuple):
    step: int
    temperature: float
    loss: Array | None  # f at the current points (None before the first step)
    accepted: Array | None  # whether each particle's last proposal was accepted


def annealing(*, T0: float = 4.0, cooling: float = 0.992, step_size: float = 0.7, seed: int = 1) -> Optimizer:
    """Simulated annealing (Kirkpatrick et al. 1983; vectorised). At step t, with temperature T:

        θ' = θ + step_size·z,   z ~ N(0, I)              (a Gaussian proposal)
        Δ  = f(θ') − f(θ)
        θ ← θ'  if Δ < 0 or u < exp(−Δ / max(T, 1e-9)),  u ~ U(0, 1);  else θ stays
        T ← T·cooling                                    (T starts at T0)

    No gradient is used. Defaults are 001's: T0 = 4, cooling = 0.992, step_size = 0.7, seed 1.
    """
    T0 = check.positive("T0", T0)
    cooling = check.unit_interval("cooling", cooling, closed=True)
    if cooling == 0.0:
        raise ValueError(f"Invalid cooling={cooling!r}: must be in (0, 1]")
    step_size = check.positive("step_size", step_size)
    seed = _seed(seed)

    def init(params: Array) -> AnnealingState:
        return AnnealingState(0, T0, None, None)

    def update_on(landscape, params: Array, grads: Array, state: AnnealingState):
        t = state.step + 1
        rng = _rng(seed, t)
        proposal = params + step_size * rng.standard_normal(params.shape)
        u = rng.random(len(params))
        current = _loss(landscape, params) if state.loss is None else state.loss
        new = _loss(landscape, proposal)
        delta = new - current
        with np.errstate(all="ignore"):
            accept = (delta < 0) | (u < np.exp(-delta / max(state.temperature, 1e-9)))
        accept &= np.isfinite(new)
        out = np.where(accept[:, None], proposal, params)
        return out, AnnealingState(t, state.temperature * cooling, np.where(accept, new, current), accept)

    hp = dict(T0=T0, cooling=cooling, step_size=step_size, seed=seed)
    return Optimizer("annealing", hp, init, _no_gradient_update, update_on)


# --------------------------------------------------------------------------- restarts

class RestartsState(NamedTuple):
    step: int
    restart: int  # which descent is running: 0 … n_restarts−1; n_restarts once finished
    start: Array  # where the current descent began (n, 2)
    best: Array  # best end point of the finished descents (n, 2)
    best_loss: Array  # its loss (n,), inf before the first descent ends


def restarts(*, lr: float = 0.2, n_restarts: int = 5, steps_per: int = 80, seed: int = 0) -> Optimizer:
    """Random-restart gradient descent (vectorised).

    ``n_restarts`` descents of ``steps_per`` plain gradient steps θ ← θ − lr·∇f(θ) each:
    the first from the run's start, each later one from a point drawn uniformly from the
    landscape's view window. The best end point (lowest f) is kept.

    The ball's position: during descent r it is that descent's current point (the step
    that begins descent r ≥ 1 draws its start u and shows u − lr·∇f(u), the first step
    from it); at step n_restarts·steps_per, when the last descent ends, the ball moves to
    the best end point of all descents and stays there. ``state.restart`` is the index of
    the running descent (n_restarts once finished), so the page can break the trail
    whenever it changes. Defaults are 001's: lr 0.2, 5 restarts of 80 steps, seed 0.
    """
    lr = check.learning_rate(lr)
    lr_ = rows(lr)
    n_restarts = _count("n_restarts", n_restarts)
    steps_per = _count("steps_per", steps_per)
    seed = _seed(seed)

    def init(params: Array) -> RestartsState:
        n = len(params)
        check.per_particle(lr, params)
        return RestartsState(0, 0, np.array(params, dtype=float), np.array(params, dtype=float),
                             np.full(n, np.inf))

    def update_on(landscape, params: Array, grads: Array, state: RestartsState):
        t = state.step + 1
        if state.restart >= n_restarts:  # finished: rest at the best end point
            return params, state._replace(step=t)
        r, start = state.restart, state.start
        if t > 1 and (t - 1) % steps_per == 0:  # this step begins descent r + 1
            r += 1
            xmin, xmax, ymin, ymax = landscape.domain
            u = _rng(seed, r).random(params.shape)
            start = np.column_stack([xmin + (xmax - xmin) * u[:, 0], ymin + (ymax - ymin) * u[:, 1]])
            gx, gy = landscape.grad_xy(start[:, 0], start[:, 1])
            grads = np.empty_like(start)
            grads[:, 0], grads[:, 1] = gx, gy
            params = start
        new = params - lr_ * grads
        best, best_loss = state.best, state.best_loss
        if t % steps_per == 0:  # descent r ends here
            f = _loss(landscape, new)
            better = f < best_loss
            best = np.where(better[:, None], new, best)
            best_loss = np.where(better, f, best_loss)
            if r == n_restarts - 1:
                return best.copy(), RestartsState(t, n_restarts, start, best, best_loss)
        return new, RestartsState(t, r, start, best, best_loss)

    hp = dict(lr=lr, n_restarts=n_restarts, steps_per=steps_per, seed=seed)
    return Optimizer("restarts", hp, init, _no_gradient_update, update_on)
