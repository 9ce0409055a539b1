"""What a receptionist met at the desk that the first tests missed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from app.models.ledger import Payment, PaymentMethod
from app.models.patient import Patient
from app.models.schedule import Appointment, AppointmentStatus
from tests import factories_frontdesk as fd
from tests.ui.frontdesk.conftest import QT_NOISE

pytestmark = QT_NOISE


def _checked_in_self_pay(qtbot, office, page, keys):  # type: ignore[no-untyped-def]
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
        appt = fd.appointment(s, pid, office.provider_id, self_pay=True)
    page.tabs.setCurrentWidget(page.day_list)
    page.day_list.reload()
    assert page.day_list.select(appt)
    dlg = page.day_list.check_in()
    qtbot.waitUntil(dlg.isVisible)
    keys.press(dlg, Qt.Key.Key_Return)  # check in
    qtbot.waitUntil(dlg.pay_box.isEnabled)
    assert keys.focus(dlg) is dlg.amount
    return pid, dlg


def test_a_whole_card_number_typed_is_refused_not_cut_to_its_first_four(
    qtbot, office, window, keys
) -> None:
    _w, page = window(office.receptionist)
    pid, dlg = _checked_in_self_pay(qtbot, office, page, keys)
    keys.fill(dlg, ("amount", "20"), ("method", "Car"), ("card_last4", "4111 1111 1111 1234"))
    keys.press(dlg, Qt.Key.Key_Return)  # Enter takes the payment
    assert dlg.pay_problems.text() == "1 problem to correct before saving."
    assert dlg.pay_marker.fields["card_last4"][1].text() == "Card: type only the last four digits"
    assert keys.focus(dlg) is dlg.card_last4
    assert dlg.card_last4.text() == ""  # the number does not stay on screen
    with office.store.unit_of_work() as s:
        assert s.execute(select(Payment).where(Payment.patient_id == pid)).first() is None
    qtbot.keyClicks(dlg.card_last4, "1234")
    keys.press(dlg, Qt.Key.Key_Return)
    assert dlg.paid.text().startswith("Payment of $20.00 recorded")
    with office.store.unit_of_work() as s:
        pay = s.execute(select(Payment).where(Payment.patient_id == pid)).scalar_one()
        assert (pay.method, pay.card_last4) == (PaymentMethod.CARD, "1234")


def test_tab_leaves_the_lists_for_the_buttons(qtbot, office, window, two_payers, keys) -> None:
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
        fd.add_policy(s, office.receptionist, pid, two_payers["prairie"])
        fd.appointment(s, pid, office.provider_id)
    _w, page = window(office.receptionist)
    # The policy screen opens with the keyboard on its list; Tab reaches
    # the buttons (before, Tab walked the list's cells and never left).
    page.open_patient(pid)
    screen = page.open_insurance(pid)
    qtbot.waitUntil(screen.isVisible)
    assert keys.focus(screen) is screen.table
    keys.press(screen, Qt.Key.Key_Tab)
    assert keys.focus(screen) is screen.buttons["add"]
    screen.accept()
    # The day list: Tab from the visits goes on to the buttons under them.
    page.tabs.setCurrentWidget(page.day_list)
    page.day_list.reload()
    page.day_list.table.setFocus()
    keys.press(page.day_list, Qt.Key.Key_Tab)
    assert keys.focus(page.day_list) is page.day_list.buttons["new"]


def _cell(fields, name):  # type: ignore[no-untyped-def]
    """(row, column, columns spanned) of a field's input on the form's grid."""
    grid = fields.grid
    row, col, _rows, cols = grid.getItemPosition(grid.indexOf(fields.widgets[name]))
    return row, col, cols


def test_the_guarantor_and_subscriber_read_like_the_patients_address(
    qtbot, office, window, two_payers
) -> None:
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
    _w, page = window(office.receptionist)
    form = page.new_patient()
    f = form.fields
    # Before, the guarantor's first name sat next to "Street" and "Line 2"
    # next to "City": the name and address zig-zagged across the rows.
    last, first = _cell(f, "guarantor_last_name"), _cell(f, "guarantor_first_name")
    assert last[0] == first[0] and last[1] < first[1]
    street, line2 = _cell(f, "guarantor_address1"), _cell(f, "guarantor_address2")
    assert street == (street[0], _cell(f, "address1")[1], _cell(f, "address1")[2])
    assert street[0] > last[0] and line2[0] > street[0] and line2[2] == street[2]
    city, state = _cell(f, "guarantor_city"), _cell(f, "guarantor_state")
    assert city[0] == state[0] > line2[0]
    form.reject()
    screen = page.open_insurance(pid)
    screen.add_policy()
    pf = screen.form.fields
    assert _cell(pf, "subscriber_address1")[2] == _cell(f, "address1")[2]  # the whole row
    assert _cell(pf, "subscriber_city")[0] == _cell(pf, "subscriber_state")[0]
    assert _cell(pf, "subscriber_city")[0] > _cell(pf, "subscriber_address1")[0]


def test_copay_problems_all_show_at_once_next_to_their_fields(qtbot, office, window, keys) -> None:
    _w, page = window(office.receptionist)
    pid, dlg = _checked_in_self_pay(qtbot, office, page, keys)
    # No amount, paid by check, no check number: before, only the amount's
    # message showed and the check number's came on the next try.
    keys.fill(dlg, ("amount", ""), ("method", "Che"), ("reference", ""))
    dlg.take_button.click()
    assert dlg.pay_problems.text() == "2 problems to correct before saving."
    assert dlg.pay_marker.fields["amount"][1].text() == "Amount: type an amount like 25.00"
    assert dlg.pay_marker.fields["reference"][1].text() == "Check number is required for a check"
    assert keys.focus(dlg) is dlg.amount
    # An amount that is not one is named with the rest too.
    dlg.amount.setText("twenty")
    dlg.take_button.click()
    assert dlg.pay_problems.text() == "2 problems to correct before saving."
    assert dlg.pay_marker.fields["amount"][1].text() == "Amount: 'twenty' is not an amount"
    assert dlg.pay_marker.fields["reference"][1].text() == "Check number is required for a check"
    with office.store.unit_of_work() as s:
        assert s.execute(select(Payment).where(Payment.patient_id == pid)).first() is None
    dlg.amount.setText("20")
    dlg.reference.setText("1042")
    dlg.take_button.click()
    assert dlg.paid.text().startswith("Payment of $20.00 recorded")
    with office.store.unit_of_work() as s:
        pay = s.execute(select(Payment).where(Payment.patient_id == pid)).scalar_one()
        assert (pay.method, pay.reference) == (PaymentMethod.CHECK, "1042")


def test_verify_tomorrow_opens_with_the_keyboard_on_the_list(
    qtbot, office, window, two_payers, keys
) -> None:
    from app.services.appointments import next_office_day

    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
        fd.add_policy(s, office.receptionist, pid, two_payers["prairie"])
        fd.appointment(s, pid, office.provider_id, next_office_day(date.today()))
    w, page = window(office.receptionist)
    tomorrow = page.verify_tomorrow
    # Alt+V from the search box: before, the keyboard landed in the date
    # box and "Enter: record the check" needed a Tab first.
    keys.press(w, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    assert page.tabs.currentWidget() is tomorrow
    assert keys.focus(w) is tomorrow.table
    assert tomorrow.table.currentIndex().row() == 0
    # The date box is still reachable: Shift+Tab twice (over "Show"), or
    # Alt+O straight to it.
    keys.press(w, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert keys.focus(w).text() == "Show"
    keys.press(w, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert keys.focus(w) is tomorrow.day_box
    tomorrow.table.setFocus()
    keys.press(w, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    assert keys.focus(w) is tomorrow.day_box
    # Back to the list by keyboard and Enter records the check.
    keys.press(w, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    keys.press(w, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    assert keys.focus(w) is tomorrow.table
    keys.press(w, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.policy_screen.verify_dialog.isVisible())
    assert page.policy_screen.verify_dialog.windowTitle() == "Record a coverage verification"


def test_verify_tomorrow_with_nothing_to_call_opens_on_the_date(
    qtbot, office, window, keys
) -> None:
    w, page = window(office.receptionist)
    keys.press(w, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    assert page.verify_tomorrow.count.text().startswith("Nothing to verify")
    assert keys.focus(w) is page.verify_tomorrow.day_box


PERSON = (
    "guarantor_last_name",
    "guarantor_first_name",
    "guarantor_address1",
    "guarantor_address2",
    "guarantor_city",
    "guarantor_state",
    "guarantor_zip",
    "guarantor_phone",
)


def test_a_picked_guarantor_leaves_no_typed_name_greyed_out(qtbot, office, window, keys) -> None:
    with office.store.unit_of_work() as s:
        mom = fd.register(
            s, office.receptionist, last_name="Alvarez", first_name="Rosa", dob="02/03/1980"
        )
        kid = fd.register(
            s, office.receptionist, last_name="Alvarez", first_name="Tomas", dob="06/07/2015"
        )
    w, page = window(office.receptionist)
    page.open_patient(kid)
    keys.press(w, Qt.Key.Key_F2)
    form = page.patient_form
    qtbot.waitUntil(form.isVisible)
    widgets = form.fields.widgets
    form.guarantor_self.setFocus()
    keys.press(form, Qt.Key.Key_Space)  # someone else gets the statements
    keys.press(form, Qt.Key.Key_Tab)
    keys.fill(
        form,
        ("guarantor_patient_id", ""),
        ("guarantor_relationship", "mother"),
        ("guarantor_last_name", "Alvarez"),
        ("guarantor_first_name", "Linda"),
        ("guarantor_address1", "12 Oak Street"),
    )
    # Then she turns out to be a patient here: picked from the search.
    picker = form.guarantor_patient
    picker.box.setFocus()
    qtbot.keyClicks(picker.box, "alv ro")
    qtbot.waitUntil(lambda: [h.name for h in picker.search.hits()] == ["Alvarez, Rosa E."])
    keys.press(form, Qt.Key.Key_Return)
    assert picker.patient_id == mom
    # Before, "Alvarez" / "Linda" / "12 Oak Street" stayed greyed out in the
    # disabled fields although none of it is stored.
    assert {n: widgets[n].text() for n in PERSON} == dict.fromkeys(PERSON, "")
    assert not widgets["guarantor_last_name"].isEnabled()
    assert widgets["guarantor_relationship"].text() == "mother"
    # Dropping the pick (typing over it) gives back what was typed.
    picker.box.selectAll()
    qtbot.keyClicks(picker.box, "x")
    assert picker.patient_id is None
    assert widgets["guarantor_last_name"].isEnabled()
    assert widgets["guarantor_first_name"].text() == "Linda"
    assert widgets["guarantor_address1"].text() == "12 Oak Street"
    # Picked again and saved: what the screen showed is what is stored.
    picker.box.clear()
    qtbot.keyClicks(picker.box, "alv ro")
    qtbot.waitUntil(lambda: [h.name for h in picker.search.hits()] == ["Alvarez, Rosa E."])
    keys.press(form, Qt.Key.Key_Return)
    assert widgets["guarantor_first_name"].text() == ""
    form.save_button.click()
    qtbot.waitUntil(lambda: not form.isVisible())
    with office.store.unit_of_work() as s:
        p = s.get(Patient, kid)
        assert p is not None
        assert (p.guarantor_patient_id, p.guarantor_relationship) == (mom, "mother")
        assert (p.guarantor_last_name, p.guarantor_first_name, p.guarantor_address1) == ("", "", "")


def test_ticking_the_patient_as_guarantor_empties_what_will_not_be_kept(
    qtbot, office, window, keys
) -> None:
    with office.store.unit_of_work() as s:
        mom = fd.register(
            s, office.receptionist, last_name="Alvarez", first_name="Rosa", dob="02/03/1980"
        )
        kid = fd.register(
            s, office.receptionist, last_name="Alvarez", first_name="Tomas", dob="06/07/2015"
        )
    w, page = window(office.receptionist)
    page.open_patient(kid)
    keys.press(w, Qt.Key.Key_F2)
    form = page.patient_form
    qtbot.waitUntil(form.isVisible)
    widgets = form.fields.widgets
    form.guarantor_self.setFocus()
    keys.press(form, Qt.Key.Key_Space)  # someone else gets the statements
    keys.press(form, Qt.Key.Key_Tab)
    keys.fill(
        form,
        ("guarantor_patient_id", ""),
        ("guarantor_relationship", "father"),
        ("guarantor_last_name", "Alvarez"),
        ("guarantor_first_name", "Marco"),
        ("guarantor_address1", "12 Oak Street"),
    )
    shown = lambda: {n: widgets[n].text() for n in ("guarantor_relationship", *PERSON)}  # noqa: E731
    typed = shown()
    # The patient is the guarantor after all: nothing of Marco is stored,
    # so nothing of him stays greyed out on the screen.
    form.guarantor_self.setFocus()
    keys.press(form, Qt.Key.Key_Space)
    assert form.guarantor_self.isChecked()
    assert shown() == dict.fromkeys(typed, "")
    assert not widgets["guarantor_last_name"].isEnabled()
    # Unticked again: what was typed comes back.
    keys.press(form, Qt.Key.Key_Space)
    assert shown() == typed and widgets["guarantor_first_name"].isEnabled()

    # A picked registered guarantor is dropped from view the same way, and comes back.
    picker = form.guarantor_patient
    picker.box.setFocus()
    qtbot.keyClicks(picker.box, "alv ro")
    qtbot.waitUntil(lambda: [h.name for h in picker.search.hits()] == ["Alvarez, Rosa E."])
    keys.press(form, Qt.Key.Key_Return)
    assert picker.patient_id == mom
    form.guarantor_self.setFocus()
    keys.press(form, Qt.Key.Key_Space)
    assert picker.patient_id is None and picker.box.text() == "" and picker.chosen.text() == ""
    assert shown() == dict.fromkeys(typed, "")
    keys.press(form, Qt.Key.Key_Space)
    assert picker.patient_id == mom and picker.box.text() == "Alvarez, Rosa E."
    assert "Statements go to Alvarez, Rosa E." in picker.chosen.text()
    assert widgets["guarantor_relationship"].text() == "father"
    assert widgets["guarantor_first_name"].text() == ""  # as when she was picked
    # Dropping the pick still gives back Marco, typed before the pick.
    picker.box.selectAll()
    qtbot.keyClicks(picker.box, "x")
    assert widgets["guarantor_first_name"].text() == "Marco"

    # Ticked and saved: what the screen shows is what is stored.
    form.guarantor_self.setFocus()
    keys.press(form, Qt.Key.Key_Space)
    form.save_button.click()
    qtbot.waitUntil(lambda: not form.isVisible())
    with office.store.unit_of_work() as s:
        p = s.get(Patient, kid)
        assert p is not None and p.guarantor_is_patient
        assert (p.guarantor_relationship, p.guarantor_first_name, p.guarantor_patient_id) == (
            "",
            "",
            None,
        )


def test_esc_in_check_in_asks_only_when_something_was_typed(
    qtbot, office, window, two_payers, keys, asked
) -> None:
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
        fd.add_policy(s, office.receptionist, pid, two_payers["prairie"], copay="20.00")
        appt = fd.appointment(s, pid, office.provider_id)
    _w, page = window(office.manager)

    def open_dialog():  # type: ignore[no-untyped-def]
        page.tabs.setCurrentWidget(page.day_list)
        page.day_list.reload()
        assert page.day_list.select(appt)
        dlg = page.day_list.check_in()
        qtbot.waitUntil(dlg.isVisible)
        return dlg

    # Nothing typed: Esc closes at once.
    dlg = open_dialog()
    keys.press(dlg, Qt.Key.Key_Return)  # stopped by the gate
    assert dlg.stop_box.isVisible()
    keys.press(dlg, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dlg.isVisible())
    assert asked == []
    # An override reason typed: Esc asks first (before, it closed and the
    # reason was lost); No keeps the dialog and the reason.
    dlg = open_dialog()
    keys.press(dlg, Qt.Key.Key_Return)
    dlg.override_reason.setFocus()
    qtbot.keyClicks(dlg.override_reason, "Portal down; card seen")
    asked.answers[0] = False
    keys.press(dlg, Qt.Key.Key_Escape)
    assert asked == ["Discard what you typed in this form?"]
    assert dlg.isVisible() and dlg.override_reason.text() == "Portal down; card seen"
    # The Close button asks the same.
    dlg.findChild(QPushButton, "closeCheckIn").click()
    assert len(asked) == 2 and dlg.isVisible()
    asked.answers[0] = True
    keys.press(dlg, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dlg.isVisible())
    with office.store.unit_of_work() as s:
        assert s.get(Appointment, appt).status is AppointmentStatus.SCHEDULED
    # Checked in with the reason: nothing typed is pending, Esc closes at once;
    # a check number typed but not taken asks again.
    asked.clear()
    dlg = open_dialog()
    keys.press(dlg, Qt.Key.Key_Return)
    dlg.override_reason.setFocus()
    qtbot.keyClicks(dlg.override_reason, "Portal down; card seen, verify at noon")
    dlg.override_button.click()
    qtbot.waitUntil(dlg.pay_box.isEnabled)
    assert dlg.amount.text() == "20.00"
    keys.press(dlg, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dlg.isVisible())
    assert asked == []
    dlg = open_dialog()
    qtbot.waitUntil(dlg.pay_box.isEnabled)
    keys.fill(dlg, ("amount", ""), ("method", "Che"), ("reference", "1042"))
    asked.answers[0] = False
    keys.press(dlg, Qt.Key.Key_Escape)
    assert asked == ["Discard what you typed in this form?"] and dlg.isVisible()
    keys.press(dlg, Qt.Key.Key_Return)  # takes the payment
    qtbot.waitUntil(lambda: dlg.payment is not None)
    keys.press(dlg, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dlg.isVisible())
    assert len(asked) == 1
    with office.store.unit_of_work() as s:
        pay = s.execute(select(Payment).where(Payment.patient_id == pid)).scalar_one()
        assert (pay.amount, pay.reference) == (Decimal("20.00"), "1042")


def test_enter_on_the_override_reason_checks_in_and_takes_no_money(
    qtbot, office, window, two_payers, keys
) -> None:
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
        fd.add_policy(s, office.receptionist, pid, two_payers["prairie"], copay="20.00")
        appt = fd.appointment(s, pid, office.provider_id)
    _w, page = window(office.manager)
    page.tabs.setCurrentWidget(page.day_list)
    page.day_list.reload()
    assert page.day_list.select(appt)
    dlg = page.day_list.check_in()
    qtbot.waitUntil(dlg.isVisible)
    keys.press(dlg, Qt.Key.Key_Return)  # stopped by the gate
    dlg.override_reason.setFocus()
    qtbot.keyClicks(dlg.override_reason, "Portal down; card seen, verify at noon")
    keys.press(dlg, Qt.Key.Key_Return)
    qtbot.waitUntil(dlg.pay_box.isEnabled)
    # Before, the same Enter went on to the copay's default button and
    # recorded a $20.00 payment the receptionist never saw or took.
    assert dlg.payment is None and dlg.paid.text() == ""
    assert dlg.amount.text() == "20.00" and keys.focus(dlg) is dlg.amount
    with office.store.unit_of_work() as s:
        assert s.get(Appointment, appt).status is AppointmentStatus.CHECKED_IN
        assert s.execute(select(Payment).where(Payment.patient_id == pid)).first() is None
    keys.press(dlg, Qt.Key.Key_Return)  # now Enter takes it
    qtbot.waitUntil(lambda: dlg.payment is not None)
    with office.store.unit_of_work() as s:
        pay = s.execute(select(Payment).where(Payment.patient_id == pid)).scalar_one()
        assert pay.amount == Decimal("20.00")
