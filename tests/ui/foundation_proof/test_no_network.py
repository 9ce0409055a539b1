"""No network: the program's real windows run a demo office with every way of
opening a connection replaced by a function that fails the test.

``FLOWS`` is a table: as work areas land, add a row that drives their flow
(register a patient, code a visit, print a claim, post a payment ...).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.config import Paths
from app.demo import DEMO_PASSWORD, OfficeSize, build_office
from app.services import office as office_service
from app.store.backup import make_backup, open_backup_counts
from app.store.engine import Store, key_pragma, open_store
from app.store.keys import new_key
from app.ui.areas import AREAS
from app.ui.context import UiContext
from app.ui.login import LoginDialog
from app.ui.main_window import MainWindow


@dataclass
class NetworkGuard:
    attempts: list[str] = field(default_factory=list)

    def trap(self, name: str) -> Callable[..., object]:
        def refuse(*args: object, **kwargs: object) -> object:
            self.attempts.append(f"{name}{args!r}")
            pytest.fail(f"MedBill Desk tried to use the network: {name}{args!r}")

        return refuse


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> NetworkGuard:
    guard = NetworkGuard()
    for name in ("socket", "create_connection", "getaddrinfo", "gethostbyname", "socketpair"):
        monkeypatch.setattr(socket, name, guard.trap(f"socket.{name}"))
    return guard


@pytest.fixture
def demo_store(tmp_path: Path) -> Store:
    st = open_store(tmp_path / "demo.medbill", new_key(), create=True)
    with st.unit_of_work() as s:
        build_office(s, OfficeSize(patients=60, years=1, visits_per_year=400))
    yield st
    st.close()


def _log_in(qtbot, store: Store, username: str, password: str) -> LoginDialog:
    with store.read_session() as s:
        practice = office_service.practice(s).name
    dlg = LoginDialog(store, practice)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    qtbot.keyClicks(dlg.findChild(QWidget, "username"), username)
    qtbot.keyClick(dlg.findChild(QWidget, "username"), Qt.Key.Key_Tab)
    qtbot.keyClicks(dlg.findChild(QWidget, "password"), password)
    qtbot.keyClick(dlg.findChild(QWidget, "password"), Qt.Key.Key_Return)
    return dlg


def _open_every_area(qtbot, window: MainWindow, ctx: UiContext) -> None:
    for area in AREAS:
        page = window.open_area(area.key)
        assert page is not None, area.key
        assert window.current_area_key() == area.key
        assert page.isVisible()
        qtbot.wait(1)


def _back_up(qtbot, window: MainWindow, ctx: UiContext) -> None:
    dest = ctx.paths.backups / "nightly.medbill-backup"
    result = make_backup(ctx.store.engine, dest, store_key=ctx.store.key)
    assert result.counts["patient"] == 60
    assert open_backup_counts(dest, key_pragma(ctx.store.key)) == result.counts


def _month_review_and_export(qtbot, window: MainWindow, ctx: UiContext) -> None:
    page = window.open_area("reports")
    mv = page.month
    with qtbot.waitSignal(mv.reviewed, timeout=30000):
        qtbot.mouseClick(mv.review_button, Qt.MouseButton.LeftButton)
    assert "balances to the cent" in mv.check.text()
    out = ctx.paths.data_dir / "exports"
    out.mkdir(parents=True)
    mv.ask_folder = lambda: str(out)
    with qtbot.waitSignal(mv.exported, timeout=30000) as sig:
        qtbot.mouseClick(mv.csv_button, Qt.MouseButton.LeftButton)
    assert sig.args[0].files and all(f.exists() for f in sig.args[0].files)
    page.tabs.setCurrentWidget(page.day_sheet)
    with qtbot.waitSignal(page.day_sheet.shown, timeout=30000):
        qtbot.mouseClick(page.day_sheet.show_button, Qt.MouseButton.LeftButton)


FLOWS: list[tuple[str, Callable[..., None]]] = [
    ("open every work area", _open_every_area),
    ("back up the store", _back_up),
    ("review last month, save it as CSV, show the day sheet", _month_review_and_export),
]


# The offscreen platform says this when a window is shown; it is not ours.
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_a_demo_office_day_uses_no_network(qtbot, no_network, demo_store, tmp_path) -> None:
    # A wrong password first: the refusal shows in the window.
    dlg = _log_in(qtbot, demo_store, "manager", "not the password")
    assert dlg.actor is None
    assert dlg.findChild(QWidget, "message").text() == "The user name or password is not correct."
    dlg.close()

    dlg = _log_in(qtbot, demo_store, "manager", DEMO_PASSWORD)
    assert dlg.actor is not None and dlg.actor.username == "manager"
    ctx = UiContext(demo_store, Paths(tmp_path / "data"), dlg.actor, demo=True)
    window = MainWindow(ctx, "Maple Street Family Medicine")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert "Office manager" in window.user_label.text()
    for name, flow in FLOWS:
        flow(qtbot, window, ctx)
        assert no_network.attempts == [], name
    window.close()
    assert no_network.attempts == []


def test_the_guard_catches_a_connection(no_network) -> None:
    # The control: the same guard fails a test that opens a socket.
    with pytest.raises(pytest.fail.Exception, match="tried to use the network"):
        socket.create_connection(("127.0.0.1", 9))
    with pytest.raises(pytest.fail.Exception):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    assert len(no_network.attempts) == 2
    no_network.attempts.clear()
