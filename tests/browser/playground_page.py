"""A thin driver for the playground page in tests: what a user does, in a few words."""

from __future__ import annotations

import math
import re

READY_TIMEOUT_MS = 60_000


class Playground:
    """One page of the playground. Console errors and uncaught page errors are collected
    from the moment the page opens (``errors``)."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.errors: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"console: {msg.text}"))
        page.on("pageerror", lambda err: self.errors.append(f"pageerror: {err}"))

    # ------------------------------------------------------------------ loading

    def goto(self, hash: str = "") -> None:
        self.page.goto(self.base_url + (f"#{hash}" if hash else ""))

    def wait_ready(self) -> None:
        """Waits until the status leaves "loading" and fails with the status text unless Ready."""
        self.wait_status_settled()
        status = self.status()
        assert status["state"] == "ready", f"page did not boot: status {status}; errors {self.errors}"

    def wait_status_settled(self, timeout: float = READY_TIMEOUT_MS) -> None:
        self.page.wait_for_function(
            "document.querySelector('#status').dataset.state !== 'loading'", timeout=timeout)

    def status(self) -> dict:
        return self.page.evaluate(
            "(() => { const s = document.querySelector('#status');"
            " return {state: s.dataset.state, text: s.textContent.trim(),"
            " progressVisible: !document.querySelector('#status-progress').hidden}; })()")

    # ------------------------------------------------------------------ reading

    def snapshot(self) -> dict:
        return self.page.evaluate("window.__playground.snapshot()")

    def state(self) -> dict:
        return self.page.evaluate("window.__playground.state()")

    def particles(self) -> dict:
        return self.page.evaluate("window.__playground.particles()")

    def drawn_keys(self) -> list[str]:
        self.next_frames(2)
        return self.page.evaluate("window.__playground.drawnKeys()")

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector).strip()

    def legend(self) -> dict[str, dict[str, str]]:
        """{key: {loss, best, step, status, dimmed}} as shown (texts), after the next refresh."""
        self.page.wait_for_timeout(450)  # the legend refreshes at ~10 Hz (5 Hz with more than 8 balls shown)
        return self.page.evaluate("""() => Object.fromEntries(
            [...document.querySelectorAll('#legend tbody tr')].map((tr) => [tr.dataset.key, {
                ...Object.fromEntries([...tr.querySelectorAll('td[data-field]')]
                    .map((td) => [td.dataset.field, td.textContent.trim()])),
                dimmed: tr.classList.contains('dimmed')}]))""")

    def canvas_data_url(self, layer: str) -> str:
        return self.page.evaluate(f"document.querySelector('#layer-{layer}').toDataURL()")

    def canvas_pixel(self, layer: str, x: float, y: float) -> list[int]:
        """RGBA of a layer at CSS pixel (x, y) relative to the plot's canvas box."""
        return self.page.evaluate(
            """([layer, x, y]) => {
                const c = document.querySelector('#layer-' + layer);
                const dpr = c.width / c.clientWidth;
                return Array.from(c.getContext('2d').getImageData(
                    Math.round(x * dpr), Math.round(y * dpr), 1, 1).data);
            }""", [layer, x, y])

    # ------------------------------------------------------------------ acting

    def pause(self) -> None:
        if self.state()["playing"]:
            self.page.click("#play")
        self.idle()

    def play(self) -> None:
        if not self.state()["playing"]:
            self.page.click("#play")

    def idle(self) -> None:
        """Waits until no request is in flight or queued."""
        self.page.evaluate("window.__playground.idle()")

    def next_frames(self, n: int = 2) -> None:
        self.page.evaluate(
            "(n) => new Promise((done) => { const tick = () => (--n <= 0 ? done() : requestAnimationFrame(tick));"
            " requestAnimationFrame(tick); })", n)

    def frames(self, n: int) -> None:
        """n frames' worth of Play (Speed steps each), through the page's own advance path."""
        for _ in range(n):
            self.page.evaluate("window.__playground.frame()")

    def step(self, n: int = 1) -> None:
        """Clicks Step n times and waits until the run is n steps further."""
        before = self.snapshot()["step"]
        for _ in range(n):
            self.page.click("#step")
        self.wait_for(lambda: self.snapshot()["step"] == before + n, f"{n} clicks of Step to finish")

    def select(self, selector: str, value: str) -> None:
        self.page.select_option(selector, value)
        self.idle()

    def press(self, selector: str, key: str, times: int = 1) -> None:
        self.page.focus(selector)
        for _ in range(times):
            self.page.keyboard.press(key)
        self.idle()

    def page_point(self, x: float, y: float) -> tuple[float, float]:
        """Page coordinates of the landscape point (x, y)."""
        px, py = self.page.evaluate("([x, y]) => window.__playground.toPixel(x, y)", [x, y])
        box = self.page.locator("#layer-top").bounding_box()
        return box["x"] + px, box["y"] + py

    def click_at(self, x: float, y: float, shift: bool = False) -> None:
        if shift:
            self.page.keyboard.down("Shift")
        self.page.mouse.click(*self.page_point(x, y))
        if shift:
            self.page.keyboard.up("Shift")

    def wait_for(self, condition, what: str, timeout: float = 15.0) -> None:
        deadline = self.page.evaluate("performance.now()") + 1000 * timeout
        while not condition():
            if self.page.evaluate("performance.now()") > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            self.page.wait_for_timeout(50)


NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$")


def parse_number(text: str) -> float:
    """A number as the page prints it ("1.23e-4", "0.5"); "—" (not finite) gives nan."""
    if text == "—":
        return math.nan
    assert NUMBER.match(text), f"not a number as the page prints them: {text!r}"
    return float(text)
