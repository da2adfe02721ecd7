"""The page's look of each optimizer, for matplotlib: colour, dash pattern, end-marker shape.

A copy of static/config.js (OPTIMIZER_COLORS, OPTIMIZER_DASHES in CSS px, OPTIMIZER_SHAPES)
and of the shape outlines of static/plot/style.js; tests/test_figures.py parses config.js
and checks that these are identical, so the figure and the page never drift apart.
No matplotlib here: ``linestyle`` and ``marker`` return what matplotlib takes.
"""

from __future__ import annotations

import math

import numpy as np

COLORS = {
    "sgd": "#ffab9e", "momentum": "#f0fd3e", "nesterov": "#fe2c92", "rmsprop": "#06a2a5",
    "adam": "#8e72ff", "adamw": "#95ac00", "annealing": "#b0bbff", "restarts": "#8dfff2",
    "adagrad": "#fe3e19", "adadelta": "#7a8a96", "adamax": "#d34fe4", "nadam": "#f89ff9",
    "radam": "#7aee1f", "rprop": "#d9f6bc", "newton": "#d7cfd2", "lion": "#a89374",
}
DASHES = {  # CSS px, for lines ~2 px wide with round caps (a 0.5 px dash is a dot)
    "sgd": (), "momentum": (11, 6), "nesterov": (11, 5, 0.5, 5), "rmsprop": (4, 4.5),
    "adam": (0.5, 4), "adamw": (4, 4, 0.5, 4), "annealing": (11, 4, 0.5, 4, 0.5, 4),
    "restarts": (12, 5, 4, 5), "adagrad": (7, 3), "adadelta": (2, 2.5), "adamax": (16, 4),
    "nadam": (7, 3, 2, 3), "radam": (0.5, 7), "rprop": (3, 3, 3, 9),
    "newton": (14, 3, 0.5, 3, 0.5, 3, 0.5, 3), "lion": (9, 3, 9, 3, 0.5, 3),
}
SHAPES = {
    "sgd": "circle", "momentum": "square", "nesterov": "diamond", "rmsprop": "hexagon",
    "adam": "triangle", "adamw": "triangle-down", "annealing": "cross", "restarts": "pentagon",
    "adagrad": "star", "adadelta": "x", "adamax": "triangle-right", "nadam": "triangle-left",
    "radam": "dome", "rprop": "bowtie", "newton": "star4", "lion": "dart",
}
FALLBACK_COLOR = "#e6e9ef"
PARTICLE_COLOR = "#f4f7ff"
PARTICLE_REST_COLOR = "#9fb4d9"
HALO = "#080a12"  # the page's rgba(8, 10, 18, 0.95): outlines markers, haloes lines
PT_PER_CSS_PX = 0.75  # 96 CSS px per inch, 72 pt per inch


def color(key: str) -> str:
    return COLORS.get(key, FALLBACK_COLOR)


def linestyle(key: str, linewidth: float):
    """The key's dash pattern for a matplotlib line of ``linewidth`` points: "-" when solid,
    else (0, pattern) with the CSS px turned into points and divided by the line width
    (matplotlib scales dashes by it), so the pattern is the page's at any width."""
    dashes = DASHES.get(key, ())
    if not dashes:
        return "-"
    return (0, tuple(d * PT_PER_CSS_PX / linewidth for d in dashes))


def _polygon(n: int, turn: float, scale: float) -> list[tuple[float, float]]:
    return [(scale * math.cos(turn + 2 * math.pi * i / n), scale * math.sin(turn + 2 * math.pi * i / n))
            for i in range(n)]


def _star(n: int, outer: float, inner: float) -> list[tuple[float, float]]:
    return [((inner if i % 2 else outer) * math.cos(-math.pi / 2 + math.pi * i / n),
             (inner if i % 2 else outer) * math.sin(-math.pi / 2 + math.pi * i / n)) for i in range(2 * n)]


def _cross() -> list[tuple[float, float]]:
    a, b = 0.42, 1.22
    return [(-a, -b), (a, -b), (a, -a), (b, -a), (b, a), (a, a), (a, b), (-a, b), (-a, a), (-b, a), (-b, -a), (-a, -a)]


def _dome() -> list[tuple[float, float]]:
    r = 1.45
    return [(r * math.cos(math.pi + math.pi * i / 8), r * math.sin(math.pi + math.pi * i / 8) + 0.42 * r)
            for i in range(9)]


_OUTLINES = {  # static/plot/style.js vertices() at r = 1, in canvas coordinates (y down)
    "square": lambda: _polygon(4, math.pi / 4, 1.26),
    "diamond": lambda: _polygon(4, -math.pi / 2, 1.36),
    "triangle": lambda: [(x, y + 0.2) for x, y in _polygon(3, -math.pi / 2, 1.5)],
    "triangle-down": lambda: [(x, y - 0.2) for x, y in _polygon(3, math.pi / 2, 1.5)],
    "pentagon": lambda: _polygon(5, -math.pi / 2, 1.15),
    "hexagon": lambda: _polygon(6, 0.0, 1.1),
    "triangle-right": lambda: [(x - 0.2, y) for x, y in _polygon(3, 0.0, 1.5)],
    "triangle-left": lambda: [(x + 0.2, y) for x, y in _polygon(3, math.pi, 1.5)],
    "star": lambda: _star(5, 1.55, 0.65),
    "star4": lambda: _star(4, 1.6, 0.6),
    "x": lambda: [(math.sqrt(0.5) * (x - y), math.sqrt(0.5) * (x + y)) for x, y in _cross()],
    "bowtie": lambda: [(-1.3, -1.1), (0.0, -0.275), (1.3, -1.1), (1.3, 1.1), (0.0, 0.275), (-1.3, 1.1)],
    "dome": _dome,
    "dart": lambda: [(0.0, -1.45), (1.25, 1.1), (0.0, 0.45), (-1.25, 1.1)],
    "cross": _cross,
}


def marker(key: str):
    """The key's ball shape as a matplotlib marker: "o" for the circle, else the page's
    outline as closed vertices (y flipped: the canvas's y points down)."""
    shape = SHAPES.get(key, "circle")
    if shape not in _OUTLINES:
        return "o"
    points = [(x, -y) for x, y in _OUTLINES[shape]()]
    return np.array(points + points[:1])
