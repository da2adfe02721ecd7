"""Checks at the optimizers' public entry points, in torch.optim's style: each bad value
raises ``ValueError`` (a landscape that is neither a Landscape nor a str: ``TypeError``;
an unknown name: ``KeyError`` listing the valid ones) whose message names the parameter and echoes the
value, cut to 80 characters (``landscapes.errors.show``).

Limits, checked before anything is allocated:

* ``steps`` ≤ ``MAX_STEPS`` (100,000; a few seconds for one particle) per call of ``simulate``/``trajectories``/``trajectory``;
* (steps + 1) × particles ≤ ``MAX_POSITION_UPDATES`` (20,000,000): the kept path is at most
  320 MB and a run takes some seconds, not minutes;
* starts: at most ``MAX_STARTS`` (1,000,000) particles.
"""

from __future__ import annotations

import math
import operator
from numbers import Real

import numpy as np

from landscapes.errors import UnknownNameError, show, unknown_name  # noqa: F401  (one error type for both registries)
from landscapes.validation import landscape  # noqa: F401  (a Landscape or a registry key)

MAX_STEPS = 100_000
MAX_POSITION_UPDATES = 20_000_000
MAX_STARTS = 1_000_000


def _real(name: str, value, rule: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise ValueError(f"Invalid {name}={show(value)}: must be a finite number {rule}")
    try:
        v = float(value)
    except (OverflowError, TypeError, ValueError):
        v = math.inf
    if not math.isfinite(v):
        raise ValueError(f"Invalid {name}={show(value)}: must be a finite number {rule}")
    return v


def positive(name: str, value) -> float:
    """A finite number > 0 (learning rate, eps)."""
    v = _real(name, value, "> 0")
    if v <= 0.0:
        raise ValueError(f"Invalid {name}={show(value)}: must be a finite number > 0")
    return v


def non_negative(name: str, value) -> float:
    """A finite number ≥ 0 (weight decay)."""
    v = _real(name, value, ">= 0")
    if v < 0.0:
        raise ValueError(f"Invalid {name}={show(value)}: must be a finite number >= 0")
    return v


def unit_interval(name: str, value, closed: bool = False) -> float:
    """A decay rate in [0, 1) (momentum, alpha, betas); [0, 1] when ``closed`` (dampening)."""
    rule = "in [0, 1]" if closed else "in [0, 1)"
    v = _real(name, value, rule)
    if v < 0.0 or v > 1.0 or (v == 1.0 and not closed):
        raise ValueError(f"Invalid {name}={show(value)}: must be {rule}")
    return v


def flag(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"Invalid {name}={show(value)}: must be True or False")
    return bool(value)


def betas(value) -> tuple[float, float]:
    """A pair (β₁, β₂), each in [0, 1): a tuple, a list or a 1-d array of two numbers (sets
    and dicts, which have no order, are refused)."""
    rule = "must be a pair (beta1, beta2) as a tuple or list, each in [0, 1)"
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"Invalid betas={show(value)}: {rule}")
    b1, b2 = value
    return unit_interval("betas[0]", b1), unit_interval("betas[1]", b2)


def integer(name: str, value, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number in [minimum, maximum] (bools and floats refused), else ValueError naming it."""
    rule = f"must be an integer >= {minimum}" if maximum is None else f"must be an integer in [{minimum}, {maximum}]"
    try:
        if isinstance(value, (bool, np.bool_)):
            raise TypeError
        n = operator.index(value)
    except TypeError:
        raise ValueError(f"Invalid {name}={show(value)}: {rule}") from None
    if n < minimum or (maximum is not None and n > maximum):
        raise ValueError(f"Invalid {name}={show(value)}: {rule}")
    return n


def steps(value) -> int:
    """A whole number of steps in [0, MAX_STEPS]."""
    n = integer("steps", value)
    if n > MAX_STEPS:
        raise ValueError(f"Invalid steps={show(value)}: must be an integer >= 0 and at most {MAX_STEPS:,} per call")
    return n


def run_size(steps: int, particles: int) -> None:
    """Refuse a run whose kept path would exceed ``MAX_POSITION_UPDATES`` positions."""
    if (steps + 1) * particles > MAX_POSITION_UPDATES:
        raise ValueError(f"Invalid steps={steps} for {particles:,} particles: (steps + 1) × particles "
                         f"must be at most {MAX_POSITION_UPDATES:,} position updates per call")


def learning_rate(value):
    """The learning rate ``lr``: a finite number > 0 (returned as a float), or a 1-D array
    of them, one per particle (returned as a read-only float64 copy; the sweep runs many
    learning rates as one run). Anything else: ValueError naming ``learning rate lr``."""
    if not isinstance(value, (np.ndarray, list, tuple)):
        return positive("learning rate lr", value)
    rule = "must be a finite number > 0 or a 1-D array of them, one per particle"
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"Invalid learning rate lr={show(value)}: {rule}") from None
    kind = np.asarray(value).dtype.kind
    if isinstance(value, (list, tuple)) and any(isinstance(v, (bool, np.bool_)) for v in value):
        kind = "b"  # a True among numbers would be taken for 1.0
    with np.errstate(invalid="ignore"):
        bad = arr.ndim != 1 or len(arr) == 0 or kind not in "iuf" or not (np.isfinite(arr) & (arr > 0)).all()
    if bad:
        raise ValueError(f"Invalid learning rate lr={show(value)}: {rule}")
    arr.flags.writeable = False
    return arr


def per_particle(lr, params) -> None:
    """Refuse a per-particle ``lr`` array whose length is not the number of particles."""
    if isinstance(lr, np.ndarray) and len(lr) != len(params):
        raise ValueError(f"Invalid learning rate lr of length {len(lr)}: one per particle, "
                         f"and this run has {len(params)}")


def pair(name: str, value, rule: str) -> tuple:
    """Two numbers as a tuple, list or 1-d array (unordered sets and dicts refused); the
    caller checks each. ValueError naming ``name`` otherwise."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"Invalid {name}={show(value)}: {rule}")
    return tuple(value)
