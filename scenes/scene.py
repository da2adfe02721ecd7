"""``Scene``: what the page shows, validated, as a frozen value that recomputes it exactly."""

from __future__ import annotations

import functools
import json
import math
import operator
from dataclasses import dataclass, fields
from numbers import Real

import numpy as np

import landscapes
import optimizers
from landscapes import expression as typed
from landscapes.errors import show, unknown_name
from optimizers import run
from optimizers import validation as check

MAX_STEPS = check.MAX_STEPS  # 100,000
MAX_PARTICLES = 5000
MAX_OPTIMIZERS = 16
MAX_TEXT = 1_000_000  # characters of scene JSON accepted by ``loads``
MAX_SETTING_INTEGER = 2**53 - 1  # an integer setting (a seed, a count) exact as a JavaScript number
CUSTOM = typed.KEY  # "custom": a typed landscape, carried by the scene's ``custom`` field
TYPED_REQUIRED = ("custom", "start", "lr", "beta")  # a custom scene's fields without defaults
TYPED_CACHE = 8  # typed landscapes built by ``Scene.land`` kept


def _number(name: str, value) -> float:
    """A finite real number (bools, strings and None refused) as a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise ValueError(f"Invalid {name}={show(value)}: must be a finite number")
    try:
        v = float(value)
    except OverflowError:
        v = math.inf
    if not math.isfinite(v):
        raise ValueError(f"Invalid {name}={show(value)}: must be a finite number")
    return v + 0.0  # −0.0 is 0.0


def _point(name: str, value) -> tuple[float, float]:
    """[x, y] or (x, y) of finite numbers."""
    if not (isinstance(value, (list, tuple)) and len(value) == 2):
        raise ValueError(f"Invalid {name}={show(value)}: must be a pair [x, y] of finite numbers")
    return (_number(f"{name}[0]", value[0]), _number(f"{name}[1]", value[1]))


def _sequence(name: str, value, limit: int) -> list:
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"Invalid {name}={show(value)}: must be a list")
    if len(value) > limit:
        raise ValueError(f"Invalid {name}: {len(value):,} entries, more than {limit:,}")
    return list(value)


def _landscape_key(value) -> str:
    if not isinstance(value, str):
        raise ValueError(f"Invalid landscape={show(value)}: must be a landscape key (a string)")
    if value != CUSTOM and value not in landscapes.names():
        raise unknown_name("landscape", value, [*landscapes.names(), CUSTOM])
    return value


def check_expression(value) -> str:
    """A typed f(x, y): a str of at most ``expression_parse.MAX_CHARS`` characters that
    ``expression_parse.parse`` accepts (the ast whitelist; no sympy), else ValueError."""
    from landscapes import expression_parse  # ast and unicodedata: loaded on first use

    if not isinstance(value, str) or len(value) > expression_parse.MAX_CHARS:
        raise ValueError(f"Invalid custom['expression']={show(value)}: must be a str of at most "
                         f"{expression_parse.MAX_CHARS} characters")
    try:
        expression_parse.parse(value)
    except ValueError as err:  # the parser's own message, said where it applies
        raise ValueError(f"custom: {err}") from None
    return value


def _custom(value, landscape: str):
    """None for a registry landscape; for "custom" its typed landscape's (expression,
    (xmin, xmax, ymin, ymax)), from {"expression", "domain"} or that pair."""
    if landscape != CUSTOM:
        if value is not None:
            raise ValueError(f"Invalid custom={show(value)}: only a scene of landscape {CUSTOM!r} has one")
        return None
    if isinstance(value, dict) and set(value) == {"expression", "domain"}:
        value = (value["expression"], value["domain"])
    if not (isinstance(value, tuple) and len(value) == 2):
        raise ValueError(f"Invalid custom={show(value)}: landscape {CUSTOM!r} needs "
                         f'{{"expression": text, "domain": [xmin, xmax, ymin, ymax]}}')
    expression = check_expression(value[0])
    try:
        domain = typed.check_domain(value[1])
    except ValueError as err:
        raise ValueError(f"custom: {err}") from None
    return (expression, tuple(v + 0.0 for v in domain))


@functools.lru_cache(maxsize=TYPED_CACHE)
def _typed_landscape(expression: str, domain: tuple, start: tuple):
    """``landscapes.from_expression`` at ``start``, or at its own default start where that
    is refused (outside the window, or f undefined there: the message names "start" first)."""
    try:
        return landscapes.from_expression(expression, domain=domain, start=start)
    except ValueError as err:
        if not str(err).startswith("Invalid start="):
            raise
        return landscapes.from_expression(expression, domain=domain, start=None)


def _show(value) -> tuple[str, ...]:
    keys = _sequence("show", value, MAX_OPTIMIZERS)
    for key in keys:
        if not isinstance(key, str):
            raise ValueError(f"Invalid show entry {show(key)}: must be an optimizer key (a string)")
        optimizers.label(key)  # an unknown key: KeyError listing the valid ones
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValueError(f"Invalid show={show(value)}: {repeated[0]!r} is listed twice")
    return tuple(keys)


def _setting_value(key: str, param: str, kind: str, value):
    """A settings value as the optimizer takes it, checked for its kind (a number, an
    integer, a flag, or a pair [a, b]); the optimizer checks its range."""
    name = f"settings[{key!r}][{param!r}]"
    if kind == "flag":
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"Invalid {name}={show(value)}: must be true or false")
        return bool(value)
    if kind == "pair":
        if not (isinstance(value, (list, tuple)) and len(value) == 2):
            raise ValueError(f"Invalid {name}={show(value)}: must be a pair [a, b] of numbers")
        return tuple(_plain_number(f"{name}[{i}]", v) for i, v in enumerate(value))
    v = _plain_number(name, value)
    if kind == "integer" and isinstance(v, int) and abs(v) > MAX_SETTING_INTEGER:
        raise ValueError(f"Invalid {name}={show(value)}: must be an integer of at most {MAX_SETTING_INTEGER} "
                         f"(2⁵³ − 1, exact in the page's URL)")
    return v


def _plain_number(name: str, value):
    """A number as a plain Python int or float (numpy scalars converted), else ValueError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise ValueError(f"Invalid {name}={show(value)}: must be a number")
    if isinstance(value, (int, np.integer)):
        return operator.index(value)
    return float(value)


def _settings(value, lr: float, beta: float) -> tuple:
    """{key: {param: value}} → ((key, ((param, value), ...)), ...) in registry order of
    the keys and each key's ``hyperparameter_specs`` order of its parameters; every key's
    optimizer is created from them so that a bad value is refused with its own message."""
    if isinstance(value, tuple):  # the stored form, e.g. from dataclasses.replace
        value = {k: dict(v) for k, v in value}
    if not isinstance(value, dict):
        raise ValueError(f"Invalid settings={show(value)}: must be an object {{key: {{param: value}}}}")
    for key in value:
        if not isinstance(key, str):
            raise ValueError(f"Invalid settings key {show(key)}: must be an optimizer key (a string)")
        optimizers.label(key)
    resolved = []
    for key in (k for k in optimizers.names() if k in value):
        own = value[key]
        if not isinstance(own, dict):
            raise ValueError(f"Invalid settings[{key!r}]={show(own)}: must be an object {{param: value}}")
        specs = {spec["name"]: spec["kind"] for spec in optimizers.hyperparameter_specs(key)}
        unknown = sorted((p for p in own if p not in specs), key=repr)
        if unknown:
            raise ValueError(f"Unknown hyperparameter {show(unknown[0])} for optimizer {key!r} in settings; "
                             f"valid ones are: {', '.join(specs)}")
        params = tuple((p, _setting_value(key, p, specs[p], own[p])) for p in specs if p in own)
        if params:
            name, hp = optimizers.ball_hyperparameters(key, lr, beta, dict(params))
            try:
                optimizers.create(name, **hp)
            except ValueError as err:  # the optimizers' own message, said where it applies
                raise ValueError(f"settings[{key!r}]: {err}") from None
            resolved.append((key, params))
    return tuple(resolved)


def _plain(value):
    """A stored value as JSON data: tuples as lists."""
    return [_plain(v) for v in value] if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Scene:
    """A scene of the page: the landscape, the shared start, lr, β, gradient noise σ and its
    seed, the visible optimizers (``show``, registry keys), each optimizer's own settings,
    the number of optimizer steps every ball has taken, the gradient-flow particles'
    starts and, for the landscape "custom" only, the typed landscape (``custom``: its
    expression and domain, from {"expression", "domain"} or the stored pair). Constructed
    values are validated and normalised (numbers as floats, pairs and lists as tuples,
    settings in registry order); see the ``scenes`` docstring for the JSON form and the
    limits."""

    landscape: str
    start: tuple[float, float]
    lr: float
    beta: float
    noise: float = 0.0
    seed: int = 0
    show: tuple[str, ...] = optimizers.GRADIENT_METHODS
    settings: tuple = ()  # ((key, ((param, value), ...)), ...)
    steps: int = 0
    particles: tuple[tuple[float, float], ...] = ()
    custom: tuple[str, tuple[float, float, float, float]] | None = None  # (expression, domain)

    def __post_init__(self) -> None:
        def set_(name, value):  # frozen: normalise through object.__setattr__
            object.__setattr__(self, name, value)

        set_("landscape", _landscape_key(self.landscape))
        set_("custom", _custom(self.custom, self.landscape))
        set_("start", _point("start", self.start))
        set_("lr", check.positive("lr", self.lr) + 0.0)
        set_("beta", check.unit_interval("beta", self.beta) + 0.0)
        set_("noise", run.noise_level(self.noise))
        set_("seed", run.noise_seed(self.seed))
        set_("show", _show(self.show))
        set_("steps", check.steps(self.steps))
        set_("particles", tuple(_point(f"particles[{i}]", p)
                                for i, p in enumerate(_sequence("particles", self.particles, MAX_PARTICLES))))
        set_("settings", _settings(self.settings, self.lr, self.beta))
        for key in self.show:  # the shared lr and β must suit every visible ball
            name, hp = optimizers.ball_hyperparameters(key, self.lr, self.beta, self.settings_of(key) or None)
            optimizers.create(name, **hp)

    # ------------------------------------------------------------------ JSON
    @classmethod
    def from_dict(cls, data) -> "Scene":
        """The scene a JSON object describes (``scenes`` docstring). Only ``landscape`` is
        required for a registry landscape; a missing field takes the landscape's default
        (start, lr, β, steps) or the page's (σ 0, seed 0, the six gradient methods, no
        settings, no particles). A "custom" scene also requires ``custom``, ``start``,
        ``lr`` and ``beta`` (a typed landscape has no registry entry, and building it
        would need sympy; steps default to 0). An unknown or missing field, or a value of
        the wrong type or range: ValueError naming it; an unknown landscape or optimizer
        key: KeyError listing the valid ones."""
        if not isinstance(data, dict):
            raise ValueError(f"Invalid scene={show(data)}: must be an object {{field: value}}")
        names = [f.name for f in fields(cls)]
        unknown = sorted((k for k in data if k not in names), key=repr)
        if unknown:
            raise ValueError(f"Unknown scene field {show(unknown[0])}; valid fields are: {', '.join(names)}")
        if "landscape" not in data:
            raise ValueError("Invalid scene: the field 'landscape' is missing")
        return cls(**{**_defaults(data), **data})

    def to_dict(self) -> dict:
        """The scene as JSON data (lists for pairs; "custom" only for a typed landscape);
        ``Scene.from_dict`` gives it back."""
        custom = {} if self.custom is None else {"custom": {"expression": self.custom[0],
                                                             "domain": list(self.custom[1])}}
        return {"landscape": self.landscape, **custom, "start": list(self.start), "lr": self.lr, "beta": self.beta,
                "noise": self.noise, "seed": self.seed, "show": list(self.show),
                "settings": {key: {p: _plain(v) for p, v in params} for key, params in self.settings},
                "steps": self.steps, "particles": [list(p) for p in self.particles]}

    def dumps(self, indent: int | None = None) -> str:
        """The scene as JSON text (strict: no NaN); ``scenes.loads`` reads it back."""
        return json.dumps(self.to_dict(), allow_nan=False, indent=indent, ensure_ascii=False)

    # ------------------------------------------------------------------ what it shows
    def settings_of(self, key: str) -> dict:
        """The optimizer ``key``'s own settings, {param: value} (pairs as tuples)."""
        return dict(next((params for k, params in self.settings if k == key), ()))

    def land(self):
        """The ``landscapes.Landscape`` of the scene: the registry's, or for "custom"
        ``landscapes.from_expression(expression, domain=domain, start=self.start)`` (start
        None, its own default, where that start is refused: outside the window or f
        undefined there). A typed landscape needs sympy (imported on the first build) and
        is built once per (expression, domain, start): the last ``TYPED_CACHE`` are kept."""
        if self.custom is None:
            return landscapes.get(self.landscape)
        return _typed_landscape(*self.custom, self.start)

    def balls(self) -> list[tuple[str, str, dict]]:
        """(key, registry name, hyperparameters) of every visible optimizer, in ``show``
        order, as the page resolves them: ``optimizers.ball_hyperparameters(key, lr, β,
        own settings)`` (Nesterov at momentum 0 runs as "sgd")."""
        return [(key, *optimizers.ball_hyperparameters(key, self.lr, self.beta, self.settings_of(key) or None))
                for key in self.show]

    def simulate(self) -> dict:
        """{key: ``optimizers.Simulation``} of every visible ball from the start for
        ``steps`` steps with the scene's noise and seed: exactly the page's balls, and
        exactly what ``optimizers.simulate(name, land, [start], steps, noise=σ,
        noise_seed=seed, **hp)`` gives each. All balls step together (``run.step_many``:
        one gradient and one loss evaluation per step for all of them; rows never interact),
        as the page's session steps them."""
        land, start = self.land(), run.as_starts([self.start])
        balls = self.balls()
        if not balls:
            return {}
        check.run_size(self.steps, len(balls))
        opts = [optimizers.create(name, **hp) for _, name, hp in balls]
        states = [run.init(o, land, start, noise=self.noise, seed=self.seed) for o in opts]
        shape = (self.steps + 1, len(balls))
        path, loss, status = np.empty(shape + (2,)), np.empty(shape), np.empty(shape, np.int8)

        def record(t):
            path[t] = np.concatenate([st.positions for st in states])
            loss[t] = np.concatenate([st.loss for st in states])
            status[t] = np.concatenate([st.status for st in states])

        record(0)
        for t in range(1, self.steps + 1):
            states = run.step_many(opts, land, states)
            record(t)
        return {key: optimizers.Simulation(path[:, i:i + 1].copy(), loss[:, i:i + 1].copy(), states[i],
                                           status[:, i:i + 1].copy())
                for i, (key, _, _) in enumerate(balls)}

    def flows(self, points: int = optimizers.flow.PATH_POINTS) -> optimizers.FlowPaths:
        """Every particle's gradient-flow curve dx/dt = −∇f from its start until it comes
        to rest, diverges or stops (``optimizers.gradient_flow_paths``; ``end`` is exactly
        ``optimizers.gradient_flow(land, particles)``)."""
        starts = np.array(self.particles, dtype=float).reshape(-1, 2)
        return optimizers.gradient_flow_paths(self.land(), starts, points=points)


def _defaults(data: dict) -> dict:
    """The defaults of a scene's missing fields: its registry landscape's start, lr, β and
    steps; a "custom" scene has none (``TYPED_REQUIRED`` must be there)."""
    key = _landscape_key(data["landscape"])
    if key == CUSTOM:
        missing = [name for name in TYPED_REQUIRED if name not in data]
        if missing:
            raise ValueError(f"Invalid scene: the field {missing[0]!r} is missing (a scene of landscape "
                             f"{CUSTOM!r} requires {', '.join(TYPED_REQUIRED)})")
        return {}
    land = landscapes.get(key)
    return {"start": land.start, "lr": land.default_lr, "beta": land.default_beta, "steps": land.steps}


def loads(text) -> Scene:
    """The scene a JSON text describes (``Scene.from_dict``). Refused with a ValueError:
    not a str, more than ``MAX_TEXT`` characters, not JSON, NaN or Infinity in it, nesting
    too deep."""
    if not isinstance(text, str):
        raise ValueError(f"Invalid scene text of type {type(text).__name__}: must be a str of JSON")
    if len(text) > MAX_TEXT:
        raise ValueError(f"Invalid scene text: {len(text):,} characters, more than {MAX_TEXT:,}")

    def refuse_constant(name):
        raise ValueError(f"Invalid scene JSON: {name} is not a finite number")

    try:
        data = json.loads(text, parse_constant=refuse_constant)
    except RecursionError:
        raise ValueError("Invalid scene JSON: nested too deeply") from None
    except ValueError as err:  # JSONDecodeError, an integer of more than 4,300 digits, NaN
        message = str(err) if str(err).startswith("Invalid scene JSON") else f"Invalid scene JSON: {err}"
        raise ValueError(message) from None
    return Scene.from_dict(data)
