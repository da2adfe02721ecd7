"""Hyperparameter checks in torch.optim's style: each names the parameter and echoes the value."""

from __future__ import annotations

import math
import operator
from numbers import Real


from landscapes.errors import UnknownNameError, unknown_name  # noqa: F401  (one error type for both registries)


def _real(name: str, value, rule: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
        raise ValueError(f"Invalid {name}={value!r}: must be a finite number {rule}")
    return float(value)


def positive(name: str, value) -> float:
    """A finite number > 0 (learning rate, eps)."""
    v = _real(name, value, "> 0")
    if v <= 0.0:
        raise ValueError(f"Invalid {name}={value!r}: must be a finite number > 0")
    return v


def non_negative(name: str, value) -> float:
    """A finite number ≥ 0 (weight decay)."""
    v = _real(name, value, ">= 0")
    if v < 0.0:
        raise ValueError(f"Invalid {name}={value!r}: must be a finite number >= 0")
    return v


def unit_interval(name: str, value, closed: bool = False) -> float:
    """A decay rate in [0, 1) (momentum, alpha, betas); [0, 1] when ``closed`` (dampening)."""
    rule = "in [0, 1]" if closed else "in [0, 1)"
    v = _real(name, value, rule)
    if v < 0.0 or v > 1.0 or (v == 1.0 and not closed):
        raise ValueError(f"Invalid {name}={value!r}: must be {rule}")
    return v


def flag(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"Invalid {name}={value!r}: must be True or False")
    return value


def betas(value) -> tuple[float, float]:
    """A pair (β₁, β₂), each in [0, 1)."""
    try:
        b1, b2 = value
    except (TypeError, ValueError):
        raise ValueError(f"Invalid betas={value!r}: must be a pair (beta1, beta2), each in [0, 1)") from None
    return unit_interval("betas[0]", b1), unit_interval("betas[1]", b2)


def integer(name: str, value, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number in [minimum, maximum] (bools and floats refused), else ValueError naming it."""
    rule = f"must be an integer >= {minimum}" if maximum is None else f"must be an integer in [{minimum}, {maximum}]"
    try:
        if isinstance(value, bool):
            raise TypeError
        n = operator.index(value)
    except TypeError:
        raise ValueError(f"Invalid {name}={value!r}: {rule}") from None
    if n < minimum or (maximum is not None and n > maximum):
        raise ValueError(f"Invalid {name}={value!r}: {rule}")
    return n


def steps(value) -> int:
    """A whole number of steps ≥ 0."""
    return integer("steps", value)
