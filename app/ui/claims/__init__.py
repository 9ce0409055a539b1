"""Claims work area: the claims list, the check, printing and corrections."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.ui.context import UiContext


def create_page(ctx: UiContext) -> QWidget:
    from app.ui.claims.page import ClaimsPage

    return ClaimsPage(ctx)
