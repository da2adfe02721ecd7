"""Heatmap pixels, colour scales, colour-bar ticks and contour lines."""

import json
import subprocess
from pathlib import Path

import numpy as np

from scenes import fmt as scenes_fmt
import pytest

import landscapes
import rendering

ROOT = Path(__file__).resolve().parent.parent


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


def mantissa_and_exponent(value: float) -> tuple[int, int]:
    """value = m × 10^e with an integer m that has no trailing zero (0 → (0, 0))."""
    if value == 0:
        return 0, 0
    digits, exponent = f"{value:.12e}".split("e")
    m, e = float(digits), int(exponent)
    while m != round(m):
        m, e = m * 10, e - 1
    m = int(round(m))
    while m % 10 == 0:
        m, e = m // 10, e + 1
    return m, e


def test_colorbar_ticks_of_a_linear_scale_are_multiples_of_a_round_step():
    ticks = rendering.colorbar_ticks(rendering.ColorScale("linear", 0.0, 10.0))
    assert [t["value"] for t in ticks] == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    assert [t["pos"] for t in ticks] == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ticks = rendering.colorbar_ticks(rendering.ColorScale("linear", -1.0316, 8.39))
    assert [t["value"] for t in ticks] == [0.0, 2.0, 4.0, 6.0, 8.0]
    ticks = rendering.colorbar_ticks(rendering.ColorScale("linear", 0.0012, 0.0047))
    assert [t["value"] for t in ticks] == [0.002, 0.003, 0.004]  # 3 or 7 ticks: the fewer
    assert rendering.colorbar_ticks(rendering.ColorScale("linear", 3.0, 3.0)) == [{"pos": 0.0, "value": 3.0}]


def test_colorbar_ticks_of_a_log_scale_are_powers_of_ten_then_5_and_2():
    scale = rendering.ColorScale("log", 0.0, 1000.0)
    values = [t["value"] for t in rendering.colorbar_ticks(scale)]
    assert values[0] == 0.0 and {1.0, 10.0, 100.0, 1000.0} <= set(values)
    assert all(mantissa_and_exponent(v)[0] in (0, 1, 2, 5) for v in values)
    # Where there is room for it (here above the last power of ten), a 5 × 10^n.
    scale = rendering.ColorScale("log", 0.0, 50.0)
    values = [t["value"] for t in rendering.colorbar_ticks(scale)]
    assert values[-2:] == [10.0, 50.0], values


@pytest.mark.parametrize("key", landscapes.names())
def test_colorbar_ticks_are_round_losses_along_the_bar(key):
    land = landscapes.get(key)
    grid = rendering.sample(land, 240)  # the page's resolution
    scale = rendering.color_scale(land.color_scale, grid.z)
    ticks = rendering.colorbar_ticks(scale)
    values = [t["value"] for t in ticks]
    pos = np.array([t["pos"] for t in ticks])
    assert 3 <= len(ticks) <= 9, values
    assert values == sorted(values) and (np.diff(pos) > 0).all()
    assert ((0 <= pos) & (pos <= 1)).all()
    np.testing.assert_allclose(pos, scale.forward(np.array(values)), atol=1e-12)
    assert all(scale.zmin <= v <= scale.zmax for v in values)
    assert np.diff(pos).min() >= 0.1, "labels closer than a tenth of the bar would collide"
    if scale.kind == "log":
        # 0, 1, 2 or 5 × 10^n: one significant digit.
        assert all(mantissa_and_exponent(v)[0] in (0, 1, -1, 2, -2, 5, -5) for v in values), values
    else:
        # Evenly spaced multiples of a 1, 2 or 5 × 10^n step.
        steps = np.diff(values)
        np.testing.assert_allclose(steps, steps[0], rtol=1e-9)
        m, _ = mantissa_and_exponent(float(f"{steps[0]:.12g}"))
        assert m in (1, 2, 5) and all(v / steps[0] == pytest.approx(round(v / steps[0])) for v in values)


# static/format.js fmt in Python: scenes.fmt (the scripts of "Copy as Python" print with it),
# whose JavaScript rounding (ties away from zero) the node comparison below checks.
fmt = scenes_fmt


def test_colorbar_labels_as_the_page_writes_them_are_short_and_exact():
    # base.js writes each tick with fmt(value), the legend's formatter: a round value
    # keeps all its digits in 3 significant digits, so the label is the value exactly.
    seen = {}
    for key in landscapes.names():
        land = landscapes.get(key)
        scale = rendering.color_scale(land.color_scale, rendering.sample(land, 240).z)
        for tick in rendering.colorbar_ticks(scale):
            label = fmt(tick["value"])
            assert float(label) == tick["value"], (key, tick, label)
            seen[tick["value"]] = label
    assert seen[0.0] == "0" and seen[1e5] == "1e5" and seen[0.01] == "0.01" and seen[1e-4] == "1e-4"
    assert seen[1000.0] == "1000"
    assert all(len(label) <= 5 for label in seen.values()), seen


FMT_TABLE = [
    (0.0, "0"), (1.0, "1"), (0.5, "0.5"), (0.01, "0.01"), (0.001, "0.001"), (0.0002, "2e-4"),
    (1000.0, "1000"), (1234.5, "1230"), (9999.7, "1e4"), (12345.0, "1.23e4"), (5e-6, "5e-6"),
    (-2.5, "-2.5"), (150.0, "150"), (0.0012, "0.0012"), (9.996, "10"), (99.95, "100"),
    (0.30000000000000004, "0.3"), (123.456, "123"), (-1234.0, "-1230"), (float("nan"), "—"),
]


@pytest.mark.parametrize("value, text", FMT_TABLE)
def test_fmt_transcription_follows_the_rule(value, text):
    assert fmt(value) == text


def test_fmt_transcription_matches_static_format_js():
    # The page's own formatter on the same table and on every colour-bar tick value.
    values = [v for v, _ in FMT_TABLE if np.isfinite(v)]
    for key in landscapes.names():
        land = landscapes.get(key)
        scale = rendering.color_scale(land.color_scale, rendering.sample(land, 240).z)
        values += [t["value"] for t in rendering.colorbar_ticks(scale)]
    script = (f"import {{ fmt }} from {json.dumps((ROOT / 'static' / 'format.js').as_uri())};"
              f"console.log(JSON.stringify({json.dumps(values)}.map((v) => fmt(v))));")
    out = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [fmt(v) for v in values]
