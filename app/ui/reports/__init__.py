"""Reports work area."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.ui.context import UiContext
from app.ui.widgets import NotYetPage


def create_page(ctx: UiContext) -> QWidget:
    return NotYetPage(
        "Reports",
        "Monthly totals with export, month close, the day sheet and practice analysis.",
    )
