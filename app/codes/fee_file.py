"""Reading a fee schedule from a CSV or XLSX file, row by row, with every
reason a row cannot be used.

The first non-empty row is the header. Recognised columns (any case, in any
order): ``code`` (required), ``description``, ``price`` (or ``fee``,
``charge``), ``active`` (yes/no), and one column per payer for allowed
amounts headed ``allowed: <payer name>`` (or ``<payer name> allowed``).
A blank price means "no price yet". Other columns are reported and ignored.
Nothing here touches the store; ``app.services.fee_schedule`` compares the
rows with the office's fee schedule and applies them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from app.codes.cpt import normalize as normalize_code
from app.codes.cpt import procedure_code_problem
from app.money import MoneyError, fmt, parse_money

MAX_DESCRIPTION = 120
_ALIASES = {
    "code": {"code", "cpt", "hcpcs", "cpt/hcpcs", "procedure", "procedure code", "cpt code"},
    "description": {"description", "short description", "desc", "name"},
    "price": {"price", "fee", "charge", "amount", "office fee"},
    "active": {"active", "status", "in use"},
}
_ALLOWED = (
    re.compile(r"^allowed\s*[:\-(]\s*(?P<payer>.+?)\)?$", re.I),
    re.compile(r"^(?P<payer>.+?)\s+allowed$", re.I),
)
_TRUE = {"", "y", "yes", "true", "1", "active", "x"}
_FALSE = {"n", "no", "false", "0", "inactive"}


@dataclass(frozen=True)
class FeeFileRow:
    row_no: int  # as the spreadsheet numbers it (header is row 1 when first)
    code: str
    description: str
    price: Decimal | None
    active: bool
    allowed: dict[str, Decimal]  # payer column name -> allowed amount


@dataclass(frozen=True)
class BadRow:
    row_no: int
    text: str  # the row as typed, for the preview
    reasons: tuple[str, ...]


@dataclass
class FeeFile:
    rows: list[FeeFileRow] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    allowed_columns: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the whole file
    notes: list[str] = field(default_factory=list)  # ignored columns


def _cell(v: object, *, code: bool = False) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:05d}" if code and 0 <= v < 100000 else str(v)
    if isinstance(v, float):
        if code and v.is_integer():
            return _cell(int(v), code=True)
        # openpyxl gives numbers as float; its shortest repr is what was typed.
        return format(Decimal(repr(v)), "f")
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    return str(v).strip()


def parse_table(table: Iterable[Sequence[object]]) -> FeeFile:
    out = FeeFile()
    columns: dict[str, int] = {}
    allowed: dict[str, int] = {}
    header_seen = False
    first_row: dict[str, int] = {}
    for row_no, raw in enumerate(table, start=1):
        cells = list(raw)
        if not any(_cell(c) for c in cells):
            continue
        if not header_seen:
            header_seen = True
            for i, c in enumerate(cells):
                name = _cell(c).lower().strip()
                if not name:
                    continue
                key = next((k for k, names in _ALIASES.items() if name in names), None)
                if key and key not in columns:
                    columns[key] = i
                    continue
                m = next((p.match(_cell(c)) for p in _ALLOWED if p.match(_cell(c))), None)
                if m:
                    allowed[m.group("payer").strip()] = i
                    continue
                out.notes.append(f"Column '{_cell(c)}' is not a fee schedule column; ignored")
            if "code" not in columns:
                out.problems.append(
                    "The first row must be a header with a 'code' column "
                    "(and description, price, active, 'allowed: <payer>' as needed)"
                )
                return out
            out.allowed_columns = list(allowed)
            continue

        def get(key: str, cells: list[object] = cells) -> str:
            i = columns.get(key)
            return _cell(cells[i], code=key == "code") if i is not None and i < len(cells) else ""

        reasons: list[str] = []
        code = normalize_code(get("code"))
        if p := procedure_code_problem(code):
            reasons.append(p)
        elif code in first_row:
            reasons.append(f"{code} is also on row {first_row[code]}")
        else:
            first_row[code] = row_no
        description = " ".join(get("description").split())
        if len(description) > MAX_DESCRIPTION:
            reasons.append(
                f"description is {len(description)} characters; at most {MAX_DESCRIPTION}"
            )
        price: Decimal | None = None
        if get("price"):
            price, why = _amount(get("price"), "price")
            if why:
                reasons.append(why + " (leave it blank for no price)")
        act = get("active").lower()
        if act not in _TRUE | _FALSE:
            reasons.append(f"active '{get('active')}' should be yes or no")
        amounts: dict[str, Decimal] = {}
        for payer, i in allowed.items():
            text = _cell(cells[i]) if i < len(cells) else ""
            if not text:
                continue
            amount, why = _amount(text, f"allowed amount for {payer}")
            if why:
                reasons.append(why)
            elif amount is not None:
                amounts[payer] = amount
        if reasons:
            shown = ", ".join(_cell(c) for c in cells)
            out.bad.append(BadRow(row_no, shown, tuple(reasons)))
            continue
        out.rows.append(FeeFileRow(row_no, code, description, price, act not in _FALSE, amounts))
    if not header_seen:
        out.problems.append("The file is empty")
    return out


def _amount(text: str, label: str) -> tuple[Decimal | None, str | None]:
    try:
        value = parse_money(text)
    except MoneyError as exc:
        return None, f"{label}: {exc}"
    if value <= 0:
        return None, f"{label} must be more than 0.00, not {fmt(value)}"
    return value, None


def read(path: Path) -> FeeFile:
    """Read a ``.csv`` or ``.xlsx`` file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        # Excel on Windows saves CSV as cp1252 unless told otherwise.
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                with open(path, encoding=encoding, newline="") as f:
                    return parse_table(list(csv.reader(f)))
            except UnicodeDecodeError:
                continue
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            return parse_table(ws.iter_rows(values_only=True))
        finally:
            wb.close()
    out = FeeFile()
    out.problems.append(f"'{path.name}' is not a .csv or .xlsx file")
    return out
