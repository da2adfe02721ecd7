"""The benchmark harness runs end to end and writes its table (speed itself is never a test)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ROWS = ["First frame, cold", "First frame, warm", "Frame interval", "Main-thread work per frame",
        "Largest particle count", "Landscape switch", "One Adam step", "Batch throughput",
        "Main-thread long tasks", "Learning-rate sweep", "State arrows on: frame interval",
        "State arrows on: main-thread long tasks", "matplotlib ready after the first Figure request",
        "Figure: 3-D + contour", "While figures are drawn (", "While figures are drawn: main-thread long tasks",
        "sympy once",
        "Typed landscape with sympy installed", "Speed: optimizer steps per second"]


def test_bench_quick_run_writes_the_table(tmp_path):
    out = tmp_path / "benchmarks.md"
    # Its own process: the harness drives its own Chromium through Playwright's sync API.
    run = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--quick", "--out", str(out)],
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"bench/run.py --quick failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    table = out.read_text()
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| metric")]
    for name in ROWS:
        matching = [r for r in rows if r.startswith(f"| {name}")]
        assert len(matching) == 1, f"row {name!r} missing from\n{table}"
        cells = [c.strip() for c in matching[0].strip("|").split("|")]
        assert len(cells) == 5, matching[0]
        assert re.search(r"\d", cells[1]), f"no measured value in {matching[0]}"
        assert not re.search(r"\b(nan|inf)\b", " ".join(cells[1:4]), re.I), f"non-finite figure in {matching[0]}"
    assert "Chromium" in table and "cores" in table  # says where it was measured
