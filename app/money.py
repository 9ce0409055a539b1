"""Exact money: ``Decimal`` in Python, integer cents in the store.

Every amount the program handles is made here, from text, an int or a
Decimal; a float is refused so that a binary fraction never reaches a ledger.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

CENT: Final = Decimal("0.01")
ZERO: Final = Decimal("0.00")


class MoneyError(ValueError):
    """Text or a number that is not an amount of money."""


def money(value: str | int | Decimal) -> Decimal:
    """Return ``value`` as a Decimal with exactly two places.

    Refuses floats and values with more than two decimal places (a sub-cent
    amount is a typing mistake, not something to round silently).
    """
    if isinstance(value, (bool, float)):
        raise TypeError("money is never made from a float")
    if isinstance(value, int):
        return Decimal(value).quantize(CENT)
    if isinstance(value, str):
        return parse_money(value)
    if not value.is_finite():
        raise MoneyError("not a finite amount")
    q = value.quantize(CENT)
    if q != value:
        raise MoneyError(f"{value} has more than two decimal places")
    return q


def parse_money(text: str) -> Decimal:
    """Parse what a person typed: ``1234.5``, ``$1,234.50``, ``(12.00)``, ``-3``."""
    t = text.strip().replace(",", "").replace("$", "").replace(" ", "")
    negative = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1]
    if t.startswith("-"):
        negative, t = not negative, t[1:]
    if not t:
        raise MoneyError("no amount given")
    try:
        d = Decimal(t)
    except InvalidOperation:
        raise MoneyError(f"'{text.strip()}' is not an amount") from None
    if not d.is_finite():
        raise MoneyError(f"'{text.strip()}' is not an amount")
    if d.as_tuple().exponent < -2:  # type: ignore[operator]
        raise MoneyError(f"'{text.strip()}' has more than two decimal places")
    d = d.quantize(CENT)
    return -d if negative else d


def to_cents(value: Decimal) -> int:
    """Decimal dollars to integer cents (exact; refuses sub-cent values)."""
    q = money(value)
    return int(q * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def round_money(value: Decimal) -> Decimal:
    """Round a computed value (e.g. a percentage of an amount) half-up to cents."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | None, *, symbol: bool = False) -> str:
    """``1234.5`` -> ``1,234.50`` (negative as ``-1,234.50``); None -> ''."""
    if value is None:
        return ""
    s = f"{value.quantize(CENT):,.2f}"
    if symbol:
        return f"-${s[1:]}" if s.startswith("-") else f"${s}"
    return s


def sum_money(value: object) -> Decimal:
    """A SUM over a money column as Decimal: the ORM type gives Decimal, a
    bare SQL sum gives integer cents, an empty sum gives None."""
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, int):
        return from_cents(value)
    raise TypeError(f"unexpected money sum {type(value).__name__}")
