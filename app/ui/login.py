"""The log-in window (every start), the new-password form a person gets after
the office manager reset their password, and the pieces the lock screen
shares with them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.errors import UserFacingError, ValidationError
from app.services import auth, users
from app.services.auth import Actor
from app.store.engine import Store
from app.ui.forms import message_line
from app.ui.widgets import ProblemMarker

DEMO_PROMPT = (
    "Demo office (made-up patients). Log in as <b>manager</b>, <b>biller</b> or "
    "<b>reception</b>; the password is <b>demo-password</b>."
)


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    return label


def field_with_problem(edit: QWidget, problem: QLabel) -> QWidget:
    """An input with its problem message right under it (for form rows)."""
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(2)
    lay.addWidget(edit)
    lay.addWidget(problem)
    return box


class ChangePasswordDialog(QDialog):
    """ "Choose a new password" after a reset (or when asked to). Enter saves."""

    def __init__(
        self, store: Store, actor: Actor, old_password: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.old_password = old_password
        self.setObjectName("ChangePasswordDialog")
        self.setWindowTitle(f"{APP_NAME}: choose a new password")
        lay = QVBoxLayout(self)
        intro = QLabel(
            f"{actor.full_name}, the office manager set a temporary password for you. "
            f"Choose your own password now (at least {auth.MIN_PASSWORD_LENGTH} characters)."
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.password = QLineEdit()
        self.password.setObjectName("newPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setObjectName("newPasswordAgain")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        p1, p2 = _error_label("newPasswordProblem"), _error_label("newPasswordAgainProblem")
        form.addRow("&New password", field_with_problem(self.password, p1))
        form.addRow("&Again", field_with_problem(self.again, p2))
        lay.addLayout(form)
        summary = _error_label("summary")
        lay.addWidget(summary)
        self.marker = ProblemMarker(
            {"password": (self.password, p1), "password_again": (self.again, p2)}, summary
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Save password")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.setMinimumWidth(420)

    def save(self) -> None:
        try:
            with self.store.session() as s, s.begin():
                users.change_own_password(
                    s, self.actor, self.old_password, self.password.text(), self.again.text()
                )
        except ValidationError as exc:
            self.marker.show(exc.problems)
            return
        self.accept()


def finish_login(parent: QWidget | None, store: Store, actor: Actor, password: str) -> bool:
    """After a right password: a person whose password was reset must choose
    a new one before working. False (and logged out again) if they do not."""
    with store.read_session() as s:
        must = users.must_change_password(s, actor)
    if not must:
        return True
    dlg = ChangePasswordDialog(store, actor, password, parent)
    if dlg.exec() == QDialog.DialogCode.Accepted:
        return True
    with store.session() as s, s.begin():
        auth.logout(s, actor)
    return False


class LoginDialog(QDialog):
    """User name + password. Enter logs in, Esc quits. ``actor`` after accept."""

    def __init__(
        self,
        store: Store,
        practice_name: str = "",
        parent: QWidget | None = None,
        *,
        action: str = "login",
        prompt: str = "",
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.action = action
        self.actor: Actor | None = None
        self.setWindowTitle(f"{APP_NAME}: log in" if action == "login" else f"{APP_NAME}: locked")
        self.setObjectName("LoginDialog")
        lay = QVBoxLayout(self)
        head = QLabel(
            f"<h2>{APP_NAME}</h2>" + (f"<p>{_esc(practice_name)}</p>" if practice_name else "")
        )
        head.setObjectName("heading")
        lay.addWidget(head)
        self.prompt = QLabel(prompt)
        self.prompt.setObjectName("prompt")
        self.prompt.setWordWrap(True)
        self.prompt.setVisible(bool(prompt))
        lay.addWidget(self.prompt)
        form = QFormLayout()
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("&User name", self.username)
        form.addRow("&Password", self.password)
        lay.addLayout(form)
        self.message = message_line()
        lay.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setObjectName("loginButton")
        ok.setText("Log in" if action == "login" else "Unlock")
        ok.setDefault(True)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Quit")
        self.buttons.accepted.connect(self.try_login)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(380)
        self.username.setFocus(Qt.FocusReason.OtherFocusReason)

    def authenticate(self) -> Actor | None:
        """Check what was typed (audited by ``auth.login``); the message line
        says what is wrong. A reset password must be changed first."""
        name, pw = self.username.text(), self.password.text()
        if not name.strip() or not pw:
            self.message.setText("Type your user name and password.")
            (self.username if not name.strip() else self.password).setFocus()
            return None
        try:
            with self.store.session() as s, s.begin():
                result = auth.login(s, name, pw, action=self.action)
        except UserFacingError as exc:
            self.message.setText(exc.message)
            return None
        if isinstance(result, auth.LoginRefused):
            self.password.clear()
            self.message.setText(result.message)
            self.password.setFocus()
            return None
        if not finish_login(self, self.store, result, pw):
            self.password.clear()
            self.message.setText("Choose a new password to continue.")
            return None
        self.message.clear()
        return result

    def try_login(self) -> None:
        actor = self.authenticate()
        if actor is not None:
            self.actor = actor
            self.accept()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
