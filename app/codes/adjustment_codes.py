"""The adjustment reason codes (CARC) and remark codes (RARC) an office meets
on EOBs, with a short description of each, from the bundled
``resources/adjustment_codes.csv``.

The list is a subset written in our own words; the full, current lists are
the X12 external code lists (Claim Adjustment Reason Codes, code list 139, and
Remittance Advice Remark Codes, code list 411) published at x12.org. A code
not in the bundled list is therefore not refused, only named (see
``posting.line_warnings``).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

CODES_FILE = Path(__file__).resolve().parents[2] / "resources" / "adjustment_codes.csv"


@cache
def _codes() -> dict[tuple[str, str], str]:
    with CODES_FILE.open(newline="", encoding="utf-8") as f:
        return {
            (row["kind"].strip().upper(), row["code"].strip().upper()): row["description"].strip()
            for row in csv.DictReader(f)
        }


def carc(code: str) -> str | None:
    """The description of a claim adjustment reason code (``45``, ``CO-45``)."""
    code = code.strip().upper()
    if "-" in code:
        code = code.partition("-")[2].strip()
    return _codes().get(("CARC", code))


def rarc(code: str) -> str | None:
    """The description of a remittance advice remark code (``N130``)."""
    return _codes().get(("RARC", code.strip().upper()))


def count(kind: str) -> int:
    return sum(1 for k, _ in _codes() if k == kind)
