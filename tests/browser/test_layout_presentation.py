"""The presentation layout (for a projector): the header's Presentation button or the URL's
present=1 puts the map, the loss chart and the rows of the shown balls on one screen in
larger type, at 1024 × 768 and at 1400 × 900, with only the essential controls; the
button again or Escape leaves it."""

from __future__ import annotations

SCREENS = [{"width": 1024, "height": 768}, {"width": 1400, "height": 900}]
ESSENTIAL = ["#landscape", "#lr", "#beta", "#play", "#step", "#reset"]
LEFT_OUT = ["#show", "#speed", "#noise", "#drop-grid", "#colormap", "#notes", "#takeaway"]

LAYOUT = """(essential) => {
    const box = (e) => e.getBoundingClientRect().toJSON();
    const rows = [...document.querySelectorAll('#legend tbody tr')];
    const info = document.querySelector('aside.info'), style = getComputedStyle(info);
    return {
        infoRight: info.getBoundingClientRect().right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth),
        scrollHeight: document.documentElement.scrollHeight, scrollWidth: document.documentElement.scrollWidth,
        map: box(document.querySelector('#plot')), chart: box(document.querySelector('#loss-chart .lc-plot')),
        shown: rows.filter((r) => !r.classList.contains('dimmed')).map((r) => ({key: r.dataset.key, ...box(r),
            font: Math.min(...[...r.querySelectorAll('th, td[data-field]')].map((c) => parseFloat(getComputedStyle(c).fontSize)))})),
        hidden: rows.filter((r) => r.classList.contains('dimmed')).map((r) => ({key: r.dataset.key, ...box(r)})),
    };
}"""


def inside(box, viewport) -> bool:
    return box["left"] >= 0 and box["top"] >= 0 and box["right"] <= viewport["width"] + 0.5 \
        and box["bottom"] <= viewport["height"] + 0.5 and box["width"] > 0 and box["height"] > 0


def displayed(page, selector) -> bool:
    return page.evaluate("(s) => document.querySelector(s).getClientRects().length > 0", selector)


def check_one_screen(pg, viewport, shown_keys):
    page = pg.page
    page.set_viewport_size(viewport)
    pg.next_frames(3)
    at = f"{viewport['width']}×{viewport['height']}"
    got = page.evaluate(LAYOUT)
    assert got["scrollHeight"] <= viewport["height"], f"{at}: the page scrolls ({got['scrollHeight']} px tall)"
    assert got["scrollWidth"] <= viewport["width"], f"{at}: the page scrolls sideways ({got['scrollWidth']} px wide)"
    assert inside(got["map"], viewport), (at, "map", got["map"])
    assert inside(got["chart"], viewport), (at, "chart", got["chart"])
    assert [r["key"] for r in got["shown"]] == shown_keys
    for row in got["shown"]:
        assert inside(row, viewport), (at, "row", row)
        assert row["right"] <= got["infoRight"] + 0.5, f"{at}: {row['key']}'s row sticks out of its panel: {row}"
        assert row["font"] >= 18, f"{at}: {row['key']}'s row is in {row['font']} px type"
    # The hidden balls' rows are collapsed, not dimmed.
    assert got["hidden"] and all(r["height"] == 0 for r in got["hidden"]), (at, got["hidden"])
    for selector in ESSENTIAL:
        assert displayed(page, selector), (at, selector, "should be shown")
        box = page.evaluate("(s) => document.querySelector(s).getBoundingClientRect().toJSON()", selector)
        assert inside(box, viewport), (at, selector, box)
    for selector in LEFT_OUT:
        assert not displayed(page, selector), (at, selector, "should be left out")


def test_the_button_shows_map_chart_and_shown_rows_on_one_screen_and_escape_leaves(open_playground):
    # Himmelblau, fast: converged balls' losses such as 2.52e-29 are the widest numbers.
    pg = open_playground("landscape=himmelblau&show=sgd,momentum,adam&speed=50")
    page = pg.page
    pg.wait_for(lambda: pg.legend()["sgd"]["status"] == "converged", "SGD to converge")
    # ... and the run to pause at the step count, whose message (Run on) changes the height.
    pg.wait_for(lambda: not pg.state()["playing"], "the run to pause at Himmelblau's step count")
    page.set_viewport_size(SCREENS[0])
    pg.next_frames(2)
    normal_height = page.evaluate("document.documentElement.scrollHeight")
    assert normal_height > SCREENS[0]["height"]  # the usual layout scrolls at 1024 × 768
    page.click("#present")
    assert page.get_attribute("#present", "aria-pressed") == "true"
    assert "present=1" in page.evaluate("location.hash")
    for viewport in SCREENS:
        check_one_screen(pg, viewport, ["sgd", "momentum", "adam"])

    page.keyboard.press("Escape")
    pg.next_frames(2)
    assert page.get_attribute("#present", "aria-pressed") == "false"
    assert "present" not in page.evaluate("location.hash")
    assert displayed(page, "#show") and displayed(page, "#notes")
    page.set_viewport_size(SCREENS[0])
    pg.next_frames(2)
    assert page.evaluate("document.documentElement.scrollHeight") == normal_height

    page.click("#present")  # and the button leaves it too
    assert not displayed(page, "#show")
    page.click("#present")
    assert displayed(page, "#show") and not pg.state()["present"]
    assert pg.errors == []


def test_a_link_with_present_1_opens_in_the_presentation_layout_and_a_bad_value_is_named(open_playground):
    seven = ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw", "newton"]
    pg = open_playground(f"landscape=bowl&show={','.join(seven)}&present=1")
    assert pg.state()["present"] is True
    assert page_class(pg) == "presenting"
    # Newton's "converged", the widest status, still fits the table into its panel.
    pg.wait_for(lambda: pg.legend()["newton"]["status"] == "converged", "Newton to converge")
    check_one_screen(pg, SCREENS[0], seven)
    from test_a11y import violations  # axe-core, as for the usual layout

    assert violations(pg.page) == []

    pg.page.evaluate("location.hash = 'landscape=ravine&present=yes'")
    pg.wait_for(lambda: not pg.state()["present"], "present=yes to fall back to the usual layout")
    pg.idle()
    notice = pg.text("#notice-text")
    assert 'present="yes" is not 0 or 1' in notice, notice
    assert page_class(pg) == ""
    assert pg.errors == []


def page_class(pg) -> str:
    return pg.page.evaluate("document.documentElement.className")
