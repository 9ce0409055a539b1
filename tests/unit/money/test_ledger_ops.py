"""Applying credits, transfers, write-offs, refunds, reversals and voids."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.errors import PermissionDenied, ValidationError
from app.models.ledger import (
    AdjustmentType,
    EntryKind,
    LedgerEntry,
    MonthCloseEvent,
    Party,
    PaymentMethod,
    PaymentSource,
)
from app.models.patient import Patient
from app.money import money
from app.services import ledger, payments
from tests import factories_money as fm

ON = date(2026, 4, 6)


def _selfpay_visit(s, office, m, lines=(("99213", "115.00"), ("36415", "15.00"))):
    pat = s.get(Patient, m.selfpay_id)
    return fm.visit(s, pat, office.provider_id, date(2026, 3, 2), list(lines))


def test_desk_payment_applies_oldest_first_and_asks_about_the_rest(office, m) -> None:
    with office.store.unit_of_work() as s:
        old = _selfpay_visit(s, office, m)
        pat = s.get(Patient, m.selfpay_id)
        new = fm.visit(s, pat, office.provider_id, date(2026, 3, 20), [("99214", "165.00")])
        with pytest.raises(ValidationError) as exc:
            payments.take_patient_payment(
                s,
                office.receptionist,
                patient_id=m.selfpay_id,
                amount=money("400.00"),
                method=PaymentMethod.CASH,
                received=ON,
            )
        assert exc.value.problems[0].field == "amount"
        assert "105.00 of the 400.00 is not applied" in exc.value.problems[0].message
    with office.store.unit_of_work() as s:
        res = payments.take_patient_payment(
            s,
            office.receptionist,
            patient_id=m.selfpay_id,
            amount=money("200.00"),
            method=PaymentMethod.CHECK,
            reference="1042",
            received=ON,
        )
        assert (res.applied, res.credit) == (money("200.00"), money("0.00"))
        assert ledger.line_balance(s, old.line_ids[0]) == money("0.00")
        assert ledger.line_balance(s, old.line_ids[1]) == money("0.00")
        assert ledger.line_balance(s, new.line_ids[0]) == money("95.00")
        acct = payments.account(s, office.biller, m.selfpay_id)
        assert [(ln.code, ln.owed) for ln in acct.lines] == [("99214", money("95.00"))]


def test_picked_lines_and_explicit_credit(office, m) -> None:
    with office.store.unit_of_work() as s:
        v = _selfpay_visit(s, office, m)
        res = payments.take_patient_payment(
            s,
            office.receptionist,
            patient_id=m.selfpay_id,
            amount=money("50.00"),
            method=PaymentMethod.CARD,
            card_last4="4242",
            received=ON,
            lines=[ledger.Allocation(v.line_ids[1], money("15.00"))],
            leave_credit=True,
        )
        assert (res.applied, res.credit) == (money("15.00"), money("35.00"))
        assert ledger.line_balance(s, v.line_ids[0]) == money("115.00")
        assert ledger.patient_balance(s, m.selfpay_id) == money("80.00")
        acct = payments.account(s, office.biller, m.selfpay_id)
        assert (acct.owed, acct.credit, acct.due) == (
            money("115.00"),
            money("35.00"),
            money("80.00"),
        )
        assert payments.apply_account_credit(s, office.biller, m.selfpay_id, on=ON) == money(
            "35.00"
        )
        assert ledger.line_balance(s, v.line_ids[0]) == money("80.00")
        assert ledger.credits(s, [m.selfpay_id]) == []


def test_reversing_a_paid_charge_moves_the_payment_to_credit(office, m) -> None:
    with office.store.unit_of_work() as s:
        v = _selfpay_visit(s, office, m, [("99213", "115.00")])
        payments.take_patient_payment(
            s,
            office.receptionist,
            patient_id=m.selfpay_id,
            amount=money("115.00"),
            method=PaymentMethod.CASH,
            received=ON,
        )
        from sqlalchemy import select

        from app.models.ledger import EntryKind, LedgerEntry

        charge = s.execute(
            select(LedgerEntry).where(
                LedgerEntry.service_line_id == v.line_ids[0],
                LedgerEntry.kind == EntryKind.CHARGE,
            )
        ).scalar_one()
        ledger.reverse_txn(s, office.biller, charge.txn, on=ON, memo="visit billed in error")
        assert ledger.line_balance(s, v.line_ids[0]) == money("0.00")
        assert ledger.portions(s, v.line_ids) == {v.line_ids[0]: {}}
        cr = ledger.credits(s, [m.selfpay_id], Party.PATIENT)
        assert [c.amount for c in cr] == [money("115.00")]
        r = ledger.refund(
            s,
            office.biller,
            m.selfpay_id,
            money("115.00"),
            to=PaymentSource.PATIENT,
            method=PaymentMethod.CHECK,
            reference="2001",
            on=ON,
            reason="billed in error",
        )
        assert r.amount == money("115.00") and r.reference == "2001"
        assert ledger.patient_balance(s, m.selfpay_id) == money("0.00")


def test_a_bounced_check_is_owed_again(office, m) -> None:
    with office.store.unit_of_work() as s:
        v = _selfpay_visit(s, office, m, [("99213", "115.00")])
        res = payments.take_patient_payment(
            s,
            office.receptionist,
            patient_id=m.selfpay_id,
            amount=money("115.00"),
            method=PaymentMethod.CHECK,
            reference="77",
            received=ON,
        )
        payments.void_payment(s, office.biller, res.payment_id, on=ON, reason="returned NSF")
        assert ledger.line_balance(s, v.line_ids[0]) == money("115.00")
        assert ledger.credits(s, [m.selfpay_id]) == []
        with pytest.raises(Exception, match="nothing left to void"):
            payments.void_payment(s, office.biller, res.payment_id, on=ON, reason="again")


def test_write_off_is_the_managers_and_stays_within_the_balance(office, m) -> None:
    with office.store.unit_of_work() as s:
        v = _selfpay_visit(s, office, m)
        with pytest.raises(PermissionDenied):
            ledger.write_off(
                s, office.biller, m.selfpay_id, money("5.00"), AdjustmentType.SMALL_BALANCE, on=ON
            )
        with pytest.raises(ValidationError) as exc:
            ledger.write_off(
                s, office.manager, m.selfpay_id, money("500.00"), AdjustmentType.BAD_DEBT, on=ON
            )
        assert {p.field for p in exc.value.problems} == {"amount", "memo"}
        ledger.write_off(
            s,
            office.manager,
            m.selfpay_id,
            money("120.00"),
            AdjustmentType.COURTESY,
            on=ON,
            memo="hardship",
        )
        assert ledger.line_balance(s, v.line_ids[0]) == money("0.00")
        assert ledger.line_balance(s, v.line_ids[1]) == money("10.00")


def test_transfer_refuses_more_than_the_party_holds(office, m) -> None:
    with office.store.unit_of_work() as s:
        v = _selfpay_visit(s, office, m, [("99213", "115.00")])
        r2 = ledger.Resp(Party.INSURANCE, m.secondary_id, m.payer2)
        with pytest.raises(ValidationError, match=r"Only 115\.00"):
            ledger.transfer(
                s,
                office.biller,
                [ledger.Move(v.line_ids[0], ledger.PATIENT, r2, money("120.00"))],
                on=ON,
            )
        ledger.transfer(
            s,
            office.biller,
            [ledger.Move(v.line_ids[0], ledger.PATIENT, r2, money("100.00"))],
            on=ON,
        )
        assert ledger.portions(s, v.line_ids)[v.line_ids[0]] == {
            ledger.PATIENT: money("15.00"),
            r2: money("100.00"),
        }
        assert ledger.payer_balance(s, m.payer2) == money("100.00")


def test_a_closed_month_takes_no_payment(office, m) -> None:
    with office.store.unit_of_work() as s:
        _selfpay_visit(s, office, m)
        s.add(MonthCloseEvent(month="2026-04", action="close", user_id=office.manager.user_id))
    with (
        office.store.unit_of_work() as s,
        pytest.raises(ledger.ClosedMonthError, match="April 2026 is closed"),
    ):
        payments.take_patient_payment(
            s,
            office.receptionist,
            patient_id=m.selfpay_id,
            amount=money("10.00"),
            method=PaymentMethod.CASH,
            received=ON,
        )


def _insured_visit(s, office, m, lines=(("99213", "115.00"), ("36415", "15.00"))):
    from app.models.insurance import Policy

    pat = s.get(Patient, m.patient_id)
    return fm.visit(
        s, pat, office.provider_id, date(2026, 3, 2), list(lines), s.get(Policy, m.primary_id)
    )


def test_a_payers_balance_is_written_off_by_the_manager(office, m) -> None:
    r1 = ledger.Resp(Party.INSURANCE, m.primary_id, m.payer1)
    with office.store.unit_of_work() as s:
        v = _insured_visit(s, office, m)
        with pytest.raises(ValidationError, match=r"Prairie Health Plan owes 130\.00"):
            ledger.write_off(
                s,
                office.manager,
                m.patient_id,
                money("131.00"),
                AdjustmentType.SMALL_BALANCE,
                on=ON,
                party=r1,
            )
        with pytest.raises(ValidationError, match=r"The patient owes 0\.00"):
            ledger.write_off(
                s, office.manager, m.patient_id, money("1.00"), AdjustmentType.COURTESY, on=ON
            )
        posted = ledger.write_off(
            s,
            office.manager,
            m.patient_id,
            money("120.00"),
            AdjustmentType.BAD_DEBT,
            on=ON,
            memo="payer out of business",
            party=r1,
        )
        assert {(e.party, e.policy_id, e.payer_id) for e in posted} == {
            (Party.INSURANCE, m.primary_id, m.payer1)
        }
        # Oldest line first (same day: the first line), then the next.
        parts = ledger.portions(s, v.line_ids)
        assert parts[v.line_ids[0]] == {}
        assert parts[v.line_ids[1]] == {r1: money("10.00")}
        assert ledger.payer_balance(s, m.payer1) == money("10.00")
        assert ledger.patient_balance(s, m.patient_id, Party.PATIENT) == money("0.00")


def test_move_a_lines_balance_by_hand_with_a_reason(office, m) -> None:
    r1 = ledger.Resp(Party.INSURANCE, m.primary_id, m.payer1)
    r2 = ledger.Resp(Party.INSURANCE, m.secondary_id, m.payer2)
    with office.store.unit_of_work() as s:
        v = _insured_visit(s, office, m, [("99213", "115.00")])
        line = v.line_ids[0]
        rows = payments.line_parties(s, office.biller, m.patient_id)
        assert [(p.label, p.amount) for p in rows[0].parts] == [
            ("Primary: Prairie Health Plan", money("115.00"))
        ]
        assert [p.label for p in rows[0].targets] == [
            "Patient",
            "Primary: Prairie Health Plan",
            "Secondary: Lakeshore Medigap",
        ]
        with pytest.raises(ValidationError) as exc:
            payments.move_balance(
                s, office.biller, line, r1, ledger.PATIENT, money("200.00"), on=ON, reason=""
            )
        assert {p.field for p in exc.value.problems} == {"reason"}
        with pytest.raises(ValidationError) as exc:
            payments.move_balance(
                s, office.biller, line, r1, ledger.PATIENT, money("200.00"), on=ON, reason="x"
            )
        assert [p.field for p in exc.value.problems] == ["amount"]
        assert "Only 115.00" in exc.value.problems[0].message
        # Someone else's policy is not a party of this line.
        stranger = ledger.Resp(Party.INSURANCE, m.primary_id + 99, m.payer1)
        with pytest.raises(ValidationError, match="one of the patient's policies"):
            payments.move_balance(
                s, office.biller, line, r1, stranger, money("5.00"), on=ON, reason="x"
            )
        with pytest.raises(PermissionDenied):
            payments.move_balance(
                s, office.receptionist, line, r1, r2, money("5.00"), on=ON, reason="x"
            )
        payments.move_balance(
            s, office.biller, line, r1, r2, money("40.00"), on=ON, reason="secondary billed"
        )
        payments.move_balance(
            s, office.biller, line, r1, ledger.PATIENT, money("15.00"), on=ON, reason="copay"
        )
        # ... and back to a payer.
        payments.move_balance(
            s, office.biller, line, ledger.PATIENT, r1, money("5.00"), on=ON, reason="rebill"
        )
        assert ledger.portions(s, [line])[line] == {
            r1: money("65.00"),
            r2: money("40.00"),
            ledger.PATIENT: money("10.00"),
        }
        assert ledger.line_balance(s, line) == money("115.00")  # nothing created or lost
        transfers = (
            s.execute(select(LedgerEntry.memo).where(LedgerEntry.kind == EntryKind.TRANSFER))
            .scalars()
            .all()
        )
        assert sorted(set(transfers)) == ["copay", "rebill", "secondary billed"]
