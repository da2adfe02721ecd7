"""The bridge's commands for taking a scene away and for typed landscapes.

``app.handle`` dispatches these like its own. Two run in the page's main worker, where
the session is (string work, instant):

* ``describe`` {show, step?}: the scene on screen exactly, as ``scenes.Scene.to_dict`` writes it
  (the shared lr, β, start, noise σ and seed, each optimizer's accepted settings, the
  balls' step count and the particles' starts, all in float64), ``show`` being the
  visible optimizers' keys and ``step`` the step shown (at most the current one); plus
  its ``label``.
* ``takeaway`` {kind: "json" | "python", show, step?, azimuth?, elevation?, dpi?}: that scene as
  JSON text (``Scene.dumps``) or as the script of ``scenes.python_script``; {name, text}.

The others run in the side worker (static/worker.js, role "side"), which may take
seconds without stalling the animation; each takes a ``scene`` as ``describe`` gave it:

* ``figure`` {scene, format: "png" | "svg", dpi, azimuth, elevation}: the matplotlib
  figure of ``figures.draw_scene``; PNG bytes as a uint8 array (with width and height in
  pixels) or SVG text, the file name and the time it took (in all, and re-running the
  balls and particles, building the figure and rendering it).
* ``paths_csv`` {scene}: ``scenes.paths_csv`` of it, with its row count and file name.
* ``feature_loaded`` {feature}: the worker loaded a feature's packages; import them.
* ``compile_expression`` {expression, domain, start?}: a typed f(x, y) as data for the
  main worker's ``scene`` (``landscapes.from_expression(...).to_data()``) and its meta.

Every argument is validated (``scenes.Scene.from_dict`` for the scene), and every
refusal is a ValueError naming what was wrong, which the worker sends as an error reply.
"""

from __future__ import annotations

import math
import time

import numpy as np

from landscapes.errors import show as _show

FORMATS = ("png", "svg")
KINDS = ("json", "python")
MAX_SHOWN = 16
_report = [None]  # report(text, fraction) for the stages of a long command, or None (set_progress)


def set_progress(report) -> None:
    """``report(text, fraction)`` hears the stages of a long command (``figure``) while it runs:
    the side worker (static/worker.js) passes a function that posts each to the page at
    once, so its status can say what the seconds are spent on. None: nobody listens."""
    _report[0] = report


def _stage(text: str, fraction: float) -> None:
    if _report[0] is not None:
        _report[0](text, fraction)


def _keys(value) -> list[str]:
    import optimizers

    valid = optimizers.names()
    if not isinstance(value, list) or len(value) > MAX_SHOWN or not all(isinstance(k, str) for k in value):
        raise ValueError(f"Invalid show={_show(value)}: must be a list of at most {MAX_SHOWN} optimizer keys")
    unknown = [k for k in value if k not in valid]
    if unknown:
        raise ValueError(f"Unknown optimizer {_show(unknown[0])} in show; valid optimizers are: {', '.join(valid)}")
    return [k for k in valid if k in value]  # registry order, each once


def _angle(args: dict, name: str, default: float, lo: float, hi: float) -> float:
    value = args.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not lo <= value <= hi:
        raise ValueError(f"Invalid {name}={_show(value)}: must be a number in [{lo:g}, {hi:g}] (degrees)")
    return float(value)


def _dpi(args: dict, default: int = 100) -> int:
    value = args.get("dpi", default)
    if isinstance(value, bool) or not isinstance(value, int) or not 50 <= value <= 400:
        raise ValueError(f"Invalid dpi={_show(value)}: must be a whole number in [50, 400]")
    return value


def _view(args: dict) -> dict:
    return {"azimuth": _angle(args, "azimuth", -60.0, -360.0, 360.0),
            "elevation": _angle(args, "elevation", 30.0, -90.0, 90.0)}


def scene_of(session, show, step=None) -> "scenes.Scene":  # noqa: F821
    """The session's scene with ``show`` visible (``scenes.Scene``); a typed landscape
    (``landscapes.ExpressionLandscape``) as "custom" with its expression and domain.
    ``step`` (the step the page shows, its timeline scrubbed back; None: the latest) sets
    its step count, at most the balls' current one: a scene is re-run from its start, so
    any earlier step is reproduced exactly."""
    import landscapes
    import scenes

    land = session.landscape
    typed = isinstance(land, landscapes.ExpressionLandscape)
    custom = {"custom": {"expression": land.expression, "domain": list(land.domain)}} if typed else {}
    return scenes.Scene.from_dict({
        "landscape": "custom" if typed else land.key, **custom, "start": list(session.start), "lr": session.lr,
        "beta": session.beta, "noise": session.noise, "seed": session.seed, "show": show,
        "settings": session.settings, "steps": _shown_step(step, int(session.runs[0].steps)),
        "particles": session.particles.start.tolist()})


def _shown_step(step, current: int) -> int:
    if step is None:
        return current
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise ValueError(f"Invalid step={_show(step)}: must be a whole number ≥ 0 (the step shown)")
    return min(step, current)


def _scene_arg(args: dict):
    import scenes

    data = args.get("scene")
    if not isinstance(data, dict):
        raise ValueError(f"Invalid scene={_show(data)}: must be the object the 'describe' command gives")
    return scenes.Scene.from_dict({k: v for k, v in data.items() if k != "label"})


# ---------------------------------------------------------------------- main worker

def cmd_describe(session, args: dict) -> dict:
    scene = scene_of(session, _keys(args.get("show", [])), args.get("step"))
    return {**scene.to_dict(), "label": session.landscape.label}


def cmd_takeaway(session, args: dict) -> dict:
    import scenes

    kind = args.get("kind")
    if kind not in KINDS:
        raise ValueError(f"Invalid kind={_show(kind)}: must be one of {', '.join(KINDS)}")
    scene = scene_of(session, _keys(args.get("show", [])), args.get("step"))
    if kind == "json":
        return {"name": scenes.file_name(scene, "json"), "text": scene.dumps(indent=2) + "\n"}
    text = scenes.python_script(scene, **_view(args), dpi=_dpi(args, 150))
    return {"name": scenes.file_name(scene, "py"), "text": text}


# ---------------------------------------------------------------------- side worker

def cmd_figure(session, args: dict) -> dict:
    import figures
    import scenes

    scene = _scene_arg(args)
    fmt = args.get("format", "png")
    if fmt not in FORMATS:
        raise ValueError(f"Invalid format={_show(fmt)}: must be one of {', '.join(FORMATS)}")
    dpi, view = _dpi(args), _view(args)
    clock = [time.perf_counter()]

    def lap() -> float:
        clock.append(time.perf_counter())
        return (clock[-1] - clock[-2]) * 1e3

    _stage("simulating the scene", 0.1)
    runs, flows = scene.simulate(), scene.flows() if scene.particles else None
    simulate_ms = lap()
    _stage("drawing the 3-D surface and the top view", 0.4)
    fig = figures.scene_figure(scene, runs=runs, flows=flows, **view)
    build_ms = lap()
    _stage(f"rendering the {fmt.upper()}", 0.7)
    data = figures.render(fig, fmt, dpi=dpi)
    render_ms = lap()
    width, height = (round(v * dpi) for v in fig.get_size_inches())
    reply = {"name": scenes.file_name(scene, fmt), "width": width, "height": height, "dpi": dpi,
             "elapsed_ms": (clock[-1] - clock[0]) * 1e3,
             "timing": {"simulate_ms": simulate_ms, "build_ms": build_ms, "render_ms": render_ms}}
    if fmt == "png":
        reply["png"] = np.frombuffer(data, dtype=np.uint8).copy()
    else:
        reply["svg"] = data.decode("utf-8") if isinstance(data, bytes) else data
    return reply


def cmd_paths_csv(session, args: dict) -> dict:
    import scenes

    scene = _scene_arg(args)
    text = scenes.paths_csv(scene)
    return {"name": scenes.file_name(scene, "csv"), "text": text, "rows": text.count("\n") - 1}


def cmd_feature_loaded(session, args: dict) -> dict:
    """The side worker loaded a feature's packages (static/config.js SIDE_FEATURES):
    import them now, so that the first request pays nothing more. "figures": matplotlib
    with the Agg backend and its font cache (built here, once); "expressions": sympy."""
    feature = args.get("feature")
    if feature == "figures":
        import matplotlib

        matplotlib.use("agg")
        from matplotlib import font_manager

        font_manager.findfont("DejaVu Sans")  # builds the font cache (the slow part of the first import)
        return {"feature": feature, "versions": {"matplotlib": matplotlib.__version__}}
    if feature == "expressions":
        import mpmath
        import sympy

        from landscapes import expression_sympy  # noqa: F401  (sympy's part of from_expression)

        return {"feature": feature, "versions": {"sympy": sympy.__version__, "mpmath": mpmath.__version__}}
    raise ValueError(f"Unknown feature {_show(feature)}; valid features are: figures, expressions")


def cmd_compile_expression(session, args: dict) -> dict:
    """A typed f(x, y) over a window (and a start, or none: chosen inside the window) as
    the data the main worker rebuilds it from (``landscapes.from_expression`` →
    ``to_data``; sympy runs here only), and its description for the page. Refused input
    raises the ValueError of ``from_expression``, whose message names the field
    ("expression", "domain" or "start") first."""
    import landscapes

    text = args.get("expression")
    if not isinstance(text, str):
        raise ValueError(f"Invalid expression={_show(text)}: must be text")
    domain = args.get("domain", list(landscapes.expression.DEFAULT_DOMAIN))
    start = args.get("start")
    began = time.perf_counter()
    land = landscapes.from_expression(text, domain=domain, start=start)
    import app

    return {"data": land.to_data(), "meta": app.describe_landscape(land),
            "elapsed_ms": (time.perf_counter() - began) * 1e3}


COMMANDS = {"feature_loaded": cmd_feature_loaded, "compile_expression": cmd_compile_expression, "describe": cmd_describe, "takeaway": cmd_takeaway, "figure": cmd_figure, "paths_csv": cmd_paths_csv}
