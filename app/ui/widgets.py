"""Small widgets every screen uses: the honest "not yet" page, inline
validation marks, a table model over plain rows, and keyboard conventions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QLabel,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import Problem
from app.money import fmt

R = TypeVar("R")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2


class NotYetPage(QWidget):
    """A work area that a later release fills. Says so plainly."""

    def __init__(self, title: str, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        head = QLabel(f"<h2>{title}</h2>")
        body = QLabel(f"<p>This area is not yet available in this version.</p><p>{what}</p>")
        body.setWordWrap(True)
        lay.addWidget(head)
        lay.addWidget(body)
        lay.addStretch(1)


INVALID_STYLE = "border: 2px solid #c62828; background: #fff5f5;"


class ProblemMarker:
    """Shows validation problems next to their fields.

    ``fields`` maps a problem's field name to (input widget, message label).
    ``show`` marks every field with a problem and writes its message; problems
    for fields the form does not know go to ``summary``.
    """

    def __init__(self, fields: dict[str, tuple[QWidget, QLabel]], summary: QLabel) -> None:
        self.fields = fields
        self.summary = summary
        for _, label in fields.values():
            label.setStyleSheet("color: #c62828;")
            label.setWordWrap(True)
            label.hide()
        summary.setStyleSheet("color: #c62828;")
        summary.setWordWrap(True)
        summary.hide()

    def clear(self) -> None:
        for widget, label in self.fields.values():
            widget.setStyleSheet("")
            widget.setToolTip("")
            label.clear()
            label.hide()
        self.summary.clear()
        self.summary.hide()

    def show(self, problems: Sequence[Problem]) -> None:
        self.clear()
        other: list[str] = []
        first: QWidget | None = None
        for p in problems:
            if p.field in self.fields:
                widget, label = self.fields[p.field]
                widget.setStyleSheet(INVALID_STYLE)
                widget.setToolTip(p.message)
                label.setText((label.text() + "\n" if label.text() else "") + p.message)
                label.show()
                first = first or widget
            else:
                other.append(p.message)
        n = len(problems)
        head = f"{n} problem{'s' if n != 1 else ''} to correct before saving."
        self.summary.setText(head + ("\n" + "\n".join(other) if other else ""))
        self.summary.show()
        if first is not None:
            first.setFocus()


@dataclass(frozen=True)
class Column(Generic[R]):
    """A table column: header, how to get the raw value, how to show it."""

    header: str
    value: Callable[[R], Any]
    align_right: bool = False
    display: Callable[[Any], str] | None = None


def display_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return fmt(v)
    if isinstance(v, datetime):
        return v.astimezone().strftime("%m/%d/%Y %H:%M")
    if isinstance(v, date):
        return v.strftime("%m/%d/%Y")
    if isinstance(v, bool):
        return "Yes" if v else ""
    return str(v)


class RowTableModel(QAbstractTableModel, Generic[R]):
    """A read-only table over plain row objects (never live ORM objects).

    DisplayRole is formatted text; ``SORT_ROLE`` gives the raw value for a
    ``QSortFilterProxyModel`` with ``setSortRole(SORT_ROLE)``; ``ROW_ROLE``
    gives the row object itself.
    """

    def __init__(self, columns: Sequence[Column[R]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[R] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row(self, i: int) -> R:
        return self.rows[i]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            v = col.value(row)
            return col.display(v) if col.display else display_value(v)
        if role == SORT_ROLE:
            v = col.value(row)
            if isinstance(v, Decimal):
                return int(v * 100)
            if isinstance(v, (date, datetime)):
                return v.isoformat()
            return v if v is not None else ""
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        return None


class EntryGrid(QTableWidget):
    """A grid to type into (the EOB lines, a payment's lines, a visit's
    service lines): Tab walks the cells that can be typed in, row by row,
    and leaves the grid after the last one (Shift+Tab before the first), so
    Tab does not walk the cells forever and the buttons below are reached
    without the mouse. Hidden columns and rows are skipped; a grid that takes
    no typing (no edit triggers: a coded visit) is left at once."""

    def _editable(self) -> list[tuple[int, int]]:
        if self.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers:
            return []
        return [
            (r, c)
            for r in range(self.rowCount())
            if not self.isRowHidden(r)
            for c in range(self.columnCount())
            if not self.isColumnHidden(c)
            and (it := self.item(r, c)) is not None
            and it.flags() & Qt.ItemFlag.ItemIsEditable
        ]

    def _step(self, forward: bool) -> QModelIndex:
        cells = self._editable()
        here = (self.currentRow(), self.currentColumn())
        after = [rc for rc in cells if (rc > here if forward else rc < here)]
        if not after:
            return QModelIndex()
        r, c = after[0] if forward else after[-1]
        return self.model().index(r, c)

    def moveCursor(self, action, modifiers):  # type: ignore[no-untyped-def]
        if action == QAbstractItemView.CursorAction.MoveNext:
            return self._step(True)
        if action == QAbstractItemView.CursorAction.MovePrevious:
            return self._step(False)
        return super().moveCursor(action, modifiers)

    def closeEditor(self, editor, hint):  # type: ignore[no-untyped-def]
        """Tab in the last cell's editor keeps what was typed and moves on."""
        nxt = QAbstractItemDelegate.EndEditHint.EditNextItem
        prev = QAbstractItemDelegate.EndEditHint.EditPreviousItem
        leaving = hint in (nxt, prev) and not self._step(hint == nxt).isValid()
        super().closeEditor(editor, hint)
        if leaving:
            self.focusNextPrevChild(hint == nxt)


def shortcut(
    widget: QWidget, keys: str | QKeySequence.StandardKey, fn: Callable[[], None]
) -> QShortcut:
    sc = QShortcut(QKeySequence(keys), widget)
    sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    sc.activated.connect(fn)
    return sc
