"""The program's life: open the store, log in, run the main window, log out."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME
from app.config import Paths, default_paths, private_temp_dir
from app.errors import StoreError
from app.services import auth, office
from app.store.engine import Store, open_store
from app.store.keys import load_key_from_keyring
from app.store.lock import InstanceLock
from app.ui.context import UiContext
from app.ui.login import LoginDialog
from app.ui.main_window import MainWindow


def _practice_name(store: Store) -> str:
    with store.read_session() as s:
        p = office.practice(s) if office.is_set_up(s) else None
        return p.name if p else ""


def open_office_store(paths: Paths) -> Store | None:
    """Find the key and open this computer's store; None when the person gives up."""
    key = load_key_from_keyring(paths.store)
    if key is None:
        QMessageBox.critical(
            None,
            APP_NAME,
            "The key of the office store is not in this computer's keyring. "
            "Use your printed recovery key, or restore a backup.",
        )
        return None
    try:
        return open_store(paths.store, key, backup_dir=paths.backups)
    except StoreError as exc:
        QMessageBox.critical(None, APP_NAME, exc.message)
        return None


def run(args: argparse.Namespace) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
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
        if args.demo:
            from app.demo import open_demo_store

            store = open_demo_store(paths, size=args.demo_size)
        elif not paths.store.exists():
            from app.ui.setup_wizard import run_setup

            store = run_setup(paths)
        else:
            store = open_office_store(paths)
        if store is None:
            return 1
        return _session_loop(app, store, paths, demo=args.demo)
    finally:
        lock.release()
        shutil.rmtree(paths.temp, ignore_errors=True)
        if demo_dir:
            shutil.rmtree(demo_dir, ignore_errors=True)


def _session_loop(app: QApplication, store: Store, paths: Paths, *, demo: bool) -> int:
    practice = _practice_name(store)
    try:
        while True:
            dlg = LoginDialog(
                store,
                practice,
                prompt="Demo office: log in as 'manager' with the password 'demo-password'."
                if demo
                else "",
            )
            if dlg.exec() != LoginDialog.DialogCode.Accepted or dlg.actor is None:
                return 0
            ctx = UiContext(store, paths, dlg.actor, demo=demo)
            window = MainWindow(ctx, practice)
            logged_out = {"value": False}

            def do_logout(w: MainWindow = window, flag: dict[str, bool] = logged_out) -> None:
                flag["value"] = True
                w.close()

            window.logout_requested.connect(do_logout)
            window.show()
            app.exec()
            with store.session() as s, s.begin():
                auth.logout(s, ctx.actor)
            if not logged_out["value"]:
                return 0
    finally:
        store.close()
        os.environ.pop("MEDBILL_DEMO", None)
