"""medbill --demo: a throwaway encrypted office, key in memory, gone on exit."""

from __future__ import annotations

import tempfile

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton

from app.__main__ import parse_args
from app.ui.login import LoginDialog
from app.ui.main_window import MainWindow
from app.ui.startup import run
from tests.ui.foundation.modals import Modals


@pytest.fixture
def app_quits_itself():
    yield
    QApplication.instance().setQuitOnLastWindowClosed(True)


def test_demo_office_opens_and_leaves_nothing_behind(
    qtbot, tmp_path, modals: Modals, monkeypatch, memory_keyring, data_dir, app_quits_itself
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen = {}

    def log_in(d: LoginDialog) -> None:
        seen["prompt"] = d.prompt.text()
        d.findChild(QLineEdit, "username").insert("biller")
        d.findChild(QLineEdit, "password").insert("demo-password")
        d.findChild(QPushButton, "loginButton").click()

    def look(w: MainWindow) -> None:
        seen["demo"] = w.findChild(QLabel, "demoLabel").text()
        seen["user"] = w.user_label.text()
        seen["about"] = w.about_text()
        seen["folder"] = w.ctx.paths.data_dir
        seen["patients"] = w.ctx.store.table_counts()["patient"]
        seen["files"] = sorted(p.name for p in w.ctx.paths.data_dir.iterdir())
        w.act_quit.trigger()

    modals.expect(LoginDialog, log_in)
    modals.expect_window(MainWindow, look)
    assert run(parse_args(["--demo", "--demo-size", "25"])) == 0
    modals.check()
    assert "manager" in seen["prompt"] and "demo-password" in seen["prompt"]
    assert "Demo office" in seen["demo"]
    assert "(biller) - Biller" in seen["user"]
    assert "throwaway demo store" in seen["about"]
    assert seen["patients"] == 25
    assert "office.medbill" in seen["files"] and "office.medbill.key" not in seen["files"]
    assert str(seen["folder"]).startswith(str(tmp_path))
    assert not seen["folder"].exists()  # removed on exit
    assert memory_keyring.items == {}  # the key never left memory
    assert not data_dir.exists()  # the real office folder was not touched


def test_a_shutdown_signal_ends_the_demo_cleanly(
    qtbot, tmp_path, modals: Modals, monkeypatch, app_quits_itself
) -> None:
    import os
    import signal

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen = {}

    def log_in(d: LoginDialog) -> None:
        d.findChild(QLineEdit, "username").insert("manager")
        d.findChild(QLineEdit, "password").insert("demo-password")
        d.findChild(QPushButton, "loginButton").click()

    def shut_down(w: MainWindow) -> None:
        seen["folder"] = w.ctx.paths.data_dir
        os.kill(os.getpid(), signal.SIGTERM)

    modals.expect(LoginDialog, log_in)
    modals.expect_window(MainWindow, shut_down)
    try:
        assert run(parse_args(["--demo", "--demo-size", "10"])) == 0
    finally:
        # QCoreApplication.exit() leaves "quit now" set until an exec() of the
        # application itself ends; the program ends there, the test run does not.
        from PySide6.QtCore import QTimer

        app = QApplication.instance()
        QTimer.singleShot(0, app.quit)
        app.exec()
    modals.check()
    assert not seen["folder"].exists()
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
