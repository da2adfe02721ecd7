"""From a landscape to pictures: sampled grids, colour scales, colormapped pixels, contours.

numpy only, plus contourpy for the iso-loss lines (contourpy is matplotlib's own contouring
engine, and a small package in Pyodide). Colormaps are 256-entry tables exported from
matplotlib by tools/export_colormaps.py, so matplotlib never has to load in the browser.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import numpy as np

DEFAULT_COLORMAP = "playground"
N_CONTOURS = 14


@lru_cache(maxsize=1)
def _colormap_table() -> dict:
    return json.loads(resources.files(__package__).joinpath("colormaps.json").read_text())["colormaps"]


def colormap_names() -> list[str]:
    return list(_colormap_table())


def lut(name: str) -> np.ndarray:
    """The colormap ``name`` as a (256, 4) uint8 RGBA table (alpha 255)."""
    table = _colormap_table()
    if name not in table:
        from landscapes.errors import unknown_name
        raise unknown_name("colormap", name, list(table))
    rgba = np.full((256, 4), 255, dtype=np.uint8)
    rgba[:, :3] = np.asarray(table[name], dtype=np.uint8)
    return rgba


class Grid(NamedTuple):
    """f sampled at cell centres: xs (nx,), ys (ny,) ascending, z (ny, nx) with z[i, j] = f(xs[j], ys[i])."""

    xs: np.ndarray
    ys: np.ndarray
    z: np.ndarray


def sample(landscape, resolution: int, window=None) -> Grid:
    """Sample f on a grid whose longer side has ``resolution`` cells, square cells, over
    the landscape's domain or ``window`` (xmin, xmax, ymin, ymax; rendering.window checks it)."""
    if not (isinstance(resolution, int) and 16 <= resolution <= 1024):
        raise ValueError(f"Invalid resolution={resolution!r}: must be an integer in [16, 1024]")
    xmin, xmax, ymin, ymax = landscape.domain if window is None else window
    w, h = xmax - xmin, ymax - ymin
    if w >= h:
        nx, ny = resolution, max(2, round(resolution * h / w))
    else:
        nx, ny = max(2, round(resolution * w / h)), resolution
    xs = xmin + (np.arange(nx) + 0.5) * (w / nx)
    ys = ymin + (np.arange(ny) + 0.5) * (h / ny)
    z = landscape.f(xs[None, :], ys[:, None])
    return Grid(xs, ys, np.asarray(z, dtype=float))


class ColorScale(NamedTuple):
    """Maps loss z to t ∈ [0, 1] (0 = lowest loss in view).

    linear: t = (z − zmin) / (zmax − zmin)
    log:    t = log((z − zmin + δ)/δ) / log((zmax − zmin + δ)/δ),  δ = 10⁻⁴·(zmax − zmin)
    """

    kind: str
    zmin: float
    zmax: float

    @property
    def delta(self) -> float:
        return 1e-4 * (self.zmax - self.zmin)

    def forward(self, z):
        span = self.zmax - self.zmin
        if span <= 0:
            return np.zeros_like(np.asarray(z, dtype=float))
        if self.kind == "log":
            d = self.delta
            t = np.log1p(np.maximum(z - self.zmin, 0.0) / d) / np.log1p(span / d)
        else:
            t = (np.asarray(z, dtype=float) - self.zmin) / span
        return np.clip(t, 0.0, 1.0)

    def inverse(self, t):
        span = self.zmax - self.zmin
        t = np.asarray(t, dtype=float)
        if self.kind == "log":
            d = self.delta
            return self.zmin + d * np.expm1(t * np.log1p(span / d))
        return self.zmin + t * span


def color_scale(kind: str, z: np.ndarray) -> ColorScale:
    """The scale spanning the finite values of ``z``."""
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        raise ValueError("the landscape has no finite value in its view")
    return ColorScale(kind, float(finite.min()), float(finite.max()))


def colorize(t: np.ndarray, table: np.ndarray) -> np.ndarray:
    """RGBA pixels (ny, nx, 4) uint8 for t ∈ [0, 1], flipped so that row 0 is the top (ymax)."""
    idx = np.rint(np.nan_to_num(t, nan=1.0) * 255.0).astype(np.intp)
    return np.ascontiguousarray(table[idx[::-1]])


UNDEFINED_STRIPES = (np.array([58, 62, 74, 255], np.uint8), np.array([34, 37, 46, 255], np.uint8))
STRIPE_PX = 4


def hatch_undefined(rgba: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``rgba`` (as ``colorize`` returns it, row 0 the top) with every cell whose loss is
    not finite (f undefined there, or infinite) painted in grey diagonal stripes,
    ``STRIPE_PX`` cells wide, instead of a colour of the scale: "undefined", never the
    top colour. Modifies and returns ``rgba``."""
    bad = ~np.isfinite(np.asarray(z, dtype=float))[::-1]
    if bad.any():
        i, j = np.nonzero(bad)
        light = ((i + j) // STRIPE_PX) % 2 == 0
        rgba[i[light], j[light]] = UNDEFINED_STRIPES[0]
        rgba[i[~light], j[~light]] = UNDEFINED_STRIPES[1]
    return rgba


def contour_levels(scale: ColorScale, n: int = N_CONTOURS) -> np.ndarray:
    """n loss values evenly spaced in colour (so log-spaced on a log scale)."""
    return scale.inverse(np.arange(1, n + 1) / (n + 1))


def contour_lines(grid: Grid, levels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Iso-loss polylines through contourpy.

    Returns xy (P, 2) float32 points of all lines back to back, offsets (L + 1,) int32 such
    that line k is xy[offsets[k]:offsets[k + 1]], and level_index (L,) int32.
    """
    import contourpy

    z = np.where(np.isfinite(grid.z), grid.z, np.nanmax(np.where(np.isfinite(grid.z), grid.z, -np.inf)))
    gen = contourpy.contour_generator(grid.xs, grid.ys, z, line_type=contourpy.LineType.Separate)
    points, offsets, level_index, count = [], [0], [], 0
    for k, level in enumerate(levels):
        lines = gen.lines(float(level))
        for line in lines:
            if len(line) < 2:
                continue
            points.append(line)
            count += len(line)
            offsets.append(count)
            level_index.append(k)
    xy = np.concatenate(points).astype(np.float32) if points else np.zeros((0, 2), np.float32)
    return xy, np.asarray(offsets, np.int32), np.asarray(level_index, np.int32)


def _round(mantissa: int, exponent: int) -> float:
    """mantissa × 10^exponent as the double nearest to that decimal (2e-3 is 0.002, exactly as typed)."""
    return float(f"{mantissa}e{exponent}")


def _linear_ticks(zmin: float, zmax: float, count: int) -> list[float]:
    """Multiples of a 1-2-5 × 10^n step inside [zmin, zmax]: the step whose number of
    ticks is closest to ``count`` (the fewer on a tie)."""
    n0 = int(np.floor(np.log10((zmax - zmin) / count)))
    best = None
    for n in (n0 - 1, n0, n0 + 1):
        for m in (1, 2, 5):
            step = _round(m, n)
            first, last = int(np.ceil(zmin / step - 1e-9)), int(np.floor(zmax / step + 1e-9))
            ticks = [_round(k * m, n) if k else 0.0 for k in range(first, last + 1)]
            if len(ticks) >= 2 and (best is None or (abs(len(ticks) - count), len(ticks)) < (abs(len(best) - count), len(best))):
                best = ticks
    return best or [zmin, zmax]


def _log_ticks(scale: ColorScale, min_gap: float) -> list[float]:
    """Round values for a log colour bar: 0, then powers of ten from the top down, then
    5 and 2 × 10^n (either sign) where they fit, each at least ``min_gap`` of the bar
    from the others (near the bottom, where the scale turns linear, the powers of ten
    crowd together and only the highest ones that fit are kept)."""
    top = max(abs(scale.zmin), abs(scale.zmax))
    hi = int(np.ceil(np.log10(top))) + 1
    lo = int(np.floor(np.log10(scale.delta))) - 1
    classes = [[0.0], [_round(s, e) for e in range(lo, hi + 1) for s in (1, -1)]]
    classes += [[_round(s * m, e) for e in range(lo, hi + 1) for s in (1, -1)] for m in (5, 2)]
    chosen: list[tuple[float, float]] = []  # (t, value)
    for values in classes:
        pool = sorted(((float(scale.forward(v)), v) for v in values if scale.zmin <= v <= scale.zmax), reverse=True)
        for t, v in pool:
            if all(abs(t - c) >= min_gap for c, _ in chosen):
                chosen.append((t, v))
    return sorted(v for _, v in chosen)


def colorbar_ticks(scale: ColorScale, count: int = 5, min_gap: float = 0.11) -> list[dict]:
    """Colour-bar ticks at round losses: {"pos": t ∈ [0, 1] along the bar, "value": loss}.

    A linear scale gets about ``count`` multiples of 1, 2 or 5 × 10^n; a log scale gets 0
    and powers of ten, and 5 and 2 × 10^n where there is room (ticks at least ``min_gap``
    of the bar apart). The page formats the values with the legend's formatter
    (static/format.js fmt), so both read alike.
    """
    span = scale.zmax - scale.zmin
    if not (np.isfinite(span) and span > 0):
        return [{"pos": 0.0, "value": float(scale.zmin)}]
    if scale.kind == "log":
        values = _log_ticks(scale, min_gap)
    else:
        values = _linear_ticks(scale.zmin, scale.zmax, count)
    return [{"pos": float(scale.forward(v)), "value": v} for v in values]
