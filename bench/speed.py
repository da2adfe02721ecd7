"""Speed: what each value of the Speed control delivers, in optimizer steps per second of
wall time, against what it promises (Speed × 60, i.e. Speed steps per frame at 60 fps).

Every ball runs (Python steps all of them whichever are shown), on the ravine, after
"Run on" has lifted the pause at its step count. For each Speed the page plays for a
while first (the pacing's measure of the worker settles), then the steps taken over
``seconds`` of the page's own clock are counted.
"""

from __future__ import annotations

import browser

SPEEDS = (1, 4, 10, 25, 50)
STEPS_PER_SECOND_PER_SPEED = 60  # static/model/pace.js

SET_SPEED = """(v) => { const s = document.getElementById('speed'); s.value = String(v);
  s.dispatchEvent(new Event('input')); }"""
COUNT = """async (ms) => {
  const hook = window.__playground;
  const t0 = performance.now(), s0 = hook.snapshot().step;
  await new Promise((done) => setTimeout(done, ms));
  return { steps: hook.snapshot().step - s0, seconds: (performance.now() - t0) / 1000 };
}"""


def speed_bench(pw, base: str, seconds: float, speeds=SPEEDS) -> dict:
    chromium = browser.launch_chromium(pw)
    try:
        context = chromium.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
        page = context.new_page()
        page.goto(base + "/#landscape=ravine&speed=50&show=all")
        page.wait_for_selector('#status[data-state="ready"]', timeout=120_000)
        page.wait_for_function("window.__playground.state().held != null", timeout=120_000)
        page.click("#run-on")
        rows = []
        for speed in speeds:
            page.evaluate(SET_SPEED, speed)
            page.wait_for_timeout(500)
            got = page.evaluate(COUNT, int(seconds * 1000))
            achieved = got["steps"] / got["seconds"]
            target = speed * STEPS_PER_SECOND_PER_SPEED
            rows.append({"speed": speed, "achieved": achieved, "target": target, "ratio": achieved / target})
        context.close()
    finally:
        chromium.close()
    return {"rows": rows, "seconds": seconds}


def report_row(sp: dict) -> tuple:
    rows = sp["rows"]
    return (f"Speed: optimizer steps per second at Speed {' / '.join(str(r['speed']) for r in rows)}, all balls",
            " / ".join(f"{r['achieved']:,.0f}" for r in rows),
            "target Speed × 60: " + " / ".join(f"{r['target']:,}" for r in rows),
            " / ".join(f"{r['ratio']:.2f}" for r in rows) + "×", "1.00× up to what the machine can do")
