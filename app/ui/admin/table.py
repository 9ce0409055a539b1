"""A sortable, single-selection table over plain rows (the admin lists)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView

from app.ui.widgets import SORT_ROLE, Column, RowTableModel

R = TypeVar("R")


class RowTable(QTableView, Generic[R]):
    def __init__(
        self, columns: Sequence[Column[R]], object_name: str, *, newest_first: bool = False
    ) -> None:
        super().__init__()
        self.setObjectName(object_name)
        self.setTabKeyNavigation(False)  # Tab leaves the list (arrows move in it)
        self.rows_model: RowTableModel[R] = RowTableModel(columns, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.rows_model)
        self.proxy.setSortRole(SORT_ROLE)
        self.setModel(self.proxy)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSortingEnabled(True)
        self.order = Qt.SortOrder.DescendingOrder if newest_first else Qt.SortOrder.AscendingOrder
        self.sortByColumn(0, self.order)
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().hide()

    def set_rows(self, rows: Sequence[R]) -> None:
        self.rows_model.set_rows(rows)

    @property
    def rows(self) -> list[R]:
        return self.rows_model.rows

    def selected(self) -> R | None:
        idx = self.selectionModel().selectedRows()
        if not idx:
            return None
        return self.rows_model.row(self.proxy.mapToSource(idx[0]).row())

    def select_where(self, match: Callable[[R], bool]) -> bool:
        """Select the first row that matches; False when none does."""
        for i, r in enumerate(self.rows_model.rows):
            if match(r):
                self.selectRow(self.proxy.mapFromSource(self.rows_model.index(i, 0)).row())
                return True
        return False
