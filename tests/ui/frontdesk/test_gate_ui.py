"""The gate on screen: stopped, and each of the three ways out."""

from __future__ import annotations

from datetime import date, time

from PySide6.QtCore import Qt
from sqlalchemy import select

from app.models.audit import AuditEvent
from app.models.schedule import Appointment, AppointmentStatus, GateOutcome
from tests import factories_frontdesk as fd
from tests.ui.frontdesk.conftest import QT_NOISE

pytestmark = QT_NOISE


def _booked(office, payer_id, **kw):
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist, **kw)
        pol = fd.add_policy(s, office.receptionist, pid, payer_id, copay="20.00")
        appt = fd.appointment(s, pid, office.provider_id)
    return pid, pol, appt


def _open_check_in(qtbot, page, appt):
    page.tabs.setCurrentWidget(page.day_list)
    page.day_list.reload()
    assert page.day_list.select(appt)
    dlg = page.day_list.check_in()
    qtbot.waitUntil(dlg.isVisible)
    return dlg


def test_stopped_then_verify_now_checks_in(qtbot, office, window, two_payers, keys) -> None:
    _, _, appt = _booked(office, two_payers["prairie"])
    _w, page = window(office.receptionist)
    dlg = _open_check_in(qtbot, page, appt)
    keys.press(dlg, Qt.Key.Key_Return)
    assert dlg.stop_box.isVisible()
    assert dlg.badge.text() == "Never verified"
    assert dlg.state.text().startswith("Check-in stopped. The primary policy (Prairie Health Plan)")
    # The receptionist sees all three ways; the override is the manager's.
    assert dlg.verify_button.isEnabled() and dlg.self_pay_button.isEnabled()
    assert not dlg.override_button.isEnabled()
    assert dlg.override_reason.placeholderText() == "Override: office manager only"
    assert keys.focus(dlg) is dlg.verify_button
    keys.press(dlg, Qt.Key.Key_Space)  # Verify now
    vd = dlg.verify_dialog
    qtbot.waitUntil(vd.isVisible)
    keys.fill(vd, ("method", "Pa"), ("result", "A"), ("representative", ""))
    qtbot.keyClicks(keys.focus(vd), "WEB-5521")
    keys.press(vd, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not vd.isVisible())
    # Saving the verification ran the check-in again, and it passed.
    qtbot.waitUntil(dlg.pay_box.isEnabled)
    assert not dlg.stop_box.isVisible()
    assert dlg.state.text() == "Checked in (Verified)."
    assert dlg.amount.text() == "20.00"
    with office.store.unit_of_work() as s:
        a = s.get(Appointment, appt)
        assert (a.status, a.gate_outcome) == (AppointmentStatus.CHECKED_IN, GateOutcome.VERIFIED)


def test_stopped_then_self_pay(qtbot, office, window, two_payers, keys) -> None:
    _, _, appt = _booked(office, two_payers["prairie"])
    _w, page = window(office.receptionist)
    dlg = _open_check_in(qtbot, page, appt)
    keys.press(dlg, Qt.Key.Key_Return)
    assert dlg.stop_box.isVisible()
    dlg.self_pay_button.setFocus()
    keys.press(dlg, Qt.Key.Key_Space)
    qtbot.waitUntil(dlg.pay_box.isEnabled)
    assert dlg.state.text() == "Checked in (Self-pay)."
    assert dlg.due.text().startswith("No copay on file")
    with office.store.unit_of_work() as s:
        a = s.get(Appointment, appt)
        assert (a.gate_outcome, a.self_pay, a.policy_id) == (GateOutcome.SELF_PAY, True, None)
    assert page.day_list.current().badge == "Self-pay"


def test_manager_override_with_a_typed_reason(
    qtbot, office, window, two_payers, keys, messages
) -> None:
    pid, _, appt = _booked(office, two_payers["prairie"])
    w, page = window(office.manager)
    dlg = _open_check_in(qtbot, page, appt)
    keys.press(dlg, Qt.Key.Key_Return)
    assert dlg.override_button.isEnabled()
    dlg.override_reason.setFocus()
    qtbot.keyClicks(dlg.override_reason, "short")
    keys.press(dlg, Qt.Key.Key_Return)
    assert "at least 10 characters" in dlg.override_problem.text()
    with office.store.unit_of_work() as s:
        assert s.get(Appointment, appt).status is AppointmentStatus.SCHEDULED
    dlg.override_reason.clear()
    qtbot.keyClicks(dlg.override_reason, "Portal down; card seen, will verify at noon")
    keys.press(dlg, Qt.Key.Key_Return)
    qtbot.waitUntil(dlg.pay_box.isEnabled)
    assert dlg.state.text() == "Checked in (Never verified)."
    keys.press(dlg, Qt.Key.Key_Escape)
    # The override is on the list, with who and why.
    page.tabs.setCurrentWidget(page.unverified)
    page.unverified.reload()
    rows = page.unverified.model.rows
    assert [(r.visit.id, r.override_by, r.override_reason) for r in rows] == [
        (appt, "Test Office manager", "Portal down; card seen, will verify at noon")
    ]
    assert page.unverified.count.text() == "1 visit checked in without verified coverage."
    with office.store.unit_of_work() as s:
        ev = s.execute(
            select(AuditEvent).where(AuditEvent.action == "coverage_override")
        ).scalar_one()
        assert ev.patient_id == pid and ev.username == "manager"
    # Enter on the row opens the patient.
    page.unverified.table.setFocus()
    page.unverified.table.selectRow(0)
    keys.press(w, Qt.Key.Key_Return)
    assert page.tabs.currentWidget() is page.patients_tab
    assert page.view.patient_id == pid


def test_verify_tomorrow_list_opens_the_verification(
    qtbot, office, window, two_payers, keys
) -> None:
    from app.services.appointments import next_office_day

    day = next_office_day(date.today())
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
        fd.add_policy(s, office.receptionist, pid, two_payers["prairie"])
        fd.appointment(s, pid, office.provider_id, day)
    w, page = window(office.receptionist)
    page.tabs.setCurrentWidget(page.verify_tomorrow)
    page.verify_tomorrow.reload()
    rows = page.verify_tomorrow.model.rows
    assert [(r.patient, r.badge) for r in rows] == [("Smith, John E.", "Never verified")]
    assert page.verify_tomorrow.count.text().startswith("1 to verify for")
    page.verify_tomorrow.table.setFocus()
    keys.press(w, Qt.Key.Key_Return)
    screen = page.policy_screen
    qtbot.waitUntil(screen.verify_dialog.isVisible)
    vd = screen.verify_dialog
    keys.fill(vd, ("method", "C"), ("result", "A"))
    keys.press(vd, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not vd.isVisible())
    keys.press(screen, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not page.verify_tomorrow.model.rows)
    assert page.verify_tomorrow.count.text().startswith("Nothing to verify")


def test_booking_over_another_visit_asks_double_book(
    qtbot, office, window, two_payers, keys, asked
) -> None:
    with office.store.unit_of_work() as s:
        ann = fd.register(s, office.receptionist, last_name="Ng", first_name="Ann", phone_home="")
        john = fd.register(s, office.receptionist)
        fd.appointment(s, john, office.provider_id, start=time(9, 30))  # 9:30-9:45
    _w, page = window(office.receptionist)
    page.tabs.setCurrentWidget(page.day_list)

    def book_ann():  # type: ignore[no-untyped-def]
        page.day_list.new(ann, "Ng, Ann")
        form = page.day_list.form
        qtbot.waitUntil(form.isVisible)
        start = form.fields.widgets["start"]
        start.setFocus()
        qtbot.keyClicks(start, "9:35")
        keys.press(form, Qt.Key.Key_Return)
        return form

    asked.answers[0] = False  # "Book it anyway?" No: back to the form, nothing saved
    form = book_ann()
    assert len(asked) == 1 and asked[0].startswith("Double-book?")
    assert "already has Smith, John E. at 9:30 AM-9:45 AM" in asked[0]
    assert form.isVisible()
    with office.store.unit_of_work() as s:
        assert len(s.execute(select(Appointment)).all()) == 1
    asked.answers[0] = True
    form.reject()  # "Discard what you typed?" Yes
    qtbot.waitUntil(lambda: not form.isVisible())

    form = book_ann()  # "Book it anyway?" Yes: booked over the other visit
    qtbot.waitUntil(lambda: not form.isVisible())
    assert [r.time_text for r in page.day_list.model.rows] == ["9:30 AM", "9:35 AM"]
    with office.store.unit_of_work() as s:
        ev = s.execute(
            select(AuditEvent).where(
                AuditEvent.action == "appointment_booked", AuditEvent.patient_id == ann
            )
        ).scalar_one()
        assert len(ev.details["double_booked"]) == 1


def test_after_booking_the_new_visit_has_the_keyboard(
    qtbot, office, window, two_payers, keys
) -> None:
    # F4 from the patient books; once saved, the day list shows the visit
    # highlighted with the keyboard on it, so Enter checks it in.
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
    w, page = window(office.receptionist)
    page.open_patient(pid)
    keys.press(w, Qt.Key.Key_F4)
    form = page.day_list.form
    qtbot.waitUntil(form.isVisible)
    keys.fill(form, ("provider_id", ""), ("day", ""), ("start", "11:15"))
    keys.press(form, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not form.isVisible())
    day = page.day_list
    assert day.current().time_text == "11:15 AM"
    assert keys.focus(day) is day.table
    keys.press(day, Qt.Key.Key_Return)
    assert day.check_in_dialog is not None
    qtbot.waitUntil(day.check_in_dialog.isVisible)
