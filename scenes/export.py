"""What a scene exports besides itself: the outcome lines, the paths as CSV, file names."""

from __future__ import annotations

import csv
import io
import math
import re

import optimizers
from landscapes.errors import show

from .format import fmt
from .scene import Scene

OUTCOME_FORMAT = "{label}: ({x}, {y})  loss {loss}"
CSV_HEADER = ("step", "method", "x", "y", "loss", "status")
EXTENSIONS = ("png", "svg", "csv", "py", "json")


def outcome_line(key: str, sim) -> str:
    """One optimizer's end as the page's outcome table writes it: ``OUTCOME_FORMAT`` with
    label = ``optimizers.label(key)`` and x, y, loss (the last row of its simulation,
    particle 0) each written by ``fmt``, e.g. ``"Adam: (1, 1)  loss 1.2e-9"``."""
    x, y = sim.path[-1, 0]
    return OUTCOME_FORMAT.format(label=optimizers.label(key), x=fmt(x), y=fmt(y), loss=fmt(sim.loss[-1, 0]))


def outcome_lines(scene: Scene, sims: dict | None = None) -> list[str]:
    """``outcome_line`` of every visible optimizer, in ``show`` order (``sims`` defaults to
    ``scene.simulate()``)."""
    sims = scene.simulate() if sims is None else sims
    return [outcome_line(key, sims[key]) for key in scene.show]


def _exact(value) -> str:
    """A float written so that float(text) gives it back (repr); non-finite: empty."""
    v = float(value)
    return repr(v) if math.isfinite(v) else ""


def paths_csv(scene: Scene, sims: dict | None = None) -> str:
    """Every visible optimizer's path as CSV text with the header ``step,method,x,y,loss,status``:
    one row per step 0..steps per optimizer (step-major, ``show`` order within a step);
    method the registry key; x, y, loss repr-exact floats (empty where not finite); status
    the ``optimizers.STATUS_NAMES`` name after that step. ``sims`` defaults to
    ``scene.simulate()``; lines end with "\\n"."""
    sims = scene.simulate() if sims is None else sims
    columns = []
    for key in scene.show:
        sim = sims[key]
        xs, ys = sim.path[:, 0, 0].tolist(), sim.path[:, 0, 1].tolist()
        status = [optimizers.STATUS_NAMES[s] for s in sim.status[:, 0].tolist()]
        columns.append((key, [_exact(v) for v in xs], [_exact(v) for v in ys],
                        [_exact(v) for v in sim.loss[:, 0].tolist()], status))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for step in range(scene.steps + 1):
        writer.writerows((step, key, x[step], y[step], loss[step], status[step])
                         for key, x, y, loss, status in columns)
    return out.getvalue()


def file_name(scene: Scene, ext: str) -> str:
    """The name a scene's export is saved under: "<landscape>-step<steps>.<ext>", e.g.
    "ravine-step1234.png", or "custom-step120.png" for a typed landscape; ``ext`` one of
    ``EXTENSIONS``."""
    if ext not in EXTENSIONS:
        raise ValueError(f"Invalid ext={show(ext)}: must be one of {', '.join(EXTENSIONS)}")
    return f"{plain_key(scene.landscape)}-step{scene.steps}.{ext}"


def plain_key(key: str) -> str:
    """A registry key, checked to be a plain word (lower-case letters, digits, dashes) before
    it is written into a file name or a script; anything else is a ValueError (a registry
    key never is)."""
    if not (isinstance(key, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", key)):
        raise ValueError(f"Invalid key={show(key)}: not a plain registry key")
    return key
