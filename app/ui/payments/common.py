"""Small widgets the payments screens share: money and date fields, a table
over plain rows, a patient finder, and the "save a copy" / "open to print"
helpers for PDFs and CSV files."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.money import MoneyError, parse_money
from app.services import payments
from app.ui import ops
from app.ui.context import UiContext
from app.ui.widgets import SORT_ROLE, Column, RowTableModel
from app.ui.widgets import EntryGrid as EntryGrid  # moved to app.ui.widgets (shared)

ERROR_STYLE = "color: #c62828;"
OK_STYLE = "color: #1b5e20;"


def money_text(v: Decimal) -> str:
    from app.money import fmt

    return fmt(v)


class MoneyEdit(QLineEdit):
    """A money field: typed text -> Decimal (never float); blank is None."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setPlaceholderText("0.00")
        self.setMaximumWidth(120)

    def value(self) -> Decimal | None:
        t = self.text().strip()
        if not t:
            return None
        try:
            return parse_money(t)
        except MoneyError:
            return None

    def is_valid(self) -> bool:
        return not self.text().strip() or self.value() is not None

    def set_value(self, v: Decimal | None) -> None:
        self.setText("" if v is None else money_text(v))


class DateEdit(QDateEdit):
    def __init__(self, name: str, value: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setCalendarPopup(True)
        self.setDisplayFormat("MM/dd/yyyy")
        self.set_value(value or date.today())

    def value(self) -> date:
        d = self.date()
        return date(d.year(), d.month(), d.day())

    def set_value(self, d: date) -> None:
        self.setDate(QDate(d.year, d.month, d.day))


class HighlightModel(RowTableModel[Any]):
    """Rows for which ``flag(row)`` is true show in red (overdue bills...)."""

    def __init__(
        self,
        columns: Sequence[Column[Any]],
        flag: Callable[[Any], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(columns, parent)
        self.flag = flag

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            if self.flag(self.rows[index.row()]):
                return QBrush(QColor("#c62828"))
            return None
        return super().data(index, role)


class RowsView(QTableView):
    """A sortable, read-only table over plain rows (a ``RowTableModel``)."""

    def __init__(
        self,
        name: str,
        columns: Sequence[Column[Any]],
        parent: QWidget | None = None,
        *,
        red_if: Callable[[Any], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.model_: RowTableModel[Any] = (
            HighlightModel(columns, red_if, self) if red_if else RowTableModel(columns, self)
        )
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model_)
        self.proxy.setSortRole(SORT_ROLE)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        # Keep the service's order (no sort arrow) until a header is clicked.
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the list (arrows move in it)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.setAlternatingRowColors(True)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.model_.set_rows(rows)
        if rows:
            self.selectRow(0)

    def rows(self) -> list[Any]:
        return list(self.model_.rows)

    def current(self) -> Any | None:
        idx = self.currentIndex()
        if not idx.isValid():
            return None
        src = self.proxy.mapToSource(idx)
        return self.model_.row(src.row())

    def select_where(self, pred: Callable[[Any], bool]) -> bool:
        for i, r in enumerate(self.model_.rows):
            if pred(r):
                idx = self.proxy.mapFromSource(self.model_.index(i, 0))
                self.selectRow(idx.row())
                self.scrollTo(idx)
                return True
        return False


class PatientFinder(QWidget):
    """Type a name ("last, first"), account number or phone, Enter, pick."""

    picked = Signal(int)

    def __init__(self, ctx: UiContext, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(name)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("&Patient:"))
        self.search = QLineEdit()
        self.search.setObjectName(f"{name}Search")
        self.search.setPlaceholderText('Last name, "last, first", account number or phone - Enter')
        row.itemAt(0).widget().setBuddy(self.search)  # type: ignore[union-attr]
        row.addWidget(self.search, 1)
        lay.addLayout(row)
        self.results = RowsView(
            f"{name}Results",
            [
                Column("Patient", lambda r: r.name),
                Column("Account", lambda r: r.account_no),
                Column("Born", lambda r: r.dob),
                Column("Phone", lambda r: r.phone),
            ],
        )
        self.results.setMaximumHeight(130)
        self.results.hide()
        lay.addWidget(self.results)
        self.search.returnPressed.connect(self.find)
        self.results.activated.connect(lambda _i: self._pick())

    def find(self) -> None:
        got = ops.query(self, self.ctx, payments.find_patients, self.search.text())
        if isinstance(got, ops.Failed):
            return
        if len(got) == 1:
            self.results.hide()
            self.picked.emit(got[0].patient_id)
            return
        self.results.set_rows(got)
        self.results.setVisible(bool(got))
        if got:
            self.results.setFocus()

    def _pick(self) -> None:
        r = self.results.current()
        if r is not None:
            self.results.hide()
            self.picked.emit(r.patient_id)


def form_row(form: QFormLayout, label: str, w: QWidget, err: QLabel | None = None) -> None:
    """A form row whose label's Alt+letter jumps to the field, with the
    field's problem message beside it."""
    lab = QLabel(label)
    lab.setBuddy(w)
    row = QHBoxLayout()
    row.addWidget(w)
    if err is not None:
        row.addWidget(err, 1)
    else:
        row.addStretch(1)
    form.addRow(lab, row)


def title(text: str) -> QLabel:
    lab = QLabel(f"<h3>{text}</h3>")
    return lab


def save_copy(
    parent: QWidget,
    ctx: UiContext,
    src: Path,
    suggested: str,
    kind: str,
    audit_fn: Callable[..., Any],
    *args: Any,
) -> Path | None:
    """Ask where to save a copy of ``src``, copy it, and audit the export."""
    filt = "PDF files (*.pdf)" if kind == "pdf" else "CSV files (*.csv)"
    name, _ = QFileDialog.getSaveFileName(parent, "Save a copy", suggested, filt)
    if not name:
        return None
    dest = Path(name)
    shutil.copyfile(src, dest)
    ops.run(parent, ctx, audit_fn, *args, str(dest.name))
    return dest


def choose_pdf_path(parent: QWidget, caption: str, suggested: str) -> Path | None:
    """Where to save a PDF (tests replace this function)."""
    name, _ = QFileDialog.getSaveFileName(parent, caption, suggested, "PDF files (*.pdf)")
    return Path(name) if name else None


def status(label: QLabel, text: str, ok: bool = True) -> None:
    label.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
    label.setText(text)
