"""app_side: taking away the scene of a session that shows a typed landscape ("Your own
f(x, y)"): describe, takeaway (JSON and script), figure and paths_csv through app.handle,
and the main worker's part without sympy."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import app
import app_side
import landscapes
import scenes

ROOT = Path(__file__).resolve().parent.parent
EXPRESSION = "(x-1)^2 + 3*sin(2*y) + abs(x*y) + exp(-x^2)"
DOMAIN = (-3.0, 3.0, -2.0, 4.0)
SHOW = ["sgd", "momentum", "adam"]
STEPS = 75


def call(command: str, args: dict, session) -> dict:
    return json.loads(app.handle(command, json.dumps(args), session)[0])


@pytest.fixture(scope="module")
def typed():
    """A session showing a typed landscape as the page runs one: the side worker's data,
    rebuilt by the main worker with numpy only, then STEPS steps."""
    data = call("compile_expression", {"expression": EXPRESSION, "domain": list(DOMAIN), "start": [-2.5, 3.5]},
                None)["data"]
    session = app.Session()
    call("scene", {"landscape": "custom", "custom": data, "lr": 0.03, "noise": 0.25, "seed": 4}, session)
    session.advance(STEPS)
    assert isinstance(session.landscape, landscapes.ExpressionLandscape)
    return session, data


def test_describe_gives_the_typed_landscapes_scene(typed):
    session, _ = typed
    reply = call("describe", {"show": SHOW}, session)
    assert reply["landscape"] == "custom" and reply["label"] == "Your own f(x, y)"
    assert reply["custom"] == {"expression": EXPRESSION, "domain": list(DOMAIN)}
    assert (reply["start"], reply["lr"], reply["noise"], reply["seed"], reply["steps"]) == \
        ([-2.5, 3.5], 0.03, 0.25, 4, STEPS)
    s = scenes.Scene.from_dict({k: v for k, v in reply.items() if k != "label"})
    assert s == app_side.scene_of(session, SHOW)
    snapshot = session.snapshot()
    for key, sim in s.simulate().items():  # the scene recomputes the page's balls exactly
        k = session.keys.index(key)
        assert np.array_equal(sim.path[-1, 0], snapshot["positions"][k]), key
        assert np.array_equal(sim.loss[-1, 0], snapshot["loss"][k]), key


def test_takeaway_json_loads_back_as_the_scene(typed):
    session, _ = typed
    reply = call("takeaway", {"kind": "json", "show": SHOW}, session)
    assert reply["name"] == f"custom-step{STEPS}.json"
    s = scenes.loads(reply["text"])
    assert s == app_side.scene_of(session, SHOW) and s.custom == (EXPRESSION, DOMAIN)


def test_takeaway_python_is_a_script_of_the_typed_landscape(typed):
    session, _ = typed
    reply = call("takeaway", {"kind": "python", "show": SHOW, "azimuth": -40, "dpi": 80}, session)
    assert reply["name"] == f"custom-step{STEPS}.py"
    compile(reply["text"], reply["name"], "exec")
    assert f"land = landscapes.from_expression({EXPRESSION!r}, domain={DOMAIN!r})" in reply["text"]
    assert "pip install .[expression]" in reply["text"] and "noise, seed = 0.25, 4" in reply["text"]


def test_figure_and_paths_csv_of_the_described_scene(typed):
    session, _ = typed
    described = call("describe", {"show": SHOW}, session)
    fig = app_side.cmd_figure(session, {"scene": described, "format": "png", "dpi": 50})
    assert fig["name"] == f"custom-step{STEPS}.png" and (fig["width"], fig["height"]) == (600, 275)
    assert bytes(fig["png"][:8]) == b"\x89PNG\r\n\x1a\n"
    reply = call("paths_csv", {"scene": described}, session)
    rows = list(csv.DictReader(io.StringIO(reply["text"])))
    assert reply["rows"] == len(rows) == (STEPS + 1) * len(SHOW) and reply["name"] == f"custom-step{STEPS}.csv"
    k = session.keys.index("adam")
    last = rows[-1]
    assert last["method"] == "adam" and float(last["x"]) == session.snapshot()["positions"][k][0]


def test_a_registry_landscapes_scene_has_no_custom_field():
    session = app.Session()
    reply = call("describe", {"show": ["sgd"]}, session)
    assert reply["landscape"] == session.landscape.key and "custom" not in reply


def test_the_main_workers_commands_need_no_sympy(typed, tmp_path):
    # The main worker never loads sympy: describe and takeaway of a typed landscape work
    # from the data alone.
    _, data = typed
    (tmp_path / "data.json").write_text(json.dumps(data))
    code = f"""
import json, sys
import app
data = json.load(open({str(tmp_path / "data.json")!r}))
s = app.Session()
app.handle("scene", json.dumps({{"landscape": "custom", "custom": data}}), s)
s.advance(5)
described = json.loads(app.handle("describe", '{{"show": ["sgd"]}}', s)[0])
assert described["custom"]["expression"] == {EXPRESSION!r}, described
for kind in ("json", "python"):
    app.handle("takeaway", json.dumps({{"kind": kind, "show": ["sgd", "adam"]}}), s)
loaded = [m for m in sys.modules if m.split(".")[0] in ("sympy", "mpmath", "matplotlib")]
assert not loaded, loaded
"""
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


def test_the_figure_command_reports_its_stages_in_order_while_it_runs(typed):
    session, _ = typed
    described = call("describe", {"show": SHOW}, session)
    heard = []
    app_side.set_progress(lambda text, fraction: heard.append((text, fraction)))
    try:
        app_side.cmd_figure(session, {"scene": described, "format": "svg", "dpi": 50})
    finally:
        app_side.set_progress(None)
    assert [text for text, _ in heard] == ["simulating the scene", "drawing the 3-D surface and the top view",
                                           "rendering the SVG"]
    fractions = [f for _, f in heard]
    assert fractions == sorted(fractions) and 0 < fractions[0] and fractions[-1] < 1
