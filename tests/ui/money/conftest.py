"""Payments screen fixtures: a printer in the test's folder, and no message
box may wait for a click."""

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.ui.money.paper import paper

__all__ = ["no_dialogs", "paper"]


@pytest.fixture(autouse=True)
def no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A message box would wait for a click: fail loudly instead."""

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"unexpected message box: {args[1:3]}")

    for name in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(boom))
