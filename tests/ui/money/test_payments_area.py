"""The Payments area driven as the biller and the office manager would: post
an EOB with a contractual adjustment and a coinsurance line and see the claim
become paid and the patient's balance appear; take a patient payment that
must be applied or left as credit; print statements off the GUI thread (and
cancel); pay a vendor bill."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pdfplumber
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit, QPushButton
from sqlalchemy import func, select

from app.config import Paths
from app.models.audit import AuditEvent
from app.models.claims import Claim, ClaimStatus
from app.models.ledger import Party
from app.models.patient import Patient
from app.models.payables import BillPayment, ExpenseCategory
from app.models.statements import Statement
from app.money import money
from app.services import ledger, statements
from app.services import payables as ap
from app.ui.context import UiContext
from app.ui.main_window import MainWindow
from app.ui.payments import ar_pages
from app.ui.payments.eob import C_ALLOWED, C_COINS, C_PAID
from tests import factories
from tests import factories_money as fm

DOS = date.today() - timedelta(days=40)


def _window(qtbot, office, tmp_path, actor) -> MainWindow:
    ctx = UiContext(office.store, Paths(tmp_path), actor)
    w = MainWindow(ctx, "Maple Street Family Medicine")
    qtbot.addWidget(w)

    return w


def _type_cell(qtbot, grid, row: int, col: int, text: str) -> None:
    """Type into a grid cell as a person does: the first key opens the cell's
    editor, the rest go into it, Enter commits."""
    grid.setCurrentCell(row, col)
    qtbot.keyClick(grid, text[0])
    editors = [e for e in grid.viewport().findChildren(QLineEdit) if e.isVisibleTo(grid)]
    assert len(editors) == 1, "typing a key should open the cell's editor"
    qtbot.keyClicks(editors[0], text[1:])
    qtbot.keyClick(editors[0], Qt.Key.Key_Return)
    # The delegate commits on the next turn of the event loop.
    qtbot.waitUntil(lambda: grid.item(row, col).text() == text, timeout=2000)


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on show()
def test_post_an_eob_with_contractual_and_coinsurance(qtbot, office, tmp_path, monkeypatch) -> None:
    with office.store.unit_of_work() as s:
        fm.fee_items(s)
        payer = factories.payer(s, "Prairie Health Plan")
        pat = factories.patient(s, "Rivera", "Ana")
        pol = factories.policy(s, pat, payer, copay=None)
        v = fm.visit(
            s, pat, office.provider_id, DOS, [("99213", "115.00"), ("36415", "15.00")], pol
        )
        claim = fm.claim(s, v, pol, claim_no="260000123")
        pat_id, claim_id = pat.id, claim.id

    w = _window(qtbot, office, tmp_path, office.biller)
    w.show()  # shortcuts (Ctrl+Enter posts) need a shown, active window
    qtbot.waitExposed(w)
    w.activateWindow()
    page = w.open_area("payments")
    eob = page.eob
    assert page.tabs.currentWidget() is eob

    # The check: payer, number, amount, received; Enter in the amount records it.
    eob.payer_combo.setCurrentIndex(eob.payer_combo.findText("Prairie Health Plan"))
    qtbot.keyClicks(eob.check_no, "EFT-88120")
    eob.method_combo.setCurrentIndex(1)
    qtbot.keyClicks(eob.check_amount, "76.00")
    qtbot.keyClick(eob.check_amount, Qt.Key.Key_Return)
    assert "EFT-88120" in eob.check_combo.currentText()
    assert "amount 76.00 - posted 0.00 - left 76.00" in eob.check_status.text()

    # The claim, by number.
    qtbot.keyClicks(eob.claim_search, "260000123")
    qtbot.keyClick(eob.claim_search, Qt.Key.Key_Return)
    assert "Claim 260000123" in eob.claim_label.text()
    assert eob.grid.rowCount() == 2
    assert eob.grid.item(0, 4).text() == "115.00"  # what the payer owes

    # Line 1: allowed 80.00 (the 35.00 contractual fills itself), paid 64.00,
    # coinsurance 16.00. Line 2: allowed 12.00, paid 12.00.
    _type_cell(qtbot, eob.grid, 0, C_ALLOWED, "80.00")
    assert eob.grid.item(0, 10).text() == "35.00"
    _type_cell(qtbot, eob.grid, 0, C_PAID, "64.00")
    _type_cell(qtbot, eob.grid, 0, C_COINS, "16.00")
    _type_cell(qtbot, eob.grid, 1, C_ALLOWED, "12.00")
    _type_cell(qtbot, eob.grid, 1, C_PAID, "12.00")
    text = eob.preview.text()
    assert "Paid <b>76.00</b>" in text and "adjusted <b>38.00</b>" in text
    assert "to Patient <b>16.00</b>" in text and "left with payer <b>0.00</b>" in text
    assert "The claim becomes <b>Paid</b>" in text
    assert "this claim 76.00 - left after 0.00" in eob.check_status.text()
    with office.store.session() as s:  # nothing saved by the preview
        assert ledger.patient_balance(s, pat_id) == money("130.00")

    qtbot.keyClick(eob.grid, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "Claim 260000123 is now Paid" in eob.result.text()
    assert "Rivera, Ana owes 16.00" in eob.result.text()
    with office.store.session() as s:
        assert s.get(Claim, claim_id).status is ClaimStatus.PAID
        assert ledger.patient_balance(s, pat_id, Party.PATIENT) == money("16.00")
        assert ledger.patient_balance(s, pat_id, Party.INSURANCE) == money("0.00")
    assert eob.grid.item(0, 4).text() == "0.00"
    # The check is fully posted and leaves the open list.
    assert "EFT-88120" not in " ".join(
        eob.check_combo.itemText(i)
        for i in range(eob.check_combo.count())
        if i != eob.check_combo.currentIndex()
    )

    # The patient's ledger shows the balance line by line.
    page.show_ledger(pat_id)
    assert page.tabs.currentWidget() is page.ledger
    assert "patient owes 16.00" in page.ledger.header.text()
    assert page.ledger.rows.rows()[-1].balance == money("16.00")

    # Keyed against the wrong claim: reversed, and the line under the buttons
    # says so (before, it went blank: the claim's reload cleared it).
    page.tabs.setCurrentWidget(eob)
    eob.load_claim(claim_id)
    monkeypatch.setattr(QInputDialog, "getItem", lambda _p, _t, _l, items, *a: (items[0], True))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Wrong claim", True))
    qtbot.mouseClick(eob.reverse_btn, Qt.MouseButton.LeftButton)
    assert eob.result.text() == (
        f"Reversed the {date.today():%m/%d/%Y} posting of EFT EFT-88120 (paid 76.00). "
        "Claim 260000123 is Printed again."
    )
    with office.store.session() as s:
        assert s.get(Claim, claim_id).status is ClaimStatus.PRINTED
        assert ledger.patient_balance(s, pat_id) == money("130.00")


def test_patient_payment_is_applied_or_left_as_credit(qtbot, office, tmp_path, paper) -> None:
    with office.store.unit_of_work() as s:
        pat = factories.patient(s, "Nguyen", "Bao")
        v = fm.visit(s, pat, office.provider_id, DOS, [("99213", "115.00")])
        pat_id = pat.id
    w = _window(qtbot, office, tmp_path, office.receptionist)
    page = w.open_area("payments")
    pp = page.patient
    page.tabs.setCurrentWidget(pp)
    qtbot.keyClicks(pp.finder.search, "nguyen")
    qtbot.keyClick(pp.finder.search, Qt.Key.Key_Return)
    assert "owes 115.00" in pp.account_label.text()
    qtbot.keyClicks(pp.amount, "150")
    assert pp.lines.item(0, 4).text() == "115.00"  # oldest first
    assert "unapplied 35.00" in pp.running.text()
    assert not pp.save_btn.isEnabled()
    qtbot.keyClick(pp.amount, Qt.Key.Key_Return)  # Enter does not save it half-applied
    with office.store.session() as s:
        assert ledger.patient_balance(s, pat_id) == money("115.00")
    pp.leave_credit.setChecked(True)
    assert pp.save_btn.isEnabled()
    qtbot.keyClick(pp.amount, Qt.Key.Key_Return)
    assert "150.00 received, 115.00 applied, 35.00 left as credit" in pp.result.text()
    with office.store.session() as s:
        assert ledger.line_balance(s, v.line_ids[0]) == money("0.00")
        assert ledger.patient_balance(s, pat_id) == money("-35.00")
    assert pp.history.rows()[0].credit == money("35.00")

    # The receipt (the front desk's receipt writer), sent to the printer.
    qtbot.mouseClick(pp.receipt_btn, Qt.MouseButton.LeftButton)
    paper.wait(qtbot)
    assert "Receipt R" in pp.result.text() and "sent to the printer" in pp.result.text()
    assert paper.titles == ["receipt"] and paper.pages() == 1
    assert paper.sources[0].parent == Paths(tmp_path).temp
    assert not paper.sources[0].exists()  # print-only: removed once printed
    text = paper.texts[0]
    assert "RECEIPT" in text and "150.00" in text and "Nguyen, Bao" in text
    with office.store.session() as s:
        assert (
            s.execute(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "receipt_printed", AuditEvent.patient_id == pat_id)
            ).scalar()
            == 1
        )


def test_statements_batch_runs_off_the_gui_thread_and_cancel_records_nothing(
    qtbot, office, tmp_path, paper
) -> None:
    with office.store.unit_of_work() as s:
        for last in ("Abbott", "Brooks", "Castillo"):
            pat = factories.patient(s, last, "Pat")
            fm.visit(s, pat, office.provider_id, DOS, [("99213", "115.00")])
    w = _window(qtbot, office, tmp_path, office.biller)
    page = w.open_area("payments")
    sp = page.statements
    page.tabs.setCurrentWidget(sp)
    assert sp.minimum.text() == "5.00"
    qtbot.mouseClick(sp.find_btn, Qt.MouseButton.LeftButton)
    assert len(sp.list.rows()) == 3
    sp.list.selectRow(0)
    qtbot.mouseClick(sp.skip_btn, Qt.MouseButton.LeftButton)
    assert "2 statement(s), 230.00 in all" in sp.count.text()

    # Cancel: pressing the progress dialog's Cancel stops the job; nothing is recorded.
    with qtbot.waitSignal(sp.batch_finished, timeout=20000) as sig:
        sp.start()
        sp.dialog.findChild(QPushButton).click()  # the progress dialog's Cancel
    assert sig.args == ["cancelled"]
    assert "no statement was recorded" in sp.result.text()
    with office.store.session() as s:
        assert s.execute(select(func.count()).select_from(Statement)).scalar() == 0

    # Drawn, but Cancel in the print dialog (the printer was not ready):
    # nothing is recorded as sent, so the next run does not say "second
    # notice" for statements nobody mailed.
    paper.cancel = True
    with qtbot.waitSignal(sp.batch_finished, timeout=20000) as sig:
        qtbot.mouseClick(sp.print_btn, Qt.MouseButton.LeftButton)
    assert sig.args == ["done"] and paper.titles == ["statements"]
    assert "Not printed: no statement was recorded" in sp.result.text()
    assert len(sp.list.rows()) == 2 and sp.sent.rows() == []
    with office.store.session() as s:
        assert s.execute(select(func.count()).select_from(Statement)).scalar() == 0
    paper.cancel = False
    paper.titles.clear()
    paper.texts.clear()

    with qtbot.waitSignal(sp.printed, timeout=20000) as printed:
        qtbot.mouseClick(sp.open_btn, Qt.MouseButton.LeftButton)
    # Confirmed in the print dialog: recorded as sent, and to the printer.
    assert printed.args == ["printed"]
    assert paper.titles == ["statements"] and paper.pages() == 2
    assert "Brooks" in paper.texts[0] and "Castillo" in paper.texts[0]
    assert "The statements went to the printer (2 page(s))" in sp.result.text()
    assert sp.pdf is not None and sp.pdf.exists()  # kept for a second try or a copy
    assert sp.pdf.parent == Paths(tmp_path).temp  # print-only: the private temp folder
    assert len(sp.sent.rows()) == 2 and all(r.notice_no == 1 for r in sp.sent.rows())
    with office.store.session() as s:
        assert s.execute(select(func.count()).select_from(Statement)).scalar() == 2
    # Printed again (the printer jammed): audited as a reprint, not sent twice.
    with qtbot.waitSignal(sp.printed, timeout=20000):
        qtbot.mouseClick(sp.open_btn, Qt.MouseButton.LeftButton)
    assert paper.pages() == 2 and len(paper.outputs) == 2
    with office.store.session() as s:
        assert s.execute(select(func.count()).select_from(Statement)).scalar() == 2
        assert (
            s.execute(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "statement_reprinted")
            ).scalar()
            == 2
        )
    # The next run says second notice.
    qtbot.mouseClick(sp.find_btn, Qt.MouseButton.LeftButton)
    assert sorted(r.notice_no for r in sp.list.rows()) == [1, 2, 2]  # the one left out: first
    # Both lists name the notice the same way (the sent list said 1 / 2).
    notice_col = 4

    def shown(view):
        return sorted(
            view.model().index(r, notice_col).data() for r in range(view.model().rowCount())
        )

    assert shown(sp.list) == ["first", "second", "second"]
    assert shown(sp.sent) == ["first", "first"]
    assert page.open_record("statement", sp.sent.rows()[0].statement_id)


def test_pay_a_vendor_bill(qtbot, office, tmp_path) -> None:
    today = date.today()
    with office.store.unit_of_work() as s:
        vid = ap.add_vendor(
            s, office.manager, ap.VendorInput("Midwest Medical Supply", phone="3125550177")
        )
        late = ap.add_bill(
            s,
            office.manager,
            ap.BillInput(
                vid,
                "MMS-4410",
                today - timedelta(days=50),
                today - timedelta(days=20),
                money("480.00"),
                ExpenseCategory.SUPPLIES,
            ),
        )
        ap.add_bill(
            s,
            office.manager,
            ap.BillInput(
                vid,
                "MMS-4471",
                today - timedelta(days=5),
                today + timedelta(days=25),
                money("75.10"),
                ExpenseCategory.SUPPLIES,
            ),
        )
    w = _window(qtbot, office, tmp_path, office.manager)
    page = w.open_area("payments")
    pg = page.payables
    page.tabs.setCurrentWidget(pg)
    assert [r.invoice_no for r in pg.bills.rows()] == ["MMS-4410", "MMS-4471"]
    assert "1 overdue, 480.00" in pg.overdue.text()
    red = pg.bills.model_.data(pg.bills.model_.index(0, 0), Qt.ItemDataRole.ForegroundRole)
    assert red is not None and red.color().name() == "#c62828"
    pg.bills.selectRow(0)
    assert pg.pay_amount.text() == "480.00"
    # A part payment by check first: the check number is asked for.
    pg.pay_amount.clear()
    qtbot.keyClicks(pg.pay_amount, "200")
    qtbot.keyClick(pg.pay_amount, Qt.Key.Key_Return)
    assert "1 problem" in pg.pay_summary.text()
    assert "Check number is required" in pg.pay_marker.fields["check_no"][1].text()
    qtbot.keyClicks(pg.pay_check, "4102")
    qtbot.keyClick(pg.pay_check, Qt.Key.Key_Return)
    assert "280.00 still open" in pg.result.text()
    assert pg.bills.current().open == money("280.00")
    qtbot.keyClicks(pg.pay_check, "4103")
    qtbot.keyClick(pg.pay_check, Qt.Key.Key_Return)  # the rest (prefilled 280.00)
    assert "the bill is paid in full" in pg.result.text()
    assert [r.invoice_no for r in pg.bills.rows()] == ["MMS-4471"]
    with office.store.session() as s:
        paid = s.execute(
            select(BillPayment.amount, BillPayment.check_no).where(BillPayment.bill_id == late)
        ).all()
    assert sorted(paid) == [(money("200.00"), "4102"), (money("280.00"), "4103")]
    by_cat = dict(pg.by_category.rows())
    assert by_cat["Supplies"] == Decimal("480.00")
    assert page.open_record("bill", late)
    assert pg.bills.current().bill_id == late


def test_receptionist_sees_only_patient_payments(qtbot, office, tmp_path) -> None:
    w = _window(qtbot, office, tmp_path, office.receptionist)
    page = w.open_area("payments")
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == [
        "Patient pa&yment",
        "Patient le&dger",
        "Day s&heet",
    ]
    assert page.eob is None and page.payables is None


def test_open_record_payment_goes_to_the_check(qtbot, office, tmp_path) -> None:
    with office.store.unit_of_work() as s:
        payer = factories.payer(s, "Prairie Health Plan")
        pid = fm.payer_check(s, office.biller, payer.id, "10.00", ref="CHK-9")
        pat = s.execute(select(Patient).limit(1)).scalar()
        assert pat is None
    w = _window(qtbot, office, tmp_path, office.biller)
    assert w.open_record("payment", pid)
    page = w.open_area("payments")
    assert "CHK-9" in page.eob.check_combo.currentText()


def test_patient_ledger_prints_and_a_statement_is_recorded_only_when_printed_or_saved(
    qtbot, office, tmp_path, paper, monkeypatch
) -> None:
    with office.store.unit_of_work() as s:
        pat = factories.patient(s, "Ortega", "Luz")
        fm.visit(s, pat, office.provider_id, DOS, [("99213", "115.00")])
        pat_id = pat.id
    w = _window(qtbot, office, tmp_path, office.manager)
    page = w.open_area("payments")
    page.show_ledger(pat_id)
    lp = page.ledger

    def count(action: str) -> int:
        with office.store.session() as s:
            return s.execute(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == action, AuditEvent.patient_id == pat_id)
            ).scalar()

    qtbot.mouseClick(lp.print_btn, Qt.MouseButton.LeftButton)
    paper.wait(qtbot)
    assert paper.titles == ["patient ledger"] and paper.pages() == 1
    assert "Ortega, Luz" in paper.texts[0] and "115.00" in paper.texts[0]
    assert "The ledger went to the printer (1 page(s))" in lp.result.text()
    assert count("ledger_printed") == 1

    # Cancel in the print dialog: no statement is recorded as sent, nothing audited.
    paper.cancel = True
    qtbot.mouseClick(lp.stmt_btn, Qt.MouseButton.LeftButton)
    assert "not printed; nothing was recorded" in lp.result.text()
    assert not paper.sources[-1].exists()
    with office.store.session() as s:
        assert s.execute(select(func.count()).select_from(Statement)).scalar() == 0
    assert count("statement_printed") == 0

    paper.cancel = False
    qtbot.mouseClick(lp.stmt_btn, Qt.MouseButton.LeftButton)
    paper.wait(qtbot)
    assert "The statement went to the printer" in lp.result.text()
    assert "Amount due" in paper.texts[-1] or "AMOUNT DUE" in paper.texts[-1].upper()
    with office.store.session() as s:
        assert s.execute(select(Statement.balance)).scalars().all() == [money("115.00")]
    assert count("statement_printed") == 1

    # Save as PDF: written where chosen, audited as an export.
    target = tmp_path / "ortega-ledger.pdf"
    monkeypatch.setattr(ar_pages, "choose_pdf_path", lambda *_a: target)
    lp.save_pdf("ledger")
    with pdfplumber.open(target) as pdf:
        assert "Ortega, Luz" in pdf.pages[0].extract_text()
    assert count("file_saved") == 1
    assert f"Saved as {target.name}" in lp.result.text()


def test_a_picked_amount_that_cannot_be_saved_says_which_line(qtbot, office, tmp_path) -> None:
    """Typing in the Apply column: a cell that is not an amount, or more than
    the line owes, is named by its date of service and code (before, the
    save button just stayed grey, or the message said "a picked line")."""
    with office.store.unit_of_work() as s:
        pat = factories.patient(s, "Nguyen", "Bao")
        fm.visit(s, pat, office.provider_id, DOS, [("99213", "115.00"), ("85025", "28.00")])
    w = _window(qtbot, office, tmp_path, office.receptionist)
    page = w.open_area("payments")
    pp = page.patient
    page.tabs.setCurrentWidget(pp)
    qtbot.keyClicks(pp.finder.search, "nguyen")
    qtbot.keyClick(pp.finder.search, Qt.Key.Key_Return)
    qtbot.keyClicks(pp.amount, "4o")
    assert pp.running.text() == "Amount: '4o' is not an amount (e.g. 40.00)"
    assert not pp.save_btn.isEnabled()
    pp.amount.clear()
    qtbot.keyClicks(pp.amount, "40.00")
    codes = [pp.lines.item(r, 2).text() for r in range(pp.lines.rowCount())]
    lab = codes.index("85025")
    pp.lines.item(lab, 4).setText("2o.00")
    assert not pp.save_btn.isEnabled()
    assert f"the {DOS:%m/%d/%Y} 85025 line: '2o.00' is not an amount" in pp.running.text()

    pp.lines.item(lab, 4).setText("40.00")  # the lab line owes 28.00
    for r in range(pp.lines.rowCount()):
        if r != lab:
            pp.lines.item(r, 4).setText("")
    assert pp.save_btn.isEnabled()
    qtbot.mouseClick(pp.save_btn, Qt.MouseButton.LeftButton)
    assert f"40.00 is more than the 28.00 owed on the {DOS:%m/%d/%Y} 85025 line" in (
        pp.summary.text()
    )
    with office.store.session() as s:
        assert ledger.patient_balance(s, pat.id) == money("143.00")


def test_office_manager_sets_the_message_line_of_statements(qtbot, office, tmp_path) -> None:
    """The statement's message line and the minimum balance are the office's:
    the manager sets them on the Statements tab and every run uses them
    (before, both settings existed but no screen could change them); the
    biller sees the message read-only."""
    with office.store.unit_of_work() as s:
        pat = factories.patient(s, "Abbott", "Pat")
        fm.visit(s, pat, office.provider_id, DOS, [("99213", "115.00")])
        pat_id = pat.id
    w = _window(qtbot, office, tmp_path, office.manager)
    page = w.open_area("payments")
    sp = page.statements
    page.tabs.setCurrentWidget(sp)
    assert sp.message.text() == "" and not sp.message.isReadOnly()
    sp.minimum.clear()
    qtbot.keyClicks(sp.minimum, "1o.00")
    qtbot.mouseClick(sp.message_btn, Qt.MouseButton.LeftButton)
    assert sp.result.text() == "Only balances of at least: '1o.00' is not an amount (e.g. 5.00)"
    sp.minimum.clear()
    qtbot.keyClicks(sp.minimum, "10")
    qtbot.keyClicks(sp.message, "Please call  about payment plans: (217) 555-0100")
    qtbot.keyClick(sp.message, Qt.Key.Key_Return)
    assert sp.result.text() == (
        "Saved: from now on statements go to balances of at least 10.00, with this message."
    )
    assert sp.message.text() == "Please call about payment plans: (217) 555-0100"
    out = tmp_path / "one.pdf"
    with office.store.session() as s, s.begin():
        statements.statement_pdf(s, office.biller, pat_id, date.today(), out)
        assert (
            s.execute(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action.like("setting%"))
            ).scalar()
            == 2  # the minimum and the message
        )
    with pdfplumber.open(out) as pdf:
        assert "Please call about payment plans: (217) 555-0100" in pdf.pages[0].extract_text()

    w2 = _window(qtbot, office, tmp_path / "biller", office.biller)
    sp2 = w2.open_area("payments").statements
    assert sp2.message.text() == "Please call about payment plans: (217) 555-0100"
    assert sp2.minimum.text() == "10.00"  # the office's minimum, where every run starts
    assert sp2.message.isReadOnly() and not sp2.message_btn.isEnabled()


def test_a_statements_batch_saved_instead_of_printed_is_recorded_once(
    qtbot, office, tmp_path, paper, monkeypatch
) -> None:
    """Saved to mail from elsewhere: the batch is recorded as sent when the
    copy is written, once, and the copy's save is audited."""
    from PySide6.QtWidgets import QFileDialog

    with office.store.unit_of_work() as s:
        pat = factories.patient(s, "Abbott", "Pat")
        fm.visit(s, pat, office.provider_id, DOS, [("99213", "115.00")])
    w = _window(qtbot, office, tmp_path, office.biller)
    page = w.open_area("payments")
    sp = page.statements
    page.tabs.setCurrentWidget(sp)
    qtbot.mouseClick(sp.find_btn, Qt.MouseButton.LeftButton)
    paper.cancel = True
    with qtbot.waitSignal(sp.batch_finished, timeout=20000):
        qtbot.mouseClick(sp.print_btn, Qt.MouseButton.LeftButton)
    dest = tmp_path / "mail" / "statements.pdf"
    dest.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(dest), ""))
    qtbot.mouseClick(sp.save_btn, Qt.MouseButton.LeftButton)
    assert dest.exists()
    assert sp.result.text() == "Saved to statements.pdf and recorded as sent."
    qtbot.mouseClick(sp.save_btn, Qt.MouseButton.LeftButton)  # a second copy
    with office.store.session() as s:
        assert s.execute(select(func.count()).select_from(Statement)).scalar() == 1
        actions = s.execute(select(AuditEvent.action)).scalars().all()
    assert actions.count("statement_printed") == 1
    assert len(sp.sent.rows()) == 1 and sp.list.rows() == []


def test_refund_names_whose_credit_it_is(qtbot, office, tmp_path) -> None:
    """The Refunds tab says whose account is open, in words (the finder keeps
    only what was typed); too much is refused next to the amount; the refund
    names who got the money."""
    with office.store.unit_of_work() as s:
        pat = factories.patient(s, "Nguyen", "Bao")
        pat_id, acct = pat.id, pat.account_no
    w = _window(qtbot, office, tmp_path, office.receptionist)
    page = w.open_area("payments")
    pp = page.patient
    page.tabs.setCurrentWidget(pp)
    qtbot.keyClicks(pp.finder.search, "nguyen")
    qtbot.keyClick(pp.finder.search, Qt.Key.Key_Return)
    pp.leave_credit.setChecked(True)
    qtbot.keyClicks(pp.amount, "50.00")
    qtbot.keyClick(pp.amount, Qt.Key.Key_Return)  # a deposit on account
    assert "50.00 left as credit" in pp.result.text()

    w2 = _window(qtbot, office, tmp_path / "b", office.biller)
    page2 = w2.open_area("payments")
    rf = page2.refunds
    page2.tabs.setCurrentWidget(rf)
    qtbot.keyClicks(rf.finder.search, "nguyen")
    qtbot.keyClick(rf.finder.search, Qt.Key.Key_Return)
    assert rf.account_label.text() == f"<b>Nguyen, Bao ({acct})</b>: 1 credit(s), 50.00 in all"
    rf.amount.clear()
    qtbot.keyClicks(rf.amount, "80.00")
    qtbot.keyClicks(rf.reference, "5521")
    qtbot.mouseClick(rf.save_btn, Qt.MouseButton.LeftButton)
    assert "cannot refund 80.00" in rf.marker.fields["amount"][1].text()
    rf.amount.clear()
    qtbot.keyClicks(rf.amount, "50.00")
    qtbot.mouseClick(rf.save_btn, Qt.MouseButton.LeftButton)
    assert rf.result.text() == (
        f"Refunded 50.00 to the patient, from the account of Nguyen, Bao ({acct})."
    )
    assert rf.account_label.text() == f"<b>Nguyen, Bao ({acct})</b>: 0 credit(s), 0.00 in all"
    with office.store.session() as s:
        assert ledger.patient_balance(s, pat_id) == money("0.00")
