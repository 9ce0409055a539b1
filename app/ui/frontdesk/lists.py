"""Two lists the gate feeds: tomorrow's patients to call for verification,
and the visits checked in without verified coverage (overrides)."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.services import checkin
from app.services.appointments import AppointmentRow, next_office_day
from app.services.checkin import OverrideRow
from app.services.patients_search import date_or_none
from app.ui import ops
from app.ui.context import UiContext
from app.ui.frontdesk.common import day_text, table
from app.ui.widgets import Column, RowTableModel


def _date_box(name: str, d: date) -> QLineEdit:
    box = QLineEdit(day_text(d))
    box.setObjectName(name)
    box.setMaximumWidth(120)
    box.setPlaceholderText("MM/DD/YYYY")
    return box


class VerifyTomorrowPage(QWidget):
    """The next office day's insured visits whose coverage is missing or
    stale. Enter opens the verification form for the patient's primary
    policy (``verify_requested(patient_id, policy_id)``)."""

    verify_requested = Signal(int)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verifyTomorrow")
        self.ctx = ctx
        self.day_box = _date_box("verifyDay", next_office_day(date.today()))
        self.model: RowTableModel[AppointmentRow] = RowTableModel(
            [
                Column("Time", lambda r: r.time_text),
                Column("Patient", lambda r: r.patient),
                Column("Account", lambda r: r.account_no),
                Column("Phone", lambda r: r.phone),
                Column("Primary payer", lambda r: r.payer or "(none on file)"),
                Column("Coverage", lambda r: r.badge),
                Column("Why", lambda r: r.coverage_reason),
            ],
            self,
        )
        self.table = table(self.model, "verifyTable")
        self.count = QLabel()
        self.count.setObjectName("verifyCount")
        refresh = QPushButton("Show")
        refresh.setAutoDefault(False)
        refresh.clicked.connect(self.reload)
        top = QHBoxLayout()
        day_label = QLabel("Visits &on")  # Alt+O: the date box
        day_label.setBuddy(self.day_box)
        top.addWidget(day_label)
        top.addWidget(self.day_box)
        top.addWidget(refresh)
        top.addWidget(self.count, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addWidget(
            QLabel("Call these patients or their payers before the visit. Enter: record the check.")
        )
        self.day_box.returnPressed.connect(self.reload)
        self.table.activated.connect(self._open)
        ctx.changed.connect(
            lambda t: self.reload() if t in ("verifications", "appointments", "policies") else None
        )
        self.reload()

    def reload(self) -> None:
        d = date_or_none(self.day_box.text(), past=False) or next_office_day(date.today())
        self.day_box.setText(day_text(d))
        rows = ops.query(self, self.ctx, checkin.verify_tomorrow, d)
        if isinstance(rows, list):
            self.model.set_rows(rows)
            self.count.setText(
                f"{len(rows)} to verify for {d:%A %m/%d/%Y}"
                if rows
                else f"Nothing to verify for {d:%A %m/%d/%Y}."
            )
            if rows:
                self.table.selectRow(0)

    def opened(self) -> None:
        """The tab was opened: the keyboard goes to the list when it has
        rows (Enter records the check), else to the date box."""
        (self.table if self.model.rows else self.day_box).setFocus()

    def _open(self) -> None:
        i = self.table.currentIndex().row()
        if 0 <= i < len(self.model.rows):
            self.verify_requested.emit(self.model.rows[i].patient_id)


class UnverifiedVisitsPage(QWidget):
    """Visits checked in by override, with who and why. Enter opens the patient."""

    open_patient = Signal(int)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unverifiedVisits")
        self.ctx = ctx
        today = date.today()
        self.first = _date_box("overrideFrom", today - timedelta(days=30))
        self.last = _date_box("overrideTo", today)
        self.model: RowTableModel[OverrideRow] = RowTableModel(
            [
                Column("Date", lambda r: r.visit.day),
                Column("Time", lambda r: r.visit.time_text),
                Column("Patient", lambda r: r.visit.patient),
                Column("Account", lambda r: r.visit.account_no),
                Column("Primary payer", lambda r: r.visit.payer),
                Column("Override by", lambda r: r.override_by),
                Column("Reason", lambda r: r.override_reason),
                Column("Coverage now", lambda r: r.coverage_now),
            ],
            self,
        )
        self.table = table(self.model, "overrideTable")
        self.count = QLabel()
        self.count.setObjectName("overrideCount")
        refresh = QPushButton("Show")
        refresh.setAutoDefault(False)
        refresh.clicked.connect(self.reload)
        top = QHBoxLayout()
        top.addWidget(QLabel("From"))
        top.addWidget(self.first)
        top.addWidget(QLabel("to"))
        top.addWidget(self.last)
        top.addWidget(refresh)
        top.addWidget(self.count, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        for box in (self.first, self.last):
            box.returnPressed.connect(self.reload)
        self.table.activated.connect(self._open)
        ctx.changed.connect(
            lambda t: self.reload() if t in ("appointments", "verifications") else None
        )
        self.reload()

    def reload(self) -> None:
        first = date_or_none(self.first.text(), past=False) or date.today() - timedelta(days=30)
        last = date_or_none(self.last.text(), past=False) or date.today()
        rows = ops.query(self, self.ctx, checkin.unverified_visits, first, last)
        if isinstance(rows, list):
            self.model.set_rows(rows)
            self.count.setText(
                f"{len(rows)} visit{'s' if len(rows) != 1 else ''} checked in without verified coverage."
            )

    def _open(self) -> None:
        i = self.table.currentIndex().row()
        if 0 <= i < len(self.model.rows):
            self.open_patient.emit(self.model.rows[i].visit.patient_id)
