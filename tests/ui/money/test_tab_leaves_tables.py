"""Keyboard: Tab leaves the tables of the Payments, Reports and Admin areas
(arrows move in them) instead of walking their cells forever; in the grids
typed into (the EOB lines, a payment's lines) Tab walks the cells that take
an amount and leaves after the last one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableView

from app.config import Paths
from app.ui.context import UiContext
from app.ui.main_window import MainWindow
from app.ui.payments.common import EntryGrid
from app.ui.payments.eob import C_ALLOWED, C_RARC
from tests.ui.money.test_eob_checks import _eob_with_claim


@pytest.mark.qt_log_ignore("propagateSizeHints")
@pytest.mark.parametrize("area", ["payments", "reports", "admin"])
def test_tab_leaves_every_list_of_the_area(qtbot, office, tmp_path, area) -> None:
    w = MainWindow(UiContext(office.store, Paths(tmp_path), office.manager), "Maple Street")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    page = w.open_area(area)
    tables = [t for t in page.findChildren(QTableView) if not isinstance(t, EntryGrid)]
    assert len(tables) >= 3
    for t in tables:
        assert not t.tabKeyNavigation(), t.objectName()
    # As the user meets it: in the first visible list, Tab goes on.
    shown = next(t for t in tables if t.isVisible())
    shown.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is shown, timeout=2000)
    qtbot.keyClick(shown, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not shown


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_tab_walks_the_eob_amounts_and_leaves_after_the_last(qtbot, office, tmp_path) -> None:
    eob = _eob_with_claim(qtbot, office, tmp_path)
    win = eob.window()
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    grid = eob.grid
    grid.setFocus()
    grid.setCurrentCell(0, C_ALLOWED)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is grid, timeout=2000)
    seen = []
    for _ in range(C_RARC - C_ALLOWED):
        qtbot.keyClick(grid, Qt.Key.Key_Tab)
        seen.append(grid.currentColumn())
    assert seen == list(range(C_ALLOWED + 1, C_RARC + 1))  # the typed-in columns only
    assert QApplication.focusWidget() is grid
    qtbot.keyClick(grid, Qt.Key.Key_Tab)  # past the last: out of the grid
    assert QApplication.focusWidget() is not grid
    assert not grid.isAncestorOf(QApplication.focusWidget())
