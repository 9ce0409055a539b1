"""Fixtures shared by the coding tests (unit and UI).

The ICD-10-CM index is reference data with no patient data; building it
takes seconds, so one build is shared by every test (and by later runs: it
lives in the temp folder and is rebuilt when the package changes).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.codes.icd10 import SCHEMA, Icd10Index, index_for
from app.models.coding import FeeItem
from app.money import money


def _shared_dir() -> Path:
    d = os.environ.get("MEDBILL_TEST_REFERENCE_DIR")
    uid = os.getuid() if hasattr(os, "getuid") else 0
    # The same folder as tests/conftest.py gives the program: one per index layout.
    return Path(d) if d else Path(tempfile.gettempdir()) / f"medbill-test-reference-{uid}-s{SCHEMA}"


@pytest.fixture(scope="session")
def icd_dir() -> Path:
    d = _shared_dir()
    d.mkdir(parents=True, exist_ok=True)
    Icd10Index(d).ensure()
    return d


@pytest.fixture(autouse=True)
def reference_env(icd_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MEDBILL_REFERENCE_DIR", str(icd_dir))
    yield


@pytest.fixture
def icd(icd_dir: Path) -> Icd10Index:
    return index_for()


FEES = {
    "99213": ("Office visit, established patient, low complexity", "115.00"),
    "99214": ("Office visit, established patient, moderate complexity", "165.00"),
    "36415": ("Drawing blood from a vein", "15.00"),
    "85025": ("Complete blood count with differential", "28.00"),
    "90471": ("Giving one vaccine by injection", "25.00"),
    "90686": ("Flu vaccine, four strains", "40.00"),
    "J1100": ("Dexamethasone, per 1 mg", "4.00"),
    "20610": ("Injecting a large joint", "110.00"),
}


def add_fees(s, fees: dict[str, tuple[str, str]] = FEES) -> None:  # type: ignore[no-untyped-def]
    for code, (desc, price) in fees.items():
        s.add(FeeItem(code=code, description=desc, price=money(price), active=True))
    s.flush()


DOS = date(2026, 3, 10)
TODAY = date(2026, 3, 20)
