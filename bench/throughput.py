"""Batch throughput under CPython: ``optimizers.trajectories`` against a per-particle loop.

The loop is written the way the reference notebooks write optimizers: plain Python
floats, one particle at a time, one step at a time, ``np.sqrt`` on scalars (the loss-surface notes'
``run_adam``), with our update rule in torch's operation order and the ravine's analytic
gradient, so that both give the same endpoints to the last bit.
"""

from __future__ import annotations

import math
import time

import numpy as np

import landscapes
import optimizers
from landscapes.presets import RAVINE_A, RAVINE_B


def adam_loop(starts, steps, lr, b1=0.9, b2=0.999, eps=1e-8, sqrt=np.sqrt):
    """Adam on the ravine, one particle at a time, in the reference notebooks' style
    (``sqrt=math.sqrt`` gives the fastest plain-Python variant)."""
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
            x -= step * (mx / (sqrt(vx) / c2 + eps))
            y -= step * (my / (sqrt(vy) / c2 + eps))
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
    t0 = time.perf_counter()
    loop_math = adam_loop(starts, steps, lr, sqrt=math.sqrt)
    t_loop_math = time.perf_counter() - t0
    return {"n": n, "steps": steps, "batch_s": t_batch, "loop_s": t_loop, "ratio": t_loop / t_batch,
            "loop_math_s": t_loop_math, "ratio_math": t_loop_math / t_batch,
            "max_abs_diff": float(max(np.abs(batch[-1] - loop).max(), np.abs(batch[-1] - loop_math).max()))}


if __name__ == "__main__":
    print(measure(2000, 200))


def step_against_array_ops(n: int = 10_000, repeats: int = 200, seed: int = 0) -> dict:
    """One Adam step for n particles (gradient, update, loss and divergence checks) against
    24 chained elementwise numpy operations on (n, 2) arrays, timed alternately."""
    from optimizers import run

    land = landscapes.get("ravine")
    opt = optimizers.create("adam", lr=0.01)
    starts = np.random.default_rng(seed).uniform((-2.0, -1.0), (2.0, 3.0), size=(n, 2))
    state = run.step(opt, land, run.init(opt, land, starts))
    a, b = starts.copy(), starts[::-1].copy() + 1.0

    def chain24():
        c = a * 1.5; c = c + b; c = c * c; c = c + 1.0; c = np.sqrt(c); c = c / b  # noqa: E702
        d = a - c; d = d * 0.9; d = d + b; d = d * d; d = d + c; d = d / 2.0  # noqa: E702
        e = c * d; e = e - a; e = e + 1e-8; e = np.abs(e); e = e * 0.5; e = e + d  # noqa: E702
        f = e / c; f = f - b; f = f * 2.0; f = f + a; f = f * f; f = f + 1.0  # noqa: E702
        return f

    step_times, op_times = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run.step(opt, land, state)
        t1 = time.perf_counter()
        chain24()
        t2 = time.perf_counter()
        step_times.append(t1 - t0)
        op_times.append(t2 - t1)
    step_s, ops_s = float(np.median(step_times)), float(np.median(op_times))
    return {"n": n, "step_s": step_s, "ops24_s": ops_s, "ratio": step_s / ops_s}
