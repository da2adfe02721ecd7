"""Running an optimizer on a landscape: many particles, explicit state, divergence handling.

A run is a ``RunState`` advanced by ``step``; nothing is hidden in globals, so a caller
(the page, a notebook, a test) can step, pause, copy and reset freely.

Divergence: after each update a particle whose new position is non-finite, whose loss
there is non-finite, or that has left the disc of radius ``ESCAPE_SPANS × span`` around
the view's centre is frozen at its last finite position and marked ``DIVERGED`` for good.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .rules import Optimizer
from .validation import MAX_STARTS, show

RUNNING, CONVERGED, DIVERGED = 0, 1, 2
STATUS_NAMES = ("running", "converged", "diverged")
ESCAPE_SPANS = 1e3
CONVERGED_STEP = 1e-7  # a step shorter than this many spans counts as converged


class RunState(NamedTuple):
    """Where every particle is after ``steps`` updates.

    positions (n, 2); loss (n,) = f(positions); best_loss (n,) = min over the run so far;
    status (n,) int8 in {RUNNING, CONVERGED, DIVERGED}; opt_state is the optimizer's own.
    """

    steps: int
    positions: np.ndarray
    loss: np.ndarray
    best_loss: np.ndarray
    status: np.ndarray
    opt_state: NamedTuple


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


def init(optimizer: Optimizer, landscape, starts) -> RunState:
    """A fresh run with every particle at its start point."""
    positions = as_starts(starts)
    with np.errstate(all="ignore"):
        loss = np.asarray(landscape.f_xy(positions[:, 0], positions[:, 1]), dtype=float)
    status = np.where(np.isfinite(loss), RUNNING, DIVERGED).astype(np.int8)
    return RunState(0, positions, loss, loss.copy(), status, optimizer.init(positions))


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


def step_many(optimizers: list[Optimizer], landscape, runs: list[RunState]) -> list[RunState]:
    """One update of several runs on one landscape (the page's six balls), sharing one
    gradient and one loss evaluation over all their particles. Rows never interact, so
    each run gets exactly the numbers ``step`` alone would give it."""
    single = len(runs) == 1
    p = runs[0].positions if single else np.concatenate([r.positions for r in runs])
    with np.errstate(all="ignore"):
        gx, gy = landscape.grad_xy(p[:, 0], p[:, 1])
        grads = np.empty_like(p)
        grads[:, 0], grads[:, 1] = gx, gy
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
        if opt.update_on is not None:  # a stochastic method's zero move is a rejected proposal
            status[i:j] = CONVERGED if _finished(opt, st) else RUNNING
    previously = runs[0].status if single else np.concatenate([r.status for r in runs])
    diverged = ~ok | (previously == DIVERGED)
    if diverged.any():  # rare: freeze those particles where they were
        prev_loss = runs[0].loss if single else np.concatenate([r.loss for r in runs])
        new_p[diverged], loss[diverged], status[diverged] = p[diverged], prev_loss[diverged], DIVERGED
    return [RunState(run.steps + 1, new_p[i:j], loss[i:j], np.minimum(run.best_loss, loss[i:j]), status[i:j], st)
            for run, st, (i, j) in zip(runs, opt_states, bounds)]
