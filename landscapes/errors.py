"""The error for an unknown registry name, shared by the landscape and optimizer registries,
and ``show``: how every error message of both packages echoes a value (a bounded repr)."""

from __future__ import annotations

import math

SHOW_LIMIT = 80  # characters of a value's repr an error message echoes at most


def show(value, limit: int = SHOW_LIMIT) -> str:
    """``repr(value)`` cut to ``limit`` characters (with "…"), for error messages.

    Never raises: an integer too long to print (Python refuses more than 4,300 digits) is
    described by its size, and an object whose repr fails (a list nested too deeply) by
    its type."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"<int of about {int(math.log10(abs(value))) + 1} digits>"
    try:
        text = repr(value)
    except Exception:  # RecursionError, ValueError, a broken __repr__
        return f"<{type(value).__name__} object>"
    if "\n" in text:  # numpy's multi-line reprs: one line
        text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class UnknownNameError(KeyError):
    """An unknown landscape or optimizer name; the message lists the valid ones."""

    def __str__(self) -> str:  # KeyError would show the message quoted
        return str(self.args[0])


def unknown_name(kind: str, name, valid) -> UnknownNameError:
    return UnknownNameError(f"Unknown {kind} {show(name)}; valid {kind}s are: {', '.join(valid)}")
