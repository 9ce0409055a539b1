"""Front desk UI fixtures: a main window for a given user, keyboard helpers.

Showing a window on the offscreen platform logs "This plugin does not support
propagateSizeHints()"; the test modules ignore that one message
(``QT_NOISE``) and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from app.config import Paths
from app.services import payers
from app.services.payers import PayerInput
from app.ui.context import UiContext
from app.ui.frontdesk import common
from app.ui.main_window import MainWindow
from tests.ui.money.paper import paper

__all__ = ["paper"]

QT_NOISE = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Messages the screens show through ``ops`` (recorded, not shown); a
    bug report fails the test at once instead of waiting on a dialog."""
    shown: list[str] = []

    def warning(_parent: object, _title: str, text: str, *a: object) -> None:
        shown.append(text)

    def bug(_parent: object, exc: BaseException) -> None:
        raise exc

    monkeypatch.setattr("app.ui.ops.QMessageBox.warning", warning)
    monkeypatch.setattr("app.ui.ops.report_bug", bug)
    monkeypatch.setattr(common, "tell", lambda _p, _t, text: shown.append(text))
    return shown


class Questions(list[str]):
    def __init__(self) -> None:
        super().__init__()
        self.answers = [True]


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Questions:
    """Every yes/no question the screens ask; the answer is ``answers[0]``
    (default yes)."""
    questions = Questions()
    answers = questions.answers

    def ask(_parent: object, _title: str, text: str) -> bool:
        questions.append(text)
        return answers[0]

    monkeypatch.setattr(common, "ask_yes_no", ask)
    for mod in ("app.ui.frontdesk.day_list",):
        monkeypatch.setattr(f"{mod}.ask_yes_no", ask)
    return questions


@pytest.fixture
def window(qtbot, office, tmp_path: Path):  # type: ignore[no-untyped-def]
    """``window(actor)`` -> (main window, front desk page), shown and active."""

    def make(actor):  # type: ignore[no-untyped-def]
        ctx = UiContext(office.store, Paths(tmp_path / "data"), actor)
        w = MainWindow(ctx, "Maple Street Family Medicine")
        qtbot.addWidget(w)
        w.show()
        w.activateWindow()
        qtbot.waitActive(w)
        page = w.open_area("frontdesk")
        assert page is not None
        page.search.focus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is page.search.box)
        return w, page

    return make


@pytest.fixture
def two_payers(office) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with office.store.unit_of_work() as s:
        a = payers.add_payer(
            s,
            office.biller,
            PayerInput(
                name="Prairie Health Plan",
                payer_code="PHP01",
                address1="PO Box 4000",
                city="Chicago",
                state="IL",
                zip="60601",
                program="group",
                timely_filing_days=180,
            ),
        )
        b = payers.add_payer(
            s,
            office.biller,
            PayerInput(
                name="Heartland Mutual",
                payer_code="HMI22",
                address1="PO Box 812",
                city="Peoria",
                state="IL",
                zip="61602",
                program="group",
                timely_filing_days=365,
            ),
        )
    return {"prairie": a, "heartland": b}


class Keys:
    """Typing as a person does: into whatever has the focus, Tab to move on."""

    def __init__(self, qtbot) -> None:  # type: ignore[no-untyped-def]
        self.qtbot = qtbot

    def focus(self, window: QWidget) -> QWidget:
        """The widget with the keyboard focus, once ``window`` is the active one."""
        top = window.window()

        def active() -> bool:
            # When a dialog closes, a desktop's window manager gives the
            # activation back to the window below; offscreen does not.
            if QApplication.activeWindow() is None:
                top.activateWindow()
            return QApplication.activeWindow() is top

        self.qtbot.waitUntil(active)
        w = QApplication.focusWidget()
        assert w is not None, "nothing has the keyboard focus"
        return w

    def fill(self, window: QWidget, *values: tuple[str, str]) -> None:
        """For each (field name, text): check the focus is on that field,
        type the text, press Tab."""
        for name, text in values:
            w = self.focus(window)
            assert w.objectName() == name, f"focus on {w.objectName()!r}, expected {name!r}"
            if text:
                self.qtbot.keyClicks(w, text)
            self.qtbot.keyClick(w, Qt.Key.Key_Tab)

    def press(
        self,
        window: QWidget,
        key: Qt.Key,
        mod: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    ) -> None:
        self.qtbot.keyClick(self.focus(window), key, mod)


@pytest.fixture
def keys(qtbot) -> Keys:  # type: ignore[no-untyped-def]
    return Keys(qtbot)
