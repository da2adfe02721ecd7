"""Issue 8, every eye and assistive technology: axe-core (tests/vendor/axe-core, pinned and
hash-checked by tests/test_vendor.py) reports no violation on the ready page, with one
optimizer shown, with the notice open, and on the phone layout."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"


def violations(page) -> list:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:4]) for v in result["violations"]]


def test_the_ready_page_has_no_violations(playground):
    found = violations(playground.page)
    assert found == [], "\n".join(map(str, found))


def test_one_optimizer_shown_has_no_violations(open_playground):
    pg = open_playground("show=adam")
    assert violations(pg.page) == []


def test_the_settings_panel_arrows_and_noise_have_no_violations(open_playground):
    pg = open_playground("arrows=1&noise=0.5&show=sgd,adam,lion")
    pg.page.get_by_role("button", name="Settings for Adam", exact=True).click()
    assert pg.page.is_visible("#optimizer-settings") and pg.page.is_visible("#arrows-key")
    assert violations(pg.page) == []


def test_the_notice_open_has_no_violations(open_playground):
    pg = open_playground("landscape=nowhere&lr=9")
    assert pg.page.is_visible("#notice")
    assert violations(pg.page) == []


def test_the_phone_layout_has_no_violations(browser, playground_url):
    from playground_page import Playground

    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                                  bypass_csp=True)
    try:
        pg = Playground(context.new_page(), playground_url)
        pg.goto()
        pg.wait_ready()
        assert violations(pg.page) == []
    finally:
        context.close()
