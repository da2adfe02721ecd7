"""The thin bridge between the page's worker and our packages.

The worker calls one function, ``handle(command, args_json)``, and gets back a JSON text
plus a list of numpy arrays; the JSON refers to array i as
``{"$array": i, "dtype": "f8", "shape": [...]}`` so that every array crosses as one typed
array. Arguments arrive as JSON text, are parsed as data and validated; nothing a page or
a URL sends is ever executed as code.

The session (landscape, learning rate, β, start, the six runs, the particles) is held by
one ``Session`` object. It is plain Python and runs under CPython too (tests/test_app.py).

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

import importlib.util
import json
import math
import re
from functools import lru_cache

import numpy as np

import landscapes
import optimizers
import rendering
from landscapes.errors import UnknownNameError, show
from optimizers import flow, rules, run

DEFAULTS = {"landscape": "ravine", "resolution": 240, "colormap": rendering.DEFAULT_COLORMAP,
            "beta": 0.9, "speed": 4, "show": "gradient", "particle_speed": 1.0}
GRADIENT_METHODS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
MAX_STEPS_PER_CALL = 1000
MAX_PARTICLES = 5000
MAX_GRID = 70
MAX_FLOW_SECONDS = 0.25  # screen time one call may advance the particles by
FIELD_GRID = (5, 41)  # arrows per side of the gradient field
MAX_ARGS_CHARS = 1_000_000  # longest args_json accepted
MAX_DEPTH = 20  # deepest nesting of arrays and objects in args_json
LEFT_VIEW_SPANS = 1.0  # a running ball this many spans beyond the view has "left the view"
LEFT_VIEW = "left the view"


def hyperparameters(key: str, lr: float, beta: float) -> tuple[str, dict]:
    """The optimizer (registry name and keyword arguments) a ball runs for the page's lr and β
    (see ``optimizers.page_hyperparameters``, shared with the lesson tests)."""
    return optimizers.page_hyperparameters(key, lr, beta)


def _make_optimizer(key: str, lr: float, beta: float) -> rules.Optimizer:
    name, hp = hyperparameters(key, lr, beta)
    opt = optimizers.create(name, **hp)
    return opt._replace(key=key)


class Session:
    """Everything the page shows, as plain state the worker mutates through ``handle``."""

    def __init__(self) -> None:
        self.landscape = landscapes.get(DEFAULTS["landscape"])
        self.lr = self.landscape.default_lr
        self.beta = self.landscape.default_beta
        self.start = self.landscape.start
        self.keys = optimizers.names()
        self.opts: list[rules.Optimizer] = []
        self.runs: list[run.RunState] = []
        self.diverged_step = np.full(len(self.keys), -1)
        self.particles = Particles.empty(self.landscape)
        self.particle_generation = 0
        self.reset_runs()

    # ------------------------------------------------------------------ balls
    def reset_runs(self, lr=None, beta=None, start=None) -> None:
        """Restart every ball from ``start`` with the given lr and β (validated first, so a
        bad value leaves the current run untouched)."""
        lr = self.lr if lr is None else lr
        beta = self.beta if beta is None else beta
        start = self.start if start is None else start
        opts = [_make_optimizer(k, lr, beta) for k in self.keys]
        start_arr = run.as_starts(start)
        if len(start_arr) != 1:
            raise ValueError(f"Invalid start={show(start)}: must be one (x, y) pair")
        self.lr, self.beta, self.start = float(lr), float(beta), tuple(start_arr[0].tolist())
        self.opts = opts
        self.runs = [run.init(o, self.landscape, start_arr) for o in opts]
        self.diverged_step = np.full(len(self.keys), -1)

    def advance(self, steps: int) -> dict:
        """``steps`` updates of every ball: their path (steps, n, 2), loss (steps, n) and
        where a path jumped (steps, n; a random restart began a new descent)."""
        n = len(self.keys)
        path = np.empty((steps, n, 2))
        loss = np.empty((steps, n))
        jumped = np.zeros((steps, n), np.uint8)
        for i in range(steps):
            before = [_restart_index(r) for r in self.runs]
            self.runs = run.step_many(self.opts, self.landscape, self.runs)
            for k, r in enumerate(self.runs):
                path[i, k] = r.positions[0]
                loss[i, k] = r.loss[0]
                jumped[i, k] = _restart_index(r) != before[k] and r.status[0] != run.DIVERGED
                if r.status[0] == run.DIVERGED and self.diverged_step[k] < 0:
                    self.diverged_step[k] = r.steps
        return {"path": path, "loss": loss, "jumped": jumped}

    def snapshot(self) -> dict:
        positions = np.array([r.positions[0] for r in self.runs])
        return {
            "step": self.runs[0].steps,
            "keys": self.keys,
            "positions": positions,
            "loss": np.array([r.loss[0] for r in self.runs]),
            "best": np.array([r.best_loss[0] for r in self.runs]),
            "status": self.status(positions),
            "diverged_step": self.diverged_step.astype(np.int32),
            "basin": [basin_label(self.landscape, x, y) for x, y in positions],
        }

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
    def set_landscape(self, key: str, lr, beta, start) -> None:
        land = landscapes.get(key)
        previous = self.landscape
        self.landscape = land
        try:
            self.reset_runs(lr, beta, land.start if start is None else start)
        except Exception:
            self.landscape = previous
            raise
        self.clear()

    def probe(self, x: float, y: float) -> dict:
        with np.errstate(all="ignore"):
            f = float(self.landscape.f(x, y))
            gx, gy = (float(v) for v in self.landscape.grad(x, y))
        ok = all(math.isfinite(v) for v in (f, gx, gy))
        return {"x": x, "y": y, "f": f if ok else None, "gx": gx if ok else None, "gy": gy if ok else None}


def _restart_index(r: run.RunState) -> int:
    """Which descent a random-restarts run is on (0 for every other optimizer)."""
    return int(np.max(getattr(r.opt_state, "restart", 0)))


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


@lru_cache(maxsize=32)
def _grid_and_scale(key: str, resolution: int):
    land = landscapes.get(key)
    grid = rendering.sample(land, resolution)
    return grid, rendering.color_scale(land.color_scale, grid.z)


@lru_cache(maxsize=32)
def picture(key: str, resolution: int, colormap: str) -> dict:
    """Heatmap pixels and colour bar of a landscape (cached: switching back is free)."""
    table = rendering.lut(colormap)
    grid, scale = _grid_and_scale(key, resolution)
    return {
        "heatmap": {"width": len(grid.xs), "height": len(grid.ys), "extent": list(landscapes.get(key).domain),
                    "rgba": rendering.colorize(scale.forward(grid.z), table)},
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
                        "name": m.label} for m in land.minima]}


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


def cmd_init(s: Session, args: dict) -> dict:
    return {"landscapes": [describe_landscape(land) for land in landscapes.all_landscapes()],
            "optimizers": [{"key": k, "label": optimizers.label(k),
                            "group": "gradient" if k in GRADIENT_METHODS else "escape"}
                           for k in optimizers.names()],
            "colormaps": rendering.colormap_names(), "defaults": DEFAULTS}


def cmd_scene(s: Session, args: dict) -> dict:
    key = _name(args, "landscape", DEFAULTS["landscape"])
    resolution = _resolution(args)
    colormap = _name(args, "colormap", DEFAULTS["colormap"])
    pic = full_picture(key, resolution, colormap)  # validates all three before any change
    s.set_landscape(key, _number(args, "lr", landscapes.get(key).default_lr),
                    _number(args, "beta", landscapes.get(key).default_beta), _start(args))
    return {"landscape": key, **pic, "runs": {**s.snapshot(), "rules": s.rules()},
            "particles": s.particle_snapshot()}


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
    pic = full_picture(s.landscape.key, _resolution(args), _name(args, "colormap", DEFAULTS["colormap"]))
    return {"landscape": s.landscape.key, **pic}


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
            "contours": contour_lines(s.landscape.key, _resolution(args))}


def cmd_reset(s: Session, args: dict) -> dict:
    s.reset_runs(_number(args, "lr", s.lr), _number(args, "beta", s.beta), _start(args))
    return {"runs": {**s.snapshot(), "rules": s.rules()}, "particles": s.particle_snapshot()}


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
    return {"runs": s.snapshot(), **moved, "particles": s.particle_snapshot()}


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


COMMANDS = {"init": cmd_init, "prefetch": cmd_prefetch, "scene": cmd_scene, "recolor": cmd_recolor,
            "contours_loaded": cmd_contours_loaded, "contours": cmd_contours, "warm": cmd_warm, "reset": cmd_reset,
            "advance": cmd_advance, "drop": cmd_drop, "drop_grid": cmd_drop_grid, "clear": cmd_clear,
            "probe": cmd_probe, "field": cmd_field}

_DTYPES = {np.dtype("float64"): "f8", np.dtype("float32"): "f4", np.dtype("uint8"): "u1",
           np.dtype("int8"): "i1", np.dtype("int16"): "i2", np.dtype("int32"): "i4"}


def _encode(value, arrays: list):
    """Replace numpy arrays by ``$array`` references (collecting them) and numpy scalars by floats."""
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
