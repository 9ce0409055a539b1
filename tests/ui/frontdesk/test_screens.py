"""The other front desk screens: search typeahead, Esc on a typed form,
duplicates, editing, merge, card images, payers, records opened from other
areas."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from app.models.audit import AuditEvent
from app.models.insurance import CardImage, Payer
from app.models.patient import Patient
from app.ui.frontdesk import policy_screen
from tests import factories_frontdesk as fd
from tests.ui.frontdesk.conftest import QT_NOISE

pytestmark = QT_NOISE
CTRL = Qt.KeyboardModifier.ControlModifier


def _people(office, payer_id=None):
    with office.store.unit_of_work() as s:
        john = fd.register(s, office.receptionist)
        fd.register(
            s, office.receptionist, first_name="Joan", middle_name="", dob="1/2/1980", phone_home=""
        )
        fd.register(
            s,
            office.receptionist,
            last_name="Jones",
            first_name="Smita",
            middle_name="",
            dob="7/4/1990",
            phone_home="",
        )
        if payer_id:
            pol = fd.add_policy(s, office.receptionist, john, payer_id)
            fd.verify(s, office.receptionist, pol)
    return john


def test_typeahead_search_and_open_by_keyboard(qtbot, office, window, two_payers, keys) -> None:
    john = _people(office, two_payers["prairie"])
    w, page = window(office.receptionist)
    qtbot.keyClicks(page.search.box, "smi jo")
    qtbot.waitUntil(lambda: len(page.search.hits()) == 3)
    model = page.search.model
    assert [model.index(r, 1).data() for r in range(3)] == [
        "Jones, Smita",
        "Smith, Joan",
        "Smith, John E.",
    ]
    assert [model.index(2, c).data() for c in range(6)] == [
        "100001",
        "Smith, John E.",
        "05/17/1970",
        "(217) 555-0142",
        "Prairie Health Plan",
        "Verified",
    ]
    assert page.search.status.text() == "3 patients found."
    # One more letter narrows at once.
    qtbot.keyClicks(page.search.box, "h")
    qtbot.waitUntil(lambda: len(page.search.hits()) == 1)
    # Down to the results, Enter opens.
    keys.press(w, Qt.Key.Key_Down)
    assert keys.focus(w) is page.search.table
    keys.press(w, Qt.Key.Key_Return)
    assert page.view.patient_id == john
    # Ctrl+F comes back to the box.
    keys.press(w, Qt.Key.Key_F, CTRL)
    assert keys.focus(w) is page.search.box


def test_esc_asks_only_when_something_was_typed(qtbot, office, window, keys, asked) -> None:
    w, page = window(office.receptionist)
    keys.press(w, Qt.Key.Key_N, CTRL)
    form = page.patient_form
    qtbot.waitUntil(form.isVisible)
    keys.press(form, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not form.isVisible())
    assert asked == []
    keys.press(w, Qt.Key.Key_N, CTRL)
    form = page.patient_form
    qtbot.waitUntil(form.isVisible)
    qtbot.keyClicks(keys.focus(form), "Ng")
    asked.answers[0] = False  # "Discard what you typed?" - No
    keys.press(form, Qt.Key.Key_Escape)
    assert asked == ["Discard what you typed in this form?"]
    assert form.isVisible()
    asked.answers[0] = True
    keys.press(form, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not form.isVisible())
    with office.store.unit_of_work() as s:
        assert s.execute(select(Patient)).first() is None


def test_problems_are_shown_next_to_their_fields(qtbot, office, window, keys) -> None:
    w, page = window(office.receptionist)
    keys.press(w, Qt.Key.Key_N, CTRL)
    form = page.patient_form
    qtbot.waitUntil(form.isVisible)
    keys.fill(form, ("last_name", "Ng"), ("first_name", "Ann"), ("middle_name", ""), ("suffix", ""))
    qtbot.keyClicks(keys.focus(form), "02/30/1990")
    keys.press(form, Qt.Key.Key_Return)
    assert form.isVisible()
    assert form.summary.text().startswith("6 problems to correct before saving.")
    assert (
        form.fields.problems["dob"].text()
        == "Date of birth: '02/30/1990' is not a date (type MM/DD/YYYY)"
    )
    assert form.fields.problems["zip"].text() == "ZIP is required"
    assert form.fields.problems["last_name"].isHidden()
    assert keys.focus(form).objectName() == "dob"  # the first problem gets the focus


def test_duplicate_found_on_save_opens_the_existing_patient(qtbot, office, window, keys) -> None:
    john = _people(office)
    w, page = window(office.receptionist)
    keys.press(w, Qt.Key.Key_N, CTRL)
    form = page.patient_form
    qtbot.waitUntil(form.isVisible)
    keys.fill(
        form,
        ("last_name", "Smith"),
        ("first_name", "Jon"),
        ("middle_name", ""),
        ("suffix", ""),
        ("dob", "05/17/1970"),
        ("sex", "M"),
        ("address1", "1 Elm St"),
        ("address2", ""),
        ("city", "Springfield"),
        ("state", "IL"),
    )
    qtbot.keyClicks(keys.focus(form), "62701")
    keys.press(form, Qt.Key.Key_Return)
    dup = form.duplicates
    qtbot.waitUntil(dup.isVisible)
    assert dup.model.rowCount() == 1
    assert dup.model.index(0, 0).data() == "100001"
    assert dup.model.index(0, 4).data() == "same last name and date of birth"
    keys.press(dup, Qt.Key.Key_Return)  # Open this patient
    qtbot.waitUntil(lambda: not form.isVisible())
    assert page.view.patient_id == john
    with office.store.unit_of_work() as s:
        assert len(s.execute(select(Patient)).all()) == 3


def test_edit_records_old_and_new_and_manager_sees_the_ssn(qtbot, office, window, keys) -> None:
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist, ssn="123-45-6789")
    w, page = window(office.manager)
    page.open_patient(pid)
    assert "123-45-6789" in page.view.details.text()
    keys.press(w, Qt.Key.Key_F2)
    form = page.patient_form
    qtbot.waitUntil(form.isVisible)
    assert form.banner.text() == "Smith, John E.   Account 100001   DOB 05/17/1970"
    city = form.fields.widgets["city"]
    city.setFocus()
    city.selectAll()
    qtbot.keyClicks(city, "Chatham")
    keys.press(form, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not form.isVisible())
    assert "Chatham, IL 62704" in page.view.details.text()
    with office.store.unit_of_work() as s:
        p = s.get(Patient, pid)
        assert p.city == "Chatham" and p.ssn == "123456789"  # the masked field kept it
        ev = s.execute(
            select(AuditEvent).where(AuditEvent.action == "patient_changed")
        ).scalar_one()
        assert ev.details["changes"] == {"city": ["Springfield", "Chatham"]}


def test_manager_merges_a_duplicate_from_the_patient_screen(
    qtbot, office, window, keys, asked
) -> None:
    with office.store.unit_of_work() as s:
        keep = fd.register(s, office.receptionist)
        gone = fd.register(
            s, office.receptionist, first_name="Jonny", middle_name="", phone_home=""
        )
    _w, page = window(office.manager)
    page.open_patient(keep)
    page.view.buttons["merge"].click()
    dlg = page.view.merge_dialog
    qtbot.waitUntil(dlg.isVisible)
    qtbot.keyClicks(dlg.search.box, "smith jonny")
    qtbot.waitUntil(lambda: len(dlg.search.hits()) == 1)
    keys.press(dlg, Qt.Key.Key_Return)
    assert "Account 100002" in dlg.chosen.text()
    assert keys.focus(dlg) is dlg.reason
    # Enter again without a reason: nothing merged, the reason is asked for.
    keys.press(dlg, Qt.Key.Key_Return)
    assert dlg.isVisible() and asked == []
    assert dlg.reason_problem.text() == "Reason is required: say why these are the same person"
    with office.store.unit_of_work() as s:
        assert s.get(Patient, gone).merged_into_id is None
    qtbot.keyClicks(dlg.reason, "Registered twice")
    # A merge cannot be undone: it asks first; No leaves both records alone.
    asked.answers[0] = False
    keys.press(dlg, Qt.Key.Key_Return)
    assert len(asked) == 1 and asked[0].startswith("Merge Smith, Jonny")
    assert "cannot be undone" in asked[0]
    with office.store.unit_of_work() as s:
        assert s.get(Patient, gone).merged_into_id is None
    asked.answers[0] = True
    keys.press(dlg, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dlg.isVisible())
    assert page.view.tabs.currentIndex() == 3
    assert page.view.tabs.tabText(3) == "Merged records (1)"
    assert page.view.merged_model.rows[0].account_no == "100002"
    why = [c.header for c in page.view.merged_model.columns].index("Why")
    assert page.view.merged_model.index(0, why).data() == "Registered twice"
    with office.store.unit_of_work() as s:
        assert s.get(Patient, gone).merged_into_id == keep


def test_receptionist_has_no_merge_button(qtbot, office, window) -> None:
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
    _w, page = window(office.receptionist)
    page.open_patient(pid)
    assert page.view.buttons["merge"].isHidden()


def _png() -> bytes:
    img = QImage(86, 54, QImage.Format.Format_RGB32)
    img.fill(QColor("#1565c0"))
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(QByteArray(buf.data()))


def test_card_images_from_a_file_show_in_the_policy_screen(
    qtbot, office, window, two_payers, keys, monkeypatch, tmp_path: Path
) -> None:
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
        fd.add_policy(s, office.receptionist, pid, two_payers["prairie"])
    scan = tmp_path / "scanner" / "scan0001.png"
    scan.parent.mkdir()
    scan.write_bytes(_png())
    monkeypatch.setattr(policy_screen, "choose_image_file", lambda _p, _side: scan)
    _w, page = window(office.receptionist)
    page.open_patient(pid)
    screen = page.open_insurance(pid)
    qtbot.waitUntil(screen.isVisible)
    assert screen.front.text() == "No picture"
    screen.buttons["front"].click()
    assert screen.front.pixmap() is not None and not screen.front.pixmap().isNull()
    assert screen.back.text() == "No picture"
    with office.store.unit_of_work() as s:
        img = s.execute(select(CardImage)).scalar_one()
        assert img.data == scan.read_bytes() and img.mime_type == "image/png"


def test_payer_list_starts_empty_and_a_biller_adds_one(qtbot, office, window, keys) -> None:
    w, page = window(office.biller)
    page.tabs.setCurrentWidget(page.payers)
    assert page.payers.empty.isVisible() and "No payers yet" in page.payers.empty.text()
    assert page.payers.add_button.isEnabled()
    page.payers.add_button.setFocus()
    keys.press(w, Qt.Key.Key_N, CTRL)
    form = page.payers.form
    qtbot.waitUntil(form.isVisible)
    keys.fill(
        form,
        ("name", "Lakeside Benefit Co"),
        ("payer_code", "LBC07"),
        ("program", "G"),
        ("timely_filing_days", ""),
        ("phone", "800-555-0123"),
        ("address1", "PO Box 1550"),
        ("address2", ""),
        ("city", "Milwaukee"),
        ("state", "WI"),
    )
    qtbot.keyClicks(keys.focus(form), "53202")
    keys.press(form, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not form.isVisible())
    assert not page.payers.empty.isVisible()
    m = page.payers.model
    assert [m.index(0, c).data() for c in (0, 1, 2, 5)] == [
        "Lakeside Benefit Co",
        "LBC07",
        "Group health plan",
        "365 days",
    ]
    with office.store.unit_of_work() as s:
        assert s.execute(select(Payer.zip)).scalar_one() == "53202"


def test_receptionist_cannot_add_payers(qtbot, office, window) -> None:
    _w, page = window(office.receptionist)
    assert not page.payers.add_button.isEnabled()


def test_records_opened_from_other_areas(qtbot, office, window, two_payers, messages) -> None:
    with office.store.unit_of_work() as s:
        pid = fd.register(s, office.receptionist)
        pol = fd.add_policy(s, office.receptionist, pid, two_payers["prairie"])
        appt = fd.appointment(s, pid, office.provider_id)
    w, page = window(office.biller)
    assert w.open_record("patient", pid)
    assert page.view.patient_id == pid
    assert w.open_record("policy", pol)
    qtbot.waitUntil(page.policy_screen.isVisible)
    assert page.policy_screen.current().id == pol
    page.policy_screen.accept()
    assert w.open_record("appointment", appt)
    assert page.tabs.currentWidget() is page.day_list
    assert page.day_list.current().id == appt
    assert w.open_record("payer", two_payers["heartland"])
    assert page.tabs.currentWidget() is page.payers
    qtbot.waitUntil(page.payers.form.isVisible)
    assert page.payers.form.fields.value("name") == "Heartland Mutual"
    page.payers.form.reject()
    assert not page.open_record("patient", 9999)
    assert messages[-1].startswith("That patient is not on file")
    assert not page.open_record("claim", 1)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_qt_calls_keep_their_reference_to_none(qapp) -> None:
    # PySide6 6.12.0 wheels drop a reference to None on every void call under
    # Python 3.11, and a long session dies with "deallocating None".
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.setText("x")
    assert sys.getrefcount(None) >= before - 10


def test_front_desk_table_models_pass_the_model_tester(
    qtmodeltester, qtbot, office, window, two_payers
) -> None:
    _people(office, two_payers["prairie"])
    with office.store.unit_of_work() as s:
        fd.appointment(s, 1, office.provider_id)
    _w, page = window(office.receptionist)
    qtbot.keyClicks(page.search.box, "smi")
    qtbot.waitUntil(lambda: len(page.search.hits()) == 2)
    qtmodeltester.check(page.search.model)
    page.day_list.reload()
    qtmodeltester.check(page.day_list.model)
    screen = page.open_insurance(1)
    qtmodeltester.check(screen.policy_model)
    qtmodeltester.check(screen.history_model)
    screen.accept()


def test_the_guarantor_picked_from_registered_patients_by_keyboard(
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
    picker = form.guarantor_patient
    assert not picker.box.isEnabled()  # the patient is the guarantor
    form.guarantor_self.setFocus()
    keys.press(form, Qt.Key.Key_Space)  # untick: someone else gets the statements
    keys.press(form, Qt.Key.Key_Tab)
    assert keys.focus(form) is picker.box
    qtbot.keyClicks(picker.box, "alv ro")
    qtbot.waitUntil(lambda: [h.name for h in picker.search.hits()] == ["Alvarez, Rosa E."])
    assert picker.search.table.isVisible()
    keys.press(form, Qt.Key.Key_Return)  # picks; does not save the form
    assert form.isVisible()
    assert picker.patient_id == mom
    assert picker.chosen.text() == (
        "Statements go to Alvarez, Rosa E.   Account 100001   DOB 02/03/1980"
    )
    assert not picker.search.table.isVisible()
    # Her name and address are on her record: the person's fields are off.
    widgets = form.fields.widgets
    assert not widgets["guarantor_last_name"].isEnabled()
    assert not widgets["guarantor_address1"].isEnabled()
    keys.press(form, Qt.Key.Key_Tab)
    assert keys.focus(form) is widgets["guarantor_relationship"]
    qtbot.keyClicks(widgets["guarantor_relationship"], "mother")
    keys.press(form, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not form.isVisible())
    assert "Alvarez, Rosa E.   Account 100001   DOB 02/03/1980 (mother)" in page.view.details.text()
    with office.store.unit_of_work() as s:
        p = s.get(Patient, kid)
        assert (p.guarantor_is_patient, p.guarantor_patient_id) == (False, mom)
        ev = s.execute(
            select(AuditEvent).where(AuditEvent.action == "patient_changed")
        ).scalar_one()
        assert ev.details["changes"]["guarantor_patient_id"] == [None, mom]

    # Editing again shows the pick; typing over it drops it and asks again.
    keys.press(w, Qt.Key.Key_F2)
    form = page.patient_form
    qtbot.waitUntil(form.isVisible)
    picker = form.guarantor_patient
    assert picker.patient_id == mom and picker.box.text() == "Alvarez, Rosa E."
    picker.box.setFocus()
    picker.box.selectAll()
    qtbot.keyClicks(picker.box, "nobody")
    assert picker.patient_id is None and picker.chosen.text() == ""
    assert form.fields.widgets["guarantor_last_name"].isEnabled()


def test_the_guarantor_search_leaves_out_the_patient_being_edited(
    qtbot, office, window, keys
) -> None:
    with office.store.unit_of_work() as s:
        kid = fd.register(s, office.receptionist, last_name="Alvarez", first_name="Tomas")
        fd.register(s, office.receptionist, last_name="Alvarez", first_name="Rosa", phone_home="")
    w, page = window(office.receptionist)
    page.open_patient(kid)
    keys.press(w, Qt.Key.Key_F2)
    form = page.patient_form
    qtbot.waitUntil(form.isVisible)
    form.guarantor_self.setChecked(False)
    picker = form.guarantor_patient
    picker.box.setFocus()
    qtbot.keyClicks(picker.box, "alvarez")
    qtbot.waitUntil(lambda: bool(picker.search.hits()))
    assert [h.name for h in picker.search.hits()] == ["Alvarez, Rosa E."]
    assert picker.search.status.text() == "1 patient found."
    form.dirty = False


def test_the_search_box_has_the_keyboard_when_the_front_desk_is_shown(
    qtbot, office, tmp_path
) -> None:
    # After log-in, and after Ctrl+1 from another area, the receptionist
    # types a name straight away (Ctrl+F works too): the cursor is in the
    # search box, not in the list of areas.
    from PySide6.QtWidgets import QApplication

    from app.config import Paths
    from app.ui.context import UiContext
    from app.ui.main_window import MainWindow

    w = MainWindow(UiContext(office.store, Paths(tmp_path / "data"), office.receptionist))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    page = w.open_area("frontdesk")
    assert w.current_area_key() == "frontdesk"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.search.box)

    w.nav.setFocus()
    qtbot.keyClick(w.nav, Qt.Key.Key_4, CTRL)  # Go > Payments
    assert w.current_area_key() == "payments"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1, CTRL)  # Go > Front desk
    assert w.current_area_key() == "frontdesk"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.search.box)
    qtbot.keyClicks(QApplication.focusWidget(), "smi")
    assert page.search.box.text() == "smi"
