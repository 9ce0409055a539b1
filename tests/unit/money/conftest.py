"""A small insured office for the money tests: a patient with a primary and a
secondary policy, and a self-pay patient."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tests import factories

DOS = date(2026, 3, 2)


@dataclass
class MoneyOffice:
    patient_id: int
    primary_id: int
    secondary_id: int
    payer1: int
    payer2: int
    selfpay_id: int


@pytest.fixture
def m(office) -> MoneyOffice:
    with office.store.unit_of_work() as s:
        pat = factories.patient(s, "Rivera", "Ana")
        p1 = factories.payer(s, "Prairie Health Plan")
        p2 = factories.payer(s, "Lakeshore Medigap", payer_code="LMG02")
        pol1 = factories.policy(s, pat, p1, 1)
        pol2 = factories.policy(s, pat, p2, 2, copay=None)
        sp = factories.patient(s, "Nguyen", "Bao")
        return MoneyOffice(pat.id, pol1.id, pol2.id, p1.id, p2.id, sp.id)
