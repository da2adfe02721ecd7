"""Running an optimizer on a landscape: many particles, explicit state, divergence handling.

A run is a ``RunState`` advanced by ``step``; nothing is hidden in globals, so a caller
(the page, a notebook, a test) can step, pause, copy and reset freely.

Divergence: after each update a particle whose new position is non-finite, whose loss
there is non-finite, or that has left the disc of radius ``ESCAPE_SPANS × span`` around
the view's centre is frozen at its last finite position and marked ``DIVERGED`` for good.

Gradient noise (the mini-batch noise of stochastic gradient descent): a run started with
``init(..., noise=σ, seed=s)`` has its own generator ``rng = np.random.default_rng(s)``,
and at every step every gradient method sees

    g = ∇f(θ) + σ·ξ,    ξ = rng.standard_normal((n, 2))   (one draw per step, ξ ~ N(0, I))

in place of ∇f(θ), for every particle, diverged or not (so the sequence of draws depends
on the step count only). Runs with the same seed draw the same sequence: the page's balls
all see the same noise (common random numbers), and ``optimizers.simulate(..., noise=σ,
seed=s)`` reproduces a ball exactly. Simulated annealing ignores gradients, so noise
does not change it. σ = 0 (the default) draws nothing: exactly the noiseless run.
σ is in gradient units (the units of ∇f) and at most ``MAX_NOISE``; the seed is an
integer in [0, ``MAX_SEED``].

The generator is the run's stream: each step advances it in place and hands it on to the
next state, so step a noisy state once (to branch a noisy run, ``copy.deepcopy`` the
state first). Noiseless states hold no generator and are plain values.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .rules import Optimizer
from . import validation as check
from .validation import MAX_STARTS, show

RUNNING, CONVERGED, DIVERGED = 0, 1, 2
STATUS_NAMES = ("running", "converged", "diverged")
ESCAPE_SPANS = 1e3
CONVERGED_STEP = 1e-7  # a step shorter than this many spans counts as converged
MAX_NOISE = 100.0  # largest gradient noise σ, in gradient units: the typical |∇f| of the steepest views
MAX_SEED = 2**63 - 1


class RunState(NamedTuple):
    """Where every particle is after ``steps`` updates.

    positions (n, 2); loss (n,) = f(positions); best_loss (n,) = min over the run so far;
    status (n,) int8 in {RUNNING, CONVERGED, DIVERGED}; opt_state is the optimizer's own;
    noise σ ≥ 0 and rng (the run's generator, None when σ = 0): see the module docstring.
    """

    steps: int
    positions: np.ndarray
    loss: np.ndarray
    best_loss: np.ndarray
    status: np.ndarray
    opt_state: NamedTuple
    noise: float = 0.0
    rng: np.random.Generator | None = None


def noise_level(value) -> float:
    """Gradient noise σ: a finite number in [0, ``MAX_NOISE``] (gradient units), else a
    ValueError naming ``noise`` and echoing the value."""
    v = check.non_negative("noise", value) + 0.0  # −0.0 is 0.0
    if v > MAX_NOISE:
        raise ValueError(f"Invalid noise={show(value)}: must be a finite number in [0, {MAX_NOISE:g}] "
                         f"(gradient units)")
    return v


def noise_seed(value) -> int:
    """The noise generator's seed: an integer in [0, ``MAX_SEED``] (bools and floats refused)."""
    return check.integer("seed", value, 0, MAX_SEED)


def as_starts(starts) -> np.ndarray:
    """Validate start points: an array-like of shape (n, 2) (or (2,)) of finite real numbers,
    at most ``validation.MAX_STARTS`` of them. Refused: None, bools, strings, complex
    numbers and other non-real entries, masked arrays (their mask would be ignored: fill or
    compress them first), ragged nesting, other shapes, non-finite coordinates: each with a
    ValueError naming ``start`` and echoing it."""
    if isinstance(starts, np.ma.MaskedArray):
        raise ValueError(f"Invalid start={show(starts)}: masked arrays are not accepted "
                        f"(their mask would be ignored; fill or compress them first)")
    if starts is None or isinstance(starts, (str, bytes, dict, set, bool, np.bool_)):
        raise ValueError(f"Invalid start={show(starts)}: must be finite (x, y) pairs")
    if isinstance(starts, np.ndarray) and starts.dtype == np.float64:
        arr = starts.copy()
    else:
        try:
            raw = np.asarray(starts)
        except (TypeError, ValueError, OverflowError, RecursionError, MemoryError):
            raise ValueError(f"Invalid start={show(starts)}: must be finite (x, y) pairs") from None
        if raw.dtype.kind not in "iuf":
            raise ValueError(f"Invalid start={show(starts)}: must be finite (x, y) pairs of real numbers")
        arr = raw.astype(float)
    if arr.shape == (2,):
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"Invalid start of shape {arr.shape}: must be (x, y) or an (n, 2) array")
    if len(arr) > MAX_STARTS:
        raise ValueError(f"Invalid start of shape {arr.shape}: at most {MAX_STARTS:,} particles")
    with np.errstate(all="ignore"):
        finite = np.isfinite(arr).all(axis=1)
    if not finite.all():
        bad = arr[~finite][0]
        raise ValueError(f"Invalid start={show(tuple(bad.tolist()))}: coordinates must be finite")
    return arr


def init(optimizer: Optimizer, landscape, starts, *, noise=0.0, seed=0) -> RunState:
    """A fresh run with every particle at its start point; with ``noise`` σ > 0 every
    gradient method sees ∇f + σ·ξ, ξ drawn from ``np.random.default_rng(seed)`` (see the
    module docstring). σ and the seed are validated (``noise_level``, ``noise_seed``)."""
    noise, seed = noise_level(noise), noise_seed(seed)
    positions = as_starts(starts)
    with np.errstate(all="ignore"):
        loss = np.asarray(landscape.f_xy(positions[:, 0], positions[:, 1]), dtype=float)
    status = np.where(np.isfinite(loss), RUNNING, DIVERGED).astype(np.int8)
    rng = np.random.default_rng(seed) if noise > 0 else None
    return RunState(0, positions, loss, loss.copy(), status, optimizer.init(positions), noise, rng)


def step(optimizer: Optimizer, landscape, run: RunState) -> RunState:
    """One optimizer update for every particle that has not diverged."""
    return step_many([optimizer], landscape, [run])[0]


def _update(opt: Optimizer, landscape, p, grads, state):
    if opt.update_on is None:
        return opt.update(p, grads, state)
    return opt.update_on(landscape, p, grads, state)


def _finished(opt: Optimizer, state) -> bool:
    """An escape method is done only when its schedule is: random restarts after its last
    descent (it then rests on the best end point); simulated annealing never (a rejected
    proposal leaves it in place, but the next one may move it)."""
    n = opt.hyperparameters.get("n_restarts")
    return n is not None and int(np.max(getattr(state, "restart", 0))) >= n


def _add_noise(grads: np.ndarray, runs: list[RunState]) -> None:
    """g ← ∇f + σ·ξ in place for each run with σ > 0 (one draw of its generator per step)."""
    i = 0
    for r in runs:
        j = i + len(r.positions)
        if r.noise:
            if r.rng is None:
                raise ValueError(f"Invalid run state: noise={show(r.noise)} but no generator; "
                                 f"start noisy runs with run.init(..., noise=, seed=)")
            grads[i:j] += r.noise * r.rng.standard_normal((j - i, 2))
        i = j


def step_many(optimizers: list[Optimizer], landscape, runs: list[RunState]) -> list[RunState]:
    """One update of several runs on one landscape (the page's balls), sharing one
    gradient and one loss evaluation over all their particles. Rows never interact, so
    each run gets exactly the numbers ``step`` alone would give it. A run with noise σ > 0
    sees ∇f + σ·ξ from its own generator (module docstring)."""
    single = len(runs) == 1
    p = runs[0].positions if single else np.concatenate([r.positions for r in runs])
    with np.errstate(all="ignore"):
        gx, gy = landscape.grad_xy(p[:, 0], p[:, 1])
        grads = np.empty_like(p)
        grads[:, 0], grads[:, 1] = gx, gy
        if any(r.noise for r in runs):
            _add_noise(grads, runs)
        if single:
            new_p, state = _update(optimizers[0], landscape, p, grads, runs[0].opt_state)
            opt_states, bounds = [state], [(0, len(p))]
        else:
            new_p, opt_states, bounds = np.empty_like(p), [], []
            i = 0
            for opt, run in zip(optimizers, runs):
                j = i + len(run.positions)
                new_p[i:j], state = _update(opt, landscape, p[i:j], grads[i:j], run.opt_state)
                opt_states.append(state)
                bounds.append((i, j))
                i = j
        loss = landscape.f_xy(new_p[:, 0], new_p[:, 1])
        offset = new_p - landscape.center
        offset *= offset
        moved = new_p - p
        moved *= moved
    span2 = landscape.span**2
    # A non-finite position makes f non-finite, and NaN fails every comparison.
    ok = np.isfinite(loss) & (offset[:, 0] + offset[:, 1] <= ESCAPE_SPANS**2 * span2)
    status = (moved[:, 0] + moved[:, 1] <= CONVERGED_STEP**2 * span2).view(np.int8) * np.int8(CONVERGED)
    for opt, st, (i, j) in zip(optimizers, opt_states, bounds):
        if opt.update_on is not None and not opt.deterministic:
            # an escape method's zero move may be a rejected proposal (Newton's is a rest)
            status[i:j] = CONVERGED if _finished(opt, st) else RUNNING
    previously = runs[0].status if single else np.concatenate([r.status for r in runs])
    diverged = ~ok | (previously == DIVERGED)
    if diverged.any():  # rare: freeze those particles where they were
        prev_loss = runs[0].loss if single else np.concatenate([r.loss for r in runs])
        new_p[diverged], loss[diverged], status[diverged] = p[diverged], prev_loss[diverged], DIVERGED
    best = np.minimum(runs[0].best_loss if single else np.concatenate([r.best_loss for r in runs]), loss)
    return [RunState(run.steps + 1, new_p[i:j], loss[i:j], best[i:j], status[i:j], st, run.noise, run.rng)
            for run, st, (i, j) in zip(runs, opt_states, bounds)]
