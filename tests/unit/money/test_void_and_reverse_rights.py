"""Who may undo money: desk money by whoever took it the same day, anything
else by the office manager; undoing a write-off or a refund needs the right
to make one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.errors import PermissionDenied
from app.models.ledger import AdjustmentType, LedgerEntry, PaymentMethod, PaymentSource
from app.services import ledger, payments
from tests import factories
from tests import factories_money as fm

TODAY = date.today()


def _desk_payment(office, actor) -> int:
    with office.store.unit_of_work() as s:
        pid = factories.patient(s).id
        return ledger.record_patient_payment(
            s,
            actor,
            patient_id=pid,
            amount=Decimal("40.00"),
            method=PaymentMethod.CASH,
            received=TODAY,
        ).id


def _entries(office) -> int:
    with office.store.session() as s:
        return int(s.execute(select(func.count()).select_from(LedgerEntry)).scalar_one())


def test_the_receptionist_voids_her_own_payment_the_same_day(office) -> None:
    pay = _desk_payment(office, office.receptionist)
    with office.store.unit_of_work() as s:
        payments.void_payment(s, office.receptionist, pay, on=TODAY, reason="keyed twice")
    with office.store.session() as s:
        entries = list(
            s.execute(select(LedgerEntry).where(LedgerEntry.payment_id == pay)).scalars()
        )
        assert sorted(e.amount for e in entries) == [Decimal("-40.00"), Decimal("40.00")]
        assert ledger.patient_balance(s, entries[0].patient_id) == Decimal("0.00")


def test_someone_elses_desk_payment_is_voided_only_by_the_manager(office) -> None:
    pay = _desk_payment(office, office.receptionist)
    before = _entries(office)
    for actor in (office.biller,):
        with pytest.raises(PermissionDenied), office.store.unit_of_work() as s:
            payments.void_payment(s, actor, pay, on=TODAY, reason="keyed twice")
    assert _entries(office) == before
    other_desk = _desk_payment(office, office.biller)
    with pytest.raises(PermissionDenied), office.store.unit_of_work() as s:
        payments.void_payment(s, office.receptionist, other_desk, on=TODAY, reason="x")
    with office.store.unit_of_work() as s:
        payments.void_payment(s, office.manager, pay, on=TODAY, reason="keyed twice")
    assert _entries(office) == before + 2


def test_a_biller_cannot_undo_the_managers_write_off(office) -> None:
    with office.store.unit_of_work() as s:
        pat = factories.patient(s)
        fm.visit(s, pat, office.provider_id, TODAY, [("99213", "115.00")])
        wo = ledger.write_off(
            s, office.manager, pat.id, Decimal("15.00"), AdjustmentType.COURTESY, on=TODAY
        )[0].txn
        ledger.record_patient_payment(
            s,
            office.manager,
            patient_id=pat.id,
            amount=Decimal("20.00"),
            method=PaymentMethod.CASH,
            received=TODAY,
        )
        rf = ledger.refund(
            s,
            office.manager,
            pat.id,
            Decimal("20.00"),
            to=PaymentSource.PATIENT,
            method=PaymentMethod.CHECK,
            reference="1001",
            on=TODAY,
            reason="paid twice",
        ).txn
        pid = pat.id
    with pytest.raises(PermissionDenied), office.store.unit_of_work() as s:
        ledger.reverse_txn(s, office.biller, wo, on=TODAY, memo="undo")
    with office.store.session() as s:
        assert ledger.patient_balance(s, pid) == Decimal("100.00")
    # Billers may refund, so they may also take back a refund never sent.
    with office.store.unit_of_work() as s:
        ledger.reverse_txn(s, office.biller, rf, on=TODAY, memo="check never sent")
    with office.store.session() as s:
        assert ledger.patient_balance(s, pid) == Decimal("80.00")
    with office.store.unit_of_work() as s:
        ledger.reverse_txn(s, office.manager, wo, on=TODAY, memo="written off wrongly")
    with office.store.session() as s:
        # 115.00 owed again, less the 20.00 credit back on the account.
        assert ledger.patient_balance(s, pid) == Decimal("95.00")
