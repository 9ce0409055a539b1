"""The Reports area driven as the office manager would: pick last month,
review it, save the three exports, close it; then a payment dated in it is
refused. Also reopen, the day sheet, the practice analysis and the chart."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pdfplumber
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.config import Paths
from app.models.ledger import PaymentMethod
from app.money import fmt
from app.reports.month_report import CHARGES_COLOR
from app.services import ledger
from app.services.ledger import month_key
from app.services.month_totals import month_label, shift_month
from app.ui import ops
from app.ui.context import UiContext
from app.ui.main_window import MainWindow
from tests import factories
from tests.unit.reports import builders as b

D = Decimal


def last_month() -> tuple[str, date]:
    key = shift_month(month_key(date.today()), -1)
    return key, date(int(key[:4]), int(key[5:]), 1)


@pytest.fixture
def office_last_month(office):
    """Last month: a 115.00 visit paid 115.00 in cash and a 140.00 visit
    billed to Prairie, paid 90.00 with a 30.00 contractual adjustment."""
    _, first = last_month()
    m = office.manager
    with office.store.unit_of_work() as s:
        prairie = factories.payer(s)
        x = factories.patient(s, "Xu", "Li")
        y = factories.patient(s, "Young", "Ada")
        pol = factories.policy(s, x, prairie)
        v1 = b.visit(
            s,
            m,
            patient_id=y.id,
            provider_id=office.provider_id,
            on=first + timedelta(days=2),
            lines=[("99213", "115.00")],
        )
        b.patient_payment_on_lines(
            s,
            m,
            patient_id=y.id,
            provider_id=office.provider_id,
            on=first + timedelta(days=2),
            method=PaymentMethod.CASH,
            lines=[(v1.line("99213"), "115.00")],
        )
        v2 = b.visit(
            s,
            m,
            patient_id=x.id,
            provider_id=office.provider_id,
            on=first + timedelta(days=3),
            lines=[("99203", "140.00")],
            policy_id=pol.id,
            payer_id=prairie.id,
        )
        b.payer_payment(
            s,
            m,
            payer_id=prairie.id,
            policy_id=pol.id,
            patient_id=x.id,
            provider_id=office.provider_id,
            on=first + timedelta(days=20),
            claim_id=None,
            lines=[(v2.line("99203"), "90.00", "30.00", "0.00")],
        )
    office.patient_y = y.id
    return office


def _window(qtbot, office, tmp_path):
    ctx = UiContext(office.store, Paths(tmp_path / "app"), office.manager)
    w = MainWindow(ctx, "Maple Street Family Medicine")
    qtbot.addWidget(w)
    page = w.open_area("reports")
    return w, ctx, page


def _cell(view, row_label: str, column: int) -> str:
    model = view.model()
    for r in range(model.rowCount()):
        if model.index(r, 0).data() == row_label:
            return model.index(r, column).data()
    raise AssertionError(f"no row {row_label}")


def test_manager_reviews_exports_and_closes_last_month(
    qtbot, office_last_month, tmp_path, monkeypatch
) -> None:
    office = office_last_month
    key, first = last_month()
    _w, ctx, page = _window(qtbot, office, tmp_path)
    mv = page.month
    assert mv.picker.currentData() == key
    assert mv.picker.currentText() == month_label(key)
    assert not mv.pdf_button.isEnabled() and not mv.close_button.isEnabled()

    with qtbot.waitSignal(mv.reviewed):
        qtbot.mouseClick(mv.review_button, Qt.MouseButton.LeftButton)
    view = mv.totals_view
    assert view.model().headerData(1, Qt.Orientation.Horizontal) == month_label(key)
    assert _cell(view, "Charges", 1) == "255.00"
    assert _cell(view, "Total payments", 1) == "205.00"
    assert _cell(view, "Contractual adjustments", 1) == "30.00"
    assert _cell(view, "A/R at end of month", 1) == "20.00"
    assert _cell(view, "Visits", 1) == "2"
    assert "balances to the cent" in mv.check.text()
    assert f"{month_label(key)} is open." in mv.status.text()
    assert len(mv.chart.months) == 12 and mv.chart.months[-1].month == key
    assert mv.payers.rowCount() == 2 and mv.procedures.rowCount() == 2

    out = tmp_path / "exports"
    out.mkdir()
    monkeypatch.setattr(mv, "ask_folder", lambda: str(out))
    saved = {}
    for button, kind in ((mv.pdf_button, "pdf"), (mv.csv_button, "csv"), (mv.xlsx_button, "xlsx")):
        with qtbot.waitSignal(mv.exported, timeout=20000) as sig:
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        saved[kind] = sig.args[0].files
        assert f"Saved {len(saved[kind])} {kind.upper()} file(s)" in mv.status.text()
    stem = f"maple-street-family-medicine_{key}_monthly-totals"
    assert saved["pdf"][0].name == f"{stem}.pdf"
    assert saved["xlsx"][0].name == f"{stem}.xlsx"
    assert len(saved["csv"]) == 5
    assert not any("xu" in p.name.lower() or "young" in p.name.lower() for p in out.iterdir())
    with pdfplumber.open(saved["pdf"][0]) as pdf:
        text = pdf.pages[0].extract_text()
    assert f"Monthly totals: {month_label(key)}" in text and "255.00" in text
    ws = openpyxl.load_workbook(saved["xlsx"][0])["Totals"]
    charges = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "Charges")[2]
    assert charges.value == 255 and "$" in charges.number_format
    totals_csv = next(p for p in saved["csv"] if p.name.endswith("monthly-totals.csv"))
    assert f"{key},Charges,255.00," in totals_csv.read_text()

    questions = []

    def yes(parent, title, text, *a, **k):
        questions.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    with qtbot.waitSignal(mv.closed_changed, timeout=20000):
        qtbot.mouseClick(mv.close_button, Qt.MouseButton.LeftButton)
    assert questions and f"Close {month_label(key)}?" in questions[0]
    assert f"{month_label(key)} was closed on" in mv.status.text()
    assert "same totals as those kept at close" in mv.status.text()
    assert not mv.close_button.isEnabled() and mv.reopen_button.isEnabled()

    # A payment dated in the closed month is refused, with a message that says why.
    warnings = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda parent, title, text, *a, **k: warnings.append(text)
    )
    paid_on = first + timedelta(days=10)
    result = ops.run(
        mv,
        ctx,
        ledger.record_patient_payment,
        patient_id=office.patient_y,
        amount=D("20.00"),
        method=PaymentMethod.CASH,
        received=paid_on,
    )
    assert not result
    assert warnings == [
        f"{month_label(key)} is closed: no entry can be dated {paid_on:%m/%d/%Y}. "
        "Date it in an open month (late corrections post in the current month), "
        "or ask the office manager to reopen the month."
    ]
    with office.store.read_session() as s, s.begin():
        assert ledger.patient_balance(s, office.patient_y) == D("0.00")


def test_reopen_asks_for_a_reason(qtbot, office_last_month, tmp_path, monkeypatch) -> None:
    office = office_last_month
    key, _ = last_month()
    w, _ctx, page = _window(qtbot, office, tmp_path)
    mv = page.month
    assert w.open_record("month", key)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(mv.closed_changed, timeout=20000):
        mv.close_button.click()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    mv.reopen_button.click()
    assert "was closed on" in mv.status.text()  # cancelled: still closed
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Late EOB from Prairie", True))
    with qtbot.waitSignal(mv.closed_changed):
        mv.reopen_button.click()
    assert f"{month_label(key)} is open: reopened on" in mv.status.text()
    assert "Late EOB from Prairie" in mv.status.text()
    assert mv.close_button.isEnabled()


def test_day_sheet_and_practice_analysis(qtbot, office_last_month, tmp_path) -> None:
    _, first = last_month()
    _w, _ctx, page = _window(qtbot, office_last_month, tmp_path)
    page.tabs.setCurrentWidget(page.day_sheet)
    ds = page.day_sheet
    ds.start.setDate(QDate(first.year, first.month, first.day))
    ds.end.setDate(QDate(first.year, first.month, 28))
    with qtbot.waitSignal(ds.shown):
        qtbot.mouseClick(ds.show_button, Qt.MouseButton.LeftButton)
    assert ds.entries.rowCount() == 7
    assert ds.drawer_labels["Cash"].text() == "115.00 (1)"
    assert ds.drawer_labels["Cash and checks"].text() == "115.00"
    assert "charges 255.00, payments 205.00, adjustments 30.00" in ds.total.text()

    page.tabs.setCurrentWidget(page.analysis)
    an = page.analysis
    an.start.setDate(QDate(first.year, first.month, 1))
    an.end.setDate(QDate(first.year, first.month, 28))
    with qtbot.waitSignal(an.shown, timeout=30000):
        qtbot.mouseClick(an.run_button, Qt.MouseButton.LeftButton)
    assert "Collection rate 91.1%" in an.summary.text()  # 205 / (255 - 30)
    assert an.procedures.rowCount() == 2 and an.payer_mix.rowCount() == 2


def test_the_chart_draws_the_twelve_months(qtbot, office_last_month, tmp_path) -> None:
    key, _ = last_month()
    _w, _ctx, page = _window(qtbot, office_last_month, tmp_path)
    page.month.show_month(key)
    chart = page.month.chart
    chart.resize(600, 300)
    image = chart.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    blue = QColor(CHARGES_COLOR).rgb()
    hits = sum(
        1 for x in range(image.width()) for y in range(image.height()) if image.pixel(x, y) == blue
    )
    assert hits > 100  # the legend box and last month's charges bar
    assert chart.month_at(chart.width() - 20) == 11
    assert "Charges 255.00" in chart.months[-1].text
    assert fmt(D("205.00")) in chart.months[-1].text


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on show()
def test_totals_and_breakdowns_show_every_column(qtbot, office_last_month, tmp_path) -> None:
    """At the office's usual window size the totals and each breakdown show
    all their columns (before, the breakdowns sat under the chart and their
    adjustments, refunds and net collections were off to the right)."""
    w, _ctx, page = _window(qtbot, office_last_month, tmp_path)
    w.resize(1400, 860)
    w.show()
    qtbot.waitExposed(w)
    mv = page.month
    with qtbot.waitSignal(mv.reviewed):
        qtbot.mouseClick(mv.review_button, Qt.MouseButton.LeftButton)
    tabs = mv.breakdowns
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "&Totals",
        "By &provider",
        "By pa&yer",
        "By procedure &code",
    ]
    for i in range(tabs.count()):
        tabs.setCurrentIndex(i)
        view = tabs.currentWidget()
        qtbot.wait(20)
        header = view.horizontalHeader()
        last = header.count() - 1
        assert header.sectionViewportPosition(last) + header.sectionSize(last) <= (
            view.viewport().width()
        ), view.objectName()
        assert header.sectionSize(last) >= header.sectionSizeFromContents(last).width()


def test_a_month_before_the_data_shows_no_data_in_the_window() -> None:
    from app.ui.reports.month_view import change_text, figure_text

    assert (figure_text(None), change_text(None)) == ("no data", "-")
    assert (figure_text(D("0.00")), change_text(D("0.00"))) == ("0.00", "0.00")
