"""Keyboard: in a visit's service lines Tab walks the cells a biller types
into (code, modifiers, pointers, units, charge, dates; not the description,
not the hidden drug columns) and leaves the table after the last line's last
cell for the line buttons. Before, Tab walked the cells forever."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.ui.coding.encounter_form import (
    C_CHARGE,
    C_CODE,
    C_FROM,
    C_MODS,
    C_PTRS,
    C_TO,
    C_UNITS,
)
from app.ui.coding.page import CodingPage
from tests.ui.coding.test_coding_screen import (
    _office_with_a_checked_in_visit,
    _window,
    focus,
    key,
    type_text,
)

TYPED = [C_CODE, C_MODS, C_PTRS, C_UNITS, C_CHARGE, C_FROM, C_TO]


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_tab_walks_the_typed_cells_of_the_lines_and_leaves_after_the_last(
    qtbot, office, tmp_path
) -> None:
    _office_with_a_checked_in_visit(office)
    w = _window(qtbot, office, tmp_path)
    key(qtbot, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    page = w.pages.currentWidget()
    assert isinstance(page, CodingPage)
    qtbot.waitUntil(lambda: focus() is page.worklist.table)
    key(qtbot, Qt.Key.Key_Return)
    form = page.form
    qtbot.waitUntil(lambda: page.tabs.currentWidget() is form)
    for code in ("99214", "36415"):
        key(qtbot, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        type_text(qtbot, code)
        key(qtbot, Qt.Key.Key_Return)
    lines = form.lines
    assert lines.rowCount() == 2
    lines.setCurrentCell(0, C_CODE)
    assert focus() is lines

    seen = []
    for _ in range(2 * len(TYPED) - 1):
        key(qtbot, Qt.Key.Key_Tab)
        seen.append((lines.currentRow(), lines.currentColumn()))
    assert focus() is lines
    assert seen == [(0, c) for c in TYPED[1:]] + [(1, c) for c in TYPED]
    # Shift+Tab goes back one typed cell (over the description).
    key(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert (lines.currentRow(), lines.currentColumn()) == (1, C_FROM)
    key(qtbot, Qt.Key.Key_Tab)

    # In the last cell: what is typed is kept and Tab goes on to "Add line".
    type_text(qtbot, "01/02/2026")
    key(qtbot, Qt.Key.Key_Tab)
    assert focus() is form.add_line_btn
    assert lines.item(1, C_TO).text() == "01/02/2026"
    # Shift+Tab comes back into the lines.
    key(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert focus() is lines
