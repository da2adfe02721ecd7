"""Issue 13: a particle you can watch, its path kept, the gradient field, drag to paint,
and (issue 7) the basin map of a dropped grid."""

from __future__ import annotations

import math

import landscapes

HIMMELBLAU = landscapes.get("himmelblau")


def alpha_near(pg, layer: str, px: float, py: float, radius: int = 2) -> int:
    """The largest alpha of `layer` within `radius` CSS pixels of (px, py) (plot-box coordinates)."""
    return pg.page.evaluate(
        """([layer, x, y, r]) => {
            const c = document.querySelector('#layer-' + layer);
            const dpr = c.width / c.clientWidth;
            const s = Math.max(1, Math.round((2 * r + 1) * dpr));
            const d = c.getContext('2d').getImageData(Math.round((x - r) * dpr), Math.round((y - r) * dpr), s, s).data;
            let best = 0;
            for (let i = 3; i < d.length; i += 4) best = Math.max(best, d[i]);
            return best;
        }""", [layer, px, py, radius])


def white_pixels(pg, layer: str, px: float, py: float, radius: int) -> int:
    """Opaque near-white device pixels of `layer` within `radius` CSS pixels of (px, py)."""
    return pg.page.evaluate(
        """([layer, x, y, r]) => {
            const c = document.querySelector('#layer-' + layer);
            const dpr = c.width / c.clientWidth;
            const s = Math.round((2 * r + 1) * dpr);
            const d = c.getContext('2d').getImageData(Math.round((x - r) * dpr), Math.round((y - r) * dpr), s, s).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) n += d[i + 3] > 240 && Math.min(d[i], d[i + 1], d[i + 2]) > 230;
            return n;
        }""", [layer, px, py, radius])


def painted_pixels(pg, layer: str) -> int:
    return pg.page.evaluate(
        """(layer) => {
            const c = document.querySelector('#layer-' + layer);
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < d.length; i += 4) n += d[i] > 0;
            return n;
        }""", layer)


def test_a_dropped_particle_is_watchable_while_paused_and_keeps_its_path(open_playground):
    pg = open_playground("landscape=himmelblau")
    pg.pause()
    paused_at = pg.snapshot()["step"]
    # 30 % / 30 % of the map from its top-left corner, away from every minimum.
    xmin, xmax, ymin, ymax = HIMMELBLAU.domain
    x0, y0 = xmin + 0.3 * (xmax - xmin), ymax - 0.3 * (ymax - ymin)
    pg.click_at(x0, y0)
    pg.wait_for(lambda: pg.particles()["count"] == 1, "the click to drop a particle")
    pg.page.wait_for_timeout(500)
    half = pg.particles()
    (x, y), moving = half["xy"][0], half["status"][0] == 0
    px0, py0 = pg.page.evaluate("([x, y]) => window.__playground.toPixel(x, y)", [x0, y0])
    px, py = pg.page.evaluate("([x, y]) => window.__playground.toPixel(x, y)", [x, y])
    assert math.hypot(px - px0, py - py0) > 15, f"0.5 s after the click the particle moved only to {(x, y)}"
    assert moving, "0.5 s after the click the particle is already at rest: too fast to watch"
    assert pg.snapshot()["step"] == paused_at, "the optimizers stayed paused"
    pg.wait_for(lambda: pg.particles()["status"][0] != 0, "the particle to come to rest", timeout=10)
    end = pg.particles()
    assert end["status"][0] == 1, f"it should rest, not {end['status'][0]}"
    ex, ey = end["xy"][0]
    nearest = min(HIMMELBLAU.minima, key=lambda m: math.hypot(m.x - ex, m.y - ey))
    assert math.hypot(nearest.x - ex, nearest.y - ey) < 0.02, (ex, ey)
    assert end["t"][0] > 0, "the flow time is reported"
    pg.next_frames(3)
    # Its path is still drawn where it was half-way, and the ★ of its minimum still shows.
    assert alpha_near(pg, "particles", px, py) > 0, "the path is gone from the particles layer"
    mx, my = pg.page.evaluate("([x, y]) => window.__playground.toPixel(x, y)", [nearest.x, nearest.y])
    white = white_pixels(pg, "top", mx, my, 8)
    assert white >= 12, f"the ★ is hidden: {white} white pixels around the minimum"


def test_hovering_a_particle_reads_its_start_end_and_flow_time(open_playground):
    pg = open_playground("landscape=himmelblau")
    pg.pause()
    pg.click_at(-2.0, 2.0)
    pg.wait_for(lambda: pg.particles()["count"] == 1 and pg.particles()["status"][0] != 0, "the particle to rest",
                timeout=10)
    ex, ey = pg.particles()["xy"][0]
    pg.page.mouse.move(*pg.page_point(ex, ey))
    pg.wait_for(lambda: "flow time" in pg.text("#readout"), "the particle readout")
    text = pg.text("#readout")
    assert "start (-2, 2)" in text and "at rest" in text, text


def test_particles_flow_in_their_own_time_whatever_the_lr(open_playground):
    pg = open_playground("landscape=ravine&lr=0.0001")
    pg.pause()
    pg.click_at(-1.0, 0.0)
    pg.wait_for(lambda: pg.particles()["count"] == 1, "the drop")
    start = pg.particles()["xy"][0]
    pg.page.wait_for_timeout(700)
    now = pg.particles()["xy"][0]
    assert math.dist(start, now) > 0.2, f"at lr 1e-4 and paused the particle moved {math.dist(start, now):.3f}"


def test_the_gradient_field_option_draws_arrows(playground):
    pg = playground
    assert painted_pixels(pg, "field") == 0
    pg.page.check("#field")
    pg.wait_for(lambda: pg.page.evaluate("window.__playground.hasField()"), "the field to arrive")
    pg.next_frames(3)
    assert painted_pixels(pg, "field") > 2000
    assert "field=1" in pg.page.url
    pg.page.uncheck("#field")
    pg.next_frames(3)
    assert painted_pixels(pg, "field") == 0


def test_dragging_paints_a_stream_of_particles(playground):
    pg = playground
    pg.page.mouse.move(*pg.page_point(-1.5, 0.0))
    pg.page.mouse.down()
    pg.page.mouse.move(*pg.page_point(1.5, 0.0), steps=20)
    pg.page.mouse.up()
    pg.wait_for(lambda: pg.particles()["count"] >= 5, "several particles along the drag")
    xs = sorted(x for x, _ in pg.particles()["start"])
    assert xs[0] < -1.0 and xs[-1] > 1.0, xs
    assert pg.snapshot()["step"] == 0 and pg.state()["start"] == list(landscapes.get("ravine").start)


def test_a_dropped_grid_leaves_a_basin_map(open_playground):
    pg = open_playground("landscape=himmelblau")
    pg.pause()
    pg.page.click("#drop-grid")
    pg.wait_for(lambda: pg.particles()["count"] == 144, "the grid")
    pg.wait_for(lambda: pg.particles()["moving"] == 0, "every particle to end", timeout=20)
    p = pg.particles()
    rested = [b for b, s in zip(p["basin"], p["status"]) if s == 1]
    assert len(set(rested)) == 4, f"Himmelblau's four basins, got {sorted(set(rested))}"
    assert {b["known"] for b in p["basins"][:4]} == {True}
    pg.next_frames(3)
    # A cell of each basin is washed in colour, and the map stays while nothing moves.
    assert painted_pixels(pg, "basins") > 0.5 * pg.page.evaluate(
        "(() => { const r = window.__playground.plotRect(); const c = document.querySelector('#layer-basins');"
        " const d = c.width / c.clientWidth; return r.w * r.h * d * d; })()")
    pg.page.wait_for_timeout(1500)
    assert painted_pixels(pg, "basins") > 0, "the basin map faded"
    assert painted_pixels(pg, "particles") > 0, "the kept paths faded"
    pg.page.click("#clear")
    pg.wait_for(lambda: pg.particles()["count"] == 0, "clear")
    pg.next_frames(3)
    assert painted_pixels(pg, "basins") == 0 and painted_pixels(pg, "particles") == 0
