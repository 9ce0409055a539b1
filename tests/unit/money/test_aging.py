"""Aging by payer and by patient: a fixed synthetic office against a checked-in
CSV, and totals that equal the ledger to the cent."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.demo import OfficeSize, build_office
from app.models.insurance import Payer
from app.models.ledger import Party
from app.models.patient import Patient
from app.models.staff import Role, User
from app.money import ZERO
from app.services import aging, ledger
from app.services.auth import actor_for
from tests import factories_money as fm
from tests.golden_files import check_golden


def test_fixed_office_aging_matches_the_golden_csv(office) -> None:
    made = fm.fixed_office(office.store, office)
    assert made["visits"] > 80 and made["eobs"] > 40 and made["patient_payments"] > 3
    with office.store.unit_of_work() as s:
        rep = aging.aging(s, office.biller, fm.FIXED_AS_OF)
        check_golden("money/aging.csv", aging.aging_csv(rep))
        assert rep.total.total == aging.ledger_total(s, fm.FIXED_AS_OF)
        # Each row is that payer's / patient's ledger balance.
        for row in rep.payers:
            assert row.total == ledger.payer_balance(s, row.key)
        for row in rep.patients:
            assert row.total == ledger.patient_balance(s, row.key, Party.PATIENT)
        assert {r.name for r in rep.payers} <= set(s.execute(select(Payer.name)).scalars())
        # Every bucket is in use in seven months of history.
        assert all(v != ZERO for v in rep.total.buckets)
        # As of an earlier day, later entries are left out and it still balances.
        early = aging.aging(s, office.biller, date(2026, 3, 31))
        assert early.total.total == aging.ledger_total(s, date(2026, 3, 31))
        assert early.total.total != rep.total.total


def test_demo_office_aging_equals_the_ledger(store) -> None:
    with store.unit_of_work() as s:
        build_office(s, OfficeSize(patients=60, years=1))
    with store.unit_of_work() as s:
        biller = actor_for(
            s.execute(select(User).where(User.role == Role.BILLER)).scalars().first()
        )
        today = date.today()
        for basis in aging.Basis:
            rep = aging.aging(s, biller, today, basis)
            assert rep.total.total == aging.ledger_total(s, today)
            assert rep.payer_total.total + rep.patient_total.total == rep.total.total
        assert len(rep.patients) > 5
        n_patients = s.execute(select(Patient.id)).scalars().all()
        assert len(rep.patients) <= len(n_patients)


def test_aging_buckets_by_days() -> None:
    assert [aging.bucket_of(d) for d in (0, 30, 31, 60, 61, 90, 91, 120, 121, 4000)] == [
        0,
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]


def test_aging_from_the_last_bill_date(office) -> None:
    """A visit of 100 days ago whose claim was printed again 10 days ago is
    current from the bill date; the patient's part ages from the statement."""
    from datetime import timedelta

    from app.models.base import utcnow
    from app.models.claims import ClaimEvent, ClaimStatus
    from app.models.ledger import PaymentMethod, PaymentSource  # noqa: F401
    from app.models.statements import Statement, StatementRun
    from app.money import money
    from tests import factories

    as_of = date(2026, 6, 30)
    with office.store.unit_of_work() as s:
        payer = factories.payer(s, "Prairie Health Plan")
        pat = factories.patient(s, "Billed", "Again")
        pol = factories.policy(s, pat, payer)
        v = fm.visit(
            s, pat, office.provider_id, as_of - timedelta(days=100), [("99213", "115.00")], pol
        )
        c = fm.claim(s, v, pol)
        s.add(
            ClaimEvent(
                claim_id=c.id,
                status=ClaimStatus.PRINTED,
                note="rebilled",
                at=utcnow().replace(year=2026, month=6, day=20),
            )
        )
        own = factories.patient(s, "Self", "Pay")
        fm.visit(s, own, office.provider_id, as_of - timedelta(days=70), [("36415", "15.00")])
        run = StatementRun(run_date=as_of - timedelta(days=5), count=1, total=money("15.00"))
        s.add(run)
        s.flush()
        s.add(
            Statement(
                run_id=run.id,
                guarantor_id=own.id,
                statement_date=as_of - timedelta(days=5),
                balance=money("15.00"),
                notice_no=1,
            )
        )
        s.flush()
        by_dos = aging.aging(s, office.biller, as_of)
        billed = aging.aging(s, office.biller, as_of, aging.Basis.BILLED)
        assert by_dos.payers[0].buckets[3] == money("115.00")  # 91-120 from the visit
        assert billed.payers[0].buckets[0] == money("115.00")  # current from the rebill
        assert by_dos.patients[0].buckets[2] == money("15.00")  # 61-90 from the visit
        assert billed.patients[0].buckets[0] == money("15.00")  # current from the statement
        assert billed.total.total == by_dos.total.total == aging.ledger_total(s, as_of)


def test_collections_csv_amounts_are_plain_numbers() -> None:
    """A collections agency's spreadsheet reads 1234.50 as a number in any
    locale; "1,234.50" is text outside the US one."""
    row = aging.CollectionRow(
        7,
        "Dorsey, Paul",
        "A20417",
        "2175550100",
        Decimal("1234.50"),
        Decimal("1000.00"),
        3,
        date(2026, 5, 1),
        None,
    )
    lines = list(csv.reader(io.StringIO(aging.collections_csv([row]))))
    assert lines[1] == [
        "A20417",
        "Dorsey, Paul",
        "(217) 555-0100",
        "1234.50",
        "1000.00",
        "3",
        "2026-05-01",
        "",
    ]
