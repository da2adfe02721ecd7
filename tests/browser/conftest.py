"""Fixtures for the page's browser tests: one server and one Chromium per session.

``./dev test`` assembles the Pyodide runtime and builds our wheel before pytest runs
(and exports PLAYGROUND_RUNTIME_DIR / PLAYGROUND_WHEELS_DIR). When they are missing the
tests fail with a message saying so: they never skip.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from playground_page import Playground

REPO = Path(__file__).resolve().parents[2]



from tools import browser as browser_tools  # noqa: E402  (tools/ imports as a namespace package)


@pytest.fixture(scope="session")
def playground_url():
    runtime, wheels = browser_tools.runtime_dir(), browser_tools.wheels_dir()
    missing = browser_tools.missing_build(runtime, wheels)
    if missing:
        pytest.fail(
            "The browser tests need " + " and ".join(missing) + ". Run ./dev test, which "
            "assembles the runtime, builds the wheel and checks for Chromium before pytest runs.",
            pytrace=False,
        )
    server, url = browser_tools.start_server(runtime, wheels)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = browser_tools.launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def browser_context(browser):
    """Shared by the tests, so the 10 MB runtime is fetched and compiled once; every
    test still gets its own page, hence its own worker and Python session."""
    # bypass_csp: Playwright's wait_for_function evaluates its predicate with `new Function`,
    # which tools/serve.py's Content-Security-Policy forbids; test_boot_failures.py checks
    # the page under that policy in a context of its own.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    yield context
    context.close()


@pytest.fixture
def open_playground(browser_context, playground_url):
    """open_playground(hash="", ready=True) -> Playground; pages are closed after the test."""
    pages = []

    def open_(hash: str = "", ready: bool = True, context=None) -> Playground:
        page = (context or browser_context).new_page()
        pages.append(page)
        playground = Playground(page, playground_url)
        playground.goto(hash)
        if ready:
            playground.wait_ready()
        return playground

    yield open_
    for page in pages:
        page.close()


@pytest.fixture
def playground(open_playground) -> Playground:
    """The page with the default scene, booted to Ready, paused and reset to step 0
    (so nothing moves unless the test moves it)."""
    pg = open_playground()
    pg.pause()
    pg.page.click("#reset")
    pg.idle()
    assert pg.snapshot()["step"] == 0
    return pg
