"""Coding a visit: every check, marking coded (charges on the ledger),
reopening by reversal, audited charge edits, favourites and copying."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.errors import PermissionDenied, UserFacingError, ValidationError
from app.models.audit import AuditEvent
from app.models.claims import Claim, ClaimStatus
from app.models.coding import Encounter, EncounterStatus, ServiceLine
from app.models.ledger import EntryKind, LedgerEntry, MonthCloseEvent, Party
from app.models.patient import Sex
from app.models.schedule import Appointment, AppointmentStatus, GateOutcome
from app.services import encounters as enc
from app.services.encounters import EncounterInput, LineInput
from tests import factories
from tests.unit.coding.support import DOS, TODAY, add_fees


@pytest.fixture
def visit(office):  # type: ignore[no-untyped-def]
    """A patient with a primary policy, a fee schedule, and an open encounter."""
    with office.store.unit_of_work() as s:
        add_fees(s)
        pat = factories.patient(s, "Rivera", "Ana", dob=date(1968, 4, 2), sex=Sex.FEMALE)
        payer = factories.payer(s)
        pol = factories.policy(s, pat, payer)
        eid = enc.start_for_patient(s, office.biller, pat.id, DOS, office.provider_id, today=TODAY)
        ids = {"patient": pat.id, "payer": payer.id, "policy": pol.id, "encounter": eid}
    return ids


def _good(office, visit) -> EncounterInput:  # type: ignore[no-untyped-def]
    return EncounterInput(
        date_of_service=DOS,
        provider_id=office.provider_id,
        policy_id=visit["policy"],
        diagnoses=["E11.9", "i10", "Z23"],
        lines=[
            LineInput("99214", ["25"], "AB"),
            LineInput("36415", [], "A"),
            LineInput("90471", [], "C"),
            LineInput("90686", [], "C"),
        ],
    )


def _review(office, visit, data, **kw):  # type: ignore[no-untyped-def]
    with office.store.session() as s:
        return enc.review_draft(s, office.biller, visit["patient"], data, today=TODAY, **kw)


def _messages(review, severity: str = "error") -> list[str]:  # type: ignore[no-untyped-def]
    return [p.message for p in review.problems if p.severity == severity]


def test_a_good_visit_has_no_errors_and_charges_from_the_fee_schedule(office, visit) -> None:
    r = _review(office, visit, _good(office, visit))
    assert _messages(r) == []
    assert _messages(r, "warning") == []
    assert [ln.charge for ln in r.lines] == [
        Decimal("165.00"),
        Decimal("15.00"),
        Decimal("25.00"),
        Decimal("40.00"),
    ]
    assert r.total == Decimal("245.00")
    assert [(d.letter, d.code, d.billable) for d in r.diagnoses] == [
        ("A", "E11.9", True),
        ("B", "I10", True),
        ("C", "Z23", True),
    ]
    assert r.diagnoses[1].description == "Essential (primary) hypertension"


def test_pointer_and_line_checks_are_all_reported_at_once(office, visit) -> None:
    data = _good(office, visit)
    data.lines = [
        LineInput("99214", ["25", "ZZ", "25"], ""),
        LineInput("9921", [], "AE"),
        LineInput("36415", ["59", "76", "77", "91", "XU"], "ABCDA", units=0),
        LineInput("J1100", [], "A", units=3, ndc="1234-567-89", ndc_unit="XX", ndc_quantity="0"),
        LineInput("85025", [], "B", charge=Decimal("0.00")),
    ]
    msgs = _messages(_review(office, visit, data))
    assert "Line 1: needs at least one diagnosis pointer (a letter A-C)" in msgs
    assert "Line 1: modifier 'ZZ' is not a known modifier" in msgs
    assert "Line 1: modifier 25 is given twice" in msgs
    assert any(m.startswith("Line 2: '9921' is not a CPT or HCPCS code") for m in msgs)
    assert "Line 2: pointer E refers to no diagnosis (this visit's diagnoses are A-C)" in msgs
    assert "Line 3: at most 4 modifiers fit on a line" in msgs
    assert "Line 3: at most 4 diagnosis pointers" in msgs
    assert "Line 3: pointer A is given twice" in msgs
    assert "Line 3: units must be more than 0" in msgs
    assert "Line 4: NDC must be 11 digits in 5-4-2 form (e.g. 12345-6789-01)" in msgs
    assert "Line 4: NDC unit must be one of UN, ML, GR, F2, ME" in msgs
    assert "Line 4: NDC quantity must be a number more than 0" in msgs
    assert "Line 5: charge must be more than 0.00" in msgs


def test_ndc_forms(office, visit) -> None:
    assert enc.normalize_ndc("12345-6789-01") == "12345678901"
    assert enc.normalize_ndc("12345678901") == "12345678901"
    assert enc.normalize_ndc("1234-5678-90") == "01234567890"  # 4-4-2
    assert enc.normalize_ndc("12345-678-90") == "12345067890"  # 5-3-2
    assert enc.normalize_ndc("12345-6789-0") == "12345678900"  # 5-4-1
    assert enc.normalize_ndc("1234567890") is None  # 10 digits without hyphens is ambiguous
    data = _good(office, visit)
    data.lines.append(
        LineInput("J1100", [], "A", units=4, ndc="63323-0165-01", ndc_unit="ML", ndc_quantity="1")
    )
    r = _review(office, visit, data)
    assert _messages(r) == []
    assert r.lines[-1].charge == Decimal("16.00")


def test_diagnosis_checks(office, visit, icd) -> None:
    data = _good(office, visit)
    data.diagnoses = ["E11", "E11.99", "I10", "i10", "Z23"]
    data.lines = [LineInput("99214", [], "ABCD")]
    r = _review(office, visit, data, icd=icd)
    msgs = _messages(r)
    assert any(m.startswith("A: E11 is a category; pick a billable code such as") for m in msgs)
    assert any(m.startswith("B: E11.99 is not an ICD-10-CM code") for m in msgs)
    assert "D: I10 is already diagnosis C" in msgs
    assert _messages(r, "warning") == ["E: Z23 is not pointed to by any line"]
    data.diagnoses = [
        f"{c}"
        for c in [
            "I10",
            "E11.9",
            "Z23",
            "E78.5",
            "J06.9",
            "M54.50",
            "R05.9",
            "J02.9",
            "N39.0",
            "K21.9",
            "F41.1",
            "H10.9",
            "L30.9",
        ]
    ]
    msgs = _messages(_review(office, visit, data))
    assert "A claim holds at most 12 diagnoses (A-L); this visit has 13" in msgs
    data.diagnoses = []
    msgs = _messages(_review(office, visit, data))
    assert "Add at least one diagnosis (ICD-10-CM)" in msgs
    assert "Line 1: pointer A refers to no diagnosis (this visit's diagnoses are none)" in msgs


def test_age_and_sex_warnings_come_with_the_checks(office, visit) -> None:
    data = _good(office, visit)
    data.diagnoses = ["N40.0", "Z00.129"]  # a male code and a child's exam for a woman of 57
    data.lines = [LineInput("99214", [], "AB")]
    warnings = _messages(_review(office, visit, data), "warning")
    assert any(w.startswith("A: N40.0 is a condition of male genital organs") for w in warnings)
    assert any(w.startswith("B: Z00.129 is a routine child health examination") for w in warnings)
    assert _messages(_review(office, visit, data)) == []  # warnings do not block


def test_visit_date_checks(office, visit) -> None:
    data = _good(office, visit)
    data.date_of_service = date(2026, 3, 21)
    assert "Date of service 03/21/2026 is in the future" in _messages(_review(office, visit, data))
    data.date_of_service = date(1968, 4, 1)
    msgs = _messages(_review(office, visit, data))
    assert "Date of service 04/01/1968 is before the patient's birth (04/02/1968)" in msgs
    assert any("ICD-10-CM applies to dates of service from 10/01/2015" in m for m in msgs)
    with office.store.unit_of_work() as s:
        from app.models.patient import Patient

        s.get(Patient, visit["patient"]).date_of_death = date(2026, 3, 1)
    data.date_of_service = DOS
    assert (
        "Date of service 03/10/2026 is after the patient's recorded date of death (03/01/2026)"
        in _messages(_review(office, visit, data))
    )


def test_dates_before_icd10_cannot_be_saved_or_started(office, visit) -> None:
    data = _good(office, visit)
    data.date_of_service = date(2015, 9, 30)
    with office.store.unit_of_work() as s, pytest.raises(ValidationError) as ei:
        enc.save(s, office.biller, visit["encounter"], data, today=TODAY)
    assert "ICD-10-CM applies to dates of service from 10/01/2015" in ei.value.message
    with office.store.unit_of_work() as s, pytest.raises(ValidationError):
        enc.start_for_patient(
            s, office.biller, visit["patient"], date(2014, 1, 2), office.provider_id
        )


def test_header_checks(office, visit) -> None:
    data = _good(office, visit)
    data.place_of_service = "88"
    data.referring_name = "Dr. Lee"
    data.referring_npi = "1234567890"
    data.referring_qualifier = ""
    data.related_auto = True
    data.auto_state = "XX"
    data.illness_date = date(2026, 3, 12)
    fields = {p.field for p in _review(office, visit, data).errors}
    assert fields == {
        "place_of_service",
        "referring_npi",
        "referring_qualifier",
        "auto_state",
        "illness_date",
    }


def test_mark_coded_posts_one_charge_per_line_to_the_payer(office, visit) -> None:
    data = _good(office, visit)
    with office.store.unit_of_work() as s:
        res = enc.mark_coded(s, office.biller, visit["encounter"], data, today=TODAY)
    assert (res.charges, res.total, res.entry_date) == (4, Decimal("245.00"), DOS)
    with office.store.session() as s:
        e = s.get(Encounter, visit["encounter"])
        assert e.status is EncounterStatus.CODED and e.coded_by == office.biller.user_id
        entries = s.execute(select(LedgerEntry).order_by(LedgerEntry.id)).scalars().all()
        assert [(x.kind, x.amount, x.party, x.policy_id, x.payer_id) for x in entries] == [
            (EntryKind.CHARGE, Decimal(a), Party.INSURANCE, visit["policy"], visit["payer"])
            for a in ("165.00", "15.00", "25.00", "40.00")
        ]
        assert {x.provider_id for x in entries} == {office.provider_id}
        assert len({x.txn for x in entries}) == 1
        lines = s.execute(select(ServiceLine).order_by(ServiceLine.line_no)).scalars().all()
        assert [x.id for x in lines] == [x.service_line_id for x in entries]
        assert lines[0].modifier1 == "25" and lines[0].pointers == "AB"
        actions = [a for (a,) in s.execute(select(AuditEvent.action))]
        assert "charges_posted" in actions and "encounter_coded" in actions
    # A coded visit cannot be edited in place.
    with office.store.unit_of_work() as s, pytest.raises(UserFacingError, match="Reopen it"):
        enc.save(s, office.biller, visit["encounter"], data, today=TODAY)


def test_mark_coded_is_refused_while_errors_remain_and_stores_nothing(office, visit) -> None:
    data = _good(office, visit)
    data.lines[1] = LineInput("36415", [], "")
    with office.store.session() as s, pytest.raises(ValidationError) as ei, s.begin():
        enc.mark_coded(s, office.biller, visit["encounter"], data, today=TODAY)
    assert ei.value.problems[0].message.startswith("Line 2: needs at least one diagnosis pointer")
    with office.store.session() as s:
        assert s.execute(select(LedgerEntry)).first() is None
        assert s.get(Encounter, visit["encounter"]).status is EncounterStatus.OPEN


def test_self_pay_charges_go_to_the_patient(office, visit) -> None:
    data = replace(_good(office, visit), policy_id=None)
    with office.store.unit_of_work() as s:
        enc.mark_coded(s, office.biller, visit["encounter"], data, today=TODAY)
    with office.store.session() as s:
        parties = {
            (x.party, x.policy_id, x.payer_id) for x in s.execute(select(LedgerEntry)).scalars()
        }
    assert parties == {(Party.PATIENT, None, None)}


def test_charges_in_a_closed_month_post_today(office, visit) -> None:
    with office.store.unit_of_work() as s:
        s.add(MonthCloseEvent(month="2026-03", action="close", user_id=office.manager.user_id))
    with office.store.unit_of_work() as s:
        res = enc.mark_coded(
            s, office.biller, visit["encounter"], _good(office, visit), today=date(2026, 4, 2)
        )
    assert res.entry_date == date(2026, 4, 2)
    with office.store.session() as s:
        memos = {x.memo for x in s.execute(select(LedgerEntry)).scalars()}
    assert memos == {"late charge for 03/10/2026"}


def test_charge_edits_by_the_biller_are_audited(office, visit) -> None:
    data = _good(office, visit)
    data.lines[0].charge = Decimal("150.00")
    with office.store.unit_of_work() as s:
        view = enc.save(s, office.biller, visit["encounter"], data, today=TODAY)
    assert view.review.lines[0].charge == Decimal("150.00")
    assert view.data.lines[0].charge == Decimal("150.00")
    assert view.data.lines[1].charge is None  # still follows the fee schedule
    with office.store.unit_of_work() as s:  # saving again is not another edit
        enc.save(s, office.biller, visit["encounter"], view.data, today=TODAY)
    with office.store.session() as s:
        edits = [
            e.details
            for e in s.execute(
                select(AuditEvent).where(AuditEvent.action == "charge_edited")
            ).scalars()
        ]
    assert edits == [
        {"line": 1, "code": "99214", "fee_schedule": "165.00", "was": None, "charge": "150.00"}
    ]


def test_reopen_reverses_the_charges_and_recoding_posts_new_ones(office, visit) -> None:
    data = _good(office, visit)
    with office.store.unit_of_work() as s:
        enc.mark_coded(s, office.biller, visit["encounter"], data, today=TODAY)
    with office.store.unit_of_work() as s, pytest.raises(ValidationError):
        enc.reopen(s, office.biller, visit["encounter"], "  ", today=TODAY)
    with office.store.unit_of_work() as s:
        enc.reopen(s, office.biller, visit["encounter"], "wrong E/M level", today=TODAY)
    with office.store.session() as s:
        view = enc.load(s, office.biller, visit["encounter"], today=TODAY)
        entries = s.execute(select(LedgerEntry)).scalars().all()
        assert len(entries) == 8
        assert sum(x.amount for x in entries) == Decimal("0.00")
        assert all(x.memo == "visit reopened: wrong E/M level" for x in entries if x.reverses_id)
    assert view.status is EncounterStatus.OPEN
    # Recode: drop the blood draw, change the E/M. Lines that carried charges
    # are never edited: they stay (removed) with their charge and reversal.
    new = view.data
    new.lines[0].code = "99213"
    del new.lines[1]
    with office.store.unit_of_work() as s:
        enc.mark_coded(s, office.biller, visit["encounter"], new, today=TODAY)
    with office.store.session() as s:
        live = enc.live_lines(s, visit["encounter"])
        assert [(x.line_no, x.code) for x in live] == [(1, "99213"), (2, "90471"), (3, "90686")]
        removed = s.execute(
            select(ServiceLine).where(ServiceLine.removed).order_by(ServiceLine.id)
        ).scalars()
        assert [(x.code, x.line_no == -x.id) for x in removed] == [
            ("99214", True),
            ("36415", True),
            ("90471", True),
            ("90686", True),
        ]
        first = {x.service_line_id for x in s.execute(select(LedgerEntry)).scalars()}
        assert {x.id for x in live}.isdisjoint(
            s.execute(
                select(LedgerEntry.service_line_id).where(LedgerEntry.reverses_id.is_not(None))
            ).scalars()
        )
        assert len(first) == 7  # 4 reversed lines + 3 new ones
        total = sum(x.amount for x in s.execute(select(LedgerEntry)).scalars())
        assert total == Decimal("180.00")  # 115 + 25 + 40
        reopened = s.execute(
            select(AuditEvent).where(AuditEvent.action == "encounter_reopened")
        ).scalar_one()
        assert reopened.details == {"reason": "wrong E/M level", "charges_reversed": 4}


def test_reopen_is_refused_while_a_claim_bills_the_visit(office, visit) -> None:
    with office.store.unit_of_work() as s:
        enc.mark_coded(s, office.biller, visit["encounter"], _good(office, visit), today=TODAY)
        claim = Claim(
            claim_no="26000042",
            encounter_id=visit["encounter"],
            patient_id=visit["patient"],
            policy_id=visit["policy"],
            payer_id=visit["payer"],
            provider_id=office.provider_id,
            date_of_service=DOS,
            status=ClaimStatus.PRINTED,
            total_charge=Decimal("245.00"),
            snapshot={},
        )
        s.add(claim)
    with office.store.unit_of_work() as s, pytest.raises(UserFacingError) as ei:
        enc.reopen(s, office.biller, visit["encounter"], "typo", today=TODAY)
    assert "claim 26000042 (printed)" in ei.value.message
    with office.store.unit_of_work() as s:
        s.execute(select(Claim)).scalar_one().status = ClaimStatus.VOIDED
    with office.store.unit_of_work() as s:
        enc.reopen(s, office.biller, visit["encounter"], "typo", today=TODAY)


def test_reopen_is_refused_while_payments_sit_on_the_lines(office, visit) -> None:
    with office.store.unit_of_work() as s:
        enc.mark_coded(s, office.biller, visit["encounter"], _good(office, visit), today=TODAY)
        line = enc.live_lines(s, visit["encounter"])[0]
        from app.services import ledger

        ledger.post(
            s,
            office.biller,
            [
                LedgerEntry(
                    entry_date=TODAY,
                    kind=EntryKind.PATIENT_PAYMENT,
                    amount=Decimal("-20.00"),
                    patient_id=visit["patient"],
                    service_line_id=line.id,
                    party=Party.PATIENT,
                )
            ],
        )
    with office.store.unit_of_work() as s, pytest.raises(UserFacingError, match="Payments"):
        enc.reopen(s, office.biller, visit["encounter"], "typo", today=TODAY)


def test_starting_from_an_appointment_bills_the_gate_policy(office, visit) -> None:
    with office.store.unit_of_work() as s:
        a = Appointment(
            patient_id=visit["patient"],
            provider_id=office.provider_id,
            day=DOS,
            start=time(9, 0),
            status=AppointmentStatus.CHECKED_IN,
            gate_outcome=GateOutcome.VERIFIED,
            policy_id=visit["policy"],
            reason="Diabetes follow-up",
        )
        b = Appointment(
            patient_id=visit["patient"],
            provider_id=office.provider_id,
            day=DOS,
            start=time(10, 0),
            status=AppointmentStatus.COMPLETED,
            self_pay=True,
            gate_outcome=GateOutcome.SELF_PAY,
        )
        c = Appointment(
            patient_id=visit["patient"],
            provider_id=office.provider_id,
            day=TODAY,
            start=time(10, 0),
            status=AppointmentStatus.SCHEDULED,
        )
        s.add_all([a, b, c])
        s.flush()
        ids = (a.id, b.id, c.id)
    with office.store.unit_of_work() as s:
        items = enc.worklist(s, office.biller)
    kinds = [(w.kind, w.id) for w in items]
    assert ("appointment", ids[0]) in kinds and ("appointment", ids[1]) in kinds
    assert ("appointment", ids[2]) not in kinds  # scheduled, not seen yet
    assert ("encounter", visit["encounter"]) in kinds
    with office.store.unit_of_work() as s:
        ea = enc.start_from_appointment(s, office.biller, ids[0])
        assert enc.start_from_appointment(s, office.biller, ids[0]) == ea  # made once
        eb = enc.start_from_appointment(s, office.biller, ids[1])
        with pytest.raises(UserFacingError, match="Only checked-in or completed visits"):
            enc.start_from_appointment(s, office.biller, ids[2])
    with office.store.session() as s:
        assert s.get(Encounter, ea).policy_id == visit["policy"]
        assert s.get(Encounter, ea).notes == "Diabetes follow-up"
        assert s.get(Encounter, eb).policy_id is None
    with office.store.unit_of_work() as s:
        left = {(w.kind, w.id) for w in enc.worklist(s, office.biller)}
    assert ("appointment", ids[0]) not in left and ("encounter", ea) in left


def test_favourites_and_copy_from_the_last_visit(office, visit) -> None:
    with office.store.unit_of_work() as s:
        enc.mark_coded(s, office.biller, visit["encounter"], _good(office, visit), today=TODAY)
        second = enc.start_for_patient(
            s, office.biller, visit["patient"], TODAY, office.provider_id, today=TODAY
        )
        data = _good(office, visit)
        data.date_of_service = TODAY
        data.lines = data.lines[:2]
        enc.mark_coded(s, office.biller, second, data, today=TODAY)
        third = enc.start_for_patient(
            s, office.biller, visit["patient"], TODAY, office.provider_id, today=TODAY
        )
    with office.store.unit_of_work() as s:
        fav = enc.favourites(s, office.biller, office.provider_id, today=TODAY)
        last = enc.last_visit(s, office.biller, visit["patient"], before_encounter_id=third)
    assert [(f.code, f.uses) for f in fav.procedures[:2]] == [("36415", 2), ("99214", 2)]
    assert {f.code for f in fav.procedures} == {"99214", "36415", "90471", "90686"}
    assert fav.procedures[1].description.startswith("Office visit, established")
    assert fav.diagnoses[0].code == "E11.9" and fav.diagnoses[0].description
    assert last is not None and last.encounter_id == second
    assert last.diagnoses == ["E11.9", "I10", "Z23"]
    assert [(x.code, x.modifiers, x.pointers, x.charge, x.line_id) for x in last.lines] == [
        ("99214", ["25"], "AB", None, None),
        ("36415", [], "A", None, None),
    ]


def test_receptionists_do_not_code(office, visit) -> None:
    with office.store.unit_of_work() as s, pytest.raises(PermissionDenied):
        enc.worklist(s, office.receptionist)
    with office.store.unit_of_work() as s, pytest.raises(PermissionDenied):
        enc.mark_coded(
            s, office.receptionist, visit["encounter"], _good(office, visit), today=TODAY
        )


def test_viewing_an_encounter_is_audited(office, visit) -> None:
    with office.store.unit_of_work() as s:
        enc.load(s, office.biller, visit["encounter"], today=TODAY)
    with office.store.session() as s:
        ev = s.execute(
            select(AuditEvent).where(AuditEvent.action == "encounter_viewed")
        ).scalar_one()
    assert ev.patient_id == visit["patient"] and ev.entity_id == str(visit["encounter"])
    assert ev.at <= datetime.now(UTC)
