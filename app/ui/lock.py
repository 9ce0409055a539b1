"""The idle lock.

After the office's idle time (setting "idle_lock_minutes", default 10) or on
File > Lock (Ctrl+L) every top-level window, open dialogs included, is
covered by an opaque curtain and its title hidden, and an application-modal
lock dialog asks for a password on top. Dialogs are covered, never hidden:
hiding a dialog that runs ``exec()`` would end it and lose what was typed.

The same user unlocks and carries on where they were. Another user may
unlock: the previous user's open windows are closed (after a warning that
unsaved work in them is lost), the previous user is logged out, and the main
window rebuilds for the new user. Every lock, unlock and failed unlock is
audited; failed unlocks count toward the account lockout like log-ins.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QToolTip,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app import APP_NAME
from app.services import settings, users
from app.ui.context import UiContext
from app.ui.forms import ask
from app.ui.login import LoginDialog
from app.ui.main_window import MainWindow

LOCKED_TITLE = f"{APP_NAME} (locked)"

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class Curtain(QWidget):
    """An opaque cover over the whole of one window (a child on top of all
    its other children, following the window's size).

    It keeps no Python reference to the window (only Qt's parent link):
    releasing such a reference while Qt deletes the curtain crashes PySide
    when the window's own wrapper is otherwise unreferenced."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("lockCurtain")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            "#lockCurtain { background: #263238; } QLabel { color: #eceff1; font-size: 18px; }"
        )
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 48, 0, 0)
        label = QLabel(f"{APP_NAME} is locked")
        label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        lay.addWidget(label)
        self.setGeometry(window.rect())
        window.installEventFilter(self)
        self.show()
        self.raise_()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        window = self.parentWidget()
        if obj is window and window is not None:
            if event.type() == QEvent.Type.Resize:
                self.setGeometry(window.rect())
            elif event.type() == QEvent.Type.ChildAdded:
                QTimer.singleShot(0, self._keep_on_top)
        return False

    def _keep_on_top(self) -> None:
        if self.isVisible():
            self.raise_()

    def remove(self) -> None:
        window = self.parentWidget()
        if window is not None:
            window.removeEventFilter(self)
        self.hide()
        self.deleteLater()


class LockDialog(LoginDialog):
    """The password prompt over the curtains. Application-modal, shown with
    ``show()`` (no nested loop of its own); Esc and close do nothing."""

    def __init__(self, manager: LockManager, parent: QWidget | None) -> None:
        ctx = manager.ctx
        super().__init__(
            ctx.store,
            parent=parent,
            action="unlock",
            prompt=(
                f"Locked. {ctx.actor.full_name} can unlock and carry on; another user "
                "can log in here instead."
            ),
        )
        self.manager = manager
        self.setObjectName("LockDialog")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.buttons.button(self.buttons.StandardButton.Cancel).hide()
        self.username.setText(ctx.actor.username)

    def try_login(self) -> None:
        self.manager.try_unlock()

    def reject(self) -> None:  # Esc
        pass

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            event.accept()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.manager.locked:
            event.ignore()
            return
        super().closeEvent(event)


class LockManager(QObject):
    """Watches for input; locks after the idle time or when asked."""

    locked_changed = Signal(bool)

    def __init__(self, ctx: UiContext, window: MainWindow, *, check_ms: int = 5000) -> None:
        super().__init__()
        self.ctx = ctx
        self.window = window
        self.locked = False
        self.dialog: LockDialog | None = None
        self._curtains: dict[QWidget, Curtain] = {}
        self._titles: dict[QWidget, str] = {}
        self._last_input = time.monotonic()
        self.idle_seconds = self._idle_setting()
        self._timer = QTimer(self)
        self._timer.setInterval(check_ms)
        self._timer.timeout.connect(self._check_idle)
        self._running = False
        ctx.changed.connect(self._on_changed)

    # ------------------------------------------------------------ idle

    def _idle_setting(self) -> float:
        with self.ctx.store.read_session() as s:
            return float(settings.get(s, "idle_lock_minutes")) * 60

    def _on_changed(self, topic: str) -> None:
        if topic == "settings":
            self.idle_seconds = self._idle_setting()

    def start(self) -> None:
        if self._running:
            return
        self._running = True
        self._last_input = time.monotonic()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._timer.start()

    def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._uncover()
        if self.dialog is not None:
            self.locked = False
            self.dialog.accept()
            self.dialog.deleteLater()
            self.dialog = None

    def idle_for(self) -> float:
        return time.monotonic() - self._last_input

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _ACTIVITY:
            self._last_input = time.monotonic()
        elif (
            self.locked
            and kind == QEvent.Type.Show
            and isinstance(obj, QWidget)
            and obj.isWindow()
            and self._should_cover(obj)
        ):
            # A window that opened while locked (a finished backup's message
            # ...): cover it too and keep the prompt on top.
            QTimer.singleShot(0, lambda w=obj: self._cover_late(w))
        return False

    def _check_idle(self) -> None:
        if not self.locked and self.idle_for() >= self.idle_seconds:
            self.lock("idle")

    # ------------------------------------------------------------ lock

    def _should_cover(self, w: QWidget) -> bool:
        if isinstance(w, Curtain) or w in self._curtains:
            return False
        if w.windowType() in (Qt.WindowType.Popup, Qt.WindowType.ToolTip):
            return False
        p: QWidget | None = w
        while p is not None:  # the lock prompt and its own message boxes
            if p is self.dialog:
                return False
            p = p.parentWidget()
        return True

    def _cover(self, w: QWidget) -> None:
        if w in self._curtains or not w.isVisible():
            return
        self._curtains[w] = Curtain(w)
        self._titles[w] = w.windowTitle()
        w.setWindowTitle(LOCKED_TITLE)

    def _cover_late(self, w: QWidget) -> None:
        if not self.locked or not w.isVisible() or not self._should_cover(w):
            return
        self._cover(w)
        if self.dialog is not None:
            # Re-showing puts the prompt on top of the modal stack again.
            self.dialog.hide()
            self.dialog.show()
            self.dialog.raise_()
            self.dialog.activateWindow()

    def _uncover(self) -> None:
        for w, curtain in list(self._curtains.items()):
            # A window deleted while locked (a message box that was answered)
            # took its curtain with it.
            if isValid(curtain):
                curtain.remove()
            if w in self._titles and isValid(w):
                w.setWindowTitle(self._titles[w])
        self._curtains.clear()
        self._titles.clear()
        self.window.locked = False

    def covered_windows(self) -> list[QWidget]:
        return list(self._curtains)

    def lock(self, reason: str = "menu") -> None:
        """Cover every window and ask for a password. ``reason``: "idle" or "menu"."""
        if self.locked or not self._running:
            return
        self.locked = True
        self.window.locked = True
        for _ in range(10):  # open menus and drop-down lists
            popup = QApplication.activePopupWidget()
            if popup is None:
                break
            popup.close()
        QToolTip.hideText()
        with self.ctx.store.session() as s, s.begin():
            users.record_lock(s, self.ctx.actor, reason)
        for w in QApplication.topLevelWidgets():
            if w.isVisible() and self._should_cover(w):
                self._cover(w)
        self.dialog = LockDialog(self, self.window)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        self.dialog.password.setFocus()
        self.locked_changed.emit(True)

    def open_windows_of_user(self) -> list[QWidget]:
        """What the locked user has open besides the main window."""
        return [w for w in self._curtains if w is not self.window and w.isVisible()]

    def try_unlock(self) -> None:
        """Check the password first: nothing of the locked user's work (not
        even the titles of their windows) shows before a right password.
        Another user then hears which windows close, and may still say No."""
        dlg = self.dialog
        if dlg is None:
            return
        previous = self.ctx.actor
        actor = dlg.authenticate()
        if actor is None:
            return
        if actor.user_id != previous.user_id:
            others_open = self.open_windows_of_user()
            if others_open:
                names = "\n".join(f"- {self._titles.get(w) or 'a window'}" for w in others_open)
                if not ask(
                    dlg,
                    f"{previous.full_name} has these windows open:\n{names}\n\nUnlocking as "
                    f"'{actor.username}' closes them; anything not saved in them is lost. "
                    "Continue?",
                ):
                    with self.ctx.store.session() as s, s.begin():
                        users.unlock_declined(s, actor, previous)
                    dlg.password.clear()
                    dlg.username.setText(previous.username)
                    dlg.say(f"Still locked: {previous.full_name}'s windows stay open for them.")
                    dlg.password.setFocus()
                    return
            for w in reversed(others_open):  # the newest (innermost) first
                curtain = self._curtains.pop(w, None)
                if curtain is not None:
                    curtain.remove()
                self._titles.pop(w, None)
                if isinstance(w, QDialog):
                    # done(), not reject(): a form's reject() asks "close
                    # without saving?", which nobody could see or answer here.
                    w.done(int(QDialog.DialogCode.Rejected))
                else:
                    w.close()
            with self.ctx.store.session() as s, s.begin():
                users.hand_over(s, previous, actor)
        self.locked = False
        self._uncover()
        dlg.accept()  # hides it (close() would ask reject(), which does nothing)
        dlg.deleteLater()
        self.dialog = None
        self._last_input = time.monotonic()
        if actor != previous:
            self.ctx.set_actor(actor)
        self.locked_changed.emit(False)
