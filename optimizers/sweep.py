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
    ``rows`` one dict per key, in the order asked (see ``sweep``); ``ran`` the steps
    actually run (fewer than ``steps`` when every run had diverged or come to rest)."""

    lrs: np.ndarray
    threshold: float
    steps: int
    target: float
    rows: list
    ran: int = 0


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
    separate runs at each lr; random restarts draw row i of each restart draw at lrs[i], as
    particle i of a batch does), all optimizers sharing one gradient and one loss
    evaluation per step; ``settings`` maps a key to its other hyperparameters (no lr).
    With ``noise`` σ > 0 every gradient gets σ·ξ (``run.init``): each optimizer's run has
    its own generator seeded with ``seed``, so the particle at lrs[i] sees the same noise
    sequence under every optimizer (common random numbers across optimizers, not across lrs).
    The sweep stops early (``ran`` < ``steps``) at the end of the first block of
    ``BLOCK`` steps after which every particle has diverged or is at rest (each of the
    block's steps shorter than ``run.CONVERGED_STEP`` spans): nothing visible would change
    after that.

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


BLOCK = 32  # steps per block of the loss/position history the table is read from


class _Table:
    """The sweep's table, filled block by block from the free-running particles' history.

    A particle's run is read only up to its divergence step d (the first step whose loss is
    not finite or whose position is farther than ``run.ESCAPE_SPANS`` spans from the view's
    centre, as ``run.step_many`` decides it); what the particle does after d is never read,
    so it needs no freezing and each entry is exactly what a separate ``run.step`` loop
    gives: ``final`` the loss at min(d − 1, last step), ``best`` the least loss up to it,
    ``reached`` the first step before d with f − target < threshold."""

    def __init__(self, loss0, target, threshold, radius2, center):
        self.target, self.threshold, self.radius2, self.center = target, threshold, radius2, center
        self.final, self.best = loss0.copy(), loss0.copy()
        with np.errstate(invalid="ignore"):
            finite = np.isfinite(loss0)
            self.reached = np.where(finite & (loss0 - target < threshold), 0, -1).astype(np.int32)
        self.diverged = np.where(finite, -1, 0).astype(np.int32)

    def add(self, t0: int, loss: np.ndarray, pos: np.ndarray) -> None:
        """Fold in steps t0 + 1 … t0 + b: ``loss`` (b, n), ``pos`` (b, n, 2)."""
        b, n = loss.shape
        offset = pos - self.center
        offset *= offset
        bad = ~np.isfinite(loss) | (offset[..., 0] + offset[..., 1] > self.radius2)
        first_bad = np.where(bad.any(axis=0), bad.argmax(axis=0), b)
        alive = self.diverged < 0
        valid_rows = np.where(alive, first_bad, 0)  # rows of this block before the divergence step
        newly = alive & (first_bad < b)
        self.diverged[newly] = t0 + 1 + first_bad[newly]
        valid = np.arange(b)[:, None] < valid_rows
        hit = valid & (loss - self.target < self.threshold)
        new_hit = (self.reached < 0) & hit.any(axis=0)
        self.reached[new_hit] = t0 + 1 + hit.argmax(axis=0)[new_hit]
        np.minimum(self.best, np.where(valid, loss, np.inf).min(axis=0), out=self.best)
        last = valid_rows > 0
        self.final[last] = loss[valid_rows[last] - 1, np.flatnonzero(last)]


def _at_rest(pos: np.ndarray, before: np.ndarray, span: float) -> np.ndarray:
    """(n,) True where every step of the block (b, n, 2) moved less than ``run.CONVERGED_STEP`` spans."""
    moved = np.diff(pos, axis=0, prepend=before[None])
    moved *= moved
    return ((moved[..., 0] + moved[..., 1]).max(axis=0) <= (run.CONVERGED_STEP * span) ** 2)


def _run(keys, opts, land, states, lrs, steps, threshold, target) -> SweepResult:
    """Every optimizer's particles side by side in one (keys × points, 2) array, one
    gradient and one loss evaluation per step for all of them, no bookkeeping in the step
    loop: the table is read off each block of ``BLOCK`` steps (``_Table``). Stops early at
    the end of the first block after which every particle has diverged or is at rest (every
    step of the block shorter than ``run.CONVERGED_STEP`` spans; random restarts: its
    schedule finished)."""
    n = len(lrs)
    bounds = [(i * n, (i + 1) * n) for i in range(len(keys))]
    p = np.concatenate([s.positions for s in states])
    table = _Table(np.concatenate([s.loss for s in states]), target, threshold,
                   run.ESCAPE_SPANS**2 * land.span**2, land.center)
    opt_states = [s.opt_state for s in states]
    noisy = [(i, j, s.noise, s.rng) for s, (i, j) in zip(states, bounds) if s.noise]
    ran = 0
    with np.errstate(all="ignore"):
        while ran < steps and (table.diverged < 0).any():
            b = min(BLOCK, steps - ran)
            loss, pos = np.empty((b, len(p))), np.empty((b, len(p), 2))
            before = p
            for r in range(b):
                gx, gy = land.grad_xy(p[:, 0], p[:, 1])
                grads = np.empty_like(p)
                grads[:, 0], grads[:, 1] = gx, gy
                for i, j, sigma, rng in noisy:
                    grads[i:j] += sigma * rng.standard_normal((j - i, 2))
                new = pos[r]
                for k, (opt, (i, j)) in enumerate(zip(opts, bounds)):
                    new[i:j], opt_states[k] = run._update(opt, land, p[i:j], grads[i:j], opt_states[k])
                loss[r] = land.f_xy(new[:, 0], new[:, 1])
                p = new  # pos is fresh per block and never rewritten: views of it stay valid
            table.add(ran, loss, pos)
            ran += b
            if _all_done(opts, opt_states, bounds, table, _at_rest(pos, before, land.span)):
                break
    rows = [{"key": key, "final": table.final[i:j].copy(), "best": table.best[i:j].copy(),
             "reached": table.reached[i:j].copy(), "diverged": table.diverged[i:j].copy(),
             "band": widest_band(lrs, (table.reached[i:j] >= 0) & (table.diverged[i:j] < 0))}
            for key, (i, j) in zip(keys, bounds)]
    return SweepResult(lrs, threshold, steps, target, rows, ran)


def _all_done(opts, opt_states, bounds, table, at_rest) -> bool:
    done = table.diverged >= 0
    for opt, st, (i, j) in zip(opts, opt_states, bounds):
        if opt.update_on is not None and not opt.deterministic:
            done[i:j] |= run._finished(opt, st)  # an escape method's zero move may be a rejected proposal
        else:
            done[i:j] |= at_rest[i:j]
    return bool(done.all())
