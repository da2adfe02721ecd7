"""Take the README's screenshots of the page in headless Chromium (not a test).

    docs/screenshot-ravine.png       the Ravine lesson at its defaults: SGD ricochets, Adam glides
    docs/screenshot-basins.png       Himmelblau with a dropped grid: kept paths and the basin map
    docs/screenshot-wells.png        Four wells with the escape methods and the outcome table
    docs/sweep-ravine.png            the Ravine's learning-rate sweep (issue 10), N = 1,500 steps
    docs/compare-ravine.png          four chosen optimizers with their state arrows and Adam's own settings
    docs/figure-ravine.png           the matplotlib figure the page's Figure button draws (issue 11), as downloaded
    docs/takeaway-ravine.png         the page with its "Take it away" panel open on that figure
    docs/custom-landscape.png        "Your own f(x, y)" (issue 12): a typed formula, its gradient, the balls on it
    docs/layout-<screen>.png         the default page on a phone, a tablet, a projector, a laptop, a desktop
    docs/layout-presentation.png     the presentation layout (present=1) on a 1024 × 768 projector

Needs what ``./dev serve`` sets up (the local runtime and build/wheels/); run it with
the project's virtualenv, e.g.::

    ~/.cache/loss-landscape-playground/venv/bin/python tools/screenshots.py [--out docs]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import browser  # tools/browser.py: the same Chromium and server as the browser tests

VIEWPORT = {"width": 1280, "height": 800}
READY_TIMEOUT_MS = 60_000


def open_page(context, url: str, hash: str):
    page = context.new_page()
    page.goto(f"{url}#{hash}")
    page.wait_for_function("document.querySelector('#status').dataset.state !== 'loading'",
                           timeout=READY_TIMEOUT_MS)
    status = page.inner_text("#status")
    if page.get_attribute("#status", "data-state") != "ready":
        raise SystemExit(f"error: the page did not boot: {status}")
    return page


def run_until_step(page, step: int) -> None:
    """Lets Play run until the balls have taken `step` steps, then pauses."""
    page.wait_for_function(f"window.__playground.snapshot().step >= {step}", timeout=120_000)
    page.click("#play")
    page.evaluate("scrollTo(0, 0)")
    page.evaluate("window.__playground.idle()")
    page.wait_for_timeout(300)  # the legend refreshes at ~10 Hz


def run_to_the_step_count(page) -> None:
    """Lets Play run until the run pauses by itself at the landscape's step count."""
    steps = page.evaluate("window.__playground.landscapeMeta().steps")
    page.wait_for_function(f"window.__playground.snapshot().step >= {steps} && !window.__playground.state().playing",
                           timeout=180_000)
    page.evaluate("scrollTo(0, 0)")
    page.evaluate("window.__playground.idle()")
    page.wait_for_timeout(300)  # the legend refreshes at ~10 Hz


def ravine(context, url: str, out: Path) -> None:
    """The headline: the whole run at the Ravine's defaults, paused at its 1,500 steps."""
    page = open_page(context, url, "landscape=ravine&show=gradient&speed=25")
    run_to_the_step_count(page)
    page.mouse.move(*plot_point(page, -1.0, 3.0))  # fills the hover readout
    page.wait_for_timeout(300)
    page.screenshot(path=str(out / "screenshot-ravine.png"))
    page.close()


def basins(context, url: str, out: Path) -> None:
    page = open_page(context, url, "landscape=himmelblau&show=gradient&speed=4")
    page.click("#play")  # pause: the particles flow on their own
    page.click("#drop-grid")
    page.wait_for_function("window.__playground.particles()?.count > 0")
    page.wait_for_function("window.__playground.particles().moving === 0", timeout=60_000)
    page.evaluate("scrollTo(0, 0)")  # the page scrolls; the click may have moved it
    page.wait_for_timeout(300)
    page.screenshot(path=str(out / "screenshot-basins.png"))
    page.close()


def wells(context, url: str, out: Path) -> None:
    page = open_page(context, url, "landscape=wells&show=all&speed=10")
    run_until_step(page, 400)
    page.screenshot(path=str(out / "screenshot-wells.png"))
    page.close()


def sweep(context, url: str, out: Path) -> None:
    """The Ravine with the Sweep panel open at the landscape's own 1,500 steps: SGD's narrow
    band against Adam's wide one (the Ravine's last note)."""
    page = open_page(context, url, "landscape=ravine&show=gradient&speed=4&sweep=1&sweepsteps=1500")
    run_until_step(page, 300)
    page.evaluate("window.__playground.sweep.settled()")
    page.wait_for_timeout(300)
    page.screenshot(path=str(out / "sweep-ravine.png"))
    page.close()


def compare(context, url: str, out: Path) -> None:
    """Any subset of optimizers, each with its own settings: SGD, Momentum, Adam (β₂ 0.99)
    and Newton on the Ravine, with the arrows that say why each ball moves."""
    page = open_page(context, url, "landscape=ravine&show=sgd,momentum,adam,newton&speed=1&arrows=1"
                                   "&adam.betas=0.9,0.99")
    run_until_step(page, 40)
    page.locator('button[aria-label="Settings for Adam"]').click()
    page.evaluate("scrollTo(0, 0)")
    page.wait_for_timeout(300)
    page.screenshot(path=str(out / "compare-ravine.png"))
    page.close()


def figure(context, url: str, out: Path) -> None:
    """The Ravine's six gradient methods at step 500: the Figure button's matplotlib
    figure (downloaded from the page at 150 dpi) and the panel that shows it."""
    page = open_page(context, url, "landscape=ravine&show=gradient&speed=10")
    run_until_step(page, 500)
    page.click("#takeaway .tk-figure")
    page.evaluate("window.__playground.takeaway.settled()")
    with page.expect_download(timeout=180_000) as info:
        page.click("#takeaway .tk-png")
    info.value.save_as(str(out / "figure-ravine.png"))
    page.evaluate("window.__playground.takeaway.settled()")
    page.locator("#takeaway").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(out / "takeaway-ravine.png"))
    page.close()


def custom(context, url: str, out: Path) -> None:
    """A typed f(x, y) with its gradient as sympy writes it, and the balls running on it."""
    page = open_page(context, url, "landscape=custom&f=sin(3*x)*cos(3*y)%2B0.1*(x**2%2By**2)&window=-3,3,-3,3"
                                   "&show=gradient&speed=4")
    page.wait_for_function("window.__playground.state().landscape === 'custom'", timeout=180_000)
    run_until_step(page, 200)
    page.screenshot(path=str(out / "custom-landscape.png"))
    page.close()


LAYOUTS = {"phone": (390, 844), "tablet": (768, 1024), "projector": (1024, 768),
           "laptop": (1280, 720), "desktop": (1920, 1080)}


def layouts(chromium, url: str, out: Path, scale: float) -> None:
    for name, (width, height) in LAYOUTS.items():
        touch = width < 800
        context = chromium.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale,
                                       has_touch=touch, is_mobile=width < 500, bypass_csp=True)
        page = open_page(context, url, "landscape=ravine")
        page.wait_for_function("window.__playground.snapshot().step >= 120", timeout=120_000)
        page.screenshot(path=str(out / f"layout-{name}.png"), full_page=name in ("phone", "tablet"))
        context.close()
    presentation(chromium, url, out, scale)


def presentation(chromium, url: str, out: Path, scale: float) -> None:
    """The projector's screen in the presentation layout: map, chart and the shown rows."""
    width, height = LAYOUTS["projector"]
    context = chromium.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale,
                                   bypass_csp=True)
    page = open_page(context, url, "landscape=ravine&present=1")
    page.wait_for_function("window.__playground.snapshot().step >= 120", timeout=120_000)
    page.wait_for_timeout(300)  # the legend refreshes at ~10 Hz
    page.screenshot(path=str(out / "layout-presentation.png"))
    context.close()


def plot_point(page, x: float, y: float) -> tuple[float, float]:
    px, py = page.evaluate("([x, y]) => window.__playground.toPixel(x, y)", [x, y])
    box = page.locator("#layer-top").bounding_box()
    return box["x"] + px, box["y"] + py


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=browser.REPO / "docs")
    parser.add_argument("--scale", type=float, default=1.0, help="device pixel ratio (2 for HiDPI)")
    parser.add_argument("--only-main", action="store_true", help="skip the five layout screenshots")
    parser.add_argument("--only-sweep", action="store_true", help="take docs/sweep-ravine.png only")
    parser.add_argument("--only-layouts", action="store_true", help="take the layout-*.png screenshots only")
    args = parser.parse_args(argv)
    missing = browser.missing_build(browser.runtime_dir(), browser.wheels_dir())
    if missing:
        print("error: missing " + " and ".join(missing) + "; run ./dev serve once first", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    server, url = browser.start_server()
    try:
        with sync_playwright() as playwright:
            chromium = browser.launch_chromium(playwright)
            context = chromium.new_context(viewport=VIEWPORT, device_scale_factor=args.scale, bypass_csp=True,
                                           accept_downloads=True)
            main_shots = not (args.only_sweep or args.only_layouts)
            if main_shots:
                ravine(context, url, args.out)
                basins(context, url, args.out)
                wells(context, url, args.out)
            if not args.only_layouts:
                sweep(context, url, args.out)
            if main_shots:
                compare(context, url, args.out)
                figure(context, url, args.out)
                custom(context, url, args.out)
            context.close()
            if not (args.only_main or args.only_sweep):
                layouts(chromium, url, args.out, args.scale)
            chromium.close()
    finally:
        server.shutdown()
        server.server_close()
    names = ["sweep-ravine.png"] if args.only_sweep else [] if args.only_layouts else [
        "screenshot-ravine.png", "screenshot-basins.png", "screenshot-wells.png", "sweep-ravine.png",
        "compare-ravine.png", "figure-ravine.png", "takeaway-ravine.png", "custom-landscape.png"]
    if not (args.only_main or args.only_sweep):
        names += [f"layout-{name}.png" for name in LAYOUTS] + ["layout-presentation.png"]
    for name in names:
        print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
