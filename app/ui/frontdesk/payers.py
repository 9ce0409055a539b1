"""The payer list, with a clear "Add payer" (the list starts empty)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.models.insurance import Program
from app.services import payers
from app.services.auth import Permission
from app.services.payers import PayerInput, PayerRow
from app.ui import ops
from app.ui.context import UiContext
from app.ui.frontdesk.common import FormDialog, table
from app.ui.widgets import Column, RowTableModel, shortcut


class PayerForm(FormDialog):
    saved = Signal(int)

    def __init__(
        self, ctx: UiContext, payer_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("Edit payer" if payer_id else "Add payer", parent)
        self.setObjectName("payerForm")
        self.ctx = ctx
        self.payer_id = payer_id
        f = self.fields
        f.section("Insurance company")
        f.line("name", "&Name", width=120, span=True)
        f.line("payer_code", "Payer ID", width=20, placeholder="electronic payer ID")
        f.combo("program", "Program (item 1)", [(p.label, p.value) for p in Program])
        f.line("timely_filing_days", "Timely filing (days)")
        f.line("phone", "Phone", placeholder="(800) 555-0100")
        f.section("Claim mailing address")
        f.line("address1", "Street / PO Box", width=120, span=True)
        f.line("address2", "Line 2", width=120, span=True)
        f.line("city", "City", width=60)
        f.line("state", "State", width=2)
        f.line("zip", "ZIP", width=10)
        f.section("Claims")
        self.referring = f.check(
            "needs_referring_provider", "Referring", "Claims need a referring provider"
        )
        self.active = f.check("active", "On the list", "Active (offered for new policies)")
        self.active.setChecked(True)
        f.set("timely_filing_days", "365")
        f.set("program", Program.GROUP.value)
        if payer_id is not None:
            data = ops.query(self, ctx, payers.payer_input, payer_id)
            if isinstance(data, PayerInput):
                for name in f.widgets:
                    f.set(name, getattr(data, name))
        self.finish_fields()
        f.widgets["name"].setFocus()

    def input(self) -> PayerInput:
        f = self.fields
        values: dict[str, object] = {
            n: f.value(n) for n in f.widgets if n not in ("needs_referring_provider", "active")
        }
        values["needs_referring_provider"] = self.referring.isChecked()
        values["active"] = self.active.isChecked()
        return PayerInput(**values)  # type: ignore[arg-type]

    def save(self) -> bool:
        self.clear_problems()
        if self.payer_id is None:
            result = ops.run(
                self,
                self.ctx,
                payers.add_payer,
                self.input(),
                on_invalid=self.show_problems,
                changed="payers",
            )
        else:
            result = ops.run(
                self,
                self.ctx,
                payers.update_payer,
                self.payer_id,
                self.input(),
                on_invalid=self.show_problems,
                changed="payers",
            )
            if not isinstance(result, ops.Failed):
                result = self.payer_id
        if isinstance(result, ops.Failed):
            return False
        self.saved.emit(int(result))  # type: ignore[arg-type]
        return True


class PayersPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("payersPage")
        self.ctx = ctx
        self.form: PayerForm | None = None
        self.model: RowTableModel[PayerRow] = RowTableModel(
            [
                Column("Name", lambda p: p.name),
                Column("Payer ID", lambda p: p.payer_code),
                Column("Program", lambda p: p.program_label),
                Column("Claim address", lambda p: p.address),
                Column("Phone", lambda p: p.phone),
                Column("Timely filing", lambda p: f"{p.timely_filing_days} days"),
                Column("Policies", lambda p: p.policies, align_right=True),
                Column("Active", lambda p: p.active),
            ],
            self,
        )
        self.table = table(self.model, "payerTable")
        self.empty = QLabel(
            "<h3>No payers yet</h3><p>Add the insurance companies the office bills: "
            "press <b>Add payer</b> (Ctrl+N). Each needs its claim mailing address and "
            "its program for CMS-1500 item 1.</p>"
        )
        self.empty.setObjectName("payersEmpty")
        self.empty.setWordWrap(True)
        can = ctx.can(Permission.PAYER_EDIT)
        self.add_button = QPushButton("&Add payer (Ctrl+N)")
        self.add_button.setObjectName("addPayer")
        self.add_button.setEnabled(can)
        self.add_button.setStyleSheet("font-weight: bold; padding: 6px 14px;")
        self.edit_button = QPushButton("&Edit (F2)")
        self.edit_button.setObjectName("editPayer")
        self.edit_button.setEnabled(can)
        for b in (self.add_button, self.edit_button):
            b.setAutoDefault(False)
        if not can:
            self.add_button.setToolTip("The biller or office manager keeps the payer list.")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        if can:
            shortcut(self, "Ctrl+N", self.add)
            shortcut(self, "F2", self.edit)
            self.table.activated.connect(lambda _i: self.edit())
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.edit_button)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.empty)
        lay.addWidget(self.table, 1)
        ctx.changed.connect(lambda t: self.reload() if t in ("payers", "policies") else None)
        self.reload()

    def reload(self, select: int | None = None) -> None:
        rows = ops.query(self, self.ctx, payers.list_payers)
        if not isinstance(rows, list):
            return
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))
        if rows:
            i = next((n for n, r in enumerate(rows) if r.id == select), 0)
            self.table.selectRow(i)

    def add(self) -> None:
        self.form = PayerForm(self.ctx, parent=self)
        self.form.saved.connect(self.reload)
        self.form.open()

    def edit(self, payer_id: int | None = None) -> None:
        if payer_id is None:
            i = self.table.currentIndex().row()
            if not 0 <= i < len(self.model.rows):
                return
            payer_id = self.model.rows[i].id
        self.form = PayerForm(self.ctx, payer_id, parent=self)
        self.form.saved.connect(self.reload)
        self.form.open()
