"""Heatmap pixels, colour scales and contour lines."""

import numpy as np
import pytest

import landscapes
import rendering


def test_stored_colormaps_equal_what_the_pinned_matplotlib_gives():
    import matplotlib

    from tools.export_colormaps import colormaps

    assert matplotlib.__version__ == "3.8.4"
    maps = colormaps()
    assert rendering.colormap_names() == list(maps)
    for name, cmap in maps.items():
        expected = np.asarray(cmap(np.linspace(0, 1, 256), bytes=True))
        np.testing.assert_array_equal(rendering.lut(name), expected, err_msg=name)


def test_default_colormap_is_dark_for_low_loss_and_runs_teal_to_purple():
    table = rendering.lut(rendering.DEFAULT_COLORMAP).astype(int)
    brightness = table[:, :3].sum(axis=1)
    assert (np.diff(brightness) >= 0).all(), "brightness must grow with loss"
    r, g, b = table[100, :3]
    assert g > r and b > r, "the lower-middle of the ramp is teal"
    r, g, b = table[190, :3]
    assert b > g and r > g, "the upper part of the ramp is purple"


@pytest.mark.parametrize("kind", ["linear", "log"])
def test_colour_scale_round_trips_and_spans_zero_to_one(kind):
    scale = rendering.ColorScale(kind, -2.0, 300.0)
    z = np.array([-2.0, -1.0, 0.0, 1.0, 50.0, 300.0])
    t = scale.forward(z)
    assert t[0] == 0.0 and t[-1] == pytest.approx(1.0)
    assert (np.diff(t) > 0).all()
    np.testing.assert_allclose(scale.inverse(t), z, rtol=1e-9, atol=1e-9)


def test_log_scale_spreads_the_low_values():
    lin, log = rendering.ColorScale("linear", 0.0, 1000.0), rendering.ColorScale("log", 0.0, 1000.0)
    assert log.forward(1.0) > 10 * lin.forward(1.0)


def test_heatmap_rows_run_top_down_and_low_loss_is_dark():
    land = landscapes.get("bowl")
    grid = rendering.sample(land, 64)
    assert grid.z.shape == (64, 64)
    scale = rendering.color_scale("linear", grid.z)
    rgba = rendering.colorize(scale.forward(grid.z), rendering.lut("playground"))
    assert rgba.shape == (64, 64, 4) and rgba.dtype == np.uint8
    centre, corner = rgba[32, 32, :3].astype(int).sum(), rgba[0, 0, :3].astype(int).sum()
    assert centre < corner
    # Row 0 is the top of the picture (largest y): compare the image with f sampled top-down.
    land_rows = land.f(grid.xs[None, :], grid.ys[::-1, None])
    idx = np.rint(scale.forward(land_rows) * 255).astype(int)
    np.testing.assert_array_equal(rgba[..., 0], rendering.lut("playground")[idx, 0])


def test_grid_keeps_square_cells_for_a_wide_domain():
    grid = rendering.sample(landscapes.get("six-hump-camel"), 200)
    dx, dy = np.diff(grid.xs)[0], np.diff(grid.ys)[0]
    assert len(grid.xs) == 200 and dx == pytest.approx(dy, rel=0.01)


@pytest.mark.parametrize("key", ["ravine", "himmelblau", "bumpy", "booth"])
def test_contour_points_lie_on_their_level(key):
    land = landscapes.get(key)
    grid = rendering.sample(land, 200)
    scale = rendering.color_scale(land.color_scale, grid.z)
    levels = rendering.contour_levels(scale)
    xy, offsets, level_index = rendering.contour_lines(grid, levels)
    assert len(level_index) >= len(levels) // 2 and offsets[-1] == len(xy)
    for k in range(0, len(level_index), max(1, len(level_index) // 10)):
        pts = xy[offsets[k]:offsets[k + 1]].astype(float)
        f = land.f(pts[:, 0], pts[:, 1])
        level = levels[level_index[k]]
        cell = land.span / 200
        gx, gy = land.grad(pts[:, 0], pts[:, 1])
        # Linear interpolation on the grid: the error is about |∇f|·cell + curvature·cell².
        tolerance = np.hypot(gx, gy) * cell + 50 * cell**2 * (1 + np.abs(level))
        assert (np.abs(f - level) <= tolerance).all(), f"{key}: contour {k} strays from level {level}"


def test_colorbar_ticks_are_labelled_with_losses():
    ticks = rendering.colorbar_ticks(rendering.ColorScale("linear", 0.0, 10.0))
    assert [t["pos"] for t in ticks] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert [t["label"] for t in ticks] == ["0", "2.5", "5", "7.5", "10"]


@pytest.mark.parametrize("value, text", [(0.0, "0"), (1234.5, "1.23e+03"), (12345.0, "1.23e+04"),
                                         (0.001234, "1.23e-03"), (float("nan"), "—"), (float("inf"), "—"),
                                         (-2.5, "-2.5")])
def test_format_loss(value, text):
    assert rendering.format_loss(value) == text
