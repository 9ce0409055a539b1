"""The claim check: each problem names the item, says what to fix and
points at the record to open."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.models.claims import Claim, ClaimStatus
from app.models.coding import EncounterDiagnosis, ServiceLine
from app.models.insurance import Policy, VerifyResult
from app.models.patient import Patient
from app.models.practice import Practice, Provider
from app.services import claims
from app.services import office as office_svc
from tests import factories
from tests import factories_claims as fc
from tests.unit.claims import scenarios

TODAY = scenarios.MADE_ON


def _check(office, claim_id, today=TODAY):
    with office.store.unit_of_work() as s:
        return claims.check_claim(s, office.biller, claim_id, today=today)


def _find(outcome, item):
    return [p for p in outcome.problems if p.item == item]


def test_a_clean_claim_passes_and_becomes_ready(office) -> None:
    built = scenarios.primary_claim(office)
    out = _check(office, built.claim_id)
    assert out.errors == []
    assert out.status is ClaimStatus.READY
    assert out.days_left == 180 - (TODAY - fc.DOS).days


def test_missing_npi_names_the_provider_and_a_fix_brings_it_back_to_ready(office) -> None:
    built = scenarios.primary_claim(office)
    with office.store.unit_of_work() as s:
        s.get(Provider, office.provider_id).npi = ""
    out = _check(office, built.claim_id)
    assert out.status is ClaimStatus.DRAFT
    (p,) = [p for p in out.errors if "NPI" in p.message]
    assert (p.item, p.fix_kind, p.fix_id) == ("24J", "provider", office.provider_id)
    assert "Rendering NPI" in p.message and "required" in p.message
    with office.store.unit_of_work() as s:
        office_svc.update_provider(
            s,
            office.manager,
            office.provider_id,
            office_svc.ProviderInput(
                "Okafor", "Adaeze", "", "MD", factories.NPI_PROVIDER, "207Q00000X"
            ),
        )
    out = _check(office, built.claim_id)
    assert out.errors == [] and out.status is ClaimStatus.READY
    with office.store.unit_of_work() as s:  # the re-taken snapshot carries the fixed NPI
        assert s.get(Claim, built.claim_id).snapshot["provider"]["npi"] == factories.NPI_PROVIDER


def test_billing_npi_luhn_tax_id_and_taxonomy_point_at_the_practice(office) -> None:
    built = scenarios.primary_claim(office)
    with office.store.unit_of_work() as s:
        prac = s.get(Practice, 1)
        prac.billing_npi = "1234567890"  # fails the check digit
        prac.ein = "12"
        prac.taxonomy = "207Q"
    out = _check(office, built.claim_id)
    items = {p.item: p for p in out.errors if p.fix_kind == "practice"}
    assert set(items) >= {"33a", "25", "33b"}
    assert "check digit" in items["33a"].message
    assert all(p.fix_id == 1 for p in items.values())


def test_insured_and_subscriber_problems_point_at_the_policy(office) -> None:
    built = scenarios.primary_claim(office)
    with office.store.unit_of_work() as s:
        pol = s.get(Policy, built.policy_id)
        pol.member_id = "XJ 448-12"
        pol.subscriber_dob = None
        pol.subscriber_sex = None
        pol.subscriber_first_name = ""
    out = _check(office, built.claim_id)
    pol_items = {p.item for p in out.errors if p.fix_kind == "policy"}
    assert {"1a", "11a", "4"} <= pol_items
    assert all(p.fix_id == built.policy_id for p in out.errors if p.fix_kind == "policy")


def test_medicare_needs_a_beneficiary_identifier(office) -> None:
    built = scenarios.primary_claim(
        office, payer_kw={"program": factories.Program.MEDICARE, "name": "Medicare Part B"}
    )
    out = _check(office, built.claim_id)
    assert any(p.item == "1a" and "Medicare Beneficiary" in p.message for p in out.errors)


def test_patient_address_and_signature(office) -> None:
    built = scenarios.primary_claim(office)
    with office.store.unit_of_work() as s:
        pat = s.get(Patient, built.patient_id)
        pat.address1 = ""
        pat.zip = "6270"
        pat.signature_on_file = None
    out = _check(office, built.claim_id)
    assert {p.item for p in out.errors if p.fix_kind == "patient"} == {"5"}
    assert len([p for p in out.errors if p.fix_kind == "patient"]) == 2
    (sig,) = [p for p in out.problems if p.item == "12"]
    assert sig.severity == "warning" and sig.fix_id == built.patient_id


def test_lines_need_a_code_and_a_pointer_and_at_most_twelve_diagnoses(office) -> None:
    built = scenarios.primary_claim(office, "six")
    with office.store.unit_of_work() as s:
        lines = list(
            s.execute(
                select(ServiceLine)
                .where(ServiceLine.encounter_id == built.encounter_id)
                .order_by(ServiceLine.line_no)
            ).scalars()
        )
        lines[1].code = ""
        lines[2].pointers = ""
        lines[3].pointers = "AZ"
        for n, code in enumerate(
            ["J02.9", "N39.0", "K21.9", "F41.1", "M54.50", "R51.9", "E66.9", "L30.9", "H10.9"],
            start=5,
        ):
            s.add(EncounterDiagnosis(encounter_id=built.encounter_id, position=n, code=code))
    out = _check(office, built.claim_id)
    msgs = [p.message for p in out.errors]
    assert any("line 2 has no CPT/HCPCS code" in m for m in msgs)
    assert any("line 3" in m and "no diagnosis pointer" in m for m in msgs)
    assert any("line 4: pointer 'AZ'" in m for m in msgs)
    assert any("13 diagnoses" in m for m in msgs)
    assert all(
        p.fix_kind == "encounter" and p.fix_id == built.encounter_id for p in _find(out, "24E")
    )


def test_a_non_billable_diagnosis_is_caught(office) -> None:
    built = scenarios.primary_claim(office)
    with office.store.unit_of_work() as s:
        dx = (
            s.execute(
                select(EncounterDiagnosis).where(
                    EncounterDiagnosis.encounter_id == built.encounter_id
                )
            )
            .scalars()
            .first()
        )
        dx.code = "E11"
    out = _check(office, built.claim_id)
    assert any(p.item == "21A" and "category" in p.message for p in out.errors)


def test_place_of_service_and_referring_provider_when_the_payer_needs_one(office) -> None:
    built = scenarios.primary_claim(office, payer_kw={"needs_referring_provider": True})
    with office.store.unit_of_work() as s:
        from app.models.coding import Encounter

        s.get(Encounter, built.encounter_id).place_of_service = "98"
    out = _check(office, built.claim_id)
    assert {"24B", "17"} <= {p.item for p in out.errors}
    with office.store.unit_of_work() as s:
        from app.models.coding import Encounter

        enc = s.get(Encounter, built.encounter_id)
        enc.place_of_service = "11"
        enc.referring_name = "Chen, Robert"
        enc.referring_npi = factories.NPI_OTHER
        enc.referring_qualifier = "DN"
    assert _check(office, built.claim_id).errors == []


def test_coverage_must_be_verified_for_the_date_of_service(office) -> None:
    built = scenarios.primary_claim(office)
    with office.store.unit_of_work() as s:
        pol = s.get(Policy, built.policy_id)
        fc.verify(
            s, pol, office.biller, on=fc.DOS + timedelta(days=1), result=VerifyResult.INACTIVE
        )
    # The verification after the visit does not count for it: still verified.
    assert _check(office, built.claim_id).errors == []
    with office.store.unit_of_work() as s:
        fc.verify(
            s,
            s.get(Policy, built.policy_id),
            office.biller,
            on=fc.DOS,
            result=VerifyResult.INACTIVE,
        )
    out = _check(office, built.claim_id)
    (p,) = [p for p in out.errors if p.item == "1a"]
    assert "not active" in p.message and (p.fix_kind, p.fix_id) == ("policy", built.policy_id)


def test_never_verified_and_ended_policy(office) -> None:
    with office.store.unit_of_work() as s:
        pat = scenarios.patient(s)
        pay = scenarios.payer(s)
        pol = factories.policy(s, pat, pay, member_id="XJ1", end_date=date(2025, 1, 31))
        enc = fc.coded_visit(s, pat.id, office.provider_id, pol)
        made = claims.make_claim(s, office.biller, enc.id, today=TODAY)
    out = _check(office, made.id)
    assert any("not active on the date of service" in p.message for p in out.errors)
    with office.store.unit_of_work() as s:
        s.get(Policy, pol.id).end_date = None
    out = _check(office, made.id)
    assert any("never been verified" in p.message for p in out.errors)


def test_possible_duplicate_points_at_the_other_claim(office) -> None:
    first = scenarios.primary_claim(office)
    with office.store.unit_of_work() as s:
        pol = s.get(Policy, first.policy_id)
        enc = fc.coded_visit(s, first.patient_id, office.provider_id, pol)
        second = claims.make_claim(s, office.biller, enc.id, today=TODAY)
    out = _check(office, second.id)
    (dup,) = [p for p in out.problems if "duplicate" in p.message]
    assert dup.severity == "warning" and (dup.fix_kind, dup.fix_id) == ("claim", first.claim_id)
    assert out.status is ClaimStatus.READY  # a warning does not hold the claim
    with office.store.unit_of_work() as s:
        claims.discard_draft(s, office.biller, first.claim_id)
    assert not [p for p in _check(office, second.id).problems if "duplicate" in p.message]


def test_timely_filing_days_left_then_an_error_past_the_limit(office) -> None:
    built = scenarios.primary_claim(office)
    late = fc.DOS + timedelta(days=170)
    out = _check(office, built.claim_id, today=late)
    assert out.days_left == 10
    assert any("10 days left" in p.message and p.severity == "warning" for p in out.problems)
    out = _check(office, built.claim_id, today=fc.DOS + timedelta(days=185))
    assert out.days_left == -5
    (p,) = [p for p in out.errors if "filing limit" in p.message]
    assert "by 5 days" in p.message and p.fix_kind == "payer"
    assert out.status is ClaimStatus.DRAFT


def test_secondary_claim_needs_the_other_insured(office) -> None:
    _primary, secondary = scenarios.secondary_claim(office)
    assert _check(office, secondary.claim_id, today=scenarios.PAID_ON).errors == []
    with office.store.unit_of_work() as s:
        c = s.get(Claim, secondary.claim_id)
        snap = dict(c.snapshot)
        snap["other_insured"] = None
        c.snapshot = snap
        c.status = ClaimStatus.PRINTED  # a sent claim is checked as it went
    out = _check(office, secondary.claim_id, today=scenarios.PAID_ON)
    assert any(p.item == "9" for p in out.errors)


def test_problem_for_a_line_provider(office) -> None:
    built = scenarios.primary_claim(office)
    with office.store.unit_of_work() as s:
        other = factories.provider(s, npi="1679576723", last="Reyes")  # bad check digit
        line = s.execute(
            select(ServiceLine).where(ServiceLine.encounter_id == built.encounter_id)
        ).scalar_one()
        line.provider_id = other.id
        other_id = other.id
    out = _check(office, built.claim_id)
    assert any(p.fix_kind == "provider" and p.fix_id == other_id for p in out.errors)


def test_a_later_verification_covering_the_visit_lets_the_claim_go(office) -> None:
    """The gate needs coverage verified before the visit; a claim (a secondary
    policy checked afterwards, say) may rest on the payer confirming later that
    coverage dates include the visit's day. It stays visible as a warning."""
    with office.store.unit_of_work() as s:
        pat = scenarios.patient(s)
        pol = factories.policy(s, pat, scenarios.payer(s), member_id="XJ7")
        enc = fc.coded_visit(s, pat.id, office.provider_id, pol)
        made = claims.make_claim(s, office.biller, enc.id, today=TODAY)
    assert any("not verified" in p.message for p in _check(office, made.id).errors)
    with office.store.unit_of_work() as s:
        v = fc.verify(s, s.get(Policy, pol.id), office.biller, on=fc.DOS + timedelta(days=3))
        v.coverage_start = fc.DOS + timedelta(days=1)  # not yet covering the visit
    assert any("not verified" in p.message for p in _check(office, made.id).errors)
    with office.store.unit_of_work() as s:
        fc.verify(
            s, s.get(Policy, pol.id), office.biller, on=fc.DOS + timedelta(days=4)
        ).coverage_start = date(fc.DOS.year, 1, 1)
    out = _check(office, made.id)
    assert not [p for p in out.errors if p.item == "1a"]
    (w,) = [p for p in out.problems if p.item == "1a"]
    assert w.severity == "warning" and "confirmed it on" in w.message
    assert out.status is ClaimStatus.READY
