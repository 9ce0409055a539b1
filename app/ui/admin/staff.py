"""Staff accounts: add, change role, disable/enable, reset a password."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import Problem
from app.models.staff import Role
from app.services import users
from app.services.auth import MIN_PASSWORD_LENGTH
from app.services.office import NewUserInput
from app.services.users import UserRow
from app.ui import ops
from app.ui.admin.table import RowTable
from app.ui.context import UiContext
from app.ui.forms import FieldForm, ask
from app.ui.widgets import Column, display_value, shortcut

ROLES = (Role.RECEPTIONIST, Role.BILLER, Role.MANAGER)


def role_combo(current: Role = Role.RECEPTIONIST) -> QComboBox:
    box = QComboBox()
    for r in ROLES:
        box.addItem(r.label, r)
    box.setCurrentIndex(ROLES.index(current))
    return box


def chosen_role(box: QComboBox) -> Role:
    return Role(box.currentData())  # Qt hands the enum back as its plain string


class FormDialog(QDialog):
    """A small form: Enter saves, Esc cancels (asking when something was typed)."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.lay = QVBoxLayout(self)
        self.form = QFormLayout()
        self.summary = QLabel()
        self.lay.addLayout(self.form)
        self.lay.addWidget(self.summary)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.fields = FieldForm(self.form, self.summary)

    def finish(self) -> None:
        self.lay.addWidget(self.buttons)

    def save(self) -> None:  # overridden
        self.accept()

    def reject(self) -> None:
        if self.fields.anything_typed() and not ask(self, "Close without saving what you typed?"):
            return
        super().reject()


class AddUserDialog(FormDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__("Add a staff account", parent)
        self.ctx = ctx
        self.setObjectName("AddUserDialog")
        self.added: UserRow | None = None
        f = self.fields
        f.line("full_name", "&Full name")
        f.line("username", "&User name", max_length=40)
        self.role = f.add("role", "&Role", role_combo())
        f.line("password", "&Temporary password", password=True)
        f.line("password_again", "Password &again", password=True)
        note = QLabel(
            f"At least {MIN_PASSWORD_LENGTH} characters. They choose their own password the "
            "first time they log in."
        )
        note.setWordWrap(True)
        self.form.addRow("", note)
        self.finish()

    def value(self) -> NewUserInput:
        f = self.fields
        return NewUserInput(
            username=f.text("username"),
            full_name=f.text("full_name"),
            role=chosen_role(self.role),
            password=f.text("password"),
            password_again=f.text("password_again"),
        )

    def save(self) -> None:
        result = ops.run(
            self,
            self.ctx,
            users.add_user,
            self.value(),
            on_invalid=lambda e: self.fields.show(e.problems),
            changed="users",
        )
        if isinstance(result, UserRow):
            self.added = result
            self.accept()


class ResetPasswordDialog(FormDialog):
    def __init__(self, ctx: UiContext, row: UserRow, parent: QWidget | None = None) -> None:
        super().__init__(f"Reset the password of {row.full_name}", parent)
        self.ctx = ctx
        self.row = row
        self.setObjectName("ResetPasswordDialog")
        intro = QLabel(
            f"Give {row.full_name} a temporary password; they must choose their own at the "
            "next log-in. A lock-out after wrong passwords ends too."
        )
        intro.setWordWrap(True)
        self.lay.insertWidget(0, intro)
        self.fields.line("password", "&Temporary password", password=True)
        self.fields.line("password_again", "Password &again", password=True)
        self.finish()

    def save(self) -> None:
        if self.fields.text("password") != self.fields.text("password_again"):
            self.fields.show([Problem("password_again", "The two passwords are not the same")])
            return
        result = ops.run(
            self,
            self.ctx,
            users.reset_password,
            self.row.id,
            self.fields.text("password"),
            on_invalid=lambda e: self.fields.show(e.problems),
            changed="users",
        )
        if not isinstance(result, ops.Failed):
            self.accept()


class ChangeRoleDialog(QDialog):
    def __init__(self, ctx: UiContext, row: UserRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.row = row
        self.setObjectName("ChangeRoleDialog")
        self.setWindowTitle(f"Change the role of {row.full_name}")
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.role = role_combo(row.role)
        self.role.setObjectName("role")
        form.addRow("&Role", self.role)
        lay.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def save(self) -> None:
        result = ops.run(
            self, self.ctx, users.set_role, self.row.id, chosen_role(self.role), changed="users"
        )
        if not isinstance(result, ops.Failed):
            self.accept()


class StaffPage(QWidget):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("staffPage")
        lay = QVBoxLayout(self)
        self.table: RowTable[UserRow] = RowTable(
            [
                Column("User name", lambda r: r.username),
                Column("Full name", lambda r: r.full_name),
                Column("Role", lambda r: r.role.label),
                # An account nobody has used for months is one to disable.
                Column(
                    "Last log-in",
                    lambda r: r.last_login,
                    display=lambda v: display_value(v) if v else "never",
                ),
                Column("Status", lambda r: r.status),
            ],
            "usersTable",
        )
        self.table.doubleClicked.connect(lambda _i: self.change_role())
        buttons = QHBoxLayout()
        self.add_button = self._button("&Add account...", "addUser", self.add_user)
        self.role_button = self._button("Change &role...", "changeRole", self.change_role)
        self.active_button = self._button("&Disable", "toggleActive", self.toggle_active)
        self.reset_button = self._button("Reset &password...", "resetPassword", self.reset)
        for b in (self.add_button, self.role_button, self.active_button, self.reset_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        lay.addWidget(self.table)
        shortcut(self, "Ctrl+N", self.add_user)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        ctx.changed.connect(self._changed)
        self.reload()

    def _button(self, text: str, name: str, fn: object) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.clicked.connect(fn)
        return b

    def _changed(self, topic: str) -> None:
        if topic == "users":
            self.reload()

    def reload(self) -> None:
        selected = self.selected()
        rows = ops.query(self, self.ctx, users.list_users)
        if isinstance(rows, ops.Failed):
            return
        self.table.set_rows(rows)
        self.table.resizeColumnsToContents()  # a date and time on one line
        if selected is not None:
            self.select_user(selected.id)
        self._update_buttons()

    def selected(self) -> UserRow | None:
        return self.table.selected()

    def select_user(self, user_id: int) -> bool:
        if not self.table.select_where(lambda r: r.id == user_id):
            return False
        self.table.setFocus()
        return True

    def take_keyboard(self) -> None:
        """The list has the keyboard with a row selected (arrows move it)."""
        if self.selected() is None and self.table.rows:
            self.table.selectRow(0)
        self.table.setFocus()

    def _update_buttons(self) -> None:
        row = self.selected()
        for b in (self.role_button, self.active_button, self.reset_button):
            b.setEnabled(row is not None)
        self.active_button.setText("&Enable" if row is not None and not row.active else "&Disable")

    def add_user(self) -> None:
        dlg = AddUserDialog(self.ctx, self)
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.added is not None:
            self.select_user(dlg.added.id)

    def change_role(self) -> None:
        row = self.selected()
        if row is not None:
            ChangeRoleDialog(self.ctx, row, self).exec()

    def reset(self) -> None:
        row = self.selected()
        if row is not None:
            ResetPasswordDialog(self.ctx, row, self).exec()

    def toggle_active(self) -> None:
        row = self.selected()
        if row is None:
            return
        if row.active and not ask(
            self,
            f"Disable the account of {row.full_name} ({row.username})? They can no longer "
            "log in; their work and audit history stay.",
        ):
            return
        ops.run(self, self.ctx, users.set_active, row.id, not row.active, changed="users")
