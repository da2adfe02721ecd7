"""See one path, zoom and pan the map, shortcuts after a click, the keyboard cursor."""

from __future__ import annotations

import numpy as np
import pytest

import landscapes
import rendering
from playground_page import parse_number


def hook(pg, expr: str, *args):
    return pg.page.evaluate(f"(a) => window.__playground.{expr}", list(args))


GRADIENT = ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"]  # shown by default


def trail_pixels(pg, key: str, gap_px: float = 12.0) -> list[tuple[float, float]]:
    """Canvas pixels on `key`'s path at least gap_px from every point of the other shown paths."""
    to_px = lambda pts: np.array(pg.page.evaluate(  # noqa: E731
        "(pts) => pts.map(([x, y]) => window.__playground.toPixel(x, y))", pts))
    mine = to_px(hook(pg, "trail(a[0])", key))
    theirs = np.concatenate([to_px(hook(pg, "trail(a[0])", k)) for k in GRADIENT if k != key])
    # Points of the path (the stroke's centre line) 6 px apart or more, far from the other path.
    kept = []
    for m in mine[1:-1]:
        if (not kept or np.hypot(*(m - kept[-1])) >= 6) and np.min(np.hypot(*(theirs - m).T)) > gap_px:
            kept.append(m)
    return [tuple(m) for m in kept[:12]]


def alphas(pg, layer: str, points) -> list[int]:
    pg.next_frames(3)
    return [pg.canvas_pixel(layer, x, y)[3] for x, y in points]


def test_selecting_a_row_brings_its_path_forward_and_dims_the_others(playground):
    pg = playground
    pg.pause()
    pg.frames(12)  # SGD ricochets across the ravine's upper valley, away from the others
    # SGD's path is solid (the others are dashed: a vertex may fall in a gap of the dash).
    points = trail_pixels(pg, "sgd")
    assert len(points) >= 3, "the test needs a stretch of SGD's path away from the others"
    before = alphas(pg, "trails", points)
    assert min(before) > 150, f"SGD's path is drawn at full alpha before: {before}"

    pg.page.click("#legend tbody tr[data-key=adam] th")
    assert pg.state()["selected"] == "adam"
    after = alphas(pg, "trails", points)
    assert all(a < 0.5 * b for a, b in zip(after, before)), f"SGD's path is dimmed once Adam is selected: {before} -> {after}"
    assert hook(pg, "drawOrder()")[-1] == "adam" and hook(pg, "focusKey()") == "adam"
    on_adam = [p for p in map(tuple, np.array(pg.page.evaluate(
        "(pts) => pts.map(([x, y]) => window.__playground.toPixel(x, y))", hook(pg, "trail(a[0])", "adam"))))][5:40:5]
    assert min(alphas(pg, "top", on_adam)) > 150, "Adam's whole path is drawn on top, at full alpha"
    assert pg.page.get_attribute("#legend tbody tr[data-key=adam]", "aria-current") == "true"

    pg.page.click("#legend tbody tr[data-key=adam] th")  # again: let go
    assert pg.state()["selected"] is None
    pg.page.locator("h1").hover()  # and the pointer leaves the row (hovering brings it forward too)
    assert min(alphas(pg, "trails", points)) > 150 and hook(pg, "focusKey()") is None


def test_hover_enter_and_escape_on_the_outcome_table(playground):
    pg = playground
    pg.page.hover("#legend tbody tr[data-key=momentum] th")
    pg.next_frames(3)
    assert hook(pg, "focusKey()") == "momentum" and hook(pg, "drawOrder()")[-1] == "momentum"
    pg.page.focus("#legend tbody tr[data-key=rmsprop]")
    playing = pg.state()["playing"]
    pg.page.keyboard.press("Space")
    assert pg.state()["selected"] == "rmsprop" and pg.state()["playing"] == playing, "Space on a row selects, not plays"
    pg.page.keyboard.press("Escape")
    assert pg.state()["selected"] is None


def centre_of_plot(pg) -> tuple[float, float]:
    r = hook(pg, "plotRect()")
    return r["x"] + r["w"] / 2, r["y"] + r["h"] / 2


def page_xy(pg, px: float, py: float) -> tuple[float, float]:
    box = pg.page.locator("#layer-top").bounding_box()
    return box["x"] + px, box["y"] + py


def wait_picture_of_view(pg):
    pg.wait_for(lambda: hook(pg, "picture()")["extent"] == (pg.state()["view"] or
                                                           list(landscapes.get("ravine").domain)),
                "the picture of the window shown")
    pg.next_frames(3)


def test_wheel_zooms_about_the_pointer_with_a_picture_of_f_in_the_window(playground):
    pg = playground
    ravine = landscapes.get("ravine")
    pg.pause()
    cx, cy = centre_of_plot(pg)
    pg.page.mouse.move(*page_xy(pg, cx, cy))
    pg.page.mouse.wheel(0, -600)
    pg.wait_for(lambda: pg.state()["view"] is not None, "the wheel to zoom in")
    wait_picture_of_view(pg)
    view = pg.state()["view"]
    d = ravine.domain
    ratio = (view[1] - view[0]) / (d[1] - d[0])
    assert 0.05 < ratio < 0.9 and abs((view[3] - view[2]) / (d[3] - d[2]) - ratio) < 1e-9, view
    assert hook(pg, "extent()") == view, "every layer maps through the zoomed window"

    # The picture under the centre pixel is f at that cell, on the window's own scale.
    pic = hook(pg, "picture()")
    w, h = pic["width"], pic["height"]
    assert max(w, h) == 240 and abs(w / h - 4 / 6) < 0.01, "the window is computed at full resolution"
    rgba = hook(pg, "heatmapPixel(a[0], a[1])", cx, cy)
    r = hook(pg, "plotRect()")
    x = view[0] + (cx - r["x"]) / r["w"] * (view[1] - view[0])
    y = view[3] - (cy - r["y"]) / r["h"] * (view[3] - view[2])
    i = int((x - view[0]) / (view[1] - view[0]) * w)
    j = int((view[3] - y) / (view[3] - view[2]) * h)
    cell_x = view[0] + (i + 0.5) * (view[1] - view[0]) / w
    cell_y = view[3] - (j + 0.5) * (view[3] - view[2]) / h
    zmin, zmax = pic["range"]
    f = float(ravine.f(cell_x, cell_y))
    dz = 1e-4 * (zmax - zmin)
    t = np.log1p((f - zmin) / dz) / np.log1p((zmax - zmin) / dz)  # the ravine's colours are on a log scale
    expected = rendering.lut("playground")[int(np.rint(t * 255))]
    assert np.abs(np.array(rgba[:3], int) - expected[:3].astype(int)).max() <= 1, (rgba, expected, t)

    # The readout at the centre reads f at the window's centre point.
    pg.page.mouse.move(*page_xy(pg, cx + 0.3, cy + 0.3))
    pg.wait_for(lambda: "f =" in pg.text("#readout"), "the readout")
    text = pg.text("#readout")
    fx = parse_number(text.split("f = ")[1].split()[0])
    rx = parse_number(text.split("x = ")[1].split(",")[0])
    assert abs(rx - x) <= 2e-3 * max(1, abs(x)) and abs(fx - float(ravine.f(x, y))) <= 2e-3 * max(1e-3, abs(fx)), text

    pg.page.mouse.dblclick(*page_xy(pg, cx, cy))
    pg.wait_for(lambda: pg.state()["view"] is None, "a double-click to show the whole landscape")
    wait_picture_of_view(pg)
    assert hook(pg, "extent()") == list(d) and pg.particles()["count"] == 0, "the double-click dropped nothing"


def test_zoom_keys_pan_and_limits(playground):
    pg = playground
    d = landscapes.get("ravine").domain
    pg.page.locator("h1").click()
    pg.page.keyboard.press("+")
    v1 = pg.state()["view"]
    assert v1 and abs((v1[1] - v1[0]) - (d[1] - d[0]) / 1.5) < 1e-9
    pg.page.keyboard.press("Shift+ArrowLeft")
    v2 = pg.state()["view"]
    assert v2[0] < v1[0] and v2[2] == v1[2], "Shift+← pans left"
    for _ in range(40):  # far past 1e-4 of the span: it stops there
        pg.page.keyboard.press("+")
    v3 = pg.state()["view"]
    assert abs((v3[1] - v3[0]) / (d[1] - d[0]) - 1e-4) < 1e-9
    wait_picture_of_view(pg)
    assert not pg.errors, pg.errors
    # The readout tells apart points a few pixels apart, 1e-4 of the span wide.
    cx, cy = centre_of_plot(pg)
    readings = []
    for dx in (-30, 30):
        pg.page.mouse.move(*page_xy(pg, cx + dx, cy))
        pg.wait_for(lambda: "x = " in pg.text("#readout") and pg.text("#readout") not in readings,
                    "the readout to read differently 60 px further (enough digits when zoomed)")
        readings.append(pg.text("#readout"))
    xs = [parse_number(t.split("x = ")[1].split(",")[0]) for t in readings]
    assert xs[1] - xs[0] == pytest.approx(60 / hook(pg, "plotRect()")["w"] * (v3[1] - v3[0]), rel=0.05), readings
    pg.page.keyboard.press("z")
    assert pg.state()["view"] is None
    pg.page.keyboard.press("-")
    assert pg.state()["view"] is None, "no zooming out beyond the landscape's window"


def test_shortcuts_work_after_clicking_a_button_or_checkbox_but_not_in_a_text_field(playground):
    pg = playground
    pg.pause()
    pg.step(1)  # a click on Step: the focus is on that button now
    pg.page.keyboard.press("Space")
    pg.wait_for(lambda: pg.state()["playing"], "Space to play after clicking Step")
    pg.page.click("#field")  # a checkbox
    pg.page.keyboard.press("g")
    pg.wait_for(lambda: pg.particles()["count"] == 144, "G to drop a grid after clicking a checkbox")
    pg.page.keyboard.press("Space")
    pg.wait_for(lambda: not pg.state()["playing"], "Space to pause, with the checkbox focused")
    assert pg.page.is_checked("#field"), "Space played instead of toggling the checkbox"

    pg.select("#landscape", "custom")  # the editor of "Your own f(x, y)" and its text field
    pg.page.click("#ex-text")
    pg.page.keyboard.press("c")
    pg.page.keyboard.press("Space")
    pg.page.wait_for_timeout(300)
    assert pg.particles()["count"] == 144 and not pg.state()["playing"], "keys typed in a text field stay there"


def test_the_keyboard_cursor_goes_when_the_pointer_moves_the_start(playground):
    pg = playground
    pg.pause()
    pg.page.focus("#plot")
    pg.page.keyboard.press("ArrowUp")
    cursor = hook(pg, "cursor()")
    assert cursor is not None and "keyboard cursor" in (pg.page.get_attribute("#plot", "title") or "")
    start = pg.state()["start"]
    sx, sy = pg.page_point(*start)
    pg.page.mouse.move(sx, sy)
    pg.page.mouse.down()
    pg.page.mouse.move(sx + 40, sy + 30, steps=4)
    pg.page.mouse.up()
    pg.wait_for(lambda: pg.state()["start"] != start, "the start to move")
    pg.next_frames(2)
    assert hook(pg, "cursor()") is None, "no dashed square left at the old start"
    assert pg.page.get_attribute("#plot", "title") is None


def test_two_fingers_pinch_to_zoom_and_drop_nothing(playground):
    pg = playground
    pg.pause()
    cdp = pg.page.context.new_cdp_session(pg.page)
    cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 2})
    cx, cy = page_xy(pg, *centre_of_plot(pg))

    def touch(kind, spread):
        points = [] if kind == "touchEnd" else [
            {"x": cx - spread, "y": cy, "id": 0}, {"x": cx + spread, "y": cy, "id": 1}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    try:
        touch("touchStart", 20)
        for spread in range(30, 90, 10):  # the fingers move apart: zoom in, 4× in all
            touch("touchMove", spread)
        touch("touchEnd", 0)
    finally:
        cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": False})
        cdp.detach()
    pg.wait_for(lambda: pg.state()["view"] is not None, "the pinch to zoom in")
    view, d = pg.state()["view"], landscapes.get("ravine").domain
    assert (view[1] - view[0]) / (d[1] - d[0]) == pytest.approx(20 / 80, rel=0.02), view
    pg.page.wait_for_timeout(600)  # a drop from the first finger would have come by now
    assert pg.particles()["count"] == 0, "half of a pinch dropped a particle"


def test_a_right_button_drag_pans_the_zoomed_map_and_drops_nothing(playground):
    pg = playground
    pg.pause()
    pg.page.locator("h1").click()
    pg.page.keyboard.press("+")
    pg.page.keyboard.press("+")
    before, start = pg.state()["view"], pg.state()["start"]
    cx, cy = page_xy(pg, *centre_of_plot(pg))
    pg.page.mouse.move(cx, cy)
    pg.page.mouse.down(button="right")
    pg.page.mouse.move(cx - 40, cy + 30, steps=5)  # drag the map left and down: the window goes right and up
    pg.page.mouse.up(button="right")
    after = pg.state()["view"]
    w = hook(pg, "plotRect()")["w"]
    assert after[0] - before[0] == pytest.approx(40 / w * (before[1] - before[0]), rel=0.02), (before, after)
    assert after[2] - before[2] == pytest.approx(30 / w * (before[1] - before[0]), rel=0.02), (before, after)
    assert after[1] - after[0] == pytest.approx(before[1] - before[0], rel=1e-12), "a pan keeps the zoom"
    pg.idle()
    assert pg.particles()["count"] == 0 and pg.state()["start"] == start
