"""Scenes: what the page shows, as data that recomputes it exactly ("take a scene away").

    >>> import scenes
    >>> scene = scenes.loads('{"landscape": "ravine", "steps": 200, "show": ["sgd", "adam"]}')
    >>> sims = scene.simulate()                 # {key: optimizers.Simulation}, the page's balls
    >>> print("\\n".join(scenes.outcome_lines(scene, sims)))
    >>> open(scenes.file_name(scene, "py"), "w").write(scenes.python_script(scene))

numpy only (the figure is ``figures``, which needs matplotlib; a typed landscape needs sympy).

**The scene's JSON form** (``Scene.from_dict``, ``Scene.to_dict``, ``loads``, ``Scene.dumps``):

    {"landscape": "ravine",                   a landscape key (landscapes.names()) or "custom"
     "custom": {"expression": "log(x) + y**2", "domain": [-1.0, 3.0, -3.0, 3.0]},
                                              with "custom" only, and then required: the
                                              typed f(x, y) and its window (xmin, xmax,
                                              ymin, ymax), as landscapes.from_expression
                                              takes them
     "start": [-2.0, 4.0],                    the balls' shared start, finite
     "lr": 0.062, "beta": 0.9,                the shared learning rate (> 0) and β (in [0, 1))
     "noise": 0.0, "seed": 0,                 gradient noise σ in [0, 100] and its seed (integer ≥ 0)
     "show": ["sgd", "momentum"],             the visible optimizers' keys, each once (at most 16)
     "settings": {"adam": {"betas": [0.9, 0.99]}},   each optimizer's own hyperparameters by their
                                              torch names, as the page's URL sends them (pairs as
                                              lists; an "lr" there is that ball's own)
     "steps": 1234,                           optimizer steps taken by every ball, in [0, 100000]
     "particles": [[0.5, 1.0]]}               gradient-flow particles' starts (at most 5000)

Only "landscape" is required: a missing field takes the landscape's default (start, lr, β,
steps) or the page's (σ 0, seed 0, the six gradient methods, no settings, no particles);
a "custom" scene also requires "custom", "start", "lr" and "beta" (steps default to 0).
"custom" is checked as data, without sympy: the expression a str of at most
``landscapes.expression_parse.MAX_CHARS`` characters that ``expression_parse.parse``
accepts (its ast whitelist), the domain by ``landscapes.expression.check_domain``; only
``Scene.land`` (hence ``simulate``, ``flows``, the figure, the CSV) builds the landscape,
with sympy (``pip install .[expression]``).
Each field is checked; a bad one raises ValueError naming it and echoing the value (80
characters at most), an unknown landscape or optimizer key a KeyError listing the valid
ones, a bad setting the optimizers' own ValueError (each optimizer with settings, and each
visible one, is created from ``optimizers.ball_hyperparameters(key, lr, β, its settings)``).
``loads`` also refuses text that is not a str, longer than 1,000,000 characters, not JSON,
or holds NaN or Infinity.

**A ball** (``Scene.balls``) runs ``optimizers.ball_hyperparameters(key, lr, β, settings)``:
the page's resolution (Nesterov at momentum 0 runs as "sgd"); ``Scene.simulate`` runs each
with ``optimizers.simulate(name, land, [start], steps, noise=σ, noise_seed=seed, **hp)``,
which is exactly what the page's session computes (tests/test_scenes.py drives app.Session).

**The outcome line** (what ``python_script`` prints, one per visible optimizer in ``show``
order, and what the page's outcome table shows):

    {label}: ({x}, {y})  loss {loss}

label ``optimizers.label(key)``; x, y the ball's end point and loss f there, each written by
``fmt`` (the page's formatter: 3 significant digits, "—" for a non-finite number); one space
after the colon, two before "loss". E.g. ``SGD: (0.952, 0.906)  loss 0.00231``.

**The paths as CSV** (``paths_csv``): header ``step,method,x,y,loss,status``, one row per
step 0..steps per visible optimizer (step-major), repr-exact floats, empty fields for
non-finite numbers, status as ``optimizers.STATUS_NAMES``.
"""

from __future__ import annotations

from .export import CSV_HEADER, EXTENSIONS, OUTCOME_FORMAT, file_name, outcome_line, outcome_lines, paths_csv
from .format import MISSING, fmt
from .scene import MAX_OPTIMIZERS, MAX_PARTICLES, MAX_STEPS, MAX_TEXT, Scene, loads
from .script import python_script

__all__ = ["Scene", "loads", "fmt", "MISSING", "paths_csv", "outcome_line", "outcome_lines", "python_script",
           "file_name", "OUTCOME_FORMAT", "CSV_HEADER", "EXTENSIONS", "MAX_STEPS", "MAX_PARTICLES",
           "MAX_OPTIMIZERS", "MAX_TEXT"]
