"""Figures of a scene with matplotlib: the 3-D surface beside the top view (as in the
loss-surface notes' figure), in the page's colours, dashes and shapes.

    >>> import scenes, figures
    >>> scene = scenes.loads('{"landscape": "wells", "steps": 400, "show": ["sgd", "momentum", "annealing"]}')
    >>> fig = figures.draw_scene(scene)
    >>> open(scenes.file_name(scene, "png"), "wb").write(figures.render(fig, "png", dpi=150))

``import figures`` does not import matplotlib: the drawing functions import it when they
run (``pip install matplotlib``; the page's Pyodide worker loads it only for an export).
"""

from __future__ import annotations

from . import style
from .draw import CONTOUR_LEVELS, DPI, FORMATS, GRID, draw_scene, render, scene_figure

__all__ = ["scene_figure", "render", "draw_scene", "style", "FORMATS", "DPI", "GRID", "CONTOUR_LEVELS"]
