"""Exact price arithmetic shared by every collector.

Upstreams publish prices per token (`3e-06`, `"0.000003"`); the catalog stores USD per
million tokens as exact decimals. Conversion is done on the decimal digits, never through
binary floating point, so `3e-06` becomes `Decimal('3')` and not `2.9999999999999996`.

A value that cannot be a price raises `InvalidPrice` (a `ValueError`, so pydantic turns
it into a validation error of the row that carries it); `None` means "not published" and
passes through as `None`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import overload

from llm_intelligence.collectors.limits import MAX_EXPONENT, MAX_NUMBER_LENGTH, Refused, echo

__all__ = ["InvalidPrice", "decimal_text", "exact_decimal", "per_million"]

_MILLION_EXPONENT = 6
# Integers as large as the largest exponent allowed (10**99 needs 329 bits).
_MAX_INT_BITS = 340


class InvalidPrice(ValueError):
    """A value that is not a usable price; the message is the reason, for RejectedRow."""


def _strip_trailing_zeros(value: Decimal) -> Decimal:
    """`3.000000` -> `3`, `1.50` -> `1.5`, `10` stays `10` (not `1E+1`); exact."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite: checked by the caller
    if digits[-1] != 0:
        if exponent > 0:
            return Decimal((sign, digits + (0,) * exponent, 0))
        return value
    if not any(digits):
        return Decimal(0)
    if exponent >= 0:
        return Decimal((sign, digits + (0,) * exponent, 0)) if exponent else value
    coefficient = list(digits)
    while exponent < 0 and coefficient[-1] == 0:
        coefficient.pop()
        exponent += 1
    return Decimal((sign, tuple(coefficient), exponent))


@overload
def exact_decimal(value: None) -> None: ...
@overload
def exact_decimal(value: Decimal | int | float | str) -> Decimal: ...
@overload
def exact_decimal(value: object) -> Decimal | None: ...
def exact_decimal(value: object) -> Decimal | None:
    """`value` as an exact, finite, non-negative Decimal with trailing zeros stripped.

    For prices that are not per token (per image, per request, per second): the unit
    stays the upstream's. `None` (not published) stays `None`.

    Accepts Decimal, int and numeric strings (OpenRouter sends strings). A float is
    taken through its shortest repr, which is the literal the JSON contained. Rejects
    bools, other types, NaN, infinities, negatives and OpenRouter's "-1" sentinel.
    """
    if value is None:
        return None
    if type(value) in _CACHEABLE and not _is_snan(value):
        # Catalogs repeat a few hundred distinct prices thousands of times.
        return _exact_decimal_cached(value)
    return _exact_decimal(value)


# Hashable inputs whose equal values give equal results (Decimal('3.0') and Decimal('3')
# both normalise to Decimal('3')); typed=True keeps 1 and 1.0 and True apart.
_CACHEABLE = frozenset({Decimal, str, float, int})


def _is_snan(value: object) -> bool:
    # The one Decimal that cannot be hashed; it is rejected uncached.
    return type(value) is Decimal and value.is_snan()


def _exact_decimal(value: object) -> Decimal:
    if type(value) is Decimal:  # the common case (JSON parsed with parse_float=Decimal)
        number = value
    elif isinstance(value, Refused):  # a number the JSON decoder would not build
        raise InvalidPrice(value.reason)
    elif isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise InvalidPrice(f"not a number: {echo(value)} ({type(value).__name__})")
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str) and len(value) > MAX_NUMBER_LENGTH:
        raise InvalidPrice(f"not a number: a text of {len(value):,} characters")
    elif isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        # Before str(): Python refuses to write out ints of more than 4,300 digits.
        raise InvalidPrice(f"an integer of {value.bit_length():,} bits is not a price")
    else:
        try:
            number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        except InvalidOperation as e:
            raise InvalidPrice(f"not a number: {echo(value)}") from e
    if not number.is_finite():
        raise InvalidPrice(f"not a finite number: {echo(value)}")
    if number and not -MAX_EXPONENT <= number.adjusted() <= MAX_EXPONENT:
        # Checked before any digit is written out: `1e999999999` would take gigabytes.
        raise InvalidPrice(f"{echo(value)} has an exponent beyond ±{MAX_EXPONENT}")
    if number == -1:
        # OpenRouter publishes "-1" for routers and variable-price models: the price is
        # decided per request, so there is no list price to store.
        raise InvalidPrice(f"price {echo(value)} is the '-1' sentinel for a dynamic/unknown price")
    if number < 0:
        raise InvalidPrice(f"negative price: {echo(value)}")
    return _strip_trailing_zeros(number)


_exact_decimal_cached = lru_cache(maxsize=8192, typed=True)(_exact_decimal)


@overload
def per_million(value: None) -> None: ...
@overload
def per_million(value: Decimal | int | float | str) -> Decimal: ...
@overload
def per_million(value: object) -> Decimal | None: ...
def per_million(value: object) -> Decimal | None:
    """A per-token price as USD per million tokens, exactly; `None` stays `None`.

    >>> per_million("3e-06"), per_million(Decimal("1.5E-7")), per_million(None)
    (Decimal('3'), Decimal('0.15'), None)
    """
    if value is None:
        return None
    if type(value) in _CACHEABLE and not _is_snan(value):
        return _per_million_cached(value)
    return _per_million(value)


def _per_million(value: object) -> Decimal:
    number = _exact_decimal(value)
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    if not any(digits):
        return Decimal(0)
    # Shifting the exponent is exact whatever the number of digits (multiplication would
    # round to the context precision). `number` has no trailing zeros after the point.
    exponent += _MILLION_EXPONENT
    if exponent > 0:
        return Decimal((sign, digits + (0,) * exponent, 0))
    return Decimal((sign, digits, exponent))


_per_million_cached = lru_cache(maxsize=8192, typed=True)(_per_million)


def decimal_text(value: Decimal) -> str:
    """Plain positional notation for JSON metadata: `Decimal('1.5E-7')` -> `'0.00000015'`.

    A value with an exponent beyond ±MAX_EXPONENT raises InvalidPrice instead of writing
    out its digits (`1E+999999999` would take a gigabyte)."""
    if value.is_finite() and value and not -MAX_EXPONENT <= value.adjusted() <= MAX_EXPONENT:
        raise InvalidPrice(f"{echo(value)} has an exponent beyond ±{MAX_EXPONENT}")
    return format(value, "f")
