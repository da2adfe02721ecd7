"""``python_script``: a short runnable script that reproduces a scene with the public API.

Only registry keys (checked to be plain words), numbers (repr: exact) and a typed
landscape's expression (repr of a text that ``expression_parse.parse`` accepts, checked
again here) from the scene reach the text; everything else in it is fixed here.
"""

from __future__ import annotations

import math

import landscapes
import optimizers
from landscapes.errors import show

from .export import OUTCOME_FORMAT, file_name, plain_key
from .scene import Scene, check_expression

PAIRS_PER_LINE = 4


def _literal(value) -> str:
    """A number, a flag or a tuple of them as an exact Python literal."""
    if isinstance(value, bool) or isinstance(value, int):
        return repr(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(_literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    raise ValueError(f"Invalid value {value!r:.80}: a script holds only finite numbers, flags and pairs")


def _key(key: str) -> str:
    return f'"{plain_key(key)}"'


def _param(name: str, param: str) -> str:
    """A hyperparameter name of optimizer ``name``, checked to be one (so an identifier)."""
    if param not in optimizers.defaults(name) or not param.isidentifier():
        raise ValueError(f"Invalid hyperparameter {show(param)} for optimizer {name!r}")
    return param


def _keywords(name: str, hp: dict) -> str:
    return "".join(f", {_param(name, p)}={_literal(v)}" for p, v in hp.items())


OPTION_RANGES = {"azimuth": (-360, 360), "elevation": (-90, 90), "dpi": (50, 400)}  # as figures checks them


def _number_option(name: str, value) -> str:
    lo, hi = OPTION_RANGES[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value)
                                                                             and lo <= value <= hi):
        raise ValueError(f"Invalid {name}={show(value)}: must be a finite number in [{lo}, {hi}]")
    return repr(value)


def _docstring(scene: Scene) -> list[str]:
    label = landscapes.expression.LABEL if scene.custom else landscapes.get(scene.landscape).label
    label = "".join(c for c in label if c.isprintable() and c not in '"\\')  # a registry label, ours
    png = file_name(scene, "png")
    body = [
        "scenes, figures): run `pip install .` in the playground's folder (and `pip install matplotlib`",
        "for the figure), then run this file. It prints each optimizer's end point and loss as the",
        f"page's outcome table writes them and saves the figure as {png}.",
    ] if not scene.custom else [
        "scenes, figures): run `pip install .[expression]` in the playground's folder (the typed",
        "landscape needs sympy; and `pip install matplotlib` for the figure), then run this file.",
        "It prints each optimizer's end point and loss as the page's outcome table writes them and",
        f"saves the figure as {png}.",
    ]
    return [
        f'"""{label} after {scene.steps} steps, as the Loss Landscape Playground showed it.',
        "",
        "Reproduces the scene exactly with the playground's own packages (landscapes, optimizers,",
        *body,
        '"""',
    ]


def _land(scene: Scene) -> str:
    """The line that builds the landscape: the registry's, or the typed f(x, y), whose
    text (checked by ``expression_parse.parse``) is the one string from the user."""
    if not scene.custom:
        return f"land = landscapes.get({_key(scene.landscape)})"
    expression, domain = scene.custom
    return (f"land = landscapes.from_expression({check_expression(expression)!r}, "
            f"domain={_literal(domain)})  # your f(x, y)")


def _runs(scene: Scene) -> list[str]:
    noisy = ", noise=noise, noise_seed=seed" if scene.noise > 0 else ""
    lines = ["runs = {"]
    for key, name, hp in scene.balls():
        call = f"optimizers.simulate({_key(name)}, land, [start], steps{noisy}{_keywords(name, hp)})"
        note = "  # Nesterov at momentum 0 is SGD" if name != key else ""
        lines.append(f"    {_key(key)}: {call},{note}")
    return lines + ["}"]


def _particles(scene: Scene) -> list[str]:
    pairs = [_literal(p) for p in scene.particles]
    rows = [", ".join(pairs[i:i + PAIRS_PER_LINE]) for i in range(0, len(pairs), PAIRS_PER_LINE)]
    return [
        "",
        "# Gradient-flow particles: dx/dt = −∇f from each start until it comes to rest.",
        "particles = [",
        *(f"    {row}," for row in rows),
        "]",
        "flows = optimizers.gradient_flow_paths(land, particles)",
    ]


def _scene(scene: Scene) -> list[str]:
    own = [f"{_key(key)}: {{" + ", ".join(f'"{_param(key, p)}": {_literal(v)}' for p, v in params) + "}"
           for key, params in scene.settings]
    indent = " " * 25
    settings = "" if not own else "".join(f"\n{indent}{entry}," for entry in own) + "\n" + " " * 21
    noise = "noise, seed=seed" if scene.noise > 0 else f"{_literal(scene.noise)}, seed={_literal(scene.seed)}"
    return [
        f"scene = scenes.Scene(landscape={_key(scene.landscape)}, start=start, lr={_literal(scene.lr)}, "
        f"beta={_literal(scene.beta)},",
        *(["                     custom=(land.expression, land.domain),"] if scene.custom else []),
        f"                     noise={noise}, show=tuple(runs), steps=steps,",
        f"                     settings={{{settings}}},",
        f"                     particles={'particles' if scene.particles else '()'})",
    ]


def python_script(scene: Scene, *, azimuth=-60, elevation=30, dpi=150) -> str:
    """The text of a runnable Python script that reproduces ``scene``: the landscape (for
    "custom" ``landscapes.from_expression(expression, domain=...)``, which needs sympy),
    the start, one ``optimizers.simulate`` per visible optimizer with its resolved registry
    name and hyperparameters as exact literals, σ and the seed when σ > 0, the particles
    and their flow; it prints one ``OUTCOME_FORMAT`` line per optimizer (the ``scenes``
    docstring) and saves ``figures.scene_figure`` as ``file_name(scene, "png")``."""
    if not isinstance(scene, Scene):
        raise ValueError(f"Invalid scene of type {type(scene).__name__}: must be a scenes.Scene")
    azimuth, elevation, dpi = (_number_option(n, v) for n, v in
                               (("azimuth", azimuth), ("elevation", elevation), ("dpi", dpi)))
    lines = [
        *_docstring(scene),
        "",
        "import figures",
        "import landscapes",
        "import optimizers",
        "import scenes",
        "from scenes import fmt",
        "",
        _land(scene),
        f"start = {_literal(scene.start)}",
        f"steps = {_literal(scene.steps)}",
    ]
    if scene.noise > 0:
        lines.append(f"noise, seed = {_literal(scene.noise)}, {_literal(scene.seed)}"
                     "  # every method sees ∇f + σ·ξ, ξ ~ N(0, I) drawn from this seed")
    lines += ["", *_runs(scene)]
    if scene.particles:
        lines += _particles(scene)
    outcome = OUTCOME_FORMAT.format(label="{optimizers.label(key)}", x="{fmt(x)}", y="{fmt(y)}",
                                    loss="{fmt(sim.loss[-1, 0])}")
    lines += [
        "",
        "for key, sim in runs.items():",
        "    x, y = sim.path[-1, 0]",
        f'    print(f"{outcome}")',
        "",
        *_scene(scene),
        f"fig = figures.scene_figure(scene, runs=runs, flows={'flows' if scene.particles else 'None'}, "
        f"azimuth={azimuth}, elevation={elevation})",
        f'fig.savefig("{file_name(scene, "png")}", dpi={dpi})',
    ]
    return "\n".join(lines) + "\n"
