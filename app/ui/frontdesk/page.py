"""The front desk: find or register the patient, keep the insurance, book
and check in the day's visits. Tabs: Patients (Ctrl+F finds), Day list,
Verify tomorrow, Without verified coverage, Payers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services import patients, policies
from app.services.auth import Permission
from app.services.patients import PatientDetails
from app.ui import ops
from app.ui.context import UiContext
from app.ui.frontdesk.day_list import DayListPage
from app.ui.frontdesk.lists import UnverifiedVisitsPage, VerifyTomorrowPage
from app.ui.frontdesk.patient_form import PatientForm
from app.ui.frontdesk.patient_view import PatientView
from app.ui.frontdesk.payers import PayersPage
from app.ui.frontdesk.policy_screen import PolicyScreenDialog
from app.ui.frontdesk.search import PatientSearch
from app.ui.widgets import shortcut

HINT = (
    "<h3>Front desk</h3><p>Type in the search box to find a patient by name "
    "(<i>smi jo</i> finds John Smith), date of birth, account number, phone or "
    "member ID; Down and Enter open the patient.</p>"
    "<p><b>Ctrl+N</b> registers a new patient. <b>Ctrl+F</b> comes back to the search box.</p>"
)


class FrontDeskPage(QWidget):
    """The work area. ``open_record(kind, id)`` shows a patient, policy,
    payer or appointment (the claim check sends people here to fix data)."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_form: PatientForm | None = None
        self.policy_screen: PolicyScreenDialog | None = None

        self.search = PatientSearch(ctx)
        self.view = PatientView(ctx)
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.right = QStackedWidget()
        self.right.addWidget(hint)
        self.right.addWidget(self.view)
        self.new_button = QPushButton("&New patient (Ctrl+N)")
        self.new_button.setObjectName("newPatient")
        self.new_button.setAutoDefault(False)
        self.new_button.setEnabled(ctx.can(Permission.PATIENT_EDIT))
        self.new_button.clicked.connect(self.new_patient)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.search, 1)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addStretch(1)
        ll.addLayout(row)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(left)
        split.addWidget(self.right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([280, 520])
        self.patients_tab = QWidget()
        pl = QVBoxLayout(self.patients_tab)
        pl.addWidget(split)

        self.day_list = DayListPage(ctx)
        self.verify_tomorrow = VerifyTomorrowPage(ctx)
        self.unverified = UnverifiedVisitsPage(ctx)
        self.payers = PayersPage(ctx)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("frontDeskTabs")
        self.tabs.addTab(self.patients_tab, "&Patients")
        self.tabs.addTab(self.day_list, "&Day list")
        self.tabs.addTab(self.verify_tomorrow, "&Verify tomorrow")
        self.tabs.addTab(self.unverified, "&Without verified coverage")
        self.tabs.addTab(self.payers, "Pa&yers")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.tabs)

        self.search.chosen.connect(self.open_patient)
        self.view.edit_requested.connect(self.edit_patient)
        self.view.insurance_requested.connect(lambda pid: self.open_insurance(pid))
        self.view.book_requested.connect(self.book_for)
        self.day_list.open_patient.connect(self.open_patient)
        self.unverified.open_patient.connect(self.open_patient)
        self.verify_tomorrow.verify_requested.connect(self.verify_primary)
        self.tabs.currentChanged.connect(self._tab_opened)
        shortcut(self, "Ctrl+F", self.find)
        if ctx.can(Permission.PATIENT_EDIT):
            shortcut(self.patients_tab, "Ctrl+N", self.new_patient)
        self.search.focus()

    def showEvent(self, event: QShowEvent) -> None:
        """Shown (after log-in, Ctrl+1, a click in the areas list): the
        keyboard goes to the search box, unless it is already in this area."""
        super().showEvent(event)
        focused = self.window().focusWidget()
        if self.tabs.currentWidget() is self.patients_tab and not (
            focused is not None and self.isAncestorOf(focused)
        ):
            self.search.focus()

    def _tab_opened(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.verify_tomorrow:
            self.verify_tomorrow.opened()

    # ---------------------------------------------------------------- patients

    def find(self) -> None:
        self.tabs.setCurrentWidget(self.patients_tab)
        self.search.focus()

    def open_patient(self, patient_id: int) -> bool:
        self.tabs.setCurrentWidget(self.patients_tab)
        if not self.view.open(patient_id):
            return False
        self.right.setCurrentWidget(self.view)
        self.view.setFocus()
        return True

    def new_patient(self) -> PatientForm:
        self.patient_form = PatientForm(self.ctx, parent=self)
        self.patient_form.saved.connect(self.open_patient)
        self.patient_form.open_instead.connect(self.open_patient)
        self.patient_form.open()
        return self.patient_form

    def edit_patient(self, patient_id: int) -> PatientForm | None:
        d = ops.query(self, self.ctx, patients.details, patient_id)
        if not isinstance(d, PatientDetails):
            return None
        self.patient_form = PatientForm(self.ctx, d, parent=self)
        self.patient_form.saved.connect(lambda _id: self.view.refresh())
        self.patient_form.open_instead.connect(self.open_patient)
        self.patient_form.open()
        return self.patient_form

    def open_insurance(self, patient_id: int, policy_id: int | None = None) -> PolicyScreenDialog:
        self.policy_screen = PolicyScreenDialog(self.ctx, patient_id, self, select_policy=policy_id)
        self.policy_screen.changed_policies.connect(
            lambda: self.view.refresh() if self.view.patient_id == patient_id else None
        )
        self.policy_screen.open()
        return self.policy_screen

    def verify_primary(self, patient_id: int) -> None:
        screen = self.open_insurance(patient_id)
        primary = next((p for p in screen.policy_model.rows if p.rank == 1), None)
        if primary is not None:
            screen.verify(primary.id)

    def book_for(self, patient_id: int) -> None:
        self.tabs.setCurrentWidget(self.day_list)
        header = self.view.record.details.header if self.view.record else ""
        self.day_list.new(patient_id, header)

    # ---------------------------------------------------------------- records

    def open_record(self, kind: str, record_id: object) -> bool:
        """Show a record another area points at."""
        try:
            rid = int(record_id)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return False
        if kind == "patient":
            return self.open_patient(rid)
        if kind == "policy":
            found = ops.query(self, self.ctx, policies.patient_of_policy, rid)
            if not isinstance(found, int):
                return False
            self.open_patient(found)
            self.open_insurance(found, rid)
            return True
        if kind == "payer":
            self.tabs.setCurrentWidget(self.payers)
            self.payers.reload(select=rid)
            if self.ctx.can(Permission.PAYER_EDIT):
                self.payers.edit(rid)
            return True
        if kind == "appointment":
            from app.services.appointments import AppointmentRow, appointment_row

            row = ops.query(self, self.ctx, appointment_row, rid)
            if not isinstance(row, AppointmentRow):
                return False
            self.tabs.setCurrentWidget(self.day_list)
            self.day_list.provider.setCurrentIndex(0)
            self.day_list.go(row.day)
            return self.day_list.select(rid)
        return False
