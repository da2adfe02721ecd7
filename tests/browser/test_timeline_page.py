"""A run that stops where the notes look, a timeline to scrub back, exports at the step on
screen, and a Speed that means N × 60 optimizer steps per second (static/panels/timeline.js,
static/model/timeline.js, static/model/pace.js, the session's tick)."""

from __future__ import annotations

import math

import landscapes
import numpy as np
import optimizers
from playground_page import parse_number

SADDLE = landscapes.get("saddle")


def set_speed(pg, speed: int) -> None:
    pg.page.evaluate(
        "(v) => { const s = document.getElementById('speed'); s.value = String(v);"
        " s.dispatchEvent(new Event('input')); }", speed)


def scrub(pg, step: int) -> None:
    """Drags the timeline to `step` as an input event does, then waits for the panels."""
    pg.page.evaluate(
        "(v) => { const r = document.getElementById('timeline-range'); r.value = String(v);"
        " r.dispatchEvent(new Event('input')); }", step)
    pg.next_frames(3)


def test_play_pauses_exactly_at_the_landscapes_step_count_and_run_on_continues(open_playground):
    assert SADDLE.steps == 300
    pg = open_playground("landscape=saddle&speed=50&show=all")
    pg.wait_for(lambda: not pg.state()["playing"], "Play to pause at the step count", timeout=60)
    assert pg.snapshot()["step"] == SADDLE.steps, "the run must stop exactly at the step count, never past it"
    assert pg.state()["held"] == SADDLE.steps
    pg.page.wait_for_timeout(300)
    assert pg.snapshot()["step"] == SADDLE.steps
    assert "Paused at step 300, the step count these notes describe" in pg.text("#timeline-status")
    assert pg.page.is_visible("#run-on")
    pg.page.click("#run-on")
    pg.wait_for(lambda: pg.snapshot()["step"] > SADDLE.steps + 50, "Run on to continue past the step count")
    assert pg.state()["playing"] and pg.state()["held"] is None
    assert not pg.page.is_visible("#run-on")
    # Reset restores the limit: the next Play stops at 300 again.
    pg.page.click("#reset")
    pg.idle()
    pg.play()
    pg.wait_for(lambda: not pg.state()["playing"], "the reset run to pause at the step count again", timeout=60)
    assert pg.snapshot()["step"] == SADDLE.steps
    # Step still takes exactly one step, past the count.
    pg.step(1)
    assert pg.snapshot()["step"] == SADDLE.steps + 1
    assert pg.errors == []


def test_a_new_landscape_after_the_pause_at_the_step_count_plays(open_playground):
    # The pause was the page's, not the user's: a shared custom link whose function took
    # longer to build than the landscape behind it took to reach its step count used to
    # open on a typed landscape stopped at step 0.
    pg = open_playground("landscape=saddle&speed=50&show=gradient")
    pg.wait_for(lambda: pg.state().get("held") == SADDLE.steps, "Play to pause at the step count", timeout=60)
    pg.select("#landscape", "bowl")
    pg.wait_for(lambda: pg.state()["landscape"] == "bowl" and pg.snapshot()["step"] > 20, "the bowl's run to play")
    assert pg.state()["playing"] and pg.state().get("held") is None
    # A pause the user chose stays: Pause, then another landscape, and nothing moves.
    pg.page.click("#play")
    assert not pg.state()["playing"]
    pg.select("#landscape", "saddle")
    pg.wait_for(lambda: pg.state()["landscape"] == "saddle", "the saddle")
    pg.idle()
    pg.page.wait_for_timeout(300)
    assert pg.snapshot()["step"] == 0 and not pg.state()["playing"]


def test_the_timeline_shows_the_scene_at_an_earlier_step_as_cpython_computes_it(open_playground):
    pg = open_playground("landscape=saddle&speed=50&show=gradient")
    pg.wait_for(lambda: not pg.state()["playing"], "Play to pause at the step count", timeout=60)
    live = pg.snapshot()
    k = 37
    scrub(pg, k)
    assert pg.state()["viewStep"] == k and not pg.state()["playing"]
    shown = pg.page.evaluate("""() => {
        const runs = window.__playground.shownRuns();
        return {step: runs.step, positions: Array.from(runs.positions), loss: Array.from(runs.loss),
                best: Array.from(runs.best), status: [...runs.status], basin: [...runs.basin]};
    }""")
    assert shown["step"] == k
    legend = pg.legend()
    assert pg.text("#legend-step") == f"· step {k}"
    state = pg.state()
    lr, beta, start = state["lr"], state["beta"], tuple(state["start"])
    for i, key in enumerate(live["keys"]):
        name, hp = optimizers.page_hyperparameters(key, lr, beta)
        sim = optimizers.simulate(name, SADDLE, [start], k, **hp)
        path = sim.path[:, 0, :]
        losses = SADDLE.f(path[:, 0], path[:, 1])
        np.testing.assert_allclose(shown["positions"][2 * i: 2 * i + 2], path[k], rtol=1e-9, atol=1e-12,
                                   err_msg=f"{key}: the ball at step {k} is not where CPython puts it")
        assert math.isclose(shown["best"][i], float(np.min(losses)), rel_tol=1e-9, abs_tol=1e-12), key
        status = optimizers.STATUS_NAMES[int(sim.status[k, 0])]
        assert shown["status"][i] == status, key
        if key in optimizers.GRADIENT_METHODS:  # shown rows: the table says the same
            row = legend[key]
            assert math.isclose(parse_number(row["loss"]), float(losses[k]), rel_tol=6e-3), (key, row)
            assert math.isclose(parse_number(row["best"]), float(np.min(losses)), rel_tol=6e-3), (key, row)
            assert row["status"] == status, (key, row)
            assert row["basin"] == (landscapes.basin_name(SADDLE, *path[k]) or "—"), (key, row)
    # The balls are drawn there, their paths end there, and the chart marks the step.
    sgd = live["keys"].index("sgd")
    px, py = pg.page.evaluate("([x, y]) => window.__playground.toPixel(x, y)", shown["positions"][2 * sgd: 2 * sgd + 2])
    assert pg.canvas_pixel("top", px, py)[3] > 0, "no ball drawn at SGD's position at step k"
    assert pg.page.evaluate("window.__playground.chartViewStep()") == k
    assert f"step {k}" in pg.text("#loss-chart .lc-step")
    trail = pg.page.evaluate("window.__playground.shownTrailEnd('sgd')")
    np.testing.assert_allclose(trail, shown["positions"][2 * sgd: 2 * sgd + 2])
    assert "Showing step 37" in pg.text("#timeline-status")
    # Arrow keys on the range move one step.
    pg.press("#timeline-range", "ArrowRight")
    pg.next_frames(2)
    assert pg.state()["viewStep"] == k + 1
    # Step (or Play) returns to live.
    pg.step(1)
    assert pg.state()["viewStep"] is None
    assert pg.page.evaluate("window.__playground.shownRuns().step") == SADDLE.steps + 1
    assert pg.errors == []


def test_play_returns_the_timeline_to_live(open_playground):
    pg = open_playground("landscape=saddle&speed=50&show=sgd")
    pg.wait_for(lambda: not pg.state()["playing"], "Play to pause at the step count", timeout=60)
    scrub(pg, 120)
    assert pg.state()["viewStep"] == 120
    pg.page.click("#play")
    pg.wait_for(lambda: pg.snapshot()["step"] > SADDLE.steps, "Play to continue from the latest step")
    assert pg.state()["viewStep"] is None
    pg.pause()
    pg.next_frames(3)
    assert pg.page.evaluate("window.__playground.shownRuns().step") == pg.snapshot()["step"]


def test_speed_asks_for_steps_by_elapsed_time_not_per_frame(playground):
    pg = playground  # paused at step 0 on the default landscape
    set_speed(pg, 10)  # 600 optimizer steps per second
    pg.page.evaluate("window.__playground.fakeClock(1000)")
    pg.play()
    pg.next_frames(10)  # frames pass, the clock does not: nothing is owed
    pg.idle()
    assert pg.snapshot()["step"] == 0
    pg.page.evaluate("window.__playground.fakeClock(1100)")  # 0.1 s: 60 steps owed
    pg.wait_for(lambda: pg.snapshot()["step"] == 60, "60 steps for 0.1 s at Speed 10")
    pg.next_frames(10)
    pg.idle()
    assert pg.snapshot()["step"] == 60, "frames without elapsed time must not add steps"
    pg.page.evaluate("window.__playground.fakeClock(1125)")  # 25 ms more: 15 steps
    pg.wait_for(lambda: pg.snapshot()["step"] == 75, "15 steps for 25 ms at Speed 10")
    requests = pg.page.evaluate("window.__playground.requests()")
    assert sum(requests) == 75 and all(r <= 60 for r in requests), requests
    pg.pause()
    pg.page.evaluate("window.__playground.fakeClock(null)")
    assert "600 optimizer steps per second" in pg.text("#speed-hint")


def test_exports_take_the_step_on_screen_and_say_it(open_playground):
    pg = open_playground("landscape=saddle&speed=50&show=sgd,adam")
    pg.wait_for(lambda: not pg.state()["playing"], "Play to pause at the step count", timeout=60)
    scrub(pg, 90)
    with pg.page.expect_download(timeout=60_000) as info:
        pg.page.click(".tk-json")
    assert info.value.suggested_filename == "saddle-step90.json"
    pg.page.evaluate("window.__playground.takeaway.settled()")
    status = pg.page.evaluate("window.__playground.takeaway.summary().status")
    assert "saddle-step90.json" in status and "step 90" in status, status
    scene = pg.page.evaluate("window.__playground.describe(['sgd'], 90)")
    assert scene["steps"] == 90
    assert pg.errors == []


TIMELINE_MODEL = """async () => {
  const { Timeline } = await import('/static/model/timeline.js');
  const t = new Timeline(8);
  t.reset({ keys: ['sgd'], step: 0, positions: [0, 0], loss: [400], best: [400], status: ['running'],
            basin: ['—'], diverged_step: [-1] }, []);
  for (let step = 1; step <= 40; step++) {
    t.appendReply(step, {
      path: new Float64Array([step, -step]), loss: new Float64Array([(step - 20) ** 2]),
      jumped: new Uint8Array([step === 13 ? 1 : 0]), step_status: new Uint8Array([step >= 30 ? 1 : 0]),
      step_basin: new Int8Array([-1]), step_status_names: ['running', 'converged', 'diverged', 'left the view'],
    }, 0);
  }
  const at = t.runsAt(35, { diverged_step: [-1] });
  const trail = t.trailAt(0, 40);
  return { steps: Array.from(t.steps.subarray(0, t.length)), stride: t.stride,
           at: { step: at.step, x: at.positions[0], loss: at.loss[0], best: at.best[0], status: at.status[0] },
           trail: Array.from(trail.xy.subarray(0, 2 * trail.length), (v) => (Number.isNaN(v) ? null : v)) };
}"""


def test_the_timeline_model_stays_bounded_keeps_the_lowest_loss_and_the_restart_gaps(open_playground):
    pg = open_playground(ready=False)  # only its origin: the module is imported on its own
    got = pg.page.evaluate(TIMELINE_MODEL)
    # Capacity 8: every step up to 7, then every 2nd, 4th, 8th (the rows halve when full).
    assert got["steps"] == [0, 8, 16, 24, 32, 40] and got["stride"] == 8, got
    # At step 35 the scene is the recorded step 32; its lowest loss is step 20's, not recorded.
    assert got["at"] == {"step": 32, "x": 32, "loss": 144, "best": 0, "status": "converged"}, got["at"]
    # The jump at step 13 (its row long dropped) still breaks the path before the next kept point.
    assert got["trail"] == [0, 0, 8, -8, None, None, 16, -16, 24, -24, 32, -32, 40, -40], got["trail"]
