"""figures: the page's styles copied exactly, the scene figure's content (surface, contours,
colour bar, legend, minima markers, paths), PNG and SVG output, non-finite values, and
``import figures`` without matplotlib."""

import dataclasses
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.contour import ContourSet
from PIL import Image

import figures
import landscapes
import optimizers
import rendering
import scenes
from figures import style

ROOT = Path(__file__).resolve().parent.parent
CONFIG = (ROOT / "static" / "config.js").read_text()


def page_constant(name: str) -> dict:
    """An {key: value} constant of static/config.js, values as JSON (arrays, strings)."""
    block = re.search(rf"export const {name} = \{{(.*?)\}};", CONFIG, re.S).group(1)
    return {k: json.loads(v) for k, v in re.findall(r"^\s*([\w-]+)\s*:\s*(\[[^\]]*\]|\"[^\"]*\")", block, re.M)}


# ---------------------------------------------------------------------- the page's styles

def test_colours_dashes_and_shapes_are_the_pages():
    assert style.COLORS == page_constant("OPTIMIZER_COLORS")
    assert {k: list(v) for k, v in style.DASHES.items()} == page_constant("OPTIMIZER_DASHES")
    assert style.SHAPES == page_constant("OPTIMIZER_SHAPES")
    assert set(style.COLORS) == set(style.DASHES) == set(style.SHAPES) == set(optimizers.names())
    for name in ("FALLBACK_COLOR", "PARTICLE_COLOR", "PARTICLE_REST_COLOR"):
        assert getattr(style, name) == re.search(rf'export const {name} = "(#[0-9a-f]{{6}})";', CONFIG).group(1)


def test_every_shape_the_page_draws_has_its_outline():
    shapes_js = re.findall(r'case "([\w-]+)":', (ROOT / "static" / "plot" / "style.js").read_text())
    assert set(shapes_js) | {"circle"} == set(style.SHAPES.values())
    for key in optimizers.names():
        m = style.marker(key)
        if style.SHAPES[key] == "circle":
            assert m == "o"
        else:
            assert m.shape[1] == 2 and len(m) >= 4 and np.array_equal(m[0], m[-1])  # closed outline


def test_dash_patterns_are_css_px_at_any_width():
    assert style.linestyle("sgd", 1.6) == "-"
    for width in (1.0, 1.6, 3.0):
        offset, pattern = style.linestyle("nesterov", width)
        # matplotlib multiplies by the width (points); 1 CSS px = 0.75 pt
        assert offset == 0 and np.allclose(np.array(pattern) * width / 0.75, style.DASHES["nesterov"])


# ---------------------------------------------------------------------- the figure

@pytest.fixture(scope="module")
def wells():
    s = scenes.Scene.from_dict({"landscape": "wells", "show": ["sgd", "momentum", "adam", "annealing", "restarts"],
                                "particles": [[-4, 4], [1, 1], [4, -1]]})
    sims, flows = s.simulate(), s.flows()
    return s, sims, flows, figures.scene_figure(s, runs=sims, flows=flows)


def panels(fig):
    ax3 = next(ax for ax in fig.axes if ax.name == "3d")
    ax2 = next(ax for ax in fig.axes if ax.name == "rectilinear")
    return ax3, ax2


def test_the_figure_is_a_surface_beside_a_filled_contour_map(wells):
    s, _, _, fig = wells
    ax3, ax2 = panels(fig)
    assert any(isinstance(c, PolyCollection) for c in ax3.collections)  # the surface's facets
    filled = [c for c in ax2.collections if isinstance(c, ContourSet) and c.filled]
    lines = [c for c in ax2.collections if isinstance(c, ContourSet) and not c.filled]
    assert len(filled) == 1 and len(filled[0].levels) == figures.CONTOUR_LEVELS + 1
    assert len(lines) == 1 and len(lines[0].levels) == rendering.N_CONTOURS
    assert ax2.get_xlim() == s.land().domain[:2] and ax2.get_ylim() == s.land().domain[2:]
    assert (ax2.get_xlabel(), ax2.get_ylabel()) == s.land().axis_labels
    assert "Four wells" in fig._suptitle.get_text() and "400 steps" in fig._suptitle.get_text()
    assert ax3.elev == 30 and ax3.azim == -60


def test_the_colour_bar_is_labelled_in_loss_as_the_page_labels_it(wells):
    s, _, _, fig = wells
    _, ax2 = panels(fig)
    bands = next(c for c in ax2.collections if isinstance(c, ContourSet) and c.filled)
    bar = bands.colorbar
    assert bar is not None and bar.ax.get_ylabel() == "loss"
    z = np.asarray(s.land().f(*np.meshgrid(np.linspace(-5, 5, 200), np.linspace(-5, 5, 200))))
    ticks = rendering.colorbar_ticks(rendering.color_scale("linear", z))
    assert [t.get_text() for t in bar.ax.get_yticklabels()] == [scenes.fmt(t["value"]) for t in ticks]


def test_a_log_landscape_gets_the_log_colour_scale():
    s = scenes.Scene.from_dict({"landscape": "ravine", "steps": 50, "show": ["adam"]})
    fig = figures.draw_scene(s)
    ax3, ax2 = panels(fig)
    bar = next(c for c in ax2.collections if isinstance(c, ContourSet) and c.filled).colorbar
    assert bar.ax.get_ylabel() == "loss (log scale)" and "1e-4" in [t.get_text() for t in bar.ax.get_yticklabels()]
    assert [t.get_text() for t in ax3.get_zticklabels()] == [t.get_text() for t in bar.ax.get_yticklabels()]


def test_the_legend_names_every_shown_optimizer_and_the_markers(wells):
    s, _, _, fig = wells
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts == [optimizers.label(k) for k in s.show] + ["◎ start", "★ global minimum", "○ local minimum",
                                                            "gradient flow"]


def svg_numbers_and_text(svg: str) -> str:
    """Every attribute and text of an SVG except embedded images' data (base64, where
    "nan" can occur by chance), to look for NaN written as a number."""
    parts = []
    for el in ET.fromstring(svg).iter():
        parts += [v for k, v in el.attrib.items() if not (el.tag.endswith("image") and k.endswith("href"))]
        parts += [el.text or "", el.tail or ""]
    return " ".join(parts)


def marker_points(ax, marker):
    return [(tuple(np.ravel(line.get_xdata())), tuple(np.ravel(line.get_ydata())), line)
            for line in ax.lines if isinstance(line.get_marker(), str) and line.get_marker() == marker]


def test_stars_mark_the_global_minima_and_rings_the_local_ones(wells):
    s, _, _, fig = wells
    _, ax2 = panels(fig)
    land = s.land()
    (xs, ys, star), = marker_points(ax2, "*")
    assert sorted(zip(xs, ys)) == sorted((m.x, m.y) for m in land.minima if m.is_global)
    rings = [(x, y, line) for x, y, line in marker_points(ax2, "o") if line.get_markerfacecolor() == "none"]
    local = sorted((m.x, m.y) for m in land.minima if not m.is_global)
    assert any(sorted(zip(x, y)) == local for x, y, _ in rings)


def test_a_landscape_without_local_minima_has_no_ring_in_its_legend():
    s = scenes.Scene.from_dict({"landscape": "himmelblau", "steps": 20, "show": ["sgd"]})  # four global minima
    fig = figures.draw_scene(s)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "★ global minimum" in texts and "○ local minimum" not in texts
    (xs, ys, _), = marker_points(panels(fig)[1], "*")
    assert len(xs) == 4


def test_every_path_is_drawn_in_its_colour_and_dash_on_both_panels(wells):
    s, sims, _, fig = wells
    ax3, ax2 = panels(fig)
    for key in s.show:
        flat = [line for line in ax2.lines if line.get_color() == style.color(key) and len(line.get_xdata()) > 1]
        assert len(flat) == 1, key
        x, y = flat[0].get_xdata(), flat[0].get_ydata()
        keep = np.isfinite(x)
        path = sims[key].path[:, 0]
        assert np.array_equal(np.column_stack([x[keep], y[keep]]), path)  # every step, gaps only added
        lifted = [line for line in ax3.lines if line.get_color() == style.color(key) and len(line.get_xdata()) > 1]
        assert len(lifted) == 1, key
        assert flat[0].get_linestyle() == ("-" if not style.DASHES[key] else "--"), key
        assert flat[0].get_linewidth() == figures.draw.PATH_WIDTH
        ends = [line for line in ax2.lines if isinstance(line.get_marker(), str) and line.get_marker() == "D"
                and line.get_color() == style.color(key)]
        assert len(ends) == 1 and (ends[0].get_xdata()[0], ends[0].get_ydata()[0]) == tuple(path[-1])


def test_random_restarts_path_breaks_where_each_descent_begins(wells):
    s, sims, _, fig = wells
    _, ax2 = panels(fig)
    line = next(line for line in ax2.lines if line.get_color() == style.color("restarts") and len(line.get_xdata()) > 1)
    gaps = np.flatnonzero(np.isnan(line.get_xdata()))
    hp = optimizers.defaults("restarts")
    # a gap before step r·steps_per + 1 (r = 1..n−1) and before the move to the best end point
    jumps = [r * hp["steps_per"] + 1 for r in range(1, hp["n_restarts"])] + [hp["n_restarts"] * hp["steps_per"]]
    assert (gaps - np.arange(len(gaps))).tolist() == jumps


def test_the_particles_flow_curves_are_drawn(wells):
    s, _, flows, fig = wells
    _, ax2 = panels(fig)
    line = next(line for line in ax2.lines if line.get_color() == style.PARTICLE_COLOR)
    x = line.get_xdata()
    assert np.isnan(x).sum() == len(s.particles) - 1 and np.isfinite(x).sum() == flows.length.sum()


# ---------------------------------------------------------------------- output

def test_png_decodes_and_is_not_blank(wells):
    fig = wells[3]
    png = figures.render(fig, "png", dpi=100)
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)
    assert image.shape == (550, 1200, 3)
    assert image.std() > 20 and len(np.unique(image.reshape(-1, 3), axis=0)) > 1000
    assert Image.open(io.BytesIO(figures.render(fig, "png", dpi=50))).size == (600, 275)


def test_svg_parses_and_holds_the_labels_as_text(wells):
    s, _, _, fig = wells
    svg = figures.render(fig, "svg")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join("".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text"))
    for key in s.show:
        assert optimizers.label(key) in text
    assert "★ global minimum" in text and "○ local minimum" in text
    assert not re.search(r"nan", svg_numbers_and_text(svg), re.I)
    # the surface's facets and the filled bands are embedded images; paths, markers and text are vectors
    assert len(list(root.iter("{http://www.w3.org/2000/svg}image"))) == 2 and len(svg) < 1_000_000


@pytest.mark.parametrize("fmt, dpi, message", [
    ("jpg", 100, "Invalid fmt='jpg'"), ("PNG", 100, "Invalid fmt='PNG'"), ("png", 49, "Invalid dpi=49"),
    ("png", 401, "Invalid dpi=401"), ("svg", True, "Invalid dpi=True"), ("png", "100", "Invalid dpi='100'"),
    ("png", float("nan"), "Invalid dpi=nan"),
])
def test_render_refuses_other_formats_and_resolutions(wells, fmt, dpi, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        figures.render(wells[3], fmt, dpi)


@pytest.mark.parametrize("options, message", [
    ({"grid": 8}, "Invalid grid=8"), ({"grid": 200.0}, "Invalid grid=200.0"),
    ({"azimuth": float("nan")}, "Invalid azimuth=nan"), ({"elevation": 91}, "Invalid elevation=91"),
    ({"size": (0, 5)}, "Invalid size[0]=0"), ({"size": 12}, "Invalid size=12"),
    ({"runs": {}}, "Invalid runs"), ({"runs": [1]}, "Invalid runs"),
])
def test_scene_figure_refuses_bad_options(options, message):
    s = scenes.Scene.from_dict({"landscape": "bowl", "steps": 3, "show": ["sgd"]})
    with pytest.raises(ValueError, match=re.escape(message)):
        figures.scene_figure(s, **options)
    with pytest.raises(ValueError, match="must be a scenes.Scene"):
        figures.scene_figure(s.to_dict())


def test_view_angles_and_grid_are_applied():
    s = scenes.Scene.from_dict({"landscape": "saddle", "steps": 30, "show": ["sgd", "newton"]})
    fig = figures.draw_scene(s, azimuth=35, elevation=60, grid=64, size=(8, 4))
    ax3, _ = panels(fig)
    assert (ax3.elev, ax3.azim) == (60, 35) and tuple(fig.get_size_inches()) == (8, 4)
    assert Image.open(io.BytesIO(figures.render(fig, dpi=100))).size == (800, 400)


def test_a_diverged_ball_far_outside_the_view_is_drawn_without_nan():
    # The bowl: at lr 1 SGD's factor across it is 1 − 4 = −3 (the ravine's V-shaped walls throw nothing out).
    s = scenes.Scene.from_dict({"landscape": "bowl", "steps": 60, "lr": 1.0, "show": ["sgd", "adam"]})
    sims = s.simulate()
    assert sims["sgd"].final.status[0] == optimizers.DIVERGED
    fig = figures.scene_figure(s, runs=sims)
    ax3, _ = panels(fig)
    assert ax3.get_xlim3d() == s.land().domain[:2]  # the far point did not stretch the 3-D box
    svg = figures.render(fig, "svg")
    assert not re.search(r"nan", svg_numbers_and_text(svg), re.I)
    assert len(figures.render(fig, "png")) > 10_000


def test_non_finite_loss_in_the_window_is_masked_not_drawn(monkeypatch):
    # A surface that is undefined on a disc (NaN, which Landscape.f reports as +inf) and
    # infinite on a strip of the view: left out (hatched), never the top colour, never NaN.
    bowl = landscapes.get("bowl")

    def f(x, y):
        z = 0.5 * (x**2 + 4 * y**2) + 0 * x
        z = np.where(np.hypot(x - 1.5, y - 1.5) < 0.6, np.nan, z)
        return np.where(x < -2.5, np.inf, z)

    holed = dataclasses.replace(bowl, f=f)
    monkeypatch.setattr(scenes.Scene, "land", lambda self: holed)
    s = scenes.Scene.from_dict({"landscape": "bowl", "steps": 40, "show": ["sgd", "momentum"],
                                "particles": [[2.0, 2.0], [-1, 1]]})
    fig = figures.draw_scene(s, grid=80)
    assert figures.draw.UNDEFINED_LABEL in [t.get_text() for t in fig.legends[0].get_texts()]
    png = np.asarray(Image.open(io.BytesIO(figures.render(fig, "png"))).convert("RGB"), dtype=float)
    assert png.std() > 20
    ax3, ax2 = panels(fig)
    assert not_top_colour(png, ax2, (-2.8, 0.0)) and not_top_colour(png, ax2, (1.5, 1.5))
    assert not re.search(r"nan", svg_numbers_and_text(figures.render(fig, "svg")), re.I)


TOP = rendering.lut(rendering.DEFAULT_COLORMAP)[-1, :3].astype(float)


def pixel(png, ax, xy):
    """The RGB of the PNG (rendered at the figure's dpi) at data point xy of ax."""
    x, y = ax.transData.transform(xy)
    return png[int(round(png.shape[0] - y)), int(round(x))]


def not_top_colour(png, ax, xy) -> bool:
    """At xy the top view shows the light grey hatching, not a colour of the scale."""
    rgb = pixel(png, ax, xy)
    return np.abs(rgb - TOP).max() > 40 and np.ptp(rgb) < 20 and rgb.min() > 100


@pytest.fixture(scope="module")
def undefined():
    """log(x) + y² over x ∈ [−1, 3]: f is undefined on the left quarter of the view."""
    s = scenes.Scene.from_dict({"landscape": "custom", "custom": {"expression": "log(x) + y**2",
                                "domain": [-1, 3, -3, 3]}, "start": [2.0, 2.0], "lr": 0.05, "beta": 0.9,
                                "steps": 150, "show": ["sgd", "momentum", "adam"], "particles": [[1, 1], [2, -2]]})
    return s, figures.draw_scene(s)


def test_where_a_typed_f_is_undefined_the_view_is_hatched_not_coloured(undefined):
    s, fig = undefined
    sims = s.simulate()
    assert any(sim.status[-1, 0] == optimizers.DIVERGED for sim in sims.values())  # some ball ran into x ≤ 0
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts[-1] == "hatched: f undefined" and "★ global minimum" not in texts
    ax3, ax2 = panels(fig)
    hatched = [p for p in ax2.patches if p.get_hatch() == "//"]
    assert len(hatched) == 1 and hatched[0].get_zorder() < 0
    bands = next(c for c in ax2.collections if isinstance(c, ContourSet) and c.filled)
    assert bands.levels[0] == 0.0 and bands.levels[-1] == 1.0
    png = np.asarray(Image.open(io.BytesIO(figures.render(fig, "png"))).convert("RGB"), dtype=float)
    assert png.std() > 20
    for xy in [(-0.5, 0.0), (-0.9, 2.5), (-0.2, -2.8)]:
        assert not_top_colour(png, ax2, xy), xy
    assert np.abs(pixel(png, ax2, (2.0, -1.0)) - TOP).max() > 0 and np.ptp(pixel(png, ax2, (2.0, -1.0))) > 20
    surface = next(c for c in ax3.collections if isinstance(c, PolyCollection))
    assert np.nanmin(surface._vec[0]) > 0  # no facet where x ≤ 0


def test_a_figure_of_undefined_f_holds_no_nan(undefined):
    s, fig = undefined
    svg = figures.render(fig, "svg")
    assert "hatched: f undefined" in svg
    assert not re.search(r"nan", svg_numbers_and_text(svg), re.I)


def test_a_typed_landscape_without_minima_has_no_star():
    s = scenes.Scene.from_dict({"landscape": "custom", "custom": {"expression": "x + y**2/3",
                                "domain": [-3, 3, -3, 3]}, "start": [2, 2], "lr": 0.05, "beta": 0.9,
                                "steps": 40, "show": ["sgd", "adam"]})
    assert s.land().minima == ()
    fig = figures.draw_scene(s)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["SGD", "Adam", "◎ start"]
    assert all(not marker_points(ax, "*") for ax in panels(fig))
    assert "★" not in panels(fig)[1].get_title() and "f(x, y) = x + y**2/3 after 40 steps" in fig._suptitle.get_text()  # the formula, as sympy writes it
    assert len(figures.render(fig)) > 10_000


def test_draw_scene_without_particles_or_balls():
    s = scenes.Scene.from_dict({"landscape": "booth", "steps": 0, "show": []})
    fig = figures.draw_scene(s)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["◎ start", "★ global minimum"]
    assert len(figures.render(fig)) > 10_000


def test_import_figures_does_not_import_matplotlib():
    code = ("import sys, figures, scenes; figures.style.marker('adam'); "
            "assert not [m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'mpl_toolkits', 'PIL')], "
            "sorted(m for m in sys.modules if 'matplotlib' in m)")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
