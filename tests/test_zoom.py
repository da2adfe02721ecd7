"""The zoomed map: the bridge's "picture" command for a window of the landscape."""

import json
import math

import numpy as np
import pytest

import app
import landscapes
import rendering
from test_app import call


@pytest.fixture
def session():
    s = app.Session()
    call(s, "scene", landscape="ravine", resolution=32)
    return s


def cell_centres(window, width, height):
    """The centres of a width × height grid of equal cells over window, as the test sees them."""
    x0, x1, y0, y1 = window
    return ([x0 + (j + 0.5) * (x1 - x0) / width for j in range(width)],
            [y0 + (i + 0.5) * (y1 - y0) / height for i in range(height)])


def test_the_window_grid_holds_f_at_its_cell_centres():
    ravine = landscapes.get("ravine")
    window = (0.3, 0.7, 0.05, 0.45)  # the valley floor around the minimum (0.5, 0.25)
    grid = rendering.sample(ravine, 40, window=window)
    xs, ys = cell_centres(window, 40, 40)
    np.testing.assert_allclose(grid.xs, xs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(grid.ys, ys, rtol=0, atol=1e-12)
    for i in (0, 7, 39):
        for j in (0, 21, 39):
            assert grid.z[i, j] == pytest.approx(float(ravine.f(xs[j], ys[i])), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("key", ["bowl", "ravine"])  # a linear and a log colour scale
def test_every_pixel_of_the_zoomed_picture_is_the_colour_of_f_there(session, key):
    land = landscapes.get(key)
    x, y = land.minima[0].x, land.minima[0].y
    window = [x - 0.1, x + 0.3, y - 0.2, y + 0.2]
    call(session, "scene", landscape=key, resolution=32)
    reply = call(session, "picture", window=window, resolution=32, colormap="viridis")
    heat = reply["heatmap"]
    assert reply["window"] == window and heat["extent"] == window
    assert (heat["width"], heat["height"]) == (32, 32)  # full resolution for the window, square cells
    xs, ys = cell_centres(window, 32, 32)
    z = np.array([[float(land.f(xv, yv)) for xv in xs] for yv in ys])
    zmin, zmax = reply["colorbar"]["range"]
    assert (zmin, zmax) == pytest.approx((z.min(), z.max()), rel=1e-12)
    if land.color_scale == "log":
        d = 1e-4 * (zmax - zmin)
        t = np.log1p((z - zmin) / d) / np.log1p((zmax - zmin) / d)
    else:
        t = (z - zmin) / (zmax - zmin)
    table = rendering.lut("viridis")
    expected = table[np.rint(t * 255).astype(int)][::-1]  # row 0 is the top of the window
    assert np.array_equal(heat["rgba"], expected)


def test_the_valley_floor_gets_the_whole_colour_scale(session):
    whole = call(session, "picture", window=None, resolution=32)
    floor = call(session, "picture", window=[0.48, 0.52, 0.23, 0.27], resolution=32)  # around the minimum
    assert whole["window"] is None and whole["heatmap"]["extent"] == list(landscapes.get("ravine").domain)
    lo, hi = floor["colorbar"]["range"]
    ravine = landscapes.get("ravine")
    x0, x1, y0, y1 = ravine.domain
    corner = max(float(ravine.f(x, y)) for x in (x0, x1) for y in (y0, y1))
    assert hi - lo < 1e-3 * corner  # a sliver of the domain's range of losses
    assert len(np.unique(floor["heatmap"]["rgba"].reshape(-1, 4), axis=0)) > 100  # and it is spread over the colours


def test_a_zoomed_picture_leaves_the_runs_alone(session):
    call(session, "advance", steps=5)
    before = call(session, "advance", steps=0)["runs"]
    call(session, "picture", window=[0.0, 1.0, 0.0, 1.0], resolution=32)
    after = call(session, "advance", steps=0)["runs"]
    assert after["step"] == before["step"] and np.array_equal(after["positions"], before["positions"])


@pytest.mark.parametrize("window, message", [
    ("0,1,0,1", "four finite numbers"),
    ([0, 1, 0], "four finite numbers"),
    ([0, 1, 0, "1"], "four finite numbers"),
    ([0, 1, 0, True], "four finite numbers"),
    ([0, math.nan, 0, 1], "four finite numbers"),
    ([0, 1, -math.inf, 1], "four finite numbers"),
    ([0, 10**400, 0, 1], "four finite numbers"),
    ([1, 0, 0, 1], "inverted or empty"),
    ([0, 1, 1, 1], "inverted or empty"),
    ([0.5, 0.5 + 1e-9, 0, 1], "narrower in x than 1e-05"),
    ([0, 1, 0.25, 0.25 + 1e-9], "narrower in y than 1e-05"),
    ([-100, 1, 0, 1], "reaches beyond x"),
    ([0, 1, 0, 50], "reaches beyond y"),
])
def test_a_bad_window_is_refused_by_name(session, window, message):
    with pytest.raises(ValueError, match="Invalid window=") as err:
        app.handle("picture", json.dumps({"window": window}), session=session)
    assert message in str(err.value)


def test_a_bad_resolution_or_colormap_is_refused_for_a_window_too(session):
    with pytest.raises(ValueError, match="Invalid resolution="):
        call(session, "picture", window=[0, 1, 0, 1], resolution=[64])
    with pytest.raises(ValueError, match="colormap"):
        call(session, "picture", window=[0, 1, 0, 1], colormap="no-such-map")


def test_a_narrow_log_window_still_gets_round_ticks_on_its_colour_bar(session):
    # Near Rosenbrock's minimum the losses of a small window lie between two powers of ten.
    reply = call(session, "picture", window=[0.9, 0.9004, 0.8, 0.8006], resolution=32)
    lo, hi = reply["colorbar"]["range"]
    ticks = reply["colorbar"]["ticks"]
    assert reply["colorbar"]["scale"] == "log" and len(ticks) >= 3
    values = [t["value"] for t in ticks]
    assert values == sorted(values) and all(lo <= v <= hi for v in values)
    d = 1e-4 * (hi - lo)
    for t in ticks:  # each tick sits where the log scale puts its value
        assert t["pos"] == pytest.approx(math.log1p((t["value"] - lo) / d) / math.log1p((hi - lo) / d), abs=1e-9)
