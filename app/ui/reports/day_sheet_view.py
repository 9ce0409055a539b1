"""The day sheet: a day (or range) of charges, payments, adjustments and
refunds, totalled by user and by provider, and the patient payments by
method for balancing the cash drawer."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.money import ZERO, fmt
from app.services.day_sheet import DaySheet, DaySheetEntry, DaySheetTotal, day_sheet
from app.ui import ops
from app.ui.context import UiContext
from app.ui.reports.month_view import table_view
from app.ui.reports.range_bar import RangeBar
from app.ui.widgets import Column, RowTableModel, shortcut

ENTRY_COLUMNS: list[Column[DaySheetEntry]] = [
    Column("Date", lambda e: e.entry_date),
    Column("Entered by", lambda e: e.user),
    Column("Provider", lambda e: e.provider),
    Column("Account", lambda e: e.account_no),
    Column("Patient", lambda e: e.patient),
    Column("Entry", lambda e: e.kind),
    Column("Code", lambda e: e.code),
    Column("Detail", lambda e: e.detail),
    Column("Charges", lambda e: e.charges or None, True),
    Column("Payments", lambda e: e.payments or None, True),
    Column("Adjustments", lambda e: e.adjustments or None, True),
    Column("Refunds", lambda e: e.refunds or None, True),
]


def total_columns(head: str) -> list[Column[DaySheetTotal]]:
    return [
        Column(head, lambda t: t.name),
        Column("Entries", lambda t: t.entries, True),
        Column("Charges", lambda t: t.charges, True),
        Column("Payments", lambda t: t.payments, True),
        Column("Adjustments", lambda t: t.adjustments, True),
        Column("Refunds", lambda t: t.refunds, True),
    ]


class DaySheetView(QWidget):
    shown = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.sheet: DaySheet | None = None
        today = QDate.currentDate()
        top = RangeBar("daySheet", today, today, "&Show", self.run)
        self.start, self.end, self.show_button = top.start, top.end, top.button
        self.show_button.setObjectName("showDaySheet")
        self.range = top

        self.entries = RowTableModel(ENTRY_COLUMNS)
        self.by_user = RowTableModel(total_columns("Entered by"))
        self.by_provider = RowTableModel(total_columns("Provider"))
        self.total = QLabel()
        self.total.setObjectName("daySheetTotal")

        drawer = QGroupBox("Cash drawer: patient payments received")
        drawer.setObjectName("cashDrawer")
        drawer.setMaximumWidth(300)
        self.drawer_form = QFormLayout(drawer)
        self.drawer_labels: dict[str, QLabel] = {}
        for method in ("Cash", "Check", "Card", "Other", "Total", "Cash and checks"):
            lab = QLabel()
            lab.setObjectName(f"drawer{method.replace(' ', '')}")
            # Money lines up on the decimal point, as on the paper drawer count.
            lab.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            lab.setMinimumWidth(110)
            self.drawer_labels[method] = lab
            self.drawer_form.addRow(f"{method}:", lab)

        # The totals by user and by provider one above the other, each the
        # width of the sheet: side by side (with the drawer) their money
        # columns were cut off at the right edge.
        self.by_user_view = table_view("daySheetByUser", self.by_user)
        self.by_provider_view = table_view("daySheetByProvider", self.by_provider)
        tables = QVBoxLayout()
        tables.setContentsMargins(0, 0, 0, 0)
        tables.addWidget(self.by_user_view, 1)
        tables.addWidget(self.by_provider_view, 1)
        sums = QHBoxLayout()
        sums.addLayout(tables, 1)
        sums.addWidget(drawer, 0, Qt.AlignmentFlag.AlignTop)
        bottom = QWidget()
        bottom.setLayout(sums)
        split = QSplitter(Qt.Orientation.Vertical)
        self.entries_view = table_view("daySheetEntries", self.entries)
        split.addWidget(self.entries_view)
        split.addWidget(bottom)
        split.setSizes([380, 280])

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        lay.addWidget(self.total)
        shortcut(self, "Return", self.run)
        shortcut(self, "Enter", self.run)

    def run(self) -> None:
        # The day sheet lists patients: viewing it is audited (a write).
        result = ops.run(self, self.ctx, day_sheet, *self.range.dates())
        if not isinstance(result, DaySheet):
            return
        self.sheet = result
        self.entries.set_rows(result.entries)
        self.by_user.set_rows(result.by_user)
        self.by_provider.set_rows(result.by_provider)
        t = result.total
        self.total.setText(
            f"{t.entries} entries: charges {fmt(t.charges)}, payments {fmt(t.payments)}, "
            f"adjustments {fmt(t.adjustments)}, refunds {fmt(t.refunds)}."
        )
        lines = {d.method: d for d in result.drawer}
        for method in ("Cash", "Check", "Card", "Other"):
            d = lines.get(method)
            self.drawer_labels[method].setText(f"{fmt(d.amount)} ({d.count})" if d else fmt(ZERO))
        self.drawer_labels["Total"].setText(fmt(result.drawer_total))
        self.drawer_labels["Cash and checks"].setText(fmt(result.cash_and_checks))
        self.shown.emit()
