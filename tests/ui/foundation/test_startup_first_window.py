"""Start-up shows its first window before the store is open.

The log-in window (or, with a key file, the office passphrase window) comes
as soon as Qt is up; the keyring, SQLAlchemy and opening and checking the
store happen behind it in a worker thread. These tests hold that worker back
(``held``) so what a person sees meanwhile can be looked at, then let it go.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

import app.ui.startup as startup
from app.__main__ import parse_args
from app.store.engine import open_store
from app.store.keys import last_group, new_key, recovery_code, save_key_in_keyring, write_key_file
from app.store.lock import InstanceLock
from app.ui.login import STORE_OPENING, STORE_OPENING_QUEUED, LoginDialog
from app.ui.main_window import MainWindow
from app.ui.recovery import (
    KEYRING_CHECK,
    KeyProblemDialog,
    NewKeyDialog,
    PassphraseDialog,
    RecoveryDialog,
)
from app.ui.startup import run
from tests.factories import PASSWORD
from tests.ui.foundation.test_startup import (
    actions,
    click,
    details,
    flip_a_byte_in_table,
    make_office,
    type_into,
)

PRACTICE = "Maple Street Family Medicine"


@pytest.fixture
def app_quits_itself() -> Iterator[None]:
    yield
    QApplication.instance().setQuitOnLastWindowClosed(True)


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The start-up's worker waits for ``held.set()`` before it looks for the
    key (at most 20 s, so a failing test cannot hang the run)."""
    go = threading.Event()
    real = startup.find_key_and_open

    def waiting(paths):
        go.wait(20)
        return real(paths)

    monkeypatch.setattr(startup, "find_key_and_open", waiting)
    return go


def start(paths) -> int:
    return run(parse_args(["--data-dir", str(paths.data_dir)]))


def quit_main_window(seen: dict):
    def act(win: MainWindow) -> None:
        seen["user"] = win.user_label.text()
        seen["title"] = win.windowTitle()
        win.act_quit.trigger()

    return act


def test_typing_starts_before_the_store_is_open_and_enter_waits_for_it(
    qtbot, paths, modals, held, app_quits_itself
) -> None:
    key = new_key()
    make_office(paths, key)
    save_key_in_keyring(paths.store, key)
    seen: dict = {}

    def log_in(d: LoginDialog) -> None:
        button = d.findChild(QPushButton, "loginButton")
        note = d.findChild(QLabel, "storeStatus")
        seen["enabled"] = button.isEnabled()
        seen["note"] = note.text()
        seen["heading"] = d.findChild(QLabel, "heading").text()
        type_into(d, "username", "manager")
        type_into(d, "password", PASSWORD)
        qtbot.keyClick(d.password, Qt.Key.Key_Return)  # before the store is open
        seen["queued"] = note.text()
        seen["still_open"] = d.isVisible()  # Enter neither logged in nor quit
        held.set()
        qtbot.waitUntil(lambda: not d.isVisible(), timeout=10000)  # logged in once open
        seen["heading_then"] = d.findChild(QLabel, "heading").text()

    modals.expect(LoginDialog, log_in)
    modals.expect_window(MainWindow, quit_main_window(seen))
    assert start(paths) == 0
    modals.check()
    assert seen["enabled"] is False
    assert seen["note"] == STORE_OPENING
    assert PRACTICE not in seen["heading"]
    assert seen["queued"] == STORE_OPENING_QUEUED
    assert seen["still_open"] is True
    assert PRACTICE in seen["heading_then"]
    assert "Test Office manager" in seen["user"] and PRACTICE in seen["title"]
    store = open_store(paths.store, key)
    assert actions(store) == ["store_opened", "login", "logout"]
    assert details(store, "store_opened") == {"key": "keyring"}
    store.close()


def test_log_in_is_enabled_when_the_store_is_open(
    qtbot, paths, modals, held, app_quits_itself
) -> None:
    key = new_key()
    make_office(paths, key)
    save_key_in_keyring(paths.store, key)
    seen: dict = {}

    def log_in(d: LoginDialog) -> None:
        button = d.findChild(QPushButton, "loginButton")
        assert not button.isEnabled()
        held.set()
        qtbot.waitUntil(button.isEnabled, timeout=10000)
        seen["note_visible"] = d.findChild(QLabel, "storeStatus").isVisible()
        seen["heading"] = d.findChild(QLabel, "heading").text()
        type_into(d, "username", "manager")
        type_into(d, "password", "not the password")
        button.click()
        seen["refused"] = d.message.text()
        type_into(d, "password", PASSWORD)
        button.click()

    modals.expect(LoginDialog, log_in)
    modals.expect_window(MainWindow, quit_main_window(seen))
    assert start(paths) == 0
    modals.check()
    assert seen["note_visible"] is False
    assert PRACTICE in seen["heading"]
    assert seen["refused"]  # the same refusal as ever, from the GUI thread's connection
    store = open_store(paths.store, key)
    assert actions(store) == ["store_opened", "login_failed", "login", "logout"]
    store.close()


def test_without_a_keyring_key_the_key_windows_take_the_log_in_windows_place(
    qtbot, paths, modals, held, app_quits_itself
) -> None:
    key = new_key()
    make_office(paths, key)  # no keyring entry
    seen: dict = {}

    def waiting(d: LoginDialog) -> None:
        seen["enabled"] = d.findChild(QPushButton, "loginButton").isEnabled()
        held.set()

    def problem(d: KeyProblemDialog) -> None:
        seen["problem"] = d.problem.text()
        seen["login_gone"] = not any(
            isinstance(w, LoginDialog) and w.isVisible() for w in QApplication.topLevelWidgets()
        )
        click(d, "useRecoveryKey")

    def recovery(d: RecoveryDialog) -> None:
        type_into(d, "recoveryCodeInput", recovery_code(key))
        click(d, "openWithRecovery")

    def new_key_dialog(d: NewKeyDialog) -> None:
        d.panel.print_pdf = lambda _p, _pdf: True
        d.panel.print_button.click()
        type_into(d, "lastGroup", last_group(d.panel.code))
        d.ok.click()

    def log_in(d: LoginDialog) -> None:
        seen["enabled_then"] = d.findChild(QPushButton, "loginButton").isEnabled()
        type_into(d, "username", "manager")
        type_into(d, "password", PASSWORD)
        qtbot.keyClick(d.password, Qt.Key.Key_Return)

    modals.expect(LoginDialog, waiting)
    modals.expect(KeyProblemDialog, problem)
    modals.expect(RecoveryDialog, recovery)
    modals.expect(NewKeyDialog, new_key_dialog)
    modals.expect(LoginDialog, log_in)
    modals.expect_window(MainWindow, quit_main_window(seen))
    assert start(paths) == 0
    modals.check()
    assert seen["enabled"] is False
    assert "could not find the key" in seen["problem"]
    assert seen["login_gone"] is True
    assert seen["enabled_then"] is True  # the store is open by then
    from app.store.keys import load_key_from_keyring

    new = load_key_from_keyring(paths.store)
    assert new is not None and new != key
    store = open_store(paths.store, new)
    assert actions(store) == ["recovery_key_used", "store_rekeyed", "login", "logout"]
    assert details(store, "recovery_key_used") == {"keyring_key": "missing", "recovery_attempts": 1}
    store.close()


def test_with_a_key_file_the_passphrase_window_comes_first(
    qtbot, paths, modals, held, app_quits_itself
) -> None:
    key = new_key()
    make_office(paths, key)
    write_key_file(paths.key_file, key, "blue heron at dawn", n=2**12)
    seen: dict = {}

    def passphrase(d: PassphraseDialog) -> None:
        seen["open"] = d.open_button.isEnabled()
        seen["recovery"] = d.recovery_button.isEnabled()
        seen["note"] = d.note.text()
        type_into(d, "officePassphrase", "blue heron at dusk")
        qtbot.keyClick(d.passphrase, Qt.Key.Key_Return)  # kept until the keyring is looked at
        seen["still_open"] = d.isVisible()
        held.set()
        qtbot.waitUntil(lambda: bool(d.message.text()), timeout=10000)
        seen["wrong"] = d.message.text()
        seen["recovery_then"] = d.recovery_button.isEnabled()
        type_into(d, "officePassphrase", "blue heron at dawn")
        click(d, "openStore")

    def log_in(d: LoginDialog) -> None:
        seen["enabled"] = d.findChild(QPushButton, "loginButton").isEnabled()
        seen["heading"] = d.findChild(QLabel, "heading").text()
        type_into(d, "username", "manager")
        type_into(d, "password", PASSWORD)
        qtbot.keyClick(d.password, Qt.Key.Key_Return)

    modals.expect(PassphraseDialog, passphrase)
    modals.expect(LoginDialog, log_in)
    modals.expect_window(MainWindow, quit_main_window(seen))
    assert start(paths) == 0
    modals.check()
    assert seen["open"] is False and seen["recovery"] is False
    assert seen["note"] == KEYRING_CHECK
    assert seen["still_open"] is True
    assert seen["wrong"].startswith("That office passphrase is not correct.")
    assert seen["recovery_then"] is True
    assert seen["enabled"] is True and PRACTICE in seen["heading"]
    store = open_store(paths.store, key)
    assert actions(store) == ["store_opened", "login", "logout"]
    assert details(store, "store_opened") == {"key": "office passphrase", "wrong_passphrases": 1}
    store.close()


def test_quitting_while_the_store_opens_closes_it_cleanly(
    qtbot, paths, modals, held, app_quits_itself
) -> None:
    key = new_key()
    make_office(paths, key)
    save_key_in_keyring(paths.store, key)

    def quit_now(d: LoginDialog) -> None:
        qtbot.keyClick(d, Qt.Key.Key_Escape)
        held.set()  # the store goes on opening; the program waits for it and closes it

    modals.expect(LoginDialog, quit_now)
    assert start(paths) == 0
    modals.check()
    InstanceLock(paths.store).acquire().release()  # the program let go of the store
    store = open_store(paths.store, key)
    assert actions(store) == ["store_opened"]  # nobody logged in
    store.close()


def test_a_damaged_store_found_behind_the_log_in_window_offers_a_backup(
    qtbot, paths, modals, held, app_quits_itself
) -> None:
    key = new_key()
    make_office(paths, key)
    save_key_in_keyring(paths.store, key)
    flip_a_byte_in_table(paths.store, key, "vendor")
    seen: dict = {}

    def look(d: KeyProblemDialog) -> None:
        seen["text"] = d.problem.text()
        seen["recovery"] = d.findChild(QPushButton, "useRecoveryKey").isVisible()
        d.reject()

    modals.expect(LoginDialog, lambda _d: held.set())
    modals.expect(KeyProblemDialog, look)
    assert start(paths) == 0
    modals.check()
    assert "damaged" in seen["text"] and seen["recovery"] is False


def test_a_bug_behind_the_window_is_raised_as_before(
    qtbot, paths, modals, monkeypatch, app_quits_itself
) -> None:
    make_office(paths, new_key())

    def broken(_paths):
        raise RuntimeError("a bug while opening")

    monkeypatch.setattr(startup, "find_key_and_open", broken)
    with pytest.raises(RuntimeError, match="a bug while opening"):
        start(paths)
    assert not any(
        isinstance(w, LoginDialog) and w.isVisible() for w in QApplication.topLevelWidgets()
    )
    InstanceLock(paths.store).acquire().release()


FIRST_WINDOWS = """
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication

qapp = QApplication([])
import app.ui.startup
from app.config import Paths
from app.ui.login import LoginDialog
from app.ui.recovery import PassphraseDialog
from app.ui.setup_wizard import SetupWizard

login = LoginDialog(None)
login.show()
passphrase = PassphraseDialog(Paths(Path(sys.argv[1])))
passphrase.wait()
passphrase.show()
wizard = SetupWizard(Paths(Path(sys.argv[1]) / "new"))
wizard.show()
qapp.processEvents()
heavy = ("sqlalchemy", "keyring", "cryptography", "sqlcipher3", "reportlab", "alembic",
         "app.models", "app.services", "app.store.engine")
print(" ".join(m for m in heavy if m in sys.modules) or "none")
"""


def test_the_first_windows_need_only_qt(tmp_path) -> None:
    """The log-in window, the office passphrase window and the set-up wizard
    are built and shown without the store's or the keyring's libraries (what
    made start-up slow)."""
    out = subprocess.run(
        [sys.executable, "-c", FIRST_WINDOWS, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[3],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["none"]
