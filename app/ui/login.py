"""The log-in window (every start) and the same form for unlocking."""

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
from app.errors import UserFacingError
from app.services import auth
from app.services.auth import Actor
from app.store.engine import Store


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
        head = QLabel(f"<h2>{APP_NAME}</h2>" + (f"<p>{practice_name}</p>" if practice_name else ""))
        lay.addWidget(head)
        if prompt:
            p = QLabel(prompt)
            p.setWordWrap(True)
            lay.addWidget(p)
        form = QFormLayout()
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("&User name", self.username)
        form.addRow("&Password", self.password)
        lay.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setStyleSheet("color: #c62828;")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Log in" if action == "login" else "Unlock")
        ok.setDefault(True)
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.setMinimumWidth(360)
        self.username.setFocus(Qt.FocusReason.OtherFocusReason)

    def try_login(self) -> None:
        name, pw = self.username.text(), self.password.text()
        if not name.strip() or not pw:
            self.message.setText("Type your user name and password.")
            return
        try:
            with self.store.session() as s, s.begin():
                result = auth.login(s, name, pw, action=self.action)
        except UserFacingError as exc:
            self.message.setText(exc.message)
            return
        if isinstance(result, auth.LoginRefused):
            self.password.clear()
            self.message.setText(result.message)
            self.password.setFocus()
            return
        self.actor = result
        self.accept()
