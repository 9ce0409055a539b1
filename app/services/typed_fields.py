"""Fields as people type them into a form: dates, amounts, percentages.
Each helper adds a problem to the form's ``Checker`` (so a bad value is one
more problem in the same list) and returns the typed value or None."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.money import MoneyError, parse_money
from app.services.patients_search import parse_typed_date
from app.validation import Checker

DateText = date | str | None
MoneyText = Decimal | str | None


def date_field(
    c: Checker, name: str, value: DateText, label: str, *, past: bool = True
) -> date | None:
    """``past``: a two-digit year is never after this year (birth dates);
    False for dates that may lie ahead (visits, policy and coverage dates)."""
    if value is None or isinstance(value, date):
        return value
    try:
        return parse_typed_date(value, past=past)
    except ValueError:
        c.add(name, f"{label}: '{value.strip()}' is not a date (type MM/DD/YYYY)")
        return None


def money_field(c: Checker, name: str, value: MoneyText, label: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = value if isinstance(value, Decimal) else parse_money(value)
    except MoneyError:
        c.add(name, f"{label}: '{str(value).strip()}' is not an amount")
        return None
    if amount < 0:
        c.add(name, f"{label} cannot be negative")
        return None
    return amount


def percent_field(c: Checker, name: str, value: int | str | None, label: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        pct = int(str(value).strip().rstrip("%").strip())
    except ValueError:
        c.add(name, f"{label} must be a whole number from 0 to 100")
        return None
    if not 0 <= pct <= 100:
        c.add(name, f"{label} must be a whole number from 0 to 100")
        return None
    return pct
