"""The learning-rate sweep: each optimizer at many learning rates, as one vectorised run.

    >>> import optimizers
    >>> result = optimizers.sweep(["sgd", "adam"], "ravine", (-2.0, 4.0), points=16, steps=200)
    >>> result.lrs.shape, [row["key"] for row in result.rows]
    ((16,), ['sgd', 'adam'])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import run
from . import validation as check
from .run import DIVERGED, RUNNING

MAX_POINTS = 1024
GRID = 201  # points per side of the grid whose minimum is the target when no minimum is listed


class SweepResult(NamedTuple):
    """A finished sweep. ``lrs`` (points,) the learning rates, increasing; ``threshold``;
    ``steps`` the steps asked for; ``target`` the loss the threshold is measured from;
    ``rows`` one dict per key, in the order asked (see ``sweep``)."""

    lrs: np.ndarray
    threshold: float
    steps: int
    target: float
    rows: list


def _keys(keys) -> list[str]:
    from . import defaults, names

    if isinstance(keys, str) or not isinstance(keys, (list, tuple)) or not keys:
        raise ValueError(f"Invalid keys={check.show(keys)}: must be a non-empty list of optimizer keys")
    for key in keys:
        if not isinstance(key, str) or key not in names():
            raise check.unknown_name("optimizer", key, names())
        if "lr" not in defaults(key):
            raise ValueError(f"Invalid keys={check.show(keys)}: {key!r} takes no learning rate, "
                             f"so it cannot be swept over one")
    if len(set(keys)) != len(keys):
        raise ValueError(f"Invalid keys={check.show(keys)}: each optimizer at most once")
    return list(keys)


def _lrs(lrs, points, landscape) -> np.ndarray:
    if lrs is None:
        points = check.integer("points", points, minimum=2, maximum=MAX_POINTS)
        lo, hi = landscape.lr_range
        return np.geomspace(lo, hi, points)
    arr = check.learning_rate(lrs)
    if not isinstance(arr, np.ndarray) or len(arr) > MAX_POINTS or (np.diff(arr) <= 0).any():
        raise ValueError(f"Invalid lrs={check.show(lrs)}: must be a 1-D array of at most {MAX_POINTS} "
                         f"increasing learning rates > 0")
    return arr


def _settings(settings, keys) -> dict:
    if settings is None:
        return {key: {} for key in keys}
    if not isinstance(settings, dict):
        raise ValueError(f"Invalid settings={check.show(settings)}: must map optimizer keys to "
                         f"hyperparameter dicts")
    out = {}
    for key in keys:
        extra = settings.get(key, {})
        if not isinstance(extra, dict):
            raise ValueError(f"Invalid settings[{key!r}]={check.show(extra)}: must be a dict of hyperparameters")
        if "lr" in extra:
            raise ValueError(f"Invalid settings[{key!r}]={check.show(extra)}: lr is what the sweep varies; "
                             f"leave it out")
        out[key] = extra
    return out


def target_loss(landscape) -> float:
    """The landscape's global minimum value, or the least finite f on a GRID × GRID grid
    over its view window if it lists no minimum."""
    best = landscape.global_minimum()
    if best is not None:
        return float(best.value)
    xmin, xmax, ymin, ymax = landscape.domain
    x, y = np.meshgrid(np.linspace(xmin, xmax, GRID), np.linspace(ymin, ymax, GRID))
    with np.errstate(all="ignore"):
        f = np.asarray(landscape.f_xy(x, y), dtype=float)
    return float(np.min(f[np.isfinite(f)]))


def widest_band(lrs: np.ndarray, ok: np.ndarray) -> tuple[float, float] | None:
    """(lrs[i], lrs[j]) for the longest run ok[i..j] all True (the first such run on a
    tie), or None if no entry is True."""
    best, start, best_len = None, None, 0
    for i, good in enumerate(list(ok) + [False]):
        if good and start is None:
            start = i
        elif not good and start is not None:
            if i - start > best_len:
                best, best_len = (float(lrs[start]), float(lrs[i - 1])), i - start
            start = None
    return best


def sweep(keys, landscape, start, *, lrs=None, points: int = 64, steps: int = 500, threshold: float = 1e-3,
          noise: float = 0.0, seed: int = 0, settings=None) -> SweepResult:
    """Run each optimizer in ``keys`` from ``start`` at many learning rates for ``steps`` steps.

    The learning rates are ``points`` log-spaced values over ``landscape.lr_range``, both
    ends included, or the given increasing ``lrs`` (then ``points`` is unused). Each
    optimizer is one run of that many particles with lr per particle (bit-identical to
    separate runs at each lr), all optimizers sharing one gradient evaluation per step
    (``run.step_many``); ``settings`` maps a key to its other hyperparameters (no lr).
    With ``noise`` σ > 0 every gradient gets σ·ξ (``run.init``): each optimizer's run has
    its own generator seeded with ``seed``, so the particle at lrs[i] sees the same noise
    sequence under every optimizer (common random numbers across optimizers, not across lrs).
    The sweep stops early once every particle of every run has diverged or converged
    (status, see ``run``): nothing would change after that.

    ``target`` is the landscape's global minimum value, or the grid minimum if it lists
    none (``target_loss``). Each row of ``rows`` is a dict:

    * ``key``;
    * ``final`` (points,): the loss at the end (a diverged run's last finite loss);
    * ``best`` (points,): the least loss seen, the start included;
    * ``reached`` (points,) int32: the first step (0 = the start) with f − target < threshold
      before diverging, −1 if never;
    * ``diverged`` (points,) int32: the step at which the run diverged, −1 if never (0 if
      the start's loss is not finite);
    * ``band``: (lo, hi), the widest contiguous run of learning rates (most points; the
      lowest on a tie) that reached the threshold and did not diverge, or None.

    Refused with ValueError: keys that are not a non-empty list of distinct registry keys
    taking an lr (annealing takes none; an unknown key is a KeyError), a start that is
    not one (x, y), points outside [2, MAX_POINTS], bad steps, threshold, noise, seed
    (``run.noise_level``, ``run.noise_seed``), settings (each key's as ``optimizers.create`` checks them), or keys × points × steps above ``validation.MAX_POSITION_UPDATES``.
    """
    from . import create

    keys = _keys(keys)
    land = check.landscape(landscape)
    begin = run.as_starts(start)
    if len(begin) != 1:
        raise ValueError(f"Invalid start of shape {begin.shape}: a sweep starts from one (x, y)")
    lrs = _lrs(lrs, points, land)
    steps = check.steps(steps)
    if len(keys) * len(lrs) * steps > check.MAX_POSITION_UPDATES:
        raise ValueError(f"Invalid steps={steps} for {len(keys)} optimizers × {len(lrs)} learning rates: "
                         f"at most {check.MAX_POSITION_UPDATES:,} particle steps per sweep")
    threshold = check.positive("threshold", threshold)
    noise, seed = run.noise_level(noise), run.noise_seed(seed)
    extra = _settings(settings, keys)
    opts = [create(key, lr=lrs, **extra[key]) for key in keys]
    starts = np.repeat(begin, len(lrs), axis=0)
    states = [run.init(opt, land, starts, noise=noise, seed=seed) for opt in opts]
    return _run(keys, opts, land, states, lrs, steps, threshold, target_loss(land))


def _run(keys, opts, land, states, lrs, steps, threshold, target) -> SweepResult:
    shape = (len(keys), len(lrs))
    loss = np.concatenate([s.loss for s in states]).reshape(shape)
    status = np.concatenate([s.status for s in states]).reshape(shape)
    best = loss.copy()
    with np.errstate(invalid="ignore"):
        reached = np.where((loss - target < threshold) & (status != DIVERGED), 0, -1).astype(np.int32)
    diverged = np.where(status == DIVERGED, 0, -1).astype(np.int32)
    for t in range(1, steps + 1):
        if not (status == RUNNING).any():
            break
        states = run.step_many(opts, land, states)
        loss = np.concatenate([s.loss for s in states]).reshape(shape)
        status = np.concatenate([s.status for s in states]).reshape(shape)
        np.minimum(best, loss, out=best)
        reached[(reached < 0) & (loss - target < threshold) & (status != DIVERGED)] = t
        diverged[(diverged < 0) & (status == DIVERGED)] = t
    rows = []
    for i, key in enumerate(keys):
        ok = (reached[i] >= 0) & (diverged[i] < 0)
        rows.append({"key": key, "final": loss[i].copy(), "best": best[i].copy(), "reached": reached[i].copy(),
                     "diverged": diverged[i].copy(), "band": widest_band(lrs, ok)})
    return SweepResult(lrs, threshold, steps, target, rows)
