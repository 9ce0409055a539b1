"""The Reports work area: the month's totals (review, export, close), the
day sheet and the practice analysis."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.ui.context import UiContext
from app.ui.reports.analysis_view import AnalysisView
from app.ui.reports.day_sheet_view import DaySheetView
from app.ui.reports.month_view import MonthView

REFRESH_TOPICS = {"ledger", "payments", "claims", "payables", "encounters"}


class ReportsPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.month = MonthView(ctx)
        self.day_sheet = DaySheetView(ctx)
        self.analysis = AnalysisView(ctx)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("reportTabs")
        self.tabs.addTab(self.month, "&Monthly totals")
        self.tabs.addTab(self.day_sheet, "&Day sheet")
        self.tabs.addTab(self.analysis, "Practice &analysis")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.tabs)
        ctx.changed.connect(self._changed)

    def _changed(self, topic: str) -> None:
        if topic in REFRESH_TOPICS and self.isVisible():
            self.month.refresh()

    def open_record(self, kind: str, record_id: object) -> bool:
        """Show a month ("YYYY-MM") in the monthly totals."""
        if kind != "month" or not isinstance(record_id, str):
            return False
        self.tabs.setCurrentWidget(self.month)
        return self.month.show_month(record_id)
