"""Sitting at a desk: the main window for one person, and typing as a person
does (into whatever has the keyboard focus, Tab to move on, into a grid's
cell through its editor)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QTableWidget, QWidget

from app.config import Paths
from app.services.auth import Actor
from app.store.engine import Store
from app.ui.context import UiContext
from app.ui.main_window import MainWindow
from tests.ui.frontdesk.conftest import Keys

CTRL = Qt.KeyboardModifier.ControlModifier


class Desk(Keys):
    """One person's main window, shown and active, on the office's store.
    Typing as the front desk's keyboard tests do (``focus``, ``press``,
    ``fill``), and a few more ways."""

    def __init__(self, qtbot, store: Store, data_dir: Path, actor: Actor) -> None:  # type: ignore[no-untyped-def]
        super().__init__(qtbot)
        self.ctx = UiContext(store, Paths(data_dir), actor)
        self.window = MainWindow(self.ctx, "Maple Street Family Medicine")
        qtbot.addWidget(self.window)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.activate()

    def activate(self) -> None:
        self.window.activateWindow()
        self.qtbot.waitUntil(lambda: QApplication.activeWindow() is self.window)

    def area(self, key: str) -> QWidget:
        page = self.window.open_area(key)
        assert page is not None, f"{self.ctx.actor.role.label} has no {key} area"
        return page

    def leave(self) -> None:
        """The person is done at this desk for now."""
        self.window.close()

    # ---------------------------------------------------------------- typing

    def type(self, window: QWidget, text: str) -> None:
        self.qtbot.keyClicks(self.focus(window), text)

    def click_row(self, view, row: int) -> None:  # type: ignore[no-untyped-def]
        """A click on a table's row (which also gives the table the focus)."""
        rect = view.visualRect(view.model().index(row, 0))
        self.qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    def type_cell(self, grid: QTableWidget, row: int, col: int, text: str) -> None:
        """Type into a grid cell: the first key opens the cell's editor, the
        rest go into it, Enter commits."""
        grid.setCurrentCell(row, col)
        self.qtbot.keyClick(grid, text[0])
        editors = [e for e in grid.viewport().findChildren(QLineEdit) if e.isVisibleTo(grid)]
        assert len(editors) == 1, "typing a key should open the cell's editor"
        self.qtbot.keyClicks(editors[0], text[1:])
        self.qtbot.keyClick(editors[0], Qt.Key.Key_Return)
        # The delegate commits on the next turn of the event loop.
        self.qtbot.waitUntil(lambda: grid.item(row, col).text() == text)


def table_texts(view) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """What a table view shows, row by row."""
    m = view.model()
    return [
        [str(m.index(r, c).data() or "") for c in range(m.columnCount())]
        for r in range(m.rowCount())
    ]
