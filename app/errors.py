"""Errors a person is meant to read.

``UserFacingError`` and its subclasses carry a message that the UI shows
verbatim. Anything else that escapes a service is a bug: the UI logs it and
shows a crash dialog without patient data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class UserFacingError(Exception):
    """A known condition with a message written for the person at the desk."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with input: the field it belongs to and what to do."""

    field: str
    message: str
    severity: str = "error"  # "error" blocks saving; "warning" does not

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationError(UserFacingError):
    """Input that cannot be saved; carries every problem found, not the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = [p for p in problems if p.severity == "error"]
        lines = "\n".join(f"- {p.message}" for p in self.problems)
        super().__init__(f"Please correct the following:\n{lines}")

    def fields(self) -> set[str]:
        return {p.field for p in self.problems}


class PermissionDenied(UserFacingError):
    """The acting user's role may not do this."""


class NotFound(UserFacingError):
    """A record the person asked for does not exist (or no longer does)."""


class StoreError(UserFacingError):
    """The encrypted store cannot be opened or used; the message says what to do."""


def raise_if(problems: list[Problem]) -> None:
    """Raise ``ValidationError`` when any problem is an error."""
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems)
