"""The scene figure: the 3-D surface beside the top view, with every path on both.

matplotlib is imported inside the functions only (``import figures`` stays numpy-only),
and the figure is a ``matplotlib.figure.Figure`` (no pyplot: no global state, no GUI).

**Heights and colours.** Both panels share the page's colour scale
(``rendering.color_scale``): t = (f − f_min)/(f_max − f_min) on a linear landscape,
t = log(1 + (f − f_min)/δ) / log(1 + (f_max − f_min)/δ), δ = 10⁻⁴·(f_max − f_min) on a
log one (so a loss ≤ 0 is fine), over the finite values of f on the grid. Where f is not
finite (undefined, as log of a negative number, which ``Landscape.f`` answers as +∞, or
±∞) t is left out: the surface has no facet there, the top view no band, which leaves the
cell uncovered over a light grey hatched background ("hatched: f undefined" in the
legend when any cell is), and a lifted path no point. The 3-D surface is drawn at height
t, and every path is lifted onto it at t(f(path)); the z axis and the colour bar are
labelled in loss at the same round values (``rendering.colorbar_ticks``), written by
``scenes.fmt``. On a linear landscape t is f itself rescaled; on a log landscape the
floor that the log colours reveal is visible in 3-D too.

**What is drawn.** Left: the surface over the landscape's view, the paths, the particles'
flow curves (thin, light), the start (◎), the known minima (★ global, ○ local) and each
optimizer's end point (◆ in its colour with its own shape inside). Right: filled contours
(``CONTOUR_LEVELS`` bands) with the page's 14 iso-loss lines, the colour bar, the same
paths in each optimizer's colour and dash pattern, the same markers, the particles' curves
and end points, a legend (optimizer labels), the axis labels and a title with the
landscape and the step count. A point outside the view (a diverged ball is frozen at its
last finite position, which may be far away) is left out of the 3-D panel and clipped by
the top view's frame; random restarts' path is broken where a new descent begins.
"""

from __future__ import annotations

import io
import math
from numbers import Real

import numpy as np

import optimizers
import rendering
from landscapes.errors import show
from scenes import Scene
from scenes import fmt as number

from . import layout, style, surface

CONTOUR_LEVELS = 32  # filled bands of the top view, evenly spaced in colour
GRID = (16, 400)
DPI = (50, 400)
FORMATS = ("png", "svg")
SURFACE_CELLS = 34  # the surface is drawn as about 34 × 34 facets, finer where needed (figures.surface)
PANEL_ROOM = (0.005, 0.01, 0.93)  # the 3-D panel's labels stay right of, above and below these (figure fractions)
AXIS_TICKS = 5  # at most this many ticks on a coordinate axis (each tick costs drawing time)
PATH_WIDTH = 1.6  # points (the page's ~2 CSS px trails)
DARK = "#0c0e14"
UNDEFINED_FACE, UNDEFINED_HATCH = "#c9ccd2", "#737984"  # where f is undefined: light grey, hatched
UNDEFINED_LABEL = "hatched: f undefined"


# ---------------------------------------------------------------------- checks

def _real(name: str, value, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not (math.isfinite(value) and lo <= value <= hi):
        raise ValueError(f"Invalid {name}={show(value)}: must be a finite number in [{lo:g}, {hi:g}]")
    return float(value)


def _grid(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not GRID[0] <= value <= GRID[1]:
        raise ValueError(f"Invalid grid={show(value)}: must be an integer in [{GRID[0]}, {GRID[1]}]")
    return value


def _size(value) -> tuple[float, float]:
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise ValueError(f"Invalid size={show(value)}: must be (width, height) in inches")
    return (_real("size[0]", value[0], 2, 40), _real("size[1]", value[1], 2, 40))


def _runs(scene: Scene, runs) -> dict:
    if runs is None:
        return scene.simulate()
    missing = [k for k in scene.show if k not in runs] if isinstance(runs, dict) else None
    if missing is None or missing:
        raise ValueError(f"Invalid runs: must be {{key: optimizers.Simulation}} for every key of scene.show "
                         f"(missing: {show(missing if missing else runs)})")
    return runs


# ---------------------------------------------------------------------- the data

class _Surface:
    """f on a grid × grid lattice over the view, and its colour coordinate t."""

    def __init__(self, land, grid: int) -> None:
        xmin, xmax, ymin, ymax = land.domain
        self.land, self.domain = land, land.domain
        self.xs, self.ys = np.linspace(xmin, xmax, grid), np.linspace(ymin, ymax, grid)
        self.x, self.y = np.meshgrid(self.xs, self.ys)
        z = np.asarray(land.f(self.x, self.y), dtype=float)
        self.scale = rendering.color_scale(land.color_scale, z)
        self.t = self.height(z)
        self.undefined = bool(np.isnan(self.t).any())  # some cell of the view has f undefined or ±∞

    def height(self, z) -> np.ndarray:
        """t(f): the colour coordinate in [0, 1]; NaN where f is not finite (undefined or ±∞)."""
        z = np.asarray(z, dtype=float)
        finite = np.isfinite(z)
        with np.errstate(all="ignore"):
            t = np.asarray(self.scale.forward(np.where(finite, z, self.scale.zmin)), dtype=float)
        return np.where(finite, t, np.nan)

    def inside(self, xy: np.ndarray) -> np.ndarray:
        xmin, xmax, ymin, ymax = self.domain
        with np.errstate(invalid="ignore"):
            return (xy[:, 0] >= xmin) & (xy[:, 0] <= xmax) & (xy[:, 1] >= ymin) & (xy[:, 1] <= ymax)

    def lifted(self, xy: np.ndarray) -> np.ndarray:
        """(m, 3): x, y, t(f(x, y)) of points (m, 2), NaN rows outside the view or where f is not finite."""
        out = np.full((len(xy), 3), np.nan)
        keep = self.inside(xy) & np.isfinite(xy).all(axis=1)
        if keep.any():
            out[keep, :2] = xy[keep]
            out[keep, 2] = self.height(self.land.f(xy[keep, 0], xy[keep, 1]))
        out[~np.isfinite(out).all(axis=1)] = np.nan
        return out


def _restart_breaks(name: str, hp: dict, steps: int) -> list[int]:
    """Steps at which random restarts' ball jumps: descent r ≥ 1 begins at step
    r·steps_per + 1, and at step n_restarts·steps_per it moves to the best end point
    (``optimizers.escape.restarts``)."""
    if name != "restarts":
        return []
    full = optimizers.create(name, **hp).hyperparameters
    n, per = full["n_restarts"], full["steps_per"]
    jumps = {r * per + 1 for r in range(1, n)} | {n * per}
    return sorted(s for s in jumps if 1 <= s <= steps)


def _broken(path: np.ndarray, breaks: list[int]) -> np.ndarray:
    """path (m, 2) with a NaN row inserted before each step in ``breaks`` (a line breaks there)."""
    return np.insert(path, breaks, np.nan, axis=0) if breaks else path


def _joined(curves: list[np.ndarray]) -> np.ndarray:
    """Curves (k_i, 2) back to back, separated by NaN rows: one line to draw."""
    if not curves:
        return np.zeros((0, 2))
    gap = np.full((1, 2), np.nan)
    return np.concatenate([part for c in curves for part in (c, gap)][:-1])


# ---------------------------------------------------------------------- drawing

def _colormap():
    from matplotlib.colors import ListedColormap
    return ListedColormap(rendering.lut(rendering.DEFAULT_COLORMAP)[:, :3] / 255.0, name=rendering.DEFAULT_COLORMAP)


def _coordinate_axes(ax, land) -> None:
    """The parameter axes: the landscape's axis labels, at most ``AXIS_TICKS`` round ticks."""
    from matplotlib.ticker import MaxNLocator
    for axis, label in zip((ax.xaxis, ax.yaxis), land.axis_labels):
        axis.set_major_locator(MaxNLocator(AXIS_TICKS, steps=[1, 2, 5, 10]))
        axis.set_label_text(label)


def _surface_frame(ax, surf: _Surface, azimuth: float, elevation: float) -> None:
    """The 3-D panel without its surface: view, limits, ticks and labels (measured by
    ``layout.fit`` before the surface is added)."""
    ax.computed_zorder = False  # the paths stay on top of the surface from every angle
    ax.view_init(elev=elevation, azim=azimuth)
    xmin, xmax, ymin, ymax = surf.domain
    ax.set(xlim=(xmin, xmax), ylim=(ymin, ymax), zlim=(0.0, 1.0))
    ticks = rendering.colorbar_ticks(surf.scale)
    ax.set_zticks([tick["pos"] for tick in ticks], [number(tick["value"]) for tick in ticks])
    _coordinate_axes(ax, surf.land)
    ax.set_zlabel("loss" + (" (log colour scale)" if surf.scale.kind == "log" else ""))


def _undefined_background(ax, surf: _Surface) -> None:
    """Light grey hatching under the bands, seen where they leave a cell out (f undefined)."""
    from matplotlib.patches import Rectangle
    xmin, xmax, ymin, ymax = surf.domain
    ax.add_patch(Rectangle((xmin, ymin), xmax - xmin, ymax - ymin, facecolor=UNDEFINED_FACE,
                           edgecolor=UNDEFINED_HATCH, hatch="//", linewidth=0, zorder=-1))


def _map_panel(fig, ax, surf: _Surface, cmap):
    levels = np.linspace(0.0, 1.0, CONTOUR_LEVELS + 1)
    if surf.undefined:
        _undefined_background(ax, surf)
    t = np.ma.masked_invalid(surf.t)
    bands = ax.contourf(surf.xs, surf.ys, t, levels=levels, cmap=cmap, vmin=0.0, vmax=1.0, zorder=0)
    ax.set_rasterization_zorder(0.5)  # in an SVG the bands (zorder 0) are one image; lines and text stay vectors
    iso = np.arange(1, rendering.N_CONTOURS + 1) / (rendering.N_CONTOURS + 1)  # the page's iso-loss lines
    ax.contour(surf.xs, surf.ys, t, levels=iso, colors="white", linewidths=0.5, alpha=0.35, zorder=1)
    xmin, xmax, ymin, ymax = surf.domain
    ax.set(xlim=(xmin, xmax), ylim=(ymin, ymax), aspect="equal")
    _coordinate_axes(ax, surf.land)
    cax = ax.inset_axes([1.03, 0.0, 0.04, 1.0])
    bar = fig.colorbar(bands, cax=cax)
    ticks = rendering.colorbar_ticks(surf.scale)
    bar.set_ticks([tick["pos"] for tick in ticks], labels=[number(tick["value"]) for tick in ticks])
    bar.set_label("loss" + (" (log scale)" if surf.scale.kind == "log" else ""))
    return bar


def _marks(ax, xy, z=None, **style_):
    """Markers at points xy (m, 2) (lifted to heights z on the 3-D axes): one marker-only
    Line2D, much cheaper to build and draw than a scatter collection."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    where = (xy[:, 0], xy[:, 1]) if z is None else (xy[:, 0], xy[:, 1], np.asarray(z, dtype=float).reshape(-1))
    ax.plot(*where, linestyle="none", **style_)


def _end_marker(ax, key: str, xy, z=None) -> None:
    """◆ in the optimizer's colour, white-edged (the reference's end marker), with the
    optimizer's own ball shape in the page's dark inside it (colour is never the only cue)."""
    _marks(ax, xy, z, marker="D", markersize=10, color=style.color(key), markeredgecolor="white",
           markeredgewidth=1.4, zorder=8)
    _marks(ax, xy, z, marker=style.marker(key), markersize=4.6, color=DARK, markeredgewidth=0, zorder=9)


def _minima(ax, surf: _Surface, lifted: bool) -> None:
    """★ (gold) at the global minima, ○ (white ring) at the local ones."""
    for is_global in (True, False):
        found = [m for m in surf.land.minima if m.is_global == is_global]
        xy = np.array([(m.x, m.y) for m in found]).reshape(-1, 2)
        if lifted:  # the 3-D box does not clip: leave out what lies outside the view
            xy = xy[surf.inside(xy)]
        if not len(xy):
            continue
        z = surf.height(surf.land.f(xy[:, 0], xy[:, 1])) if lifted else None
        if is_global:
            _marks(ax, xy, z, marker="*", markersize=16 if not lifted else 13, color="gold",
                   markeredgecolor="black", markeredgewidth=1.1, zorder=10)
        else:
            _marks(ax, xy, z, marker="o", markersize=12 if not lifted else 10, markerfacecolor="none",
                   markeredgecolor="white", markeredgewidth=1.6, zorder=10)


def _start(ax, start, z=None) -> None:
    """◎ at the start: a white ring round a white dot."""
    _marks(ax, start, z, marker="o", markersize=13, markerfacecolor="none", markeredgecolor="white",
           markeredgewidth=2.0, zorder=11)
    _marks(ax, start, z, marker="o", markersize=4, color="white", zorder=11)


def _short(text: str, limit: int = 70) -> str:
    """A typed landscape's formula for the title, cut to ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _legend(fig, scene: Scene, have_global: bool, have_local: bool, have_particles: bool,
            have_undefined: bool) -> None:
    from matplotlib.legend_handler import HandlerTuple
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    handles = [Line2D([], [], color=style.color(key), linewidth=PATH_WIDTH,
                      linestyle=style.linestyle(key, PATH_WIDTH), dash_capstyle="round",
                      marker=style.marker(key), markersize=7, markerfacecolor=style.color(key),
                      markeredgecolor=DARK) for key in scene.show]
    ring = dict(linestyle="none", marker="o", markerfacecolor="none", markeredgecolor="black")
    handles.append((Line2D([], [], markersize=10, markeredgewidth=1.6, **ring),
                    Line2D([], [], linestyle="none", marker="o", markersize=3.5, color="black")))
    labels = [optimizers.label(key) for key in scene.show] + ["◎ start"]
    if have_global:
        handles.append(Line2D([], [], linestyle="none", marker="*", markersize=14, color="gold",
                              markeredgecolor="black"))
        labels.append("★ global minimum")
    if have_local:
        handles.append(Line2D([], [], markersize=10, markeredgewidth=1.4, **ring))
        labels.append("○ local minimum")
    if have_particles:
        handles.append(Line2D([], [], color=style.PARTICLE_REST_COLOR, linewidth=0.8))
        labels.append("gradient flow")
    if have_undefined:
        handles.append(Patch(facecolor=UNDEFINED_FACE, edgecolor=UNDEFINED_HATCH, hatch="//", linewidth=0))
        labels.append(UNDEFINED_LABEL)
    fig.legend(handles, labels, handler_map={tuple: HandlerTuple(ndivide=None)}, loc="upper right",
               bbox_to_anchor=(0.995, 0.89), fontsize=8, framealpha=0.95, borderaxespad=0.0)


def scene_figure(scene: Scene, *, runs=None, flows=None, azimuth=-60, elevation=30, grid=200, size=(12, 5.5)):
    """A ``matplotlib.figure.Figure`` of ``scene`` (module docstring): the 3-D surface of f
    on a ``grid``² lattice seen from ``azimuth``/``elevation`` (degrees) with every visible
    optimizer's path on it, beside the top view. ``runs`` ({key: optimizers.Simulation},
    default ``scene.simulate()``) and ``flows`` (an ``optimizers.FlowPaths``, default
    ``scene.flows()`` when the scene has particles) may be passed in when already computed.
    ``size`` is (width, height) in inches."""
    if not isinstance(scene, Scene):
        raise ValueError(f"Invalid scene of type {type(scene).__name__}: must be a scenes.Scene")
    azimuth, elevation = _real("azimuth", azimuth, -360, 360), _real("elevation", elevation, -90, 90)
    grid, size = _grid(grid), _size(size)
    runs = _runs(scene, runs)
    if flows is None and scene.particles:
        flows = scene.flows()
    from matplotlib.figure import Figure

    land, cmap = scene.land(), _colormap()
    surf = _Surface(land, grid)
    fig = Figure(figsize=size, dpi=100)
    ax3 = fig.add_axes((-0.02, 0.03, 0.45, 0.88), projection="3d")
    ax2 = fig.add_axes((0.49, 0.1, 0.3, 0.78))
    _surface_frame(ax3, surf, azimuth, elevation)
    _map_panel(fig, ax2, surf, cmap)
    renderer = layout.renderer_of(fig)
    left, bottom, top = PANEL_ROOM
    layout.fit(fig, ax3, (left, bottom, layout.left_edge(fig, ax2, renderer) - 0.01, top), renderer)
    surface.draw(ax3, surf.x, surf.y, surf.t, cmap, SURFACE_CELLS)
    if flows is not None and len(flows.length):
        _draw_flows(ax2, ax3, surf, flows)
    resolved = {key: (name, hp) for key, name, hp in scene.balls()}
    for order, key in enumerate(scene.show):
        name, hp = resolved[key]
        _draw_path(ax2, ax3, surf, key, runs[key], _restart_breaks(name, hp, scene.steps), order)
    _minima(ax2, surf, lifted=False)
    _minima(ax3, surf, lifted=True)
    _start(ax2, scene.start)
    top = surf.lifted(np.array([scene.start]))[0]
    if np.isfinite(top).all():  # inside the view, f defined there
        _start(ax3, scene.start, float(top[2]))
    have_global, have_local = any(m.is_global for m in land.minima), any(not m.is_global for m in land.minima)
    _legend(fig, scene, have_global, have_local, flows is not None and len(flows.length) > 0, surf.undefined)
    noise = f", gradient noise σ = {number(scene.noise)} (seed {scene.seed})" if scene.noise > 0 else ""
    name = f"f(x, y) = {_short(land.formula)}" if getattr(land, "formula", "") else land.label
    fig.suptitle(f"{name} after {scene.steps:,} steps: lr {number(scene.lr)}, β {number(scene.beta)}{noise}",
                 fontsize=12, fontweight="bold")
    shown = [("◆ end point", bool(scene.show)), ("★ global minimum", have_global), ("○ local minima", have_local),
             ("◎ start", True)]
    ax2.set_title("top view:  " + ",  ".join(text for text, drawn in shown if drawn), fontsize=9)
    return fig


def _draw_path(ax2, ax3, surf: _Surface, key: str, sim, breaks: list[int], order: int) -> None:
    path = sim.path[:, 0]
    end = path[-1]
    flat = _broken(path, breaks)
    dash = style.linestyle(key, PATH_WIDTH)
    z = 3 + 0.01 * order
    ax2.plot(flat[:, 0], flat[:, 1], color=style.HALO, linewidth=PATH_WIDTH + 1.6, alpha=0.45,
             solid_capstyle="round", zorder=z)
    ax2.plot(flat[:, 0], flat[:, 1], color=style.color(key), linewidth=PATH_WIDTH, linestyle=dash,
             dash_capstyle="round", solid_capstyle="round", zorder=z + 0.005)
    lifted = _broken(surf.lifted(path), breaks)
    ax3.plot(lifted[:, 0], lifted[:, 1], lifted[:, 2], color=style.color(key), linewidth=PATH_WIDTH - 0.2,
             linestyle=dash, dash_capstyle="round", zorder=z)
    if np.isfinite(end).all():
        _end_marker(ax2, key, end)
        top = surf.lifted(end[None])[0]
        if np.isfinite(top).all():
            _end_marker(ax3, key, top[:2], top[2])


def _draw_flows(ax2, ax3, surf: _Surface, flows) -> None:
    curves = flows.curves()
    line = _joined(curves)
    ax2.plot(line[:, 0], line[:, 1], color=style.PARTICLE_COLOR, linewidth=0.7, alpha=0.55, zorder=2)
    ends = flows.end.positions
    _marks(ax2, ends, marker="o", markersize=3, color=style.PARTICLE_REST_COLOR, markeredgecolor=style.HALO,
           markeredgewidth=0.4, zorder=2.5)
    lifted = surf.lifted(line)  # the NaN separators stay NaN
    ax3.plot(lifted[:, 0], lifted[:, 1], lifted[:, 2], color=style.PARTICLE_COLOR, linewidth=0.5,
             alpha=0.5, zorder=2)


def render(fig, fmt: str = "png", dpi=100):
    """The figure as a file's content: PNG bytes, or SVG text (a str; its text stays text,
    ``svg.fonttype`` "none", so the labels can be read and searched; the surface's facets
    and the filled contour bands are embedded as images at ``dpi``, everything else is
    vector). ``fmt`` "png" or "svg", ``dpi`` a number in [50, 400]."""
    if fmt not in FORMATS:
        raise ValueError(f"Invalid fmt={show(fmt)}: must be one of {', '.join(FORMATS)}")
    dpi = _real("dpi", dpi, *DPI)
    import matplotlib

    buffer = io.BytesIO()
    if fmt == "png":
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        FigureCanvasAgg(fig)
        fig.savefig(buffer, format="png", dpi=dpi)
        return buffer.getvalue()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "loss-landscape-playground"}):
        fig.savefig(buffer, format="svg", dpi=dpi, metadata={"Date": None})
    return buffer.getvalue().decode("utf-8")


def draw_scene(scene: Scene, **options):
    """``scene_figure(scene, runs=scene.simulate(), flows=scene.flows(), **options)``
    (flows only when the scene has particles)."""
    if not isinstance(scene, Scene):
        raise ValueError(f"Invalid scene of type {type(scene).__name__}: must be a scenes.Scene")
    flows = scene.flows() if scene.particles else None
    return scene_figure(scene, runs=scene.simulate(), flows=flows, **options)
