"""The benchmark: every figure measured side by side in one run, written to docs/benchmarks.md.

    ./dev bench            (or: python bench/run.py --out docs/benchmarks.md)

1. First frame: navigation → "Ready" with the first heatmap painted, cold (fresh browser
   context) and warm (reload), against the floor: a bare page from the same server that
   boots the same runtime in a module worker, loads numpy and imports it.
2. Frame time: six optimizers at maximum speed + 1,000 gradient-flow particles, p50/p95
   over 10 s; and the largest particle count still at p95 ≤ 16.7 ms.
3. Landscape switch: select → heatmap and contours painted, at the default resolution.
4. Batch throughput (CPython): trajectories for 10,000 starts × 500 steps against a
   per-particle loop in the reference notebooks' style, with identical endpoints.
5. Main-thread long tasks (> 50 ms) after first paint, during the frame benchmark.
Figures are ratios against floors measured in the same run; none is a pass/fail test.
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tools"), str(REPO / "bench")]

import browser  # noqa: E402  (tools/browser.py: the same Chromium and server as the tests)
import throughput  # noqa: E402

FRAME_BUDGET_MS = 1000 / 60


def median(values):
    return statistics.median(values)


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))] if ordered else float("nan")


# ----------------------------------------------------------------------------- 1. first frame

def _page_ready_ms(page, url) -> float:
    page.goto(url)
    page.wait_for_selector('#status[data-state="ready"]', timeout=120_000)
    return float(page.evaluate("window.__playground.bootMs"))


def _floor_ready_ms(page, url) -> float:
    page.goto(url)
    page.wait_for_selector('body[data-state="ready"]', timeout=120_000)
    return float(page.evaluate('performance.getEntriesByName("floor:ready")[0].startTime'))


def first_frame(pw, base: str, rounds: int) -> dict:
    """Alternate page and floor so that drift in machine load hits both alike."""
    chromium = browser.launch_chromium(pw)
    cold = {"page": [], "floor": []}
    warm = {"page": [], "floor": []}
    targets = {"page": (_page_ready_ms, base + "/"), "floor": (_floor_ready_ms, base + "/bench/floor/index.html")}
    try:
        for round_ in range(rounds):
            order = list(targets) if round_ % 2 == 0 else list(reversed(targets))  # neither always goes first
            for name in order:
                ready, url = targets[name]
                context = chromium.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                cold[name].append(ready(page, url))
                warm[name].append(ready(page, url))  # same context: HTTP cache and code cache warm
                context.close()
    finally:
        chromium.close()
    return {"cold": {k: median(v) for k, v in cold.items()}, "warm": {k: median(v) for k, v in warm.items()},
            "samples": {"cold": cold, "warm": warm}}


# ----------------------------------------------------------------------------- 2, 3, 5. in the page

RAF_PROBE = """
() => new Promise((done) => {
  const intervals = [];
  let last = null;
  const until = performance.now() + %d;
  function tick(now) {
    if (last !== null) intervals.push(now - last);
    last = now;
    if (now < until) requestAnimationFrame(tick); else done(intervals);
  }
  requestAnimationFrame(tick);
})
"""


def _open_page(chromium, base, hash_=""):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(base + "/" + hash_)
    page.wait_for_selector('#status[data-state="ready"]', timeout=120_000)
    return context, page


def _measure_frames(page, seconds: float) -> dict:
    since = page.evaluate("window.__playground.frameStats().frames")
    long_before = len(page.evaluate("window.__playground.longTasks()"))
    intervals = page.evaluate(RAF_PROBE % int(seconds * 1000))
    work = page.evaluate(f"window.__playground.frameStats({since})")
    long_tasks = page.evaluate("window.__playground.longTasks()")[long_before:]
    steps = page.evaluate("window.__playground.snapshot().step")
    return {"interval_p50": percentile(intervals, 0.5), "interval_p95": percentile(intervals, 0.95),
            "work_p50": work["p50"], "work_p95": work["p95"], "frames": len(intervals),
            "long_tasks": long_tasks, "steps": steps}


def _drop_particles(page, count: int) -> int:
    n = math.ceil(math.sqrt(count))
    page.evaluate("window.__playground.idle()")
    page.click("#clear")
    page.evaluate(f"window.__playground.dropGrid({n})")
    page.wait_for_function(f"window.__playground.particles().count === {n * n}")
    return n * n


def frame_time(pw, base: str, seconds: float, counts: list[int]) -> dict:
    chromium = browser.launch_chromium(pw)
    try:
        context, page = _open_page(chromium, base, "#landscape=ravine&speed=50")
        page.click("#play") if page.evaluate("!window.__playground.state().playing") else None
        main = {"particles": _drop_particles(page, 1000), **_measure_frames(page, seconds)}
        sweep = []
        for count in counts:
            dropped = _drop_particles(page, count)
            sweep.append({"particles": dropped, **_measure_frames(page, 3.0)})
        context.close()
    finally:
        chromium.close()
    sustained = [s["particles"] for s in sweep if s["interval_p95"] <= FRAME_BUDGET_MS + 0.5]
    return {"main": main, "sweep": sweep, "max_sustained": max(sustained) if sustained else 0}


def landscape_switch(pw, base: str, keys: list[str]) -> dict:
    chromium = browser.launch_chromium(pw)
    try:
        context, page = _open_page(chromium, base)
        page.evaluate("window.__playground.state().playing") and page.click("#play")
        times = {}
        for key in keys + keys:  # the second pass hits the picture cache
            ms = page.evaluate("(key) => window.__playground.timeSceneSwitch(key)", key)
            times.setdefault(key, []).append(ms)
        resolution = page.evaluate("window.__playground.state().resolution")
        context.close()
    finally:
        chromium.close()
    first = [v[0] for v in times.values()]
    again = [v[1] for v in times.values()]
    return {"resolution": resolution, "first_median": median(first), "first_max": max(first),
            "cached_median": median(again), "per_landscape": {k: v[0] for k, v in times.items()}}


# ----------------------------------------------------------------------------- the report

def fmt_ms(v):
    return f"{v:,.0f} ms" if v >= 100 else f"{v:.1f} ms"


def write_report(path: Path, r: dict) -> str:
    ff, fr, sw, tp = r["first_frame"], r["frames"], r["switch"], r["throughput"]
    main = fr["main"]
    rows = [
        ("First frame, cold", fmt_ms(ff["cold"]["page"]), f"floor {fmt_ms(ff['cold']['floor'])}",
         f"{ff['cold']['page'] / ff['cold']['floor']:.2f}×", "≤ 1.10×"),
        ("First frame, warm (reload)", fmt_ms(ff["warm"]["page"]), f"floor {fmt_ms(ff['warm']['floor'])}",
         f"{ff['warm']['page'] / ff['warm']['floor']:.2f}×", "≤ 1.10×"),
        (f"Frame interval, 6 optimizers at speed 50 + {main['particles']:,} particles, p50 / p95",
         f"{main['interval_p50']:.1f} / {main['interval_p95']:.1f} ms", f"budget {FRAME_BUDGET_MS:.1f} ms",
         f"{main['interval_p95'] / FRAME_BUDGET_MS:.2f}×", "p95 ≤ 16.7 ms"),
        ("Main-thread work per frame, same run, p50 / p95", f"{main['work_p50']:.1f} / {main['work_p95']:.1f} ms",
         f"budget {FRAME_BUDGET_MS:.1f} ms", f"{main['work_p95'] / FRAME_BUDGET_MS:.2f}×", "p95 ≤ 16.7 ms"),
        ("Largest particle count at p95 frame interval ≤ 16.7 ms", f"{fr['max_sustained']:,}",
         "target 2,000", f"{fr['max_sustained'] / 2000:.2f}×", "≥ 2,000"),
        (f"Landscape switch to painted heatmap + contours ({sw['resolution']}² grid), median / max",
         f"{fmt_ms(sw['first_median'])} / {fmt_ms(sw['first_max'])}", "target 100 ms",
         f"{sw['first_max'] / 100:.2f}×", "≤ 100 ms"),
        (f"Batch throughput, CPython: {tp['n']:,} starts × {tp['steps']} Adam steps",
         f"{tp['batch_s']:.2f} s", f"per-particle loop {tp['loop_s']:.1f} s", f"{tp['ratio']:.0f}× faster", "≥ 100×"),
        ("Main-thread long tasks (> 50 ms) during the frame benchmark", f"{len(main['long_tasks'])}",
         "target 0", "—", "0"),
    ]
    lines = [
        "# Benchmarks",
        "",
        f"Measured with `./dev bench` on {time.strftime('%Y-%m-%d')}: {r['machine']}; {r['browser']}.",
        "Each ratio divides by a floor or reference measured in the same run. These machines are shared,",
        "so absolute times drift between runs; the ratios are what to compare.",
        "",
        "| metric | value | floor or reference | ratio | target |",
        "|---|---|---|---|---|",
        *[f"| {' | '.join(row)} |" for row in rows],
        "",
        "Particle sweep (frame interval p95 / main-thread work p95):",
        "",
        *[f"- {s['particles']:,} particles: {s['interval_p95']:.1f} ms / {s['work_p95']:.1f} ms" for s in fr["sweep"]],
        "",
        f"Endpoints of batch and loop agree to {tp['max_abs_diff']:.1e} (largest absolute difference).",
        "",
    ]
    text = "\n".join(lines + r.get("notes", []))
    path.write_text(text)
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run the benchmarks and write the table.")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument("--quick", action="store_true", help="short runs (for the harness's own test)")
    parser.add_argument("--only", choices=["first-frame", "frames"], help="measure only this part and print it (no report)")
    args = parser.parse_args(argv)
    quick = args.quick
    from playwright.sync_api import sync_playwright

    import landscapes

    missing = browser.missing_build(browser.runtime_dir(), browser.wheels_dir())
    if missing:
        print("error: missing " + "; ".join(missing) + " (run ./dev bench, which builds them)", file=sys.stderr)
        return 1
    server, base = browser.start_server(extra_mounts={"/bench/floor/": REPO / "bench" / "floor"})
    base = base.rstrip("/")
    try:
        with sync_playwright() as pw:
            if args.only == "first-frame":
                ff = first_frame(pw, base, rounds=3)
                print(ff["cold"], ff["warm"], ff["samples"], sep="\n")
                return 0
            if args.only == "frames":
                fr = frame_time(pw, base, 5.0, [1000, 2000, 3000, 4000, 4900])
                print(fr["main"], *fr["sweep"], sep="\n")
                return 0
            print("==> first frame (page vs floor, cold and warm)")
            ff = first_frame(pw, base, rounds=1 if quick else 7)
            print(f"    page/floor cold {ff['cold']}, warm {ff['warm']}")
            print("==> frame time (10 s) and particle sweep")
            fr = frame_time(pw, base, 1.0 if quick else 10.0, [1000] if quick else [1000, 2000, 3000, 4000, 4900])
            print(f"    main {({k: v for k, v in fr['main'].items() if k != 'long_tasks'})}, max {fr['max_sustained']}")
            print("==> landscape switch")
            keys = landscapes.names()[:3] if quick else landscapes.names()
            sw = landscape_switch(pw, base, keys)
            print(f"    {sw}")
            version = browser.chromium_version(pw)
    finally:
        server.shutdown()
        server.server_close()
    print("==> batch throughput (CPython)")
    tp = throughput.measure(500 if quick else 10_000, 50 if quick else 500)
    report = {"first_frame": ff, "frames": fr, "switch": sw, "throughput": tp,
              "machine": f"{platform.machine()}, {_cores()} cores, Python {platform.python_version()}",
              "browser": version}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    print(write_report(args.out, report))
    print(f"==> wrote {args.out}")
    return 0


def _cores() -> int:
    import os
    return os.cpu_count() or 0


if __name__ == "__main__":
    sys.exit(main())
