"""Issue 8, every input: shortcuts, the focusable map with its cursor, the help overlay."""

from __future__ import annotations

import landscapes


def test_shortcuts_play_step_reset_grid_clear_and_show(playground):
    pg = playground
    pg.page.locator("h1").click()  # focus on the page, not on a control
    pg.page.keyboard.press("Space")
    pg.wait_for(lambda: pg.state()["playing"], "Space to play")
    pg.page.keyboard.press("Space")
    pg.wait_for(lambda: not pg.state()["playing"], "Space to pause")
    pg.idle()
    step = pg.snapshot()["step"]
    pg.page.keyboard.press("ArrowRight")
    pg.page.keyboard.press(".")
    pg.wait_for(lambda: pg.snapshot()["step"] == step + 2, "→ and . to step")
    pg.page.keyboard.press("r")
    pg.wait_for(lambda: pg.snapshot()["step"] == 0, "R to reset")
    pg.page.keyboard.press("g")
    pg.wait_for(lambda: pg.particles()["count"] == 144, "G to drop a grid")
    pg.page.keyboard.press("c")
    pg.wait_for(lambda: pg.particles()["count"] == 0, "C to clear")
    pg.page.keyboard.press("5")
    pg.wait_for(lambda: pg.state()["show"] == pg.snapshot()["keys"][4], "5 to show the fifth optimizer")
    pg.page.keyboard.press("0")
    pg.wait_for(lambda: pg.state()["show"] == "all", "0 to show all")
    pg.page.keyboard.press("?")
    assert pg.page.is_visible("#help") and "Space" in pg.text("#help")
    pg.page.keyboard.press("Escape")
    assert pg.page.is_hidden("#help")


def test_shortcuts_do_not_fire_while_a_control_has_the_focus(playground):
    pg = playground
    pg.page.focus("#landscape")
    pg.page.keyboard.press("g")
    pg.page.wait_for_timeout(300)
    assert pg.particles()["count"] == 0


def test_the_map_takes_the_keyboard_focus_and_drops_and_moves_the_start_there(playground):
    pg = playground
    ravine = landscapes.get("ravine")
    pg.page.focus("#plot")
    for _ in range(4):
        pg.page.keyboard.press("ArrowRight")
    pg.page.keyboard.press("Enter")
    pg.wait_for(lambda: pg.particles()["count"] == 1, "Enter to drop a particle at the cursor")
    xmin, xmax = ravine.domain[:2]
    x, y = pg.particles()["start"][0]
    assert abs(x - (ravine.start[0] + 4 * (xmax - xmin) / 40)) < 1e-5 and abs(y - ravine.start[1]) < 1e-5
    assert "f =" in pg.text("#readout"), "the readout follows the cursor"
    assert pg.page.get_attribute("#readout", "aria-live") == "polite"
    pg.page.keyboard.press("ArrowDown")
    pg.page.keyboard.press("Shift+Enter")
    pg.wait_for(lambda: abs(pg.state()["start"][1] - (ravine.start[1] - (ravine.domain[3] - ravine.domain[2]) / 40)) < 1e-3,
                "Shift+Enter to move the start to the cursor")
    assert pg.snapshot()["step"] == 0
