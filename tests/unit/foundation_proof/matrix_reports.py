"""Role matrix rows for the reports area: month totals, the practice
analysis, the day sheet, the month's export, and month close."""

from __future__ import annotations

from datetime import date, timedelta

from app.services import day_sheet, month_close, month_export, month_totals, practice_analysis
from app.services.auth import Permission
from tests.unit.foundation_proof.matrix import ServiceCall

ROWS: list[ServiceCall] = [
    ServiceCall(
        "month_totals.month_report",
        Permission.REPORTS,
        lambda s, a, e: month_totals.month_report(s, a, e.last_month),
    ),
    ServiceCall(
        "practice_analysis.practice_analysis",
        Permission.REPORTS,
        lambda s, a, e: practice_analysis.practice_analysis(
            s, a, date.today() - timedelta(days=90), date.today()
        ),
    ),
    ServiceCall(
        "day_sheet.day_sheet",
        (Permission.REPORTS, Permission.PAYMENT_PATIENT),
        lambda s, a, e: day_sheet.day_sheet(s, a, date.today()),
        any_of=True,
    ),
    ServiceCall(
        "month_export.export_month",
        (Permission.REPORTS, Permission.EXPORT),
        lambda s, a, e: month_export.export_month(s, a, e.last_month, "csv", e.folder),
    ),
    ServiceCall(
        "month_close.close_month",
        Permission.MONTH_CLOSE,
        lambda s, a, e: month_close.close_month(s, a, e.last_month),
    ),
    ServiceCall(
        "month_close.reopen_month",
        Permission.MONTH_CLOSE,
        lambda s, a, e: month_close.reopen_month(s, a, e.last_month, "a late EOB arrived"),
        prepare=lambda s, e: month_close.close_month(s, e.manager, e.last_month),
    ),
]
