"""The coverage gate at check-in, its three ways out, the lists it feeds,
and taking the copay with a receipt."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from sqlalchemy import select

from app.errors import PermissionDenied, UserFacingError, ValidationError
from app.models.audit import AuditEvent
from app.models.insurance import Policy
from app.models.ledger import EntryKind, LedgerEntry, Payment, PaymentMethod
from app.models.schedule import Appointment, AppointmentStatus, GateOutcome
from app.services import checkin, ledger, settings
from app.services.checkin import CoverageNotVerified, Way
from app.services.coverage import CoverageState
from tests import factories
from tests import factories_frontdesk as fd

TODAY = date.today()


@pytest.fixture
def visit(office):
    """A patient with a primary policy (never verified) booked for today."""
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
        payer = factories.payer(s).id
        pol = fd.add_policy(s, office.receptionist, pid, payer, copay="25.00")
        appt = fd.appointment(s, pid, office.provider_id)
    return {"patient": pid, "policy": pol, "appt": appt, "payer": payer}


def _check_in(office, actor, appt, **kw):
    with office.store.unit_of_work() as s:
        return checkin.check_in(s, actor, appt, **kw)


def _appt(office, appt):
    with office.store.unit_of_work() as s:
        return s.get(Appointment, appt)


def _events(office, action):
    with office.store.unit_of_work() as s:
        return list(
            s.execute(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            ).scalars()
        )


def test_a_verified_visit_checks_in(office, visit) -> None:
    with office.store.unit_of_work() as s:
        fd.verify(s, office.receptionist, visit["policy"], days_ago=2, copay="30.00")
    done = _check_in(office, office.receptionist, visit["appt"])
    assert done.outcome is GateOutcome.VERIFIED and done.copay_due == Decimal("30.00")
    a = _appt(office, visit["appt"])
    assert a.status is AppointmentStatus.CHECKED_IN
    assert a.gate_outcome is GateOutcome.VERIFIED and a.policy_id == visit["policy"]
    assert a.checked_in_by == office.receptionist.user_id and a.checked_in_at is not None
    ev = _events(office, "patient_checked_in")
    assert ev[0].details["outcome"] == "verified" and ev[0].patient_id == visit["patient"]


@pytest.mark.parametrize(
    ("days_ago", "result", "state"),
    [
        (None, "active", CoverageState.NEVER),
        (31, "active", CoverageState.STALE),
        (1, "inactive", CoverageState.INACTIVE),
        (1, "not_found", CoverageState.INACTIVE),
    ],
)
def test_the_gate_stops_an_unverified_visit(office, visit, days_ago, result, state) -> None:
    if days_ago is not None:
        with office.store.unit_of_work() as s:
            fd.verify(s, office.receptionist, visit["policy"], days_ago=days_ago, result=result)
    with pytest.raises(CoverageNotVerified) as err:
        _check_in(office, office.receptionist, visit["appt"])
    check = err.value.check
    assert check.state is state and not check.passes and not check.can_override
    assert "Check-in stopped" in err.value.message
    assert "verify the coverage now" in err.value.message.lower()
    assert "self-pay" in err.value.message
    a = _appt(office, visit["appt"])
    assert a.status is AppointmentStatus.SCHEDULED and a.gate_outcome is None


def test_window_edges_follow_the_office_setting(office, visit) -> None:
    with office.store.unit_of_work() as s:
        fd.verify(s, office.receptionist, visit["policy"], days_ago=30)
    with office.store.unit_of_work() as s:
        assert checkin.gate(s, office.receptionist, visit["appt"]).passes
        settings.put(s, office.manager, "verification_window_days", 29)
    with office.store.unit_of_work() as s:
        check = checkin.gate(s, office.receptionist, visit["appt"])
        assert check.state is CoverageState.STALE and check.window_days == 29


def test_policy_ending_on_the_visit_day_passes_the_day_after_does_not(office, visit) -> None:
    with office.store.unit_of_work() as s:
        fd.verify(s, office.receptionist, visit["policy"], days_ago=1)
        s.get(Policy, visit["policy"]).end_date = TODAY
    with office.store.unit_of_work() as s:
        assert checkin.gate(s, office.receptionist, visit["appt"]).passes
        s.get(Policy, visit["policy"]).end_date = TODAY - timedelta(days=1)
    with pytest.raises(CoverageNotVerified) as err:
        _check_in(office, office.receptionist, visit["appt"])
    assert err.value.check.state is CoverageState.INACTIVE
    assert "ended" in err.value.check.reason


def test_way_out_one_verify_now(office, visit) -> None:
    with pytest.raises(CoverageNotVerified):
        _check_in(office, office.receptionist, visit["appt"])
    with office.store.unit_of_work() as s:
        fd.verify(s, office.receptionist, visit["policy"])
    assert _check_in(office, office.receptionist, visit["appt"]).outcome is GateOutcome.VERIFIED


def test_way_out_two_self_pay(office, visit) -> None:
    done = _check_in(office, office.receptionist, visit["appt"], way=Way.SELF_PAY)
    assert done.outcome is GateOutcome.SELF_PAY and done.copay_due is None
    a = _appt(office, visit["appt"])
    assert a.self_pay and a.policy_id is None and a.status is AppointmentStatus.CHECKED_IN


def test_way_out_three_manager_override_with_a_reason(office, visit) -> None:
    with pytest.raises(PermissionDenied):
        _check_in(
            office, office.receptionist, visit["appt"], way=Way.OVERRIDE, override_reason="x" * 20
        )
    with pytest.raises(ValidationError) as err:
        _check_in(office, office.manager, visit["appt"], way=Way.OVERRIDE, override_reason="  ok ")
    assert err.value.fields() == {"override_reason"}
    done = _check_in(
        office,
        office.manager,
        visit["appt"],
        way=Way.OVERRIDE,
        override_reason="Payer portal down; card seen, verify this afternoon",
    )
    assert done.outcome is GateOutcome.OVERRIDE
    a = _appt(office, visit["appt"])
    assert a.override_by == office.manager.user_id and a.policy_id == visit["policy"]
    ev = _events(office, "coverage_override")
    assert len(ev) == 1 and ev[0].details["coverage"] == "never"
    assert ev[0].details["override_reason"].startswith("Payer portal down")
    with office.store.unit_of_work() as s:
        rows = checkin.unverified_visits(s, office.manager, TODAY, TODAY)
    assert [(r.visit.id, r.override_by, r.coverage_now) for r in rows] == [
        (visit["appt"], "Test Office manager", "Never verified")
    ]
    assert rows[0].override_reason.startswith("Payer portal down")


def test_override_needs_a_policy(office) -> None:
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
        appt = fd.appointment(s, pid, office.provider_id)
    with pytest.raises(CoverageNotVerified) as err:
        _check_in(office, office.receptionist, appt)
    assert "no primary policy" in err.value.message
    assert "override" not in err.value.message
    with pytest.raises(UserFacingError):
        _check_in(
            office, office.manager, appt, way=Way.OVERRIDE, override_reason="because I said so"
        )


def test_self_pay_visit_has_no_gate(office) -> None:
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
        appt = fd.appointment(s, pid, office.provider_id, self_pay=True)
    done = _check_in(office, office.receptionist, appt)
    assert done.outcome is None and _appt(office, appt).status is AppointmentStatus.CHECKED_IN


def test_only_todays_scheduled_visits_check_in(office, visit) -> None:
    with office.store.unit_of_work() as s:
        fd.verify(s, office.receptionist, visit["policy"])
        later = fd.appointment(s, visit["patient"], office.provider_id, TODAY + timedelta(days=1))
    with pytest.raises(UserFacingError, match="Move it to today"):
        _check_in(office, office.receptionist, later)
    _check_in(office, office.receptionist, visit["appt"])
    with pytest.raises(UserFacingError, match="already checked in"):
        _check_in(office, office.receptionist, visit["appt"])


def test_verify_tomorrow_lists_missing_and_stale(office, visit) -> None:
    day = TODAY + timedelta(days=1)
    with office.store.unit_of_work() as s:
        payer = visit["payer"]
        fresh = fd.register(s, office.receptionist, first_name="Ann", phone_home="")
        fresh_pol = fd.add_policy(s, office.receptionist, fresh, payer, member_id="F1")
        fd.verify(s, office.receptionist, fresh_pol, days_ago=1)
        stale = fd.register(s, office.receptionist, first_name="Bea", phone_home="")
        stale_pol = fd.add_policy(s, office.receptionist, stale, payer, member_id="S1")
        fd.verify(s, office.receptionist, stale_pol, days_ago=40)
        cash = fd.register(s, office.receptionist, first_name="Cy", phone_home="")
        for pid, hour in ((visit["patient"], 9), (fresh, 10), (stale, 11)):
            fd.appointment(s, pid, office.provider_id, day, start=time(hour))
        fd.appointment(s, cash, office.provider_id, day, self_pay=True)
    with office.store.unit_of_work() as s:
        rows = checkin.verify_tomorrow(s, office.receptionist, day)
    assert [(r.patient, r.badge) for r in rows] == [
        ("Smith, John E.", "Never verified"),
        ("Smith, Bea E.", "Stale"),
    ]


def test_take_copay_and_print_a_receipt(office, visit, tmp_path: Path) -> None:
    with office.store.unit_of_work() as s:
        fd.verify(s, office.receptionist, visit["policy"])
    _check_in(office, office.receptionist, visit["appt"])
    with office.store.unit_of_work() as s:
        taken = checkin.take_copay(
            s,
            office.receptionist,
            visit["appt"],
            amount=Decimal("30.00"),
            method=PaymentMethod.CARD,
            card_last4="4242",
        )
    with office.store.unit_of_work() as s:
        pay = s.get(Payment, taken.payment_id)
        assert pay.card_last4 == "4242" and pay.appointment_id == visit["appt"]
        entry = s.execute(select(LedgerEntry).where(LedgerEntry.payment_id == pay.id)).scalar_one()
        assert entry.kind is EntryKind.PATIENT_PAYMENT and entry.amount == Decimal("-30.00")
        assert ledger.patient_balance(s, visit["patient"]) == Decimal("-30.00")
        pdf = tmp_path / "r.pdf"
        checkin.print_receipt(s, office.receptionist, pay.id, pdf)
    with pdfplumber.open(pdf) as doc:
        text = doc.pages[0].extract_text()
    assert "RECEIPT" in text and "Smith, John E." in text and "100001" in text
    assert "$30.00" in text and "Card ending 4242" in text
    assert "Maple Street Family Medicine" in text
    # The visit's time reads as on the day list (not 09:00, not 13:20).
    assert f"payment for the visit {date.today():%m/%d/%Y} 9:00 AM with" in text
    assert "Credit on your account $30.00" in text
    assert len(_events(office, "receipt_printed")) == 1
    with office.store.unit_of_work() as s:
        checkin.save_receipt_as(s, office.receptionist, taken.payment_id, tmp_path / "keep.pdf")
    saved = _events(office, "receipt_saved")
    assert saved[0].details["path"].endswith("keep.pdf")


def test_a_full_card_number_is_never_stored(office, visit) -> None:
    _check_in(office, office.receptionist, visit["appt"], way=Way.SELF_PAY)
    with pytest.raises(ValidationError) as err, office.store.unit_of_work() as s:
        checkin.take_copay(
            s,
            office.receptionist,
            visit["appt"],
            amount=Decimal("30.00"),
            method=PaymentMethod.CARD,
            card_last4="4242424242424242",
        )
    assert err.value.fields() == {"card_last4"}
    with pytest.raises(ValidationError), office.store.unit_of_work() as s:
        checkin.take_copay(
            s,
            office.receptionist,
            visit["appt"],
            amount=Decimal("30.00"),
            method=PaymentMethod.CHECK,
            reference="4242 4242 4242 4242",
        )
    with office.store.unit_of_work() as s:
        assert s.execute(select(Payment)).first() is None


def test_copay_needs_a_checked_in_visit(office, visit) -> None:
    with (
        pytest.raises(UserFacingError, match="Check the patient in"),
        office.store.unit_of_work() as s,
    ):
        checkin.take_copay(
            s, office.receptionist, visit["appt"], amount=Decimal("5.00"), method=PaymentMethod.CASH
        )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Amount: type an amount like 25.00"),
        ("ten", "Amount: 'ten' is not an amount"),
        ("0", "Amount must be more than 0.00"),
    ],
)
def test_every_copay_problem_at_once(office, visit, typed, message) -> None:
    _check_in(office, office.receptionist, visit["appt"], way=Way.SELF_PAY)
    with pytest.raises(ValidationError) as err, office.store.unit_of_work() as s:
        checkin.take_copay(
            s, office.receptionist, visit["appt"], amount=typed, method=PaymentMethod.CHECK
        )
    assert [(p.field, p.message) for p in err.value.problems] == [
        ("amount", message),
        ("reference", "Check number is required for a check"),
    ]
    with office.store.unit_of_work() as s:
        assert s.execute(select(Payment)).first() is None
