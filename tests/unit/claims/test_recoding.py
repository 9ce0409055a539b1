"""Fixing the coding of a visit that already has a claim: the road the biller
takes from the claim check's "Open the visit" to a claim with the new coding."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.models.claims import Claim, ClaimLine
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
