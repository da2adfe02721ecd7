"""The bridge's part of the page's timeline: each advance reply names every step's status
and basin (as the snapshot would have at that step), and the exports build the scene at
the step the page shows."""

import json

import numpy as np
import pytest

import app
import scenes
from test_app import call


def test_advance_names_each_steps_status_and_basin_as_the_snapshot_at_that_step():
    # lr = 1 on the ravine: some balls diverge, some leave the view, some settle.
    batch, single = app.Session(), app.Session()
    for s in (batch, single):
        call(s, "scene", landscape="ravine", lr=0.5, beta=0.9, resolution=32)
    reply = call(batch, "advance", steps=60)
    names = reply["step_status_names"]
    assert names == ["running", "converged", "diverged", "left the view"]
    assert reply["step_status"].shape == reply["step_basin"].shape == (60, len(batch.keys))
    seen = set()
    for k in range(60):
        snap = call(single, "advance", steps=1)["runs"]
        status = [names[c] for c in reply["step_status"][k]]
        basin = [snap_minima(single)[b] if b >= 0 else "—" for b in reply["step_basin"][k]]
        assert status == snap["status"], f"step {k + 1}"
        assert basin == snap["basin"], f"step {k + 1}"
        seen.update(status)
    assert {"diverged", "running"} <= seen, seen


def snap_minima(session):
    return [m.label for m in session.landscape.minima]


def test_advance_of_zero_steps_has_empty_step_labels():
    s = app.Session()
    reply = call(s, "advance", steps=0)
    assert reply["step_status"].shape == reply["step_basin"].shape == (0, len(s.keys))


@pytest.fixture
def ran():
    s = app.Session()
    call(s, "scene", landscape="saddle", resolution=32)
    call(s, "advance", steps=40)
    return s


@pytest.mark.parametrize("command, extra", [("describe", {}), ("takeaway", {"kind": "json"})])
def test_exports_take_the_step_shown(ran, command, extra):
    reply = call(ran, command, show=["sgd", "adam"], step=25, **extra)
    scene = scenes.Scene.from_dict(json.loads(reply["text"])) if command == "takeaway" else \
        scenes.Scene.from_dict({k: v for k, v in reply.items() if k != "label"})
    assert scene.steps == 25
    if command == "takeaway":
        assert reply["name"] == "saddle-step25.json"
    # The scene re-run to step 25 is where the page's balls were at step 25.
    again = app.Session()
    call(again, "scene", landscape="saddle", resolution=32)
    at25 = call(again, "advance", steps=25)["runs"]
    for key, sim in scene.simulate().items():
        np.testing.assert_array_equal(sim.path[-1, 0], at25["positions"][again.keys.index(key)])


def test_a_step_beyond_the_run_takes_the_latest_and_a_bad_step_is_named(ran):
    assert call(ran, "describe", show=["sgd"], step=999)["steps"] == 40
    assert call(ran, "describe", show=["sgd"])["steps"] == 40
    for bad in (-1, 2.5, "3", True):
        with pytest.raises(ValueError, match="Invalid step="):
            call(ran, "describe", show=["sgd"], step=bad)
