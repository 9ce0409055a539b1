"""Coding work area: the worklist of visits to code, the coding screen
(CPT/HCPCS + ICD-10-CM on every line, with live checks), and the fee schedule."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.ui.context import UiContext


def create_page(ctx: UiContext) -> QWidget:
    from app.ui.coding.page import CodingPage

    return CodingPage(ctx)
