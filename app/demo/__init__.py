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
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from app.config import Paths
    from app.store.engine import Store

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


def build_demo_store(paths: Paths, size: int = 300) -> bytes:
    """Create the demo office's encrypted store at ``paths.store`` with a fresh
    random key that is never written anywhere, fill it, close it, and return
    the key. Safe to run in a worker thread (the connection is closed in it)."""
    from app.store.engine import open_store
    from app.store.keys import new_key

    key = new_key()
    store = open_store(paths.store, key, create=True, backup_dir=paths.backups)
    try:
        with store.unit_of_work() as s:
            build_office(s, OfficeSize(patients=size))
    finally:
        store.close()
    return key


def open_demo_store(paths: Paths, size: int = 300) -> Store:
    """A throwaway demo store (``OfficeSize(patients=size)``), open, its key
    kept in memory only. The caller removes ``paths.data_dir`` at the end."""
    from app.store.engine import open_store

    return open_store(paths.store, build_demo_store(paths, size), backup_dir=paths.backups)
