"""The day sheet where the front desk balances the cash drawer: the
receptionist and the biller (who have no Reports area) find it in Payments,
and its totals show whole amounts at the office's usual window size."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt

from app.config import Paths
from app.models.ledger import PaymentMethod
from app.money import money
from app.ui.context import UiContext
from app.ui.main_window import MainWindow
from tests import factories
from tests import factories_money as fm


def _window(qtbot, office, tmp_path, actor) -> MainWindow:
    ctx = UiContext(office.store, Paths(tmp_path), actor)
    w = MainWindow(ctx, "Maple Street Family Medicine")
    qtbot.addWidget(w)
    return w


def _take_cash(qtbot, page, last: str, amount: str) -> None:
    pp = page.patient
    page.tabs.setCurrentWidget(pp)
    pp.finder.search.clear()
    qtbot.keyClicks(pp.finder.search, last)
    qtbot.keyClick(pp.finder.search, Qt.Key.Key_Return)
    pp.method.setCurrentIndex(pp.method.findData(PaymentMethod.CASH))
    qtbot.keyClicks(pp.amount, amount)
    qtbot.keyClick(pp.amount, Qt.Key.Key_Return)
    assert "Saved" in pp.result.text()


@pytest.mark.parametrize("who", ["receptionist", "biller"])
def test_the_front_desk_balances_its_drawer_from_payments(qtbot, office, tmp_path, who) -> None:
    with office.store.unit_of_work() as s:
        pat = factories.patient(s, "Okafor", "Ngozi")
        fm.visit(
            s, pat, office.provider_id, date.today() - timedelta(days=3), [("99213", "115.00")]
        )
    w = _window(qtbot, office, tmp_path, getattr(office, who))
    assert w.open_area("reports") is None  # no Reports area for them
    page = w.open_area("payments")
    _take_cash(qtbot, page, "okafor", "40.00")
    ds = page.day_sheet
    assert ds is not None
    page.tabs.setCurrentWidget(ds)
    with qtbot.waitSignal(ds.shown):
        qtbot.mouseClick(ds.show_button, Qt.MouseButton.LeftButton)
    assert ds.drawer_labels["Cash"].text() == "40.00 (1)"
    assert ds.drawer_labels["Cash and checks"].text() == "40.00"
    assert ds.by_user.rows[0].name == getattr(office, who).full_name


def test_manager_keeps_the_day_sheet_in_reports_only(qtbot, office, tmp_path) -> None:
    w = _window(qtbot, office, tmp_path, office.manager)
    page = w.open_area("payments")
    assert page.day_sheet is None
    assert w.open_area("reports").day_sheet is not None


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on show()
def test_day_sheet_totals_show_whole_amounts(qtbot, office, tmp_path) -> None:
    with office.store.unit_of_work() as s:
        pat = factories.patient(s, "Okafor", "Ngozi")
        fm.visit(s, pat, office.provider_id, date.today(), [("99215", "1234.00")])
    w = _window(qtbot, office, tmp_path, office.receptionist)
    w.resize(1400, 860)
    w.show()
    qtbot.waitExposed(w)
    page = w.open_area("payments")
    _take_cash(qtbot, page, "okafor", "1234.00")
    ds = page.day_sheet
    page.tabs.setCurrentWidget(ds)
    with qtbot.waitSignal(ds.shown):
        qtbot.mouseClick(ds.show_button, Qt.MouseButton.LeftButton)
    for view in (ds.by_user_view, ds.by_provider_view):
        header = view.horizontalHeader()
        # Every column, Refunds included, lies inside the visible part of the table.
        assert header.length() <= view.viewport().width(), view.objectName()
    cash = ds.drawer_labels["Cash"]
    assert cash.text() == "1,234.00 (1)"
    assert cash.alignment() & Qt.AlignmentFlag.AlignRight
    assert money("1234.00") == ds.sheet.drawer_total
