"""Keeping the 3-D panel's labels inside the figure.

matplotlib puts a 3-D axes' tick labels and axis labels outside its box, on whichever side
the view turns each axis to: seen from azimuth 30° the loss axis stands on the left, and
with the panel near the figure's left edge its labels were cut off. ``fit`` draws the
panel's frame alone (before the surface is added: cheap), measures every label drawn and
moves and shrinks the panel until they all lie inside ``room``. Text keeps its size in
points while the figure's pixels scale with the dpi, so what fits at the layout's dpi
fits at any dpi.
"""

from __future__ import annotations

ROUNDS = 4  # a shrunk box moves its labels a little: measure again, at most this often


def drawn_labels(ax3, renderer) -> list:
    """Window extents (pixels) of the tick labels and axis labels ``ax3`` drew last. A 3-D
    axis draws only the ticks inside its view interval, and ``get_ticklabels()`` would
    move the labels back to 2-D positions, so the ticks are read as drawn."""
    boxes = []
    for axis in (ax3.xaxis, ax3.yaxis, ax3.zaxis):
        lo, hi = sorted(axis.get_view_interval())
        slack = 1e-9 * (hi - lo)
        for tick in axis.majorTicks:
            label = tick.label1
            if lo - slack <= tick.get_loc() <= hi + slack and label.get_visible() and label.get_text():
                boxes.append(label.get_window_extent(renderer))
        if axis.label.get_visible() and axis.label.get_text():
            boxes.append(axis.label.get_window_extent(renderer))
    return boxes


def renderer_of(fig):
    """A renderer at the figure's size and dpi, to measure text with (nothing is saved)."""
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(int(fig.bbox.width), int(fig.bbox.height), fig.dpi)


def left_edge(fig, ax, renderer) -> float:
    """The left edge (figure fraction) of ``ax``'s y axis with its tick labels and label."""
    return ax.yaxis.get_tightbbox(renderer).x0 / fig.bbox.width


def fit(fig, ax3, room: tuple[float, float, float, float], renderer) -> None:
    """Moves and shrinks ``ax3`` (its position, figure fractions) until every label it draws
    lies inside ``room`` = (left, bottom, right, top), figure fractions."""
    width, height = fig.bbox.width, fig.bbox.height
    left, bottom, right, top = room[0] * width, room[1] * height, room[2] * width, room[3] * height
    for _ in range(ROUNDS):
        ax3.draw(renderer)
        boxes = drawn_labels(ax3, renderer)
        if not boxes:
            return
        over_l = max(0.0, left - min(b.x0 for b in boxes))
        over_r = max(0.0, max(b.x1 for b in boxes) - right)
        over_b = max(0.0, bottom - min(b.y0 for b in boxes))
        over_t = max(0.0, max(b.y1 for b in boxes) - top)
        if max(over_l, over_r, over_b, over_t) < 0.5:
            return
        x0, y0, w, h = ax3.get_position(original=True).bounds  # the rectangle set, not the box drawn in it
        ax3.set_position((x0 + over_l / width, y0 + over_b / height,
                          w - (over_l + over_r) / width, h - (over_b + over_t) / height))
