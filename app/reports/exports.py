"""Exports of the office reports as tidy tables: CSV (one file per table) and
XLSX (one sheet per table, numbers stored as numbers with a number format).

A ``Table`` is what both writers take: a name (used in file and sheet
names), a title, typed columns and plain rows. Money is ``Decimal``, counts are
``int``; nothing is turned into text before the writer decides how to store it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.services.month_totals import MonthReport

MONEY_FORMAT = '"$"#,##0.00;-"$"#,##0.00'
COUNT_FORMAT = "#,##0"
NUMBER_FORMAT = "#,##0.0"
DATE_FORMAT = "mm/dd/yyyy"


@dataclass(frozen=True)
class Column:
    header: str
    # text | money | count | number (one decimal) | date | figure (money or
    # count, by the value: the totals table mixes both)
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    name: str  # short, for file and sheet names: "totals", "by-provider"
    title: str  # the sheet's name: "Totals", "By provider"
    columns: tuple[Column, ...]
    rows: tuple[tuple[object, ...], ...]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


def slug(text: str) -> str:
    """``"Maple Street Family Medicine"`` -> ``"maple-street-family-medicine"``."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:60] or "practice"


def file_stem(practice: str, month: str, what: str = "monthly-totals") -> str:
    """The practice and the month (never a patient): ``maple-street_2025-05_monthly-totals``."""
    return f"{slug(practice)}_{month}_{what}"


# ------------------------------------------------------------------ month


def month_tables(r: MonthReport) -> list[Table]:
    """The month report as tidy tables: totals (with the previous month and the
    same month last year), by provider, by payer, by procedure code, and the
    12-month series."""
    m = r.month
    totals = Table(
        "totals",
        "Totals",
        (
            Column("Month"),
            Column("Figure"),
            Column("This month", "figure"),
            Column("Previous month", "figure"),
            Column("Change from previous month", "figure"),
            Column("Same month last year", "figure"),
            Column("Change from same month last year", "figure"),
        ),
        tuple(
            (
                m,
                f.label,
                f.value,
                f.previous,
                f.change_from_previous,
                f.last_year,
                f.change_from_last_year,
            )
            for f in r.figures
        ),
    )
    money = "money"
    providers = Table(
        "by-provider",
        "By provider",
        (
            Column("Month"),
            Column("Provider"),
            Column("Visits", "count"),
            Column("Charges", money),
            Column("Payments", money),
            Column("Adjustments", money),
            Column("Refunds", money),
            Column("Net collections", money),
        ),
        tuple(
            (
                m,
                p.provider,
                p.visits,
                p.charges,
                p.payments,
                p.adjustments,
                p.refunds,
                p.net_collections,
            )
            for p in r.by_provider
        ),
    )
    payers = Table(
        "by-payer",
        "By payer",
        (
            Column("Month"),
            Column("Payer"),
            Column("Charges", money),
            Column("Payments", money),
            Column("Adjustments", money),
            Column("Transfers", money),
            Column("Refunds", money),
            Column("Net collections", money),
        ),
        tuple(
            (
                m,
                p.payer,
                p.charges,
                p.payments,
                p.adjustments,
                p.transfers,
                p.refunds,
                p.net_collections,
            )
            for p in r.by_payer
        ),
    )
    procedures = Table(
        "by-procedure",
        "By procedure",
        (
            Column("Month"),
            Column("Code"),
            Column("Description"),
            Column("Units", "count"),
            Column("Charges", money),
            Column("Payments", money),
            Column("Units paid", "count"),
            Column("Average paid per unit", money),
        ),
        tuple(
            (
                m,
                p.code,
                p.description,
                p.units,
                p.charges,
                p.payments,
                p.paid_units,
                p.average_paid_per_unit,
            )
            for p in r.by_procedure
        ),
    )
    months = Table(
        "twelve-months",
        "12 months",
        (
            Column("Month"),
            Column("Charges", money),
            Column("Net collections", money),
            Column("Expenses paid", money),
            Column("Net", money),
        ),
        tuple((t.month, t.charges, t.net_collections, t.expenses_total, t.net) for t in r.series),
    )
    return [totals, providers, payers, procedures, months]


# ------------------------------------------------------------------ CSV


def _csv_value(v: object) -> object:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, date):
        return v.isoformat()
    return v


def csv_text(t: Table) -> str:
    """The table as CSV text: a header row, then one row per record; amounts
    as plain numbers (``1234.50``, ``-12.00``), no currency signs or commas."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(t.headers)
    for row in t.rows:
        w.writerow([_csv_value(v) for v in row])
    return buf.getvalue()


def write_csv(t: Table, path: Path) -> None:
    path.write_text(csv_text(t), encoding="utf-8", newline="")


# ------------------------------------------------------------------ XLSX


def _xlsx_format(kind: str, v: object) -> str | None:
    if kind == "figure":
        kind = "count" if isinstance(v, int) else "money"
    return {
        "money": MONEY_FORMAT,
        "count": COUNT_FORMAT,
        "number": NUMBER_FORMAT,
        "date": DATE_FORMAT,
    }.get(kind)


def write_xlsx(tables: Sequence[Table], path: Path, *, title: str = "") -> None:
    """One sheet per table: a bold header row (frozen), then the rows. Money
    and counts are numbers with a number format, never text."""
    wb = Workbook()
    first = wb.active
    if first is not None:
        wb.remove(first)
    wb.properties.title = title
    wb.properties.creator = "MedBill Desk"
    head_font = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE6F0")
    for t in tables:
        ws = wb.create_sheet(t.title[:31])
        ws.append(t.headers)
        for cell in ws[1]:
            cell.font = head_font
            cell.fill = head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in t.rows:
            # openpyxl stores Decimal and int as numbers, dates as dates.
            ws.append(list(row))
        for col_idx, col in enumerate(t.columns, start=1):
            for (cell,) in ws.iter_rows(min_row=2, min_col=col_idx, max_col=col_idx):
                fmt = _xlsx_format(col.kind, cell.value)
                if fmt and cell.value is not None:
                    cell.number_format = fmt
            width = max([len(col.header)] + [len(_width_text(r[col_idx - 1])) for r in t.rows])
            ws.column_dimensions[get_column_letter(col_idx)].width = min(max(width + 2, 9), 48)
        ws.freeze_panes = "A2"
    wb.save(path)


def _width_text(v: object) -> str:
    if isinstance(v, Decimal):
        return f"${v:,.2f}"
    return "" if v is None else str(v)


def tables_by_name(tables: Iterable[Table]) -> dict[str, Table]:
    return {t.name: t for t in tables}
