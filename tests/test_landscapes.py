"""Every registered landscape: analytic derivatives, vectorisation, metadata and minima."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landscapes

ALL = landscapes.names()

# Minima as published for the classic functions (not taken from our own code).
PUBLISHED_GLOBAL_MINIMUM = {
    "himmelblau": 0.0,
    "rastrigin": 0.0,
    "beale": 0.0,
    "booth": 0.0,
    "ackley": 0.0,
    "styblinski-tang": -78.33233,
    "six-hump-camel": -1.0316,
    "ravine": 0.0,
    "bowl": 0.0,
}


def unit_points():
    return st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0))


def in_domain(land, u, v):
    xmin, xmax, ymin, ymax = land.domain
    return xmin + u * (xmax - xmin), ymin + v * (ymax - ymin)


def test_registry_keys_are_lowercase_and_unique():
    assert len(ALL) == len(set(ALL)) >= 14
    for key in ALL:
        assert key == key.lower() and " " not in key
        assert landscapes.get(key).key == key


def test_required_landscapes_are_registered():
    required = {"ravine", "saddle", "bumpy", "bowl", "quartic", "wells", "regression", "himmelblau",
                "rastrigin", "beale", "booth", "ackley", "styblinski-tang", "six-hump-camel"}
    assert required <= set(ALL)


def test_unknown_landscape_lists_the_valid_ones():
    with pytest.raises(KeyError) as err:
        landscapes.get("banana")
    message = str(err.value)
    assert "'banana'" in message and "ravine" in message and "six-hump-camel" in message


# Ackley's derivatives blow up like 1/r towards its cusp at the origin, so a central
# difference of step h is off by about (h/r)² there: at r = 1e-3 (hypothesis found
# r = 1.08e-3 once) the error was 4e-5, above the 1e-6 tolerance. Points closer than
# 1e-2 spans (10⁴ steps) are left out: (h/r)² ≤ 1e-8.
CUSP_RADIUS = 1e-2


@pytest.mark.parametrize("key", ALL)
@settings(max_examples=40, deadline=None)
@given(uv=unit_points())
def test_gradient_matches_central_differences(key, uv):
    land = landscapes.get(key)
    x, y = in_domain(land, *uv)
    if key == "ackley" and math.hypot(x, y) < CUSP_RADIUS * land.span:
        return  # cusp at the origin: f is not differentiable there (see CUSP_RADIUS)
    h = 1e-6 * land.span
    fd = ((land.f(x + h, y) - land.f(x - h, y)) / (2 * h), (land.f(x, y + h) - land.f(x, y - h)) / (2 * h))
    gx, gy = land.grad(x, y)
    scale = 1.0 + abs(float(land.f(x, y))) / land.span + math.hypot(gx, gy)
    assert abs(gx - fd[0]) <= 1e-6 * scale, f"{key}: ∂f/∂x at ({x}, {y}) = {gx}, differences say {fd[0]}"
    assert abs(gy - fd[1]) <= 1e-6 * scale, f"{key}: ∂f/∂y at ({x}, {y}) = {gy}, differences say {fd[1]}"


@pytest.mark.parametrize("key", ALL)
@settings(max_examples=40, deadline=None)
@given(uv=unit_points())
def test_hessian_matches_central_differences_of_the_gradient(key, uv):
    land = landscapes.get(key)
    x, y = in_domain(land, *uv)
    if key == "ackley" and math.hypot(x, y) < CUSP_RADIUS * land.span:
        return
    h = 1e-6 * land.span
    gxp, gyp = land.grad(x + h, y)
    gxm, gym = land.grad(x - h, y)
    fxx_fd, fxy_fd = (gxp - gxm) / (2 * h), (gyp - gym) / (2 * h)
    _, gy_up = land.grad(x, y + h)
    _, gy_dn = land.grad(x, y - h)
    fyy_fd = (gy_up - gy_dn) / (2 * h)
    fxx, fxy, fyy = land.hessian(x, y)
    scale = 1.0 + math.hypot(*land.grad(x, y)) / land.span + abs(fxx) + abs(fxy) + abs(fyy)
    for name, exact, approx in (("fxx", fxx, fxx_fd), ("fxy", fxy, fxy_fd), ("fyy", fyy, fyy_fd)):
        assert abs(exact - approx) <= 1e-5 * scale, f"{key}: {name} at ({x}, {y}) = {exact}, differences say {approx}"


@pytest.mark.parametrize("key", ALL)
def test_functions_are_vectorised_over_any_shape(key):
    land = landscapes.get(key)
    rng = np.random.default_rng(0)
    x, y = in_domain(land, rng.random((3, 4)), rng.random((3, 4)))
    z, (gx, gy), (fxx, fxy, fyy) = land.f(x, y), land.grad(x, y), land.hessian(x, y)
    for arr in (z, gx, gy, fxx, fxy, fyy):
        assert np.shape(arr) == (3, 4)
    for i, j in ((0, 0), (2, 3), (1, 2)):
        xs, ys = float(x[i, j]), float(y[i, j])
        assert z[i, j] == pytest.approx(float(land.f(xs, ys)), rel=1e-12, abs=1e-12)
        assert (gx[i, j], gy[i, j]) == pytest.approx(tuple(map(float, land.grad(xs, ys))), rel=1e-12, abs=1e-12)
        assert fxy[i, j] == pytest.approx(float(land.hessian(xs, ys)[1]), rel=1e-12, abs=1e-12)
    # Broadcasting a row of x against a column of y gives the grid.
    assert land.f(x[0][None, :], y[:, 0][:, None]).shape == (3, 4)


@pytest.mark.parametrize("key", ALL)
def test_metadata_is_consistent(key):
    land = landscapes.get(key)
    xmin, xmax, ymin, ymax = land.domain
    sx, sy = land.start
    assert xmin <= sx <= xmax and ymin <= sy <= ymax, f"{key}: start outside the view"
    lo, hi = land.lr_range
    assert 0 < lo <= land.default_lr <= hi
    assert land.label and land.description
    assert np.isfinite(land.f(sx, sy)) and np.isfinite(land.grad(sx, sy)).all()


@pytest.mark.parametrize("key", [k for k in ALL if landscapes.get(k).minima])
def test_known_minima_are_stationary_with_their_documented_value(key):
    land = landscapes.get(key)
    for m in land.minima:
        assert float(land.f(m.x, m.y)) == pytest.approx(m.value, abs=1e-9)
        gx, gy = land.grad(m.x, m.y)
        assert math.hypot(gx, gy) <= 1e-7 * (1.0 + abs(m.value)), f"{key}: ∇f = ({gx}, {gy}) at minimum {m}"
        fxx, fxy, fyy = land.hessian(m.x, m.y)
        assert fxx > 0 and fxx * fyy - fxy * fxy >= 0, f"{key}: Hessian not positive at {m}"
    if key in PUBLISHED_GLOBAL_MINIMUM:
        assert land.global_minimum().value == pytest.approx(PUBLISHED_GLOBAL_MINIMUM[key], abs=1e-4)


@pytest.mark.parametrize("key", [k for k in ALL if landscapes.get(k).minima])
def test_no_point_of_the_view_lies_below_the_global_minimum(key):
    land = landscapes.get(key)
    xmin, xmax, ymin, ymax = land.domain
    xs, ys = np.meshgrid(np.linspace(xmin, xmax, 401), np.linspace(ymin, ymax, 401))
    lowest = land.global_minimum()
    assert land.f(xs, ys).min() >= lowest.value - 1e-9
    assert all(m.value >= lowest.value for m in land.minima)
    assert sum(m.is_global for m in land.minima) >= 1


def test_regression_minimum_is_the_least_squares_fit():
    from landscapes.reference import REGRESSION_X, REGRESSION_Y
    slope, bias = np.polyfit(REGRESSION_X, REGRESSION_Y, 1)
    m = landscapes.get("regression").global_minimum()
    assert (m.x, m.y) == pytest.approx((slope, bias), abs=1e-10)
    assert m.value == pytest.approx(np.mean((slope * REGRESSION_X + bias - REGRESSION_Y) ** 2), rel=1e-10)
    assert abs(slope - 2.0) < 0.2 and abs(bias - 1.0) < 0.2  # the data really are y = 2x + 1 + noise


def test_regression_data_are_the_reference_texts_seeded_draws():
    from landscapes.reference import REGRESSION_X, REGRESSION_Y
    x = np.linspace(-2, 2, 30)
    np.random.seed(0)  # exactly as the reference notebook draws them
    y = 2.0 * x + 1.0 + np.random.normal(0, 0.3, x.shape)
    np.testing.assert_array_equal(REGRESSION_X, x)
    np.testing.assert_array_equal(REGRESSION_Y, y)


def test_four_wells_global_minimum_is_the_deepest_well_opposite_the_start():
    land = landscapes.get("wells")
    m = land.global_minimum()
    assert math.hypot(m.x - 2.5, m.y + 2.5) < 0.1
    assert land.start == (-4.0, -4.0)
    assert len(land.minima) == 4


def test_saddle_is_a_saddle_at_the_origin_bounded_below():
    land = landscapes.get("saddle")
    gx, gy = land.grad(0.0, 0.0)
    assert gx == 0 and 0 < abs(gy) < 0.05  # nearly vanishing, tilted
    fxx, fxy, fyy = land.hessian(0.0, 0.0)
    assert fxx > 0 > fyy
    xs, ys = np.meshgrid(np.linspace(-50, 50, 201), np.linspace(-50, 50, 201))
    assert land.f(xs, ys).min() >= land.global_minimum().value - 1e-9


def test_ravine_floor_is_much_flatter_than_its_walls():
    fxx, fxy, fyy = landscapes.get("ravine").hessian(1.0, 1.0)
    eig = np.linalg.eigvalsh([[fxx, fxy], [fxy, fyy]])
    assert eig[1] / eig[0] > 100
