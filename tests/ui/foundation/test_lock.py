"""The idle lock: covers everything, keeps open work, hands over to another user."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.staff import Role
from app.services import audit, settings
from app.ui.lock import LOCKED_TITLE, Curtain, LockDialog
from app.ui.startup import OfficeSession
from tests.factories import PASSWORD
from tests.ui.foundation.modals import Modals, show_active


@pytest.fixture
def session(qtbot, office, paths):
    sess = OfficeSession(office.store, paths, office.manager, "Maple Street Family Medicine")
    sess.lock._timer.setInterval(40)
    sess.start()
    show_active(qtbot, sess.window)
    yield sess
    if not sess.outcome:
        sess.lock.locked = False
        sess.finish("quit")


def audit_rows(office, action: str | None = None):
    with office.store.session() as s:
        return list(reversed(audit.search(s, office.manager, action=action)))


def covering_widget(window: QWidget) -> QWidget:
    """What a click in the middle of the window would hit."""
    w = window.childAt(window.rect().center())
    while w is not None and not isinstance(w, Curtain):
        w = w.parentWidget()
    assert w is not None, "the middle of the window is not covered"
    return w


def unlock(dialog: LockDialog, username: str, password: str) -> None:
    dialog.username.clear()
    dialog.username.insert(username)
    dialog.password.clear()
    dialog.password.insert(password)
    dialog.findChild(QPushButton, "loginButton").click()


class WorkDialog(QDialog):
    """Stands for any screen's dialog with typed, unsaved work."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Register patient")
        self.note = QLineEdit()
        QVBoxLayout(self).addWidget(self.note)


def test_ctrl_l_locks_at_once_and_the_same_user_unlocks(qtbot, office, session) -> None:
    win = session.window
    qtbot.keyClick(win, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    lock = session.lock
    assert lock.locked
    dlg = lock.dialog
    assert dlg is not None and dlg.isVisible()
    assert dlg.windowModality() == Qt.WindowModality.ApplicationModal
    assert QApplication.activeModalWidget() is dlg
    curtain = covering_widget(win)
    assert curtain.geometry() == win.rect()
    assert win.windowTitle() == LOCKED_TITLE
    assert dlg.username.text() == "manager"

    unlock(dlg, "manager", "not the password")
    assert lock.locked
    assert "not correct" in dlg.message.text()
    unlock(dlg, "manager", PASSWORD)
    assert not lock.locked and not dlg.isVisible()
    assert win.windowTitle().startswith("MedBill Desk - Maple Street")
    assert win.childAt(win.rect().center()) is not curtain
    assert session.ctx.actor == office.manager
    assert [r.action for r in audit_rows(office)] == ["lock", "unlock_failed", "unlock"]
    assert audit_rows(office, "lock")[0].details == {"reason": "menu"}


def test_idle_time_locks(qtbot, office, session) -> None:
    assert session.lock.idle_seconds == 600  # the default, 10 minutes
    session.lock.idle_seconds = 0.3
    qtbot.waitUntil(lambda: session.lock.locked, timeout=3000)
    assert audit_rows(office, "lock")[0].details == {"reason": "idle"}


def test_input_keeps_the_window_unlocked(qtbot, session) -> None:
    session.lock.idle_seconds = 0.4
    for _ in range(6):
        qtbot.mouseMove(session.window, QPoint(50 + _, 50))
        qtbot.wait(100)
    assert not session.lock.locked


def test_manager_changes_the_idle_time(qtbot, office, session) -> None:
    with office.store.unit_of_work() as s:
        settings.put(s, office.manager, "idle_lock_minutes", 2)
    session.ctx.changed.emit("settings")
    assert session.lock.idle_seconds == 120


def test_open_dialog_is_covered_not_closed_and_keeps_typed_work(
    qtbot, office, session, modals: Modals
) -> None:
    win, lock = session.window, session.lock
    seen: dict[str, object] = {}

    def work(d: QDialog) -> None:
        assert isinstance(d, WorkDialog)
        qtbot.keyClicks(d.note, "half-typed note")
        lock.lock("idle")
        seen["visible while locked"] = d.isVisible()
        seen["covered"] = covering_widget(d).geometry() == d.rect()
        seen["title"] = d.windowTitle()
        seen["top"] = QApplication.activeModalWidget()
        unlock(lock.dialog, "manager", PASSWORD)
        seen["after"] = (d.isVisible(), d.note.text(), d.windowTitle())
        d.accept()

    modals.expect(WorkDialog, work)
    result = WorkDialog(win).exec()
    modals.check()
    assert result == QDialog.DialogCode.Accepted
    assert seen["visible while locked"] is True
    assert seen["covered"] is True
    assert seen["title"] == LOCKED_TITLE
    assert isinstance(seen["top"], LockDialog)
    assert seen["after"] == (True, "half-typed note", "Register patient")


def test_another_user_unlocks_after_a_warning_and_the_window_rebuilds(
    qtbot, office, session, modals: Modals
) -> None:
    win, lock = session.window, session.lock
    assert win.nav.count() == 6

    def work(d: QDialog) -> None:
        qtbot.keyClicks(d.note, "unsaved")
        lock.lock("menu")
        unlock(lock.dialog, "reception", PASSWORD)

    modals.expect(WorkDialog, work)
    modals.answer("Unlocking as 'reception' closes them", QMessageBox.StandardButton.Yes)
    result = WorkDialog(win).exec()
    modals.check()
    assert result == QDialog.DialogCode.Rejected  # closed for the new user
    assert not lock.locked
    assert session.ctx.actor.username == "reception"
    assert session.ctx.actor.role is Role.RECEPTIONIST
    assert [win.nav.item(i).text() for i in range(win.nav.count())] == ["Front desk", "Payments"]
    assert "Receptionist" in win.user_label.text()
    assert not win.act_backup.isEnabled()
    got = [(r.action, r.username) for r in audit_rows(office)]
    assert got == [("lock", "manager"), ("unlock", "reception"), ("logout", "manager")]
    assert audit_rows(office, "logout")[0].details == {
        "reason": "another user unlocked",
        "unlocked_by": "reception",
    }


def test_saying_no_to_the_warning_keeps_the_lock_and_the_work(
    qtbot, office, session, modals: Modals
) -> None:
    lock = session.lock
    seen = {}

    def work(d: QDialog) -> None:
        qtbot.keyClicks(d.note, "unsaved")
        lock.lock("menu")
        unlock(lock.dialog, "reception", PASSWORD)
        seen["state"] = (lock.locked, d.isVisible(), session.ctx.actor.username)
        unlock(lock.dialog, "manager", PASSWORD)
        d.accept()

    modals.expect(WorkDialog, work)
    modals.answer("closes them", QMessageBox.StandardButton.No)
    assert WorkDialog(session.window).exec() == QDialog.DialogCode.Accepted
    modals.check()
    assert seen["state"] == (True, True, "manager")
    got = [(r.action, r.username) for r in audit_rows(office)]
    assert got == [
        ("lock", "manager"),
        ("unlock", "reception"),
        ("logout", "reception"),
        ("unlock", "manager"),
    ]
    assert audit_rows(office, "logout")[0].details["locked_user"] == "manager"


def test_a_wrong_password_hears_nothing_of_the_open_windows(
    qtbot, office, session, modals: Modals
) -> None:
    """The warning names the locked user's windows: only after a right password."""
    lock = session.lock
    seen = {}

    def work(d: QDialog) -> None:
        qtbot.keyClicks(d.note, "unsaved")
        lock.lock("menu")
        unlock(lock.dialog, "reception", "not the password")
        seen["state"] = (lock.locked, d.isVisible(), lock.dialog.message.text())
        unlock(lock.dialog, "manager", PASSWORD)
        d.accept()

    modals.expect(WorkDialog, work)  # and no question: an unexpected one fails the test
    assert WorkDialog(session.window).exec() == QDialog.DialogCode.Accepted
    modals.check()
    assert seen["state"] == (True, True, "The user name or password is not correct.")


def test_another_user_closes_a_half_filled_form_without_a_hidden_question(
    qtbot, office, session, modals: Modals
) -> None:
    """A real form asks "close without saving?" on Esc; handing over must not
    ask it under the curtain, where nobody can see or answer it."""
    from app.ui.admin.staff import AddUserDialog

    lock = session.lock

    def work(d: QDialog) -> None:
        assert isinstance(d, AddUserDialog)
        qtbot.keyClicks(d.fields.inputs["full_name"], "Half typed")
        lock.lock("idle")
        unlock(lock.dialog, "reception", PASSWORD)

    modals.expect(AddUserDialog, work)
    modals.answer("Unlocking as 'reception' closes them", QMessageBox.StandardButton.Yes)
    dlg = AddUserDialog(session.ctx, session.window)
    assert dlg.exec() == QDialog.DialogCode.Rejected
    modals.check()
    assert not lock.locked and lock.dialog is None
    assert session.ctx.actor.username == "reception"
    assert not dlg.isVisible()


def test_five_wrong_unlocks_lock_the_account(qtbot, office, session) -> None:
    lock = session.lock
    lock.lock("menu")
    for _ in range(5):
        unlock(lock.dialog, "manager", "wrong password")
    unlock(lock.dialog, "manager", PASSWORD)
    assert lock.locked
    assert "locked after 5 wrong passwords" in lock.dialog.message.text()
    assert len(audit_rows(office, "unlock_failed")) == 6


def test_escape_does_not_unlock(qtbot, session) -> None:
    session.lock.lock("menu")
    dlg = session.lock.dialog
    qtbot.keyClick(dlg.password, Qt.Key.Key_Escape)
    dlg.close()
    assert session.lock.locked and dlg.isVisible()
    session.window.close()
    assert session.window.isVisible() and not session.outcome


def test_a_window_that_opens_while_locked_is_covered_too(qtbot, session) -> None:
    lock = session.lock
    lock.lock("menu")
    box = QMessageBox(QMessageBox.Icon.Information, "Backup written", "12,345 rows", parent=None)
    box.setWindowModality(Qt.WindowModality.ApplicationModal)
    box.show()
    qtbot.waitUntil(lambda: box in lock.covered_windows(), timeout=2000)
    assert box.windowTitle() == LOCKED_TITLE
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is lock.dialog, timeout=2000)
    unlock(lock.dialog, "manager", PASSWORD)
    assert box.isVisible() and box.windowTitle() == "Backup written"
    box.close()


def test_an_open_menu_is_closed_by_the_lock(qtbot, session) -> None:
    menu = session.window.menuBar().actions()[0].menu()
    menu.popup(session.window.mapToGlobal(QPoint(10, 10)))
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is menu, timeout=2000)
    session.lock.lock("idle")
    assert QApplication.activePopupWidget() is None
    assert not menu.isVisible()
