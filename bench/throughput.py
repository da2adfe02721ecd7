"""Batch throughput under CPython: ``optimizers.trajectories`` against a per-particle loop.

The loop is written the way the reference notebooks write optimizers: plain Python
floats, one particle at a time, one step at a time, ``np.sqrt`` on scalars (seed 001's
``run_adam``), with our update rule in torch's operation order and the ravine's analytic
gradient, so that both give the same endpoints to the last bit.
"""

from __future__ import annotations

import time

import numpy as np

import landscapes
import optimizers
from landscapes.presets import RAVINE_A, RAVINE_B


def adam_loop(starts, steps, lr, b1=0.9, b2=0.999, eps=1e-8):
    """Adam on the ravine, one particle at a time, in the reference notebooks' style."""
    out = []
    for x, y in starts:
        x, y = float(x), float(y)
        mx = my = vx = vy = 0.0
        for t in range(1, steps + 1):
            r = y - x * x
            gx = -2.0 * (RAVINE_A - x) - 4.0 * RAVINE_B * x * r
            gy = 2.0 * RAVINE_B * r
            mx += (1 - b1) * (gx - mx)
            my += (1 - b1) * (gy - my)
            vx = b2 * vx + (1 - b2) * gx * gx
            vy = b2 * vy + (1 - b2) * gy * gy
            step = lr / (1 - b1**t)
            c2 = (1 - b2**t) ** 0.5
            x -= step * (mx / (np.sqrt(vx) / c2 + eps))
            y -= step * (my / (np.sqrt(vy) / c2 + eps))
        out.append((float(x), float(y)))
    return np.array(out)


def measure(n: int = 10_000, steps: int = 500, lr: float = 0.01, seed: int = 0) -> dict:
    """Time both on the same n starts; returns the figures and the largest endpoint difference."""
    starts = np.random.default_rng(seed).uniform((-2.0, -1.0), (2.0, 3.0), size=(n, 2))
    t0 = time.perf_counter()
    batch = optimizers.trajectories("adam", landscapes.get("ravine"), starts, steps, lr=lr)
    t_batch = time.perf_counter() - t0
    t0 = time.perf_counter()
    loop = adam_loop(starts, steps, lr)
    t_loop = time.perf_counter() - t0
    return {"n": n, "steps": steps, "batch_s": t_batch, "loop_s": t_loop, "ratio": t_loop / t_batch,
            "max_abs_diff": float(np.abs(batch[-1] - loop).max())}


if __name__ == "__main__":
    print(measure(2000, 200))
