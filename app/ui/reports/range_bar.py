"""The "From ... To ... [button]" bar of the day sheet and the analysis."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLabel, QPushButton


def to_date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class RangeBar(QHBoxLayout):
    """Two date fields (the end follows a start moved past it) and a button."""

    def __init__(
        self,
        name: str,
        first: QDate,
        last: QDate,
        button: str,
        on_click: Callable[[], None],
        labels: tuple[str, str] = ("F&rom:", "&To:"),
    ) -> None:
        super().__init__()
        self.start = QDateEdit(first)
        self.start.setObjectName(f"{name}Start")
        self.end = QDateEdit(last)
        self.end.setObjectName(f"{name}End")
        for d in (self.start, self.end):
            d.setCalendarPopup(True)
            d.setDisplayFormat("MM/dd/yyyy")
        self.start.dateChanged.connect(self._start_moved)
        self.button = QPushButton(button)
        self.button.clicked.connect(on_click)
        a = QLabel(labels[0])
        a.setBuddy(self.start)
        b = QLabel(labels[1])
        b.setBuddy(self.end)
        for w in (a, self.start, b, self.end, self.button):
            self.addWidget(w)
        self.addStretch(1)

    def _start_moved(self, d: QDate) -> None:
        if self.end.date() < d:
            self.end.setDate(d)

    def dates(self) -> tuple[date, date]:
        return to_date(self.start.date()), to_date(self.end.date())
