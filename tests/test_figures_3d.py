"""figures' 3-D panel: its labels lie inside the image from every view and at every dpi,
and its surface follows a narrow valley's floor (no comb), with facets that tile the grid."""

import io

import numpy as np
import pytest
from PIL import Image

import figures
import landscapes
import rendering
import scenes


def panels(fig):
    ax3 = next(ax for ax in fig.axes if ax.name == "3d")
    ax2 = next(ax for ax in fig.axes if ax.name == "rectilinear")
    return ax3, ax2


# ---------------------------------------------------------------------- the 3-D panel's labels

def labels_drawn_3d(ax3, renderer):
    """(text, pixel box) of every tick label and axis label the 3-D axes drew. A 3-D axis
    draws only the ticks inside its view interval; get_ticklabels() would move them back to
    2-D positions, so the ticks are read as drawn."""
    found = []
    for axis in (ax3.xaxis, ax3.yaxis, ax3.zaxis):
        lo, hi = sorted(axis.get_view_interval())
        for tick in axis.majorTicks:
            if lo - 1e-9 <= tick.get_loc() <= hi + 1e-9 and tick.label1.get_visible() and tick.label1.get_text():
                found.append((tick.label1.get_text(), tick.label1.get_window_extent(renderer)))
        found.append((axis.label.get_text(), axis.label.get_window_extent(renderer)))
    return found


@pytest.mark.parametrize("name", ["ravine", "bowl", "rastrigin"])
@pytest.mark.parametrize("azimuth, elevation", [(30, 30), (-150, 60), (60, 0), (-60, 30)])
@pytest.mark.parametrize("dpi", [72, 300])
def test_the_3d_panels_tick_labels_and_loss_label_lie_inside_the_png(name, azimuth, elevation, dpi):
    # Seen from azimuth 30° the loss axis stands on the left; it used to be cut at the edge.
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    s = scenes.Scene.from_dict({"landscape": name, "show": ["sgd"]})
    fig = figures.scene_figure(s, azimuth=azimuth, elevation=elevation, grid=40)
    fig.set_dpi(dpi)  # what savefig(dpi=...) does
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    ax3, ax2 = panels(fig)
    width, height = fig.bbox.width, fig.bbox.height
    map_left = ax2.yaxis.get_tightbbox(renderer).x0
    labels = labels_drawn_3d(ax3, renderer)
    assert any(text.startswith("loss") for text, _ in labels)
    outside = [(text, [round(v) for v in box.extents]) for text, box in labels
               if box.x0 < 0 or box.y0 < 0 or box.x1 > min(width, map_left) or box.y1 > height]
    assert not outside, f"labels of the 3-D panel outside the {width:.0f}×{height:.0f} px figure or over the map: {outside}"
    png = Image.open(io.BytesIO(figures.render(fig, "png", dpi=dpi)))
    assert png.size == (round(width), round(height))  # the saved image is the whole figure, uncropped


# ---------------------------------------------------------------------- the 3-D surface's floor

def drawn_facets(fig) -> list[np.ndarray]:
    """The 3-D surface's polygons as drawn, each (k, 3) points x, y, t (matplotlib keeps a
    Poly3DCollection's points in _vec, one slice per polygon)."""
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection

    ax3, _ = panels(fig)
    surfaces = [c for c in ax3.collections if isinstance(c, Poly3DCollection)]
    assert len(surfaces) == 1
    vec = surfaces[0]._vec
    return [vec[:3, sl].T for sl in surfaces[0]._segslices]


def height_drawn(facets: list[np.ndarray], px: float, py: float) -> float:
    """The drawn surface's height over (px, py): the bilinear surface through the corners of
    the facet (an axis-aligned block of the grid) that holds the point."""
    for poly in facets:
        x0, x1, y0, y1 = poly[:, 0].min(), poly[:, 0].max(), poly[:, 1].min(), poly[:, 1].max()
        if x0 <= px <= x1 and y0 <= py <= y1:
            corner = {(round(x, 12), round(y, 12)): z for x, y, z in poly}
            u, v = (px - x0) / (x1 - x0), (py - y0) / (y1 - y0)
            z00, z10 = corner[(round(x0, 12), round(y0, 12))], corner[(round(x1, 12), round(y0, 12))]
            z01, z11 = corner[(round(x0, 12), round(y1, 12))], corner[(round(x1, 12), round(y1, 12))]
            return (1 - u) * (1 - v) * z00 + u * (1 - v) * z10 + (1 - u) * v * z01 + u * v * z11
    raise AssertionError(f"no facet over ({px}, {py})")


def test_the_3d_surface_follows_the_ravines_floor_without_a_comb():
    # The valley's floor, found on the figure's own 200² grid (lowest point of each column),
    # whatever the Ravine's formula: the drawn surface along it must stay on it. With
    # plot_surface(stride 5) it reached the floor at every 5th grid line only and stood up
    # to 9 % of the z range above it between (teeth of a comb).
    s = scenes.Scene.from_dict({"landscape": "ravine", "show": ["sgd"]})
    fig = figures.scene_figure(s, grid=200)
    land = s.land()
    xmin, xmax, ymin, ymax = land.domain
    xs, ys = np.linspace(xmin, xmax, 200), np.linspace(ymin, ymax, 200)
    f = land.f(*np.meshgrid(xs, ys))
    floor = np.argmin(f, axis=0)
    inside = (floor > 0) & (floor < len(ys) - 1)  # columns whose lowest point is not on the frame
    assert inside.sum() > 100
    scale = rendering.color_scale(land.color_scale, f)
    truth = scale.forward(f[floor[inside], np.flatnonzero(inside)])  # t on the floor
    facets = drawn_facets(fig)
    drawn = np.array([height_drawn(facets, xs[c], ys[floor[c]]) for c in np.flatnonzero(inside)])
    above = drawn - truth  # how far the drawn surface stands above the floor, in z-range units (z is t in [0, 1])
    assert above.max() < 0.02, f"the surface stands up to {above.max():.3f} of the z range above the floor"
    teeth = np.abs(np.diff(above, 2))
    assert teeth.max() < 0.02, f"the height along the floor alternates by {teeth.max():.3f} (a comb)"


@pytest.mark.parametrize("name", ["ravine", "rastrigin", "bowl", "wells", "himmelblau"])
def test_the_surfaces_facets_tile_the_view_and_stay_within_the_budget(name):
    from figures import surface

    land = landscapes.get(name)
    xmin, xmax, ymin, ymax = land.domain
    f = land.f(*np.meshgrid(np.linspace(xmin, xmax, 200), np.linspace(ymin, ymax, 200)))
    t = np.asarray(rendering.color_scale(land.color_scale, f).forward(f))
    blocks = surface.facets(t, 34)
    assert len(blocks) <= surface.BUDGET
    covered = np.zeros((199, 199), int)  # grid cells
    for r0, r1, c0, c1 in blocks:
        covered[r0:r1, c0:c1] += 1
    assert (covered == 1).all(), "every grid cell lies in exactly one facet"
