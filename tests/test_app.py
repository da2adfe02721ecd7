"""The bridge the page talks to, exercised under CPython exactly as the worker calls it."""

import json

import numpy as np
import pytest

import app
import landscapes
import optimizers


def call(session, command, **args):
    text, arrays = app.handle(command, json.dumps(args), session=session)
    return decode(json.loads(text), arrays)


def decode(value, arrays):
    if isinstance(value, dict) and "$array" in value:
        arr = arrays[value["$array"]]
        assert list(arr.shape) == value["shape"]
        return arr
    if isinstance(value, dict):
        return {k: decode(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v, arrays) for v in value]
    return value


@pytest.fixture
def session():
    return app.Session()


def test_init_lists_every_landscape_and_optimizer(session):
    info = call(session, "init")
    assert [land["key"] for land in info["landscapes"]] == landscapes.names()
    assert [o["key"] for o in info["optimizers"]] == optimizers.names()
    assert info["defaults"]["landscape"] in landscapes.names()
    assert "playground" in info["colormaps"]


def test_scene_returns_a_heatmap_contours_and_a_restarted_run(session):
    scene = call(session, "scene", landscape="bumpy", lr=0.05, beta=0.9, resolution=64)
    heat = scene["heatmap"]
    assert heat["rgba"].shape == (heat["height"], heat["width"], 4) == (64, 64, 4)
    assert scene["contours"]["offsets"][-1] == len(scene["contours"]["xy"])
    assert len(scene["contours"]["level_index"]) == len(scene["contours"]["offsets"]) - 1 > 5
    assert scene["runs"]["step"] == 0
    np.testing.assert_array_equal(scene["runs"]["positions"], [landscapes.get("bumpy").start] * 6)


@pytest.mark.parametrize("key", ["ravine", "bumpy", "saddle", "wells"])
def test_ball_positions_agree_with_optimizers_trajectory(session, key):
    lr, beta = landscapes.get(key).default_lr, 0.8
    call(session, "scene", landscape=key, lr=lr, beta=beta, resolution=32)
    for _ in range(3):
        runs = call(session, "advance", steps=40)["runs"]
    for k, name in enumerate(runs["keys"]):
        opt, hp = app.hyperparameters(name, lr, beta)
        expected = optimizers.trajectory(opt, key, landscapes.get(key).start, 120, **hp)
        np.testing.assert_array_equal(runs["positions"][k], expected[-1])
        loss = landscapes.get(key).f(expected[:, 0], expected[:, 1])
        assert runs["loss"][k] == loss[-1] and runs["best"][k] == loss.min()


def test_recolor_changes_the_pixels_and_keeps_the_run(session):
    first = call(session, "scene", landscape="bowl", lr=0.05, beta=0.9, resolution=32)
    call(session, "advance", steps=9)
    other = call(session, "recolor", colormap="magma", resolution=32)
    assert other["heatmap"]["rgba"].shape == first["heatmap"]["rgba"].shape
    assert (other["heatmap"]["rgba"] != first["heatmap"]["rgba"]).any()
    assert call(session, "advance", steps=0)["runs"]["step"] == 9


def test_prefetch_warms_the_picture_and_ignores_bad_hints(session):
    app.picture.cache_clear()
    assert call(session, "prefetch", landscape="booth", colormap=None) == {"prefetched": True}
    assert app.picture.cache_info().currsize == 1
    call(session, "scene", landscape="booth")
    assert app.picture.cache_info().hits == 1
    assert call(session, "prefetch", landscape="moon", colormap="x") == {"prefetched": False}
    assert call(session, "prefetch") == {"prefetched": True}  # no hint: the default landscape


def test_scenes_come_without_contours_until_contourpy_is_there(session, monkeypatch):
    monkeypatch.setattr(app, "_contourpy_loaded", False)  # as in the browser before it loads
    scene = call(session, "scene", landscape="booth", resolution=48)
    assert scene["contours"] is None and scene["heatmap"]["rgba"].shape == (48, 48, 4)
    with pytest.raises(ValueError, match="contour lines need contourpy"):
        call(session, "contours", resolution=48)
    assert call(session, "contours_loaded") == {"available": True}
    lines = call(session, "contours", resolution=48)
    assert lines["landscape"] == "booth" and len(lines["contours"]["level_index"]) > 5


def test_warming_computes_every_landscape_once_then_switches_hit_the_cache(session):
    app.picture.cache_clear()
    app._complete.clear()
    remaining = [call(session, "warm", resolution=40)["remaining"] for _ in landscapes.names()]
    assert remaining == list(range(len(landscapes.names()) - 1, -1, -1))
    assert call(session, "warm", resolution=40) == {"remaining": 0}
    misses = app.picture.cache_info().misses
    for key in landscapes.names():
        assert call(session, "scene", landscape=key, resolution=40)["contours"] is not None
    assert app.picture.cache_info().misses == misses, "every switch after warming is a cache hit"


def test_nesterov_at_beta_zero_is_sgd(session):
    call(session, "scene", landscape="bowl", lr=0.1, beta=0.0, resolution=32)
    runs = call(session, "advance", steps=25)["runs"]
    np.testing.assert_array_equal(runs["positions"][runs["keys"].index("nesterov")],
                                  runs["positions"][runs["keys"].index("sgd")])


def test_speed_changes_only_how_fast_the_run_unfolds():
    one, five = app.Session(), app.Session()
    for s in (one, five):
        call(s, "scene", landscape="ravine", lr=0.01, beta=0.9, resolution=32)
    path_one = np.concatenate([call(one, "advance", steps=1)["path"] for _ in range(30)])
    path_five = np.concatenate([call(five, "advance", steps=5)["path"] for _ in range(6)])
    np.testing.assert_array_equal(path_one, path_five)


def test_dropped_particles_roll_downhill(session):
    call(session, "scene", landscape="himmelblau", resolution=32)
    first = call(session, "drop", points=[[0.5, 0.5], [-1.0, 1.0]])["particles"]
    assert first["count"] == 2
    later = call(session, "advance", steps=20)["particles"]
    assert (later["loss"] < first["loss"]).all()
    grid = call(session, "drop_grid", n=10)["particles"]
    assert grid["count"] == 102
    assert call(session, "clear")["particles"]["count"] == 0


def test_diverged_balls_report_finite_numbers(session):
    call(session, "scene", landscape="ravine", lr=0.5, beta=0.9, resolution=32)
    runs = call(session, "advance", steps=200)["runs"]
    assert "diverged" in runs["status"]
    for field in ("positions", "loss", "best"):
        assert np.isfinite(runs[field]).all()


@pytest.mark.parametrize("command, args, message", [
    ("scene", {"landscape": "moon"}, "Unknown landscape 'moon'; valid landscapes are: ravine"),
    ("scene", {"landscape": "bowl", "colormap": "rainbow"}, "Unknown colormap 'rainbow'"),
    ("scene", {"landscape": "bowl", "resolution": 5000}, "Invalid resolution=5000"),
    ("reset", {"lr": -1}, "Invalid learning rate lr=-1.0"),
    ("reset", {"lr": "1e-3"}, "Invalid lr='1e-3': must be a finite number"),
    ("reset", {"beta": 1.0}, "Invalid momentum=1.0: must be in [0, 1)"),
    ("reset", {"start": [0, None]}, "Invalid y=None"),
    ("advance", {"steps": -3}, "Invalid steps=-3"),
    ("drop", {"points": [[1, 2, 3]]}, "Invalid point [1, 2, 3]"),
    ("drop_grid", {"n": 1000}, "Invalid grid size n=1000"),
    ("probe", {"x": "__import__('os')"}, "Invalid x="),
])
def test_bad_arguments_raise_a_clear_error_and_keep_the_session(session, command, args, message):
    call(session, "scene", landscape="bowl", lr=0.05, beta=0.9, resolution=32)
    call(session, "advance", steps=7)
    before = call(session, "advance", steps=0)["runs"]
    with pytest.raises((ValueError, KeyError)) as err:
        call(session, command, **args)
    assert message in str(err.value)
    after = call(session, "advance", steps=0)["runs"]
    assert after["step"] == before["step"] == 7
    np.testing.assert_array_equal(after["positions"], before["positions"])
    assert session.landscape.key == "bowl"


def test_arguments_are_parsed_as_data_never_executed(session):
    with pytest.raises(ValueError, match="not JSON"):
        app.handle("probe", "{'x': __import__('os').system('false')}", session=session)
    with pytest.raises(ValueError, match="Unknown command"):
        app.handle("__import__", "{}", session=session)


def test_probe_reports_value_and_gradient(session):
    call(session, "scene", landscape="bowl", resolution=32)
    assert call(session, "probe", x=1.0, y=0.5) == {"x": 1.0, "y": 0.5, "f": 1.0, "gx": 1.0, "gy": 2.0}


def test_output_is_strict_json_with_no_nan():
    text, _ = app.handle("scene", json.dumps({"landscape": "beale", "resolution": 64}), session=app.Session())
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-finite constant {c} in the output"))
