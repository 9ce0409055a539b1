"""Fixtures for the reports' tests: the office's time zone pinned, and a small
office whose every figure in March 2025 is worked out by hand below."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest

from app.models.claims import ClaimStatus
from app.models.ledger import AdjustmentType, EntryKind, Party, PaymentMethod
from app.models.payables import ExpenseCategory
from tests import factories
from tests.conftest import Office
from tests.unit.reports import builders as b


@pytest.fixture
def office_tz(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Claims are counted by the office's local day: pin it to Chicago."""
    monkeypatch.setenv("TZ", "America/Chicago")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@dataclass
class Small:
    office: Office
    provider_b: int
    prairie: int
    heartland: int
    x: int  # insured patient (Prairie), first seen February 2025
    y: int  # self-pay patient, first seen March 2024
    z: int  # new in March 2025, visit not coded yet


@pytest.fixture
def small(office: Office, office_tz: None) -> Small:
    """March 2025 (by hand):

    - charges 305.00: Y's 99203 140.00 (provider B), X's 99214 165.00 (A)
    - Prairie pays X's February lines 90.00 (80 + 10), contractual 23.00,
      17.00 moved to X; claim paid
    - Y pays 140.00 cash and 20.00 by card (an overpayment, refunded 03/28)
    - X pays 14.00 by check; 3.00 small-balance write-off on the 99213
    - X's 99214 claim is denied (a 0.00 payment), with a 4.00 OA adjustment
    - Z's visit is still open (counts as a visit and a new patient)
    - expenses: rent 2,000.00, supplies 120.00 (of 300.00; 180.00 paid 04/02)
    A/R: 130.00 at start (X's February charges), 161.00 at end.
    """
    st = office.store
    m = office.manager
    with st.unit_of_work() as s:
        prov_b = factories.provider(s, npi=factories.NPI_OTHER, last="Lindqvist").id
        prairie = factories.payer(s, "Prairie Health Plan")
        heartland = factories.payer(s, "Heartland Mutual", payer_code="HM01")
        x = factories.patient(s, "Xu", "Li")
        y = factories.patient(s, "Young", "Ada")
        z = factories.patient(s, "Zeller", "Max")
        pol = factories.policy(s, x, prairie)
        a = office.provider_id

        # March 2024: Y's first visit, paid at the desk.
        v0 = b.visit(
            s,
            m,
            patient_id=y.id,
            provider_id=prov_b,
            on=date(2024, 3, 14),
            lines=[("99212", "75.00")],
        )
        b.patient_payment_on_lines(
            s,
            m,
            patient_id=y.id,
            provider_id=prov_b,
            on=date(2024, 3, 14),
            method=PaymentMethod.CASH,
            lines=[(v0.line("99212"), "75.00")],
        )
        # February 2025: X's first visit, billed to Prairie.
        b.bill_paid(
            s,
            "Oak Property Management",
            ExpenseCategory.RENT,
            "2000.00",
            date(2025, 2, 1),
            [(date(2025, 2, 1), "2000.00")],
        )
        v1 = b.visit(
            s,
            m,
            patient_id=x.id,
            provider_id=a,
            on=date(2025, 2, 10),
            lines=[("99213", "115.00"), ("36415", "15.00")],
            policy_id=pol.id,
            payer_id=prairie.id,
            diagnoses=("E11.9", "I10"),
        )
        c1 = b.claim(
            s,
            v1,
            patient_id=x.id,
            policy_id=pol.id,
            payer_id=prairie.id,
            provider_id=a,
            on=date(2025, 2, 10),
        )

        # March 2025.
        b.bill_paid(
            s,
            "Oak Property Management",
            ExpenseCategory.RENT,
            "2000.00",
            date(2025, 3, 1),
            [(date(2025, 3, 1), "2000.00")],
        )
        b.bill_paid(
            s,
            "Midwest Medical Supply",
            ExpenseCategory.SUPPLIES,
            "300.00",
            date(2025, 3, 10),
            [(date(2025, 3, 15), "120.00"), (date(2025, 4, 2), "180.00")],
        )
        b.payer_payment(
            s,
            m,
            payer_id=prairie.id,
            policy_id=pol.id,
            patient_id=x.id,
            provider_id=a,
            on=date(2025, 3, 5),
            claim_id=c1.id,
            lines=[
                (v1.line("99213"), "80.00", "20.00", "15.00"),
                (v1.line("36415"), "10.00", "3.00", "2.00"),
            ],
        )
        b.claim_status(s, c1, ClaimStatus.PAID, date(2025, 3, 5))
        v2 = b.visit(
            s,
            m,
            patient_id=y.id,
            provider_id=prov_b,
            on=date(2025, 3, 12),
            lines=[("99203", "140.00")],
            diagnoses=("J06.9",),
        )
        b.patient_payment_on_lines(
            s,
            m,
            patient_id=y.id,
            provider_id=prov_b,
            on=date(2025, 3, 12),
            method=PaymentMethod.CASH,
            lines=[(v2.line("99203"), "140.00")],
        )
        from app.services import ledger

        ledger.record_patient_payment(
            s,
            m,
            patient_id=y.id,
            amount=b.D("20.00"),
            method=PaymentMethod.CARD,
            card_last4="4242",
            received=date(2025, 3, 12),
        )
        b.patient_payment_on_lines(
            s,
            m,
            patient_id=x.id,
            provider_id=a,
            on=date(2025, 3, 20),
            method=PaymentMethod.CHECK,
            reference="1001",
            lines=[(v1.line("99213"), "12.00"), (v1.line("36415"), "2.00")],
        )
        b.entry(
            s,
            m,
            kind=EntryKind.WRITE_OFF,
            amount="-3.00",
            patient_id=x.id,
            on=date(2025, 3, 20),
            service_line_id=v1.line("99213"),
            provider_id=a,
            adjustment_type=AdjustmentType.SMALL_BALANCE,
        )
        v3 = b.visit(
            s,
            m,
            patient_id=x.id,
            provider_id=a,
            on=date(2025, 3, 25),
            lines=[("99214", "165.00")],
            policy_id=pol.id,
            payer_id=prairie.id,
            diagnoses=("E11.9",),
        )
        c3 = b.claim(
            s,
            v3,
            patient_id=x.id,
            policy_id=pol.id,
            payer_id=prairie.id,
            provider_id=a,
            on=date(2025, 3, 25),
        )
        b.payer_payment(
            s,
            m,
            payer_id=prairie.id,
            policy_id=pol.id,
            patient_id=x.id,
            provider_id=a,
            on=date(2025, 3, 30),
            claim_id=c3.id,
            lines=[(v3.line("99214"), "0.00", "0.00", "0.00")],
        )
        b.claim_status(s, c3, ClaimStatus.DENIED, date(2025, 3, 30))
        b.entry(
            s,
            m,
            kind=EntryKind.ADJUSTMENT,
            amount="-4.00",
            patient_id=x.id,
            on=date(2025, 3, 30),
            party=Party.INSURANCE,
            policy_id=pol.id,
            payer_id=prairie.id,
            service_line_id=v3.line("99214"),
            provider_id=a,
            adjustment_type=AdjustmentType.OTHER,
            carc_group="OA",
            carc_code="23",
        )
        b.entry(
            s,
            m,
            kind=EntryKind.REFUND,
            amount="20.00",
            patient_id=y.id,
            on=date(2025, 3, 28),
            memo="card overpayment returned",
        )
        b.visit(
            s,
            m,
            patient_id=z.id,
            provider_id=a,
            on=date(2025, 3, 27),
            lines=[("99203", "140.00")],
            post_charges=False,
        )
        return Small(office, prov_b, prairie.id, heartland.id, x.id, y.id, z.id)
