"""Coding work area."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.ui.context import UiContext
from app.ui.widgets import NotYetPage


def create_page(ctx: UiContext) -> QWidget:
    return NotYetPage(
        "Coding",
        "Code each visit with CPT/HCPCS and ICD-10-CM, with the checks that every line carries a code and a diagnosis pointer.",
    )
