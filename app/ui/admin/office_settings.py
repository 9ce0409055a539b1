"""Office settings: the practice's details, the idle lock and verification
window, and the rendering providers (add, edit, deactivate)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from app.services import office, settings
from app.services.auth import Actor
from app.services.office import PracticeInput, ProviderInput, ProviderRow
from app.ui import ops
from app.ui.admin.table import RowTable
from app.ui.context import UiContext
from app.ui.forms import FieldForm
from app.ui.widgets import Column


def _office_settings(s: Session, _actor: Actor) -> dict[str, Any]:
    return {k: settings.get(s, k) for k in ("idle_lock_minutes", "verification_window_days")}


def _providers(s: Session, _actor: Actor) -> list[ProviderRow]:
    return office.provider_rows(s)


def _practice(s: Session, _actor: Actor) -> PracticeInput:
    return office.practice_input(s)


def _left(button: QPushButton, note: QLabel | None = None) -> QWidget:
    """A button at its own width, on the left of a form row (and the line
    that says it was saved)."""
    box = QWidget()
    lay = QHBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(button)
    if note is not None:
        lay.addWidget(note)
    lay.addStretch(1)
    return box


def saved_note(name: str) -> QLabel:
    """Green "Saved." next to a Save button: the page stays as it was, so
    without it nothing shows that the save happened."""
    label = QLabel()
    label.setObjectName(name)
    label.setStyleSheet("color: #2e7d32;")
    return label


class OfficePage(QWidget):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("officePage")
        self.editing: ProviderRow | None = None
        outer = QHBoxLayout(self)

        # Left: the practice and the settings, in a scroll area (a long form).
        left = QWidget()
        left_lay = QVBoxLayout(left)
        practice_box = QGroupBox("The practice (billing provider on every claim)")
        pform = QFormLayout(practice_box)
        psummary = QLabel()
        self.practice = FieldForm(pform, psummary, name_prefix="practice.")
        p = self.practice
        p.line("name", "Practice &name")
        p.line("address1", "Street address")
        p.line("address2", "Suite / floor")
        p.line("city", "City")
        p.line("state", "State", max_length=2, width=60)
        p.line("zip", "ZIP", max_length=10, width=140)
        p.line("phone", "Phone", width=180)
        p.line("ein", "Federal tax ID (EIN)", max_length=10, width=140)
        p.line("billing_npi", "Billing NPI", max_length=10, width=140)
        p.line("taxonomy", "Taxonomy code", max_length=10, width=140)
        pform.addRow("", psummary)
        self.save_practice_button = QPushButton("Save practice details")
        self.save_practice_button.setObjectName("savePractice")
        self.save_practice_button.clicked.connect(self.save_practice)
        self.practice_saved = saved_note("practiceSaved")
        pform.addRow("", _left(self.save_practice_button, self.practice_saved))
        left_lay.addWidget(practice_box)

        settings_box = QGroupBox("Office settings")
        sform = QFormLayout(settings_box)
        ssummary = QLabel()
        self.settings_fields = FieldForm(sform, ssummary, name_prefix="setting.")
        self.idle = QSpinBox()
        self.idle.setRange(1, 240)
        self.idle.valueChanged.connect(
            lambda n: self.idle.setSuffix(" minute" if n == 1 else " minutes")
        )
        self.idle.setSuffix(" minutes")
        self.idle.setMaximumWidth(160)
        self.settings_fields.add("idle_lock_minutes", "&Lock the screen after", self.idle)
        self.window_days = QSpinBox()
        self.window_days.setRange(1, 365)
        self.window_days.setSuffix(" days")
        self.window_days.setMaximumWidth(160)
        self.settings_fields.add(
            "verification_window_days", "Coverage &verification good for", self.window_days
        )
        sform.addRow("", ssummary)
        self.save_settings_button = QPushButton("Save settings")
        self.save_settings_button.setObjectName("saveSettings")
        self.save_settings_button.clicked.connect(self.save_settings)
        self.settings_saved = saved_note("settingsSaved")
        sform.addRow("", _left(self.save_settings_button, self.settings_saved))
        for box in (self.idle, self.window_days):  # Enter saves, as in every form
            box.lineEdit().returnPressed.connect(self.save_settings)
        left_lay.addWidget(settings_box)
        left_lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(left)
        outer.addWidget(scroll, 1)

        # Right: providers.
        prov_box = QGroupBox("Rendering providers")
        right = QVBoxLayout(prov_box)
        self.table: RowTable[ProviderRow] = RowTable(
            [
                Column("Provider", lambda r: r.name),
                Column("NPI", lambda r: r.npi),
                Column("Taxonomy", lambda r: r.taxonomy),
                Column("Active", lambda r: "Yes" if r.active else "No"),
            ],
            "providersTable",
        )
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._load_selected())
        right.addWidget(self.table, 1)
        self.form_title = QLabel()
        self.form_title.setObjectName("providerFormTitle")
        right.addWidget(self.form_title)
        vform = QFormLayout()
        vsummary = QLabel()
        self.provider = FieldForm(vform, vsummary, name_prefix="provider.")
        v = self.provider
        v.line("last_name", "Last name")
        v.line("first_name", "First name")
        v.line("middle_name", "Middle name")
        v.line("credentials", "Credentials", width=160)
        v.line("npi", "Individual NPI", max_length=10, width=140)
        v.line("taxonomy", "Taxonomy code", max_length=10, width=140)
        self.active = QCheckBox("Active (can be chosen for new visits and claims)")
        self.active.setObjectName("provider.active")
        vform.addRow("", self.active)
        vform.addRow("", vsummary)
        right.addLayout(vform)
        row = QHBoxLayout()
        self.new_button = QPushButton("&New provider")
        self.new_button.setObjectName("newProvider")
        self.new_button.clicked.connect(self.new_provider)
        self.save_provider_button = QPushButton("Save &provider")
        self.save_provider_button.setObjectName("saveProvider")
        self.save_provider_button.clicked.connect(self.save_provider)
        self.provider_saved = saved_note("providerSaved")
        row.addWidget(self.new_button)
        row.addWidget(self.save_provider_button)
        row.addWidget(self.provider_saved)
        row.addStretch(1)
        right.addLayout(row)
        outer.addWidget(prov_box, 1)
        for key in self.provider.inputs:
            edit = self.provider.inputs[key]
            if isinstance(edit, QLineEdit):
                edit.returnPressed.connect(self.save_provider)
                edit.textEdited.connect(self.provider_saved.clear)
        self.active.clicked.connect(self.provider_saved.clear)
        for key in self.practice.inputs:
            edit = self.practice.inputs[key]
            if isinstance(edit, QLineEdit):
                edit.returnPressed.connect(self.save_practice)
                edit.textEdited.connect(self.practice_saved.clear)
        for box in (self.idle, self.window_days):
            box.valueChanged.connect(self.settings_saved.clear)
        ctx.changed.connect(self._changed)
        self.reload()

    # ---------------------------------------------------------------- load

    def _changed(self, topic: str) -> None:
        if topic in ("providers", "practice", "settings"):
            self.reload()

    def reload(self) -> None:
        practice = ops.query(self, self.ctx, _practice)
        if isinstance(practice, PracticeInput):
            for key, value in vars(practice).items():
                self.practice.set_text(key, value)
        values = ops.query(self, self.ctx, _office_settings)
        if isinstance(values, dict):
            self.idle.setValue(int(values["idle_lock_minutes"]))
            self.window_days.setValue(int(values["verification_window_days"]))
        self.reload_providers()

    def reload_providers(self) -> None:
        editing = self.editing.id if self.editing else None
        rows = ops.query(self, self.ctx, _providers)
        if isinstance(rows, ops.Failed):
            return
        self.table.set_rows(rows)
        if editing is not None and self.select_provider(editing):
            return
        self.new_provider()

    # ------------------------------------------------------------ practice

    def focus_practice(self) -> None:
        self.practice.inputs["name"].setFocus()

    def save_practice(self) -> None:
        data = PracticeInput(**{k: self.practice.text(k) for k in self.practice.inputs})
        result = ops.run(
            self,
            self.ctx,
            office.update_practice,
            data,
            on_invalid=lambda e: self.practice.show(e.problems),
            changed="practice",
        )
        if not isinstance(result, ops.Failed):
            self.practice.clear()
            self.practice_saved.setText("Saved.")

    def save_settings(self) -> None:
        values = {
            "idle_lock_minutes": self.idle.value(),
            "verification_window_days": self.window_days.value(),
        }
        result = ops.run(
            self,
            self.ctx,
            settings.put_many,
            values,
            on_invalid=lambda e: self.settings_fields.show(e.problems),
            changed="settings",
        )
        if not isinstance(result, ops.Failed):
            self.settings_fields.clear()
            self.settings_saved.setText("Saved.")

    # ----------------------------------------------------------- providers

    def select_provider(self, provider_id: int) -> bool:
        """Select the provider and put the cursor in its NPI (the field a claim
        check sends people here to fix)."""
        if not self.table.select_where(lambda r: r.id == provider_id):
            return False
        npi = self.provider.inputs["npi"]
        npi.setFocus()
        if isinstance(npi, QLineEdit):
            npi.selectAll()
        return True

    def _load_selected(self) -> None:
        row = self.table.selected()
        if row is None:
            return
        self.editing = row
        for key, value in vars(office.provider_input(row)).items():
            self.provider.set_text(key, value)
        self.active.setChecked(row.active)
        self.form_title.setText(f"<b>Editing {row.name}</b>")
        self.provider.clear()
        self.provider_saved.clear()

    def new_provider(self) -> None:
        self.table.clearSelection()
        self.editing = None
        self.provider.clear_inputs()
        self.provider.clear()
        self.active.setChecked(True)
        self.form_title.setText("<b>New provider</b>")
        self.provider_saved.clear()

    def save_provider(self) -> None:
        data = ProviderInput(**{k: self.provider.text(k) for k in self.provider.inputs})
        show = lambda e: self.provider.show(e.problems)  # noqa: E731
        if self.editing is None:
            result = ops.run(
                self,
                self.ctx,
                lambda s, a, d: office.add_provider(s, a, d).id,
                data,
                on_invalid=show,
            )
        else:
            result = ops.run(
                self,
                self.ctx,
                lambda s, a, pid, d, active: office.update_provider(s, a, pid, d, active).id,
                self.editing.id,
                data,
                self.active.isChecked(),
                on_invalid=show,
            )
        if isinstance(result, int):
            self.editing = ProviderRow(result, "", "", "", "", True)
            self.ctx.changed.emit("providers")
            self.provider_saved.setText("Saved.")
