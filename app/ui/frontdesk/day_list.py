"""The day's appointment list per provider, run from the keyboard:
Alt+Left / Alt+Right change the day, Alt+Home is today, Ctrl+N books,
F2 moves, Enter checks in, and the rest are on buttons with shortcuts."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services import appointments
from app.services.appointments import (
    VISIT_TYPES,
    AppointmentInput,
    AppointmentRow,
    ScheduleConflicts,
)
from app.services.auth import Permission
from app.services.patients_search import date_or_none
from app.ui import ops
from app.ui.context import UiContext
from app.ui.frontdesk.checkin_dialog import CheckInDialog
from app.ui.frontdesk.common import (
    BADGE_COLORS,
    FormDialog,
    ask_yes_no,
    day_text,
    returning,
    table,
)
from app.ui.frontdesk.patient_view import PatientPicker
from app.ui.widgets import Column, RowTableModel, shortcut

STATUS_COLORS = {
    "checked_in": "#1565c0",
    "completed": "#2e7d32",
    "no_show": "#b71c1c",
    "cancelled": "#78909c",
}


class AppointmentModel(RowTableModel[AppointmentRow]):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            [
                Column("Time", lambda r: r.time_text),
                Column("Patient", lambda r: r.patient),
                Column("Account", lambda r: r.account_no),
                Column("Provider", lambda r: r.provider),
                Column("Reason", lambda r: r.reason),
                Column("Visit type", lambda r: r.visit_type),
                Column("Coverage", lambda r: r.badge),
                Column("Status", lambda r: r.status_label),
                Column("Copay", lambda r: r.copay_due, align_right=True),
                Column("Paid", lambda r: r.paid or None, align_right=True),
            ],
            parent,
        )

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole:
            r = self.rows[index.row()]
            if index.column() == 6 and not r.self_pay:
                return QColor(BADGE_COLORS.get(r.coverage, BADGE_COLORS[None])[0])
            if index.column() == 7 and r.status.value in STATUS_COLORS:
                return QColor(STATUS_COLORS[r.status.value])
        if index.isValid() and role == Qt.ItemDataRole.ToolTipRole and index.column() == 6:
            return self.rows[index.row()].coverage_reason
        return super().data(index, role)


class AppointmentForm(FormDialog):
    """Book (``appointment_id`` None) or move a visit."""

    saved = Signal(int)

    def __init__(
        self,
        ctx: UiContext,
        *,
        patient_id: int,
        patient_text: str,
        day: date,
        provider_id: int | None = None,
        appointment_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Move visit" if appointment_id else "Book a visit", parent)
        self.setObjectName("appointmentForm")
        self.ctx = ctx
        self.patient_id = patient_id
        self.appointment_id = appointment_id
        self.banner.setText(patient_text)
        self.banner.show()
        provs = ops.query(self, ctx, appointments.providers)
        f = self.fields
        self.provider = f.combo(
            "provider_id",
            "&Provider",
            [(n, i) for i, n in provs] if isinstance(provs, list) else [],
        )
        f.date("day", "&Date")
        f.line("start", "&Time", placeholder="9:30 or 2:15pm")
        f.line("minutes", "Length (minutes)")
        f.line("reason", "Reason", width=120, span=True)
        f.combo("visit_type", "Visit type", [(v, v) for v in VISIT_TYPES])
        self.self_pay = f.check("self_pay", "Billing", "Self-pay visit (no insurance billed)")
        f.set("day", day)
        f.set("minutes", "15")
        if provider_id is not None:
            f.set("provider_id", provider_id)
        if appointment_id is not None:
            data = ops.query(self, ctx, appointments.appointment_input, appointment_id)
            if isinstance(data, AppointmentInput):
                f.set("provider_id", data.provider_id)
                f.set("day", data.day)
                f.set(
                    "start",
                    data.start.strftime("%I:%M %p").lstrip("0")
                    if hasattr(data.start, "strftime")
                    else data.start,
                )
                f.set("minutes", data.minutes)
                f.set("reason", data.reason)
                f.set("visit_type", data.visit_type)
                f.set("self_pay", data.self_pay)
        self.finish_fields()
        self.provider.setFocus()

    def input(self) -> AppointmentInput:
        f = self.fields
        return AppointmentInput(
            patient_id=self.patient_id,
            provider_id=self.provider.currentData(),
            day=f.value("day"),
            start=f.value("start"),
            minutes=f.value("minutes"),
            reason=f.value("reason"),
            visit_type=f.value("visit_type"),
            self_pay=self.self_pay.isChecked(),
        )

    def save(self, allow_conflicts: bool = False) -> bool:
        self.clear_problems()
        if self.appointment_id is None:
            result = ops.run(
                self,
                self.ctx,
                returning(ScheduleConflicts, appointments.book),
                self.input(),
                allow_conflicts=allow_conflicts,
                on_invalid=self.show_problems,
                changed="appointments",
            )
        else:
            result = ops.run(
                self,
                self.ctx,
                returning(ScheduleConflicts, appointments.move),
                self.appointment_id,
                self.input(),
                allow_conflicts=allow_conflicts,
                on_invalid=self.show_problems,
                changed="appointments",
            )
            if not isinstance(result, (ops.Failed, ScheduleConflicts)):
                result = self.appointment_id
        if isinstance(result, ScheduleConflicts):
            # A warning the receptionist may accept: nothing was saved yet.
            if ask_yes_no(self, "Double-book?", result.message + "\n\nBook it anyway?"):
                return self.save(allow_conflicts=True)
            return False
        if isinstance(result, ops.Failed):
            return False
        self.saved.emit(int(result))  # type: ignore[arg-type]
        return True


class DayListPage(QWidget):
    """Emits ``open_patient(id)``."""

    open_patient = Signal(int)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dayList")
        self.ctx = ctx
        self.day = date.today()
        self.form: AppointmentForm | None = None
        self.picker: PatientPicker | None = None
        self.check_in_dialog: CheckInDialog | None = None
        self.day_box = QLineEdit()
        self.day_box.setObjectName("dayBox")
        self.day_box.setMaximumWidth(120)
        self.day_label = QLabel()
        self.day_label.setObjectName("dayLabel")
        self.day_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.provider = QComboBox()
        self.provider.setObjectName("providerFilter")
        self.provider.addItem("All providers", None)
        provs = ops.query(self, ctx, appointments.providers)
        for pid, name in provs if isinstance(provs, list) else []:
            self.provider.addItem(name, pid)
        top = QHBoxLayout()
        for text, tip, fn in (
            ("<", "Previous day (Alt+Left)", lambda: self.go(self.day - timedelta(days=1))),
            ("Today", "Alt+Home", lambda: self.go(date.today())),
            (">", "Next day (Alt+Right)", lambda: self.go(self.day + timedelta(days=1))),
        ):
            b = QPushButton(text)
            b.setToolTip(tip)
            b.setAutoDefault(False)
            b.clicked.connect(fn)
            top.addWidget(b)
        shortcut(self, "Alt+Left", lambda: self.go(self.day - timedelta(days=1)))
        shortcut(self, "Alt+Right", lambda: self.go(self.day + timedelta(days=1)))
        shortcut(self, "Alt+Home", lambda: self.go(date.today()))
        top.addWidget(self.day_box)
        top.addWidget(self.day_label)
        top.addStretch(1)
        top.addWidget(QLabel("Provider"))
        top.addWidget(self.provider)

        self.model = AppointmentModel(self)
        self.table = table(self.model, "appointmentTable")
        self.empty = QLabel()
        self.empty.setObjectName("dayEmpty")

        actions = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, keys, fn, perm in (
            ("new", "&New visit", "Ctrl+N", self.new, Permission.SCHEDULE),
            ("checkin", "&Check in", "Return", self.check_in, Permission.CHECK_IN),
            ("move", "&Move", "F2", self.move, Permission.SCHEDULE),
            ("cancel", "Cancel v&isit", "Ctrl+Delete", self.cancel, Permission.SCHEDULE),
            ("noshow", "No-&show", "Ctrl+Shift+N", self.no_show, Permission.SCHEDULE),
            ("complete", "Comp&leted", "Ctrl+M", self.complete, Permission.SCHEDULE),
            ("patient", "&Open patient", "Ctrl+O", self.patient, Permission.PATIENT_VIEW),
        ):
            b = QPushButton(text)
            b.setObjectName(f"day_{key}")
            b.setToolTip(keys)
            b.setAutoDefault(False)
            b.setEnabled(ctx.can(perm))
            b.clicked.connect(fn)
            if keys != "Return" and ctx.can(perm):
                shortcut(self, keys, fn)
            actions.addWidget(b)
            self.buttons[key] = b
        actions.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.empty)
        lay.addLayout(actions)
        self.table.activated.connect(lambda _i: self.check_in())
        self.day_box.returnPressed.connect(self._typed_day)
        self.provider.currentIndexChanged.connect(lambda _i: self.reload())
        ctx.changed.connect(self._changed)
        self.go(self.day)

    def _changed(self, topic: str) -> None:
        if topic in ("appointments", "ledger", "verifications", "policies", "patients", "settings"):
            self.reload()

    def _typed_day(self) -> None:
        d = date_or_none(self.day_box.text(), past=False)
        if d is not None:
            self.go(d)
            self.table.setFocus()
        else:
            self.day_box.selectAll()

    def go(self, day: date) -> None:
        self.day = day
        self.day_box.setText(day_text(day))
        self.day_label.setText(f"{day:%A, %B} {day.day}, {day.year}")
        self.reload()

    def reload(self, select: int | None = None) -> None:
        keep = select or (self.current().id if self.current() else None)
        rows = ops.query(
            self, self.ctx, appointments.day_list, self.day, self.provider.currentData()
        )
        if not isinstance(rows, list):
            return
        self.model.set_rows(rows)
        self.empty.setText("" if rows else "No visits on the list for this day. Ctrl+N books one.")
        if rows:
            i = next((n for n, r in enumerate(rows) if r.id == keep), 0)
            self.table.selectRow(i)

    def current(self) -> AppointmentRow | None:
        if not hasattr(self, "table"):
            return None
        i = self.table.currentIndex().row()
        return self.model.rows[i] if 0 <= i < len(self.model.rows) else None

    def select(self, appointment_id: int) -> bool:
        for i, r in enumerate(self.model.rows):
            if r.id == appointment_id:
                self.table.selectRow(i)
                self.table.setFocus()
                return True
        return False

    # ---------------------------------------------------------------- actions

    def new(self, patient_id: int | None = None, patient_text: str = "") -> None:
        if patient_id is None:
            self.picker = PatientPicker(self.ctx, "Book a visit: find the patient", self)
            self.picker.accepted.connect(self._picked)
            self.picker.open()
            return
        self.form = AppointmentForm(
            self.ctx,
            patient_id=patient_id,
            patient_text=patient_text,
            day=max(self.day, date.today()),
            provider_id=self.provider.currentData(),
            parent=self,
        )
        self.form.saved.connect(self._saved)
        self.form.open()

    def _saved(self, appointment_id: int) -> None:
        """A visit booked or moved: shown highlighted, with the keyboard on
        the list (Enter checks it in)."""
        self.reload(appointment_id)
        self.table.setFocus()

    def _picked(self) -> None:
        if self.picker is None or self.picker.chosen_id is None:
            return
        hit = next((h for h in self.picker.search.hits() if h.id == self.picker.chosen_id), None)
        text = f"{hit.name}   Account {hit.account_no}   DOB {day_text(hit.dob)}" if hit else ""
        self.new(self.picker.chosen_id, text)

    def move(self) -> None:
        r = self.current()
        if r is None:
            return
        self.form = AppointmentForm(
            self.ctx,
            patient_id=r.patient_id,
            patient_text=f"{r.patient}   Account {r.account_no}",
            day=r.day,
            appointment_id=r.id,
            parent=self,
        )
        self.form.saved.connect(self._saved)
        self.form.open()

    def check_in(self) -> CheckInDialog | None:
        r = self.current()
        if r is None or not self.ctx.can(Permission.CHECK_IN):
            return None
        self.check_in_dialog = CheckInDialog(self.ctx, r.id, self)
        self.check_in_dialog.done.connect(lambda: self.reload(r.id))
        self.check_in_dialog.open()
        return self.check_in_dialog

    def cancel(self) -> None:
        r = self.current()
        if r and ask_yes_no(self, "Cancel visit", f"Cancel {r.patient}'s visit at {r.time_text}?"):
            ops.run(self, self.ctx, appointments.cancel, r.id, changed="appointments")

    def no_show(self) -> None:
        r = self.current()
        if r:
            ops.run(self, self.ctx, appointments.no_show, r.id, changed="appointments")

    def complete(self) -> None:
        r = self.current()
        if r:
            ops.run(self, self.ctx, appointments.complete, r.id, changed="appointments")

    def patient(self) -> None:
        r = self.current()
        if r:
            self.open_patient.emit(r.patient_id)
