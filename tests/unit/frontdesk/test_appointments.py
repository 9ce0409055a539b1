"""The day's appointment list: book, move, cancel, no-show, complete."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from app.errors import UserFacingError, ValidationError
from app.models.audit import AuditEvent
from app.models.schedule import Appointment, AppointmentStatus
from app.services import appointments
from app.services.appointments import AppointmentInput, next_office_day, parse_time
from app.services.coverage import CoverageState
from tests import factories
from tests import factories_frontdesk as fd

TODAY = date.today()


@pytest.fixture
def patient_id(office):
    with office.store.unit_of_work() as s:
        return fd.register(s, office.receptionist)


def _book(office, patient_id, allow=False, **kw):
    data = AppointmentInput(
        patient_id=patient_id,
        provider_id=kw.pop("provider_id", office.provider_id),
        day=kw.pop("day", TODAY),
        start=kw.pop("start", "9:30"),
        minutes=kw.pop("minutes", "20"),
        reason=kw.pop("reason", "Sore throat"),
        **kw,
    )
    with office.store.unit_of_work() as s:
        return appointments.book(s, office.receptionist, data, allow_conflicts=allow)


def _actions(s):
    return [
        e.action
        for e in s.execute(
            select(AuditEvent).where(AuditEvent.entity == "appointment").order_by(AuditEvent.id)
        ).scalars()
    ]


def test_parse_time() -> None:
    assert parse_time("9:30") == time(9, 30)
    assert parse_time("0930") == time(9, 30)
    assert parse_time("930") == time(9, 30)
    assert parse_time("2:15pm") == time(14, 15)
    assert parse_time("2 PM") == time(14, 0)
    assert parse_time("12:05 am") == time(0, 5)
    assert parse_time("14:45") == time(14, 45)
    for bad in ("25:00", "9:75", "13pm", "noon", ""):
        with pytest.raises(ValueError):
            parse_time(bad)


def test_book_and_see_the_day_list(office, patient_id) -> None:
    aid = _book(office, patient_id)
    _book(office, patient_id, start="8:00", reason="Checkup", self_pay=True, allow=True)
    with office.store.unit_of_work() as s:
        rows = appointments.day_list(s, office.receptionist, TODAY)
        assert [r.time_text for r in rows] == ["8:00 AM", "9:30 AM"]
        r = rows[1]
        assert r.id == aid and r.patient == "Smith, John E." and r.account_no == "100001"
        assert r.status_label == "Scheduled" and r.minutes == 20
        assert r.badge == "No insurance" and rows[0].badge == "Self-pay"
        assert r.provider == "Adaeze Okafor, MD"
        assert _actions(s) == ["appointment_booked", "appointment_booked"]
        # Per provider.
        assert appointments.day_list(s, office.receptionist, TODAY, office.provider_id + 1) == []


def test_day_list_shows_coverage_and_copay(office, patient_id) -> None:
    with office.store.unit_of_work() as s:
        payer = factories.payer(s).id
        pol = fd.add_policy(s, office.receptionist, patient_id, payer, copay="20.00")
    _book(office, patient_id)
    with office.store.unit_of_work() as s:
        r = appointments.day_list(s, office.receptionist, TODAY)[0]
        assert r.coverage is CoverageState.NEVER and r.badge == "Never verified"
        assert r.payer == "Prairie Health Plan" and str(r.copay_due) == "20.00"
        fd.verify(s, office.receptionist, pol, copay="35.00")
    with office.store.unit_of_work() as s:
        r = appointments.day_list(s, office.receptionist, TODAY)[0]
        # The copay the payer quoted at the verification wins.
        assert r.coverage is CoverageState.VERIFIED and str(r.copay_due) == "35.00"


def test_booking_problems(office, patient_id) -> None:
    with pytest.raises(ValidationError) as err, office.store.unit_of_work() as s:
        appointments.book(
            s,
            office.receptionist,
            AppointmentInput(
                patient_id=None,
                provider_id=None,
                day=TODAY - timedelta(days=1),
                start="25:00",
                minutes="0",
            ),
        )
    assert err.value.fields() == {"patient_id", "provider_id", "day", "start", "minutes"}


def test_a_visit_next_year_typed_with_a_two_digit_year(office, patient_id) -> None:
    # "1/5/27" typed in 2026 is next January, not 1927 ("booked in the past").
    nxt = date(TODAY.year + 1, 1, 5)
    a = _book(office, patient_id, day=f"1/5/{nxt.year % 100:02d}")
    with office.store.unit_of_work() as s:
        assert s.get(Appointment, a).day == nxt


def test_move_cancel_no_show_complete(office, patient_id) -> None:
    a = _book(office, patient_id)
    b = _book(office, patient_id, start="10:00", allow=True)
    c = _book(office, patient_id, start="11:00", allow=True)
    tomorrow = TODAY + timedelta(days=1)
    with office.store.unit_of_work() as s:
        data = appointments.appointment_input(s, office.receptionist, a)
        data.day, data.start = tomorrow, "3:15pm"
        appointments.move(s, office.receptionist, a, data)
        appointments.cancel(s, office.receptionist, b, "patient called")
        appointments.no_show(s, office.receptionist, c)
    with office.store.unit_of_work() as s:
        moved = s.get(Appointment, a)
        assert (moved.day, moved.start) == (tomorrow, time(15, 15))
        assert s.get(Appointment, b).status is AppointmentStatus.CANCELLED
        assert s.get(Appointment, c).status is AppointmentStatus.NO_SHOW
        ev = s.execute(
            select(AuditEvent).where(AuditEvent.action == "appointment_moved")
        ).scalar_one()
        assert ev.details["changes"]["start"] == ["09:30", "15:15"]
        assert _actions(s)[-2:] == ["appointment_cancelled", "appointment_no_show"]
    # Only a scheduled visit moves or cancels; a future one is not a no-show.
    with pytest.raises(UserFacingError), office.store.unit_of_work() as s:
        appointments.cancel(s, office.receptionist, b)
    with pytest.raises(UserFacingError), office.store.unit_of_work() as s:
        appointments.no_show(s, office.receptionist, a)
    # Complete needs a checked-in visit.
    with pytest.raises(UserFacingError), office.store.unit_of_work() as s:
        appointments.complete(s, office.receptionist, a)
    with office.store.unit_of_work() as s:
        s.get(Appointment, a).status = AppointmentStatus.CHECKED_IN
        appointments.complete(s, office.receptionist, a)
        assert s.get(Appointment, a).status is AppointmentStatus.COMPLETED


def test_next_office_day() -> None:
    friday = date(2026, 11, 27)
    assert next_office_day(friday) == date(2026, 11, 30)
    assert next_office_day(date(2026, 11, 30)) == date(2026, 12, 1)


# ------------------------------------------------------------------ double booking


def _second_provider(office) -> int:
    from app.models.practice import Provider

    with office.store.unit_of_work() as s:
        first = s.get(Provider, office.provider_id)
        other = Provider(
            first_name="Marcus",
            last_name="Bell",
            credentials="DO",
            npi="1003000126",
            taxonomy=first.taxonomy,
        )
        s.add(other)
        s.flush()
        return other.id


def test_an_overlapping_visit_for_the_provider_asks_double_book(office, patient_id) -> None:
    with office.store.unit_of_work() as s:
        ann = fd.register(s, office.receptionist, last_name="Ng", first_name="Ann", phone_home="")
    first = _book(office, patient_id, start="9:30", minutes="20")  # 9:30-9:50
    with pytest.raises(appointments.ScheduleConflicts) as err:
        _book(office, ann, start="9:40", minutes="15")
    assert [c.kind for c in err.value.conflicts] == ["provider"]
    assert err.value.message == (
        "Double-book?\n- Okafor, Adaeze already has Smith, John E. at 9:30 AM-9:50 AM."
    )
    with office.store.unit_of_work() as s:  # nothing stored
        assert len(appointments.day_list(s, office.receptionist, TODAY)) == 1
    # The receptionist accepts: booked, and the audit row says so.
    second = _book(office, ann, start="9:40", minutes="15", allow=True)
    with office.store.unit_of_work() as s:
        ev = s.execute(
            select(AuditEvent).where(
                AuditEvent.action == "appointment_booked", AuditEvent.entity_id == str(second)
            )
        ).scalar_one()
        assert ev.details["double_booked"] == [first] and ev.details["same_day"] == []
    # Back to back is not an overlap; a cancelled visit holds no time.
    with office.store.unit_of_work() as s:
        bob = fd.register(s, office.receptionist, last_name="Ode", first_name="Bob", phone_home="")
        cy = fd.register(s, office.receptionist, last_name="Park", first_name="Cy", phone_home="")
        appointments.cancel(s, office.receptionist, first)
    _book(office, bob, start="9:15", minutes="15")  # 9:15-9:30
    _book(office, cy, start="9:30", minutes="10")  # where the cancelled visit was, up to Ann's
    with pytest.raises(appointments.ScheduleConflicts) as err:
        _book(office, cy, start="9:50", minutes="10")  # over Ann's end, and Cy's second today
    assert [c.kind for c in err.value.conflicts] == ["provider", "patient"]


def test_the_same_patient_twice_the_same_day_is_warned(office, patient_id) -> None:
    other = _second_provider(office)
    _book(office, patient_id, start="9:30")
    with pytest.raises(appointments.ScheduleConflicts) as err:
        _book(office, patient_id, start="2:00pm", provider_id=other)
    assert [c.kind for c in err.value.conflicts] == ["patient"]
    assert err.value.message.startswith("Book another visit the same day?")
    assert "Smith, John E. is already booked on" in err.value.message
    assert "at 9:30 AM-9:50 AM with Okafor, Adaeze." in err.value.message
    # Another day is fine; another provider at the same time is fine for another patient.
    _book(office, patient_id, start="2:00pm", provider_id=other, day=TODAY + timedelta(days=1))
    with office.store.unit_of_work() as s:
        ann = fd.register(s, office.receptionist, last_name="Ng", first_name="Ann", phone_home="")
    _book(office, ann, start="9:30", provider_id=other)


def test_moving_into_an_overlap_asks_too(office, patient_id) -> None:
    with office.store.unit_of_work() as s:
        ann = fd.register(s, office.receptionist, last_name="Ng", first_name="Ann", phone_home="")
    _book(office, patient_id, start="9:30", minutes="20")
    later = _book(office, ann, start="11:00")
    with office.store.unit_of_work() as s:
        data = appointments.appointment_input(s, office.receptionist, later)
        data.reason = "Rash"  # not moved in time: nothing to ask
        appointments.move(s, office.receptionist, later, data)
    with pytest.raises(appointments.ScheduleConflicts), office.store.unit_of_work() as s:
        data = appointments.appointment_input(s, office.receptionist, later)
        data.start = "9:45"
        appointments.move(s, office.receptionist, later, data)
    with office.store.unit_of_work() as s:
        assert s.get(Appointment, later).start == time(11, 0)
        data = appointments.appointment_input(s, office.receptionist, later)
        data.start = "9:45"
        appointments.move(s, office.receptionist, later, data, allow_conflicts=True)
    with office.store.unit_of_work() as s:
        assert s.get(Appointment, later).start == time(9, 45)
