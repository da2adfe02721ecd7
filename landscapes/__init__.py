"""A registry of analytic 2-D loss landscapes.

    >>> import landscapes
    >>> bowl = landscapes.get("bowl")
    >>> float(bowl.f(1.0, 1.0)), bowl.grad(1.0, 1.0)
"""

from __future__ import annotations

from . import classic, presets, reference
from .base import Landscape, Minimum, basin_index, basin_name, classify_points, group_points
from .errors import UnknownNameError, unknown_name
from .expression import ExpressionLandscape, from_expression
from .expression_data import from_data

__all__ = ["Landscape", "Minimum", "names", "get", "all_landscapes", "UnknownNameError",
           "basin_index", "basin_name", "classify_points", "group_points",
           "from_expression", "from_data", "ExpressionLandscape"]

_REGISTRY: dict[str, Landscape] = {
    land.key: land for land in presets.LANDSCAPES + reference.LANDSCAPES + classic.LANDSCAPES
}


def names() -> list[str]:
    """Registry keys in display order: the four presets, the reference surfaces, the classics."""
    return list(_REGISTRY)


def get(name: str) -> Landscape:
    """The landscape registered as ``name``; unknown names raise KeyError listing the valid ones."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise unknown_name("landscape", name, names()) from None


def all_landscapes() -> list[Landscape]:
    return list(_REGISTRY.values())
