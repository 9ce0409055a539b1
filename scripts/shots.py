"""Helpers for screenshot scripts (``make screenshots`` runs every
``scripts/screenshots_*.py`` under Xvfb). A script builds the demo office in a
temp folder, opens the main window as a user of some role, drives it to a
screen and saves ``docs/screenshots/<name>.png`` with ``save``."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app.config import Paths
from app.demo import OfficeSize, build_office
from app.models.staff import User
from app.services import office
from app.services.auth import Actor, actor_for
from app.store.engine import Store, open_store
from app.store.keys import new_key
from app.ui.context import UiContext
from app.ui.main_window import MainWindow

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def app() -> QApplication:
    return QApplication.instance() or QApplication(sys.argv)  # type: ignore[return-value]


def demo_store(patients: int = 300) -> tuple[Store, Paths]:
    d = Path(tempfile.mkdtemp(prefix="medbill-shots-"))
    paths = Paths(d)
    st = open_store(paths.store, new_key(), create=True)
    with st.unit_of_work() as s:
        build_office(s, OfficeSize(patients=patients))
    return st, paths


def actor(store: Store, username: str) -> Actor:
    with store.session() as s:
        u = s.query(User).filter_by(username=username).one()
        return actor_for(u)


def main_window(store: Store, paths: Paths, username: str = "manager") -> MainWindow:
    ctx = UiContext(store, paths, actor(store, username), demo=True)
    with store.session() as s:
        name = office.practice(s).name
    w = MainWindow(ctx, name)
    w.resize(1400, 860)
    w.show()
    settle()
    return w


def settle(ms: int = 150) -> None:
    # An event loop run for ``ms``, not a processEvents() loop: PySide6 6.12's
    # static QCoreApplication.processEvents() drops a reference to None on
    # every call and a few thousand calls abort the interpreter.
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def save(widget: QWidget, name: str) -> Path:
    settle()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.png"
    widget.window().grab().save(str(path))
    print(f"saved {path}")
    return path
