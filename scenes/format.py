"""``fmt``: the page's number formatter (static/format.js), ported digit for digit.

JavaScript's ``toPrecision`` and ``toExponential`` round the exact binary value of a double
half up (on a tie, the larger magnitude: "if there are two such n, pick the larger"), where
Python's ``format`` rounds half to even; so the digits are computed here from the exact
value with ``decimal`` and ROUND_HALF_UP, never with ``format``.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal
from numbers import Real

MISSING = "—"
_EXACT = Context(prec=1100)  # more digits than any double's exact decimal expansion (≤ 767)


def _significant(value: float, digits: int) -> tuple[int, int]:
    """|value| rounded half up to ``digits`` significant digits, as (n, e) with
    |value| ≈ n·10^(e − digits + 1) and 10^(digits−1) ≤ n < 10^digits."""
    exact = Decimal(abs(value))
    e = exact.adjusted()
    n = int(exact.quantize(Decimal(1).scaleb(e - digits + 1), rounding=ROUND_HALF_UP, context=_EXACT)
            .scaleb(digits - 1 - e, context=_EXACT))
    if n == 10**digits:  # 9.995 → 10.0: one more digit before the point
        n, e = 10 ** (digits - 1), e + 1
    return n, e


def _trim_zeros(text: str) -> str:
    """"1.20" → "1.2", "1.00" → "1", "1230" stays (format.js trimZeros)."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt(value, digits: int = 3) -> str:
    """A number as the page writes it (static/format.js ``fmt``): ``digits`` significant
    digits; "—" for anything that is not a finite number (NaN, ±inf, None, bools,
    strings); "0" for ±0; exponent form when the rounded magnitude is below 1e-3 or at
    least 1e4 ("1.2e-5", "4.5e4", "-4.57e-4"); fixed notation otherwise ("0.0625", "1230",
    "9.99"); trailing zeros dropped ("0.0100" → "0.01"). Rounding is JavaScript's: the
    exact binary value, ties away from zero (1.125 → "1.13", 2.675 → "2.67" because the
    double 2.675 is 2.67499999…)."""
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 100:
        raise ValueError(f"Invalid digits={digits!r:.80}: must be an integer in [1, 100]")
    if isinstance(value, bool) or not isinstance(value, Real):
        return MISSING
    try:
        value = float(value)
    except OverflowError:  # an int beyond the double range is ±Infinity in JavaScript
        return MISSING
    if not math.isfinite(value):
        return MISSING
    if value == 0:
        return "0"
    n, e = _significant(value, digits)
    sign = "-" if value < 0 else ""
    if e < -3 or e >= 4:  # the rounded magnitude n·10^(e−digits+1) < 1e-3 or ≥ 1e4
        text = str(n)
        mantissa = text[0] + ("." + text[1:] if digits > 1 else "")
        return f"{sign}{_trim_zeros(mantissa)}e{e}"
    decimals = max(0, digits - 1 - e)
    return sign + _trim_zeros(f"{Decimal(n).scaleb(e - digits + 1):.{decimals}f}")
