"""Fixing the coding of a visit that already has a claim: the road the biller
takes from the claim check's "Open the visit" to a claim with the new coding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.errors import UserFacingError
from app.models.claims import Claim, ClaimEvent, ClaimLine, ClaimStatus
from app.models.patient import Patient
from app.services import claims
from app.services import encounters as enc
from app.services.encounters import LineInput
from tests import factories
from tests import factories_claims as fc
from tests.unit.claims import scenarios

TODAY = scenarios.MADE_ON


def _recode(office, encounter_id: int, code: str, charge: str) -> None:  # type: ignore[no-untyped-def]
    with office.store.unit_of_work() as s:
        data = enc.load(s, office.biller, encounter_id, today=TODAY).data
        data.lines[0].code = code
        data.lines[0].charge = Decimal(charge)
        enc.mark_coded(s, office.biller, encounter_id, data, today=TODAY)


def _codes(office, claim_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    with office.store.session() as s:
        return list(
            s.execute(
                select(ClaimLine.code).where(ClaimLine.claim_id == claim_id).order_by(ClaimLine.id)
            ).scalars()
        )


def test_a_visit_with_a_ready_claim_is_reopened_and_the_claim_waits_for_the_new_coding(
    office,
) -> None:
    built = scenarios.primary_claim(office, "one")
    with office.store.unit_of_work() as s:
        assert claims.check_claim(s, office.biller, built.claim_id, today=TODAY).errors == []
    # Before: "Void the claim in Claims first", which a claim that never went out cannot be.
    with office.store.unit_of_work() as s:
        enc.reopen(s, office.biller, built.encounter_id, "wrong E/M level", today=TODAY)
    with office.store.session() as s:
        c = s.get(Claim, built.claim_id)
        assert c.status is ClaimStatus.DRAFT  # no longer printable
        last = s.execute(
            select(ClaimEvent).where(ClaimEvent.claim_id == c.id).order_by(ClaimEvent.id.desc())
        ).scalars()
        assert next(iter(last)).note == "visit reopened: wrong E/M level"
    # While the visit is open, the check holds the claim and points at the visit.
    with office.store.unit_of_work() as s:
        out = claims.check_claim(s, office.biller, built.claim_id, today=TODAY)
    assert out.status is ClaimStatus.DRAFT
    (held,) = [p for p in out.errors if "reopened in Coding" in p.message]
    assert (held.fix_kind, held.fix_id, held.fix_label) == (
        "encounter",
        built.encounter_id,
        "Open the visit",
    )
    # Coded again: the same claim takes the new coding and passes.
    _recode(office, built.encounter_id, "99214", "165.00")
    with office.store.unit_of_work() as s:
        out = claims.check_claim(s, office.biller, built.claim_id, today=TODAY)
        assert out.errors == [] and out.status is ClaimStatus.READY
        assert s.get(Claim, built.claim_id).total_charge == Decimal("165.00")
    assert _codes(office, built.claim_id) == ["99214"]


def test_a_claim_for_a_recoded_visit_bills_only_the_lines_as_coded_now(office) -> None:
    with office.store.unit_of_work() as s:
        pat = scenarios.patient(s)
        pol = factories.policy(s, pat, scenarios.payer(s), member_id="XJP448120931")
        fc.verify(s, pol, office.biller)
        visit = enc.start_for_patient(
            s, office.biller, pat.id, fc.DOS, office.provider_id, today=TODAY
        )
        data = enc.load(s, office.biller, visit, today=TODAY).data
        data.policy_id = pol.id
        data.diagnoses = ["E11.9"]
        data.lines = [LineInput("99213", [], "A", charge=Decimal("115.00"))]
        enc.mark_coded(s, office.biller, visit, data, today=TODAY)  # charges on the ledger
    with office.store.unit_of_work() as s:
        enc.reopen(s, office.biller, visit, "wrong E/M level", today=TODAY)
    _recode(office, visit, "99214", "165.00")
    with office.store.session() as s:
        (waiting,) = claims.unclaimed_visits(s, office.biller)
    assert waiting.total == Decimal("165.00")  # before: 280.00 with the removed line
    with office.store.unit_of_work() as s:
        made = claims.make_claim(s, office.biller, visit, today=TODAY)
        c = s.get(Claim, made.id)
        assert c.total_charge == Decimal("165.00")
        assert [ln["code"] for ln in c.snapshot["lines"]] == ["99214"]
    assert _codes(office, made.id) == ["99214"]


def test_a_draft_to_the_old_payer_is_held_when_the_visit_now_bills_another(office) -> None:
    built = scenarios.primary_claim(office, "one")
    with office.store.unit_of_work() as s:
        other = factories.policy(
            s,
            s.get(Patient, built.patient_id),
            scenarios.payer(s, name="Lincoln Mutual", payer_code="LM01"),
            rank=2,
            member_id="LM55001234",
        )
        other_id = other.id
        enc.reopen(s, office.biller, built.encounter_id, "billed the wrong plan", today=TODAY)
    with office.store.unit_of_work() as s:
        data = enc.load(s, office.biller, built.encounter_id, today=TODAY).data
        data.policy_id = other_id
        enc.mark_coded(s, office.biller, built.encounter_id, data, today=TODAY)
    with office.store.unit_of_work() as s:
        out = claims.check_claim(s, office.biller, built.claim_id, today=TODAY)
    # Before: it passed and went to the print batch for Prairie Health Plan.
    assert out.status is ClaimStatus.DRAFT
    assert [p.message for p in out.errors] == [
        "The visit now bills Lincoln Mutual, not Prairie Health Plan. Discard this draft (it "
        "never went out); New claims from coded visits then makes the claim to the visit's "
        "policy."
    ]


def test_a_discarded_draft_does_not_keep_its_visit_closed(office) -> None:
    built = scenarios.primary_claim(office, "one")
    with office.store.unit_of_work() as s:
        claims.discard_draft(s, office.biller, built.claim_id)
    with office.store.unit_of_work() as s:  # before: refused, naming the closed claim
        enc.reopen(s, office.biller, built.encounter_id, "typo", today=TODAY)


def test_a_sent_claim_is_replaced_first_and_the_replacement_takes_the_new_coding(office) -> None:
    built = scenarios.primary_claim(office, "one")
    scenarios.mark_sent(office, built.claim_id)
    with office.store.unit_of_work() as s, pytest.raises(UserFacingError) as ei:
        enc.reopen(s, office.biller, built.encounter_id, "wrong E/M level", today=TODAY)
    assert ei.value.message.startswith(
        f"This visit is billed on claim {_claim_no(office, built.claim_id)} (printed), "
        "which went to the payer. In Claims, make a replacement (Replace...) or void it first"
    )
    with office.store.unit_of_work() as s:
        made = claims.correct_claim(
            s, office.biller, built.claim_id, "replace", "PHP25073000412", today=TODAY
        )
    # Before: the corrected original and the replacement kept the visit closed for good.
    with office.store.unit_of_work() as s:
        enc.reopen(s, office.biller, built.encounter_id, "wrong E/M level", today=TODAY)
    _recode(office, built.encounter_id, "99214", "165.00")
    with office.store.unit_of_work() as s:
        out = claims.check_claim(s, office.biller, made.id, today=date(2025, 3, 18))
        assert out.errors == [], [p.message for p in out.errors]
        assert s.get(Claim, made.id).snapshot["original_ref"] == "PHP25073000412"
    assert _codes(office, made.id) == ["99214"]
    assert _codes(office, built.claim_id) == ["99213"]  # what went out stays as it went


def test_a_printed_void_does_not_keep_its_visit_closed(office) -> None:
    built = scenarios.primary_claim(office, "one")
    scenarios.mark_sent(office, built.claim_id)
    with office.store.unit_of_work() as s:
        void = claims.correct_claim(s, office.biller, built.claim_id, "void", "PHP1", today=TODAY)
    scenarios.mark_sent(office, void.id)
    with office.store.unit_of_work() as s:
        enc.reopen(s, office.biller, built.encounter_id, "billed in error", today=TODAY)


def _claim_no(office, claim_id: int) -> str:  # type: ignore[no-untyped-def]
    with office.store.session() as s:
        return s.get(Claim, claim_id).claim_no
