"""The office manager and the biller at the patient ledger and the office's
bills: a line's balance moved by hand (with the reason), a payer's balance
written off, a bill voided, a vendor edited, a recurring bill stopped and
started again. Each checked on screen and in what was stored."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.config import Paths
from app.models.audit import AuditEvent
from app.models.ledger import AdjustmentType, EntryKind, LedgerEntry, Party
from app.models.payables import Bill, ExpenseCategory, RecurringBill, Vendor
from app.money import money
from app.services import ledger
from app.services import payables as ap
from app.ui.context import UiContext
from app.ui.main_window import MainWindow
from app.ui.payments import payables_page
from tests import factories
from tests import factories_money as fm

DOS = date.today() - timedelta(days=40)
QT_NOISE = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _page(qtbot, office, tmp_path, actor):
    ctx = UiContext(office.store, Paths(tmp_path), actor)
    w = MainWindow(ctx, "Maple Street Family Medicine")
    qtbot.addWidget(w)
    return w.open_area("payments")


def _insured(office):
    with office.store.unit_of_work() as s:
        fm.fee_items(s)
        pat = factories.patient(s, "Rivera", "Ana")
        p1 = factories.payer(s, "Prairie Health Plan")
        p2 = factories.payer(s, "Lakeshore Medigap", payer_code="LMG02")
        pol1 = factories.policy(s, pat, p1, 1)
        pol2 = factories.policy(s, pat, p2, 2, copay=None)
        v = fm.visit(s, pat, office.provider_id, DOS, [("99213", "115.00")], pol1)
        return pat.id, v.line_ids[0], (pol1.id, p1.id), (pol2.id, p2.id)


@QT_NOISE
def test_biller_moves_a_lines_balance_to_the_secondary_and_the_patient(
    qtbot, office, tmp_path
) -> None:
    pat_id, line, (pol1, p1), (pol2, p2) = _insured(office)
    page = _page(qtbot, office, tmp_path, office.biller)
    page.show_ledger(pat_id)
    lp = page.ledger
    assert lp.move_btn.isEnabled()
    qtbot.mouseClick(lp.move_btn, Qt.MouseButton.LeftButton)
    dlg = lp.move_dialog
    qtbot.waitUntil(dlg.isVisible)
    assert [r.code for r in dlg.lines.rows()] == ["99213"]
    assert dlg.lines.model_.index(0, 3).data() == "Primary: Prairie Health Plan 115.00"
    assert dlg.source.currentText() == "Primary: Prairie Health Plan (115.00)"
    assert [dlg.target.itemText(i) for i in range(dlg.target.count())] == [
        "Patient",
        "Secondary: Lakeshore Medigap",
    ]
    assert dlg.amount.text() == "115.00"  # all of it, unless typed
    dlg.target.setCurrentIndex(1)
    dlg.amount.setText("40.00")
    assert dlg.preview.text() == (
        f"Moves <b>40.00</b> of the {DOS:%m/%d/%Y} 99213 line from "
        "<b>Primary: Prairie Health Plan</b> to <b>Secondary: Lakeshore Medigap</b>."
    )
    # No reason: nothing moves, the field says why.
    qtbot.mouseClick(dlg.move_btn, Qt.MouseButton.LeftButton)
    assert "Say why the balance moves" in dlg.marker.fields["reason"][1].text()
    qtbot.keyClicks(dlg.reason, "secondary on file after all")
    qtbot.keyClick(dlg.reason, Qt.Key.Key_Return)
    assert dlg.result.text().startswith("Moved <b>40.00</b>")
    assert dlg.lines.model_.index(0, 3).data() == (
        "Primary: Prairie Health Plan 75.00; Secondary: Lakeshore Medigap 40.00"
    )
    # Part of the rest to the patient.
    dlg.target.setCurrentIndex(0)
    dlg.amount.setText("15.00")
    qtbot.keyClicks(dlg.reason, "copay per EOB")
    qtbot.mouseClick(dlg.move_btn, Qt.MouseButton.LeftButton)
    assert "patient owes 15.00" in lp.header.text()  # the ledger behind it reloaded
    with office.store.session() as s:
        r1 = ledger.Resp(Party.INSURANCE, pol1, p1)
        r2 = ledger.Resp(Party.INSURANCE, pol2, p2)
        assert ledger.portions(s, [line])[line] == {
            r1: money("60.00"),
            r2: money("40.00"),
            ledger.PATIENT: money("15.00"),
        }
        memos = s.execute(
            select(LedgerEntry.memo).where(LedgerEntry.kind == EntryKind.TRANSFER)
        ).scalars()
        assert set(memos) == {"secondary on file after all", "copay per EOB"}
        assert (
            len(
                s.execute(
                    select(AuditEvent).where(AuditEvent.action == "balance_transferred")
                ).all()
            )
            == 2
        )


@QT_NOISE
def test_manager_writes_off_a_payers_balance_from_the_ledger(qtbot, office, tmp_path) -> None:
    pat_id, _line, (pol1, p1), _ = _insured(office)
    page = _page(qtbot, office, tmp_path, office.manager)
    page.show_ledger(pat_id)
    lp = page.ledger
    qtbot.mouseClick(lp.wo_btn, Qt.MouseButton.LeftButton)
    dlg = lp.wo_dialog
    qtbot.waitUntil(dlg.isVisible)
    assert [dlg.party.itemText(i) for i in range(dlg.party.count())] == [
        "Primary: Prairie Health Plan owes 115.00"
    ]
    assert dlg.amount.text() == "115.00"
    dlg.amount.setText("25.00")
    dlg.kind.setCurrentIndex(dlg.kind.findData(AdjustmentType.SMALL_BALANCE))
    qtbot.keyClicks(dlg.memo, "payer will not pay the rest")
    dlg.save()
    qtbot.waitUntil(lambda: not dlg.isVisible())
    assert lp.result.text() == "Written off."
    assert "insurance owes 90.00" in lp.header.text()
    with office.store.session() as s:
        e = s.execute(
            select(LedgerEntry).where(LedgerEntry.kind == EntryKind.WRITE_OFF)
        ).scalar_one()
        assert (e.amount, e.party, e.policy_id, e.payer_id, e.adjustment_type) == (
            money("-25.00"),
            Party.INSURANCE,
            pol1,
            p1,
            AdjustmentType.SMALL_BALANCE,
        )


def test_biller_neither_writes_off_nor_sees_the_button(qtbot, office, tmp_path) -> None:
    pat_id, *_ = _insured(office)
    page = _page(qtbot, office, tmp_path, office.biller)
    page.show_ledger(pat_id)
    assert not page.ledger.wo_btn.isVisibleTo(page.ledger)
    assert page.ledger.move_btn.isVisibleTo(page.ledger)
    reception = _page(qtbot, office, tmp_path, office.receptionist)
    reception.show_ledger(pat_id)
    assert not reception.ledger.move_btn.isVisibleTo(reception.ledger)


def test_office_bills_void_edit_vendor_stop_and_restart(
    qtbot, office, tmp_path, monkeypatch
) -> None:
    today = date.today()
    with office.store.unit_of_work() as s:
        vid = ap.add_vendor(s, office.manager, ap.VendorInput("Prairie Power", phone="2175550111"))
        wrong = ap.add_bill(
            s,
            office.manager,
            ap.BillInput(
                vid,
                "PP-1",
                today,
                today + timedelta(days=20),
                money("99.00"),
                ExpenseCategory.UTILITIES,
            ),
        )
        paid = ap.add_bill(
            s,
            office.manager,
            ap.BillInput(
                vid,
                "PP-2",
                today,
                today + timedelta(days=25),
                money("50.00"),
                ExpenseCategory.UTILITIES,
            ),
        )
        ap.pay_bill(
            s,
            office.manager,
            paid,
            amount=money("10.00"),
            paid_date=today,
            method=ap.PaymentMethod.CASH,
        )
        rid = ap.add_recurring(
            s,
            office.manager,
            ap.RecurringInput(vid, money("1800.00"), ExpenseCategory.RENT, today, day_of_month=1),
        )
    page = _page(qtbot, office, tmp_path, office.manager)
    pg = page.payables
    page.tabs.setCurrentWidget(pg)

    # ---- void: only a bill with nothing paid; asks why; stays on file marked voided
    assert pg.bills.select_where(lambda r: r.bill_id == paid)
    assert not pg.void_btn.isEnabled()
    assert pg.bills.select_where(lambda r: r.bill_id == wrong)
    assert pg.void_btn.isEnabled()
    asked = []
    monkeypatch.setattr(
        payables_page, "ask_text", lambda _p, _t, text: (asked.append(text) or "keyed twice", True)
    )
    qtbot.mouseClick(pg.void_btn, Qt.MouseButton.LeftButton)
    assert "Void Prairie Power's invoice PP-1 of 99.00?" in asked[0]
    assert "PP-1 is voided" in pg.result.text()
    assert [r.invoice_no for r in pg.bills.rows()] == ["PP-2"]
    pg.show_paid.setChecked(True)
    assert {r.invoice_no: payables_page._bill_status(r) for r in pg.bills.rows()} == {
        "PP-1": "Voided",
        "PP-2": "Part paid",
    }

    # ---- edit the vendor: Enter on the list puts it in the form
    pg.tabs.setCurrentIndex(2)
    assert pg.vendor_list.select_where(lambda r: r.vendor_id == vid)
    pg.edit_vendor()
    assert pg.v_name.text() == "Prairie Power" and pg.v_phone.text() == "(217) 555-0111"
    assert pg.v_btn.text() == "&Save changes"
    pg.v_name.setText("Prairie Power & Light")
    qtbot.keyClicks(pg.v_address, "PO Box 19")
    qtbot.keyClicks(pg.v_city, "Springfield")
    qtbot.keyClicks(pg.v_state, "ZZ")
    qtbot.keyClick(pg.v_state, Qt.Key.Key_Return)
    assert "State" in pg.v_marker.fields["state"][1].text()
    pg.v_state.setText("IL")
    qtbot.keyClick(pg.v_state, Qt.Key.Key_Return)
    assert pg.result.text() == "Vendor Prairie Power & Light saved."
    assert pg.v_btn.text() == "&Add vendor" and pg.v_name.text() == ""
    with office.store.session() as s:
        v = s.get(Vendor, vid)
        assert (v.name, v.address1, v.city, v.state) == (
            "Prairie Power & Light",
            "PO Box 19",
            "Springfield",
            "IL",
        )
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "vendor_changed")).scalar_one()
        assert ev.details["changes"]["name"] == ["Prairie Power", "Prairie Power & Light"]
        assert s.execute(select(Bill.voided).where(Bill.id == wrong)).scalar_one() is True
        voided = s.execute(
            select(AuditEvent).where(AuditEvent.action == "bill_voided")
        ).scalar_one()
        assert voided.details["reason"] == "keyed twice"

    # ---- stop, then restart from a date (the stopped months are not billed)
    pg.tabs.setCurrentIndex(3)
    assert pg.rec_list.select_where(lambda r: r.recurring_id == rid)
    assert pg.r_stop.isEnabled() and not pg.r_restart.isEnabled()
    qtbot.mouseClick(pg.r_stop, Qt.MouseButton.LeftButton)
    assert "stopped" in pg.result.text()
    assert pg.rec_list.current().active is False
    assert pg.r_restart.isEnabled() and not pg.r_stop.isEnabled()
    qtbot.mouseClick(pg.make_due, Qt.MouseButton.LeftButton)
    assert "0 bill(s) made" in pg.result.text()
    start = ap.next_occurrence(today + timedelta(days=40), 1)
    offered = []
    monkeypatch.setattr(
        payables_page, "ask_date", lambda _p, _t, _x, value: offered.append(value) or start
    )
    qtbot.mouseClick(pg.r_restart, Qt.MouseButton.LeftButton)
    assert offered == [ap.next_occurrence(today, 1)]
    assert f"runs again from {start:%m/%d/%Y}" in pg.result.text()
    with office.store.session() as s:
        r = s.get(RecurringBill, rid)
        assert r.active and r.next_date == start
        actions = (
            s.execute(select(AuditEvent.action).where(AuditEvent.entity == "recurring_bill"))
            .scalars()
            .all()
        )
        assert actions[-2:] == ["recurring_bill_stopped", "recurring_bill_restarted"]


def _fully_visible(view, heading: str) -> bool:
    header = view.horizontalHeader()
    model = view.model()
    col = next(
        c
        for c in range(model.columnCount())
        if model.headerData(c, Qt.Orientation.Horizontal) == heading
    )
    right = header.sectionViewportPosition(col) + header.sectionSize(col)
    return header.sectionViewportPosition(col) >= 0 and right <= view.viewport().width()


@QT_NOISE
def test_office_bills_show_what_is_open_and_the_whole_ap_aging(qtbot, office, tmp_path) -> None:
    """At the office's usual window size the bills list shows each bill's open
    amount and days late without scrolling, and the AP aging every bucket and
    its total (before, both were cut off at the list's right edge)."""
    today = date.today()
    with office.store.unit_of_work() as s:
        vid = ap.add_vendor(s, office.manager, ap.VendorInput("Brightline Practice Software Inc"))
        ap.add_bill(
            s,
            office.manager,
            ap.BillInput(
                vid,
                "BRI-2611-00130",
                today - timedelta(days=140),
                today - timedelta(days=100),
                money("12345.67"),
                ExpenseCategory.SOFTWARE,
            ),
        )
    page = _page(qtbot, office, tmp_path, office.manager)
    w = page.window()
    w.resize(1400, 860)
    w.show()
    qtbot.waitExposed(w)
    pg = page.payables
    page.tabs.setCurrentWidget(pg)
    pg.tabs.setCurrentIndex(4)  # Reports
    qtbot.wait(50)
    for heading in ("Due", "Vendor", "Invoice", "Open", "Days late"):
        assert _fully_visible(pg.bills, heading), heading
    assert pg.bills.rows()[0].days_late == 100
    for heading in ("Not due", "1-30", "31-60", "61-90", "Over 90", "Total"):
        assert _fully_visible(pg.aging, heading), heading


def test_a_bill_amount_that_is_not_an_amount_says_so(qtbot, office, tmp_path) -> None:
    """'12o.00' typed as a bill's (or a recurring bill's) amount: the message
    next to the field says it is not an amount (before: "Amount must be more
    than 0.00", about something the manager did not type); nothing is stored."""
    with office.store.unit_of_work() as s:
        ap.add_vendor(s, office.manager, ap.VendorInput("Prairie Power"))
    page = _page(qtbot, office, tmp_path, office.manager)
    pg = page.payables
    page.tabs.setCurrentWidget(pg)
    pg.tabs.setCurrentIndex(1)
    pg.bill_vendor.setCurrentIndex(pg.bill_vendor.findText("Prairie Power"))
    qtbot.keyClicks(pg.bill_invoice, "PP-77")
    qtbot.keyClicks(pg.bill_amount, "12o.00")
    qtbot.mouseClick(pg.bill_btn, Qt.MouseButton.LeftButton)
    next_to_amount = pg.bill_marker.fields["amount"][1]
    assert next_to_amount.text() == "'12o.00' is not an amount (e.g. 1,200.00)"
    pg.bill_amount.clear()
    qtbot.mouseClick(pg.bill_btn, Qt.MouseButton.LeftButton)
    assert next_to_amount.text() == "Amount must be more than 0.00"  # left blank
    with office.store.session() as s:
        assert s.execute(select(Bill)).first() is None

    pg.tabs.setCurrentIndex(3)
    pg.r_vendor.setCurrentIndex(pg.r_vendor.findText("Prairie Power"))
    qtbot.keyClicks(pg.r_amount, "1.800,00")
    qtbot.mouseClick(pg.r_btn, Qt.MouseButton.LeftButton)
    assert pg.r_marker.fields["amount"][1].text().startswith("'1.800,00' is not an amount")
    with office.store.session() as s:
        assert s.execute(select(RecurringBill)).first() is None
