"""Reports work area: monthly totals with export and month close, the day
sheet, and practice analysis."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.ui.context import UiContext


def create_page(ctx: UiContext) -> QWidget:
    from app.ui.reports.page import ReportsPage

    return ReportsPage(ctx)
