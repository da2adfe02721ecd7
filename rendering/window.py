"""The zoomed map: a window inside a landscape's domain, sampled at full resolution.

A window is (xmin, xmax, ymin, ymax) in the landscape's coordinates. Its picture is f
sampled on the window's own grid (``rendering.sample``), coloured on the window's own
scale (lowest loss in view → first colour, highest → last), so the floor of a valley
shows its structure instead of one flat colour; the colour bar says what the colours
mean in that window. The page zooms in to 1e-4 of the domain's span and out to the
domain; the checks here leave a little room on either side of that.
"""

from __future__ import annotations

import math

import numpy as np

import rendering
from landscapes.errors import show as _show

MIN_SPAN_FRACTION = 1e-5  # the narrowest window, as a fraction of the domain's span on that axis
MARGIN_SPANS = 0.5  # a window may reach this many domain spans beyond the domain on each side


def check_window(window, domain) -> tuple[float, float, float, float]:
    """``window`` as four floats, or ValueError naming what is wrong with it."""
    shape = "must be [xmin, xmax, ymin, ymax], four finite numbers"
    if not isinstance(window, (list, tuple)) or len(window) != 4:
        raise ValueError(f"Invalid window={_show(window)}: {shape}")
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in window):
        raise ValueError(f"Invalid window={_show(window)}: {shape}")
    try:
        box = tuple(float(v) for v in window)
    except OverflowError:  # an integer beyond the float range
        raise ValueError(f"Invalid window={_show(window)}: {shape}") from None
    if not all(math.isfinite(v) for v in box):
        raise ValueError(f"Invalid window={_show(window)}: {shape}")
    xmin, xmax, ymin, ymax = box
    if not (xmin < xmax and ymin < ymax):
        raise ValueError(f"Invalid window={_show(window)}: inverted or empty, "
                         f"needs xmin < xmax and ymin < ymax")
    dx0, dx1, dy0, dy1 = domain
    for name, lo, hi, d0, d1 in (("x", xmin, xmax, dx0, dx1), ("y", ymin, ymax, dy0, dy1)):
        span = d1 - d0
        if hi - lo < MIN_SPAN_FRACTION * span:
            raise ValueError(f"Invalid window={_show(window)}: narrower in {name} than "
                             f"{MIN_SPAN_FRACTION:g} of the landscape's span {span:g}")
        if lo < d0 - MARGIN_SPANS * span or hi > d1 + MARGIN_SPANS * span:
            raise ValueError(f"Invalid window={_show(window)}: reaches beyond {name} in "
                             f"[{d0 - MARGIN_SPANS * span:g}, {d1 + MARGIN_SPANS * span:g}] "
                             f"(the landscape's {name} range {d0:g} … {d1:g}, and half a span around it)")
    return box


def window_picture(landscape, window, resolution: int, colormap: str, contours: bool) -> dict:
    """Heatmap, colour bar (with the scale's ``range`` [zmin, zmax]) and, when
    ``contours``, iso-loss lines of ``landscape`` over the checked ``window``."""
    table = rendering.lut(colormap)
    grid = rendering.sample(landscape, resolution, window=window)
    scale = rendering.color_scale(landscape.color_scale, grid.z)
    rgba = rendering.hatch_undefined(rendering.colorize(scale.forward(grid.z), table), grid.z)
    lines = None
    if contours:
        xy, offsets, level_index = rendering.contour_lines(grid, rendering.contour_levels(scale))
        lines = {"levels": rendering.contour_levels(scale).tolist(), "xy": xy, "offsets": offsets,
                 "level_index": level_index}
    return {
        "heatmap": {"width": len(grid.xs), "height": len(grid.ys), "extent": list(window), "rgba": rgba,
                    "undefined": float(np.mean(~np.isfinite(grid.z)))},
        "colorbar": {"lut": table, "ticks": window_ticks(scale), "scale": scale.kind,
                     "range": [scale.zmin, scale.zmax]},
        "contours": lines,
    }



def window_ticks(scale, count: int = 5, min_gap: float = 0.11) -> list[dict]:
    """``rendering.colorbar_ticks``, except where a log bar over a window's narrow range of
    losses holds fewer than three of its round values (0, 1, 2, 5 × 10^n): then round
    multiples of a 1-2-5 step, placed by the log scale, the highest first, each at least
    ``min_gap`` of the bar from the others."""
    ticks = rendering.colorbar_ticks(scale, count, min_gap)
    if scale.kind != "log" or len(ticks) >= 3 or not scale.zmax > scale.zmin:
        return ticks
    kept: list[dict] = []
    for value in sorted(rendering._linear_ticks(scale.zmin, scale.zmax, 2 * count), reverse=True):
        pos = float(scale.forward(value))
        if all(abs(pos - k["pos"]) >= min_gap for k in kept):
            kept.append({"pos": pos, "value": value})
    return kept[::-1]
