"""Issue 8, every screen: from a phone to a wall display, the map, controls, readout,
legend and notes never overlap, nothing hides in a nested scroll area, Play is on screen
without scrolling from 1024×768 up, and on a phone the map takes the width."""

from __future__ import annotations

import pytest

VIEWPORTS = [
    ("phone", {"width": 390, "height": 844}, True),
    ("tablet", {"width": 768, "height": 1024}, True),
    ("projector", {"width": 1024, "height": 768}, False),
    ("laptop", {"width": 1280, "height": 720}, False),
    ("desktop", {"width": 1920, "height": 1080}, False),
]
PARTS = {"map": "#plot", "controls": "aside.panel", "readout": "#readout", "legend": "#legend",
         "chart": "#loss-chart", "notes": "#notes"}


def boxes(page) -> dict:
    return page.evaluate(
        """(parts) => Object.fromEntries(Object.entries(parts).map(([name, sel]) => {
            const r = document.querySelector(sel).getBoundingClientRect();
            return [name, {x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height}];
        }))""", PARTS)


def overlap(a, b) -> bool:
    return a["x"] < b["x"] + b["w"] - 1 and b["x"] < a["x"] + a["w"] - 1 and \
        a["y"] < b["y"] + b["h"] - 1 and b["y"] < a["y"] + a["h"] - 1


@pytest.mark.parametrize("name, viewport, touch", VIEWPORTS, ids=[v[0] for v in VIEWPORTS])
def test_nothing_overlaps_and_nothing_hides(browser, playground_url, name, viewport, touch):
    from playground_page import Playground

    context = browser.new_context(viewport=viewport, has_touch=touch, is_mobile=touch and viewport["width"] < 500,
                                  bypass_csp=True)
    try:
        pg = Playground(context.new_page(), playground_url)
        pg.goto()
        pg.wait_ready()
        b = boxes(pg.page)
        names = list(b)
        for i, first in enumerate(names):
            assert b[first]["w"] > 0 and b[first]["h"] > 0, (name, first, b[first])
            for second in names[i + 1:]:
                assert not overlap(b[first], b[second]), (name, first, second, b[first], b[second])
        # No part of the page scrolls on its own: every box shows all of its content.
        nested = pg.page.evaluate(
            """() => [...document.querySelectorAll('body *')].filter((e) => {
                const s = getComputedStyle(e);
                return /(auto|scroll)/.test(s.overflowY + s.overflowX)
                    && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1);
            }).map((e) => e.id || e.className)""")
        assert nested == [], (name, nested)
        assert pg.page.evaluate("document.documentElement.scrollWidth <= innerWidth + 1"), f"{name}: page scrolls sideways"
        # Nothing is wider than the screen or sticks out of it sideways.
        for part, box in b.items():
            assert box["x"] >= 0 and box["x"] + box["w"] <= viewport["width"] + 1, (name, part, box)
        plot = b["map"]
        # The whole map is on screen on first paint, without scrolling.
        assert plot["y"] >= 0 and plot["y"] + plot["h"] <= viewport["height"], (name, "map below the fold", plot)
        # Every control can be reached: it has a box, inside the screen's width.
        controls = pg.page.evaluate(
            """() => [...document.querySelectorAll('aside.panel :is(select, input, button)')]
                .filter((e) => e.closest('[hidden]') === null)
                .map((e) => { const r = e.getBoundingClientRect();
                    return {id: e.id, x: r.left, w: r.width, h: r.height}; })""")
        unreachable = [c for c in controls if not (c["w"] > 0 and c["h"] > 0 and c["x"] >= 0
                                                   and c["x"] + c["w"] <= viewport["width"] + 1)]
        assert unreachable == [], (name, unreachable)
        if viewport["width"] >= 1024:
            play = pg.page.locator("#play").bounding_box()
            assert play["y"] + play["height"] <= viewport["height"], f"{name}: Play is below the fold"
        if name == "phone":
            assert plot["w"] >= 0.9 * viewport["width"] and abs(plot["w"] - plot["h"]) <= 2, plot
        else:
            assert plot["w"] >= 300 and plot["h"] >= 300, plot
        assert pg.errors == []
    finally:
        context.close()


def test_a_landscape_switch_leaves_no_stale_pixels_outside_the_new_plot(open_playground):
    pg = open_playground("landscape=booth&speed=50")
    pg.page.wait_for_timeout(1500)  # trails all over Booth's square view
    pg.pause()
    pg.select("#landscape", "six-hump-camel")  # a wide, short view
    pg.next_frames(3)
    stray = pg.page.evaluate(
        """() => {
            const r = window.__playground.plotRect();
            let n = 0;
            for (const name of ['trails', 'particles', 'basins', 'field']) {
                const c = document.querySelector('#layer-' + name);
                const dpr = c.width / c.clientWidth;
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) {
                    const inside = x >= r.x * dpr - 1 && x <= (r.x + r.w) * dpr + 1 && y >= r.y * dpr - 1 && y <= (r.y + r.h) * dpr + 1;
                    if (!inside && d[4 * (y * c.width + x) + 3] > 0) n++;
                }
            }
            return n;
        }""")
    assert stray == 0


SELECT_SCREENS = [{"width": 1400, "height": 900}, {"width": 1024, "height": 768}, {"width": 390, "height": 844}]


def test_the_show_and_landscape_selects_show_every_label_whole(playground):
    """Each option, alone in a copy of its select at the browser's own width (the width it
    needs to show the whole text, its arrow and padding), fits the select on the page."""
    page = playground.page
    for viewport in SELECT_SCREENS:
        page.set_viewport_size(viewport)
        playground.next_frames(2)
        cut = page.evaluate(
            """() => ['landscape', 'show'].flatMap((id) => {
                const select = document.getElementById(id);
                return [...select.options].map((option) => {
                    const alone = select.cloneNode(false);
                    alone.removeAttribute('id');
                    alone.style.cssText = 'position: absolute; width: auto; min-width: 0; max-width: none';
                    alone.append(option.cloneNode(true));
                    select.parentNode.append(alone);
                    const needs = alone.getBoundingClientRect().width;
                    alone.remove();
                    return {id, text: option.text, needs, has: select.getBoundingClientRect().width};
                }).filter((o) => o.needs > o.has + 0.5);
            })""")
        assert cut == [], f"at {viewport['width']}×{viewport['height']} these labels are cut: {cut}"


def test_drop_grid_at_1440_by_900_keeps_the_map_on_screen(playground):
    page = playground.page
    page.set_viewport_size({"width": 1440, "height": 900})
    playground.next_frames(2)
    where = """() => ({scrollY, map: document.querySelector('#plot').getBoundingClientRect().toJSON(),
                       button: document.querySelector('#drop-grid').getBoundingClientRect().toJSON()})"""
    before = page.evaluate(where)
    assert before["scrollY"] == 0 and before["map"]["top"] >= 0, before
    assert before["button"]["bottom"] <= 900, f"Drop grid is below the fold: {before['button']}"
    page.click("#drop-grid")  # as a user would: scrolled to first if it were off screen
    playground.wait_for(lambda: (playground.particles() or {}).get("count", 0) > 0, "the grid's particles")
    playground.next_frames(3)
    after = page.evaluate(where)
    assert after["scrollY"] == 0, f"the page scrolled by {after['scrollY']} px"
    assert after["map"]["top"] == before["map"]["top"] and after["map"]["bottom"] <= 900, (before["map"], after["map"])
