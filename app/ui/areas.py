"""The work areas in the main window's navigation, in the order of the
office's day. Each area module has ``create_page(ctx) -> QWidget``."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from app.services.auth import Permission
from app.ui.context import UiContext


@dataclass(frozen=True)
class Area:
    """A work area. Its module has ``create_page(ctx)``; the page may have
    ``open_record(kind, record_id) -> bool`` to show one record."""

    key: str
    title: str
    module: str
    permission: Permission
    shortcut: str

    def create_page(self, ctx: UiContext) -> QWidget:
        mod = importlib.import_module(self.module)
        page: QWidget = mod.create_page(ctx)
        return page


AREAS: tuple[Area, ...] = (
    Area("frontdesk", "Front desk", "app.ui.frontdesk", Permission.PATIENT_VIEW, "Ctrl+1"),
    Area("coding", "Coding", "app.ui.coding", Permission.CODE_VISIT, "Ctrl+2"),
    Area("claims", "Claims", "app.ui.claims", Permission.CLAIM_WORK, "Ctrl+3"),
    Area("payments", "Payments", "app.ui.payments", Permission.PAYMENT_PATIENT, "Ctrl+4"),
    Area("reports", "Reports", "app.ui.reports", Permission.REPORTS, "Ctrl+5"),
    Area("admin", "Admin", "app.ui.admin", Permission.USERS_MANAGE, "Ctrl+6"),
)


# Which area shows which kind of record (see ``UiContext.open_record``).
RECORD_AREAS: dict[str, str] = {
    "patient": "frontdesk",
    "policy": "frontdesk",
    "payer": "frontdesk",
    "appointment": "frontdesk",
    "encounter": "coding",
    "fee_item": "coding",
    "claim": "claims",
    "payment": "payments",
    "ledger": "payments",  # a patient's ledger, by the patient's id
    "statement": "payments",
    "bill": "payments",
    "month": "reports",
    "practice": "admin",
    "provider": "admin",
    "user": "admin",
}
