"""The month's totals: pick a month, review its totals beside the previous
month and the same month last year with the breakdowns and the 12-month
chart, save them as PDF/CSV/XLSX, and close or reopen the month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.ledger import LedgerEntry
from app.money import fmt
from app.services import month_close, month_export
from app.services.auth import Permission
from app.services.ledger import month_key
from app.services.month_close import MonthReview
from app.services.month_totals import (
    FigureRow,
    PayerRow,
    ProcedureRow,
    ProviderRow,
    month_label,
    shift_month,
)
from app.ui import ops
from app.ui.context import UiContext
from app.ui.reports.chart import MonthChart
from app.ui.reports.jobs import run_in_background
from app.ui.widgets import SORT_ROLE, Column, RowTableModel, shortcut

BOLD_KEYS = {"payments", "adjustments", "net_collections", "ar_end", "expenses_total", "net"}


def figure_text(v: Any) -> str:
    if v is None:  # a month before the office's data starts
        return "no data"
    if isinstance(v, Decimal):
        return fmt(v)
    return f"{v:,}" if isinstance(v, int) else str(v)


def change_text(v: Any) -> str:
    if v is None:
        return "-"
    text = figure_text(v)
    return text if text.startswith("-") or v == 0 else f"+{text}"


class FigureModel(RowTableModel[FigureRow]):
    """The totals table: total lines in bold."""

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.FontRole and index.isValid():
            if self.rows[index.row()].key in BOLD_KEYS:
                f = QFont()
                f.setBold(True)
                return f
            return None
        return super().data(index, role)


def figure_columns(review: MonthReview) -> list[Column[FigureRow]]:
    r = review.report
    return [
        Column("Figure", lambda f: f.label),
        Column(r.label, lambda f: f.value, True, figure_text),
        Column(r.previous.label, lambda f: f.previous, True, figure_text),
        Column("Change", lambda f: f.change_from_previous, True, change_text),
        Column(r.last_year.label, lambda f: f.last_year, True, figure_text),
        Column("Change ", lambda f: f.change_from_last_year, True, change_text),
    ]


PROVIDER_COLUMNS: list[Column[ProviderRow]] = [
    Column("Provider", lambda p: p.provider),
    Column("Visits", lambda p: p.visits, True),
    Column("Charges", lambda p: p.charges, True),
    Column("Payments", lambda p: p.payments, True),
    Column("Adjustments", lambda p: p.adjustments, True),
    Column("Refunds", lambda p: p.refunds, True),
    Column("Net collections", lambda p: p.net_collections, True),
]
PAYER_COLUMNS: list[Column[PayerRow]] = [
    Column("Payer", lambda p: p.payer),
    Column("Charges", lambda p: p.charges, True),
    Column("Payments", lambda p: p.payments, True),
    Column("Adjustments", lambda p: p.adjustments, True),
    Column("Transfers", lambda p: p.transfers, True),
    Column("Refunds", lambda p: p.refunds, True),
    Column("Net collections", lambda p: p.net_collections, True),
]
PROCEDURE_COLUMNS: list[Column[ProcedureRow]] = [
    Column("Code", lambda p: p.code),
    Column("Description", lambda p: p.description),
    Column("Units", lambda p: p.units, True),
    Column("Charges", lambda p: p.charges, True),
    Column("Payments", lambda p: p.payments, True),
    Column("Units paid", lambda p: p.paid_units, True),
    Column("Average paid per unit", lambda p: p.average_paid_per_unit, True),
]


def table_view(
    name: str, model: RowTableModel[Any], sortable: bool = True, *, stretch: int | None = None
) -> QTableView:
    """A read-only table; column ``stretch`` (a name or description) takes
    the width left over and is cut short with "..." when the table is
    narrow, so the money columns after it stay in sight."""
    view = QTableView()
    view.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
    view.setObjectName(name)
    if sortable:
        proxy = QSortFilterProxyModel(view)
        proxy.setSourceModel(model)
        proxy.setSortRole(SORT_ROLE)
        view.setModel(proxy)
        view.setSortingEnabled(True)
        # The service's order (and no arrow) until a header is clicked.
        view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        proxy.sort(-1)
    else:
        view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(22)
    view.horizontalHeader().setStretchLastSection(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        view.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
    return view


def _first_month(s: Any, _actor: Any) -> str | None:
    from sqlalchemy import func, select

    first = s.execute(select(func.min(LedgerEntry.entry_date))).scalar()
    return month_key(first) if first else None


class MonthView(QWidget):
    """Emits ``reviewed`` after a month is shown, ``exported`` with the
    ``ExportResult`` after a save, and ``closed_changed`` after a close/reopen."""

    reviewed = Signal(str)
    exported = Signal(object)
    closed_changed = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.review: MonthReview | None = None
        self.last_folder = str(Path.home())

        self.picker = QComboBox()
        self.picker.setObjectName("monthPicker")
        self.picker.setMinimumWidth(160)
        pick_label = QLabel("M&onth:")
        pick_label.setBuddy(self.picker)
        self.review_button = QPushButton("&Review")
        self.review_button.setObjectName("reviewMonth")
        self.review_button.setDefault(True)
        self.review_button.clicked.connect(self.review_selected)
        self.status = QLabel()
        self.status.setObjectName("closeStatus")
        self.status.setWordWrap(True)
        self.check = QLabel()
        self.check.setObjectName("rollForward")
        self.check.setWordWrap(True)
        self.check.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(pick_label)
        top.addWidget(self.picker)
        top.addWidget(self.review_button)
        top.addSpacing(16)
        top.addWidget(self.status, 1)

        self.totals_view = table_view("totalsTable", FigureModel([]), sortable=False)
        self.chart = MonthChart()
        self.providers = RowTableModel(PROVIDER_COLUMNS)
        self.payers = RowTableModel(PAYER_COLUMNS)
        self.procedures = RowTableModel(PROCEDURE_COLUMNS)
        # The totals and the breakdowns are tabs of one wide table area: under
        # the chart the breakdowns had a third of the width and showed only
        # their first columns (adjustments, refunds and net collections were
        # off to the right).
        self.breakdowns = QTabWidget()
        self.breakdowns.setObjectName("breakdowns")
        self.breakdowns.addTab(self.totals_view, "&Totals")
        self.breakdowns.addTab(table_view("byProvider", self.providers, stretch=0), "By &provider")
        self.breakdowns.addTab(table_view("byPayer", self.payers, stretch=0), "By pa&yer")
        self.breakdowns.addTab(
            table_view("byProcedure", self.procedures, stretch=1), "By procedure &code"
        )

        split = QSplitter()
        split.addWidget(self.breakdowns)
        split.addWidget(self.chart)
        self.chart.setMinimumWidth(360)
        split.setSizes([780, 420])
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        self.pdf_button = QPushButton("Save &PDF...")
        self.pdf_button.setObjectName("savePdf")
        self.csv_button = QPushButton("Save C&SV...")
        self.csv_button.setObjectName("saveCsv")
        self.xlsx_button = QPushButton("Save &XLSX...")
        self.xlsx_button.setObjectName("saveXlsx")
        self.close_button = QPushButton("C&lose month...")
        self.close_button.setObjectName("closeMonth")
        self.reopen_button = QPushButton("Re&open month...")
        self.reopen_button.setObjectName("reopenMonth")
        self.pdf_button.clicked.connect(lambda: self.save("pdf"))
        self.csv_button.clicked.connect(lambda: self.save("csv"))
        self.xlsx_button.clicked.connect(lambda: self.save("xlsx"))
        self.close_button.clicked.connect(self.close_month)
        self.reopen_button.clicked.connect(self.reopen_month)
        buttons = QHBoxLayout()
        for b in (self.pdf_button, self.csv_button, self.xlsx_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.reopen_button)
        if not ctx.can(Permission.EXPORT):
            for b in (self.pdf_button, self.csv_button, self.xlsx_button):
                b.setToolTip("Your role may not export data to files.")
        if not ctx.can(Permission.MONTH_CLOSE):
            for b in (self.close_button, self.reopen_button):
                b.setToolTip("Only the office manager closes and reopens months.")

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.check)
        lay.addWidget(split, 1)
        lay.addLayout(buttons)
        shortcut(self, "Return", self.review_selected)
        shortcut(self, "Enter", self.review_selected)
        self._set_actions()
        self.fill_months()

    # ------------------------------------------------------------ months

    def fill_months(self, today: date | None = None) -> None:
        """Every month from the office's first ledger month to this month,
        newest first; last month is chosen (the one to close)."""
        current = month_key(today or date.today())
        first = ops.query(self, self.ctx, _first_month)
        first_key = first if isinstance(first, str) else shift_month(current, -24)
        first_key = min(first_key, shift_month(current, -12))
        self.picker.clear()
        m = current
        while m >= first_key:
            self.picker.addItem(month_label(m), m)
            m = shift_month(m, -1)
        self.select_month(shift_month(current, -1))

    def select_month(self, month: str) -> None:
        i = self.picker.findData(month)
        if i < 0:
            self.picker.addItem(month_label(month), month)
            i = self.picker.count() - 1
        self.picker.setCurrentIndex(i)

    @property
    def month(self) -> str:
        return str(self.picker.currentData())

    # ------------------------------------------------------------ review

    def review_selected(self) -> None:
        self.show_month(self.month)

    def show_month(self, month: str) -> bool:
        self.select_month(month)
        result = ops.query(self, self.ctx, month_close.review_month, month)
        if not isinstance(result, MonthReview):
            return False
        self.review = result
        r = result.report
        model = FigureModel(figure_columns(result))
        model.set_rows(r.figures)
        old = self.totals_view.model()
        self.totals_view.setModel(model)
        if old is not None:
            old.deleteLater()
        self.providers.set_rows(r.by_provider)
        self.payers.set_rows(r.by_payer)
        self.procedures.set_rows(r.by_procedure)
        self.chart.set_series(r.series)
        t = r.totals
        ok = t.balanced
        self.check.setText(
            f"A/R roll-forward: {fmt(t.ar_start)} at start + {fmt(t.charges)} charges "
            f"- {fmt(t.payments)} payments - {fmt(t.adjustments)} adjustments "
            f"+ {fmt(t.refunds)} refunds + {fmt(t.transfers)} transfers = "
            f"{fmt(t.ar_rolled_forward)}; A/R at end {fmt(t.ar_end)}: "
            + ("<b>balances to the cent</b>." if ok else "<b>DOES NOT BALANCE</b>.")
        )
        self.check.setStyleSheet("color: #1b5e20;" if ok else "color: #c62828;")
        self._show_state()
        self.reviewed.emit(month)
        return True

    def _show_state(self) -> None:
        assert self.review is not None
        state = self.review.state
        text = state.summary
        if state.differences:
            text += "<br>" + "; ".join(
                f"{label}: kept {then}, today {now}" for label, then, now in state.differences
            )
            self.status.setStyleSheet("color: #c62828;")
        elif state.closed:
            self.status.setStyleSheet("color: #1b5e20;")
        else:
            self.status.setStyleSheet("")
        self.status.setText(text)
        self._set_actions()

    def _set_actions(self) -> None:
        loaded = self.review is not None
        closed = loaded and self.review is not None and self.review.state.closed
        can_export = self.ctx.can(Permission.EXPORT) and self.ctx.can(Permission.REPORTS)
        for b in (self.pdf_button, self.csv_button, self.xlsx_button):
            b.setEnabled(loaded and can_export)
        can_close = self.ctx.can(Permission.MONTH_CLOSE)
        self.close_button.setEnabled(loaded and can_close and not closed)
        self.reopen_button.setEnabled(loaded and can_close and bool(closed))

    def refresh(self) -> None:
        if self.review is not None:
            self.show_month(self.review.report.month)

    # ------------------------------------------------------------ export

    def ask_folder(self) -> str:
        return QFileDialog.getExistingDirectory(
            self, "Save the month's totals in the folder", self.last_folder
        )

    def save(self, fmt_: str) -> None:
        if self.review is None:
            return
        folder = self.ask_folder()
        if not folder:
            return
        self.last_folder = folder
        r = self.review.report
        names = month_export.file_names(r.practice, r.month, fmt_)
        existing = [n for n in names if (Path(folder) / n).exists()]
        if existing:
            answer = QMessageBox.question(
                self,
                "Replace files?",
                f"{len(existing)} file(s) of this export are already in that folder "
                f"({existing[0]}). Replace them?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        run_in_background(
            self,
            self.ctx,
            f"Saving the totals of {r.label} as {fmt_.upper()}...",
            month_export.export_month,
            r.month,
            fmt_,
            Path(folder),
            on_done=self._exported,
        )

    def _exported(self, result: month_export.ExportResult) -> None:
        where = result.files[0].parent
        names = "\n".join(p.name for p in result.files)
        self.status.setText(
            f"Saved {len(result.files)} {result.format.upper()} file(s) in {where}."
        )
        self.status.setStyleSheet("")
        self.exported.emit(result)
        self.status.setToolTip(names)

    # ------------------------------------------------------------ close

    def close_month(self) -> None:
        if self.review is None:
            return
        r = self.review.report
        todo = ops.query(self, self.ctx, lambda s, _a: month_close.months_to_close(s, r.month))
        if not isinstance(todo, list):
            return
        earlier = [m for m in todo if m != r.month]
        text = (
            f"Close {r.label}?\n\nAfter closing, no charge, payment or adjustment can be "
            f"dated in {r.label}; late corrections are dated in an open month. Its totals "
            f"are kept: net collections {fmt(r.totals.net_collections)}, A/R at end "
            f"{fmt(r.totals.ar_end)}."
        )
        if earlier:
            text += (
                f"\n\n{len(earlier)} earlier month(s) are still open "
                f"({month_label(earlier[0])} to {month_label(earlier[-1])}); they are "
                "closed with it so that no late entry can change its opening A/R."
            )
        answer = QMessageBox.question(self, f"Close {r.label}", text)
        if answer != QMessageBox.StandardButton.Yes:
            return
        run_in_background(
            self,
            self.ctx,
            f"Closing {r.label}...",
            month_close.close_month,
            r.month,
            reviewed=r.totals,
            on_done=self._closed,
            cancellable=False,
            changed="months",
        )

    def _closed(self, result: month_close.CloseResult) -> None:
        self.show_month(result.month)
        self.closed_changed.emit(result.month)

    def ask_reopen_reason(self, label: str, later: list[str]) -> tuple[str, bool]:
        note = ""
        if later:
            note = (
                f"\n\nEntries dated in {label} change the opening A/R of the closed "
                f"month(s) after it ({', '.join(month_label(m) for m in later)}); their "
                "review will show the difference."
            )
        return QInputDialog.getText(
            self, f"Reopen {label}", f"Why is {label} reopened? (kept in the audit log){note}"
        )

    def reopen_month(self) -> None:
        if self.review is None:
            return
        r = self.review.report
        later = ops.query(self, self.ctx, lambda s, _a: month_close.later_closed_months(s, r.month))
        reason, ok = self.ask_reopen_reason(r.label, later if isinstance(later, list) else [])
        if not ok:
            return
        result = ops.run(
            self, self.ctx, month_close.reopen_month, r.month, reason, changed="months"
        )
        if isinstance(result, month_close.CloseState):
            self.show_month(r.month)
            self.closed_changed.emit(r.month)
