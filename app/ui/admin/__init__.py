"""Admin work area (office manager): staff accounts, office settings and
providers, and the audit log."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTabWidget, QWidget

from app.ui.admin.audit_log import AuditLogPage
from app.ui.admin.office_settings import OfficePage
from app.ui.admin.staff import StaffPage
from app.ui.context import UiContext


class AdminPage(QTabWidget):
    """Three tabs; ``open_record`` shows a practice, provider or user."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.staff = StaffPage(ctx)
        self.office = OfficePage(ctx)
        self.audit = AuditLogPage(ctx)
        self.addTab(self.staff, "&Staff accounts")
        self.addTab(self.office, "&Office and providers")
        self.addTab(self.audit, "A&udit log")

    def showEvent(self, event: QShowEvent) -> None:
        """Shown (Ctrl+6, a click in the areas list): the keyboard goes into
        the tab's list or form, unless it is already in this area; on Staff
        accounts a row is selected, so Alt+R, Alt+D and Alt+P act at once."""
        super().showEvent(event)
        focused = self.window().focusWidget()
        if focused is not None and self.isAncestorOf(focused):
            return
        page = self.currentWidget()
        if page is self.staff:
            self.staff.take_keyboard()
        elif page is self.office:
            self.office.focus_practice()
        else:
            self.audit.table.setFocus()

    def open_record(self, kind: str, record_id: object) -> bool:
        """ "practice", "provider" (id) or "user" (id): show it ready to edit."""
        if kind == "user":
            self.setCurrentWidget(self.staff)
            return self.staff.select_user(_int(record_id))
        if kind == "practice":
            self.setCurrentWidget(self.office)
            self.office.focus_practice()
            return True
        if kind == "provider":
            self.setCurrentWidget(self.office)
            return self.office.select_provider(_int(record_id))
        return False


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1


def create_page(ctx: UiContext) -> QWidget:
    return AdminPage(ctx)
