"""Saving the month's totals as files: PDF, CSV (one file per table) or XLSX.

Each export is a saved, audited action. Files are named for the practice and
the month, never for a patient. They are written beside their final names
first and put in place only when all of them are complete, so a cancelled or
failed export leaves nothing half-written behind.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app.errors import Problem, UserFacingError, ValidationError
from app.reports import exports
from app.reports.month_report import render_month_pdf
from app.services import audit
from app.services.auth import Actor, Permission, require
from app.services.month_close import review_month

FORMATS = ("pdf", "csv", "xlsx")


class ExportCancelled(UserFacingError):
    def __init__(self) -> None:
        super().__init__("The export was cancelled; no file was saved.")


@dataclass(frozen=True)
class ExportResult:
    month: str
    format: str
    files: tuple[Path, ...]


def file_names(practice: str, month: str, fmt: str) -> list[str]:
    """The names an export of ``fmt`` writes (practice and month, no patient)."""
    stem = exports.file_stem(practice, month)
    if fmt == "csv":
        return [
            f"{exports.file_stem(practice, month, 'monthly-' + name)}.csv"
            for name in MONTH_TABLE_NAMES
        ]
    return [f"{stem}.{fmt}"]


MONTH_TABLE_NAMES = ("totals", "by-provider", "by-payer", "by-procedure", "twelve-months")


def export_month(
    s: Session,
    actor: Actor,
    month: str,
    fmt: str,
    folder: Path,
    *,
    cancelled: Callable[[], bool] = lambda: False,
) -> ExportResult:
    """Write the month's totals as ``fmt`` ("pdf", "csv" or "xlsx") into
    ``folder`` and record the export in the audit log. Existing files of the
    same name (an earlier export of the month) are replaced."""
    require(actor, Permission.REPORTS)
    require(actor, Permission.EXPORT)
    problems = []
    if fmt not in FORMATS:
        problems.append(Problem("format", "Choose PDF, CSV or XLSX"))
    folder = Path(folder)
    if not folder.is_dir():
        problems.append(Problem("folder", f"There is no folder {folder}"))
    elif not os.access(folder, os.W_OK):
        problems.append(Problem("folder", f"MedBill Desk may not write in {folder}"))
    if problems:
        raise ValidationError(problems)

    review = review_month(s, actor, month)
    r = review.report
    names = file_names(r.practice, r.month, fmt)
    finals = [folder / n for n in names]
    parts = [folder / f".{n}.part" for n in names]
    try:
        if fmt == "pdf":
            render_month_pdf(r, parts[0], status=review.state.summary)
        else:
            tables = exports.month_tables(r)
            if fmt == "xlsx":
                exports.write_xlsx(
                    tables, parts[0], title=f"{r.practice} - monthly totals {r.label}"
                )
            else:
                for table, part in zip(tables, parts, strict=True):
                    if cancelled():
                        raise ExportCancelled()
                    exports.write_csv(table, part)
        if cancelled():
            raise ExportCancelled()
        for part, final in zip(parts, finals, strict=True):
            os.replace(part, final)
    except BaseException:
        for p in parts:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
        raise
    audit.record(
        s,
        actor,
        "report_exported",
        entity="month",
        entity_id=r.month,
        details={"report": "monthly totals", "format": fmt, "files": names},
    )
    return ExportResult(r.month, fmt, tuple(finals))
