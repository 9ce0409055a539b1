"""The patient's account on the front desk's patient screen: what the
patient owes and what insurance has yet to pay (from the ledger), the
statement printed from there (the Payments area's statement, recorded and
audited the same way), the jump to the ledger, and what a receptionist may
not do."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pdfplumber
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from app.models.audit import AuditEvent
from app.models.patient import Patient
from app.models.statements import Statement
from app.money import money
from app.ui.payments import ar_pages
from tests import factories
from tests import factories_money as fm
from tests.ui.frontdesk.conftest import QT_NOISE

pytestmark = QT_NOISE
DOS = date.today() - timedelta(days=40)


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html).replace("&nbsp;", " "))


def _recorded(office, pid: int, action: str) -> tuple[list, int]:  # type: ignore[no-untyped-def]
    """The balances of the statements recorded as sent, and how many
    ``action`` audit rows the patient has."""
    with office.store.session() as s:
        balances = s.execute(select(Statement.balance)).scalars().all()
        n = s.execute(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.patient_id == pid)
        ).scalar()
    return list(balances), n


def _patient_with_a_balance(office) -> int:  # type: ignore[no-untyped-def]
    """115.00 the patient owes (a self-pay visit) and 130.00 insurance has
    yet to pay (a visit billed to the policy)."""
    with office.store.unit_of_work() as s:
        fm.fee_items(s)
        pat = factories.patient(s, "Ortega", "Luz")
        pol = factories.policy(s, pat, factories.payer(s, "Prairie Health Plan"), copay=None)
        fm.visit(s, pat, office.provider_id, DOS, [("99213", "115.00")])
        fm.visit(s, pat, office.provider_id, DOS, [("99214", "130.00")], pol)
        return pat.id


def test_the_balance_a_printed_statement_and_the_ledger_from_the_patient_screen(
    qtbot, office, window, keys, paper
) -> None:
    pid = _patient_with_a_balance(office)
    w, page = window(office.biller)
    assert page.open_patient(pid)
    view = page.view
    assert _plain(view.balance.text()) == "Patient owes $115.00 Insurance pending $130.00"

    # F6 (Print statement): the print dialog, then the statement of the account.
    keys.press(w, Qt.Key.Key_F6)
    paper.wait(qtbot)
    assert paper.titles == ["statement"] and paper.pages() == 1
    text = paper.texts[-1]
    assert "Ortega" in text and "115.00" in text
    assert re.search(r"amount due.*115\.00", text, re.IGNORECASE | re.DOTALL)
    assert not paper.sources[-1].exists()  # the print-only copy is gone
    assert "The statement went to the printer (1 page(s))" in view.account_result.text()
    assert _recorded(office, pid, "statement_printed") == ([money("115.00")], 1)

    # F7 (Open ledger): the Payments area shows this patient's ledger.
    view.setFocus()
    keys.press(w, Qt.Key.Key_F7)
    payments = w.open_area("payments")
    assert w.current_area_key() == "payments"
    assert payments.tabs.currentWidget() is payments.ledger
    assert payments.ledger.patient_id == pid
    assert "patient owes 115.00, insurance owes 130.00" in payments.ledger.header.text()


def test_the_statement_saved_as_a_pdf_from_the_patient_screen(
    qtbot, office, window, tmp_path, monkeypatch
) -> None:
    pid = _patient_with_a_balance(office)
    _w, page = window(office.biller)
    page.open_patient(pid)
    target = tmp_path / "ortega-statement.pdf"
    monkeypatch.setattr(ar_pages, "choose_pdf_path", lambda *_a: target)
    qtbot.mouseClick(page.view.buttons["save_statement"], Qt.MouseButton.LeftButton)
    with pdfplumber.open(target) as pdf:
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    assert re.search(r"amount due.*115\.00", text, re.IGNORECASE | re.DOTALL)
    assert "saved as ortega-statement.pdf" in page.view.account_result.text()
    assert _recorded(office, pid, "file_saved") == ([money("115.00")], 1)


def test_a_cancelled_print_dialog_records_no_statement(qtbot, office, window, paper) -> None:
    pid = _patient_with_a_balance(office)
    _w, page = window(office.manager)
    page.open_patient(pid)
    paper.cancel = True
    qtbot.mouseClick(page.view.buttons["statement"], Qt.MouseButton.LeftButton)
    assert "not printed; nothing was recorded" in page.view.account_result.text()
    with office.store.session() as s:
        assert s.execute(select(func.count()).select_from(Statement)).scalar() == 0


def test_a_receptionist_sees_the_balance_but_may_not_print_statements(
    qtbot, office, window, keys, paper
) -> None:
    pid = _patient_with_a_balance(office)
    w, page = window(office.receptionist)
    page.open_patient(pid)
    view = page.view
    assert "Patient owes $115.00" in _plain(view.balance.text())
    stmt = view.buttons["statement"]
    assert stmt.isVisible() and not stmt.isEnabled()
    assert "Receptionist" in stmt.toolTip() and "prints statements" in stmt.toolTip()
    assert view.buttons["save_statement"].isHidden()
    keys.press(w, Qt.Key.Key_F6)
    assert paper.titles == []
    # The receptionist takes payments, so the ledger is one key away.
    assert view.buttons["ledger"].isEnabled()


def test_a_payment_elsewhere_updates_the_balance_shown(qtbot, office, window) -> None:
    pid = _patient_with_a_balance(office)
    _w, page = window(office.biller)
    page.open_patient(pid)
    with office.store.unit_of_work() as s:
        fm.visit(s, s.get(Patient, pid), office.provider_id, DOS, [("36415", "15.00")])
    page.ctx.changed.emit("encounters")  # the visit coded: its charge posted
    assert _plain(page.view.balance.text()).startswith("Patient owes $130.00")
    with office.store.unit_of_work() as s:
        fm.visit(s, s.get(Patient, pid), office.provider_id, DOS, [("85025", "20.00")])
    page.ctx.changed.emit("ledger")
    assert _plain(page.view.balance.text()).startswith("Patient owes $150.00")


def test_a_long_statement_outcome_does_not_widen_the_patient_screen(qtbot, office, window) -> None:
    pid = _patient_with_a_balance(office)
    w, page = window(office.biller)
    assert page.open_patient(pid)
    view = page.view
    qtbot.wait(50)
    before = (w.width(), view.account_result.minimumSizeHint().width())
    view._say("The statement was not printed; nothing was recorded. " * 3, ok=False)
    qtbot.wait(50)
    assert view.account_result.minimumSizeHint().width() <= before[1] + 200
    assert w.width() == before[0]
    assert "nothing was recorded" in view.account_result.text()
