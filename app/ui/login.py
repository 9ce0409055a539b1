"""The log-in window (every start), the new-password form a person gets after
the office manager reset their password, and the pieces the lock screen
shares with them.

The log-in window is the program's first window, so this module needs only
Qt at import: the services and the store (SQLAlchemy, the office tables) are
imported when someone logs in. At start-up the window shows before the store
is open (``LoginDialog(None)``); ``set_store`` enables "Log in" once it is.
Nothing here touches PySide6's ``Qt`` namespace on the way to the first
window (its first use costs 12-15 ms): no ``Qt.`` enums, no
``app.ui.forms``/``app.ui.widgets`` (they import it), and the button box is
built empty (its constructor with buttons loads it too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.errors import UserFacingError, ValidationError

if TYPE_CHECKING:
    from app.services.auth import Actor
    from app.store.engine import Store

DEMO_PROMPT = (
    "Demo office (made-up patients). Log in as <b>manager</b>, <b>biller</b> or "
    "<b>reception</b>; the password is <b>demo-password</b>."
)


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    return label


class WhenReady:
    """A dialog's main button that waits for the store (or the key) to be
    ready: disabled with a note until ``ready()``; Enter pressed in one of
    ``inputs`` meanwhile is remembered and acts once it is ready, so a person
    who types fast never presses twice."""

    def __init__(
        self,
        button: QPushButton,
        note: QLabel,
        act: Callable[[], None],
        inputs: list[QLineEdit],
        *,
        waiting_text: str,
        queued_text: str,
    ) -> None:
        self.button = button
        self.note = note
        self.act = act
        self.waiting_text = waiting_text
        self.queued_text = queued_text
        self.waiting = False
        self.queued = False
        for edit in inputs:
            edit.returnPressed.connect(self._enter)

    def wait(self) -> None:
        self.waiting = True
        self.button.setEnabled(False)
        self.note.setText(self.waiting_text)
        self.note.show()
        grow_to_fit(self.note)

    def ready(self) -> None:
        if not self.waiting:
            return
        self.waiting = False
        self.note.clear()
        self.note.hide()
        self.button.setEnabled(True)
        if self.queued:
            self.queued = False
            self.act()

    def _enter(self) -> None:
        if self.waiting:  # when ready, the default button takes the Enter
            self.queued = True
            self.note.setText(self.queued_text)
            grow_to_fit(self.note)


def grow_to_fit(label: QLabel) -> None:
    """A word-wrapped line whose text got longer needs height its window does
    not take by itself (a window's minimum size ignores height-for-width, so
    the other rows were squeezed): grow the window to what it needs."""
    win = label.window()
    lay = win.layout()
    if lay is None:
        return
    need = (
        lay.totalHeightForWidth(win.width())
        if lay.hasHeightForWidth()
        else lay.totalSizeHint().height()
    )
    if win.height() < need:
        win.resize(win.width(), need)


def note_line(object_name: str, *, problem: bool = False) -> QLabel:
    """A line of text under a small form: in grey and hidden until needed,
    what the window is waiting for; with ``problem``, the red line that says
    what is wrong (``app.ui.forms.message_line``, which the first windows do
    not import: ``app.ui.forms`` loads the ``Qt`` namespace)."""
    label = QLabel()
    label.setObjectName(object_name)
    label.setStyleSheet("color: #c62828;" if problem else "color: #555;")
    label.setWordWrap(True)
    label.setVisible(problem)
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
        from app.services import auth
        from app.ui.widgets import ProblemMarker

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
        from app.services import users

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
    from app.services import auth, users

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


STORE_OPENING = "Opening the office store..."
STORE_OPENING_QUEUED = "Opening the office store... you are logged in as soon as it is open."


class LoginDialog(QDialog):
    """User name + password. Enter logs in, Esc quits. ``actor`` after accept.

    Without a store (at start-up, while it opens behind the window) "Log in"
    waits: ``set_store`` enables it and shows the practice's name."""

    def __init__(
        self,
        store: Store | None,
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
        self.heading = QLabel()
        self.heading.setObjectName("heading")
        self._show_practice(practice_name)
        lay.addWidget(self.heading)
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
        self.message = note_line("message", problem=True)
        lay.addWidget(self.message)
        self.store_note = note_line("storeStatus")
        lay.addWidget(self.store_note)
        self.buttons = QDialogButtonBox()
        self.buttons.setStandardButtons(
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
        self.username.setFocus()
        self.gate = WhenReady(
            ok,
            self.store_note,
            self.try_login,
            [self.username, self.password],
            waiting_text=STORE_OPENING,
            queued_text=STORE_OPENING_QUEUED,
        )
        if store is None:
            self.gate.wait()

    def _show_practice(self, practice_name: str) -> None:
        self.heading.setText(
            f"<h2>{APP_NAME}</h2>" + (f"<p>{_esc(practice_name)}</p>" if practice_name else "")
        )

    def set_store(self, store: Store, practice_name: str) -> None:
        """The store is open: show whose office it is and enable "Log in" (a
        log-in asked for meanwhile goes ahead now)."""
        self.store = store
        self._show_practice(practice_name)
        self.gate.ready()

    def authenticate(self) -> Actor | None:
        """Check what was typed (audited by ``auth.login``); the message line
        says what is wrong. A reset password must be changed first."""
        from app.services import auth

        if self.store is None:
            return None
        name, pw = self.username.text(), self.password.text()
        if not name.strip() or not pw:
            self.say("Type your user name and password.")
            (self.username if not name.strip() else self.password).setFocus()
            return None
        try:
            with self.store.session() as s, s.begin():
                result = auth.login(s, name, pw, action=self.action)
        except UserFacingError as exc:
            self.say(exc.message)
            return None
        if isinstance(result, auth.LoginRefused):
            self.password.clear()
            self.say(result.message)
            self.password.setFocus()
            return None
        if not finish_login(self, self.store, result, pw):
            self.password.clear()
            self.say("Choose a new password to continue.")
            return None
        self.message.clear()
        return result

    def say(self, text: str) -> None:
        """The red line under the form (the window grows when it wraps)."""
        self.message.setText(text)
        grow_to_fit(self.message)

    def try_login(self) -> None:
        actor = self.authenticate()
        if actor is not None:
            self.actor = actor
            self.accept()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
