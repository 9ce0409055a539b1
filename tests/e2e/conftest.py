"""Fixtures for the office day: no network, the office's clock, message boxes
answered without a person, a printer in the test's folder, the ICD-10-CM
search index."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from app.ui import ops
from app.ui.frontdesk import common as frontdesk_common
from tests.e2e.clock import OfficeClock
from tests.ui.foundation_proof.test_no_network import no_network
from tests.ui.money.paper import paper
from tests.unit.coding.support import icd_dir, reference_env

# Every way of opening a connection fails the test: the guard of the
# program's no-network proof.
__all__ = ["icd_dir", "no_network", "paper", "reference_env"]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> OfficeClock:
    c = OfficeClock()
    c.install(monkeypatch)
    return c


class Dialogs:
    """What the screens said in message boxes, and the questions they asked
    (answered Yes). A bug report fails the test at once."""

    def __init__(self) -> None:
        self.said: list[str] = []
        self.asked: list[str] = []

    def take(self) -> list[str]:
        """The messages shown since the last call."""
        out, self.said = self.said, []
        return out


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    d = Dialogs()

    def say(_parent: object, _title: str, text: str, *a: object, **k: object) -> object:
        d.said.append(text)
        return QMessageBox.StandardButton.Ok

    def ask(_parent: object, _title: str, text: str, *a: object, **k: object) -> object:
        d.asked.append(text)
        return QMessageBox.StandardButton.Yes

    def bug(_parent: object, exc: BaseException) -> None:
        raise exc

    def critical(_parent: object, _title: str, text: str, *a: object, **k: object) -> object:
        raise AssertionError(f"unexpected error box: {text}")

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(say))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(say))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(ask))
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(critical))
    monkeypatch.setattr(ops, "report_bug", bug)
    monkeypatch.setattr(frontdesk_common, "tell", lambda _p, _t, text: d.said.append(text))
    monkeypatch.setattr(
        frontdesk_common, "ask_yes_no", lambda _p, _t, text: bool(d.asked.append(text) or True)
    )
    monkeypatch.setattr("app.ui.frontdesk.day_list.ask_yes_no", frontdesk_common.ask_yes_no)
    return d
