"""Posting payers' EOBs by hand: what moves where, the claim's status, and
what the check has left."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.errors import PermissionDenied, ValidationError
from app.models.claims import Claim, ClaimEvent, ClaimStatus
from app.models.insurance import Policy
from app.models.ledger import EntryKind, LedgerEntry, Party, RemitLine
from app.models.patient import Patient
from app.money import money
from app.services import ledger, posting
from app.services.posting import EobLine
from tests import factories_money as fm
from tests.unit.money.conftest import DOS


def _visit_and_claim(s, office, m, lines=None):
    pat = s.get(Patient, m.patient_id)
    pol = s.get(Policy, m.primary_id)
    v = fm.visit(s, pat, office.provider_id, DOS, lines or [("99214", "200.00")], pol)
    c = fm.claim(s, v, pol)
    return v, c


def test_primary_eob_moves_coinsurance_to_the_secondary(office, m) -> None:
    with office.store.unit_of_work() as s:
        v, c = _visit_and_claim(s, office, m)
        chk = fm.payer_check(s, office.biller, m.payer1, "120.00")
        line = EobLine(
            v.line_ids[0],
            paid=money("120.00"),
            allowed=money("150.00"),
            coinsurance=money("30.00"),
            contractual=money("50.00"),
        )
        pv = posting.preview_eob(s, office.biller, chk, c.id, [line])
        assert pv.ok, pv.problems
        assert pv.next_label == "Secondary: Lakeshore Medigap"
        assert (pv.paid, pv.adjusted, pv.to_next, pv.left_with_payer) == (
            money("120.00"),
            money("50.00"),
            money("30.00"),
            money("0.00"),
        )
        assert pv.new_status is ClaimStatus.PAID
        assert pv.check_left_after == money("0.00")
        # Nothing is written by a preview.
        assert ledger.line_balance(s, v.line_ids[0]) == money("200.00")

        res = posting.post_eob(s, office.biller, chk, c.id, [line])
        parts = ledger.portions(s, v.line_ids)[v.line_ids[0]]
        assert parts == {
            ledger.Resp(Party.INSURANCE, m.secondary_id, m.payer2): money("30.00"),
        }
        assert ledger.claim_balance(s, c.id) == money("30.00")
        assert s.get(Claim, c.id).status is ClaimStatus.PAID
        assert s.get(Claim, c.id).amount_paid == money("120.00")
        ev = (
            s.execute(
                select(ClaimEvent).where(ClaimEvent.claim_id == c.id).order_by(ClaimEvent.id.desc())
            )
            .scalars()
            .first()
        )
        assert ev.status is ClaimStatus.PAID and res.txn in ev.note
        rl = s.execute(select(RemitLine).where(RemitLine.txn == res.txn)).scalar_one()
        assert (rl.allowed, rl.paid, rl.coinsurance) == (
            money("150.00"),
            money("120.00"),
            money("30.00"),
        )
        chk_row = posting.check_status(s, chk)
        assert (chk_row.posted, chk_row.left) == (money("120.00"), money("0.00"))
        # The coinsurance leg carries PR-2; the contractual CO-45.
        kinds = {
            (e.kind, e.carc_group, e.carc_code, e.amount)
            for e in s.execute(select(LedgerEntry).where(LedgerEntry.txn == res.txn)).scalars()
        }
        assert (EntryKind.ADJUSTMENT, "CO", "45", money("-50.00")) in kinds
        assert (EntryKind.TRANSFER, "PR", "2", money("-30.00")) in kinds


def test_no_secondary_means_the_patient_owes_deductible_and_copay(office, m) -> None:
    with office.store.unit_of_work() as s:
        s.get(Policy, m.secondary_id).rank = None  # taken out of the order
        v, c = _visit_and_claim(s, office, m, [("99213", "115.00"), ("36415", "15.00")])
        chk = fm.payer_check(s, office.biller, m.payer1, "50.00")
        posting.post_eob(
            s,
            office.biller,
            chk,
            c.id,
            [
                EobLine(
                    v.line_ids[0],
                    paid=money("50.00"),
                    deductible=money("20.00"),
                    copay=money("25.00"),
                    contractual=money("20.00"),
                ),
                EobLine(v.line_ids[1], denial_group="CO", denial_code="97", rarc="M15"),
            ],
        )
        assert ledger.patient_balance(s, m.patient_id, Party.PATIENT) == money("45.00")
        # The bundled blood draw stays with the payer (a CO denial is worked, not billed).
        assert ledger.portion(
            s, v.line_ids[1], ledger.Resp(Party.INSURANCE, m.primary_id, m.payer1)
        ) == money("15.00")
        assert s.get(Claim, c.id).status is ClaimStatus.PARTLY_PAID


def test_all_lines_denied_marks_the_claim_denied_and_pr_denial_goes_to_the_patient(
    office, m
) -> None:
    with office.store.unit_of_work() as s:
        s.get(Policy, m.secondary_id).rank = None
        v, c = _visit_and_claim(s, office, m)
        chk = fm.payer_check(s, office.biller, m.payer1, "0.00", ref="EOB-ZERO")
        posting.post_eob(
            s,
            office.biller,
            chk,
            c.id,
            [EobLine(v.line_ids[0], denial_group="PR", denial_code="204", rarc="N130")],
        )
        assert s.get(Claim, c.id).status is ClaimStatus.DENIED
        assert ledger.patient_balance(s, m.patient_id, Party.PATIENT) == money("200.00")


def test_problems_are_listed_together_and_nothing_is_posted(office, m) -> None:
    with office.store.unit_of_work() as s:
        v, c = _visit_and_claim(s, office, m)
        chk = fm.payer_check(s, office.biller, m.payer1, "100.00")
        other = fm.payer_check(s, office.biller, m.payer2, "100.00", ref="LMG-1")
        bad = EobLine(
            v.line_ids[0],
            paid=money("150.00"),
            coinsurance=money("-5.00"),
            contractual=money("180.00"),
            denial_group="XX",
            denial_code="45",
            rarc="??",
        )
        pv = posting.preview_eob(s, office.biller, other, c.id, [bad])
        msgs = " | ".join(p.message for p in pv.problems)
        assert "is billed to another payer" in msgs
        assert "coinsurance cannot be below 0.00" in msgs
        assert "denial group is CO, PR, OA or PI" in msgs
        assert "a denied line pays 0.00" in msgs
        assert "not a remark code" in msgs
        with pytest.raises(ValidationError):
            posting.post_eob(s, office.biller, other, c.id, [bad])
        # More than the check has left.
        with pytest.raises(ValidationError, match=r"only 100\.00 of CHECK CHK1001 is left"):
            posting.post_eob(
                s,
                office.biller,
                chk,
                c.id,
                [EobLine(v.line_ids[0], paid=money("150.00"), contractual=money("50.00"))],
            )
        assert ledger.line_balance(s, v.line_ids[0]) == money("200.00")


def test_overpayment_is_held_as_the_payers_credit_and_can_be_refunded(office, m) -> None:
    with office.store.unit_of_work() as s:
        v, c = _visit_and_claim(s, office, m)
        chk = fm.payer_check(s, office.biller, m.payer1, "160.00")
        pv = posting.post_eob(
            s,
            office.biller,
            chk,
            c.id,
            [EobLine(v.line_ids[0], paid=money("160.00"), contractual=money("50.00"))],
        ).preview
        assert pv.lines[0].overpaid == money("10.00")
        assert ledger.line_balance(s, v.line_ids[0]) == money("0.00")
        cr = ledger.credits(s, [m.patient_id], Party.INSURANCE, m.payer1)
        assert [c_.amount for c_ in cr] == [money("10.00")]
        assert ledger.patient_balance(s, m.patient_id) == money("-10.00")
        from app.models.ledger import PaymentMethod, PaymentSource

        ledger.refund(
            s,
            office.biller,
            m.patient_id,
            money("10.00"),
            to=PaymentSource.PAYER,
            method=PaymentMethod.CHECK,
            reference="5001",
            on=date(2026, 4, 10),
            payer_id=m.payer1,
            reason="overpaid",
        )
        assert ledger.patient_balance(s, m.patient_id) == money("0.00")
        assert ledger.credits(s, [m.patient_id]) == []


def test_takeback_returns_the_balance_to_the_payer_and_recoupment_nets_the_check(office, m) -> None:
    with office.store.unit_of_work() as s:
        va, ca = _visit_and_claim(s, office, m)
        vb, cb = _visit_and_claim(s, office, m, [("99213", "115.00")])
        first = fm.payer_check(s, office.biller, m.payer1, "230.00")
        posting.post_eob(
            s,
            office.biller,
            first,
            ca.id,
            [EobLine(va.line_ids[0], paid=money("150.00"), contractual=money("50.00"))],
        )
        posting.post_eob(
            s,
            office.biller,
            first,
            cb.id,
            [EobLine(vb.line_ids[0], paid=money("80.00"), contractual=money("35.00"))],
        )
        # The payer takes back 30.00 of claim A on its next check, which pays nothing else.
        second = fm.payer_check(s, office.biller, m.payer1, "0.00", ref="CHK1002")
        with pytest.raises(ValidationError, match=r"only 0\.00 of CHECK CHK1002 is left"):
            posting.post_eob(
                s,
                office.biller,
                second,
                ca.id,
                [EobLine(va.line_ids[0], paid=money("30.00"))],
            )
        posting.post_eob(
            s, office.biller, second, ca.id, [EobLine(va.line_ids[0], paid=money("-30.00"))]
        )
        assert ledger.portion(
            s, va.line_ids[0], ledger.Resp(Party.INSURANCE, m.primary_id, m.payer1)
        ) == money("30.00")
        assert posting.check_status(s, second).left == money("30.00")
        assert s.get(Claim, ca.id).status is ClaimStatus.PARTLY_PAID


def test_recoupment_of_a_credit_takes_it_out_of_the_check(office, m) -> None:
    with office.store.unit_of_work() as s:
        v, c = _visit_and_claim(s, office, m)
        first = fm.payer_check(s, office.biller, m.payer1, "170.00")
        posting.post_eob(
            s,
            office.biller,
            first,
            c.id,
            [EobLine(v.line_ids[0], paid=money("170.00"), contractual=money("50.00"))],
        )
        v2, c2 = _visit_and_claim(s, office, m, [("99213", "115.00")])
        # Next check: pays 80.00 on claim 2 but keeps the 20.00 overpaid: 60.00.
        second = fm.payer_check(s, office.biller, m.payer1, "60.00", ref="CHK1003")
        posting.recoup_credit(
            s, office.biller, second, m.patient_id, money("20.00"), on=date(2026, 5, 1)
        )
        assert posting.check_status(s, second).left == money("80.00")
        posting.post_eob(
            s,
            office.biller,
            second,
            c2.id,
            [EobLine(v2.line_ids[0], paid=money("80.00"), contractual=money("35.00"))],
        )
        assert posting.check_status(s, second).left == money("0.00")
        assert ledger.patient_balance(s, m.patient_id) == money("0.00")


def test_reversing_an_eob_restores_balances_and_status(office, m) -> None:
    with office.store.unit_of_work() as s:
        v, c = _visit_and_claim(s, office, m)
        chk = fm.payer_check(s, office.biller, m.payer1, "120.00")
        res = posting.post_eob(
            s,
            office.biller,
            chk,
            c.id,
            [
                EobLine(
                    v.line_ids[0],
                    paid=money("120.00"),
                    coinsurance=money("30.00"),
                    contractual=money("50.00"),
                )
            ],
        )
        posting.reverse_eob(s, office.biller, res.txn, on=date(2026, 4, 7), memo="wrong claim")
        assert ledger.portions(s, v.line_ids)[v.line_ids[0]] == {
            ledger.Resp(Party.INSURANCE, m.primary_id, m.payer1): money("200.00")
        }
        assert s.get(Claim, c.id).status is ClaimStatus.PRINTED
        assert posting.check_status(s, chk).left == money("120.00")


def test_duplicate_check_and_permissions(office, m) -> None:
    with office.store.unit_of_work() as s:
        fm.payer_check(s, office.biller, m.payer1, "10.00", ref="abc-1")
        with pytest.raises(ValidationError, match="already recorded"):
            fm.payer_check(s, office.biller, m.payer1, "10.00", ref="ABC-1")
        with pytest.raises(PermissionDenied):
            fm.payer_check(s, office.receptionist, m.payer1, "10.00", ref="X-2")


def test_find_claims_by_number_name_and_date(office, m) -> None:
    with office.store.unit_of_work() as s:
        _, c = _visit_and_claim(s, office, m)
        assert [r.claim_id for r in posting.find_claims(s, office.biller, c.claim_no)] == [c.id]
        assert [r.claim_id for r in posting.find_claims(s, office.biller, "riv")] == [c.id]
        assert [r.claim_id for r in posting.find_claims(s, office.biller, "Rivera, A")] == [c.id]
        assert posting.find_claims(s, office.biller, "", dos=DOS)[0].claim_id == c.id
        assert posting.find_claims(s, office.biller, "", dos=date(2026, 3, 3)) == []
