"""Registration, editing, viewing, duplicates and merging of patients."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.errors import PermissionDenied, ValidationError
from app.models.audit import AuditEvent
from app.models.claims import Claim
from app.models.coding import Encounter
from app.models.insurance import Policy
from app.models.ledger import LedgerEntry, Payment, PaymentMethod
from app.models.patient import Patient
from app.models.schedule import Appointment
from app.services import audit, ledger, patients
from app.services.patients import DuplicatesFound, one_digit_apart
from tests import factories
from tests import factories_frontdesk as fd


def _events(s, action, patient_id=None):
    q = select(AuditEvent).where(AuditEvent.action == action)
    if patient_id is not None:
        q = q.where(AuditEvent.patient_id == patient_id)
    return list(s.execute(q.order_by(AuditEvent.id)).scalars())


def test_registration_assigns_account_numbers_and_audits(office) -> None:
    with office.store.unit_of_work() as s:
        a = patients.register(s, office.receptionist, fd.intake())
        b = patients.register(
            s, office.receptionist, fd.intake(last_name="Okoro", phone_home="", dob="1/2/1988")
        )
    assert a.account_no == "100001"
    assert b.account_no == "100002"
    assert a.account_no in a.header and "Smith, John E." in a.header
    with office.store.unit_of_work() as s:
        p = s.get(Patient, a.id)
        assert (p.search_last, p.search_first, p.phone_home) == ("SMITH", "JOHN", "2175550142")
        assert p.dob == date(1970, 5, 17)
        rows = _events(s, "patient_registered", a.id)
        assert len(rows) == 1
        assert rows[0].username == "reception"
        assert rows[0].details["new"]["last_name"] == "Smith"
        assert rows[0].details["account_no"] == "100001"


def test_account_number_follows_the_highest_on_file(office) -> None:
    with office.store.unit_of_work() as s:
        factories.patient(s, account_no="100950")
        p = patients.register(s, office.receptionist, fd.intake(), allow_duplicate=True)
    assert p.account_no == "100951"


def test_every_problem_is_listed_at_once_and_nothing_is_saved(office) -> None:
    bad = fd.intake(
        last_name="",
        dob=(date.today() + timedelta(days=1)).strftime("%m/%d/%Y"),
        sex="",
        state="XX",
        zip="1234",
        phone_home="555-12",
        phone_mobile="(117) 555-0100",
        email="john@",
        ssn="12345",
    )
    with pytest.raises(ValidationError) as err, office.store.unit_of_work() as s:
        patients.register(s, office.receptionist, bad)
    fields = err.value.fields()
    assert fields == {
        "last_name",
        "dob",
        "sex",
        "state",
        "zip",
        "phone_home",
        "phone_mobile",
        "email",
        "ssn",
    }
    msgs = {p.field: p.message for p in err.value.problems}
    assert msgs["dob"] == "Date of birth cannot be in the future"
    assert "'XX' is not a US state" in msgs["state"]
    with office.store.unit_of_work() as s:
        assert s.execute(select(func.count()).select_from(Patient)).scalar() == 0


@pytest.mark.parametrize(
    ("dob", "message"),
    [
        ("", "Date of birth is required"),
        ("13/45/1990", "'13/45/1990' is not a date"),
        ("02/30/1990", "'02/30/1990' is not a date"),
    ],
)
def test_date_of_birth_must_be_a_real_date(office, dob, message) -> None:
    with pytest.raises(ValidationError) as err, office.store.unit_of_work() as s:
        patients.register(s, office.receptionist, fd.intake(dob=dob))
    assert err.value.fields() == {"dob"}
    assert message in err.value.problems[0].message


def test_date_of_birth_at_most_120_years_back(office) -> None:
    today = date.today()
    edge = patients._years_before(today, 120)
    ok = fd.intake(dob=edge)
    too_old = fd.intake(dob=edge - timedelta(days=1))
    patients.check_patient(ok, today=today)
    with pytest.raises(ValidationError) as err:
        patients.check_patient(too_old, today=today)
    assert "more than 120 years" in err.value.problems[0].message


def test_typed_dates_in_usual_forms(office) -> None:
    for typed in ("05/17/1970", "5/17/1970", "5-17-1970", "1970-05-17", "05171970", "5/17/70"):
        clean = patients.check_patient(fd.intake(dob=typed))
        assert clean.dob == date(1970, 5, 17), typed


def test_guarantor_other_person_needs_name_relationship_and_address(office) -> None:
    with pytest.raises(ValidationError) as err:
        patients.check_patient(fd.intake(guarantor_is_patient=False, guarantor_state="ZZ"))
    assert err.value.fields() == {
        "guarantor_last_name",
        "guarantor_first_name",
        "guarantor_relationship",
        "guarantor_address1",
        "guarantor_city",
        "guarantor_state",
        "guarantor_zip",
    }


def test_ssn_is_masked_except_for_the_office_manager(office) -> None:
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist, ssn="123-45-6789")
    with office.store.unit_of_work() as s:
        assert patients.details(s, office.receptionist, pid).ssn_shown == "***-**-6789"
        assert patients.details(s, office.biller, pid).ssn_shown == "***-**-6789"
        assert patients.details(s, office.manager, pid).ssn_shown == "123-45-6789"
        # The audit log never holds the whole number.
        row = _events(s, "patient_registered", pid)[0]
        assert row.details["new"]["ssn"] == "***-**-6789"
        assert "123456789" not in str(row.details)


def test_saving_a_masked_form_keeps_the_ssn(office) -> None:
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist, ssn="123-45-6789")
    with office.store.unit_of_work() as s:
        data = patients.details(s, office.receptionist, pid).data
        assert data.ssn is None
        data.city = "Chatham"
        patients.update(s, office.receptionist, pid, data)
    with office.store.unit_of_work() as s:
        assert s.get(Patient, pid).ssn == "123456789"
        assert s.get(Patient, pid).city == "Chatham"


def test_a_change_records_old_and_new_values(office) -> None:
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
    with office.store.unit_of_work() as s:
        data = patients.details(s, office.receptionist, pid).data
        data.address1 = "99 Elm Street"
        data.phone_mobile = "217 555 0199"
        patients.update(s, office.receptionist, pid, data)
        # Saving again without a change writes no row.
        patients.update(
            s, office.receptionist, pid, patients.details(s, office.receptionist, pid).data
        )
    with office.store.unit_of_work() as s:
        rows = _events(s, "patient_changed", pid)
        assert len(rows) == 1
        assert rows[0].details["changes"] == {
            "address1": ["12 Oak Lane", "99 Elm Street"],
            "phone_mobile": ["", "2175550199"],
        }


def test_opening_a_patient_is_an_audited_view(office) -> None:
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
    with office.store.unit_of_work() as s:
        rec = patients.open_patient(s, office.biller, pid)
    assert rec.details.account_no == "100001"
    assert rec.policies == [] and rec.visits == [] and rec.balance == Decimal("0.00")
    with office.store.unit_of_work() as s:
        rows = _events(s, "patient_viewed", pid)
        assert [r.username for r in rows] == ["biller"]
        assert audit.verify(s).ok


# ------------------------------------------------------------------ duplicates


def test_one_digit_apart() -> None:
    assert one_digit_apart(date(1970, 5, 17), date(1970, 5, 18))
    assert one_digit_apart(date(1970, 5, 17), date(1971, 5, 17))
    assert not one_digit_apart(date(1970, 5, 17), date(1970, 5, 17))
    assert not one_digit_apart(date(1970, 5, 17), date(1970, 6, 18))


def _dupes(office, **kw):
    with office.store.unit_of_work() as s:
        return patients.find_duplicates(s, office.receptionist, fd.intake(**kw))


def test_duplicate_same_last_name_and_dob(office) -> None:
    with office.store.unit_of_work() as s:
        fd.register(s, office.receptionist, first_name="Jonathan", phone_home="")
    found = _dupes(office, first_name="Jack", phone_home="")
    assert len(found) == 1
    assert found[0].reasons == ("same last name and date of birth",)


def test_duplicate_same_name_dob_one_digit_apart(office) -> None:
    with office.store.unit_of_work() as s:
        fd.register(s, office.receptionist, phone_home="")
    found = _dupes(office, dob="05/18/1970", phone_home="")
    assert [m.reasons for m in found] == [("same name, date of birth one digit apart",)]
    # Two digits apart is a different person.
    assert _dupes(office, dob="06/18/1970", phone_home="") == []
    # A different first name with a near date is not flagged by this rule.
    assert _dupes(office, first_name="Mary", dob="05/18/1970", phone_home="") == []


def test_duplicate_same_phone(office) -> None:
    with office.store.unit_of_work() as s:
        fd.register(s, office.receptionist, phone_home="", phone_mobile="217-555-0100")
    found = _dupes(
        office, last_name="Ng", first_name="Ann", dob="1/1/2001", phone_home="(217) 555-0100"
    )
    assert [m.reasons for m in found] == [("same phone (217) 555-0100",)]


def test_registration_stops_on_duplicates_until_confirmed(office) -> None:
    with office.store.unit_of_work() as s:
        first = fd.register(s, office.receptionist)
    with pytest.raises(DuplicatesFound) as err, office.store.unit_of_work() as s:
        patients.register(s, office.receptionist, fd.intake())
    assert [m.id for m in err.value.matches] == [first]
    assert "may be this person" in err.value.message
    with office.store.unit_of_work() as s:
        patients.register(s, office.receptionist, fd.intake(), allow_duplicate=True)
        assert s.execute(select(func.count()).select_from(Patient)).scalar() == 2


# ------------------------------------------------------------------ merge


def _history(s, office, pid, payer_id):
    """A policy, a visit with a claim and its ledger entries, and a copay."""
    pol = fd.add_policy(s, office.receptionist, pid, payer_id)
    appt = fd.appointment(s, pid, office.provider_id, date.today() - timedelta(days=3))
    enc = Encounter(
        patient_id=pid,
        appointment_id=appt,
        date_of_service=date.today() - timedelta(days=3),
        provider_id=office.provider_id,
        policy_id=pol,
    )
    s.add(enc)
    s.flush()
    claim = Claim(
        claim_no=f"C{pid:06d}",
        encounter_id=enc.id,
        patient_id=pid,
        policy_id=pol,
        payer_id=payer_id,
        provider_id=office.provider_id,
        date_of_service=enc.date_of_service,
        total_charge=Decimal("115.00"),
        snapshot={},
    )
    s.add(claim)
    s.flush()
    ledger.record_patient_payment(
        s,
        office.receptionist,
        patient_id=pid,
        amount=Decimal("25.00"),
        method=PaymentMethod.CASH,
        received=date.today(),
        appointment_id=appt,
    )
    return pol


def test_merge_moves_everything_and_is_visible_on_the_kept_patient(office) -> None:
    with office.store.unit_of_work() as s:
        payer = factories.payer(s).id
        keep = fd.register(s, office.receptionist)
        gone = fd.register(s, office.receptionist, first_name="Jon", phone_home="")
        _history(s, office, keep, payer)
        _history(s, office, gone, payer)
        balance_before = ledger.patient_balance(s, keep) + ledger.patient_balance(s, gone)
    with office.store.unit_of_work() as s:
        result = patients.merge(s, office.manager, keep, gone, reason="same person, typo")
    assert result.moved["appointment"] == 1
    assert result.moved["ledger_entry"] == 1
    assert result.moved["payment"] == 1
    assert result.moved["claim"] == 1
    assert result.moved["encounter"] == 1
    assert result.moved["policy"] == 1
    with office.store.unit_of_work() as s:
        for model in (Appointment, Encounter, Claim, Payment, LedgerEntry, Policy):
            left = s.execute(
                select(func.count()).select_from(model).where(model.patient_id == gone)
            ).scalar()
            assert left == 0, model.__name__
        assert ledger.patient_balance(s, keep) == balance_before
        merged = s.get(Patient, gone)
        assert merged.merged_into_id == keep and merged.active is False
        # The moved policy clashed with the kept primary: it waits out of order.
        ranks = sorted(
            (p.rank or 0)
            for p in s.execute(select(Policy).where(Policy.patient_id == keep)).scalars()
        )
        assert ranks == [0, 1]
        rec = patients.open_patient(s, office.manager, keep)
        assert [m.account_no for m in rec.merged] == [merged.account_no]
        assert rec.merged[0].merged_by == "manager"
        assert rec.merged[0].moved["ledger_entry"] == 1
        assert len(rec.visits) == 2
        ev = _events(s, "patient_merged", keep)
        assert len(ev) == 1 and ev[0].details["reason"] == "same person, typo"
        assert len(_events(s, "patient_merged_away", gone)) == 1
        assert audit.verify(s).ok


def test_only_the_office_manager_merges(office) -> None:
    with office.store.unit_of_work() as s:
        a = fd.register(s, office.receptionist)
        b = fd.register(s, office.receptionist, first_name="Jon")
    for who in (office.receptionist, office.biller):
        with pytest.raises(PermissionDenied), office.store.unit_of_work() as s:
            patients.merge(s, who, a, b, reason="same person")


def test_a_merged_record_cannot_be_edited_or_merged_again(office) -> None:
    with office.store.unit_of_work() as s:
        a = fd.register(s, office.receptionist)
        b = fd.register(s, office.receptionist, first_name="Jon")
        patients.merge(s, office.manager, a, b, reason="same person")
    from app.errors import UserFacingError

    with pytest.raises(UserFacingError), office.store.unit_of_work() as s:
        patients.update(s, office.manager, b, fd.intake())
    with pytest.raises(UserFacingError), office.store.unit_of_work() as s:
        patients.merge(s, office.manager, a, b, reason="same person")
    with pytest.raises(ValidationError), office.store.unit_of_work() as s:
        patients.merge(s, office.manager, a, a, reason="same person")


def test_a_merge_needs_a_reason_and_shows_it_later(office) -> None:
    with office.store.unit_of_work() as s:
        a = fd.register(s, office.receptionist)
        b = fd.register(s, office.receptionist, first_name="Jon")
    with pytest.raises(ValidationError) as err, office.store.unit_of_work() as s:
        patients.merge(s, office.manager, a, b, reason="  ")
    assert err.value.fields() == {"reason"}
    with office.store.unit_of_work() as s:
        assert s.get(Patient, b).merged_into_id is None  # nothing moved
        patients.merge(s, office.manager, a, b, reason="registered twice at the desk")
    with office.store.unit_of_work() as s:
        merged = patients.patient_record(s, office.manager, a).merged
        assert [m.reason for m in merged] == ["registered twice at the desk"]


# ------------------------------------------------------------------ registered guarantor


def test_a_registered_patient_as_guarantor_gets_the_statements(office) -> None:
    from app.services import statements
    from tests import factories_money as fm

    with office.store.unit_of_work() as s:
        mom = fd.register(
            s, office.receptionist, last_name="Alvarez", first_name="Rosa", dob="02/03/1980"
        )
        kid = patients.register(
            s,
            office.receptionist,
            fd.intake(
                last_name="Alvarez",
                first_name="Tomas",
                dob="06/07/2015",
                phone_home="",
                address1="1 Other Street",  # where the child lives is not where bills go
                guarantor_is_patient=False,
                guarantor_patient_id=mom,
                guarantor_relationship="mother",
                guarantor_last_name="typed by mistake",  # dropped: Rosa's own record is used
            ),
            allow_duplicate=True,
        )
        assert kid.guarantor_text.startswith("Alvarez, Rosa E.   Account 100001")
        fm.fee_items(s)
        fm.visit(
            s, s.get(Patient, kid.id), office.provider_id, date(2026, 3, 2), [("99213", "115.00")]
        )
    with office.store.unit_of_work() as s:
        p = s.get(Patient, kid.id)
        assert (p.guarantor_patient_id, p.guarantor_relationship) == (mom, "mother")
        assert p.guarantor_last_name == "" and not p.guarantor_is_patient
        row = _events(s, "patient_registered", kid.id)[0]
        assert row.details["new"]["guarantor_patient_id"] == mom
        # The statement goes to the mother, at her address, for the child's visit.
        found = statements.candidates(s, office.biller)
        assert [(c.guarantor_id, c.balance, c.patients) for c in found] == [
            (mom, Decimal("115.00"), 2)
        ]
        doc = statements.statement_docs(s, [mom], date(2026, 4, 1))[0]
        assert doc.guarantor_name == "Rosa E. Alvarez"
        assert doc.mailing_address[0] == "12 Oak Lane"
        assert [r.patient for r in doc.rows] == ["Tomas Alvarez"]
        assert ledger.guarantor_balance(s, mom) == Decimal("115.00")


def test_registered_guarantor_rules(office) -> None:
    with office.store.unit_of_work() as s:
        mom = fd.register(s, office.receptionist, last_name="Berg", first_name="Ida")
        kid = fd.register(
            s,
            office.receptionist,
            last_name="Berg",
            first_name="Ole",
            guarantor_is_patient=False,
            guarantor_patient_id=mom,
            guarantor_relationship="mother",
        )
    cases = [
        ({"guarantor_patient_id": 99999}, "not on file"),
        ({"guarantor_patient_id": kid}, "statements go to Berg, Ida E. (100001); pick"),
        ({"guarantor_patient_id": mom, "guarantor_relationship": ""}, "relationship is required"),
    ]
    for change, message in cases:
        data = fd.intake(last_name="Berg", first_name="Liv", guarantor_is_patient=False, **change)
        data.guarantor_relationship = change.get("guarantor_relationship", "aunt")
        with pytest.raises(ValidationError) as err, office.store.unit_of_work() as s:
            patients.register(s, office.receptionist, data, allow_duplicate=True)
        assert message.lower() in err.value.message.lower(), err.value.message
        # Only the guarantor's own problems: no call for a typed name or address.
        assert err.value.fields() <= {"guarantor_patient_id", "guarantor_relationship"}
    with office.store.unit_of_work() as s:
        # Yourself, or a guarantor who already has patients on their account.
        data = patients.details(s, office.receptionist, mom).data
        data.guarantor_is_patient, data.guarantor_relationship = False, "self"
        sven = fd.register(s, office.receptionist, last_name="Lund", first_name="Sven")
        for gid, message in ((mom, "pick another patient"), (sven, "guarantor of 1 other")):
            data.guarantor_patient_id = gid
            with pytest.raises(ValidationError) as err:
                patients.update(s, office.receptionist, mom, data)
            assert message in err.value.message, err.value.message
        assert s.get(Patient, mom).guarantor_patient_id is None


def test_duplicate_phone_compares_the_work_phone_too(office) -> None:
    with office.store.unit_of_work() as s:
        fd.register(s, office.receptionist, phone_home="", phone_work="217-555-0300")
    # Their work phone is the new patient's home phone ...
    found = _dupes(
        office, last_name="Ng", first_name="Ann", dob="1/1/2001", phone_home="2175550300"
    )
    assert [m.reasons for m in found] == [("same phone (217) 555-0300",)]
    # ... or the new patient's work phone is their work phone.
    found = _dupes(
        office,
        last_name="Ng",
        first_name="Ann",
        dob="1/1/2001",
        phone_home="",
        phone_work="(217) 555-0300",
    )
    assert [m.reasons for m in found] == [("same phone (217) 555-0300",)]
