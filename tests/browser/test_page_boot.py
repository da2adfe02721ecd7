"""Booting the page: Ready without errors, controls locked until then, and failures that
say what went wrong instead of spinning."""

from __future__ import annotations

import time

CONTROLS = ["#landscape", "#lr", "#beta", "#show", "#speed", "#colormap", "#play", "#step", "#reset",
            "#drop-grid", "#clear"]


def test_page_boots_to_ready_without_console_errors(open_playground):
    started = time.perf_counter()
    pg = open_playground()
    elapsed = time.perf_counter() - started
    status = pg.status()
    assert status["state"] == "ready"
    assert status["text"].endswith("Ready"), status
    assert not status["progressVisible"], "the progress bar should go away once Ready"
    for selector in CONTROLS:
        assert pg.page.is_enabled(selector), f"{selector} is still disabled after Ready"
    pg.next_frames(10)
    assert pg.errors == [], f"console errors or page errors during boot: {pg.errors}"
    print(f"boot to Ready: {elapsed:.2f} s (page's own count: {pg.page.evaluate('window.__playground.bootMs')} ms)")


def test_contour_lines_follow_the_first_heatmap(playground):
    # contourpy loads after Ready (off the path to the first frame); its lines then get drawn.
    pg = playground
    pg.page.wait_for_function("window.__playground.hasContours()", timeout=30_000)
    before = pg.canvas_data_url("base")
    pg.select("#landscape", "booth")
    pg.next_frames(2)
    assert pg.page.evaluate("window.__playground.hasContours()"), "a new landscape comes with its contours"
    assert pg.canvas_data_url("base") != before
    assert pg.errors == []


def test_controls_stay_disabled_until_ready(open_playground):
    pg = open_playground(ready=False)
    disabled = pg.page.evaluate(
        "(sels) => sels.map((s) => [s, document.querySelector(s).disabled])", CONTROLS)
    if pg.status()["state"] == "loading":
        assert all(d for _, d in disabled), f"controls enabled before Ready: {disabled}"
    pg.wait_ready()
    assert all(pg.page.is_enabled(s) for s in CONTROLS)


def test_missing_wheel_index_is_reported_with_what_to_do(browser, playground_url):
    context = browser.new_context(bypass_csp=True)  # for wait_for_function's `new Function`
    try:
        context.route("**/wheels/index.json", lambda route: route.fulfill(status=404, body="Not found"))
        page = context.new_page()
        page.goto(playground_url)
        page.wait_for_function("document.querySelector('#status').dataset.state !== 'loading'", timeout=30_000)
        state = page.get_attribute("#status", "data-state")
        text = page.inner_text("#status")
        assert state == "error", f"expected an error, got {state}: {text}"
        assert "wheels/index.json" in text and "404" in text, text
        assert "./dev serve" in text, f"the message should say what to do: {text}"
        assert page.is_hidden("#status-progress"), "no spinner or progress bar after a failure"
        assert page.is_disabled("#landscape")
    finally:
        context.close()


def test_unreachable_runtime_is_reported_not_left_spinning(browser, playground_url):
    # No local copy (as on a static host without ./dev serve) and no CDN (offline).
    context = browser.new_context(bypass_csp=True)  # for wait_for_function's `new Function`
    try:
        context.route("**/pyodide/**", lambda route: route.fulfill(status=404, body="Not found"))
        context.route("https://cdn.jsdelivr.net/**", lambda route: route.abort("internetdisconnected"))
        page = context.new_page()
        started = time.perf_counter()
        page.goto(playground_url)
        page.wait_for_function("document.querySelector('#status').dataset.state !== 'loading'", timeout=30_000)
        text = page.inner_text("#status")
        assert page.get_attribute("#status", "data-state") == "error", text
        assert "Could not load the Python runtime" in text and "cdn.jsdelivr.net" in text, text
        assert "./dev serve" in text, text
        assert time.perf_counter() - started < 20, "a failing CDN should be reported at once"
    finally:
        context.close()
