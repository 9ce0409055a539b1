"""The coding screen driven as a biller drives it: keyboard only."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from app.config import Paths
from app.models.claims import Claim
from app.models.coding import Encounter, EncounterStatus, ServiceLine
from app.models.ledger import EntryKind, LedgerEntry, Party
from app.models.schedule import Appointment, AppointmentStatus, GateOutcome
from app.reports.cms1500 import field_map
from app.services import claims
from app.ui.coding.encounter_form import C_DESC, C_MODS, C_NDC, C_NDCQ, C_NDCU, C_PTRS
from app.ui.coding.page import CodingPage
from app.ui.context import UiContext
from app.ui.main_window import MainWindow
from tests import factories
from tests.unit.coding.support import add_fees


def _office_with_a_checked_in_visit(office):  # type: ignore[no-untyped-def]
    with office.store.unit_of_work() as s:
        add_fees(s)
        pat = factories.patient(s, "Okonkwo", "Grace", dob=date(1961, 8, 14))
        payer = factories.payer(s)
        pol = factories.policy(s, pat, payer)
        appt = Appointment(
            patient_id=pat.id,
            provider_id=office.provider_id,
            day=date.today(),
            start=time(9, 20),
            status=AppointmentStatus.CHECKED_IN,
            gate_outcome=GateOutcome.VERIFIED,
            policy_id=pol.id,
            reason="Diabetes follow-up",
        )
        s.add(appt)
        s.flush()
        return pat.id, pol.id, payer.id


def _window(qtbot, office, tmp_path):  # type: ignore[no-untyped-def]
    ctx = UiContext(office.store, Paths(tmp_path), office.biller)
    w = MainWindow(ctx, "Maple Street Family Medicine")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitActive(w)
    w.nav.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    return w


def focus():  # type: ignore[no-untyped-def]
    w = QApplication.focusWidget()
    assert w is not None
    return w


def type_text(qtbot, text: str) -> None:  # type: ignore[no-untyped-def]
    for ch in text:
        qtbot.keyClick(focus(), ch)


def key(qtbot, k, mod=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(focus(), k, mod)
    qtbot.wait(5)  # a cell editor commits on the next turn of the event loop


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_biller_codes_a_visit_with_the_keyboard_only(qtbot, office, tmp_path) -> None:
    _pat_id, pol_id, payer_id = _office_with_a_checked_in_visit(office)
    w = _window(qtbot, office, tmp_path)
    key(qtbot, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # Go > Coding
    page = w.pages.currentWidget()
    assert isinstance(page, CodingPage)
    form = page.form
    assert page.worklist.model.rowCount() == 1
    assert page.worklist.model.rows[0].patient_name.startswith("Okonkwo")

    # The worklist has the checked-in visit, highlighted; Enter opens it.
    qtbot.waitUntil(lambda: focus() is page.worklist.table)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.tabs.currentWidget() is form)
    assert "Okonkwo" in form.banner.text()
    assert form.policy.currentData() == pol_id
    assert focus() is form.dx_search.search

    # Three diagnoses: by code without the dot, by words, by code.
    type_text(qtbot, "e119")
    key(qtbot, Qt.Key.Key_Return)
    type_text(qtbot, "essential hypertension")
    key(qtbot, Qt.Key.Key_Return)
    # A category is refused, naming billable codes under it.
    type_text(qtbot, "z23")
    key(qtbot, Qt.Key.Key_Return)
    assert form.dx_codes() == ["E11.9", "I10", "Z23"]
    type_text(qtbot, "E11")
    key(qtbot, Qt.Key.Key_Return)
    assert form.dx_search.message.text().startswith("E11 is a category; pick a billable code")
    assert form.dx_codes() == ["E11.9", "I10", "Z23"]
    form.dx_search.search.clear()

    # Four lines from the fee schedule search; pointers and modifiers typed in the table.
    def add_line(code: str, pointers: str, mods: str = "") -> None:
        key(qtbot, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        assert focus() is form.proc_search
        type_text(qtbot, code)
        key(qtbot, Qt.Key.Key_Return)
        assert form.lines.currentColumn() == C_PTRS
        if pointers:
            type_text(qtbot, pointers)
            key(qtbot, Qt.Key.Key_Return)
        if mods:
            key(qtbot, Qt.Key.Key_Left)
            assert form.lines.currentColumn() == C_MODS
            type_text(qtbot, mods)
            key(qtbot, Qt.Key.Key_Return)

    add_line("99214", "AB", "25")
    add_line("36415", "A")
    add_line("90471", "C")
    add_line("90686", "")  # the pointer is forgotten
    assert form.lines.rowCount() == 4

    # The missing pointer is flagged (with nothing else wrong).
    qtbot.waitUntil(
        lambda: any(
            form.problems.item(i).text().startswith("Line 4: needs at least one diagnosis pointer")
            for i in range(form.problems.count())
        )
    )
    assert form.problems.count() == 1
    assert "1 problem to fix" in form.summary.text()
    assert form.lines.item(3, C_PTRS).background().color().name() == "#ffd6d6"
    assert form.lines.item(0, C_MODS).text() == "25"
    assert "Significant, separately identifiable E/M" in form.lines.item(0, C_MODS).toolTip()

    # Ctrl+Enter now is refused with the problem named; nothing is posted.
    shown: list[str] = []
    orig = QMessageBox.warning
    QMessageBox.warning = lambda _p, _t, text, *a, **k: shown.append(text)  # type: ignore[method-assign, assignment]
    try:
        key(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    finally:
        QMessageBox.warning = orig  # type: ignore[method-assign]
    assert shown and "Line 4: needs at least one diagnosis pointer" in shown[0]
    with office.store.session() as s:
        assert s.execute(select(LedgerEntry)).first() is None

    # Fix it: Ctrl+P, Tab into the lines, Ctrl+End (last line), Home, Right x3 (pointers).
    key(qtbot, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    key(qtbot, Qt.Key.Key_Tab)
    assert focus() is form.lines
    key(qtbot, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    key(qtbot, Qt.Key.Key_Home)
    for _ in range(3):
        key(qtbot, Qt.Key.Key_Right)
    assert (form.lines.currentRow(), form.lines.currentColumn()) == (3, C_PTRS)
    type_text(qtbot, "C")
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Ready to mark coded" in form.summary.text())
    assert form.total.text() == "Total charges: 245.00"

    key(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: form.view is not None and form.view.is_coded)
    assert "Coded" in form.status.text()
    assert "4 charges posted, total 245.00" in form.status.text()

    # The ledger on the screen shows the four charges, billed to the payer.
    model = form.ledger_model
    assert model.rowCount() == 4
    shown_rows = [
        [model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(4)
    ]
    assert [r[2] for r in shown_rows] == ["99214", "36415", "90471", "90686"]
    assert [r[5] for r in shown_rows] == ["165.00", "15.00", "25.00", "40.00"]
    assert {r[3] for r in shown_rows} == {"charge"}
    assert {r[4] for r in shown_rows} == {"Prairie Health Plan"}
    with office.store.session() as s:
        enc = s.execute(select(Encounter)).scalar_one()
        assert enc.status is EncounterStatus.CODED
        entries = s.execute(select(LedgerEntry).order_by(LedgerEntry.id)).scalars().all()
        assert [(e.kind, e.amount, e.party, e.payer_id) for e in entries] == [
            (EntryKind.CHARGE, Decimal(a), Party.INSURANCE, payer_id)
            for a in ("165.00", "15.00", "25.00", "40.00")
        ]
    # Coded: the screen is read-only and offers Reopen.
    assert not form.dx_search.search.isEnabled()
    assert form.reopen_btn.isVisible()
    # Esc goes back to the worklist, which no longer lists the visit.
    key(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.tabs.currentWidget() is page.worklist)
    assert page.worklist.model.rowCount() == 0


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_tab_reaches_the_line_buttons_and_favourites_in_screen_order(
    qtbot, office, tmp_path
) -> None:
    _office_with_a_checked_in_visit(office)
    w = _window(qtbot, office, tmp_path)
    key(qtbot, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    page = w.pages.currentWidget()
    assert isinstance(page, CodingPage)
    qtbot.waitUntil(lambda: focus() is page.worklist.table)
    key(qtbot, Qt.Key.Key_Tab)  # before: Tab walked the worklist's cells
    assert focus() is not page.worklist.table
    page.worklist.table.setFocus()
    key(qtbot, Qt.Key.Key_Return)
    form = page.form
    qtbot.waitUntil(lambda: page.tabs.currentWidget() is form)
    key(qtbot, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    key(qtbot, Qt.Key.Key_Tab)
    assert focus() is form.lines
    seen = []  # no lines yet: Tab goes on from the table (before: it stayed in it)
    for _ in range(10):
        key(qtbot, Qt.Key.Key_Tab)
        seen.append(focus().objectName())
    # Before: addLine, removeLine, favProcedures, favDiagnoses, back: the favourites
    # only after "Mark coded", the line buttons after it too.
    assert seen == [
        "addLine",
        "removeLine",
        "ndcColumns",
        "problems",
        "favProcedures",
        "favDiagnoses",
        "copyLast",
        "save",
        "markCoded",
        "back",
    ]


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_favourites_show_whole_rows_with_the_description_in_the_tooltip(
    qtbot, office, tmp_path
) -> None:
    from app.services import encounters
    from app.services.encounters import LineInput

    pat_id, pol_id, _payer = _office_with_a_checked_in_visit(office)
    with office.store.unit_of_work() as s:  # an earlier visit of the provider, coded
        day = date.today().replace(day=1)
        eid = encounters.start_for_patient(s, office.biller, pat_id, day, office.provider_id)
        data = encounters.load(s, office.biller, eid).data
        data.policy_id = pol_id
        data.diagnoses = ["E11.9"]
        data.lines = [LineInput("99214", ["25"], "A"), LineInput("36415", [], "A")]
        encounters.mark_coded(s, office.biller, eid, data)
    w = _window(qtbot, office, tmp_path)
    w.resize(1400, 860)
    page = w.open_area("coding")
    assert isinstance(page, CodingPage)
    page.worklist.reload()
    page.worklist.table.selectRow(0)
    page.worklist.open_current()
    form = page.form
    qtbot.waitUntil(lambda: form.fav_procedures.count() == 2)
    item = form.fav_procedures.item(0)
    assert item.text() == "36415  Drawing blood from a vein"
    assert item.toolTip().startswith(
        "36415 Drawing blood from a vein\nUsed 1 time by this provider in the last two years."
    )
    assert form.fav_procedures.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    # Room for eight favourites at a time (before: five, behind a sideways scroll bar).
    qtbot.waitUntil(lambda: form.fav_procedures.isVisible())
    row = form.fav_procedures.sizeHintForRow(0)
    assert form.fav_procedures.viewport().height() >= 8 * row
    assert form.fav_diagnoses.viewport().height() >= 8 * row


def _open_the_visit(qtbot, office, tmp_path):  # type: ignore[no-untyped-def]
    """The window at the size of the screenshots, on the checked-in visit."""
    w = _window(qtbot, office, tmp_path)
    w.resize(1400, 860)
    key(qtbot, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # Go > Coding
    page = w.pages.currentWidget()
    assert isinstance(page, CodingPage)
    qtbot.waitUntil(lambda: focus() is page.worklist.table)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.tabs.currentWidget() is page.form)
    return w, page.form


def _add_line(qtbot, form, code: str, pointers: str) -> None:  # type: ignore[no-untyped-def]
    key(qtbot, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, code)
    key(qtbot, Qt.Key.Key_Return)
    assert form.lines.currentColumn() == C_PTRS
    type_text(qtbot, pointers)
    key(qtbot, Qt.Key.Key_Return)


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_service_lines_give_the_description_room_and_hide_the_drug_columns(
    qtbot, office, tmp_path
) -> None:
    # Before, eleven columns shared ~800 px: the description was ~46 px
    # ("Esta...") or the table scrolled sideways.
    _office_with_a_checked_in_visit(office)
    _w, form = _open_the_visit(qtbot, office, tmp_path)
    type_text(qtbot, "e119")
    key(qtbot, Qt.Key.Key_Return)
    for code in ("99214", "36415", "90471", "90686"):
        _add_line(qtbot, form, code, "A")
    desc = form.lines.item(0, C_DESC)
    qtbot.waitUntil(lambda: desc.text() != "")
    qtbot.wait(50)
    lines = form.lines
    assert all(lines.isColumnHidden(c) for c in (C_NDC, C_NDCU, C_NDCQ))
    assert not form.ndc_toggle.isChecked()
    assert lines.columnWidth(C_DESC) >= 200
    assert not lines.horizontalScrollBar().isVisible()
    # What the biller reads: the start of the description, whole words of it.
    room = lines.columnWidth(C_DESC) - 12
    shown = lines.fontMetrics().elidedText(desc.text(), Qt.TextElideMode.ElideRight, room)
    assert desc.text() == "Office visit, established patient, moderate complexity"
    assert shown.startswith("Office visit, established")
    assert desc.toolTip() == desc.text()  # the whole of it, even when cut short

    # Ctrl+G shows the drug columns for the lines and goes to the line's NDC;
    # Ctrl+G again hides them.
    lines.setFocus()
    lines.setCurrentCell(3, C_PTRS)
    key(qtbot, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert not lines.isColumnHidden(C_NDC) and form.ndc_toggle.isChecked()
    assert (lines.currentRow(), lines.currentColumn()) == (3, C_NDC)
    assert focus() is lines
    key(qtbot, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert lines.isColumnHidden(C_NDC) and not form.ndc_toggle.isChecked()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_an_ndc_typed_on_a_drug_line_reaches_the_claim(qtbot, office, tmp_path) -> None:
    _pat_id, _pol_id, _payer_id = _office_with_a_checked_in_visit(office)
    _w, form = _open_the_visit(qtbot, office, tmp_path)
    type_text(qtbot, "m1711")  # knee osteoarthritis
    key(qtbot, Qt.Key.Key_Return)
    _add_line(qtbot, form, "20610", "A")
    assert form.lines.isColumnHidden(C_NDC)
    _add_line(qtbot, form, "J1100", "A")
    # A J-code is a drug: its NDC columns show by themselves.
    assert not any(form.lines.isColumnHidden(c) for c in (C_NDC, C_NDCU, C_NDCQ))
    assert form.ndc_toggle.isChecked()
    # The description keeps its room (the table scrolls sideways instead).
    assert form.lines.columnWidth(C_DESC) >= 200
    # Right from the pointers: units, charge, from, to, NDC.
    for _ in range(5):
        key(qtbot, Qt.Key.Key_Right)
    assert (form.lines.currentRow(), form.lines.currentColumn()) == (1, C_NDC)
    for text in ("12345-6789-01", "un", "2"):
        type_text(qtbot, text)
        key(qtbot, Qt.Key.Key_Return)
        key(qtbot, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: "Ready to mark coded" in form.summary.text())
    key(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: form.view is not None and form.view.is_coded)
    # Reopened from the store, the drug columns are still there with the NDC.
    assert form.lines.item(1, C_NDC).text() == "12345-6789-01"
    assert not form.lines.isColumnHidden(C_NDC)
    with office.store.unit_of_work() as s:
        stored = s.execute(select(ServiceLine).order_by(ServiceLine.id)).scalars().all()
        assert [(ln.code, ln.ndc, ln.ndc_unit, ln.ndc_quantity) for ln in stored] == [
            ("20610", "", "", ""),
            ("J1100", "12345678901", "UN", "2"),
        ]
        enc_id = stored[0].encounter_id
        made = claims.make_claim(s, office.biller, enc_id, today=date.today())
        (form1500,) = field_map(s.get(Claim, made.id).snapshot)
    assert [ln["24D"] for ln in form1500.lines] == ["20610", "J1100"]
    assert [ln["24_shaded"] for ln in form1500.lines] == ["", "N412345678901 UN2"]
