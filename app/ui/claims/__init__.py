"""Claims work area."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.ui.context import UiContext
from app.ui.widgets import NotYetPage


def create_page(ctx: UiContext) -> QWidget:
    return NotYetPage(
        "Claims",
        "Build and check claims, and print CMS-1500 forms on red forms or plain paper.",
    )
