"""The patient intake form, in the order of the paper intake sheet: name,
birth date and sex, address, phones and e-mail, personal details, emergency
contact, guarantor, signatures on file, notes. Saving checks for likely
duplicates first and offers to open one instead."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
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
from app.ui.widgets import Column, RowTableModel

SEX_ITEMS = [("", ""), ("F - Female", "F"), ("M - Male", "M"), ("U - Unknown", "U")]


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
        f.line("guarantor_last_name", "Last name", width=60)
        f.line("guarantor_first_name", "First name", width=60)
        f.line("guarantor_relationship", "Relationship", width=40, placeholder="parent, spouse ...")
        f.line("guarantor_address1", "Street", width=120)
        f.line("guarantor_address2", "Line 2", width=120)
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
        self.guarantor_self.toggled.connect(self._guarantor_fields)
        self._guarantor_fields(True)
        if details is not None:
            self._fill(details)
            if details.has_ssn:
                ssn.setPlaceholderText(details.ssn_shown + " (type to replace)")
        self.finish_fields()
        f.widgets["last_name"].setFocus()

    def _guarantor_fields(self, is_patient: bool) -> None:
        for name, w in self.fields.widgets.items():
            if name.startswith("guarantor_") and name != "guarantor_is_patient":
                w.setEnabled(not is_patient)

    def _fill(self, d: PatientDetails) -> None:
        self.banner.setText(d.header)
        self.banner.show()
        data = d.data
        for name in self.fields.widgets:
            if name == "ssn":
                continue
            self.fields.set(name, getattr(data, name))

    def input(self) -> PatientInput:
        f = self.fields
        values: dict[str, object] = {}
        for name in f.widgets:
            if name == "guarantor_is_patient":
                values[name] = self.guarantor_self.isChecked()
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


def can_edit(ctx: UiContext) -> bool:
    return ctx.can(Permission.PATIENT_EDIT)
