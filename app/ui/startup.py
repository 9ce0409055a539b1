"""The program's life: find the key and open the store (or run the set-up
wizard on first start), log in, run the main window with its idle lock, log
out, and start again after a restore.

Key lookup order: the OS keyring (secure backends only) -> the office
passphrase, when a key file is next to the store -> the recovery key, which
opens the store and then puts a new key in place (``PRAGMA rekey``) with a
new recovery key the person prints and types back.

The first window shows as soon as Qt is up: the log-in window (or, with a
key file next to the store, the office passphrase window) is built from Qt
alone, and the keyring lookup, SQLAlchemy, the office tables, the services
and opening and checking the store happen behind it in a worker thread
(``StoreOpener``). "Log in" is enabled when the store is open; when the
keyring has no key that opens it, the key windows take the log-in window's
place, exactly as they would have come first. So this module imports only
Qt and the first windows at the top; the rest where it is used.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from app import APP_NAME
from app.config import Paths, default_paths, private_temp_dir
from app.errors import StoreError, UserFacingError
from app.store.lock import InstanceLock
from app.ui.login import DEMO_PROMPT, LoginDialog

if TYPE_CHECKING:
    from app.services.auth import Actor
    from app.store.engine import Store
    from app.ui.recovery import PassphraseDialog

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
    from app.services import office

    with store.read_session() as s:
        return office.practice(s).name if office.is_set_up(s) else ""


# ------------------------------------------------------------ the store key


@dataclass
class Opening:
    """What start-up finds before any key window: the store opened with the
    keyring's key, or what stands in the way (and what failed, for the audit
    row written once some key opens the store)."""

    store: Store | None = None
    practice: str = ""
    passphrase: bool = False  # no keyring key; the office passphrase's key file is there
    problem: str = ""  # no key opens it: what the KeyProblemDialog says
    damaged: bool = False  # the key is right, a page is not: only a backup helps
    error: str = ""  # any other store error: shown, then the program ends
    failed: dict[str, Any] = field(default_factory=dict)


def find_key_and_open(paths: Paths) -> Opening:
    """The part of finding the key that needs no person: the keyring, then
    opening and checking the store with its key. Runs in a worker thread
    behind the first window (``StoreOpener``); the store it returns has no
    connection open (SQLite connections belong to the thread that made
    them: the GUI thread makes its own)."""
    from app.store.engine import DAMAGED_MESSAGE, WRONG_KEY_MESSAGE, open_store
    from app.store.keys import load_key_from_keyring, secure_keyring_available
    from app.ui.recovery import KEYRING_ENTRY_MISSING, KEYRING_KEY_DOES_NOT_OPEN, NO_SECURE_KEYRING

    key = load_key_from_keyring(paths.store)
    if key is None:
        if paths.key_file.exists():
            return Opening(passphrase=True)
        secure = secure_keyring_available()
        return Opening(
            problem=KEYRING_ENTRY_MISSING if secure else NO_SECURE_KEYRING,
            failed={"keyring_key": "missing" if secure else "no secure keyring"},
        )
    try:
        store = open_store(paths.store, key, backup_dir=paths.backups)
    except StoreError as exc:
        if exc.message == DAMAGED_MESSAGE:
            return Opening(damaged=True)
        if exc.message != WRONG_KEY_MESSAGE:
            return Opening(error=exc.message)
        return Opening(
            problem=KEYRING_KEY_DOES_NOT_OPEN, failed={"keyring_key": "does not open the store"}
        )
    from app.services import maintenance

    try:
        maintenance.record_event(store, "store_opened", details={"key": "keyring"})
        practice = practice_name(store)
    except BaseException:
        store.close()
        raise
    store.engine.dispose()  # this thread's connections; the pool opens new ones on use
    return Opening(store=store, practice=practice)


def open_with_dialogs(paths: Paths, found: Opening, parent: QWidget | None = None) -> Store | None:
    """Carry on from what ``find_key_and_open`` found: the office passphrase,
    the recovery key, a backup, or a message; None when the person gives up.

    Every way in is audited once the store is open ("store_opened" with how,
    and what failed before: a keyring key that did not open it, wrong
    office passphrases, the recovery key and the new key)."""
    from app.ui.recovery import RESTORE_BACKUP, KeyProblemDialog, PassphraseDialog

    if found.store is not None:
        return found.store
    if found.damaged:
        return offer_restore(paths, parent, {"store": "damaged"})
    if found.error:
        QMessageBox.critical(parent, APP_NAME, found.error)
        return None
    if found.passphrase:
        dlg = PassphraseDialog(paths, parent)
        return after_passphrase(paths, dlg, dlg.exec(), parent)
    box = KeyProblemDialog(found.problem, parent)
    result = box.exec()
    if result == RESTORE_BACKUP:
        return restore_at_startup(paths, parent, dict(found.failed))
    if result != QDialog.DialogCode.Accepted:
        return None
    return recover(paths, parent, dict(found.failed))


def after_passphrase(
    paths: Paths, dlg: PassphraseDialog, result: int, parent: QWidget | None
) -> Store | None:
    """What the office passphrase window ended with: the store (audited with
    the wrong passphrases typed first), a damaged store, or the recovery key."""
    from app.services import maintenance
    from app.ui.recovery import STORE_DAMAGED, PassphraseDialog

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
    return recover(paths, parent, {"wrong_passphrases": dlg.failures} if dlg.failures else {})


def open_office_store(paths: Paths, parent: QWidget | None = None) -> Store | None:
    """Find the key and open this computer's store, all on this thread; None
    when the person gives up. (At start-up ``open_at_start`` does the same
    with the first window already showing.)"""
    return open_with_dialogs(paths, find_key_and_open(paths), parent)


class StoreOpener(QObject):
    """Runs ``find_key_and_open`` in a worker thread; ``found`` carries the
    ``Opening`` to the GUI thread (None when it failed: ``result()``
    raises its error there)."""

    found = Signal(object)
    _finished = Signal()  # emitted by the worker; delivered in the GUI thread

    def __init__(self, paths: Paths) -> None:
        super().__init__()
        self.paths = paths
        self._thread: threading.Thread | None = None
        self._opening: Opening | None = None
        self._error: BaseException | None = None
        self._finished.connect(self._deliver)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._work, name="medbill-open-store", daemon=True
            )
            self._thread.start()

    def _work(self) -> None:
        try:
            self._opening = find_key_and_open(self.paths)
        except BaseException as exc:
            self._error = exc
        self._finished.emit()
        if self._opening is not None and self._opening.passphrase:
            # While the office passphrase is typed: what opening the store needs next.
            from app.services import maintenance, office  # noqa: F401

    @Slot()
    def _deliver(self) -> None:
        self.found.emit(self._opening)

    def result(self) -> Opening:
        """Wait for the worker (it is done once ``found`` came); its error is
        raised here, in the GUI thread, as it was before there was a worker."""
        self.start()
        assert self._thread is not None
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._opening is not None
        return self._opening


TAKEN_OVER = 5  # a first window's result: what the worker found decides what comes next


def open_at_start(paths: Paths) -> tuple[Store | None, Actor | None]:
    """Show the first window at once and open the store behind it: the store
    and the person who logged in (no one yet when a key window came in
    between), or (None, None) when the person gave up."""
    opener = StoreOpener(paths)
    if paths.key_file.exists():
        return _passphrase_first(paths, opener), None
    return _log_in_first(paths, opener)


def _first_window(
    dlg: QDialog, opener: StoreOpener, found: Callable[[Opening | None], None]
) -> tuple[int, Opening]:
    opener.found.connect(found)
    QTimer.singleShot(0, opener.start)  # runs once exec() has shown the window
    try:
        result = dlg.exec()
    finally:
        opener.found.disconnect(found)  # quit early: the news must not reach a closed window
    return result, opener.result()


def _log_in_first(paths: Paths, opener: StoreOpener) -> tuple[Store | None, Actor | None]:
    dlg = LoginDialog(None)

    def found(opening: Opening | None) -> None:
        if opening is not None and opening.store is not None:
            dlg.set_store(opening.store, opening.practice)
        else:  # a key window, a message or a bug takes the window's place
            dlg.done(TAKEN_OVER)

    try:
        result, opening = _first_window(dlg, opener, found)
        actor = dlg.actor
    finally:
        dlg.deleteLater()
    if Stop.requested or result not in (QDialog.DialogCode.Accepted, TAKEN_OVER):
        if opening.store is not None:  # quit while (or after) it opened
            opening.store.close()
        return None, None
    if result == TAKEN_OVER:
        return open_with_dialogs(paths, opening), None
    return opening.store, actor


def _passphrase_first(paths: Paths, opener: StoreOpener) -> Store | None:
    from app.ui.recovery import PassphraseDialog

    dlg = PassphraseDialog(paths)
    dlg.wait()

    def found(opening: Opening | None) -> None:
        if opening is not None and opening.passphrase:
            dlg.ready()
        else:  # the keyring's key (or what is wrong with it) comes first, as it did
            dlg.done(TAKEN_OVER)

    result, opening = _first_window(dlg, opener, found)
    if result == TAKEN_OVER and not Stop.requested:
        return open_with_dialogs(paths, opening)
    if opening.store is not None:  # quit before the keyring's key had opened it
        opening.store.close()
    if Stop.requested:
        if dlg.store is not None:
            dlg.store.close()
        return None
    return after_passphrase(paths, dlg, result, None)


def offer_restore(paths: Paths, parent: QWidget | None, failed: dict[str, Any]) -> Store | None:
    """The store is damaged (a page fails its integrity check): say so and
    offer a backup; no key can help."""
    from app.store.engine import DAMAGED_MESSAGE
    from app.ui.recovery import RESTORE_BACKUP, KeyProblemDialog

    box = KeyProblemDialog(DAMAGED_MESSAGE, parent, offer_recovery=False)
    if box.exec() != RESTORE_BACKUP:
        return None
    return restore_at_startup(paths, parent, failed)


def recover(paths: Paths, parent: QWidget | None, failed: dict[str, Any]) -> Store | None:
    """Open the store with the recovery key, then put a new key in place
    where the office keeps keys and show the new recovery key."""
    from app.services import maintenance
    from app.store.keys import new_key, recovery_code
    from app.ui.recovery import RESTORE_BACKUP, NewKeyDialog, RecoveryDialog

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
    from app.services import maintenance
    from app.store.engine import open_store
    from app.store.keys import new_key, recovery_code
    from app.ui.background import run_with_progress
    from app.ui.backup import RestoreDialog
    from app.ui.forms import ask
    from app.ui.ops import Failed
    from app.ui.recovery import NewKeyDialog

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
        from app.ui.context import UiContext
        from app.ui.lock import LockManager
        from app.ui.main_window import MainWindow

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
        # The log-in window had the keyboard; hand it to the main window so
        # the person can type at once (some desktops give focus to nobody).
        self.window.raise_()
        self.window.activateWindow()
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
            from app.services import auth

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


def set_up(paths: Paths) -> tuple[Store | None, Actor | None]:
    """First start: the set-up wizard, shown at once; what its pages need
    next (the services that check each page, the keyring for step 4) is
    imported behind its first page."""
    from app.ui.setup_wizard import run_setup

    if any(Path(f"{paths.store}{end}").exists() for end in ("-wal", "-shm", "-journal")):
        from app.store.engine import remove_store_files

        remove_store_files(paths.store)  # a -wal/-shm left without its store

    def preload() -> None:
        try:
            from app.services import maintenance, office  # noqa: F401
            from app.store.keys import secure_keyring_available

            secure_keyring_available()  # finds the keyring's backend once
        except Exception:  # the page that needs it reports it
            log.exception("preloading for the set-up wizard failed")

    worker = threading.Thread(target=preload, name="medbill-preload", daemon=True)
    later = QTimer()
    later.setSingleShot(True)
    later.timeout.connect(worker.start)
    later.start(0)  # fires once exec() has shown the wizard
    try:
        made = run_setup(paths)
    finally:
        later.stop()
        if worker.ident is not None:
            worker.join()
    return made if made else (None, None)


def build_demo(paths: Paths, size: int) -> Store | None:
    from app.demo import build_demo_store
    from app.store.engine import open_store
    from app.ui.background import run_with_progress
    from app.ui.ops import Failed

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
            store, actor = set_up(paths)
        else:
            store, actor = open_at_start(paths)
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
