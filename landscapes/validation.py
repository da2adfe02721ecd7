"""Checks at the landscapes' public entry points: each bad value raises ``TypeError`` or
``ValueError`` naming the parameter and echoing the value (``errors.show``, ≤ 80 characters).

Coordinates (the x and y of ``f``, ``grad``, ``hessian``, ``basin_index``, ``basin_name``)
are real numbers: Python ints and floats, numpy integer or float scalars, or arrays
(lists) of them. Refused with ``TypeError``: None, bools, strings, complex numbers, objects
numpy cannot read as real numbers, and masked arrays (their mask would be ignored: fill or
compress them first). Refused with ``ValueError``: ragged nesting, x and y whose shapes do
not broadcast, more than ``MAX_NDIM`` dimensions and more than ``MAX_POINTS`` points in
one call. An int too large for a
float is ±inf (an overflow answered with inf, as for floats)."""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from .errors import show

MAX_POINTS = 10_000_000  # x and y may broadcast to at most this many points per call
MAX_NDIM = 32  # and have at most this many dimensions (numpy's broadcasting limit)
_REAL_KINDS = "iuf"
_RULE = "must be real numbers (a float, an int, or an array of them)"


def coordinate(name: str, value) -> np.ndarray:
    """``value`` as a float array (0-d for a scalar), or TypeError/ValueError naming ``name``."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "f" and type(value) is np.ndarray:
        return value if value.dtype == np.float64 else value.astype(float)
    if isinstance(value, float) or (isinstance(value, np.generic) and value.dtype.kind in _REAL_KINDS):
        return np.asarray(value, dtype=float)
    if isinstance(value, Real) and not isinstance(value, (bool, np.bool_)):
        try:
            return np.asarray(float(value))
        except OverflowError:  # an int beyond the float range
            return np.asarray(math.inf if value > 0 else -math.inf)
        except (TypeError, ValueError):
            raise TypeError(f"Invalid {name}={show(value)}: {_RULE}") from None
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(f"Invalid {name}={show(value)}: masked arrays are not accepted "
                        f"(their mask would be ignored; fill or compress them first)")
    if value is None or isinstance(value, (str, bytes, bool, np.bool_, complex, dict, set)):
        raise TypeError(f"Invalid {name}={show(value)}: {_RULE}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError, OverflowError, RecursionError, MemoryError):
        raise ValueError(f"Invalid {name}={show(value)}: {_RULE}, nested as a regular array") from None
    if arr.dtype.kind not in _REAL_KINDS:
        raise TypeError(f"Invalid {name}={show(value)}: {_RULE}")
    if arr.ndim > MAX_NDIM:
        raise ValueError(f"Invalid {name} with {arr.ndim} dimensions: at most {MAX_NDIM}")
    if arr.size > MAX_POINTS:
        raise ValueError(f"Invalid {name} of shape {arr.shape}: at most {MAX_POINTS:,} points per call")
    return arr.astype(float, copy=False)


def coordinates(x, y) -> tuple[np.ndarray, np.ndarray, tuple]:
    """x and y checked (``coordinate``) and their broadcast shape (at most MAX_POINTS points)."""
    xa, ya = coordinate("x", x), coordinate("y", y)
    if xa.shape == ya.shape and xa.size <= MAX_POINTS:
        return xa, ya, xa.shape
    try:
        shape = np.broadcast_shapes(xa.shape, ya.shape)
    except ValueError:
        raise ValueError(f"Invalid x of shape {xa.shape} and y of shape {ya.shape}: "
                         f"their shapes must broadcast together") from None
    if math.prod(shape) > MAX_POINTS:
        raise ValueError(f"Invalid x of shape {xa.shape} and y of shape {ya.shape}: they broadcast to "
                         f"{math.prod(shape):,} points, more than {MAX_POINTS:,} per call")
    return xa, ya, shape


def scalar(name: str, value) -> float:
    """One real number (a 0-d or one-element coordinate), else TypeError/ValueError naming it."""
    arr = coordinate(name, value)
    if arr.size != 1:
        raise ValueError(f"Invalid {name}={show(value)}: must be one number, not an array of shape {arr.shape}")
    return float(arr.reshape(()))


def tolerance(name: str, value) -> float | None:
    """None, or a finite number ≥ 0."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"Invalid {name}={show(value)}: must be None or a finite number >= 0")
    try:
        v = float(value)
    except (OverflowError, TypeError, ValueError):
        v = math.inf
    if not (math.isfinite(v) and v >= 0):
        raise ValueError(f"Invalid {name}={show(value)}: must be None or a finite number >= 0")
    return v


def landscape(value):
    """A ``Landscape`` or a registry key (str) → the Landscape; anything else TypeError
    naming ``landscape`` (an unknown key: KeyError listing the valid ones)."""
    from .base import Landscape
    if isinstance(value, Landscape):
        return value
    if isinstance(value, str):
        from . import get
        return get(value)
    raise TypeError(f"Invalid landscape={show(value)}: must be a Landscape or a registry key "
                    f"such as 'ravine' (see landscapes.names())")


MAX_GROUP_POINTS = 100_000  # group_points / classify_points compare each point with each group


def points(name: str, value) -> np.ndarray:
    """An (n, 2) float array of points (a flat even-length sequence is read as pairs), n ≤
    ``MAX_GROUP_POINTS``; non-finite points are allowed (they end in no basin)."""
    arr = coordinate(name, value)
    if arr.size % 2:
        raise ValueError(f"Invalid {name} of shape {arr.shape}: must be (x, y) points, shape (n, 2)")
    arr = arr.reshape(-1, 2)
    if len(arr) > MAX_GROUP_POINTS:
        raise ValueError(f"Invalid {name} of shape {arr.shape}: at most {MAX_GROUP_POINTS:,} points")
    return arr
