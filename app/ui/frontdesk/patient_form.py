"""The patient intake form, in the order of the paper intake sheet: name,
birth date and sex, address, phones and e-mail, personal details, emergency
contact, guarantor, signatures on file, notes. Saving checks for likely
duplicates first and offers to open one instead."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services import patients
from app.services.auth import Permission
from app.services.patients import (
    EMPLOYMENT,
    MARITAL,
    DuplicateMatch,
    DuplicatesFound,
    PatientDetails,
    PatientInput,
)
from app.ui import ops
from app.ui.context import UiContext
from app.ui.frontdesk.common import FormDialog, returning
from app.ui.frontdesk.search import PatientSearch
from app.ui.widgets import Column, RowTableModel

SEX_ITEMS = [("", ""), ("F - Female", "F"), ("M - Male", "M"), ("U - Unknown", "U")]
# The guarantor who is someone else, not a patient here.
GUARANTOR_PERSON = (
    "guarantor_last_name",
    "guarantor_first_name",
    "guarantor_address1",
    "guarantor_address2",
    "guarantor_city",
    "guarantor_state",
    "guarantor_zip",
    "guarantor_phone",
)


class PatientForm(FormDialog):
    """New patient (``patient_id`` None) or edit. Emits ``saved(id)`` or
    ``open_instead(id)`` when the person picks a likely duplicate."""

    saved = Signal(int)
    open_instead = Signal(int)

    def __init__(
        self, ctx: UiContext, details: PatientDetails | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("Edit patient" if details else "New patient", parent)
        self.setObjectName("patientForm")
        self.ctx = ctx
        self.details = details
        self._typed_guarantor: dict[str, str] = {}
        # Another guarantor's entries, kept while "the patient" is ticked.
        self._other_guarantor: tuple[dict[str, str], int | None, str, dict[str, str]] | None = None
        self.duplicates: DuplicateDialog | None = None
        f = self.fields
        f.section("Patient")
        f.line("last_name", "&Last name", width=60)
        f.line("first_name", "&First name", width=60)
        f.line("middle_name", "Middle name", width=60)
        f.line("suffix", "Suffix", width=10, placeholder="Jr, Sr, III")
        f.date("dob", "&Date of birth")
        f.combo("sex", "Se&x", SEX_ITEMS)
        f.section("Address")
        f.line("address1", "Street", width=120, span=True)
        f.line("address2", "Line 2", width=120, span=True)
        f.line("city", "City", width=60)
        f.line("state", "State", width=2, placeholder="IL")
        f.line("zip", "ZIP", width=10, placeholder="12345 or 12345-6789")
        f.section("Phones and e-mail")
        f.line("phone_home", "Home phone", placeholder="(555) 123-4567")
        f.line("phone_mobile", "Mobile phone", placeholder="(555) 123-4567")
        f.line("phone_work", "Work phone", placeholder="(555) 123-4567")
        f.line("email", "E-mail", width=120)
        f.section("About the patient")
        f.combo("marital_status", "Marital status", [(x, x) for x in MARITAL])
        f.combo("employment_status", "Employment", [(x, x) for x in EMPLOYMENT])
        ssn = f.line("ssn", "SSN (optional)", placeholder="123-45-6789")
        f.line("preferred_language", "Preferred language", width=40)
        f.section("Emergency contact")
        f.line("emergency_name", "Name", width=120)
        f.line("emergency_relationship", "Relationship", width=40)
        f.line("emergency_phone", "Phone", placeholder="(555) 123-4567")
        f.section("Guarantor (who receives the statement)")
        self.guarantor_self = f.check(
            "guarantor_is_patient", "Guarantor", "The patient is the guarantor", span=True
        )
        self.guarantor_self.setChecked(True)
        self.guarantor_patient = GuarantorPicker(ctx, details.id if details else None)
        f.add("guarantor_patient_id", "Registered patient", self.guarantor_patient, span=True)
        f.line("guarantor_relationship", "Relationship", width=40, placeholder="parent, spouse ...")
        # Someone else: laid out like the patient's own name and address.
        f.newline()
        f.line("guarantor_last_name", "Last name", width=60)
        f.line("guarantor_first_name", "First name", width=60)
        f.line("guarantor_address1", "Street", width=120, span=True)
        f.line("guarantor_address2", "Line 2", width=120, span=True)
        f.line("guarantor_city", "City", width=60)
        f.line("guarantor_state", "State", width=2)
        f.line("guarantor_zip", "ZIP", width=10)
        f.line("guarantor_phone", "Phone", placeholder="(555) 123-4567")
        f.section("Signatures and notices")
        f.date("signature_on_file", "Signature on file (item 12)")
        f.date("insured_signature_on_file", "Insured signature (item 13)")
        f.date("privacy_notice_ack", "Privacy notice acknowledged")
        f.date("date_of_death", "Date of death")
        f.text("notes", "Notes")
        self.guarantor_self.toggled.connect(self._guarantor_self_toggled)
        self.guarantor_patient.changed.connect(self._guarantor_picked)
        self._guarantor_fields()
        if details is not None:
            self._fill(details)
            if details.has_ssn:
                ssn.setPlaceholderText(details.ssn_shown + " (type to replace)")
        self._guarantor_fields()
        self.finish_fields()
        # Problems with the registered guarantor show on its search box.
        if self._marker is not None:
            self._marker.fields["guarantor_patient_id"] = (
                self.guarantor_patient.box,
                self.fields.problems["guarantor_patient_id"],
            )
        self.guarantor_patient.box.textEdited.connect(lambda _t: self._mark_dirty())
        f.widgets["last_name"].setFocus()

    def _guarantor_fields(self) -> None:
        """The patient: no guarantor fields. A registered patient: the search
        and the relationship (their name and address are on file). Someone
        else: the search (empty) and the person's fields."""
        is_patient = self.guarantor_self.isChecked()
        registered = self.guarantor_patient.patient_id is not None
        for name, w in self.fields.widgets.items():
            if not name.startswith("guarantor_") or name == "guarantor_is_patient":
                continue
            if name in ("guarantor_patient_id", "guarantor_relationship"):
                w.setEnabled(not is_patient)
            else:
                w.setEnabled(not is_patient and not registered)

    def _guarantor_self_toggled(self, is_patient: bool) -> None:
        """The patient as guarantor: nothing about another guarantor is
        stored, so the relationship, the picked patient and the person's
        fields empty (not left greyed out with what will not be kept).
        Unticking puts back what was there."""
        f = self.fields
        picker = self.guarantor_patient
        other = ("guarantor_relationship", *GUARANTOR_PERSON)
        if is_patient:
            self._other_guarantor = (
                {n: f.value(n) for n in other},
                picker.patient_id,
                picker.picked_text,
                self._typed_guarantor,
            )
            for n in other:
                f.set(n, "")
            picker.clear_pick()
            self._typed_guarantor = {}
        elif self._other_guarantor is not None:
            values, pick, pick_text, typed = self._other_guarantor
            for n, v in values.items():
                f.set(n, v)
            if pick is not None:
                picker.set_patient(pick, pick_text)
            self._typed_guarantor = typed
            self._other_guarantor = None
        self._guarantor_fields()

    def _guarantor_picked(self) -> None:
        """A registered guarantor's name, address and phone are on their own
        record and nothing typed for someone else is stored: the person's
        fields empty (not left greyed out with a name that will not be
        kept). Dropping the pick puts back what was typed."""
        self.dirty = True
        f = self.fields
        if self.guarantor_patient.patient_id is not None:
            self._typed_guarantor = {n: f.value(n) for n in GUARANTOR_PERSON}
            for n in GUARANTOR_PERSON:
                f.set(n, "")
        else:
            for n, v in self._typed_guarantor.items():
                f.set(n, v)
            self._typed_guarantor = {}
        self._guarantor_fields()

    def _fill(self, d: PatientDetails) -> None:
        self.banner.setText(d.header)
        self.banner.show()
        data = d.data
        for name in self.fields.widgets:
            if name in ("ssn", "guarantor_patient_id"):
                continue
            self.fields.set(name, getattr(data, name))
        if data.guarantor_patient_id is not None:
            self.guarantor_patient.set_patient(data.guarantor_patient_id, d.guarantor_text)

    def input(self) -> PatientInput:
        f = self.fields
        values: dict[str, object] = {}
        for name in f.widgets:
            if name == "guarantor_is_patient":
                values[name] = self.guarantor_self.isChecked()
            elif name == "guarantor_patient_id":
                values[name] = self.guarantor_patient.patient_id
            else:
                values[name] = f.value(name)
        ssn = str(values["ssn"]).strip()
        # An untouched SSN field on an edit keeps the number on file.
        values["ssn"] = ssn if ssn or self.details is None or not self.details.has_ssn else None
        return PatientInput(**values)  # type: ignore[arg-type]

    def save(self, allow_duplicate: bool = False) -> bool:
        data = self.input()
        self.clear_problems()
        if self.details is None:
            result = ops.run(
                self,
                self.ctx,
                returning(DuplicatesFound, patients.register),
                data,
                allow_duplicate=allow_duplicate,
                on_invalid=self.show_problems,
                changed="patients",
            )
        else:
            result = ops.run(
                self,
                self.ctx,
                returning(DuplicatesFound, patients.update),
                self.details.id,
                data,
                allow_duplicate=allow_duplicate,
                on_invalid=self.show_problems,
                changed="patients",
            )
        if isinstance(result, DuplicatesFound):
            self._ask_about(result)
            return False
        if not result:
            return False
        assert isinstance(result, PatientDetails)
        self.saved.emit(result.id)
        return True

    def _ask_about(self, found: DuplicatesFound) -> None:
        self.duplicates = DuplicateDialog(found, self)
        self.duplicates.open_patient.connect(self._open_instead)
        self.duplicates.save_anyway.connect(self._save_anyway)
        self.duplicates.open()

    def _open_instead(self, patient_id: int) -> None:
        self.dirty = False
        self.open_instead.emit(patient_id)
        self.done(QDialog.DialogCode.Rejected)

    def _save_anyway(self) -> None:
        if self.save(allow_duplicate=True):
            self.dirty = False
            self.accept()


class DuplicateDialog(QDialog):
    """Likely matches for the patient being saved: open one (Enter) or save
    as a new patient anyway (Alt+S)."""

    open_patient = Signal(int)
    save_anyway = Signal()

    def __init__(self, found: DuplicatesFound, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duplicateDialog")
        self.setWindowTitle("This patient may already be on file")
        self.setModal(True)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(found.message))
        self.model: RowTableModel[DuplicateMatch] = RowTableModel(
            [
                Column("Account", lambda m: m.account_no),
                Column("Name", lambda m: m.name),
                Column("Date of birth", lambda m: m.dob),
                Column("Phone", lambda m: m.phone),
                Column("Why", lambda m: "; ".join(m.reasons)),
            ],
            self,
        )
        self.model.set_rows(found.matches)
        self.table = QTableView()
        self.table.setObjectName("duplicateTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)  # Tab reaches the buttons
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectRow(0)
        lay.addWidget(self.table)
        buttons = QDialogButtonBox()
        self.open_button = QPushButton("&Open this patient")
        self.open_button.setObjectName("openExisting")
        self.open_button.setDefault(True)
        self.new_button = QPushButton("&Save as a new patient")
        self.new_button.setObjectName("saveAsNew")
        self.new_button.setAutoDefault(False)
        back = QPushButton("&Back to the form")
        back.setAutoDefault(False)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.new_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(back, QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.clicked.connect(self._open)
        self.new_button.clicked.connect(self._new)
        back.clicked.connect(self.reject)
        self.table.doubleClicked.connect(lambda _i: self._open())
        lay.addWidget(buttons)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.resize(720, 300)

    def _open(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        self.accept()
        self.open_patient.emit(self.model.row(rows[0].row()).id)

    def _new(self) -> None:
        self.accept()
        self.save_anyway.emit()


class _OthersSearch(PatientSearch):
    """The search box, leaving out the patient whose form this is."""

    def __init__(self, ctx: UiContext, own_id: int | None, parent: QWidget) -> None:
        self.own_id = own_id
        super().__init__(ctx, parent)

    def run(self) -> None:
        super().run()
        if self.own_id is not None and any(h.id == self.own_id for h in self.model.rows):
            self.model.set_rows([h for h in self.model.rows if h.id != self.own_id])
            n = len(self.model.rows)
            if not self.status.text().startswith("First"):
                self.status.setText(
                    f"{n} patient{'s' if n != 1 else ''} found." if n else "No patient found."
                )
            if n:
                self.table.selectRow(0)


class GuarantorPicker(QWidget):
    """The guarantor as another registered patient, found with the same
    typeahead search as the Patients tab: type, Down into the results, Enter
    picks (Enter does not save the form while a search is open). Editing the
    name again drops the pick. Emits ``changed`` when the pick changes."""

    changed = Signal()

    def __init__(self, ctx: UiContext, patient_id: int | None) -> None:
        super().__init__()
        self.patient_id: int | None = None
        self.picked_text = ""
        self.own_id = patient_id
        self.search = _OthersSearch(ctx, patient_id, self)
        self.box = self.search.box
        self.box.setObjectName("guarantor_patient_id")
        self.box.setStyleSheet("")
        self.box.setPlaceholderText("Find the guarantor if they are a patient here (smi jo)")
        self.search.table.setObjectName("guarantorResults")
        self.search.table.setMaximumHeight(150)
        self.chosen = QLabel()
        self.chosen.setObjectName("guarantorChosen")
        self.chosen.setStyleSheet("color: #1b5e20;")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.search)
        lay.addWidget(self.chosen)
        self.setFocusProxy(self.box)
        self.search.chosen.connect(self._chosen)
        self.box.textEdited.connect(self._typed)
        self.box.installEventFilter(self)
        self._show_results(False)

    def _show_results(self, on: bool) -> None:
        self.search.table.setVisible(on)
        self.search.status.setVisible(on)

    def _typed(self, text: str) -> None:
        was = self.patient_id
        if was is not None:
            self.patient_id, self.picked_text = None, ""
            self.chosen.clear()
        self._show_results(bool(text.strip()))
        if was is not None:
            self.changed.emit()

    def _chosen(self, patient_id: int) -> None:
        hit = next((h for h in self.search.hits() if h.id == patient_id), None)
        if hit is None:
            return
        text = f"{hit.name}   Account {hit.account_no}   DOB {hit.dob:%m/%d/%Y}"
        self.set_patient(patient_id, text)
        self.changed.emit()

    def clear_pick(self) -> None:
        """Nobody picked and nothing typed (no ``changed``: the form asked)."""
        self.patient_id, self.picked_text = None, ""
        self.box.blockSignals(True)
        self.box.clear()
        self.box.blockSignals(False)
        self.chosen.clear()
        self._show_results(False)

    def set_patient(self, patient_id: int, text: str) -> None:
        self.patient_id, self.picked_text = patient_id, text
        self.box.blockSignals(True)
        self.box.setText(text.split("   ")[0])
        self.box.blockSignals(False)
        self.chosen.setText(f"Statements go to {text}")
        self._show_results(False)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # Enter in an open search picks (the form would otherwise save).
        if (
            obj is self.box
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.patient_id is None
            and self.box.text().strip()
        ):
            self.search._enter_in_box()
            return True
        return super().eventFilter(obj, event)


def can_edit(ctx: UiContext) -> bool:
    return ctx.can(Permission.PATIENT_EDIT)
