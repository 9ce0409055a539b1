"""Front desk work area: patients, insurance, verification, the day's
check-in list, payers."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.ui.context import UiContext


def create_page(ctx: UiContext) -> QWidget:
    from app.ui.frontdesk.page import FrontDeskPage

    return FrontDeskPage(ctx)
