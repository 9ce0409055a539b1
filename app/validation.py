"""Field checks shared by every form and service. Each returns a message or
None; ``Checker`` collects problems so a form can show all of them at once."""

from __future__ import annotations

import re
from datetime import date

from app.errors import Problem, raise_if

US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "AS",
        "GU",
        "MP",
        "PR",
        "VI",
        "FM",
        "MH",
        "PW",
        "AA",
        "AE",
        "AP",
    ]
)

_ZIP = re.compile(r"^\d{5}(-?\d{4})?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_TAXONOMY = re.compile(r"^[0-9A-Z]{9}X$")


def digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def npi_is_valid(npi: str) -> bool:
    """NPI check digit: Luhn over the 9 leading digits prefixed with 80840."""
    if not re.fullmatch(r"\d{10}", npi or ""):
        return False
    total = 0
    for i, ch in enumerate(reversed("80840" + npi[:9])):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    check = (10 - total % 10) % 10
    return check == int(npi[9])


def npi_problem(npi: str | None) -> str | None:
    if not npi:
        return "is required"
    if not re.fullmatch(r"\d{10}", npi):
        return "must be 10 digits"
    if not npi_is_valid(npi):
        return "fails the NPI check digit (Luhn with prefix 80840); re-check the number"
    return None


def ein_problem(ein: str | None) -> str | None:
    d = digits(ein)
    if not d:
        return "is required"
    if len(d) != 9:
        return "must be 9 digits (NN-NNNNNNN)"
    if d.startswith("00"):
        return "cannot start with 00"
    return None


def zip_problem(z: str | None) -> str | None:
    if not z:
        return "is required"
    if not _ZIP.match(z.strip()):
        return "must be 5 digits or ZIP+4 (12345 or 12345-6789)"
    return None


def state_problem(s: str | None) -> str | None:
    if not s:
        return "is required"
    if s.strip().upper() not in US_STATES:
        return f"'{s}' is not a US state or territory code"
    return None


def phone_problem(p: str | None, *, required: bool = False) -> str | None:
    if not p:
        return "is required" if required else None
    d = digits(p)
    if len(d) == 11 and d[0] == "1":
        d = d[1:]
    if len(d) != 10:
        return "must be a 10-digit phone number, e.g. (555) 123-4567"
    if d[0] in "01":
        return "area code cannot start with 0 or 1"
    return None


def email_problem(e: str | None) -> str | None:
    if not e:
        return None
    if not _EMAIL.match(e.strip()):
        return f"'{e}' is not an e-mail address"
    return None


def taxonomy_problem(t: str | None) -> str | None:
    if not t:
        return "is required"
    if not _TAXONOMY.match(t.strip().upper()):
        return "must be a 10-character taxonomy code ending in X, e.g. 207Q00000X"
    return None


def normalize_phone(p: str | None) -> str:
    """``(555) 123-4567`` -> ``5551234567``; empty stays empty."""
    d = digits(p)
    if len(d) == 11 and d[0] == "1":
        d = d[1:]
    return d


def format_phone(d: str | None) -> str:
    d = digits(d)
    if len(d) == 10:
        return f"({d[:3]}) {d[3:6]}-{d[6:]}"
    return d


class Checker:
    """Collects problems for one form: ``c.check("zip", zip_problem(z), "ZIP")``."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def check(self, field: str, problem: str | None, label: str) -> None:
        if problem:
            self.problems.append(Problem(field, f"{label} {problem}"))

    def require(self, field: str, value: object, label: str) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            self.problems.append(Problem(field, f"{label} is required"))

    def add(self, field: str, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(field, message, severity))

    def date_not_future(self, field: str, d: date | None, label: str, today: date) -> None:
        if d is not None and d > today:
            self.problems.append(Problem(field, f"{label} cannot be in the future"))

    def raise_if_any(self) -> None:
        raise_if(self.problems)
