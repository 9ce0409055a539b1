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


def _book(office, patient_id, **kw):
    data = AppointmentInput(
        patient_id=patient_id,
        provider_id=office.provider_id,
        day=kw.pop("day", TODAY),
        start=kw.pop("start", "9:30"),
        minutes=kw.pop("minutes", "20"),
        reason=kw.pop("reason", "Sore throat"),
        **kw,
    )
    with office.store.unit_of_work() as s:
        return appointments.book(s, office.receptionist, data)


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
    _book(office, patient_id, start="8:00", reason="Checkup", self_pay=True)
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


def test_move_cancel_no_show_complete(office, patient_id) -> None:
    a = _book(office, patient_id)
    b = _book(office, patient_id, start="10:00")
    c = _book(office, patient_id, start="11:00")
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
