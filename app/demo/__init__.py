"""A synthetic office for the demo and the benchmarks, made from a fixed seed.

Everything is invented: names come from short public lists of common given
and family names, addresses from invented street names, and no row describes
a real person. ``build_office`` runs the steps below in order; each step
module has ``populate(s, rng, size)`` and fills its part of the office on top
of what the earlier steps made.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

STEPS = (
    "app.demo.office",  # practice, providers, staff, payers, patients, policies, verifications
    "app.demo.history",  # fee schedule, visits, claims, payments, adjustments, transfers, schedule
    "app.demo.payables",  # vendors and bills (accounts payable)
)

DEMO_PASSWORD = "demo-password"


@dataclass(frozen=True)
class OfficeSize:
    """How big a synthetic office to make."""

    patients: int = 300
    years: int = 1  # of visit history, ending today (or ``end``)
    visits_per_year: int = 7500
    seed: int = 20261127
    # The day the history ends ("today" of the synthetic office). None is the
    # real today; a fixed date makes the visit history reproducible.
    end: date | None = None

    @property
    def today(self) -> date:
        return self.end or date.today()


def build_office(s: Session, size: OfficeSize = OfficeSize()) -> None:
    """Fill an empty, migrated store with a synthetic office (no audit rows
    except the set-up; data is written in bulk, not through the services)."""
    rng = random.Random(size.seed)
    for name in STEPS:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # that part of the office is not built by this version
            raise
        mod.populate(s, rng, size)
