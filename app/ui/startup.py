"""The program's life: find the key and open the store (or run the set-up
wizard on first start), log in, run the main window with its idle lock, log
out, and start again after a restore.

Key lookup order: the OS keyring (secure backends only) -> the office
passphrase, when a key file is next to the store -> the recovery key, which
opens the store and then puts a new key in place (``PRAGMA rekey``) with a
new recovery key the person prints and types back.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from app import APP_NAME
from app.config import Paths, default_paths, private_temp_dir
from app.errors import StoreError, UserFacingError
from app.services import auth, maintenance, office
from app.services.auth import Actor
from app.store.engine import (
    DAMAGED_MESSAGE,
    WRONG_KEY_MESSAGE,
    Store,
    open_store,
    remove_store_files,
)
from app.store.keys import load_key_from_keyring, new_key, recovery_code, secure_keyring_available
from app.store.lock import InstanceLock
from app.ui.background import run_with_progress
from app.ui.context import UiContext
from app.ui.forms import ask
from app.ui.login import DEMO_PROMPT, LoginDialog
from app.ui.main_window import MainWindow
from app.ui.ops import Failed
from app.ui.recovery import (
    KEYRING_ENTRY_MISSING,
    KEYRING_KEY_DOES_NOT_OPEN,
    NO_SECURE_KEYRING,
    RESTORE_BACKUP,
    STORE_DAMAGED,
    KeyProblemDialog,
    NewKeyDialog,
    PassphraseDialog,
    RecoveryDialog,
)

log = logging.getLogger("medbill.startup")


class Stop:
    """Set when the program was asked to end from outside (Ctrl+C, a
    shutdown's SIGTERM): every loop returns, and the demo folder is removed."""

    requested = False


def _stop(*_args: object) -> None:
    Stop.requested = True
    QCoreApplication.exit(0)  # ends every running event loop, dialogs included


def _catch_signals() -> QTimer:
    """Python sees a signal only when it runs: a timer lets it run."""
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    ticker = QTimer()
    ticker.timeout.connect(lambda: None)
    ticker.start(300)
    return ticker


def practice_name(store: Store) -> str:
    with store.read_session() as s:
        return office.practice(s).name if office.is_set_up(s) else ""


# ------------------------------------------------------------ the store key


def open_office_store(paths: Paths, parent: QWidget | None = None) -> Store | None:
    """Find the key and open this computer's store; None when the person gives up.

    Every way in is audited once the store is open ("store_opened" with how,
    and what failed before: a keyring key that did not open it, wrong
    office passphrases, the recovery key and the new key)."""
    failed: dict[str, Any] = {}
    key = load_key_from_keyring(paths.store)
    problem = ""
    if key is not None:
        try:
            store = open_store(paths.store, key, backup_dir=paths.backups)
        except StoreError as exc:
            if exc.message == DAMAGED_MESSAGE:
                return offer_restore(paths, parent, {"store": "damaged"})
            if exc.message != WRONG_KEY_MESSAGE:
                QMessageBox.critical(parent, APP_NAME, exc.message)
                return None
            problem = KEYRING_KEY_DOES_NOT_OPEN
            failed["keyring_key"] = "does not open the store"
        else:
            maintenance.record_event(store, "store_opened", details={"key": "keyring"})
            return store
    elif paths.key_file.exists():
        dlg = PassphraseDialog(paths, parent)
        result = dlg.exec()
        if result == QDialog.DialogCode.Accepted and dlg.store is not None:
            details: dict[str, Any] = {"key": "office passphrase"}
            if dlg.failures:
                details["wrong_passphrases"] = dlg.failures
            maintenance.record_event(dlg.store, "store_opened", details=details)
            return dlg.store
        if result == STORE_DAMAGED:
            return offer_restore(paths, parent, {"store": "damaged"})
        if result != PassphraseDialog.USE_RECOVERY:
            return None
        if dlg.failures:
            failed["wrong_passphrases"] = dlg.failures
    else:
        problem = KEYRING_ENTRY_MISSING if secure_keyring_available() else NO_SECURE_KEYRING
        failed["keyring_key"] = "missing" if secure_keyring_available() else "no secure keyring"
    if problem:
        box = KeyProblemDialog(problem, parent)
        result = box.exec()
        if result == RESTORE_BACKUP:
            return restore_at_startup(paths, parent, failed)
        if result != QDialog.DialogCode.Accepted:
            return None
    return recover(paths, parent, failed)


def offer_restore(paths: Paths, parent: QWidget | None, failed: dict[str, Any]) -> Store | None:
    """The store is damaged (a page fails its integrity check): say so and
    offer a backup; no key can help."""
    box = KeyProblemDialog(DAMAGED_MESSAGE, parent, offer_recovery=False)
    if box.exec() != RESTORE_BACKUP:
        return None
    return restore_at_startup(paths, parent, failed)


def recover(paths: Paths, parent: QWidget | None, failed: dict[str, Any]) -> Store | None:
    """Open the store with the recovery key, then put a new key in place
    where the office keeps keys and show the new recovery key."""
    dlg = RecoveryDialog(paths, parent)
    result = dlg.exec()
    if result == RESTORE_BACKUP:
        return restore_at_startup(paths, parent, dict(failed, recovery_key="does not open"))
    if result != QDialog.DialogCode.Accepted or dlg.store is None:
        return None
    store = dlg.store
    details = dict(failed, recovery_attempts=dlg.attempts)
    place = maintenance.key_place(paths)
    new = new_key()
    ask = NewKeyDialog(
        paths,
        recovery_code(new),
        practice_name(store),
        ask_passphrase=place is maintenance.KeyPlace.PASSPHRASE,
        parent=parent,
    )
    if ask.exec() != QDialog.DialogCode.Accepted:
        store.close()
        return None
    try:
        maintenance.put_new_key(store, paths, new, place, ask.passphrase())
    except UserFacingError as exc:
        QMessageBox.warning(
            parent,
            APP_NAME,
            f"The new key could not be kept ({exc.message}). The store is unchanged and "
            "opens with the recovery key for now.",
        )
        maintenance.record_event(store, "recovery_key_used", details=details)
        return store
    maintenance.record_event(store, "recovery_key_used", details=details)
    maintenance.record_event(
        store,
        "store_rekeyed",
        details={"key_kept_in": place.value, "recovery_key_printed": ask.panel.printed},
    )
    return store


def restore_at_startup(
    paths: Paths, parent: QWidget | None, failed: dict[str, Any]
) -> Store | None:
    """When no key opens the store: restore a backup (opened with its own
    passphrase or recovery key) in its place, under a new key with a new
    recovery key. The store it replaces is kept aside. Nobody is logged in
    yet; having a backup and its key is what allows it, and the restored
    store records it."""
    from app.ui.backup import RestoreDialog

    dlg = RestoreDialog(paths, None, {}, parent)
    if dlg.exec() != QDialog.DialogCode.Accepted or dlg.backup is None:
        return None
    info = dlg.backup
    if not ask(
        parent,
        f"Put the backup {info.path.name} in place of the office store? The current store "
        f"file is kept in {paths.backups}, not deleted.",
    ):
        return None
    place = maintenance.key_place(paths)
    new = new_key()
    ask_key = NewKeyDialog(
        paths,
        recovery_code(new),
        info.summary.practice_name,
        ask_passphrase=place is maintenance.KeyPlace.PASSPHRASE,
        intro="The restored store gets a new key, with this new recovery key. Print it (or "
        "write it down) before you go on: the store will open only with this key.",
        parent=parent,
    )
    if ask_key.exec() != QDialog.DialogCode.Accepted:
        return None
    moved = run_with_progress(
        parent,
        "Restore",
        lambda _p: maintenance.restore_files(info, paths.store, new, paths.backups),
        label="Checking the backup and writing the restored store...",
    )
    if isinstance(moved, Failed):
        return None
    aside, counts = moved
    try:
        maintenance.save_key(paths, new, place, ask_key.passphrase())
    except UserFacingError as exc:
        QMessageBox.warning(
            parent,
            APP_NAME,
            f"The backup was restored, but its new key could not be kept ({exc.message}). "
            "Next time, open the store with the new recovery key you just printed.",
        )
    store = open_store(paths.store, new, backup_dir=paths.backups)
    maintenance.record_event(
        store,
        "store_restored",
        details={
            "file": str(info.path),
            "rows": sum(counts.values()),
            "replaced_store_kept_at": str(aside),
            "when": "at start-up, before anyone logged in",
            "key_kept_in": place.value,
            "recovery_key_printed": ask_key.panel.printed,
            **failed,
        },
    )
    return store


# ------------------------------------------------------------ the session


class OfficeSession(QObject):
    """One logged-in user at the main window (a lock can hand it to another
    user). Ends with ``outcome`` "logout", "quit" or "restored" (then
    ``store`` is the restored store)."""

    ended = Signal()

    def __init__(
        self, store: Store, paths: Paths, actor: Actor, practice: str, *, demo: bool = False
    ) -> None:
        super().__init__()
        from app.ui.lock import LockManager

        self.store = store
        self.outcome = ""
        self.ctx = UiContext(store, paths, actor, demo=demo)
        self.window = MainWindow(self.ctx, practice)
        self.lock = LockManager(self.ctx, self.window)
        self.window.logout_requested.connect(self.logout)
        self.window.restore_requested.connect(self.restore)
        self.window.lock_requested.connect(lambda: self.lock.lock("menu"))
        self.window.closing.connect(lambda: self.finish("quit"))

    def start(self) -> None:
        self.window.show()
        self.lock.start()

    def run(self) -> str:
        """Show the window and wait until the session ends; the outcome."""
        loop = QEventLoop()
        self.ended.connect(loop.quit)
        self.start()
        if not self.outcome:
            loop.exec()
        return self.outcome

    def logout(self) -> None:
        self.finish("logout")

    def finish(self, outcome: str) -> None:
        if self.outcome:
            return
        self.outcome = outcome
        self.lock.stop()
        if outcome != "restored":
            with self.ctx.store.session() as s, s.begin():
                auth.logout(s, self.ctx.actor)
        self.window.closing.disconnect()
        self.window.close()
        self.window.deleteLater()
        self.ended.emit()

    def restore(self) -> None:
        from app.ui.backup import restore_flow

        outcome = restore_flow(self.window, self.ctx)
        if outcome is None:
            return
        self.store = outcome.store
        self.ctx.store = outcome.store
        if outcome.restored:
            QMessageBox.information(
                self.window, APP_NAME, outcome.message + "\n\nLog in again to continue."
            )
            self.finish("restored")
        else:
            QMessageBox.warning(self.window, APP_NAME, outcome.message)


def log_in(store: Store, practice: str, *, demo: bool) -> Actor | None:
    dlg = LoginDialog(store, practice, prompt=DEMO_PROMPT if demo else "")
    try:
        if dlg.exec() != QDialog.DialogCode.Accepted or Stop.requested:
            return None
        return dlg.actor
    finally:
        dlg.deleteLater()


def session_loop(
    store: Store,
    paths: Paths,
    *,
    demo: bool = False,
    actor: Actor | None = None,
) -> int:
    """Log in, work, log out (or restore), again; returns when someone quits."""
    try:
        while True:
            practice = practice_name(store)
            if actor is None:
                actor = log_in(store, practice, demo=demo)
                if actor is None:
                    return 0
            session = OfficeSession(store, paths, actor, practice, demo=demo)
            outcome = session.run()
            if Stop.requested:
                session.finish("quit")
            store = session.store
            actor = None
            if outcome == "quit" or Stop.requested:
                return 0
    finally:
        store.close()


# -------------------------------------------------------------- start-up


def build_demo(paths: Paths, size: int) -> Store | None:
    from app.demo import build_demo_store

    key = run_with_progress(
        None,
        f"{APP_NAME} demo",
        lambda _p: build_demo_store(paths, size),
        label=f"Building the demo office ({size} made-up patients)...",
    )
    if isinstance(key, Failed):
        return None
    return open_store(paths.store, key, backup_dir=paths.backups)


def run(args: argparse.Namespace) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    # The session decides when the program ends (a lock curtain or a closed
    # dialog must never end it).
    app.setQuitOnLastWindowClosed(False)
    Stop.requested = False
    ticker = _catch_signals()
    demo_dir: str | None = None
    if args.demo:
        demo_dir = tempfile.mkdtemp(prefix="medbill-demo-")
        paths = Paths(Path(demo_dir))
    elif args.data_dir:
        paths = Paths(args.data_dir)
    else:
        paths = default_paths()
    paths.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    shutil.rmtree(paths.temp, ignore_errors=True)
    private_temp_dir(paths)
    lock = InstanceLock(paths.store)
    try:
        lock.acquire()
    except StoreError as exc:
        QMessageBox.warning(None, APP_NAME, exc.message)
        return 1
    try:
        actor: Actor | None = None
        if args.demo:
            store = build_demo(paths, args.demo_size)
        elif not paths.store.exists():
            from app.ui.setup_wizard import run_setup

            remove_store_files(paths.store)  # a -wal/-shm left without its store
            made = run_setup(paths)
            store, actor = made if made else (None, None)
        else:
            store = open_office_store(paths)
        if store is None:
            return 0
        return session_loop(store, paths, demo=args.demo, actor=actor)
    finally:
        ticker.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        lock.release()
        shutil.rmtree(paths.temp, ignore_errors=True)
        if demo_dir:
            shutil.rmtree(demo_dir, ignore_errors=True)
