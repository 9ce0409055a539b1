"""Front desk work area."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.ui.context import UiContext
from app.ui.widgets import NotYetPage


def create_page(ctx: UiContext) -> QWidget:
    return NotYetPage(
        "Front desk",
        "Find and register patients, keep their insurance policies, record coverage verifications, and check in the day's appointments (with the coverage check that stops an unverified visit).",
    )
