"""The thin bridge between the page's worker and our packages.

The worker calls one function, ``handle(command, args_json)``, and gets back a JSON text
plus a list of numpy arrays; the JSON refers to array i as
``{"$array": i, "dtype": "f8", "shape": [...]}`` so that every array crosses as one typed
array. Arguments arrive as JSON text, are parsed as data and validated; nothing a page or
a URL sends is ever executed as code.

The session (landscape, learning rate, β, start, gradient noise σ and its seed, the
per-optimizer settings, one ball per registered optimizer, the particles) is held by one
``Session`` object. It is plain Python and runs under CPython too (tests/test_app.py).
Every registered optimizer runs as a ball, also the ones the page hides.

**Gradient noise** (``reset``/``scene`` field ``noise``: σ in [0, ``run.MAX_NOISE``],
gradient units; optional ``seed``, an integer ≥ 0, default 0): every gradient method
sees ∇f + σ·ξ, ξ ~ N(0, I), each ball from its own generator seeded alike, so all balls
see the same draws and ``optimizers.simulate(..., noise=σ, noise_seed=seed)`` reproduces
a ball exactly (see ``optimizers.run``). Annealing uses no gradient.

**Arrows** (``runs["arrows"]``, once per reply, not per step): at each ball −∇f(θ)
(exact, without the noise), the last step θ_t − θ_{t−1} and the optimizer's velocity
(``optimizers.velocity``; ``has_velocity`` says which balls have one), all in θ units,
non-finite entries sent as 0.

**Sweep** (command ``sweep``): ``optimizers.sweep`` of the given keys on the session's
landscape, start, noise, seed, β and each key's settings (its own lr aside).

**Per-optimizer settings** (``reset``/``scene`` field ``settings``: ``{key: {param:
value}}``, a value being a number, true/false, or [a, b] for a pair) are checked field by
field, not all-or-nothing: in registry order of the keys and each key's
``optimizers.hyperparameter_specs`` order of its parameters (unknown ones last, sorted),
each field is tried on top of the fields accepted before it, by creating that ball's
optimizer; an accepted field is applied, a refused one is reported in ``problems`` as
``{"key", "param", "value", "message"}`` with the optimizers' own message (an unknown key
or parameter is a problem too). A key's ``lr`` is that ball's own learning rate; without
one the ball takes the shared lr. At most ``MAX_SETTINGS_FIELDS`` fields per call.

**One error type.** Every malformed call ends in a ``ValueError`` whose message names the
command or the field and echoes the value (at most 80 characters), which the worker turns
into an error reply; any other call gets a JSON reply. The session is unchanged after a
call that fails: everything is checked before anything changes. What is checked, before
or while parsing: ``command`` is a str naming a command; ``args_json`` is a str of at most
``MAX_ARGS_CHARS`` characters, nested at most ``MAX_DEPTH`` deep, valid JSON (integers of
at most 4,300 digits, Python's limit) and an object; each field has its type (numbers are
finite, names are str, counts are integers in their range); unknown landscape and
colormap names are ValueErrors too. Unknown fields are ignored.

**Ball status** (``snapshot()["status"]``): "running", "converged", "diverged" (as
``optimizers.STATUS_NAMES``: frozen at its last finite position, 1,000 spans out or
non-finite), and "left the view": a running ball more than ``LEFT_VIEW_SPANS`` (1) span
beyond the view window on either axis, so far out that it is drawn as an edge marker and
is not coming back by itself soon. A ball that returns is "running" again.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import re
import time
from functools import lru_cache

import numpy as np

import app_side
import landscapes
import optimizers
import rendering
import rendering.window
from landscapes.errors import UnknownNameError, show
from optimizers import flow, rules, run

DEFAULTS = {"landscape": "ravine", "resolution": 240, "colormap": rendering.DEFAULT_COLORMAP,
            "beta": 0.9, "speed": 4, "show": "gradient", "particle_speed": 1.0,
            "noise": 0.0, "sweep_steps": 500, "sweep_points": 64, "sweep_threshold": 1e-3}
SWEEP_STEPS = (10, 5000)
SWEEP_POINTS = (8, 128)
MAX_SETTINGS_FIELDS = 200  # per-optimizer settings fields accepted in one call
MAX_SETTING_INTEGER = 2**53 - 1  # largest integer setting (a seed, a count): exact as a JS number
LIMITS = {"noise": [0.0, run.MAX_NOISE], "sweep_steps": list(SWEEP_STEPS), "sweep_points": list(SWEEP_POINTS),
          "settings_fields": MAX_SETTINGS_FIELDS, "setting_integer": MAX_SETTING_INTEGER}
MAX_STEPS_PER_CALL = 1000
MAX_PARTICLES = 5000
MAX_GRID = 70
MAX_FLOW_SECONDS = 0.25  # screen time one call may advance the particles by
FIELD_GRID = (5, 41)  # arrows per side of the gradient field
MAX_ARGS_CHARS = 1_000_000  # longest args_json accepted
MAX_DEPTH = 20  # deepest nesting of arrays and objects in args_json
LEFT_VIEW_SPANS = 1.0  # a running ball this many spans beyond the view has "left the view"
LEFT_VIEW = "left the view"
STEP_STATUS = (*optimizers.STATUS_NAMES, LEFT_VIEW)  # the advance reply's step_status indexes these


def hyperparameters(key: str, lr: float, beta: float) -> tuple[str, dict]:
    """The optimizer (registry name and keyword arguments) a ball runs for the page's lr and β
    (see ``optimizers.page_hyperparameters``, shared with the lesson tests)."""
    return optimizers.page_hyperparameters(key, lr, beta)


ball_hyperparameters = optimizers.ball_hyperparameters  # the page's settings on top of the shared lr and β


def _make_optimizer(key: str, lr: float, beta: float, overrides=None) -> rules.Optimizer:
    name, hp = ball_hyperparameters(key, lr, beta, overrides)
    opt = optimizers.create(name, **hp)
    return opt._replace(key=key)


@lru_cache(maxsize=None)
def _specs(key: str) -> dict:
    """The key's hyperparameters by name (``optimizers.hyperparameter_specs``)."""
    return {spec["name"]: spec for spec in optimizers.hyperparameter_specs(key)}


def _echo(value):
    """A refused value as the reply may carry it: itself when it is short, finite JSON,
    else its ``show`` text (a NaN from the JSON text must not reach the page)."""
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return show(value)
    return value if len(text) <= 80 else show(value)


def _setting_value(key: str, param: str, kind: str, value):
    """A JSON settings value as the optimizer takes it, checked for its kind first (a
    number, true/false, or a pair [a, b]); the optimizer checks its range."""
    if kind == "flag":
        return _flag(param, value)
    if kind == "pair":
        if not (isinstance(value, list) and len(value) == 2):
            raise ValueError(f"Invalid {param}={show(value)}: must be a pair [a, b] of numbers")
        return tuple(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        what = "an integer" if kind == "integer" else "a finite number"
        raise ValueError(f"Invalid {param}={show(value)}: must be {what}")
    if kind == "integer" and isinstance(value, int) and abs(value) > MAX_SETTING_INTEGER:
        raise ValueError(f"Invalid {param}={show(value)}: must be an integer of at most {MAX_SETTING_INTEGER} "
                         f"(2⁵³ − 1, exact in the URL)")
    return value


def _flag(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"Invalid {name}={show(value)}: must be true or false")
    return value


def _problem(key, param, value, message: str) -> dict:
    return {"key": key, "param": param, "value": _echo(value), "message": message}


def validate_settings(settings, lr: float, beta: float) -> tuple[dict, list]:
    """Per-optimizer settings checked field by field (see the module docstring): the
    accepted ones, same shape, and the problems. Not an object of objects, or more than
    ``MAX_SETTINGS_FIELDS`` fields: ValueError (the whole call is refused)."""
    if not isinstance(settings, dict):
        raise ValueError(f"Invalid settings={show(settings)}: must be an object {{key: {{param: value}}}}")
    fields = sum(len(v) if isinstance(v, dict) else 1 for v in settings.values())
    if fields > MAX_SETTINGS_FIELDS:
        raise ValueError(f"Invalid settings: {fields:,} fields, more than {MAX_SETTINGS_FIELDS}")
    keys = optimizers.names()
    problems = [_problem(k, None, settings[k], f"Unknown optimizer {show(k)}; valid optimizers are: "
                         f"{', '.join(keys)}") for k in sorted(set(settings) - set(keys))]
    accepted = {}
    for key in (k for k in keys if k in settings):
        own, found = _validate_fields(key, settings[key], lr, beta)
        problems += found
        if own:
            accepted[key] = own
    return accepted, problems


def _validate_fields(key: str, fields, lr: float, beta: float) -> tuple[dict, list]:
    """One optimizer's settings, field by field on top of the ones accepted before."""
    if not isinstance(fields, dict):
        return {}, [_problem(key, None, fields, f"Invalid settings for {key!r}={show(fields)}: "
                             f"must be an object {{param: value}}")]
    specs = _specs(key)
    order = [p for p in specs if p in fields] + sorted(p for p in fields if p not in specs)
    own, values, problems = {}, {}, []
    for param in order:
        value = fields[param]
        try:
            if param not in specs:
                raise ValueError(f"Unknown hyperparameter {show(param)} for optimizer {key!r}; "
                                 f"valid ones are: {', '.join(specs)}")
            v = _setting_value(key, param, specs[param]["kind"], value)
            _make_optimizer(key, lr, beta, {**values, param: v})
        except (ValueError, TypeError, OverflowError) as err:
            problems.append(_problem(key, param, value, str(err)))
        else:
            own[param], values[param] = value, v
    return own, problems


class Session:
    """Everything the page shows, as plain state the worker mutates through ``handle``."""

    def __init__(self, keys=None) -> None:
        """A session on the default landscape; ``keys`` (default: every registered
        optimizer) are the balls, in that order."""
        self.landscape = landscapes.get(DEFAULTS["landscape"])
        self.picture_key = self.landscape.key  # what the picture caches know it by
        self.lr = self.landscape.default_lr
        self.beta = self.landscape.default_beta
        self.start = self.landscape.start
        self.noise, self.seed = DEFAULTS["noise"], 0
        self.settings: dict[str, dict] = {}  # accepted per-key overrides, as the page sent them
        self.problems: list[dict] = []  # the refused fields of the last reset
        self.keys = optimizers.names() if keys is None else [k for k in keys if optimizers.label(k)]
        self.opts: list[rules.Optimizer] = []
        self.runs: list[run.RunState] = []
        self.diverged_step = np.full(len(self.keys), -1)
        self.last_step = np.zeros((len(self.keys), 2))
        self.particles = Particles.empty(self.landscape)
        self.particle_generation = 0
        self.reset_runs()

    # ------------------------------------------------------------------ balls
    def reset_runs(self, lr=None, beta=None, start=None, *, noise=None, seed=None, settings=None) -> list[dict]:
        """Restart every ball from ``start`` with the given lr, β, noise σ, seed and settings
        (None keeps the current one). lr, β, start, σ and the seed are validated first, all
        or nothing, so a bad value leaves the current run untouched; the settings field by
        field (module docstring). Returns the settings' problems."""
        lr = self.lr if lr is None else lr
        beta = self.beta if beta is None else beta
        start = self.start if start is None else start
        noise = run.noise_level(self.noise if noise is None else noise)
        seed = run.noise_seed(self.seed if seed is None else seed)
        for k in self.keys:  # the shared lr and β, all or nothing (as before settings existed)
            _make_optimizer(k, lr, beta)
        start_arr = run.as_starts(start)
        if len(start_arr) != 1:
            raise ValueError(f"Invalid start={show(start)}: must be one (x, y) pair")
        accepted, problems = validate_settings(self.settings if settings is None else settings, lr, beta)
        opts = [_make_optimizer(k, lr, beta, accepted.get(k)) for k in self.keys]
        runs = [run.init(o, self.landscape, start_arr, noise=noise, seed=seed) for o in opts]
        self.lr, self.beta, self.start = float(lr), float(beta), tuple(start_arr[0].tolist())
        self.noise, self.seed, self.settings, self.problems = noise, seed, accepted, problems
        self.opts, self.runs = opts, runs
        self.ball_hyperparameters = self.hyperparameters()
        self.diverged_step = np.full(len(self.keys), -1)
        self.last_step = np.zeros((len(self.keys), 2))
        return problems

    def advance(self, steps: int) -> dict:
        """``steps`` updates of every ball: their path (steps, n, 2), loss (steps, n),
        where a path jumped (steps, n; a random restart began a new descent), and, for the
        page's timeline, each step's status (``step_status``: an index into
        ``STEP_STATUS``) and basin (``step_basin``: index into the landscape's minima, −1
        for none), as the snapshot would have named them at that step."""
        n = len(self.keys)
        path = np.empty((steps, n, 2))
        loss = np.empty((steps, n))
        jumped = np.zeros((steps, n), np.uint8)
        codes = np.zeros((steps, n), np.uint8)
        restarting = [k for k, o in enumerate(self.opts) if "n_restarts" in o.hyperparameters]  # only these jump
        before = self._positions()
        for i in range(steps):
            descent = [_restart_index(self.runs[k]) for k in restarting]
            self.runs = run.step_many(self.opts, self.landscape, self.runs)
            path[i] = self._positions()
            loss[i] = np.concatenate([r.loss for r in self.runs])
            status = np.concatenate([r.status for r in self.runs])
            codes[i] = status
            for k, d in zip(restarting, descent):
                jumped[i, k] = _restart_index(self.runs[k]) != d and status[k] != run.DIVERGED
            new = (status == run.DIVERGED) & (self.diverged_step < 0)
            if new.any():
                self.diverged_step[new] = self.runs[0].steps
        if steps:
            self.last_step = path[-1] - (path[-2] if steps > 1 else before)
        return {"path": path, "loss": loss, "jumped": jumped, **self._step_labels(path, codes)}

    def _step_labels(self, path: np.ndarray, codes: np.ndarray) -> dict:
        """Per step and ball: the status index (``STEP_STATUS``; a running ball beyond
        ``LEFT_VIEW_SPANS`` spans of the view has left it, as in ``status``) and the basin
        index of ``basin_labels``."""
        if not len(path):
            return {"step_status": codes, "step_basin": np.zeros(codes.shape, np.int8)}
        xmin, xmax, ymin, ymax = self.landscape.domain
        margin = LEFT_VIEW_SPANS * self.landscape.span
        x, y = path[..., 0], path[..., 1]
        with np.errstate(invalid="ignore"):
            far = ~((xmin - margin <= x) & (x <= xmax + margin) & (ymin - margin <= y) & (y <= ymax + margin))
        codes = np.where((codes == run.RUNNING) & far, STEP_STATUS.index(LEFT_VIEW), codes).astype(np.uint8)
        basin = landscapes.basin_index(self.landscape, x, y).astype(np.int8)
        return {"step_status": codes, "step_basin": basin}

    def _positions(self) -> np.ndarray:
        return np.concatenate([r.positions for r in self.runs])

    def snapshot(self) -> dict:
        positions = self._positions()
        return {
            "step": self.runs[0].steps,
            "keys": self.keys,
            "positions": positions,
            "loss": np.concatenate([r.loss for r in self.runs]),
            "best": np.concatenate([r.best_loss for r in self.runs]),
            "status": self.status(positions),
            "diverged_step": self.diverged_step.astype(np.int32),
            "basin": basin_labels(self.landscape, positions),
            "arrows": self.arrows(positions),
            "noise": self.noise,
            "settings": self.settings,
            "hyperparameters": self.ball_hyperparameters,
        }

    def arrows(self, positions: np.ndarray) -> dict:
        """Why each ball moves, in θ units: ``gradient`` −∇f(θ) (exact, without the noise),
        ``step`` θ_t − θ_{t−1} (zeros before the first step), ``velocity``
        ``optimizers.velocity`` (zeros where a ball has none: ``has_velocity`` 0).
        Non-finite entries are sent as 0 (and has_velocity 0)."""
        with np.errstate(all="ignore"):
            gx, gy = self.landscape.grad_xy(positions[:, 0], positions[:, 1])
        gradient = -np.column_stack([np.broadcast_to(gx, positions[:, 0].shape),
                                     np.broadcast_to(gy, positions[:, 1].shape)]).astype(float)
        velocity = np.zeros_like(positions)
        has = np.zeros(len(positions), np.uint8)
        for k, (opt, r) in enumerate(zip(self.opts, self.runs)):
            v = optimizers.velocity(opt, r.opt_state)
            if v is not None and np.isfinite(v).all():
                velocity[k], has[k] = v[0], 1
        return {"gradient": _finite(gradient), "step": _finite(self.last_step.copy()),
                "velocity": velocity, "has_velocity": has}

    def hyperparameters(self) -> dict:
        """The full hyperparameters each ball runs with, by the key's own parameter names
        (read once per reset: ``ball_hyperparameters``)."""
        report = {}
        for key, opt in zip(self.keys, self.opts):
            hp = opt.hyperparameters
            report[key] = {p: _plain(hp[p]) for p in _specs(key) if p in hp}
        return report

    def status(self, positions: np.ndarray) -> list[str]:
        """Each ball's status name: ``optimizers.STATUS_NAMES``, except that a running ball
        more than ``LEFT_VIEW_SPANS`` spans beyond the view window has "left the view"."""
        xmin, xmax, ymin, ymax = self.landscape.domain
        margin = LEFT_VIEW_SPANS * self.landscape.span
        names = []
        for r, (x, y) in zip(self.runs, positions):
            code = int(r.status[0])
            far = not (xmin - margin <= x <= xmax + margin and ymin - margin <= y <= ymax + margin)
            names.append(LEFT_VIEW if code == run.RUNNING and far else optimizers.STATUS_NAMES[code])
        return names

    def rules(self) -> dict:
        """Each ball's update rule with the current hyperparameters filled in."""
        return {k: optimizers.rule_text(o) for k, o in zip(self.keys, self.opts)}

    # ------------------------------------------------------------------ particles
    def drop(self, points, cell=(0.0, 0.0)) -> None:
        new = run.as_starts(points) if len(points) else np.zeros((0, 2))
        if len(self.particles) + len(new) > MAX_PARTICLES:
            raise ValueError(f"Too many particles: {len(self.particles)} + {len(new)} "
                             f"exceeds {MAX_PARTICLES}; clear some first")
        self.particles = self.particles.extended(self.landscape, new, cell)

    def drop_grid(self, n: int) -> None:
        if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= MAX_GRID:
            raise ValueError(f"Invalid grid size n={show(n)}: must be an integer in [2, {MAX_GRID}]")
        xmin, xmax, ymin, ymax = self.landscape.domain
        w, h = (xmax - xmin) / n, (ymax - ymin) / n
        xs = xmin + (np.arange(n) + 0.5) * w
        ys = ymin + (np.arange(n) + 0.5) * h
        gx, gy = np.meshgrid(xs, ys)
        self.drop(np.column_stack([gx.ravel(), gy.ravel()]), cell=(w, h))

    def clear(self) -> None:
        self.particles = Particles.empty(self.landscape)
        self.particle_generation += 1

    def flow(self, seconds: float, speed: float) -> None:
        """Move the particles along −∇f for ``seconds`` of screen time at ``speed``× the
        landscape's watchable pace (see optimizers.flow.advance_screen)."""
        if len(self.particles) and seconds > 0:
            self.particles = self.particles.flowed(self.landscape, seconds, speed)

    def particle_snapshot(self) -> dict:
        return self.particles.snapshot(self.landscape, self.particle_generation)

    # ------------------------------------------------------------------ the scene
    def set_landscape(self, key: str, lr, beta, start, **options) -> list[dict]:
        """Switch landscape (a registry key, or the picture key of a typed landscape:
        ``custom_landscape``) and restart the balls (``options``: noise, seed, settings as
        for ``reset_runs``); returns the settings' problems."""
        land = landscape_for(key)
        previous, previous_key = self.landscape, self.picture_key
        self.landscape, self.picture_key = land, key
        try:
            problems = self.reset_runs(lr, beta, land.start if start is None else start, **options)
        except Exception:
            self.landscape, self.picture_key = previous, previous_key
            raise
        self.clear()
        return problems

    def probe(self, x: float, y: float) -> dict:
        with np.errstate(all="ignore"):
            f = float(self.landscape.f(x, y))
            gx, gy = (float(v) for v in self.landscape.grad(x, y))
        ok = all(math.isfinite(v) for v in (f, gx, gy))
        return {"x": x, "y": y, "f": f if ok else None, "gx": gx if ok else None, "gy": gy if ok else None}


def _finite(a: np.ndarray) -> np.ndarray:
    a[~np.isfinite(a)] = 0.0
    return a


def _plain(value):
    """A hyperparameter as JSON data (tuples as lists, numpy numbers as Python ones)."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value.item() if isinstance(value, np.generic) else value


def _restart_index(r: run.RunState) -> int:
    """Which descent a random-restarts run is on (0 for every other optimizer)."""
    index = getattr(r.opt_state, "restart", 0)
    return int(np.max(index)) if isinstance(index, np.ndarray) else int(index)


def basin_labels(land, positions: np.ndarray) -> list[str]:
    """``basin_label`` of each row of ``positions`` (n, 2), in one vectorised call."""
    index = landscapes.basin_index(land, positions[:, 0], positions[:, 1])
    return [land.minima[i].label if i >= 0 else "—" for i in index.tolist()]


def basin_label(land, x: float, y: float) -> str:
    """The name of the known minimum (x, y) sits in, or "—" when it is near none."""
    return landscapes.basin_name(land, x, y) or "—"


class Particles:
    """Gradient-flow particles on the page: the flow state plus, per particle, its start,
    the grid cell it stands for (0 × 0 for a clicked one) and the basin it settled in
    (−1 while it moves; indices into ``basins``, known minima first, then minima the
    particles found)."""

    def __init__(self, state, start, cell, basin, basins):
        self.state, self.start, self.cell, self.basin, self.basins = state, start, cell, basin, basins

    @classmethod
    def empty(cls, land) -> "Particles":
        known = [{"label": m.label, "x": m.x, "y": m.y, "known": True} for m in land.minima]
        return cls(flow.init(land, np.zeros((0, 2))), np.zeros((0, 2)), np.zeros((0, 2)),
                   np.zeros(0, np.int16), known)

    def __len__(self) -> int:
        return len(self.start)

    def extended(self, land, new: np.ndarray, cell) -> "Particles":
        state = flow.concatenate(self.state, flow.init(land, new))
        cells = np.tile(np.asarray(cell, float), (len(new), 1))
        return Particles(state, np.concatenate([self.start, new]), np.concatenate([self.cell, cells]),
                         np.concatenate([self.basin, np.full(len(new), -1, np.int16)]), self.basins)

    def flowed(self, land, seconds: float, speed: float) -> "Particles":
        state = flow.advance_screen(land, self.state, seconds, speed=speed)
        moved = Particles(state, self.start, self.cell, self.basin.copy(), list(self.basins))
        moved._classify(land)
        return moved

    def _classify(self, land) -> None:
        """Give every newly settled particle the index of its basin, adding a basin for an
        at-rest point near no known or found minimum."""
        new = np.flatnonzero((self.state.status == flow.AT_REST) & (self.basin < 0))
        if not new.size:
            return
        tol = 1e-2 * land.span
        for i in new:
            x, y = self.state.positions[i]
            d = [math.hypot(b["x"] - x, b["y"] - y) for b in self.basins]
            j = int(np.argmin(d)) if d else -1
            if j < 0 or d[j] > tol:
                self.basins.append({"label": f"({x:.3g}, {y:.3g})", "x": float(x), "y": float(y), "known": False})
                j = len(self.basins) - 1
            self.basin[i] = j

    def snapshot(self, land, generation: int) -> dict:
        p = self.state.positions
        with np.errstate(all="ignore"):
            loss = np.asarray(land.f(p[:, 0], p[:, 1]), dtype=float) if len(p) else np.zeros(0)
        status = self.state.status.astype(np.uint8)
        return {"count": len(p), "generation": generation, "xy": p.astype(np.float32),
                "start": self.start.astype(np.float32), "cell": self.cell.astype(np.float32),
                "status": status, "moving": int(np.count_nonzero(status == flow.FLOWING)),
                "settled": int(np.count_nonzero(self.basin >= 0)),
                "basin": self.basin, "basins": self.basins,
                "t": self.state.t.astype(np.float32),
                "loss": np.nan_to_num(loss, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)}


# In the browser contourpy loads after the first frame: until the worker says it has
# (command "contours_loaded"), scenes come without contour lines, and the page asks for
# them with "contours" afterwards. Under CPython it is simply installed.
_contourpy_loaded = importlib.util.find_spec("contourpy") is not None


def contours_available() -> bool:
    return _contourpy_loaded


# Typed landscapes (landscapes.from_data of what the side worker compiled), by picture key
# "custom-<sha256 of the data>": the caches below hold pictures by key, and two formulas
# must never share one. The newest MAX_CUSTOM are kept.
CUSTOM_KEY = landscapes.expression.KEY  # "custom": the page's, the URL's and the registry's word for it
MAX_CUSTOM = 8
_custom: dict = {}


def custom_landscape(data) -> str:
    """Rebuild a typed landscape from ``data`` (``landscapes.from_data``: validated as
    data, evaluated by numpy only) and return its picture key."""
    try:
        text = json.dumps(data, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid custom={show(data)}: must be the data the side worker's "
                         f"'compile_expression' answered") from None
    key = "custom-" + hashlib.sha256(text.encode()).hexdigest()[:24]
    if key not in _custom:
        land = landscapes.from_data(data)
        if len(_custom) >= MAX_CUSTOM:
            _custom.pop(next(iter(_custom)))
        _custom[key] = land
    return key


def landscape_for(key: str):
    """The landscape of a picture key: a typed one, or the registry's."""
    return _custom[key] if key in _custom else landscapes.get(key)


@lru_cache(maxsize=32)
def _grid_and_scale(key: str, resolution: int):
    land = landscape_for(key)
    grid = rendering.sample(land, resolution)
    return grid, rendering.color_scale(land.color_scale, grid.z)


@lru_cache(maxsize=32)
def picture(key: str, resolution: int, colormap: str) -> dict:
    """Heatmap pixels and colour bar of a landscape (cached: switching back is free)."""
    table = rendering.lut(colormap)
    grid, scale = _grid_and_scale(key, resolution)
    return {
        "heatmap": {"width": len(grid.xs), "height": len(grid.ys), "extent": list(landscape_for(key).domain),
                    "rgba": rendering.hatch_undefined(rendering.colorize(scale.forward(grid.z), table), grid.z),
                    "undefined": float(np.mean(~np.isfinite(grid.z)))},
        "colorbar": {"lut": table, "ticks": rendering.colorbar_ticks(scale), "scale": scale.kind},
    }


@lru_cache(maxsize=32)
def contour_lines(key: str, resolution: int) -> dict:
    """Iso-loss lines at levels evenly spaced in colour (needs contourpy)."""
    grid, scale = _grid_and_scale(key, resolution)
    levels = rendering.contour_levels(scale)
    xy, offsets, level_index = rendering.contour_lines(grid, levels)
    return {"levels": levels.tolist(), "xy": xy, "offsets": offsets, "level_index": level_index}


_complete: set[tuple] = set()  # (key, resolution, colormap) computed with contour lines


def full_picture(key: str, resolution: int, colormap: str) -> dict:
    """The picture plus its contour lines when contourpy is there (``None`` until then)."""
    pic = picture(key, resolution, colormap)
    if not contours_available():
        return {**pic, "contours": None}
    lines = contour_lines(key, resolution)
    _complete.add((key, resolution, colormap))
    return {**pic, "contours": lines}


def describe_landscape(land) -> dict:
    return {"key": land.key, "label": land.label, "description": land.description,
            "notes": list(land.notes), "axis_labels": list(land.axis_labels),
            "domain": list(land.domain), "start": list(land.start), "lr_range": list(land.lr_range),
            "default_lr": land.default_lr, "default_beta": land.default_beta, "steps": land.steps,
            "markers": [{"label": label, "x": x, "y": y} for label, x, y in land.markers],
            "minima": [{"x": m.x, "y": m.y, "value": m.value, "is_global": m.is_global,
                        "name": m.label} for m in land.minima],
            **(_typed(land) if isinstance(land, landscapes.ExpressionLandscape) else {})}


def _typed(land) -> dict:
    """What the page shows of a typed landscape: the text, f and ∇f as sympy writes them."""
    return {"expression": land.expression, "formula": land.formula,
            "gradient_formula": list(land.gradient_formula), "undefined_fraction": land.undefined_fraction,
            "color_scale": land.color_scale}


# ---------------------------------------------------------------------- commands

SESSION = Session()


def _number(args: dict, name: str, default=None) -> float:
    value = args.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"Invalid {name}={show(value)}: must be a finite number")
    try:
        v = float(value)
    except OverflowError:  # an integer beyond the float range
        v = math.inf
    if not math.isfinite(v):
        raise ValueError(f"Invalid {name}={show(value)}: must be a finite number")
    return v


def _name(args: dict, field: str, default: str) -> str:
    """A registry name (landscape, colormap): a str; whether it is known is checked where it is used."""
    value = args.get(field, default)
    if not isinstance(value, str):
        raise ValueError(f"Invalid {field}={show(value)}: must be a name (a string)")
    return value


def _resolution(args: dict) -> int:
    """The picture's resolution, checked before it reaches a cache (which would hash it)."""
    value = args.get("resolution", DEFAULTS["resolution"])
    if isinstance(value, bool) or not isinstance(value, int) or not 16 <= value <= 1024:
        raise ValueError(f"Invalid resolution={show(value)}: must be an integer in [16, 1024]")
    return value


def _start(args: dict):
    start = args.get("start")
    if start is None:
        return None
    if not (isinstance(start, list) and len(start) == 2):
        raise ValueError(f"Invalid start={show(start)}: must be [x, y]")
    return (_number({"x": start[0]}, "x"), _number({"y": start[1]}, "y"))


def optimizer_group(key: str) -> str:
    """The page's group of an optimizer: "gradient" (the card's six, shown by default),
    "escape" (annealing, random restarts) or "more" (the rest of torch.optim, Newton, Lion)."""
    if key in optimizers.GRADIENT_METHODS:
        return "gradient"
    return "escape" if key in optimizers.ESCAPE_METHODS else "more"


@lru_cache(maxsize=None)
def page_parameters(key: str) -> frozenset:
    """The hyperparameters of ``key`` the page's shared controls set (lr; the momentum of
    Momentum and Nesterov; β₁ of the betas of Adam and AdamW): those ``hyperparameters``
    fills in (read at a β > 0, where Nesterov is itself)."""
    return frozenset(hyperparameters(key, 1e-3, 0.9)[1])


@lru_cache(maxsize=None)
def carries_velocity(key: str) -> bool:
    """Whether the ball of ``key`` has a velocity (``optimizers.velocity``) at the page's
    defaults, after one step on the default landscape (RMSProp has one only with momentum)."""
    land = landscapes.get(DEFAULTS["landscape"])
    opt = _make_optimizer(key, land.default_lr, land.default_beta)
    state = run.step(opt, land, run.init(opt, land, land.start))
    return optimizers.velocity(opt, state.opt_state) is not None


def describe_optimizer(key: str) -> dict:
    page = page_parameters(key)
    return {"key": key, "label": optimizers.label(key), "group": optimizer_group(key),
            "default": key in optimizers.GRADIENT_METHODS,
            "hyperparameters": [{**spec, "page": spec["name"] in page}
                                for spec in optimizers.hyperparameter_specs(key)],
            "has_velocity": carries_velocity(key)}


def cmd_init(s: Session, args: dict) -> dict:
    return {"landscapes": [describe_landscape(land) for land in landscapes.all_landscapes()],
            "optimizers": [describe_optimizer(k) for k in optimizers.names()],
            "colormaps": rendering.colormap_names(), "defaults": DEFAULTS, "limits": LIMITS,
            "custom": {"key": CUSTOM_KEY, "label": landscapes.expression.LABEL,
                       "domain": list(landscapes.expression.DEFAULT_DOMAIN)}}


def _run_options(s: Session, args: dict) -> dict:
    """noise, seed and settings of a reset or scene (absent: the session's own)."""
    options = {}
    if "noise" in args:
        options["noise"] = _number(args, "noise")
    if "seed" in args:
        options["seed"] = args["seed"]
    if "settings" in args:
        options["settings"] = args["settings"]
    return options


def _runs_reply(s: Session) -> dict:
    return {"runs": {**s.snapshot(), "rules": s.rules()}, "settings": s.settings, "problems": s.problems}


def cmd_scene(s: Session, args: dict) -> dict:
    """A new landscape: a registry key, or "custom" with ``custom`` the data of a typed
    landscape (``custom_landscape``); the reply of a typed one also carries its ``meta``
    (``describe_landscape``), which the page's catalog does not have."""
    key = _name(args, "landscape", DEFAULTS["landscape"])
    if key == CUSTOM_KEY:
        key = custom_landscape(args.get("custom"))
    resolution = _resolution(args)
    colormap = _name(args, "colormap", DEFAULTS["colormap"])
    pic = full_picture(key, resolution, colormap)  # validates all three before any change
    land = landscape_for(key)
    s.set_landscape(key, _number(args, "lr", land.default_lr), _number(args, "beta", land.default_beta),
                    _start(args), **_run_options(s, args))
    meta = {"meta": describe_landscape(land)} if key in _custom else {}
    return {"landscape": land.key, **meta, **pic, **_runs_reply(s), "particles": s.particle_snapshot()}


def cmd_prefetch(s: Session, args: dict) -> dict:
    """Warm the picture cache for the scene the page will most likely ask for first (a hint
    read from the URL before the page has validated it: a bad hint is ignored, not raised)."""
    key = args.get("landscape") or DEFAULTS["landscape"]
    colormap = args.get("colormap") or DEFAULTS["colormap"]
    if not (isinstance(key, str) and isinstance(colormap, str)):
        return {"prefetched": False}
    try:
        full_picture(key, DEFAULTS["resolution"], colormap)
    except (KeyError, ValueError):
        return {"prefetched": False}
    return {"prefetched": True}


def cmd_warm(s: Session, args: dict) -> dict:
    """Idle-time work: compute the picture of the next landscape not computed yet, so that
    switching to it later only has to paint. One landscape per call (a few tens of ms),
    so requests from the animation never wait long; says how many remain."""
    resolution = _resolution(args)
    colormap = _name(args, "colormap", DEFAULTS["colormap"])
    rendering.lut(colormap)  # an unknown colormap is an error, not a cache entry
    if not contours_available():
        return {"remaining": 0}
    todo = [k for k in landscapes.names() if (k, resolution, colormap) not in _complete]
    if todo:
        full_picture(todo[0], resolution, colormap)
    return {"remaining": max(0, len(todo) - 1)}


def cmd_recolor(s: Session, args: dict) -> dict:
    """The current landscape's picture in another colormap; the runs go on untouched."""
    pic = full_picture(s.picture_key, _resolution(args), _name(args, "colormap", DEFAULTS["colormap"]))
    return {"landscape": s.landscape.key, **pic}


@lru_cache(maxsize=8)
def _window_picture(key: str, window: tuple, resolution: int, colormap: str, contours: bool) -> dict:
    return rendering.window.window_picture(landscape_for(key), window, resolution, colormap, contours)


def cmd_picture(s: Session, args: dict) -> dict:
    """The zoomed map: heatmap and colour bar (and contour lines once contourpy is loaded)
    of ``window`` [xmin, xmax, ymin, ymax] of the current landscape, sampled at full
    resolution on the window's own colour scale (``rendering.window``); without a window
    (null) the landscape's own picture. The runs go on untouched."""
    resolution = _resolution(args)
    colormap = _name(args, "colormap", DEFAULTS["colormap"])
    if args.get("window") is None:
        return {"landscape": s.landscape.key, "window": None, **full_picture(s.picture_key, resolution, colormap)}
    box = rendering.window.check_window(args["window"], s.landscape.domain)
    pic = _window_picture(s.picture_key, box, resolution, colormap, contours_available())
    return {"landscape": s.landscape.key, "window": list(box), **pic}


def cmd_contours_loaded(s: Session, args: dict) -> dict:
    """The worker finished loading contourpy: look again."""
    global _contourpy_loaded
    _contourpy_loaded = importlib.util.find_spec("contourpy") is not None
    return {"available": _contourpy_loaded}


def cmd_contours(s: Session, args: dict) -> dict:
    """The current landscape's contour lines (the page asks once contourpy has loaded)."""
    if not contours_available():
        raise ValueError("contour lines need contourpy, which is not loaded yet")
    return {"landscape": s.landscape.key,
            "contours": contour_lines(s.picture_key, _resolution(args))}


def cmd_reset(s: Session, args: dict) -> dict:
    s.reset_runs(_number(args, "lr", s.lr), _number(args, "beta", s.beta), _start(args), **_run_options(s, args))
    return {**_runs_reply(s), "particles": s.particle_snapshot()}


def cmd_advance(s: Session, args: dict) -> dict:
    """One frame: ``steps`` optimizer updates, and ``flow_seconds`` of screen time for the
    particles at ``particle_speed`` (they flow in their own time, also with steps = 0)."""
    steps = args.get("steps", 1)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps <= MAX_STEPS_PER_CALL:
        raise ValueError(f"Invalid steps={show(steps)}: must be an integer in [0, {MAX_STEPS_PER_CALL}]")
    seconds = _number(args, "flow_seconds", 0.0)
    if not 0 <= seconds <= MAX_FLOW_SECONDS:
        raise ValueError(f"Invalid flow_seconds={show(seconds)}: must be in [0, {MAX_FLOW_SECONDS}]")
    speed = _number(args, "particle_speed", DEFAULTS["particle_speed"])
    if not 0.05 <= speed <= 20:
        raise ValueError(f"Invalid particle_speed={show(speed)}: must be in [0.05, 20]")
    moved = s.advance(steps)
    s.flow(seconds, speed)
    return {"runs": s.snapshot(), **moved, "step_status_names": list(STEP_STATUS), "particles": s.particle_snapshot()}


def cmd_drop(s: Session, args: dict) -> dict:
    points = args.get("points")
    if not isinstance(points, list):
        raise ValueError(f"Invalid points={show(points)}: must be a list of [x, y]")
    if len(points) > MAX_PARTICLES:
        raise ValueError(f"Invalid points: {len(points):,} of them, more than {MAX_PARTICLES:,}")
    s.drop([[_number({"x": p[0]}, "x"), _number({"y": p[1]}, "y")] if isinstance(p, list) and len(p) == 2
            else _bad_point(p) for p in points])
    return {"particles": s.particle_snapshot()}


def _bad_point(p):
    raise ValueError(f"Invalid point {show(p)}: must be [x, y]")


def cmd_drop_grid(s: Session, args: dict) -> dict:
    s.drop_grid(args.get("n", 12))
    return {"particles": s.particle_snapshot()}


def cmd_clear(s: Session, args: dict) -> dict:
    s.clear()
    return {"particles": s.particle_snapshot()}


def cmd_probe(s: Session, args: dict) -> dict:
    return s.probe(_number(args, "x"), _number(args, "y"))


def cmd_field(s: Session, args: dict) -> dict:
    """The gradient field −∇f of the current landscape on an n×n grid of arrows."""
    n = args.get("n", 21)
    lo, hi = FIELD_GRID
    if isinstance(n, bool) or not isinstance(n, int) or not lo <= n <= hi:
        raise ValueError(f"Invalid field grid size n={show(n)}: must be an integer in [{lo}, {hi}]")
    arrows = flow.field_arrows(s.landscape, n)
    return {"landscape": s.landscape.key, "field": {"x": arrows.x, "y": arrows.y, "u": arrows.u, "v": arrows.v}}


def _count(args: dict, name: str, default: int, bounds: tuple[int, int]) -> int:
    value = args.get(name, default)
    lo, hi = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"Invalid {name}={show(value)}: must be an integer in [{lo}, {hi}]")
    return value


def _sweep_keys(args: dict) -> list[str]:
    keys, valid = args.get("keys"), optimizers.names()
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
        raise ValueError(f"Invalid keys={show(keys)}: must be a non-empty list of optimizer keys")
    for k in keys:
        if k not in valid:
            raise ValueError(f"Unknown optimizer {show(k)} in keys; valid optimizers are: {', '.join(valid)}")
    if len(set(keys)) != len(keys):
        raise ValueError(f"Invalid keys={show(keys)}: each optimizer at most once")
    return keys


def _sweep_batches(s: Session, keys: list[str]) -> list[dict]:
    """Each key's sweep as {key: (registry name, hyperparameters but lr)}, in batches of
    distinct names: a ball that runs as another optimizer (Nesterov at β = 0 runs as SGD)
    goes in a batch of its own."""
    batches: list[dict] = [{}]
    for key in keys:
        name, hp = ball_hyperparameters(key, s.lr, s.beta, s.settings.get(key))
        batch = next((b for b in batches if name not in {n for n, _ in b.values()}), None)
        if batch is None:
            batches.append(batch := {})
        batch[key] = (name, {p: v for p, v in hp.items() if p != "lr"})
    return batches


def _sweep_row(key: str, row: dict, start_loss: float) -> dict:
    """A row the page can draw: non-finite final/best as the last finite value (a run never
    finite: the start's loss, diverged at step 0)."""
    final, best = np.array(row["final"], float), np.array(row["best"], float)
    diverged = np.array(row["diverged"], np.int32)
    never = ~np.isfinite(final) | ~np.isfinite(best)
    if never.any():
        final[never], best[never] = start_loss, start_loss
        diverged[never & (diverged < 0)] = 0
    band = row["band"]
    return {"key": key, "final": final, "best": best, "reached": np.asarray(row["reached"], np.int32),
            "diverged": diverged, "band": None if band is None else [float(band[0]), float(band[1])]}


def cmd_sweep(s: Session, args: dict) -> dict:
    """The learning-rate sweep (``optimizers.sweep``) of ``keys`` on the session's landscape
    and start, with its noise, seed and each key's settings (its own lr aside): ``points``
    log-spaced lrs over the landscape's lr range, ``steps`` steps each. Keys that take no
    lr (simulated annealing) are skipped and listed in ``skipped``."""
    keys = _sweep_keys(args)
    steps = _count(args, "steps", DEFAULTS["sweep_steps"], SWEEP_STEPS)
    points = _count(args, "points", DEFAULTS["sweep_points"], SWEEP_POINTS)
    threshold = _number(args, "threshold", DEFAULTS["sweep_threshold"])
    if threshold <= 0:
        raise ValueError(f"Invalid threshold={show(args.get('threshold'))}: must be a finite number > 0")
    skipped = [k for k in keys if "lr" not in _specs(k)]
    began = time.perf_counter()
    rows, result = {}, None
    for batch in _sweep_batches(s, [k for k in keys if k not in skipped]):
        if not batch:
            continue
        names = [name for name, _ in batch.values()]
        result = optimizers.sweep(names, s.landscape, s.start, points=points, steps=steps, threshold=threshold,
                                  noise=s.noise, seed=s.seed, settings={n: hp for n, hp in batch.values()})
        by_name = {row["key"]: row for row in result.rows}
        rows.update((key, by_name[name]) for key, (name, _) in batch.items())
    elapsed = (time.perf_counter() - began) * 1e3
    with np.errstate(all="ignore"):
        start_loss = float(s.landscape.f(*s.start))
    start_loss = start_loss if math.isfinite(start_loss) else 0.0
    lrs = result.lrs if result is not None else np.geomspace(*s.landscape.lr_range, points)
    target = None if result is None or not math.isfinite(result.target) else float(result.target)
    return {"landscape": s.landscape.key, "lrs": np.asarray(lrs, float), "threshold": threshold,
            "target": target, "steps": steps, "points": points,
            "rows": [_sweep_row(k, rows[k], start_loss) for k in keys if k in rows],
            "skipped": skipped, "elapsed_ms": elapsed}


COMMANDS = {"init": cmd_init, "prefetch": cmd_prefetch, "scene": cmd_scene, "recolor": cmd_recolor,
            "contours_loaded": cmd_contours_loaded, "contours": cmd_contours, "warm": cmd_warm, "reset": cmd_reset,
            "advance": cmd_advance, "drop": cmd_drop, "drop_grid": cmd_drop_grid, "clear": cmd_clear,
            "probe": cmd_probe, "field": cmd_field, "sweep": cmd_sweep, "picture": cmd_picture}
COMMANDS.update(app_side.COMMANDS)  # taking a scene away, loading the side worker's features

_DTYPES = {np.dtype("float64"): "f8", np.dtype("float32"): "f4", np.dtype("uint8"): "u1",
           np.dtype("int8"): "i1", np.dtype("int16"): "i2", np.dtype("int32"): "i4"}


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _encode(value, arrays: list):
    """Replace numpy arrays by ``$array`` references (collecting them) and numpy scalars by floats."""
    if type(value) in _PLAIN:  # most leaves: nothing to do
        return value
    if isinstance(value, np.ndarray):
        arr = np.ascontiguousarray(value)
        if arr.dtype not in _DTYPES:
            arr = arr.astype(np.float64)
        arrays.append(arr)
        return {"$array": len(arrays) - 1, "dtype": _DTYPES[arr.dtype], "shape": list(arr.shape)}
    if isinstance(value, dict):
        return {k: _encode(v, arrays) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v, arrays) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


_JSON_TOKENS = re.compile(r'\\.|["\[\]{}]')  # an escape pair, a quote or a bracket


def _check_depth(command: str, text: str) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH`` before parsing (the parser would recurse
    once per level). One linear pass over the quotes and brackets outside strings."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth, in_string = 0, False
    for m in _JSON_TOKENS.finditer(text):
        c = m.group()
        if c == '"':
            in_string = not in_string
        elif in_string or len(c) == 2:
            continue
        elif c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ValueError(f"Invalid arguments for {command!r}: nested deeper than {MAX_DEPTH} levels")
        else:
            depth -= 1


def parse_args(command: str, args_json) -> dict:
    """The arguments as a dict, or ValueError saying what is wrong with the text."""
    if not isinstance(args_json, str):
        raise ValueError(f"Invalid arguments for {command!r}: args_json={show(args_json)} must be JSON text (a str)")
    if len(args_json) > MAX_ARGS_CHARS:
        raise ValueError(f"Invalid arguments for {command!r}: {len(args_json):,} characters of JSON, "
                         f"more than {MAX_ARGS_CHARS:,}")
    _check_depth(command, args_json)
    try:
        args = json.loads(args_json)
    except RecursionError:  # a safety net: _check_depth has refused deep nesting already
        raise ValueError(f"Invalid arguments for {command!r}: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as err:  # JSONDecodeError, or an integer of more than 4,300 digits
        raise ValueError(f"Invalid arguments for {command!r}: not JSON ({str(err)[:120]})") from None
    if not isinstance(args, dict):
        raise ValueError(f"Invalid arguments for {command!r}: must be a JSON object, not {show(args)}")
    return args


def handle(command: str, args_json: str = "{}", session: Session | None = None) -> tuple[str, list]:
    """Run one command from the page: JSON text in, (JSON text, arrays) out.

    Every malformed call raises ValueError naming what is wrong (see the module docstring)
    and leaves the session as it was."""
    if not isinstance(command, str) or command not in COMMANDS:
        raise ValueError(f"Unknown command {show(command)}; valid commands are: {', '.join(COMMANDS)}")
    args = parse_args(command, args_json)
    arrays: list = []
    try:
        result = _encode(COMMANDS[command](session or SESSION, args), arrays)
    except UnknownNameError as err:  # an unknown landscape or colormap: one error type
        raise ValueError(str(err)) from None
    return json.dumps(result, allow_nan=False), arrays
